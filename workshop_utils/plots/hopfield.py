"""Figures for notebook 01, pictures +1 (fires) dark and -1 (silent) light. Figures are closed before
they are returned, so a notebook cell shows each one exactly once (as its result)."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..hopfield import CRITICAL_LOAD, RecallTrace, weights_after_each
from ..patterns import check_pm1, overlap, overlaps
from . import palette

WEIGHT_CMAP = palette.diverging()  # negative blue, positive vermillion, 0 white


def _done(fig: Figure, layout: bool = True) -> Figure:
    if layout:
        fig.tight_layout()
    plt.close(fig)
    return fig


def draw_picture(ax, pattern, title: str | None = None) -> None:
    """Draw one +1/-1 picture (2-D, or square once reshaped) on ``ax``, lines between pixels."""
    picture = check_pm1(pattern, "picture")
    if picture.ndim != 2:  # a square picture, flattened
        picture = picture.reshape(-1, int(round(np.sqrt(picture.size))))
    ax.imshow(picture, cmap=palette.GREYS, vmin=-1.6, vmax=1.0, interpolation="nearest")
    ax.set_xticks(np.arange(-0.5, picture.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, picture.shape[0]), minor=True)
    ax.grid(which="minor", color=palette.GREY, linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set(xticks=[], yticks=[])
    if title:
        ax.set_title(title, fontsize=10)


def plot_patterns(patterns, titles=None, ncols: int | None = None, size: float = 1.4) -> Figure:
    """A row (or grid) of pictures, e.g. the letters stored in the network."""
    patterns = list(patterns)
    if not patterns:
        raise ValueError("no pictures to draw: pass at least one pattern")
    titles = list(titles) if titles is not None else [None] * len(patterns)
    if len(titles) != len(patterns):
        raise ValueError(f"got {len(titles)} titles for {len(patterns)} pictures: give one title each")
    ncols = ncols or len(patterns)
    nrows = -(-len(patterns) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False)
    for ax in axes.flat[len(patterns):]:
        ax.axis("off")
    for ax, pattern, title in zip(axes.flat, patterns, titles, strict=False):
        draw_picture(ax, pattern, title)
    return _done(fig)


def plot_weight_growth(patterns, names=None) -> Figure:
    """Each pattern (top) and the weights after learning it (bottom), on one colour scale, so
    they visibly grow: red where two neurons agreed more often than not, blue where they disagreed."""
    patterns = check_pm1(patterns, "patterns")
    snapshots, n = weights_after_each(patterns), len(patterns)
    names = list(names) if names is not None else [f"pattern {k + 1}" for k in range(n)]
    limit = max(1.0, float(np.abs(snapshots).max()))
    fig, axes = plt.subplots(2, n, figsize=(2.6 * n + 0.8, 5.2), squeeze=False,
                             gridspec_kw={"height_ratios": [1, 2]})
    for k in range(n):
        draw_picture(axes[0, k], patterns[k], f"+ {names[k]}")
        image = axes[1, k].imshow(snapshots[k], cmap=WEIGHT_CMAP, vmin=-limit, vmax=limit)
        axes[1, k].set_title(f"W after {k + 1} pattern{'s' if k else ''}", fontsize=10)
        axes[1, k].set(xlabel="neuron j", ylabel="neuron i" if k == 0 else "")
    fig.colorbar(image, ax=axes[1, :].tolist(), shrink=0.8, label="weight $W_{ij}$")
    fig.suptitle("Hebb's rule: each pattern adds $V_iV_j$ to $W_{ij}$ (diagonal stays 0)")
    return _done(fig, layout=False)


def plot_recall(trace: RecallTrace, max_frames: int = 8, title: str | None = None, target=None) -> Figure:
    """The settling step by step (at most ``max_frames`` states, first and last always) and the
    energy after every step; with a ``target`` picture, each frame shows its overlap with it."""
    n = len(trace.states)
    frames = np.arange(n) if n <= max_frames else np.unique(np.round(np.linspace(0, n - 1, max_frames)).astype(int))
    unit = "flip" if trace.mode == "async" and (trace.neurons >= 0).any() else "sweep"
    fig = plt.figure(figsize=(1.5 * max(len(frames), 4) + 0.5, 4.4))
    grid = fig.add_gridspec(2, len(frames), height_ratios=[1, 1.1])
    for col, k in enumerate(frames):
        label = "input" if k == 0 else f"{unit} {k}"
        if target is not None:
            label += f"\noverlap {overlap(trace.states[k], target):.2f}"
        draw_picture(fig.add_subplot(grid[0, col]), trace.states[k], label)
    ax = fig.add_subplot(grid[1, :])
    steps = np.arange(len(trace.energies))
    ax.plot(steps, trace.energies, marker="o", markersize=3, color=palette.DATA, label="energy")
    ax.plot(frames, trace.energies[frames], "s", markersize=7, markerfacecolor="none",
            color=palette.HIGHLIGHT, label="drawn above (squares)")
    ax.set(xlabel=f"{unit}s ({trace.mode} updates)", ylabel="energy E")
    ax.legend(loc="upper right", fontsize=8)
    if len(steps) < 15:
        ax.set_xticks(steps)
    status = "2-cycle" if trace.cycle else ("settled" if trace.converged else "sweep limit reached")
    fig.suptitle(title or f"Recall, {trace.mode} updates: {status} after {trace.sweeps} sweep(s)")
    return _done(fig)


def _curves(ax, xs, curves: dict) -> None:
    """One line per entry, each in its own colour, marker and line style."""
    for k, (label, ys) in enumerate(curves.items()):
        ax.plot(xs if xs is not None else np.arange(len(ys)), ys, marker=palette.marker(k),
                linestyle=palette.linestyle(k), color=palette.color(k), markersize=4, label=label)
    ax.legend()


def plot_energies(traces: dict, title: str = "Energy during recall") -> Figure:
    """Energy against step for several traces, e.g. async (falls) against sync (can oscillate)."""
    if not traces:
        raise ValueError("no traces to plot: pass {'label': trace, ...}")
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    _curves(ax, None, {label: trace.energies for label, trace in traces.items()})
    ax.set(xlabel="step (a flip for async, a sweep for sync)", ylabel="energy E", title=title)
    return _done(fig)


def plot_overlap_matrix(patterns, names) -> Figure:
    """How alike each pair of pictures is (overlap, 1 = identical): similar ones interfere."""
    matrix, names = overlaps(patterns, patterns), list(names)
    fig, ax = plt.subplots(figsize=(0.42 * len(names) + 2.0, 0.36 * len(names) + 1.2))
    image = ax.imshow(matrix, cmap=WEIGHT_CMAP, vmin=-1, vmax=1)
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:.2f}".replace("0.", "."), ha="center", va="center", fontsize=7,
                color=palette.text_on(WEIGHT_CMAP((value + 1) / 2)))
    fig.colorbar(image, ax=ax, label="overlap")
    ax.set_title("Overlap between pictures")
    return _done(fig)


def plot_capacity(loads, curves: dict, threshold: float = 0.97, noise: float = 0.1) -> Figure:
    """Share of random patterns recalled against the load P/N, one line per network size N
    (``curves``: N -> shares at ``loads``); a dashed line marks the critical load 0.138."""
    fig, ax = plt.subplots(figsize=(7, 4))
    _curves(ax, np.asarray(loads, dtype=float), {f"N = {n}": shares for n, shares in curves.items()})
    ax.axvline(CRITICAL_LOAD, color=palette.BLACK, linestyle="--", linewidth=1)
    ax.text(CRITICAL_LOAD, 0.04, f" critical load {CRITICAL_LOAD}", fontsize=9)
    ax.set(xlabel="load P/N (patterns stored per neuron)", ylabel=f"share recalled (overlap ≥ {threshold})",
           ylim=(-0.03, 1.03), title=f"Capacity: recall from {noise:.0%} noise collapses near P/N ≈ {CRITICAL_LOAD}")
    ax.grid(alpha=0.3)
    return _done(fig)
