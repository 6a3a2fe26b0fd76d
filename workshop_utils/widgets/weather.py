"""Instructor widgets for notebook 04: augmentation strengths, and classify your own photo.

Thin shells; figures are shown as PNG in an ``ipywidgets.Image`` (see :func:`.common.figure_png`).
"""

import ipywidgets as widgets
from matplotlib.figure import Figure

from .. import weather
from ..plots.weather import augmentation_grid, probability_chart
from ..uploads import first_upload
from ..weather import augment
from .common import Panel, figure_png


class AugmentationPreview:
    """Sliders for each augmentation strength redrawing the nine-way preview."""

    def __init__(self, image, strength: augment.AugmentStrength = augment.DEFAULT_STRENGTH, seed: int = 0):
        self.image, self.seed = weather.read_image(image, max_side=256), seed  # enough to see
        self.rotation, self.zoom, self.shear = (
            widgets.FloatSlider(value=getattr(strength, name), min=0.0, max=0.5, step=0.05, description=name,
                                continuous_update=False, readout_format=".2f")
            for name in ("rotation", "zoom", "shear"))
        self.flip = widgets.Checkbox(value=strength.flip, description="flip left-right")
        self.picture = widgets.Image(format="png")
        for control in (self.rotation, self.zoom, self.shear, self.flip):
            control.observe(self.update, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.rotation, self.zoom]),
                                    widgets.HBox([self.shear, self.flip]), self.picture])
        self.update()

    def update(self, change: dict | None = None) -> None:
        """Redraw the grid of nine augmented copies for the current sliders."""
        rotation, zoom, shear, flip = (c.value for c in (self.rotation, self.zoom, self.shear, self.flip))
        strength = augment.AugmentStrength(rotation=rotation, zoom=zoom, shear=shear, flip=flip)
        self.figure = augmentation_grid(
            augment.augment_examples(self.image, n=9, strength=strength, seed=self.seed),
            title=f"rotation {rotation:.2f}, zoom {zoom:.2f}, shear {shear:.2f}, flip {'on' if flip else 'off'}")
        self.picture.value = figure_png(self.figure)


def augmentation_preview(image, **options) -> widgets.VBox:
    """Build the augmentation preview widget; display it by ending a cell with it."""
    return AugmentationPreview(image, **options).widget


def upload_view(model, upload_value) -> tuple[dict[str, float], Figure]:
    """Classify an uploaded photo (a FileUpload value of ipywidgets 7 or 8): probabilities and chart."""
    photo = first_upload(upload_value)
    probabilities = weather.classify_image(model, photo.content)
    best = max(probabilities, key=probabilities.get)
    return probabilities, probability_chart(probabilities, image=photo.content,
                                            title=f"{photo.name}: looks like {best} ({probabilities[best]:.0%})")


class UploadClassifier:
    """A file-upload button; each photo uploaded is classified and shown with its probabilities."""

    def __init__(self, model):
        self.model, self.probabilities = model, None
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload a photo")
        self.message = widgets.Label("Upload a photo of the sky (JPEG or PNG) to see what the network thinks.")
        self.picture = widgets.Image(format="png")
        self.upload.observe(self.update, names="value")
        self.widget = Panel("UploadClassifier: upload a photo and see what the network thinks "
                            "(run the notebook to use it)",
                            children=[self.upload, self.message, self.picture])

    def update(self, change: dict | None = None) -> None:
        """Classify the uploaded photo, or say why it could not be read."""
        try:
            self.probabilities, figure = upload_view(self.model, self.upload.value)
        except (ValueError, TypeError) as error:
            self.message.value, self.picture.value = f"Could not classify that file: {error}", b""
            return
        best = max(self.probabilities, key=self.probabilities.get)
        self.message.value = f"Looks like {best} ({self.probabilities[best]:.0%})."
        self.picture.value = figure_png(figure)


def upload_classifier(model) -> widgets.VBox:
    """Build the classify-your-own-photo widget; display it by ending a cell with it."""
    return UploadClassifier(model).widget
