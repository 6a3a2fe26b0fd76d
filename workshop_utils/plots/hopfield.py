"""Figures for the Hopfield notebook; each function returns a matplotlib Figure.

Pictures are drawn with +1 (fires) dark and -1 (silent) light. Figures are closed before
they are returned, so a notebook cell shows each one exactly once (as its result).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..hopfield import CRITICAL_LOAD, RecallTrace, weights_after_each
from ..patterns import check_pm1, overlap, overlaps
from . import palette

PICTURE_CMAP = palette.GREYS  # -1 white, +1 black
WEIGHT_CMAP = palette.diverging()  # negative blue, positive vermillion (orange-red), 0 white


def _as_picture(pattern) -> np.ndarray:
    array = check_pm1(pattern, "picture")
    if array.ndim == 2:
        return array
    side = int(round(np.sqrt(array.size)))
    if side * side != array.size:
        raise ValueError(f"cannot draw {array.size} values as a square picture: give a 2-D array")
    return array.reshape(side, side)


def draw_picture(ax, pattern, title: str | None = None) -> None:
    """Draw one +1/-1 picture on ``ax`` with thin lines between the pixels."""
    picture = _as_picture(pattern)
    ax.imshow(picture, cmap=PICTURE_CMAP, vmin=-1.6, vmax=1.0, interpolation="nearest")
    rows, cols = picture.shape
    ax.set_xticks(np.arange(-0.5, cols), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color=palette.GREY, linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)


def plot_patterns(patterns, titles=None, ncols: int | None = None, size: float = 1.4, suptitle: str | None = None) -> Figure:
    """A row (or grid) of pictures, e.g. the letters stored in the network."""
    patterns = [np.asarray(p) for p in patterns]
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
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_weight_growth(patterns, names=None) -> Figure:
    """Each pattern (top) and the weight matrix after learning it (bottom): Hebb's rule at work.

    All heat maps share one colour scale, so the weights visibly grow (red: the two neurons
    agreed more often than not; blue: they disagreed).
    """
    patterns = check_pm1(patterns, "patterns")
    snapshots = weights_after_each(patterns)
    n = len(patterns)
    names = list(names) if names is not None else [f"pattern {k + 1}" for k in range(n)]
    limit = max(1.0, float(np.abs(snapshots).max()))
    fig, axes = plt.subplots(2, n, figsize=(2.6 * n + 0.8, 5.2), squeeze=False,
                             gridspec_kw={"height_ratios": [1, 2]})
    for k in range(n):
        draw_picture(axes[0, k], patterns[k], f"+ {names[k]}")
        image = axes[1, k].imshow(snapshots[k], cmap=WEIGHT_CMAP, vmin=-limit, vmax=limit)
        axes[1, k].set_title(f"W after {k + 1} pattern{'s' if k else ''}", fontsize=10)
        axes[1, k].set_xlabel("neuron j")
        axes[1, k].set_ylabel("neuron i" if k == 0 else "")
    fig.colorbar(image, ax=axes[1, :].tolist(), shrink=0.8, label="weight $W_{ij}$")
    fig.suptitle("Hebb's rule: each pattern adds $V_iV_j$ to $W_{ij}$ (diagonal stays 0)")
    plt.close(fig)
    return fig


def _frame_indices(n_states: int, max_frames: int) -> np.ndarray:
    """Evenly spread indices that always include the first and the last state."""
    if n_states <= max_frames:
        return np.arange(n_states)
    return np.unique(np.round(np.linspace(0, n_states - 1, max_frames)).astype(int))


def plot_recall(trace: RecallTrace, max_frames: int = 8, title: str | None = None, target=None) -> Figure:
    """The settling step by step (top) and the energy after every step (bottom).

    Parameters
    ----------
    trace : from :meth:`HopfieldNetwork.trace`.
    max_frames : how many states to draw at most (first and last always shown).
    target : optional picture; each frame's title then shows its overlap with it.
    """
    frames = _frame_indices(len(trace.states), max_frames)
    unit = "flip" if trace.mode == "async" and (trace.neurons >= 0).any() else "sweep"
    fig = plt.figure(figsize=(1.5 * max(len(frames), 4) + 0.5, 4.4))
    grid = fig.add_gridspec(2, len(frames), height_ratios=[1, 1.1])
    for col, k in enumerate(frames):
        ax = fig.add_subplot(grid[0, col])
        label = "input" if k == 0 else f"{unit} {k}"
        if target is not None:
            label += f"\noverlap {overlap(trace.states[k], target):.2f}"
        draw_picture(ax, trace.states[k], label)
    ax = fig.add_subplot(grid[1, :])
    steps = np.arange(len(trace.energies))
    ax.plot(steps, trace.energies, marker="o", markersize=3, color=palette.DATA, label="energy")
    ax.plot(frames, trace.energies[frames], "s", markersize=7, markerfacecolor="none",
            color=palette.HIGHLIGHT, label="drawn above (squares)")
    ax.set_xlabel(f"{unit}s ({trace.mode} updates)")
    ax.set_ylabel("energy E")
    ax.legend(loc="upper right", fontsize=8)
    if len(steps) < 15:
        ax.set_xticks(steps)
    status = "2-cycle" if trace.cycle else ("settled" if trace.converged else "sweep limit reached")
    fig.suptitle(title or f"Recall, {trace.mode} updates: {status} after {trace.sweeps} sweep(s)")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_energies(traces: dict, title: str = "Energy during recall") -> Figure:
    """Energy against step for several traces, e.g. async (falls) vs sync (can oscillate)."""
    if not traces:
        raise ValueError("no traces to plot: pass {'label': trace, ...}")
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for k, (label, trace) in enumerate(traces.items()):
        ax.plot(np.arange(len(trace.energies)), trace.energies, marker=palette.marker(k),
                linestyle=palette.linestyle(k), color=palette.color(k), markersize=4, label=label)
    ax.set_xlabel("step (a flip for async, a sweep for sync)")
    ax.set_ylabel("energy E")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_overlap_matrix(patterns, names) -> Figure:
    """How alike each pair of pictures is (overlap, 1 = identical): similar ones interfere."""
    matrix = overlaps(patterns, patterns)
    names = list(names)
    fig, ax = plt.subplots(figsize=(0.42 * len(names) + 2.0, 0.36 * len(names) + 1.2))
    image = ax.imshow(matrix, cmap=WEIGHT_CMAP, vmin=-1, vmax=1)
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:.2f}".replace("0.", ".").replace("-.", "-."), ha="center",
                va="center", fontsize=7, color=palette.text_on(WEIGHT_CMAP((value + 1) / 2)))
    fig.colorbar(image, ax=ax, label="overlap")
    ax.set_title("Overlap between pictures")
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_capacity(loads, curves: dict, threshold: float = 0.97, noise: float = 0.1) -> Figure:
    """Share of random patterns recalled against the load P/N, one line per network size.

    ``curves`` maps a network size N to the fractions recalled at ``loads``; the dashed line
    marks the theoretical critical load 0.138 for large N.
    """
    loads = np.asarray(loads, dtype=float)
    fig, ax = plt.subplots(figsize=(7, 4))
    for k, (n_neurons, fractions) in enumerate(curves.items()):
        ax.plot(loads, fractions, marker=palette.marker(k), linestyle=palette.linestyle(k),
                color=palette.color(k), markersize=4, label=f"N = {n_neurons}")
    ax.axvline(CRITICAL_LOAD, color=palette.BLACK, linestyle="--", linewidth=1)
    ax.text(CRITICAL_LOAD, 0.04, f" critical load {CRITICAL_LOAD}", fontsize=9)
    ax.set_xlabel("load P/N (patterns stored per neuron)")
    ax.set_ylabel(f"share recalled (overlap ≥ {threshold})")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(f"Capacity: recall from {noise:.0%} noise collapses near P/N ≈ {CRITICAL_LOAD}")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    plt.close(fig)
    return fig


__all__ = [
    "draw_picture",
    "plot_capacity",
    "plot_energies",
    "plot_overlap_matrix",
    "plot_patterns",
    "plot_recall",
    "plot_weight_growth",
]
