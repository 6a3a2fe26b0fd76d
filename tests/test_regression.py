"""Least squares, loss surface, gradient descent, nodes and activations, figures and exercises."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from workshop_utils import regression
from workshop_utils.exercises import regression as exercises
from workshop_utils.models import SIMPLE_NETWORK_WEIGHT_NAMES, simple_network_weights
from workshop_utils.plots import regression as plots
from workshop_utils.sales import PRICE, SALES, load_sales

finite = st.floats(-1e3, 1e3, allow_nan=False)


@pytest.fixture(scope="module")
def xy():
    table = load_sales()
    return table[PRICE].to_numpy(float), table[SALES].to_numpy(float)


# -- least squares ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(points=st.lists(st.tuples(finite, finite), min_size=2, max_size=40))
def test_fit_line_equals_numpy_polyfit(points):
    x, y = np.array(points).T
    assume(np.ptp(x) > 1e-3)
    slope, intercept = np.polyfit(x, y, 1)
    w0, w1 = regression.fit_line(x, y)
    scale = 1 + np.abs(y).max()
    assert w1 == pytest.approx(slope, rel=1e-6, abs=1e-6 * scale / max(np.ptp(x), 1))
    assert w0 == pytest.approx(intercept, rel=1e-6, abs=1e-6 * scale * (1 + np.abs(x).max()))


def test_fit_line_on_the_sales_data(xy):
    w0, w1 = regression.fit_line(*xy)
    np.testing.assert_allclose([w1, w0], np.polyfit(*xy, 1), rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(dw0=finite, dw1=st.floats(-50, 50))
def test_no_other_line_has_a_smaller_loss(xy, dw0, dw1):
    best = regression.fit_line(*xy)
    best_loss = regression.line_loss(*xy, *best)
    assert regression.line_loss(*xy, best[0] + dw0, best[1] + dw1) >= best_loss - 1e-9


def test_loss_surface_minimum_matches_least_squares(xy):
    w0, w1 = regression.fit_line(*xy)
    surface = regression.loss_surface(*xy, (0, 200), (-40, 20), resolution=401)
    assert surface.loss.shape == (401, 401)
    low_w0, low_w1 = surface.lowest()
    assert low_w0 == pytest.approx(w0, abs=200 / 400)  # within one grid step
    assert low_w1 == pytest.approx(w1, abs=60 / 400)
    assert surface.loss.min() >= regression.line_loss(*xy, w0, w1) - 1e-9


def test_loss_surface_orientation_w0_columns_w1_rows(xy):
    surface = regression.loss_surface(*xy, (0, 10), (-5, 5), resolution=3)
    assert surface.loss[2, 0] == pytest.approx(regression.line_loss(*xy, 0.0, 5.0))


def test_mse_and_line_loss_agree(xy):
    x, y = xy
    assert regression.mse(y, regression.predict_line(x, 100, -15)) == pytest.approx(
        regression.line_loss(x, y, 100, -15))
    assert regression.mse([1, 2], [1, 4]) == 2.0


def test_gradient_matches_finite_differences(xy):
    h = 1e-5
    g0, g1 = regression.line_gradient(*xy, 50.0, 3.0)
    loss = lambda w0, w1: regression.line_loss(*xy, w0, w1)  # noqa: E731
    assert g0 == pytest.approx((loss(50 + h, 3) - loss(50 - h, 3)) / (2 * h), rel=1e-5)
    assert g1 == pytest.approx((loss(50, 3 + h) - loss(50, 3 - h)) / (2 * h), rel=1e-5)


def test_gradient_descent_walks_downhill_to_least_squares(xy):
    path = regression.gradient_descent_path(*xy, start=(40, 10), learning_rate=0.05, steps=2000)
    losses = regression.line_loss(*xy, path[:, 0], path[:, 1])
    assert path.shape == (2001, 2) and tuple(path[0]) == (40, 10)
    assert np.all(np.diff(losses) <= 1e-9)
    np.testing.assert_allclose(path[-1], regression.fit_line(*xy), rtol=1e-4)


def test_gradient_descent_with_too_large_a_step_says_so(xy):
    with pytest.raises(ValueError, match="smaller learning rate"):
        regression.gradient_descent_path(*xy, start=(40, 10), learning_rate=1.0, steps=200)


@pytest.mark.parametrize(
    "x, y, message",
    [
        ([1, 2, 3], [1, 2], "same length"),
        ([1], [1], "at least 2 points"),
        ([1, np.nan, 3], [1, 2, 3], "finite.*position 1"),
        ([1, 2, 3], [1, np.inf, 3], "finite"),
        ([2, 2, 2], [1, 2, 3], "slope is undefined"),
        ([[1, 2], [3, 4]], [1, 2], "1-D"),
        (["a", "b"], [1, 2], "must hold numbers"),
    ],
)
def test_bad_data_gives_a_clear_error(x, y, message):
    with pytest.raises(ValueError, match=message):
        regression.fit_line(x, y)


def test_bad_surface_and_descent_arguments(xy):
    with pytest.raises(ValueError, match="low < high"):
        regression.loss_surface(*xy, (5, 5), (0, 1))
    with pytest.raises(ValueError, match="at least 2"):
        regression.loss_surface(*xy, (0, 1), (0, 1), resolution=1)
    with pytest.raises(ValueError, match="positive"):
        regression.gradient_descent_path(*xy, (0, 0), learning_rate=0)


# -- nodes, activations, weights -------------------------------------------------------------


@given(z=st.floats(-1e6, 1e6))
def test_activations(z):
    s = float(regression.sigmoid(z))
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(1 - float(regression.sigmoid(-z)), abs=1e-12)
    assert float(regression.relu(z)) == max(0.0, z)


def test_sigmoid_values():
    np.testing.assert_allclose(regression.sigmoid([0, np.log(3)]), [0.5, 0.75])


def test_node_output_is_the_linear_combination_then_the_activation():
    assert regression.node_output([1, 2], [0.5, 1, -1]) == pytest.approx(-0.5)
    assert regression.node_output([1, 2], [0.5, 1, -1], "relu") == 0.0
    assert regression.node_output([[0, 0]], [0, 1, 1], "sigmoid") == pytest.approx([0.5])
    with pytest.raises(ValueError, match="2 input.*3 weights"):
        regression.node_output([1, 2], [1, 2])
    with pytest.raises(ValueError, match="activation must be one of"):
        regression.node_output([1], [0, 1], "tanh")


def test_simple_network_weights_maps_keras_arrays_onto_the_diagram():
    kernel1 = np.array([[11, 21], [12, 22]])  # Keras: kernel[input, node]
    named = simple_network_weights([kernel1, np.array([10, 20]), np.array([[31], [32]]), np.array([30])])
    assert list(named) == list(SIMPLE_NETWORK_WEIGHT_NAMES)
    assert all(named[name] == int(name[1:]) for name in named)
    with pytest.raises(ValueError, match="2-2-1"):
        simple_network_weights([np.zeros((3, 2))])


# -- the two-input task ------------------------------------------------------------------------


def test_make_xor_is_seeded_and_balanced():
    x, y = regression.make_xor(n=400, seed=1)
    x2, y2 = regression.make_xor(n=400, seed=1)
    np.testing.assert_array_equal(x, x2)
    assert x.shape == (400, 2) and y.shape == (400,) and x.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 1.0} and 0.4 < y.mean() < 0.6
    high = np.round(x).astype(int)
    np.testing.assert_array_equal(y, high[:, 0] ^ high[:, 1])  # small noise keeps the corner


def test_no_linear_node_can_fit_xor():
    x, y = regression.make_xor(seed=0)
    w = regression.fit_linear(x, y)
    loss = regression.mse(y, w[0] + x @ w[1:])
    assert loss > 0.24  # predicting the mean (0.5) everywhere scores 0.25


def test_fit_linear_recovers_a_plane():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 2))
    np.testing.assert_allclose(regression.fit_linear(x, 1 + 2 * x[:, 0] - 3 * x[:, 1]), [1, 2, -3])


# -- figures -----------------------------------------------------------------------------------


def test_every_figure_function_returns_a_figure(xy):
    x, y = xy
    best = regression.fit_line(x, y)
    surface = regression.loss_surface(x, y, (0, 200), (-40, 20), resolution=21)
    path = regression.gradient_descent_path(x, y, (40, 10), steps=20)
    xor_x, xor_y = regression.make_xor(n=40)
    figures = [
        plots.sales_scatter(x, y),
        plots.sales_scatter(x, y, best, new_price=3.5),
        plots.activation_functions(),
        plots.bad_vs_good(x, y, (40, 10), best),
        plots.loss_surface_figure(surface, {"bad": (40, 10), "good": best}, path),
        plots.line_and_loss(x, y, 80, -5, surface),
        plots.network_diagram(),
        plots.network_diagram(dict.fromkeys(SIMPLE_NETWORK_WEIGHT_NAMES, 1.0)),
        plots.two_input_figure(xor_x, xor_y),
        plots.two_input_figure(xor_x, xor_y, predict=lambda g: g.sum(axis=1)),
        plots.loss_curve({"loss": [0.3, 0.2, 0.1]}),
    ]
    assert all(isinstance(f, Figure) for f in figures)


def test_scatter_prediction_lands_on_the_line(xy):
    fig = plots.sales_scatter(*xy, line=(100, -10), new_price=3.0)
    star = fig.axes[0].collections[-1].get_offsets()[0]
    np.testing.assert_allclose(star, [3.0, 70.0])


def test_network_diagram_labels_all_nine_weights():
    fig = plots.network_diagram({name: i / 10 for i, name in enumerate(SIMPLE_NETWORK_WEIGHT_NAMES)})
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"w10 = 0.00", "w22 = 0.50", "w32 = 0.80"} <= texts
    with pytest.raises(ValueError, match="lacks"):
        plots.network_diagram({"w10": 1.0})


def test_figure_arguments_are_checked(xy):
    with pytest.raises(ValueError, match="needs a line"):
        plots.sales_scatter(*xy, new_price=3.0)
    with pytest.raises(ValueError, match="unknown activation"):
        plots.activation_functions(["tanh"])
    with pytest.raises(ValueError, match="no losses"):
        plots.loss_curve([])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plots.two_input_figure(np.zeros((3, 3)), np.zeros(3))


# -- exercises ---------------------------------------------------------------------------------


def test_hand_fit_exercise(xy):
    assert exercises.check_hand_fit(regression.fit_line(*xy)).correct
    wrong = exercises.check_hand_fit((40, 10))
    assert wrong.correct is False and "is 1159.1, above 70" in wrong.message
    assert exercises.check_hand_fit(...).correct is None
    assert exercises.check_hand_fit("120, -20").correct is False


def test_weight_count_exercise():
    assert exercises.check_weight_count(16).correct
    assert not exercises.check_weight_count(9).correct


def test_prediction_exercise(xy):
    w0, w1 = regression.fit_line(*xy)
    assert exercises.check_prediction(w0 + w1 * 4.5).correct
    assert not exercises.check_prediction(w0 + w1 * 3.5).correct
