"""Notebook 03's arithmetic: least squares, the loss surface, gradient descent, small networks.

Everything here is plain NumPy, so it is fast, testable and needs no TensorFlow. A straight
line ``w0 + w1 * x`` is also the smallest neural network: one node, one input, no
activation. Its loss is the mean squared error (MSE), and training means finding the
``(w0, w1)`` with the smallest loss: :func:`fit_line` solves that exactly, while
:func:`gradient_descent_path` walks downhill the way Keras does for bigger networks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .checks import integer, positive_number

# -- checking input ----------------------------------------------------------------------


def _as_vector(values, name: str) -> np.ndarray:
    """``values`` as a 1-D float array, or a ValueError saying what is wrong with it."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numbers, got {values!r:.60}") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be one list of numbers (1-D), got shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise ValueError(
            f"{name} must be finite numbers, got {array[bad[0]]} at position {bad[0]}: "
            "drop or fill the missing values first"
        )
    return array


def check_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets as float vectors: same length, finite, at least 2 points."""
    x, y = _as_vector(x, "x"), _as_vector(y, "y")
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size} values")
    if x.size < 2:
        raise ValueError(f"a line needs at least 2 points, got {x.size}")
    return x, y


# -- the line and its loss -----------------------------------------------------------------


def fit_line(x, y) -> tuple[float, float]:
    """The least-squares line through the points: ``(intercept, slope)``, i.e. ``(w0, w1)``.

    The exact minimum of the MSE: ``slope = cov(x, y) / var(x)`` and the line passes through
    the mean point. Equals ``numpy.polyfit(x, y, 1)`` reversed.
    """
    x, y = check_xy(x, y)
    dx = x - x.mean()
    spread = float(dx @ dx)
    if spread == 0.0:
        raise ValueError(
            f"all x values are equal ({x[0]}), so the slope is undefined: "
            "a line needs at least two different x values"
        )
    slope = float(dx @ (y - y.mean())) / spread
    return float(y.mean() - slope * x.mean()), slope


def predict_line(x, w0: float, w1: float) -> np.ndarray:
    """The line's predictions ``w0 + w1 * x`` (the one-node network's output)."""
    return w0 + w1 * np.asarray(x, dtype=float)


def mse(y_true, y_pred) -> float:
    """Mean squared error: the average of ``(target - prediction) ** 2``, Keras's ``"mse"``."""
    y_true, y_pred = check_xy(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def line_loss(x, y, w0, w1) -> np.ndarray | float:
    """The MSE of the line ``w0 + w1 * x`` on the points; ``w0`` and ``w1`` may be arrays (a grid)."""
    x, y = check_xy(x, y)
    w0, w1 = np.asarray(w0, dtype=float), np.asarray(w1, dtype=float)
    residual = y - (w0[..., None] + w1[..., None] * x)
    loss = np.mean(residual**2, axis=-1)
    return float(loss) if loss.ndim == 0 else loss


@dataclass(frozen=True)
class LossSurface:
    """The MSE over a grid of ``(w0, w1)``: ``loss[i, j]`` belongs to ``w0[j]`` and ``w1[i]``."""

    w0: np.ndarray
    w1: np.ndarray
    loss: np.ndarray

    def lowest(self) -> tuple[float, float]:
        """The grid point with the smallest loss, ``(w0, w1)``."""
        i, j = np.unravel_index(np.argmin(self.loss), self.loss.shape)
        return float(self.w0[j]), float(self.w1[i])


def _check_range(bounds, name: str) -> tuple[float, float]:
    low, high = (float(b) for b in bounds)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be (low, high) with low < high, got {tuple(bounds)}")
    return low, high


def loss_surface(x, y, w0_range, w1_range, resolution: int = 121) -> LossSurface:
    """The line's MSE at every point of a ``resolution`` x ``resolution`` grid of ``(w0, w1)``.

    Parameters
    ----------
    x, y : the data.
    w0_range, w1_range : ``(low, high)`` of the intercept and slope axes.
    resolution : grid points along each axis (at least 2).
    """
    if int(resolution) < 2:
        raise ValueError(f"resolution must be at least 2 grid points per axis, got {resolution}")
    w0 = np.linspace(*_check_range(w0_range, "w0_range"), int(resolution))
    w1 = np.linspace(*_check_range(w1_range, "w1_range"), int(resolution))
    grid_w0, grid_w1 = np.meshgrid(w0, w1)
    return LossSurface(w0, w1, line_loss(x, y, grid_w0, grid_w1))


def line_gradient(x, y, w0: float, w1: float) -> tuple[float, float]:
    """The slope of the loss surface at ``(w0, w1)``: ``(dMSE/dw0, dMSE/dw1)``."""
    x, y = check_xy(x, y)
    residual = predict_line(x, w0, w1) - y
    return float(2 * residual.mean()), float(2 * (residual * x).mean())


def gradient_descent_path(
    x, y, start: tuple[float, float], learning_rate: float = 0.05, steps: int = 300
) -> np.ndarray:
    """Where gradient descent goes from ``start``: an array of ``steps + 1`` rows ``(w0, w1)``.

    Each step moves against the gradient: ``w <- w - learning_rate * gradient``. Too large a
    learning rate makes the steps overshoot and the loss grow: then a ValueError says so.
    """
    positive_number(learning_rate, "learning_rate")
    steps = integer(steps, "steps", low=0)
    x, y = check_xy(x, y)
    path = np.empty((steps + 1, 2))
    path[0] = [float(v) for v in start]
    for k in range(1, steps + 1):
        path[k] = path[k - 1] - learning_rate * np.array(line_gradient(x, y, *path[k - 1]))
        if not np.all(np.isfinite(path[k])) or np.abs(path[k]).max() > 1e12:
            raise ValueError(
                f"gradient descent blew up at step {k} with learning_rate={learning_rate}: "
                "the steps overshoot the valley; try a smaller learning rate"
            )
    return path


# -- nodes, activations and the 2-2-1 network --------------------------------------------------


def relu(z) -> np.ndarray:
    """Rectified linear unit: ``max(0, z)``; passes positive signals, silences negative ones."""
    return np.maximum(0.0, np.asarray(z, dtype=float))


def sigmoid(z) -> np.ndarray:
    """Logistic sigmoid ``1 / (1 + exp(-z))``: squashes any number into (0, 1), smoothly."""
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))  # stable for large |z|


def linear(z) -> np.ndarray:
    """No activation: the node outputs its linear combination unchanged."""
    return np.asarray(z, dtype=float)


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
}


def node_output(inputs, weights: Sequence[float], activation: str = "linear") -> np.ndarray:
    """One node: the linear combination ``w0 + w1*input1 + ... + wp*inputp``, then the activation.

    Parameters
    ----------
    inputs : shape ``(p,)`` for one example or ``(n, p)`` for n examples.
    weights : ``(w0, w1, ..., wp)``: the bias ``w0`` first, then one weight per input.
    activation : ``"linear"``, ``"relu"`` or ``"sigmoid"``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    inputs = np.atleast_1d(np.asarray(inputs, dtype=float))
    weights = np.asarray(weights, dtype=float).ravel()
    p = inputs.shape[-1]
    if weights.size != p + 1:
        raise ValueError(
            f"{p} input(s) need {p + 1} weights (the bias w0 first, then one per input), "
            f"got {weights.size}"
        )
    return ACTIVATIONS[activation](weights[0] + inputs @ weights[1:])


def dense_weight_count(layer_sizes: Sequence[int]) -> int:
    """Trainable weights of a densely connected network, e.g. ``[2, 2, 1]`` (inputs first) -> 9.

    Every node has one weight per node in the layer before it, plus its bias ``w0``.
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"give the number of inputs and then each layer's nodes (all >= 1), got {list(layer_sizes)}")
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False))


def simple_network_output(inputs, weights: Mapping[str, float]) -> np.ndarray:
    """The 2-2-1 network by hand: two sigmoid hidden nodes, then a linear output node.

    ``weights`` uses the diagram's names ``w10 ... w32`` (``wj0`` is node j's bias), as
    returned by :func:`workshop_utils.models.simple_network_weights`.
    """
    names = ("w10", "w11", "w12", "w20", "w21", "w22", "w30", "w31", "w32")
    missing = [name for name in names if name not in weights]
    if missing:
        raise ValueError(f"weights lacks {missing}: give all nine of {list(names)}")
    inputs = np.asarray(inputs, dtype=float)
    if inputs.shape[-1:] != (2,):
        raise ValueError(f"the network has 2 inputs, so inputs must have shape (n, 2), got {inputs.shape}")
    w = {name: float(weights[name]) for name in names}
    h1 = node_output(inputs, (w["w10"], w["w11"], w["w12"]), "sigmoid")
    h2 = node_output(inputs, (w["w20"], w["w21"], w["w22"]), "sigmoid")
    return node_output(np.stack([h1, h2], axis=-1), (w["w30"], w["w31"], w["w32"]))


def fit_linear(inputs, y) -> np.ndarray:
    """Least-squares weights ``(w0, w1, ..., wp)`` of one linear node with p inputs.

    The best any network without a hidden layer (and no activation) can do: on XOR-like data
    it is a flat plane, far from the target.
    """
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 2:
        raise ValueError(f"inputs must have shape (n, p), got {inputs.shape}")
    y = _as_vector(y, "y")
    if len(inputs) != y.size:
        raise ValueError(f"inputs and y must have the same length, got {len(inputs)} and {y.size}")
    if not np.all(np.isfinite(inputs)):
        raise ValueError("inputs must be finite numbers: drop or fill the missing values first")
    design = np.column_stack([np.ones(len(inputs)), inputs])
    weights, *_ = np.linalg.lstsq(design, y, rcond=None)
    return weights


# -- the two-input task ----------------------------------------------------------------------


def make_xor(n: int = 500, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points near the four corners of the unit square; target 1 where exactly one input is high.

    The "exclusive or" pattern no straight line (no network without a hidden layer) can fit:
    the two high corners sit diagonally opposite. Returns ``x`` of shape ``(n, 2)`` and
    ``y`` of shape ``(n,)``, as float32 ready for Keras.

    Parameters
    ----------
    n : number of points (at least 4).
    noise : standard deviation of the scatter around each corner.
    seed : seed of the NumPy generator.
    """
    if int(n) < 4:
        raise ValueError(f"n must be at least 4 (one point per corner), got {n}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(int(n), 2))
    x = corners + noise * rng.normal(size=(int(n), 2))
    y = corners[:, 0] ^ corners[:, 1]
    return x.astype(np.float32), y.astype(np.float32)
