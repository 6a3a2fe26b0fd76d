"""Hierarchical clustering for notebook 02, built on ``scipy.cluster.hierarchy``.

Data is a table (its ``ID`` column ignored: an identifier is not a feature) or a 2-D array, one
row per customer; ``scale=True`` standardises each column before distances are measured.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist, squareform
from sklearn.metrics import silhouette_score

from .checks import integer
from .customers import load_customers

METHODS = ("single", "complete", "average", "ward")
ID_COLUMN = "ID"
MAX_TIMED_N = 20_000  # beyond this the distance matrix alone needs more than 1.6 GB


def feature_matrix(data: pd.DataFrame | np.ndarray) -> np.ndarray:
    """The numbers clustering works on: one float row per customer, ``ID`` column dropped."""
    if isinstance(data, pd.DataFrame):
        data = data.drop(columns=[ID_COLUMN], errors="ignore")
        bad = [str(c) for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
        if bad:
            raise ValueError(f"column(s) {bad} are not numeric: select the numeric feature columns first, "
                             f"e.g. data[{[str(c) for c in data.columns if str(c) not in bad]}]")
    try:
        values = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"data must be numbers (one row per customer): {error}") from None
    if values.ndim == 1:
        raise ValueError(f"data is 1-D with shape {values.shape}: pass a table with one row per customer "
                         "and one column per feature (for one feature use values.reshape(-1, 1))")
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(f"expected one row per customer and at least one feature column, got shape {values.shape}")
    if values.shape[0] < 2:
        raise ValueError(f"clustering needs at least 2 customers, got {values.shape[0]}")
    if not np.isfinite(values).all():
        row = int(np.argwhere(~np.isfinite(values))[0, 0])
        raise ValueError(f"data has a missing or infinite value in row {row}: drop or fill it first")
    return values


def scale_features(values: np.ndarray) -> np.ndarray:
    """Each column to mean 0 and standard deviation 1 (as ``StandardScaler``), so no unit dominates."""
    values = np.asarray(values, dtype=float)
    spread = values.std(axis=0)
    return (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1.0)


def prepare(data: pd.DataFrame | np.ndarray, scale: bool = True) -> np.ndarray:
    """The feature matrix that distances are measured on: checked, and standardised if asked."""
    values = feature_matrix(data)
    return scale_features(values) if scale else values


def _linkage(values: np.ndarray, method: str) -> np.ndarray:
    if method not in METHODS:  # scipy knows more, but these are the ones taught
        raise ValueError(f"unknown linkage method {method!r}: choose one of {', '.join(METHODS)}")
    return hierarchy.linkage(values, method=method)


def _check_k(n_clusters: object, n: int) -> int:
    return integer(n_clusters, "n_clusters", low=1, high=n, note=f"for {n} customers")


def linkage_matrix(data: pd.DataFrame | np.ndarray, method: str = "ward", scale: bool = True) -> np.ndarray:
    """SciPy's linkage matrix: row i merges clusters ``Z[i, 0]`` and ``Z[i, 1]`` at height ``Z[i, 2]``."""
    return _linkage(prepare(data, scale), method)


def cut(linkage: np.ndarray, n_clusters: int | None = None, height: float | None = None) -> np.ndarray:
    """Labels 0, 1, ... (in order of first appearance) from cutting the tree into ``n_clusters``
    (undoing the last k - 1 merges) or at ``height`` (keeping every merge below it)."""
    linkage = np.asarray(linkage, dtype=float)
    if (n_clusters is None) == (height is None):
        raise ValueError("give exactly one of n_clusters= or height=")
    if n_clusters is not None:
        labels = hierarchy.cut_tree(linkage, n_clusters=_check_k(n_clusters, len(linkage) + 1)).ravel()
    elif not np.isfinite(height) or height < 0:
        raise ValueError(f"height must be a non-negative number, got {height!r}")
    else:
        labels = hierarchy.fcluster(linkage, t=height, criterion="distance")
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse.ravel()].astype(int)


def cluster_labels(data: pd.DataFrame | np.ndarray, n_clusters: int, method: str = "ward",
                   scale: bool = True) -> np.ndarray:
    """One segment label (0 .. n_clusters-1) per customer from hierarchical clustering."""
    values = prepare(data, scale)
    _check_k(n_clusters, len(values))
    return cut(_linkage(values, method), n_clusters=n_clusters)


def cut_height(linkage: np.ndarray, n_clusters: int) -> float:
    """A height where a horizontal cut leaves ``n_clusters``: halfway between two merges."""
    heights = np.asarray(linkage, dtype=float)[:, 2]
    k = _check_k(n_clusters, heights.size + 1)
    padded = np.concatenate([[0.0], heights, [heights[-1] * 1.1]])  # below the first merge, above the last
    return float((padded[-k - 1] + padded[-k]) / 2)


def suggest_n_clusters(linkage: np.ndarray, max_clusters: int = 10) -> int:
    """The number of clusters (2 to ``max_clusters``, fewest on a tie) just below the biggest jump
    in merge height: where the dendrogram's branches are longest."""
    heights = np.asarray(linkage, dtype=float)[:, 2]
    n = heights.size + 1
    if n < 3:
        raise ValueError(f"suggesting a number of clusters needs at least 3 customers, got {n}")
    top = min(integer(max_clusters, "max_clusters", low=2), n - 1)
    gaps = {k: heights[n - k] - heights[n - k - 1] for k in range(2, top + 1)}
    return max(gaps, key=lambda k: (gaps[k], -k))


@dataclass(frozen=True)
class MergeStep:
    """One merge: the customers (row positions) in each cluster joined, and at what height."""

    step: int
    left: tuple[int, ...]
    right: tuple[int, ...]
    distance: float
    clusters_left: int

    @property
    def members(self) -> tuple[int, ...]:
        return tuple(sorted(self.left + self.right))


def merge_steps(data: pd.DataFrame | np.ndarray, n_merges: int, method: str = "ward",
                scale: bool = True) -> list[MergeStep]:
    """The first ``n_merges`` merges: all start alone, each step joins the two nearest clusters."""
    linkage = linkage_matrix(data, method, scale)
    n = len(linkage) + 1
    n_merges = integer(n_merges, "n_merges", low=1, high=n - 1, note=f"for {n} customers")
    members: dict[int, tuple[int, ...]] = {i: (i,) for i in range(n)}
    steps = []
    for row in range(n_merges):
        left, right = members[int(linkage[row, 0])], members[int(linkage[row, 1])]
        members[n + row] = tuple(sorted(left + right))
        steps.append(MergeStep(row + 1, left, right, float(linkage[row, 2]), n - row - 1))
    return steps


def _ids(data: pd.DataFrame | np.ndarray) -> np.ndarray:
    """How to name customers: the ``ID`` column when there is one, else row positions."""
    if isinstance(data, pd.DataFrame) and ID_COLUMN in data.columns:
        return data[ID_COLUMN].to_numpy()
    return np.arange(len(data))


def members_text(members: Sequence[int], ids: Sequence | None = None) -> str:
    """A cluster as text, e.g. ``{171, 183}``, naming members by ``ids`` (default: positions)."""
    names = sorted(members if ids is None else [ids[i] for i in members])
    return "{" + ", ".join(str(name) for name in names) + "}"


def distance_table(data: pd.DataFrame | np.ndarray, scale: bool = False, decimals: int | None = 1) -> pd.DataFrame:
    """Straight-line distance between every two customers, by ``ID`` (unscaled: as by hand)."""
    ids = _ids(data)
    table = pd.DataFrame(squareform(pdist(prepare(data, scale))), index=ids, columns=ids)
    table.index.name = table.columns.name = ID_COLUMN
    return table.round(decimals) if decimals is not None else table


def merge_table(data: pd.DataFrame | np.ndarray, n_merges: int, method: str = "ward",
                scale: bool = True) -> pd.DataFrame:
    """The first merges as a table: who joins whom (by ``ID``), at what height, clusters left."""
    ids = _ids(data)
    rows = [{"step": s.step, "joins": f"{members_text(s.left, ids)} + {members_text(s.right, ids)}",
             "height": s.distance, "clusters left": s.clusters_left}
            for s in merge_steps(data, n_merges, method, scale)]
    return pd.DataFrame(rows).set_index("step")


LEVELS = ("low", "middling", "high")
#: How the customer columns read in words; other columns read as "high <column>".
PHRASES = {
    "Annual Income (k£)": {"low": "low earners", "middling": "middle earners", "high": "big earners"},
    "Amount spent (£)": {"low": "who spend little", "middling": "who spend a fair amount",
                         "high": "who spend a lot"},
}


def level(value: float, column: np.ndarray) -> str:
    """Where ``value`` falls among the thirds of ``column``: "low", "middling" or "high"."""
    low, high = np.quantile(np.asarray(column, dtype=float), [1 / 3, 2 / 3])
    return LEVELS[int(value > low) + int(value > high)]


def describe_segments(table: pd.DataFrame, labels: Sequence[int], decimals: int = 1) -> pd.DataFrame:
    """One row per segment: its size, each feature's mean and the segment in words (a mean in the
    column's lowest third reads "low", in its top third "high")."""
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
        if set(levels) == set(PHRASES):
            words = " ".join(PHRASES[column][levels[column]] for column in PHRASES)
        else:
            words = ", ".join(f"{lvl} {column}" for column, lvl in levels.items())
        rows.append({"segment": int(segment), "customers": int((labels == segment).sum()),
                     **means.round(decimals).to_dict(), "description": words})
    return pd.DataFrame(rows).set_index("segment")


def silhouette(data: pd.DataFrame | np.ndarray, labels: Sequence[int], scale: bool = True) -> float:
    """Mean silhouette (-1 .. 1): how much closer customers are to their own segment than the next."""
    values = prepare(data, scale)
    k = len(np.unique(labels))
    if not 2 <= k <= len(values) - 1:
        raise ValueError(f"the silhouette needs 2 to {len(values) - 1} segments, got {k}")
    return float(silhouette_score(values, labels))


def silhouette_by_k(data: pd.DataFrame | np.ndarray, ks: Iterable[int] = range(2, 9), method: str = "ward",
                    scale: bool = True) -> pd.DataFrame:
    """The silhouette of each cut of one tree into k segments: higher means better separated."""
    values = prepare(data, scale)
    linkage = _linkage(values, method)
    rows = [{"segments": k, "silhouette": silhouette(values, cut(linkage, n_clusters=k), scale=False)}
            for k in ks]
    return pd.DataFrame(rows).set_index("segments")


def compare_linkages(data: pd.DataFrame | np.ndarray, n_clusters: int, methods: Sequence[str] = METHODS,
                     scale: bool = True) -> pd.DataFrame:
    """Each linkage method's cut into ``n_clusters``: silhouette, and segment sizes largest first."""
    values = prepare(data, scale)
    rows = []
    for method in methods:
        labels = cluster_labels(values, n_clusters, method, scale=False)
        sizes = sorted(np.bincount(labels), reverse=True)
        rows.append({"method": method, "silhouette": silhouette(values, labels, scale=False),
                     "largest segment": int(sizes[0]), "sizes": ", ".join(map(str, sizes))})
    return pd.DataFrame(rows).set_index("method")


def distance_count(n: int) -> int:
    """How many pairwise distances linkage needs for ``n`` customers: n (n - 1) / 2."""
    n = integer(n, "n", low=0)
    return n * (n - 1) // 2


def distance_memory(ns: Iterable[int]) -> pd.DataFrame:
    """Memory for the condensed distance matrix (one 8-byte float per pair): it grows with n²."""
    return pd.DataFrame([{"customers": n, "distances": distance_count(n), "memory (GB)": distance_count(n) * 8 / 1e9}
                         for n in ns]).set_index("customers")


def time_linkage(n: int, method: str = "ward", seed: int = 0, repeats: int = 3) -> float:
    """Best-of-``repeats`` seconds to scale and link ``n`` customers (drawn with replacement from the
    shipped table, seeded) on this machine."""
    n = integer(n, "n", low=2, high=MAX_TIMED_N, note="memory grows with n²")
    table = load_customers().sample(n=n, replace=True, random_state=seed)
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        linkage_matrix(table, method)
        best = min(best, time.perf_counter() - start)
    return best


def linkage_timings(ns: Iterable[int] = (250, 500, 1000, 2000, 4000), method: str = "ward", seed: int = 0,
                    repeats: int = 3) -> pd.DataFrame:
    """Measured linkage time for growing n, next to the memory its distance matrix needs."""
    table = distance_memory(ns := list(ns))
    table["seconds"] = [time_linkage(n, method, seed, repeats) for n in ns]
    return table
