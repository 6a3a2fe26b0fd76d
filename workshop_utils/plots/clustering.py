"""Figures for notebook 02. Segment ``i`` has the same colour and marker in every figure, so a
dendrogram's branches and the scatter plot beside it read together."""

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from scipy.cluster import hierarchy

from .. import clustering
from ..customers import ID, INCOME, SPEND
from . import figure_axes, palette

GREY, MERGE_COLOR = palette.GREY, palette.HIGHLIGHT
segment_color = palette.color  # segment i's colour, the same in every figure


def _xy(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, str, str]:
    """The two columns to draw: income and spend if present, else the first two features."""
    features = table.drop(columns=[ID], errors="ignore")
    columns = [INCOME, SPEND] if {INCOME, SPEND} <= set(features.columns) else list(features.columns[:2])
    if len(columns) < 2:
        raise ValueError(f"a scatter plot needs two feature columns, got {list(features.columns)}")
    return *(features[c].to_numpy(dtype=float) for c in columns), str(columns[0]), str(columns[1])


def customer_scatter(table: pd.DataFrame, labels: Sequence[int] | None = None, ax: Axes | None = None,
                     title: str | None = None) -> Figure:
    """Income against spend, one dot per customer, coloured by segment when labels are given."""
    fig, ax = figure_axes(ax, (5.5, 4.2))
    x, y, xlabel, ylabel = _xy(table)
    if labels is None:
        ax.scatter(x, y, s=18, color=palette.DATA, alpha=0.8)
    else:
        labels = np.asarray(labels)
        for label in np.unique(labels):
            mask = labels == label
            ax.scatter(x[mask], y[mask], s=20, color=segment_color(label), marker=palette.marker(label),
                       alpha=0.85, label=f"segment {label} ({mask.sum()})")
        ax.legend(fontsize="small", loc="best", framealpha=0.8)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title or f"{len(x)} customers")
    return fig


def merge_steps_figure(table: pd.DataFrame, n_merges: int = 6, method: str = "ward", scale: bool = True,
                       columns: int = 3) -> Figure:
    """One panel per merge on a few customers, a thick line joining the two clusters merged (single
    linkage: their closest pair, whose distance is the merge height; else their centres). Scaled, a
    standard deviation is as long on both axes, so the screen shows the algorithm's distances."""
    steps = clustering.merge_steps(table, n_merges, method, scale)
    x, y, xlabel, ylabel = _xy(table)
    ids, space = clustering._ids(table), clustering.prepare(table, scale)
    rows = -(-len(steps) // columns)
    fig = Figure(figsize=(3.3 * columns, 3.0 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    aspect = float(x.std() / y.std()) if scale and y.std() > 0 else "auto"

    def ends(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[list[float], list[float]]:
        """The merge line's x and y coordinates."""
        if method == "single":
            _, i, j = min((float(np.linalg.norm(space[i] - space[j])), i, j) for i in left for j in right)
            return [float(x[i]), float(x[j])], [float(y[i]), float(y[j])]
        left, right = list(left), list(right)
        return [float(x[left].mean()), float(x[right].mean())], [float(y[left].mean()), float(y[right].mean())]

    for ax, step in zip(axes.flat, steps, strict=False):
        for earlier in steps[: step.step - 1]:  # the tree so far, in grey
            ax.plot(*ends(earlier.left, earlier.right), color=GREY, lw=1.5, zorder=1)
        ax.scatter(x, y, s=30, color=palette.DATA, zorder=2)
        joined = list(step.members)
        ax.scatter(x[joined], y[joined], s=70, marker="s", color=MERGE_COLOR, zorder=3)
        ax.plot(*ends(step.left, step.right), color=MERGE_COLOR, lw=2.5, zorder=3, gid="merge")
        for xi, yi, label in zip(x, y, ids, strict=True):
            ax.annotate(str(label), (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8)
        joins = f"{clustering.members_text(step.left, ids)} + {clustering.members_text(step.right, ids)}"
        ax.set_title(f"step {step.step}: {joins}\n{step.clusters_left} clusters left", fontsize=9)
        ax.set_aspect(aspect, adjustable="datalim")
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(steps):]:
        ax.set_visible(False)
    fig.supxlabel(xlabel, fontsize=9)
    fig.supylabel(ylabel, fontsize=9)
    return fig


def _link_colors(linkage: np.ndarray, labels: np.ndarray) -> dict[int, str]:
    """Each tree node's colour: its segment's colour if all its leaves share one, else grey."""
    n = len(labels)
    node_label = {i: int(labels[i]) for i in range(n)}
    for row, (a, b) in enumerate(np.asarray(linkage)[:, :2].astype(int)):
        node_label[n + row] = node_label[a] if node_label[a] == node_label[b] else -1
    return {node: GREY if lab < 0 else to_hex(segment_color(lab)) for node, lab in node_label.items()}


def height_label(method: str) -> str:
    """What a dendrogram's heights mean: a distance, except for Ward, whose heights are
    sqrt(2 x the growth of the within-cluster sum of squares), a merge cost."""
    return "merge cost" if method == "ward" else "merge height (distance)"


def dendrogram_figure(linkage: np.ndarray, n_clusters: int | None = None, height: float | None = None,
                      leaf_labels: Sequence | None = None, ax: Axes | None = None, title: str | None = None,
                      height_label: str = "merge height") -> Figure:
    """The dendrogram; with ``n_clusters`` or ``height``, the cut line and branches coloured by
    segment. Leaves are labelled (``leaf_labels``, e.g. IDs) only when there are at most 40."""
    fig, ax = figure_axes(ax, (7, 4.2))
    linkage = np.asarray(linkage, dtype=float)
    n, colors = len(linkage) + 1, {}
    if n_clusters is not None or height is not None:
        labels = clustering.cut(linkage, n_clusters=n_clusters, height=height)
        colors = _link_colors(linkage, labels)
    show_leaves = n <= 40
    hierarchy.dendrogram(linkage, ax=ax, no_labels=not show_leaves,
                         labels=list(leaf_labels) if leaf_labels is not None and show_leaves else None,
                         link_color_func=lambda node: colors.get(node, palette.DATA))
    if colors:
        cut_at = clustering.cut_height(linkage, n_clusters) if n_clusters is not None else float(height)
        ax.axhline(cut_at, color=palette.BLACK, ls="--", lw=1)
        ax.annotate(f"cut: {len(np.unique(labels))} segments", (1.0, cut_at), xycoords=("axes fraction", "data"),
                    xytext=(-4, 4), textcoords="offset points", ha="right", fontsize=9)
    ax.set(ylabel=height_label, xlabel="customer" if show_leaves else "customers",
           title=title or f"Dendrogram of {n} customers")
    return fig


def segments_figure(table: pd.DataFrame, n_clusters: int = 5, method: str = "ward", scale: bool = True) -> Figure:
    """Dendrogram with its cut beside the customers coloured by the segments that cut makes."""
    linkage = clustering.linkage_matrix(table, method, scale)
    fig = Figure(figsize=(12, 4.4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
    dendrogram_figure(linkage, n_clusters=n_clusters, ax=left, height_label=height_label(method),
                      title=f"{method} linkage, {'scaled' if scale else 'unscaled'} features")
    customer_scatter(table, clustering.cut(linkage, n_clusters=n_clusters), ax=right, title=f"{n_clusters} segments")
    return fig


def scaling_figure(table: pd.DataFrame, n_clusters: int = 5, method: str = "ward") -> Figure:
    """The same clustering without and with scaling: unscaled, the £ column decides alone."""
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    for ax, scale in zip(fig.subplots(1, 2, sharey=True), (False, True), strict=True):
        customer_scatter(table, clustering.cluster_labels(table, n_clusters, method, scale), ax=ax,
                         title="scaled: both columns count" if scale else "not scaled: spend in £ dominates")
    return fig


def linkages_figure(table: pd.DataFrame, n_clusters: int = 5, methods: Sequence[str] = clustering.METHODS,
                    scale: bool = True) -> Figure:
    """One scatter per linkage method, same data and number of segments, silhouette in the title."""
    fig = Figure(figsize=(4.1 * len(methods), 3.9), layout="constrained")
    for ax, method in zip(fig.subplots(1, len(methods), sharey=True, squeeze=False).flat, methods, strict=True):
        labels = clustering.cluster_labels(table, n_clusters, method, scale)
        score = clustering.silhouette(table, labels, scale)
        customer_scatter(table, labels, ax=ax, title=f"{method}: silhouette {score:.2f}\n"
                                                     f"largest segment {int(np.bincount(labels).max())} customers")
        ax.get_legend().remove()
    return fig


def silhouette_figure(scores: pd.DataFrame) -> Figure:
    """Silhouette against the number of segments (from ``clustering.silhouette_by_k``), best marked."""
    fig, ax = figure_axes(None, (5.5, 3.6))
    ks, values = scores.index.to_numpy(), scores["silhouette"].to_numpy()
    ax.plot(ks, values, "o-", color=palette.DATA)
    best = int(np.argmax(values))
    ax.plot(ks[best], values[best], "o", ms=12, color=MERGE_COLOR, mfc="none", mec=MERGE_COLOR, mew=2)
    ax.annotate(f"best: {ks[best]} segments", (ks[best], values[best]), xytext=(8, -14),
                textcoords="offset points", color=MERGE_COLOR)
    ax.set(xlabel="number of segments", ylabel="mean silhouette", xticks=ks,
           title="Which cut separates the segments best?")
    return fig


def cost_figure(timings: pd.DataFrame, memory: pd.DataFrame) -> Figure:
    """Measured linkage time (left) and the distance matrix's memory (right), both growing with n²."""
    fig = Figure(figsize=(11, 3.9), layout="constrained")
    left, right = fig.subplots(1, 2)
    n, seconds = timings.index.to_numpy(dtype=float), timings["seconds"].to_numpy()
    left.plot(n, seconds, "o-", color=palette.DATA, label="measured")
    left.plot(n, seconds[-1] * (n / n[-1]) ** 2, "--", color=GREY, label="∝ n²")
    left.set(xlabel="customers n", ylabel="seconds", title="Time to link n customers (this machine)")
    left.legend()
    m = memory.index.to_numpy(dtype=float)
    right.loglog(m, memory["memory (GB)"].to_numpy(), "o-", color=palette.DATA)
    right.axhline(16, color=MERGE_COLOR, ls="--", lw=1)
    right.annotate("a 16 GB laptop", (m[0], 16), xytext=(0, 4), textcoords="offset points", color=MERGE_COLOR)
    right.set(xlabel="customers n", ylabel="GB", title="Memory for all pairwise distances")
    return fig
