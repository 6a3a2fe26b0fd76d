"""Instructor widget for notebook 03: find the "good" one-node network by hand.

Two sliders set ``w0`` (intercept) and ``w1`` (slope). The line moves over the data, the point
moves on the loss surface, and the loss (MSE) is shown live: learners feel what training does
before Keras does it for them. The widget is a thin shell: :func:`explorer_view` does the work
and tests call it, and the widget's callback, directly. The figure is shown as a PNG in an
``Image`` widget (no ``Output`` widget), so the notebook also runs headless.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from .. import regression
from ..plots.regression import line_and_loss
from .common import Panel, figure_png

#: Slider ranges for the sales data: they hold both the bad and the good network.
W0_RANGE = (0.0, 200.0)
W1_RANGE = (-40.0, 20.0)


def describe_loss(loss: float, best: float) -> str:
    """One line on how good the current weights are, compared with the best possible line."""
    if loss <= best * 1.02:
        verdict = "as good as it gets: that is the least-squares line"
    elif loss <= best * 1.15:
        verdict = "very close to the best line"
    elif loss <= best * 2:
        verdict = "getting warm"
    else:
        verdict = "far from the best line: follow the valley downhill"
    return f"MSE = {loss:.1f} (the best possible is {best:.1f}): {verdict}"


def explorer_view(x, y, w0: float, w1: float, surface: regression.LossSurface) -> tuple[Figure, str]:
    """The line over the data and its point on the loss surface, and the loss in words."""
    loss = regression.line_loss(x, y, w0, w1)
    best = regression.line_loss(x, y, *regression.fit_line(x, y))
    return line_and_loss(x, y, w0, w1, surface), describe_loss(loss, best)


class LineExplorer:
    """Sliders for ``w0`` and ``w1``; the line, the point on the loss surface and the MSE follow.

    ``explorer.widget`` is the UI; ``explorer.weights`` is the current ``(w0, w1)`` (an
    exercise reads it); ``explorer.update()`` is the sliders' callback.
    """

    def __init__(self, x, y, w0: float = 40.0, w1: float = 10.0,
                 w0_range=W0_RANGE, w1_range=W1_RANGE, resolution: int = 81):
        self.x, self.y = regression.check_xy(x, y)
        self.surface = regression.loss_surface(self.x, self.y, w0_range, w1_range, resolution)
        for name, value, (low, high) in (("w0", w0, w0_range), ("w1", w1, w1_range)):
            if not low <= value <= high:
                raise ValueError(f"{name}={value} is outside its slider range {low}..{high}")
        self.w0 = widgets.FloatSlider(value=w0, min=w0_range[0], max=w0_range[1], step=1.0,
                                      description="w0", continuous_update=False)
        self.w1 = widgets.FloatSlider(value=w1, min=w1_range[0], max=w1_range[1], step=0.5,
                                      description="w1", continuous_update=False)
        self.image = widgets.Image(format="png")
        self.loss = widgets.HTML()
        self.figure: Figure | None = None
        for slider in (self.w0, self.w1):
            slider.observe(self.update, names="value")
        self.widget = Panel(
            "LineExplorer: sliders for w0 and w1, the line, the loss surface and the MSE "
            "(run the notebook to use it)",
            children=[widgets.HBox([self.w0, self.w1]), self.loss, self.image],
        )
        self.update()

    @property
    def weights(self) -> tuple[float, float]:
        """The sliders' current ``(w0, w1)``."""
        return float(self.w0.value), float(self.w1.value)

    def update(self, change: dict | None = None) -> None:
        """Redraw for the current sliders: figure and loss line."""
        self.figure, text = explorer_view(self.x, self.y, *self.weights, self.surface)
        self.image.value = figure_png(self.figure)
        self.loss.value = f"<b>{text}</b>"
