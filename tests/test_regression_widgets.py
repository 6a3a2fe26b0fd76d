"""The w0/w1 explorer: its plain functions and its callback, called without a browser."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from workshop_utils import regression
from workshop_utils.sales import PRICE, SALES, load_sales
from workshop_utils.widgets import regression as explorer_module
from workshop_utils.widgets.regression import LineExplorer, describe_loss, explorer_view


@pytest.fixture(scope="module")
def xy():
    table = load_sales()
    return table[PRICE].to_numpy(float), table[SALES].to_numpy(float)


def test_explorer_view_gives_figure_and_live_loss(xy):
    surface = regression.loss_surface(*xy, (0, 200), (-40, 20), resolution=11)
    fig, text = explorer_view(*xy, 40.0, 10.0, surface)
    assert isinstance(fig, Figure)
    assert text.startswith("MSE = 1159.1 (the best possible is 61.7)")


@pytest.mark.parametrize(
    "loss, verdict", [(100, "as good as it gets"), (110, "very close"), (150, "warm"), (500, "far")]
)
def test_describe_loss_grades_against_the_best(loss, verdict):
    assert verdict in describe_loss(loss, best=100)


def test_moving_the_sliders_redraws_line_point_and_loss(xy):
    explorer = LineExplorer(*xy, resolution=11)
    assert explorer.weights == (40.0, 10.0)
    assert "1159.1" in explorer.loss.value
    first_png = explorer.image.value
    explorer.w0.value, explorer.w1.value = 120.0, -20.0  # each assignment fires update()
    assert explorer.weights == (120.0, -20.0)
    assert "as good as it gets" in explorer.loss.value
    assert explorer.image.value != first_png and explorer.image.value[:4] == b"\x89PNG"
    marker = explorer.figure.axes[1].collections[-1].get_offsets()[0]
    assert tuple(marker) == (120.0, -20.0)


def test_the_widget_has_a_readable_text_form(xy):
    assert repr(LineExplorer(*xy, resolution=5).widget).startswith("LineExplorer:")


def test_start_outside_the_sliders_is_refused(xy):
    with pytest.raises(ValueError, match="outside its slider range"):
        LineExplorer(*xy, w0=500.0)


def test_default_ranges_hold_the_best_line(xy):
    w0, w1 = regression.fit_line(*xy)
    assert explorer_module.W0_RANGE[0] < w0 < explorer_module.W0_RANGE[1]
    assert explorer_module.W1_RANGE[0] < w1 < explorer_module.W1_RANGE[1]
