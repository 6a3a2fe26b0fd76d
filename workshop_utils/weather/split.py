"""A leakage-free split: near-duplicate photos stay together, each class split in proportion.

Photo collections scraped from the web hold many copies of one photo (resized, re-encoded,
cropped by a pixel). A random split puts one copy in training and another in test, and the
test accuracy then measures memory, not skill. So the photos are grouped by perceptual hash
(:func:`group_near_duplicates`) and whole groups are split, class by class
(:func:`grouped_stratified_split`). That was done once, on the real photos, by
``tools/make_split_table.py``: the result ships as a table (:func:`load_table`), so every
machine gets the same split whichever photos of the archive it has.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import pdist, squareform

from ..checks import integer

CLASSES = ("cloudy", "rain", "shine", "sunrise")
SPLITS = ("train", "validate", "test")
#: Share of each class's photos in train, validate and test: 70 % / 15 % / 15 %.
FRACTIONS = (0.70, 0.15, 0.15)
#: Two photos whose 128-bit difference hashes differ in at most this many bits count as copies.
#: On the real photos every value from 3 to 8 finds the same ~100 groups; from 12 up, distinct
#: sunsets start to chain together.
MAX_DISTANCE = 6
#: Every original photo: name, sha256, split, near-duplicate group, difference hash (hex).
TABLE_PATH = Path(__file__).resolve().parent.parent / "manifests" / "weather.csv"
TABLE_COLUMNS = ("name", "sha256", "split", "group", "dhash")


def group_near_duplicates(hashes: Sequence[int], max_distance: int = MAX_DISTANCE,
                          labels: Sequence[object] | None = None) -> np.ndarray:
    """Group id per item: items whose hashes are within ``max_distance`` bits share a group.

    The groups are the connected components of the graph of near pairs (so grouping is
    transitive); with ``labels``, only items of one label are grouped. Ids count from 0 in
    order of each group's first item.
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


def grouped_stratified_split(labels: Sequence[object], groups: Sequence[int],
                             fractions: Sequence[float] = FRACTIONS, seed: int = 0) -> np.ndarray:
    """Split index per item (0 = train, 1 = validate, 2 = test): groups whole, classes in proportion.

    For each class, its groups are shuffled with ``seed`` and placed largest first, each into
    the split that would be least full relative to its target share. Relative fullness spreads
    the near-duplicate groups over the splits in proportion, so the test photos are a fair
    sample (a rule on absolute shortfall would pour every group into train).
    """
    shares = np.asarray(fractions, dtype=np.float64)
    if shares.ndim != 1 or len(shares) < 1 or (shares < 0).any() or abs(shares.sum() - 1) > 1e-6:
        raise ValueError(
            f"fractions must be non-negative and add up to 1 (one per split), got {tuple(fractions)}")
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
            if gid not in group_split:  # else the group also holds items of another label
                with np.errstate(divide="ignore"):  # a zero share never gets a group
                    fullness = np.where(targets > 0, (counts + sizes[k]) / targets, np.inf)
                group_split[gid] = int(np.argmin(fullness))
            counts[group_split[gid]] += sizes[k]
            assignment[members[groups_arr[members] == gid]] = group_split[gid]
    return assignment


@dataclass(frozen=True)
class Photo:
    """One original photo of the table: its split and group are blank if it was never seen."""

    name: str
    sha256: str
    split: str
    group: int | None
    dhash: int | None

    @property
    def label(self) -> str:
        """The class: the name's leading letters ("sunrise" for "sunrise12.jpg")."""
        return re.match(r"[a-z]*", self.name.lower()).group()


def load_table(path: str | Path | None = None) -> dict[str, Photo]:
    """The shipped split table as ``{photo name: Photo}``; ValueError naming a bad line."""
    path = TABLE_PATH if path is None else Path(path)
    table = {}
    with open(path, newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        if tuple(rows.fieldnames or ()) != TABLE_COLUMNS:
            raise ValueError(f"{path}: expected the columns {','.join(TABLE_COLUMNS)}")
        for number, row in enumerate(rows, start=2):
            try:
                if len(row["sha256"]) != 64 or row["split"] not in ("", *SPLITS):
                    raise ValueError
                table[row["name"]] = Photo(row["name"], row["sha256"].lower(), row["split"],
                                           int(row["group"]) if row["group"] else None,
                                           int(row["dhash"], 16) if row["dhash"] else None)
            except (ValueError, TypeError):
                raise ValueError(f"{path}, line {number}: not a valid photo row: {row}") from None
    return table


def place(name: str, dhash: int, table: Mapping[str, Photo]) -> tuple[str, int | None]:
    """(split, group) for a photo the table lists without a split (it was never seen).

    It joins the split and group of the nearest photo of its class in the table within
    :data:`MAX_DISTANCE` bits (so a copy never crosses splits), else train, alone. The table
    is fixed, so the answer does not depend on which other photos are present.
    """
    label = table[name].label
    near = [(bin(dhash ^ p.dhash).count("1"), p.name, p) for p in table.values()
            if p.split and p.dhash is not None and p.label == label]
    distance, _, nearest = min(near, default=(MAX_DISTANCE + 1, "", None))
    return (nearest.split, nearest.group) if distance <= MAX_DISTANCE else ("train", None)


def tally(rows: Sequence[object], columns: Sequence[object], row_order: Sequence[str],
          column_order: Sequence[str]) -> dict[str, dict[str, int]]:
    """How many items fall in each (row, column) pair: ``{row: {column: n}}``, zeros included."""
    table = pd.crosstab(pd.Categorical(np.asarray(rows, dtype=str), categories=row_order),
                        pd.Categorical(np.asarray(columns, dtype=str), categories=column_order),
                        dropna=False)
    return {str(r): {str(c): int(n) for c, n in row.items()} for r, row in table.iterrows()}


def counts_table(counts: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """``counts[row][column]`` as a table with a total column and a total row."""
    table = pd.DataFrame.from_dict(counts, orient="index").astype(int)
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum()
    return table
