"""Figures for notebook 02 (hierarchical clustering); each function returns a matplotlib Figure.

Figures are made without pyplot, so a notebook shows each one once (as the cell's value) and
nothing piles up in pyplot's list of open figures.

Segment ``i`` has the same colour and marker in every figure (``segment_color(i)``,
``segment_marker(i)``, from the Okabe-Ito palette in :mod:`.palette`), so a dendrogram's
branches and the scatter plot beside it can be read together, by shape as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from scipy.cluster import hierarchy

from .. import clustering
from ..customers import ID, INCOME, SPEND
from . import palette

GREY = palette.GREY
MERGE_COLOR = palette.HIGHLIGHT


def segment_color(label: int) -> str:
    """The colour of segment ``label`` (0, 1, ...), the same in every figure."""
    return palette.color(label)


def segment_marker(label: int) -> str:
    """The marker of segment ``label``, so segments differ in shape as well as colour."""
    return palette.marker(label)


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5.5, 4.2)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()


def _xy(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, str, str]:
    """The two columns to draw: income and spend if present, else the first two features."""
    features = table.drop(columns=[ID], errors="ignore")
    columns = [INCOME, SPEND] if {INCOME, SPEND} <= set(features.columns) else list(features.columns[:2])
    if len(columns) < 2:
        raise ValueError(f"a scatter plot needs two feature columns, got {list(features.columns)}")
    x, y = (features[c].to_numpy(dtype=float) for c in columns)
    return x, y, str(columns[0]), str(columns[1])


def customer_scatter(
    table: pd.DataFrame, labels: Sequence[int] | None = None, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Income against spend, one dot per customer, coloured by segment when labels are given."""
    fig, ax = _axes(ax)
    x, y, xlabel, ylabel = _xy(table)
    if labels is None:
        ax.scatter(x, y, s=18, color=palette.DATA, alpha=0.8)
    else:
        labels = np.asarray(labels)
        for label in np.unique(labels):
            mask = labels == label
            ax.scatter(x[mask], y[mask], s=20, color=segment_color(label), marker=segment_marker(label),
                       alpha=0.85, label=f"segment {label} ({mask.sum()})")
        ax.legend(fontsize="small", loc="best", framealpha=0.8)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title or f"{len(x)} customers")
    return fig


# ---------------------------------------------------------------- the rule, step by step
def merge_steps_figure(
    table: pd.DataFrame, n_merges: int = 6, method: str = "ward", scale: bool = True, columns: int = 3
) -> Figure:
    """One small panel per merge on a handful of customers: the two clusters joined are
    highlighted (larger vermillion squares) and joined by a thick line.

    For single linkage the line joins the two closest customers, one from each cluster (the
    pair whose distance is the merge height); for the other methods it joins the clusters'
    centres. With ``scale=True`` the axes are drawn so that one standard deviation of income
    is as long as one of spend: distances on screen are the distances the algorithm uses.
    """
    steps = clustering.merge_steps(table, n_merges, method, scale)
    x, y, xlabel, ylabel = _xy(table)
    ids = clustering._ids(table)
    rows = -(-len(steps) // columns)
    fig = Figure(figsize=(3.3 * columns, 3.0 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    aspect = float(x.std() / y.std()) if scale and y.std() > 0 else "auto"

    space = clustering.prepare(table, scale)  # the coordinates the algorithm measures in

    def ends(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[tuple[float, float], tuple[float, float]]:
        if method == "single":  # the closest pair, one customer from each cluster
            gaps = [(float(np.linalg.norm(space[i] - space[j])), i, j) for i in left for j in right]
            _, i, j = min(gaps)
            return (float(x[i]), float(y[i])), (float(x[j]), float(y[j]))
        return ((float(x[list(left)].mean()), float(y[list(left)].mean())),
                (float(x[list(right)].mean()), float(y[list(right)].mean())))

    for ax, step in zip(axes.flat, steps, strict=False):
        for earlier in steps[: step.step - 1]:  # the tree so far, in grey
            (x0, y0), (x1, y1) = ends(earlier.left, earlier.right)
            ax.plot([x0, x1], [y0, y1], color=GREY, lw=1.5, zorder=1)
        ax.scatter(x, y, s=30, color=palette.DATA, zorder=2)
        joined = list(step.members)
        ax.scatter(x[joined], y[joined], s=70, marker="s", color=MERGE_COLOR, zorder=3)
        (x0, y0), (x1, y1) = ends(step.left, step.right)
        ax.plot([x0, x1], [y0, y1], color=MERGE_COLOR, lw=2.5, zorder=3, gid="merge")
        for xi, yi, label in zip(x, y, ids, strict=True):
            ax.annotate(str(label), (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8)
        left, right = clustering.members_text(step.left, ids), clustering.members_text(step.right, ids)
        ax.set_title(f"step {step.step}: {left} + {right}\n{step.clusters_left} clusters left",
                     fontsize=9)
        ax.set_aspect(aspect, adjustable="datalim")
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(steps):]:
        ax.set_visible(False)
    fig.supxlabel(xlabel, fontsize=9)
    fig.supylabel(ylabel, fontsize=9)
    return fig


# ---------------------------------------------------------------- dendrogram and cut
def _link_colors(linkage: np.ndarray, labels: np.ndarray) -> dict[int, str]:
    """Each tree node's colour: its segment's colour if all its leaves share one, else grey."""
    n = len(labels)
    node_label = {i: int(labels[i]) for i in range(n)}
    for row, (a, b) in enumerate(np.asarray(linkage)[:, :2].astype(int)):
        la, lb = node_label[a], node_label[b]
        node_label[n + row] = la if la == lb else -1
    return {node: GREY if lab < 0 else to_hex(segment_color(lab)) for node, lab in node_label.items()}


def dendrogram_figure(
    linkage: np.ndarray,
    n_clusters: int | None = None,
    height: float | None = None,
    leaf_labels: Sequence | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    height_label: str = "merge height",
) -> Figure:
    """The dendrogram; with ``n_clusters`` or ``height``, the cut line and branches coloured by segment.

    Leaves are labelled (``leaf_labels``, e.g. customer IDs) only when there are at most 40.
    ``height_label`` names the vertical axis: a distance for single, complete and average
    linkage, but for Ward the growth of the spread inside the clusters.
    """
    fig, ax = _axes(ax, (7, 4.2))
    linkage = np.asarray(linkage, dtype=float)
    n = linkage.shape[0] + 1
    cut_at = None
    colors = {}
    if n_clusters is not None or height is not None:
        labels = clustering.cut(linkage, n_clusters=n_clusters, height=height)
        colors = _link_colors(linkage, labels)
        cut_at = clustering.cut_height(linkage, n_clusters) if n_clusters is not None else float(height)
    show_leaves = n <= 40
    hierarchy.dendrogram(
        linkage,
        ax=ax,
        labels=list(leaf_labels) if (leaf_labels is not None and show_leaves) else None,
        no_labels=not show_leaves,
        link_color_func=(lambda node: colors[node]) if colors else (lambda node: palette.DATA),
    )
    if cut_at is not None:
        found = len(np.unique(labels))
        ax.axhline(cut_at, color=palette.BLACK, ls="--", lw=1)
        ax.annotate(f"cut: {found} segments", (1.0, cut_at), xycoords=("axes fraction", "data"),
                    xytext=(-4, 4), textcoords="offset points", ha="right", fontsize=9)
    ax.set(ylabel=height_label, xlabel="customers" if not show_leaves else "customer",
           title=title or f"Dendrogram of {n} customers")
    return fig


def height_label(method: str) -> str:
    """What a dendrogram's heights mean for ``method``: a distance, except for Ward."""
    if method == "ward":
        return "merge height (Ward: growth of the spread)"
    return "merge height (distance)"


def segments_figure(
    table: pd.DataFrame, n_clusters: int = 5, method: str = "ward", scale: bool = True
) -> Figure:
    """Dendrogram with its cut beside the customers coloured by the segments that cut makes."""
    linkage = clustering.linkage_matrix(table, method, scale)
    labels = clustering.cut(linkage, n_clusters=n_clusters)
    fig = Figure(figsize=(12, 4.4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
    dendrogram_figure(linkage, n_clusters=n_clusters, ax=left,
                      title=f"{method} linkage, {'scaled' if scale else 'unscaled'} features",
                      height_label=height_label(method))
    customer_scatter(table, labels, ax=right, title=f"{n_clusters} segments")
    return fig


# ---------------------------------------------------------------- scaling and linkage choices
def scaling_figure(table: pd.DataFrame, n_clusters: int = 5, method: str = "ward") -> Figure:
    """The same clustering without and with scaling: unscaled, the £ column decides alone."""
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, scale in zip(axes, (False, True), strict=True):
        labels = clustering.cluster_labels(table, n_clusters, method, scale)
        customer_scatter(table, labels, ax=ax,
                         title="not scaled: spend in £ dominates" if not scale else "scaled: both columns count")
    return fig


def linkages_figure(
    table: pd.DataFrame, n_clusters: int = 5, methods: Sequence[str] = clustering.METHODS, scale: bool = True
) -> Figure:
    """One scatter per linkage method, same data and same number of segments, silhouette in the title."""
    fig = Figure(figsize=(4.1 * len(methods), 3.9), layout="constrained")
    axes = fig.subplots(1, len(methods), sharey=True, squeeze=False)
    for ax, method in zip(axes.flat, methods, strict=True):
        labels = clustering.cluster_labels(table, n_clusters, method, scale)
        score = clustering.silhouette(table, labels, scale)
        largest = int(np.bincount(labels).max())
        customer_scatter(table, labels, ax=ax,
                         title=f"{method}: silhouette {score:.2f}\nlargest segment {largest} customers")
        ax.get_legend().remove()
    return fig


def silhouette_figure(scores: pd.DataFrame) -> Figure:
    """Silhouette against the number of segments (from ``clustering.silhouette_by_k``), best marked."""
    fig, ax = _axes(None, (5.5, 3.6))
    ks, values = scores.index.to_numpy(), scores["silhouette"].to_numpy()
    ax.plot(ks, values, "o-", color=palette.DATA)
    best = int(np.argmax(values))
    ax.plot(ks[best], values[best], "o", ms=12, color=MERGE_COLOR, mfc="none", mec=MERGE_COLOR, mew=2)
    ax.annotate(f"best: {ks[best]} segments", (ks[best], values[best]), xytext=(8, -14),
                textcoords="offset points", color=MERGE_COLOR)
    ax.set(xlabel="number of segments", ylabel="mean silhouette", xticks=ks,
           title="Which cut separates the segments best?")
    return fig


# ---------------------------------------------------------------- what it costs
def cost_figure(timings: pd.DataFrame, memory: pd.DataFrame) -> Figure:
    """Measured linkage time (left) and the distance matrix's memory (right), both growing with n²."""
    fig = Figure(figsize=(11, 3.9), layout="constrained")
    left, right = fig.subplots(1, 2)
    n, seconds = timings.index.to_numpy(dtype=float), timings["seconds"].to_numpy()
    left.plot(n, seconds, "o-", color=palette.DATA, label="measured")
    left.plot(n, seconds[-1] * (n / n[-1]) ** 2, "--", color=GREY, label="∝ n²")
    left.set(xlabel="customers n", ylabel="seconds", title="Time to link n customers (this machine)")
    left.legend()
    m, gigabytes = memory.index.to_numpy(dtype=float), memory["memory (GB)"].to_numpy()
    right.loglog(m, gigabytes, "o-", color=palette.DATA)
    right.axhline(16, color=MERGE_COLOR, ls="--", lw=1)
    right.annotate("a 16 GB laptop", (m[0], 16), xytext=(0, 4), textcoords="offset points",
                   color=MERGE_COLOR)
    right.set(xlabel="customers n", ylabel="GB", title="Memory for all pairwise distances")
    return fig
