"""Notebook 04's figures (``workshop_utils.plots.weather``), drawn from real photos and models.

Each figure is checked for what it must show (the right numbers, the right photos) and for its
colours: only the palette's colours and colour maps reach the page (photos excepted).
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from PIL import Image

from workshop_utils import weather
from workshop_utils.plots import palette
from workshop_utils.plots import weather as plots

SIZE = (32, 32)
COLOUR_MAPS = {palette.GREYS, palette.CIVIDIS, palette.diverging().name, palette.sequential().name}
FURNITURE = {"#B0B0B0", "#CCCCCC"}  # matplotlib's own grid grey and legend frame


def stray_colours(fig) -> set[str]:
    """Colours (and colour maps) on the page outside the palette; photos (RGB images) excepted."""
    fig.canvas.draw()
    found = set()

    def add(rgba):
        for row in np.atleast_2d(rgba):
            if row[3] > 0:
                found.add(to_hex(row[:3]).upper())

    for artist in fig.findobj():
        if isinstance(artist, AxesImage):
            if artist.get_array().ndim == 2:
                found.add(artist.get_cmap().name)
        elif isinstance(artist, Text) and artist.get_text():
            add(to_rgba(artist.get_color()))
        elif isinstance(artist, Line2D) and artist.get_visible():
            if artist.get_linestyle() not in ("None", ""):
                add(to_rgba(artist.get_color()))
            if artist.get_marker() not in ("None", "", None):  # an errorbar's caps: markers only
                add(to_rgba(artist.get_markeredgecolor()))
        elif isinstance(artist, Collection):
            add(artist.get_facecolor()), add(artist.get_edgecolor())
        elif isinstance(artist, Patch) and artist.get_visible():
            add(artist.get_facecolor()), add(artist.get_edgecolor())
    return found - palette.ALLOWED - FURNITURE - COLOUR_MAPS


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Plain-coloured JPEG photos in the real layout: split/class/*.jpg, three per class."""
    root = tmp_path_factory.mktemp("weather-img")
    for split in weather.SPLITS:
        for k, name in enumerate(weather.CLASSES):
            (root / split / name).mkdir(parents=True)
            for i in range(3):
                Image.new("RGB", (40, 30), (60 * k, 20 * i, 100)).save(root / split / name / f"{name}{i}.jpg")
    return root


def evaluation_of(probabilities, folder) -> weather.Evaluation:
    files = sorted((folder / "test").glob("*/*.jpg"))[:len(probabilities)]
    return weather.Evaluation([weather.CLASSES.index(f.parent.name) for f in files], probabilities, files=files)


@pytest.fixture(scope="module")
def evaluation(folder):
    rng = np.random.default_rng(0)
    return evaluation_of(rng.dirichlet(np.ones(4) * 0.5, size=12), folder)


# --- the maths figures ---------------------------------------------------------------------------

def test_feature_maps_of_a_real_networks_first_convolution(folder):
    keras = pytest.importorskip("keras")
    model = weather.build_weather_cnn(SIZE, weather.make_augmentation(seed=0), seed=0)
    photo = weather.photo_batch(next((folder / "test" / "rain").iterdir()), SIZE)
    maps = np.asarray(keras.Model(model.inputs[0], model.layers[2].output)(photo, training=False))[0]
    fig = plots.feature_maps(photo[0], maps)
    images = [a.images[0] for a in fig.axes]
    assert len(images) == 1 + 32 and images[0].get_array().shape == (*SIZE, 3)  # the photo, then 32 maps
    for i, image in enumerate(images[1:]):
        np.testing.assert_array_equal(image.get_array(), maps[..., i])
        assert image.get_clim()[1] == pytest.approx(maps[..., i].max() or 1.0)  # each on its own scale
        assert fig.axes[1 + i].get_title() == f"{i}: max {maps[..., i].max():.2f}"
    assert not stray_colours(fig)
    with pytest.raises(ValueError, match=r"\(height, width, n\)"):
        plots.feature_maps(photo[0], maps[..., 0])


def test_convolution_figure_shows_the_patch_kernel_and_output():
    gray = np.tile(np.linspace(255, 0, 20)[:, None], (1, 30)).round()
    kernel, corner = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]), (5, 7)
    output = np.full((4, 4), 4 * (gray[5, 0] - gray[7, 0]))  # the same at every position of a ramp
    fig = plots.convolution_figure(gray, corner, kernel, output)
    photo_ax, patch_ax, kernel_ax, output_ax = fig.axes
    box = next(p for p in photo_ax.patches if isinstance(p, Rectangle))
    assert (box.get_x(), box.get_y(), box.get_width()) == (6.5, 4.5, 6)  # (column, row), 6 pixels
    shown = np.array([float(t.get_text()) for t in patch_ax.texts]).reshape(6, 6)
    np.testing.assert_array_equal(shown, gray[5:11, 7:13])
    assert [t.get_text() for t in kernel_ax.texts[:3]] == ["1", "2", "1"]
    assert output_ax.texts[0].get_text() == f"{output[0, 0]:.0f}"
    assert not stray_colours(fig)
    with pytest.raises(ValueError, match="does not fit"):
        plots.convolution_figure(gray, (16, 7), kernel, output)


def test_accuracy_comparison_draws_each_accuracys_95_percent_interval(evaluation):
    fig = plots.accuracy_comparison({"a model": evaluation, "given by hand": (0.9, 0.85, 0.94)})
    ax = fig.axes[0]
    low, high = evaluation.accuracy_interval()
    assert [bar.get_width() for bar in ax.patches if isinstance(bar, Rectangle)][:2] == \
        pytest.approx([evaluation.accuracy, 0.9])
    whiskers = [segment[:, 0] for c in ax.collections for segment in c.get_segments()]
    np.testing.assert_allclose(whiskers, [[low, high], [0.85, 0.94]])
    labels = [t.get_text() for t in ax.texts]
    assert labels[1] == "90.0% (85% to 94%)" and f"({low:.0%} to {high:.0%})" in labels[0]
    assert not stray_colours(fig)
    with pytest.raises(ValueError, match="expected an Evaluation or"):
        plots.accuracy_comparison({"a bare accuracy": 0.9})


# --- the other figures, on the photo layout and an evaluation -------------------------------------

def test_photo_grid_shows_photos_of_each_class_and_says_what_is_missing(folder, tmp_path):
    fig = plots.photo_grid(folder, per_class=2)
    assert sum(1 for ax in fig.axes if ax.images) == 2 * len(weather.CLASSES)
    assert [t.get_text() for ax in fig.axes for t in ax.texts] == list(weather.CLASSES)
    with pytest.raises(ValueError, match="no photos in"):
        plots.photo_grid(tmp_path, per_class=2)


def test_confusion_matrix_writes_every_count(evaluation):
    fig = plots.confusion_matrix(evaluation)
    counts = [int(t.get_text()) for t in fig.axes[0].texts]
    assert counts == evaluation.confusion.ravel().tolist()
    assert fig.axes[0].get_xlabel() == "predicted" and fig.axes[0].get_ylabel() == "truth"


@pytest.mark.parametrize("draw", [
    lambda folder, ev: plots.photo_grid(folder, per_class=3),
    lambda folder, ev: plots.class_balance({s: {c: 3 for c in weather.CLASSES} for s in weather.SPLITS}),
    lambda folder, ev: plots.duplicate_pair(sorted((folder / "train" / "rain").iterdir())[:2]),
    lambda folder, ev: plots.augmentation_grid(np.zeros((4, 8, 8, 3), np.uint8), title="x"),
    lambda folder, ev: plots.training_curves({"loss": [1, 0.5], "accuracy": [0.3, 0.6],
                                              "val_loss": [1.1, 0.7], "val_accuracy": [0.3, 0.5]}),
    lambda folder, ev: plots.example_predictions(ev),
    lambda folder, ev: plots.confusion_matrix(ev),
    lambda folder, ev: plots.misclassified_gallery(ev, max_photos=4),
    lambda folder, ev: plots.probability_chart(dict(zip(weather.CLASSES, [0.1, 0.2, 0.3, 0.4], strict=True)),
                                               image=np.zeros((8, 8, 3), np.uint8)),
], ids=["photo_grid", "class_balance", "duplicate_pair", "augmentation_grid", "training_curves",
        "example_predictions", "confusion_matrix", "misclassified_gallery", "probability_chart"])
def test_every_figure_draws_only_palette_colours(draw, folder, evaluation):
    assert not stray_colours(draw(folder, evaluation))


def test_misclassified_gallery_without_mistakes(folder):
    perfect = evaluation_of(np.eye(4)[np.repeat(np.arange(4), 3)], folder)
    fig = plots.misclassified_gallery(perfect)
    assert fig.axes[0].texts[0].get_text() == "no mistakes on this split"
