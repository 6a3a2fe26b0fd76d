"""The weather photos' split, shipped as data: a leakage-free split made once, on the real photos.

Photo collections scraped from the web hold many copies of one photo (resized, re-encoded,
cropped by a pixel). A random split puts one copy in training and another in test, and the test
accuracy then measures memory, not skill. So ``tools/make_split_table.py`` grouped the photos by
perceptual hash and split whole groups, class by class; the result ships as a table
(:func:`load_table`), so every machine gets the same split whichever photos of the archive it has.
"""

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CLASSES = ("cloudy", "rain", "shine", "sunrise")
SPLITS = ("train", "validate", "test")
#: Two photos whose 128-bit difference hashes differ in at most this many bits count as copies.
#: On the real photos every value from 3 to 8 finds the same ~100 groups; from 12 up, distinct
#: sunsets start to chain together.
MAX_DISTANCE = 6
#: Every original photo: name, sha256, split, near-duplicate group, difference hash (hex).
TABLE_PATH = Path(__file__).resolve().parent.parent / "manifests" / "weather.csv"
TABLE_COLUMNS = ("name", "sha256", "split", "group", "dhash")


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
