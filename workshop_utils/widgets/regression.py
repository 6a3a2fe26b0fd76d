"""Instructor widget for notebook 03: sliders for ``w0`` and ``w1`` move the line over the data and
the point on the loss surface, so learners feel what training does before Keras does it for them."""

import ipywidgets as widgets
from matplotlib.figure import Figure

from .. import regression
from ..plots.regression import line_and_loss
from .common import Panel, figure_png

W0_RANGE, W1_RANGE = (0.0, 200.0), (-40.0, 20.0)  # for the sales data: hold both bad and good


def describe_loss(loss: float, best: float) -> str:
    """One line on how good the current weights are, compared with the best possible line."""
    verdict = ("as good as it gets: that is the least-squares line" if loss <= best * 1.02
               else "very close to the best line" if loss <= best * 1.15
               else "getting warm" if loss <= best * 2 else "far from the best line: follow the valley downhill")
    return f"MSE = {loss:.1f} (the best possible is {best:.1f}): {verdict}"


def explorer_view(x, y, w0: float, w1: float, surface: regression.LossSurface) -> tuple[Figure, str]:
    """The line over the data and its point on the loss surface, and the loss in words."""
    best = regression.line_loss(x, y, *regression.fit_line(x, y))
    return line_and_loss(x, y, w0, w1, surface), describe_loss(regression.line_loss(x, y, w0, w1), best)


class LineExplorer:
    """Sliders for ``w0`` and ``w1``; ``explorer.weights`` is their ``(w0, w1)`` (an exercise reads it)."""

    def __init__(self, x, y, w0: float = 40.0, w1: float = 10.0, w0_range=W0_RANGE, w1_range=W1_RANGE,
                 resolution: int = 81):
        self.x, self.y = regression.check_xy(x, y)
        self.surface = regression.loss_surface(self.x, self.y, w0_range, w1_range, resolution)
        sliders = []
        for name, value, (low, high), step in (("w0", w0, w0_range, 1.0), ("w1", w1, w1_range, 0.5)):
            if not low <= value <= high:
                raise ValueError(f"{name}={value} is outside its slider range {low}..{high}")
            sliders.append(widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                                               continuous_update=False))
        self.w0, self.w1 = sliders
        self.image, self.loss = widgets.Image(format="png"), widgets.HTML()
        self.figure: Figure | None = None
        for slider in sliders:
            slider.observe(self.update, names="value")
        self.widget = Panel("LineExplorer: sliders for w0 and w1, the line, the loss surface and the MSE "
                            "(run the notebook to use it)", children=[widgets.HBox(sliders), self.loss, self.image])
        self.update()

    @property
    def weights(self) -> tuple[float, float]:
        return float(self.w0.value), float(self.w1.value)

    def update(self, change: dict | None = None) -> None:
        """Redraw for the current sliders: figure and loss line."""
        self.figure, text = explorer_view(self.x, self.y, *self.weights, self.surface)
        self.image.value = figure_png(self.figure)
        self.loss.value = f"<b>{text}</b>"
