"""Hierarchical clustering for notebook 02, built on ``scipy.cluster.hierarchy``.

Every function takes the data as a table (a pandas DataFrame, whose ``ID`` column is ignored
because an identifier is not a feature) or as a 2-D array with one row per customer.
``scale=True`` standardises each column (mean 0, standard deviation 1, as scikit-learn's
``StandardScaler`` does) before any distance is measured.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from sklearn.metrics import silhouette_score

from .checks import integer

METHODS = ("single", "complete", "average", "ward")
ID_COLUMN = "ID"
BYTES_PER_DISTANCE = 8  # one float64 per pair of customers
MAX_TIMED_N = 20_000  # beyond this the distance matrix alone needs more than 1.6 GB


# ---------------------------------------------------------------- input and scaling
def feature_matrix(data: pd.DataFrame | np.ndarray) -> np.ndarray:
    """The numbers clustering works on: one float row per customer, ``ID`` column dropped.

    Raises ``ValueError`` for non-numeric columns, missing values, or fewer than 2 rows.
    """
    if isinstance(data, pd.DataFrame):
        table = data.drop(columns=[ID_COLUMN], errors="ignore")
        bad = [str(c) for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
        if bad:
            raise ValueError(
                f"column(s) {bad} are not numeric: select the numeric feature columns first, "
                f"e.g. data[{[str(c) for c in table.columns if str(c) not in bad]}]"
            )
        values = table.to_numpy(dtype=float)
    else:
        try:
            values = np.asarray(data, dtype=float)
        except (TypeError, ValueError) as error:
            raise ValueError(f"data must be numbers (one row per customer): {error}") from None
        if values.ndim == 1:
            raise ValueError(
                f"data is 1-D with shape {values.shape}: pass a table with one row per customer "
                "and one column per feature (for one feature use values.reshape(-1, 1))"
            )
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(f"expected one row per customer and at least one feature column, got shape {values.shape}")
    if values.shape[0] < 2:
        raise ValueError(f"clustering needs at least 2 customers, got {values.shape[0]}")
    if not np.isfinite(values).all():
        row = int(np.argwhere(~np.isfinite(values))[0, 0])
        raise ValueError(f"data has a missing or infinite value in row {row}: drop or fill it first")
    return values


def scale_features(values: np.ndarray) -> np.ndarray:
    """Standardise each column to mean 0 and standard deviation 1, so no unit dominates distances.

    A constant column becomes all zeros (it cannot separate anyone), as in ``StandardScaler``.
    """
    values = np.asarray(values, dtype=float)
    spread = values.std(axis=0)
    return (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1.0)


def prepare(data: pd.DataFrame | np.ndarray, scale: bool = True) -> np.ndarray:
    """The feature matrix that distances are measured on: checked, and standardised if asked."""
    values = feature_matrix(data)
    return scale_features(values) if scale else values


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown linkage method {method!r}: choose one of {', '.join(METHODS)}")
    return method


def _check_k(n_clusters: object, n: int, low: int = 1, high: int | None = None) -> int:
    high = n if high is None else high
    return integer(n_clusters, "n_clusters", low=low, high=high, note=f"for {n} customers")


# ---------------------------------------------------------------- linkage and cuts
def linkage_matrix(data: pd.DataFrame | np.ndarray, method: str = "ward", scale: bool = True) -> np.ndarray:
    """SciPy's linkage matrix: row i merges clusters ``Z[i, 0]`` and ``Z[i, 1]`` at height ``Z[i, 2]``."""
    return hierarchy.linkage(prepare(data, scale), method=_check_method(method))


def relabel(labels: np.ndarray) -> np.ndarray:
    """Number clusters 0, 1, 2, ... in order of first appearance, so labels are stable and small."""
    _, first, inverse = np.unique(np.asarray(labels), return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse.ravel()].astype(int)


def cut(linkage: np.ndarray, n_clusters: int | None = None, height: float | None = None) -> np.ndarray:
    """Labels from cutting the tree into exactly ``n_clusters`` clusters, or at ``height``.

    Cutting into k clusters undoes the last k - 1 merges; cutting at a height keeps every
    merge made below it.
    """
    linkage = np.asarray(linkage, dtype=float)
    n = linkage.shape[0] + 1
    if (n_clusters is None) == (height is None):
        raise ValueError("give exactly one of n_clusters= or height=")
    if n_clusters is not None:
        labels = hierarchy.cut_tree(linkage, n_clusters=_check_k(n_clusters, n)).ravel()
    else:
        if not np.isfinite(height) or height < 0:
            raise ValueError(f"height must be a non-negative number, got {height!r}")
        labels = hierarchy.fcluster(linkage, t=height, criterion="distance")
    return relabel(labels)


def cluster_labels(
    data: pd.DataFrame | np.ndarray, n_clusters: int, method: str = "ward", scale: bool = True
) -> np.ndarray:
    """One segment label (0 .. n_clusters-1) per customer from hierarchical clustering."""
    values = prepare(data, scale)
    _check_k(n_clusters, len(values))
    return cut(hierarchy.linkage(values, method=_check_method(method)), n_clusters=n_clusters)


def cut_height(linkage: np.ndarray, n_clusters: int) -> float:
    """A height at which a horizontal cut through the dendrogram leaves ``n_clusters`` clusters.

    Halfway between the merge that made ``n_clusters`` clusters and the next one.
    """
    heights = np.asarray(linkage, dtype=float)[:, 2]
    n = heights.size + 1
    k = _check_k(n_clusters, n)
    if k == 1:
        return float(heights[-1] * 1.05)
    if k == n:
        return float(heights[0] / 2)
    return float((heights[n - k - 1] + heights[n - k]) / 2)


def suggest_n_clusters(linkage: np.ndarray, max_clusters: int = 10) -> int:
    """The number of clusters just below the biggest jump in merge height (the "longest branches").

    Only cuts into 2 .. ``max_clusters`` clusters are considered; on a tie the fewest clusters win.
    """
    heights = np.asarray(linkage, dtype=float)[:, 2]
    n = heights.size + 1
    if n < 3:
        raise ValueError(f"suggesting a number of clusters needs at least 3 customers, got {n}")
    top = min(integer(max_clusters, "max_clusters", low=2), n - 1)
    gaps = {k: heights[n - k] - heights[n - k - 1] for k in range(2, top + 1)}
    return max(gaps, key=lambda k: (gaps[k], -k))


# ---------------------------------------------------------------- the merge rule, step by step
@dataclass(frozen=True)
class MergeStep:
    """One merge: which customers (row positions) were in each cluster, and at what distance."""

    step: int
    left: tuple[int, ...]
    right: tuple[int, ...]
    distance: float
    clusters_left: int

    @property
    def members(self) -> tuple[int, ...]:
        """Everyone in the cluster this step makes."""
        return tuple(sorted(self.left + self.right))


def steps_from_linkage(linkage: np.ndarray, n_merges: int | None = None) -> list[MergeStep]:
    """Turn the first ``n_merges`` rows of a linkage matrix into readable merge steps."""
    linkage = np.asarray(linkage, dtype=float)
    n = linkage.shape[0] + 1
    n_merges = n - 1 if n_merges is None else n_merges
    n_merges = integer(n_merges, "n_merges", low=1, high=n - 1, note=f"for {n} customers")
    members: dict[int, tuple[int, ...]] = {i: (i,) for i in range(n)}
    steps = []
    for row in range(int(n_merges)):
        a, b, distance = int(linkage[row, 0]), int(linkage[row, 1]), float(linkage[row, 2])
        left, right = members[a], members[b]
        members[n + row] = tuple(sorted(left + right))
        steps.append(MergeStep(row + 1, left, right, distance, n - row - 1))
    return steps


def _ids(data: pd.DataFrame | np.ndarray) -> np.ndarray:
    """How to name customers: the ``ID`` column when there is one, else row positions."""
    if isinstance(data, pd.DataFrame) and ID_COLUMN in data.columns:
        return data[ID_COLUMN].to_numpy()
    return np.arange(len(data))


def members_text(members: Sequence[int], ids: Sequence | None = None) -> str:
    """A cluster as text, e.g. ``{171, 183}``, naming members by ``ids`` (default: positions), sorted."""
    names = sorted(members if ids is None else [ids[i] for i in members])
    return "{" + ", ".join(str(name) for name in names) + "}"


def distance_table(data: pd.DataFrame | np.ndarray, scale: bool = False, decimals: int | None = 1) -> pd.DataFrame:
    """Straight-line (Euclidean) distance between every two customers, rows and columns by ``ID``.

    ``scale=False`` (the default) measures in the table's own units, as when merging by hand.
    """
    from scipy.spatial.distance import pdist, squareform

    values = prepare(data, scale)
    ids = _ids(data)
    table = pd.DataFrame(squareform(pdist(values)), index=ids, columns=ids)
    table.index.name = table.columns.name = ID_COLUMN
    return table.round(decimals) if decimals is not None else table


def merge_steps(
    data: pd.DataFrame | np.ndarray, n_merges: int, method: str = "ward", scale: bool = True
) -> list[MergeStep]:
    """The first ``n_merges`` merges of hierarchical clustering: the rule, made visible.

    Every customer starts alone; each step merges the two nearest clusters (the first step
    always joins the closest pair of customers).
    """
    return steps_from_linkage(linkage_matrix(data, method, scale), n_merges)


def merge_table(
    data: pd.DataFrame | np.ndarray, n_merges: int, method: str = "ward", scale: bool = True
) -> pd.DataFrame:
    """The first merges as a table: who joins whom (by ``ID``), at what height, clusters left."""
    ids = _ids(data)
    rows = [{"step": s.step, "joins": f"{members_text(s.left, ids)} + {members_text(s.right, ids)}",
             "height": s.distance, "clusters left": s.clusters_left}
            for s in merge_steps(data, n_merges, method, scale)]
    return pd.DataFrame(rows).set_index("step")


# ---------------------------------------------------------------- describing segments
LEVELS = ("low", "middling", "high")
#: How the customer columns read in words; other columns read as "high <column>".
PHRASES = {
    "Annual Income (k£)": {"low": "low earners", "middling": "middle earners", "high": "big earners"},
    "Amount spent (£)": {
        "low": "who spend little",
        "middling": "who spend a fair amount",
        "high": "who spend a lot",
    },
}


def level(value: float, column: np.ndarray) -> str:
    """"low", "middling" or "high": where ``value`` falls among the thirds of ``column``."""
    low, high = np.quantile(np.asarray(column, dtype=float), [1 / 3, 2 / 3])
    return LEVELS[int(value > low) + int(value > high)]


def _in_words(levels: dict[str, str]) -> str:
    if set(levels) == set(PHRASES):
        return " ".join(PHRASES[column][levels[column]] for column in PHRASES)
    return ", ".join(f"{lvl} {column}" for column, lvl in levels.items())


def describe_segments(table: pd.DataFrame, labels: Sequence[int], decimals: int = 1) -> pd.DataFrame:
    """One row per segment: its size, the mean of each feature, and a description in words.

    A mean in the lowest third of that column's values reads "low", in the top third "high".
    Means are rounded to ``decimals`` places for display.
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError("describe_segments needs a pandas DataFrame, to name the features in words")
    features = table.drop(columns=[ID_COLUMN], errors="ignore")
    feature_matrix(features)  # same checks as clustering
    labels = np.asarray(labels)
    if labels.shape != (len(features),):
        raise ValueError(f"expected one label per customer ({len(features)}), got shape {labels.shape}")
    rows = []
    for segment in np.unique(labels):
        means = features[labels == segment].mean()
        levels = {str(c): level(means[c], features[c].to_numpy()) for c in features.columns}
        rows.append({"segment": int(segment), "customers": int((labels == segment).sum()),
                     **means.round(decimals).to_dict(), "description": _in_words(levels)})
    return pd.DataFrame(rows).set_index("segment")


# ---------------------------------------------------------------- comparing cuts and linkages
def silhouette(data: pd.DataFrame | np.ndarray, labels: Sequence[int], scale: bool = True) -> float:
    """Mean silhouette (-1 .. 1): how much closer customers are to their own segment than the next."""
    values = prepare(data, scale)
    k = len(np.unique(labels))
    if not 2 <= k <= len(values) - 1:
        raise ValueError(f"the silhouette needs 2 to {len(values) - 1} segments, got {k}")
    return float(silhouette_score(values, labels))


def silhouette_by_k(
    data: pd.DataFrame | np.ndarray, ks: Iterable[int] = range(2, 9), method: str = "ward", scale: bool = True
) -> pd.DataFrame:
    """The silhouette of each cut of one tree into k segments: higher means better separated."""
    values = prepare(data, scale)
    linkage = hierarchy.linkage(values, method=_check_method(method))
    rows = [{"segments": k, "silhouette": silhouette(values, cut(linkage, n_clusters=k), scale=False)}
            for k in ks]
    return pd.DataFrame(rows).set_index("segments")


def compare_linkages(
    data: pd.DataFrame | np.ndarray, n_clusters: int, methods: Sequence[str] = METHODS, scale: bool = True
) -> pd.DataFrame:
    """Each linkage method's cut into ``n_clusters``: silhouette, and segment sizes largest first."""
    values = prepare(data, scale)
    rows = []
    for method in methods:
        labels = cluster_labels(values, n_clusters, method, scale=False)
        sizes = sorted(np.bincount(labels), reverse=True)
        rows.append({"method": method, "silhouette": silhouette(values, labels, scale=False),
                     "largest segment": int(sizes[0]), "sizes": ", ".join(map(str, sizes))})
    return pd.DataFrame(rows).set_index("method")


# ---------------------------------------------------------------- what it costs
def distance_count(n: int) -> int:
    """How many pairwise distances linkage needs for ``n`` customers: n (n - 1) / 2."""
    n = integer(n, "n", low=0)
    return n * (n - 1) // 2


def distance_memory(ns: Iterable[int]) -> pd.DataFrame:
    """Memory for the condensed distance matrix (8 bytes per pair) for each n: it grows with n²."""
    rows = [{"customers": n, "distances": distance_count(n),
             "memory (GB)": distance_count(n) * BYTES_PER_DISTANCE / 1e9} for n in ns]
    return pd.DataFrame(rows).set_index("customers")


def time_linkage(n: int, method: str = "ward", seed: int = 0, repeats: int = 3) -> float:
    """Best-of-``repeats`` seconds to scale and link ``n`` generated customers on this machine."""
    from .customers import make_customers

    integer(n, "n", low=2, high=MAX_TIMED_N, note="memory grows with n²")
    table = make_customers(n=int(n), seed=seed)
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        linkage_matrix(table, method)
        best = min(best, time.perf_counter() - start)
    return best


def linkage_timings(
    ns: Iterable[int] = (250, 500, 1000, 2000, 4000), method: str = "ward", seed: int = 0, repeats: int = 3
) -> pd.DataFrame:
    """Measured linkage time for growing n, next to the memory its distance matrix needs."""
    ns = list(ns)
    table = distance_memory(ns)
    table["seconds"] = [time_linkage(n, method, seed, repeats) for n in ns]
    return table
