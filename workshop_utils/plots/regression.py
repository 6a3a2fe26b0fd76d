"""Figures for notebook 03; functions drawing one panel take an ``ax``, so the widget can pair them."""

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from .. import regression
from ..models import SIMPLE_NETWORK_WEIGHT_NAMES
from ..regression import LossSurface
from ..sales import PRICE_LABEL, SALES_LABEL
from . import figure_axes, palette

# Bad is drawn dashed and titled "Bad", good solid; marked points differ in marker as well as colour.
POINT_COLORS = (palette.BAD, palette.GOOD, palette.REDDISH_PURPLE, palette.ORANGE)
POINT_MARKERS = ("X", "o", "s", "D")  # the first point (the bad network) a cross, the good one a disc


def _panels(n: int, width: float = 4.6, height: float = 3.8) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(width * n, height), layout="constrained")
    return fig, np.atleast_1d(fig.subplots(1, n))


def sales_scatter(x, y, line: tuple[float, float] | None = None, new_price: float | None = None,
                  ax: Axes | None = None, title: str | None = "Past products") -> Figure:
    """Price against weekly sales; optionally the line ``(w0, w1)`` and its prediction at ``new_price``."""
    x, y = regression.check_xy(x, y)
    if new_price is not None and line is None:
        raise ValueError("a prediction needs a line: pass line=(w0, w1) with new_price")
    fig, ax = figure_axes(ax, (5.5, 4.0))
    ax.scatter(x, y, s=22, color=palette.DATA, alpha=0.85, label="past products", zorder=3)
    if line is not None:
        w0, w1 = line
        grid = np.linspace(0, max(x.max(), new_price or 0) * 1.05, 50)
        ax.plot(grid, regression.predict_line(grid, w0, w1), color=palette.ORANGE, lw=2,
                label=f"line: sales = {w0:.1f} {'+' if w1 >= 0 else '-'} {abs(w1):.1f} × price")
    if new_price is not None:
        guess = float(regression.predict_line(new_price, *line))
        ax.plot([new_price, new_price, 0], [0, guess, guess], ls="--", color=palette.DARK_GREY, lw=1)
        ax.scatter([new_price], [guess], s=110, marker="*", color=palette.HIGHLIGHT, zorder=4,
                   label=f"new product at £{new_price:.2f}: {guess:.0f} units")
    ax.set(xlim=(0, None), ylim=(0, None), xlabel=PRICE_LABEL, ylabel=SALES_LABEL)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def activation_functions(names: Sequence[str] = ("relu", "sigmoid"), z_range=(-5.0, 5.0)) -> Figure:
    """Each activation function in its own panel: what a node does with its linear combination."""
    fig, axes = _panels(len(names), width=3.8, height=3.0)
    z = np.linspace(*z_range, 401)
    for ax, name in zip(axes, names, strict=True):
        if name not in regression.ACTIVATIONS:
            raise ValueError(f"unknown activation {name!r}: choose from {sorted(regression.ACTIVATIONS)}")
        ax.axhline(0, color=palette.LIGHT_GREY, lw=0.8)
        ax.axvline(0, color=palette.LIGHT_GREY, lw=0.8)
        ax.plot(z, regression.ACTIVATIONS[name](z), color=palette.DATA, lw=2.2)
        ax.set(title=name, xlabel="linear combination  z = w0 + w1·input1 + ...", ylabel=f"output = {name}(z)")
    return fig


def line_panel(x, y, w0: float, w1: float, ax: Axes, color: str = palette.ORANGE, title: str = "",
               linestyle: str = "-") -> None:
    """One network's line over the data, each error a vertical segment, the MSE in the title."""
    x, y = regression.check_xy(x, y)
    ax.vlines(x, y, regression.predict_line(x, w0, w1), color=color, alpha=0.35, lw=1)
    ax.scatter(x, y, s=18, color=palette.DATA, zorder=3)
    grid = np.linspace(0, x.max() * 1.05, 50)
    ax.plot(grid, regression.predict_line(grid, w0, w1), color=color, lw=2, ls=linestyle)
    loss = regression.line_loss(x, y, w0, w1)
    ax.set_title(f"{title}w0 = {w0:.1f}, w1 = {w1:.1f}: MSE = {loss:.1f}".strip())
    ax.set(xlim=(0, None), ylim=(0, max(y.max(), 1) * 1.15), xlabel=PRICE_LABEL, ylabel=SALES_LABEL)


def bad_vs_good(x, y, bad: tuple[float, float], good: tuple[float, float]) -> Figure:
    """The same one-node network with two weight choices, side by side, with their losses."""
    fig, (left, right) = _panels(2)
    line_panel(x, y, *bad, ax=left, color=palette.BAD, title="Bad: ", linestyle="--")
    line_panel(x, y, *good, ax=right, color=palette.GOOD, title="Good: ")
    right.sharey(left)
    return fig


def loss_surface_panel(surface: LossSurface, ax: Axes, points: Mapping[str, tuple[float, float]] | None = None,
                       path: np.ndarray | None = None, colorbar: bool = True) -> None:
    """The loss over ``(w0, w1)`` as filled contours (log scale, dark is low), marked points and a path."""
    loss = np.clip(surface.loss, 1e-12, None)
    levels = np.geomspace(loss.min(), loss.max(), 16)
    filled = ax.contourf(surface.w0, surface.w1, loss, levels=levels, norm=LogNorm(), cmap=palette.CIVIDIS)
    ax.contour(surface.w0, surface.w1, loss, levels=levels, colors=palette.WHITE, linewidths=0.4, alpha=0.6)
    if colorbar:
        ax.figure.colorbar(filled, ax=ax, label="loss (MSE, log scale)", format="%.0f")
    if path is not None:
        path = np.asarray(path, dtype=float)
        ax.plot(path[:, 0], path[:, 1], color=palette.DARK_GREY, lw=1.2, marker=".", ms=3,
                label=f"gradient descent ({len(path) - 1} steps)")
    for k, (label, (w0, w1)) in enumerate((points or {}).items()):
        ax.scatter([w0], [w1], s=120, color=POINT_COLORS[k % 4], marker=POINT_MARKERS[k % 4],
                   edgecolor=palette.WHITE, linewidth=1.5, zorder=5, label=label)
    ax.set(xlabel="w0 (intercept)", ylabel="w1 (slope)")
    if points or path is not None:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)


def loss_surface_figure(surface: LossSurface, points: Mapping[str, tuple[float, float]] | None = None,
                        path: np.ndarray | None = None,
                        title: str = "The loss for every choice of (w0, w1)") -> Figure:
    """The loss surface as a contour map, with named points (e.g. bad and good) and an optional path."""
    fig, ax = figure_axes(None, (6.2, 4.6))
    loss_surface_panel(surface, ax, points, path)
    ax.set_title(title)
    return fig


def line_and_loss(x, y, w0: float, w1: float, surface: LossSurface) -> Figure:
    """The widget's view: the line over the data (left) and its place on the loss surface (right)."""
    fig, (left, right) = _panels(2, width=4.8, height=3.7)
    line_panel(x, y, w0, w1, ax=left)
    loss_surface_panel(surface, right, {"your (w0, w1)": (w0, w1)}, colorbar=False)
    right.set(xlim=(surface.w0[0], surface.w0[-1]), ylim=(surface.w1[0], surface.w1[-1]),
              title="where you are on the loss surface")
    return fig


# The 2-2-1 diagram: inputs left, hidden layer middle, output right. Each small "1" node feeds
# one node's bias (w10, w20, w30): a bias is the weight on a constant input of 1.
_NODES = {"x1": (0.0, 1.0, "input 1"), "x2": (0.0, -1.0, "input 2"), "h1": (2.2, 1.0, "node 1"),
          "h2": (2.2, -1.0, "node 2"), "out": (4.2, 0.0, "node 3"),
          "b1": (1.2, 2.25, "1"), "b2": (1.2, -2.25, "1"), "b3": (3.6, 1.65, "1")}
_EDGES = [("b1", "h1", 0.45), ("x1", "h1", 0.5), ("x2", "h1", 0.72),  # (from, to, where the label sits)
          ("b2", "h2", 0.45), ("x1", "h2", 0.72), ("x2", "h2", 0.5),
          ("b3", "out", 0.45), ("h1", "out", 0.5), ("h2", "out", 0.5)]


def network_diagram(weights: Mapping[str, float] | None = None, title: str | None = None) -> Figure:
    """The 2-2-1 network, every edge labelled with its weight's name (and value, if given).

    Node j computes ``wj0 * 1 + wj1 * (its first input) + wj2 * (its second input)``; hidden
    nodes 1 and 2 then apply a sigmoid, output node 3 does not.
    """
    if weights is not None and (missing := sorted(set(SIMPLE_NETWORK_WEIGHT_NAMES) - set(weights))):
        raise ValueError(f"weights lacks {missing}: give all nine of {sorted(SIMPLE_NETWORK_WEIGHT_NAMES)}")
    fig = Figure(figsize=(7.0, 5.6), layout="constrained")
    ax = fig.subplots()
    for name, (start, end, t) in zip(SIMPLE_NETWORK_WEIGHT_NAMES, _EDGES, strict=True):
        (x0, y0, _), (x1, y1, _) = _NODES[start], _NODES[end]
        bias = start.startswith("b")
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "color": palette.GREY if bias else palette.DARK_GREY,
                                "lw": 1.2, "ls": "--" if bias else "-",
                                "shrinkA": 12 if bias else 24, "shrinkB": 24})
        ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), name if weights is None else f"{name} = {weights[name]:.2f}",
                ha="center", va="center", fontsize=9.5,
                bbox={"boxstyle": "round,pad=0.2", "fc": palette.WHITE, "ec": palette.LIGHT_GREY})
    for node, (x, y, text) in _NODES.items():
        bias = node.startswith("b")
        face = palette.LIGHT_GREY if bias else (palette.SKY_BLUE if node.startswith("x") else palette.ORANGE)
        ax.add_patch(Circle((x, y), 0.42 * (0.5 if bias else 1), fc=face, ec=palette.DARK_GREY, lw=1.2,
                            alpha=1 if bias else 0.35))
        ax.text(x, y, text, ha="center", va="center", fontsize=9)
    for x, caption in ((0.0, "inputs"), (2.2, "hidden layer\n(sigmoid)"), (4.2, "output\n(no activation)")):
        ax.text(x, -2.75, caption, ha="center", va="top", fontsize=9.5, color=palette.DARK_GREY)
    ax.set(xlim=(-0.6, 4.9), ylim=(-3.4, 2.6), aspect="equal",
           title=title or "The simple network: 2 inputs, 2 hidden nodes, 1 output, 9 weights")
    ax.axis("off")
    return fig


def two_input_figure(x, y, predict: Callable[[np.ndarray], np.ndarray] | None = None, title: str | None = None,
                     extent: tuple[float, float] = (-0.5, 1.5)) -> Figure:
    """The two-input task: points by target and, given ``predict`` (an (m, 2) array of inputs to m
    outputs, e.g. ``lambda g: model.predict(g, verbose=0)``), the fitted surface shaded beneath."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float).ravel()
    if x.ndim != 2 or x.shape[1] != 2 or len(x) != len(y):
        raise ValueError(f"expected inputs of shape (n, 2) and n targets, got {x.shape} and {y.shape}")
    fig, ax = figure_axes(None, (5.4, 4.4))
    if predict is not None:
        g1, g2 = np.meshgrid(np.linspace(*extent, 121), np.linspace(*extent, 121))
        out = np.asarray(predict(np.column_stack([g1.ravel(), g2.ravel()]).astype(np.float32)), dtype=float)
        shade = ax.contourf(g1, g2, out.reshape(g1.shape), levels=np.linspace(-0.25, 1.25, 13),
                            cmap=palette.diverging(), extend="both", alpha=0.85)
        ax.contour(g1, g2, out.reshape(g1.shape), levels=[0.5], colors=palette.BLACK, linewidths=1.2)
        fig.colorbar(shade, ax=ax, label="network output", ticks=[0, 0.5, 1])
    high = y > 0.5  # the two targets differ in shape as well as colour
    edge = palette.WHITE if predict is None else palette.DARK_GREY
    for mask, colour, shape, name in ((~high, palette.BLUE, "o", "target 0"), (high, palette.VERMILLION, "^", "target 1")):
        ax.scatter(x[mask, 0], x[mask, 1], color=colour, marker=shape, s=14, edgecolor=edge, linewidth=0.4, label=name)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    ax.set(xlim=extent, ylim=extent, aspect="equal", xlabel="input 1", ylabel="input 2",
           title=title or ("target: 1 (orange-red triangles) where exactly one input is high"
                           if predict is None else "what the network learned"))
    return fig


def loss_curve(losses: Sequence[float] | Mapping[str, Sequence[float]], title: str = "Training") -> Figure:
    """Loss per epoch (a Keras ``history.history`` dict or a plain list): training at a glance."""
    if isinstance(losses, Mapping):
        curves = {name: list(values) for name, values in losses.items() if "loss" in name}
    else:
        curves = {"loss": list(losses)}
    if not curves or not all(curves.values()):
        raise ValueError("no losses to draw: pass history.history (with a 'loss' key) or a list of numbers")
    fig, ax = figure_axes(None, (5.4, 3.4))
    for k, (name, values) in enumerate(curves.items()):
        ax.plot(np.arange(1, len(values) + 1), values, lw=2, label=name, color=palette.color(k),
                ls=palette.linestyle(k))
    ax.set(xlabel="epoch", ylabel="loss (MSE)", ylim=(0, None), title=title)
    ax.legend()
    return fig
