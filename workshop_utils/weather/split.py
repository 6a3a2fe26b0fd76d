"""A leakage-free split: near-duplicate photos stay together, each class split in proportion.

Photo collections scraped from the web hold many copies of one photo (resized, re-encoded,
cropped by a pixel). A random split puts one copy in training and another in test, and the
test accuracy then measures memory, not skill. So we

1. group near-duplicates (:func:`group_near_duplicates`, from perceptual hashes),
2. split whole groups, class by class, towards the documented :data:`FRACTIONS`
   (:func:`grouped_stratified_split`), with a seed so the split can be repeated,
3. count what went where (:func:`tally`, :func:`counts_table`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import pdist, squareform

from ..checks import integer

#: Names of the splits, in order.
SPLITS = ("train", "validate", "test")
#: Share of each class's photos in train, validate and test: 70 % / 15 % / 15 %.
FRACTIONS = (0.70, 0.15, 0.15)
#: Two photos whose 128-bit difference hashes (:func:`workshop_utils.weather.images.perceptual_hash`)
#: differ in at most this many bits count as copies. On the real weather photos every value
#: from 3 to 8 finds the same ~100 groups; from 12 up, distinct sunsets start to chain together.
MAX_DISTANCE = 6

def group_near_duplicates(hashes: Sequence[int], max_distance: int = MAX_DISTANCE,
                          labels: Sequence[object] | None = None) -> np.ndarray:
    """Group id per item: items whose hashes are within ``max_distance`` bits share a group.

    Grouping is transitive (if A is near B and B near C, all three share a group): the groups
    are the connected components of the graph of near pairs. With ``labels``, only items with
    the same label are grouped, so one false match between two classes cannot drag them
    together. Group ids are 0, 1, 2, ... in order of first item.
    """
    max_distance = integer(max_distance, "max_distance", low=0)
    values = [int(h) for h in hashes]
    if any(h < 0 for h in values):
        raise ValueError(f"hashes must be non-negative integers, got {min(values)}")
    n = len(values)
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {n} hashes but {len(labels)} labels; give one label per hash")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    width = max(1, *((h.bit_length() + 7) // 8 for h in values))
    bits = np.unpackbits(np.frombuffer(b"".join(h.to_bytes(width, "big") for h in values),
                                       dtype=np.uint8).reshape(n, width), axis=1)
    # pdist's "hamming" is the share of differing bits; times the bit count, a whole number
    near = squareform(np.rint(pdist(bits, "hamming") * bits.shape[1]) <= max_distance)
    if labels is not None:
        names = np.asarray(labels, dtype=object).astype(str)
        near &= names[:, None] == names[None, :]
    _, component = connected_components(csr_matrix(near), directed=False)
    _, first, ids = np.unique(component, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[ids].astype(np.int64)  # numbered by first item


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    """Fractions as an array; ValueError unless non-negative and summing to 1."""
    values = np.asarray(fractions, dtype=np.float64)
    if values.ndim != 1 or len(values) < 1 or (values < 0).any() or abs(values.sum() - 1) > 1e-6:
        raise ValueError(
            f"fractions must be non-negative and add up to 1 (one per split), got {tuple(fractions)}"
        )
    return values


def grouped_stratified_split(labels: Sequence[object], groups: Sequence[int],
                             fractions: Sequence[float] = FRACTIONS, seed: int = 0) -> np.ndarray:
    """Split index per item (0 = train, 1 = validate, 2 = test): groups whole, classes in proportion.

    For each class (in sorted order), its groups are shuffled with ``seed`` and then placed
    largest first, each into the split that would be least full relative to its target share
    (``(count + group size) / target``). Measuring fullness relative to the target spreads
    near-duplicate groups over the splits in proportion, so test photos are a fair sample: a
    rule on absolute shortfall would pour every group into train (the biggest target) and leave
    validate and test only photos without a near-duplicate. Every group lands in exactly one
    split; each split's count per class is within a couple of group sizes of
    ``fraction * class size``. The same inputs and seed always give the same split.
    """
    shares = _check_fractions(fractions)
    labels_arr = np.asarray(labels, dtype=object).astype(str)
    groups_arr = np.asarray(groups, dtype=np.int64)
    if len(labels_arr) != len(groups_arr):
        raise ValueError(f"got {len(labels_arr)} labels but {len(groups_arr)} group ids")
    rng = np.random.default_rng(seed)
    assignment = np.full(len(labels_arr), -1, dtype=np.int64)
    group_split: dict[int, int] = {}
    for label in sorted(set(labels_arr.tolist())):
        members = np.flatnonzero(labels_arr == label)
        ids, sizes = np.unique(groups_arr[members], return_counts=True)
        order = rng.permutation(len(ids))
        order = order[np.argsort(-sizes[order], kind="stable")]  # big groups first
        targets = shares * len(members)
        counts = np.zeros(len(shares))
        for k in order:
            gid = int(ids[k])
            if gid in group_split:  # the group also holds items of another label
                split = group_split[gid]
            else:
                with np.errstate(divide="ignore"):  # a zero share never gets a group
                    fullness = np.where(targets > 0, (counts + sizes[k]) / targets, np.inf)
                split = int(np.argmin(fullness))
                group_split[gid] = split
            counts[split] += sizes[k]
            assignment[members[groups_arr[members] == gid]] = split
    return assignment


def tally(rows: Sequence[object], columns: Sequence[object], row_order: Sequence[str],
          column_order: Sequence[str]) -> dict[str, dict[str, int]]:
    """How many items fall in each (row, column) pair: ``{row: {column: n}}``, zeros included.

    ``rows[i]`` and ``columns[i]`` describe item ``i`` (its class and its split, say); the
    orders fix which rows and columns appear, and in which order (``pandas.crosstab``).
    """
    table = pd.crosstab(pd.Categorical(np.asarray(rows, dtype=str), categories=row_order),
                        pd.Categorical(np.asarray(columns, dtype=str), categories=column_order),
                        dropna=False)
    return {str(r): {str(c): int(n) for c, n in row.items()} for r, row in table.iterrows()}


def counts_table(counts: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """``counts[row][column]`` as a table with a total column and a total row; print it as text.

    One table for the split report (classes by splits) and notebook 04 (splits by classes).
    """
    table = pd.DataFrame.from_dict(counts, orient="index").astype(int)
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum()
    return table
