"""Notebook 03's arithmetic in plain NumPy: least squares, the loss surface, gradient descent, nodes.

A line ``w0 + w1 * x`` is also the smallest neural network (one node, one input, no activation);
:func:`fit_line` finds its best weights exactly, :func:`gradient_descent_path` walks downhill to
them the way Keras trains bigger networks.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .checks import integer, positive_number
from .models import SIMPLE_NETWORK_WEIGHT_NAMES


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
        raise ValueError(f"{name} must be finite numbers, got {array[bad[0]]} at position {bad[0]}: "
                         "drop or fill the missing values first")
    return array


def check_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets as float vectors: same length, finite, at least 2 points."""
    x, y = _as_vector(x, "x"), _as_vector(y, "y")
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size} values")
    if x.size < 2:
        raise ValueError(f"a line needs at least 2 points, got {x.size}")
    return x, y


def fit_line(x, y) -> tuple[float, float]:
    """The least-squares line ``(w0, w1)``: the exact minimum of the MSE.

    ``w1 = cov(x, y) / var(x)`` and the line passes through the mean point.
    """
    x, y = check_xy(x, y)
    dx = x - x.mean()
    spread = float(dx @ dx)
    if spread == 0.0:
        raise ValueError(f"all x values are equal ({x[0]}), so the slope is undefined: "
                         "a line needs at least two different x values")
    slope = float(dx @ (y - y.mean())) / spread
    return float(y.mean() - slope * x.mean()), slope


def predict_line(x, w0: float, w1: float) -> np.ndarray:
    """The line's predictions ``w0 + w1 * x`` (the one-node network's output)."""
    return w0 + w1 * np.asarray(x, dtype=float)


def mse(y_true, y_pred) -> float:
    """Mean squared error, the average of ``(target - prediction) ** 2``: Keras's ``"mse"``."""
    y_true, y_pred = check_xy(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def line_loss(x, y, w0, w1) -> np.ndarray | float:
    """The MSE of the line ``w0 + w1 * x``; ``w0`` and ``w1`` may be arrays (a grid)."""
    x, y = check_xy(x, y)
    w0, w1 = np.asarray(w0, dtype=float), np.asarray(w1, dtype=float)
    loss = np.mean((y - (w0[..., None] + w1[..., None] * x)) ** 2, axis=-1)
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


def loss_surface(x, y, w0_range, w1_range, resolution: int = 121) -> LossSurface:
    """The line's MSE on a ``resolution`` x ``resolution`` grid over ``(low, high)`` of each weight."""
    if int(resolution) < 2:
        raise ValueError(f"resolution must be at least 2 grid points per axis, got {resolution}")
    axes = []
    for bounds, name in ((w0_range, "w0_range"), (w1_range, "w1_range")):
        low, high = (float(b) for b in bounds)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"{name} must be (low, high) with low < high, got {tuple(bounds)}")
        axes.append(np.linspace(low, high, int(resolution)))
    return LossSurface(*axes, line_loss(x, y, *np.meshgrid(*axes)))


def line_gradient(x, y, w0: float, w1: float) -> tuple[float, float]:
    """The slope of the loss surface at ``(w0, w1)``: ``(dMSE/dw0, dMSE/dw1)``."""
    x, y = check_xy(x, y)
    residual = predict_line(x, w0, w1) - y
    return float(2 * residual.mean()), float(2 * (residual * x).mean())


def gradient_descent_path(x, y, start: tuple[float, float], learning_rate: float = 0.05,
                          steps: int = 300) -> np.ndarray:
    """Where gradient descent goes from ``start``: ``steps + 1`` rows ``(w0, w1)``.

    Each step is ``w <- w - learning_rate * gradient``; too large a rate overshoots and the
    loss grows, which raises a ValueError that says so.
    """
    positive_number(learning_rate, "learning_rate")
    steps = integer(steps, "steps", low=0)
    x, y = check_xy(x, y)
    path = np.empty((steps + 1, 2))
    path[0] = [float(v) for v in start]
    for k in range(1, steps + 1):
        path[k] = path[k - 1] - learning_rate * np.array(line_gradient(x, y, *path[k - 1]))
        if not np.all(np.isfinite(path[k])) or np.abs(path[k]).max() > 1e12:
            raise ValueError(f"gradient descent blew up at step {k} with learning_rate={learning_rate}: "
                             "the steps overshoot the valley; try a smaller learning rate")
    return path


def relu(z) -> np.ndarray:
    """``max(0, z)``: passes positive signals, silences negative ones."""
    return np.maximum(0.0, np.asarray(z, dtype=float))


def sigmoid(z) -> np.ndarray:
    """``1 / (1 + exp(-z))``: squashes any number into (0, 1), smoothly."""
    return expit(np.asarray(z, dtype=float))


def linear(z) -> np.ndarray:
    """No activation: the node outputs its linear combination unchanged."""
    return np.asarray(z, dtype=float)


ACTIVATIONS = {"linear": linear, "relu": relu, "sigmoid": sigmoid}


def node_output(inputs, weights: Sequence[float], activation: str = "linear") -> np.ndarray:
    """One node: ``w0 + w1*input1 + ... + wp*inputp``, then the activation.

    ``inputs`` has shape (p,) or (n, p); ``weights`` is ``(w0, w1, ..., wp)``, the bias first.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    inputs = np.atleast_1d(np.asarray(inputs, dtype=float))
    weights = np.asarray(weights, dtype=float).ravel()
    p = inputs.shape[-1]
    if weights.size != p + 1:
        raise ValueError(f"{p} input(s) need {p + 1} weights (the bias w0 first, then one per input), "
                         f"got {weights.size}")
    return ACTIVATIONS[activation](weights[0] + inputs @ weights[1:])


def simple_network_output(inputs, weights: Mapping[str, float]) -> np.ndarray:
    """The 2-2-1 network by hand: two sigmoid hidden nodes, then a linear output node.

    ``weights`` uses the diagram's names ``w10 ... w32`` (``wj0`` is node j's bias), as
    :func:`workshop_utils.models.simple_network_weights` returns them.
    """
    missing = [name for name in SIMPLE_NETWORK_WEIGHT_NAMES if name not in weights]
    if missing:
        raise ValueError(f"weights lacks {missing}: give all nine of {list(SIMPLE_NETWORK_WEIGHT_NAMES)}")
    inputs = np.asarray(inputs, dtype=float)
    if inputs.shape[-1:] != (2,):
        raise ValueError(f"the network has 2 inputs, so inputs must have shape (n, 2), got {inputs.shape}")
    w = [float(weights[name]) for name in SIMPLE_NETWORK_WEIGHT_NAMES]
    hidden = np.stack([node_output(inputs, w[0:3], "sigmoid"), node_output(inputs, w[3:6], "sigmoid")], axis=-1)
    return node_output(hidden, w[6:9])


def fit_linear(inputs, y) -> np.ndarray:
    """Least-squares weights ``(w0, w1, ..., wp)`` of one linear node with p inputs: the best a
    network without a hidden layer can do (on XOR-like data, a flat plane)."""
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 2:
        raise ValueError(f"inputs must have shape (n, p), got {inputs.shape}")
    y = _as_vector(y, "y")
    if len(inputs) != y.size:
        raise ValueError(f"inputs and y must have the same length, got {len(inputs)} and {y.size}")
    if not np.all(np.isfinite(inputs)):
        raise ValueError("inputs must be finite numbers: drop or fill the missing values first")
    return np.linalg.lstsq(np.column_stack([np.ones(len(inputs)), inputs]), y, rcond=None)[0]


def make_xor(n: int = 500, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points scattered (sd ``noise``) round the unit square's corners, target 1 where exactly
    one input is high: "exclusive or", which no straight line can fit. float32, ready for Keras."""
    if int(n) < 4:
        raise ValueError(f"n must be at least 4 (one point per corner), got {n}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(int(n), 2))
    x = corners + noise * rng.normal(size=(int(n), 2))
    return x.astype(np.float32), (corners[:, 0] ^ corners[:, 1]).astype(np.float32)
