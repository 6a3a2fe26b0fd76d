"""The small tables shipped in ``data/`` (customers, sales): load, check, report, regenerate.

Each table has a seeded generator that reproduces the shipped CSV exactly, so a loader can
fall back to it where the file is absent (for example on Colab after ``pip install``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config
from .checks import integer
from .config import shown


def check_size_and_seed(n: object, seed: object, low: int = 2) -> tuple[int, int]:
    """``(n, seed)`` as ints for a table generator: at least ``low`` rows, a seed >= 0."""
    return integer(n, "n", low=low), integer(seed, "seed", low=0)


@dataclass(frozen=True)
class ShippedTable:
    """One shipped CSV and the generator that made it.

    Parameters
    ----------
    file_name : the CSV's name in ``data/`` (or in ``WORKSHOP_DATA_DIR``, which wins).
    noun : what a row is, for messages ("customers").
    make : the generator; called with no arguments it reproduces the shipped file.
    columns : the columns a loaded table must have, all numeric.
    module : the module that regenerates the file, ``python -m workshop_utils.<module>``.
    """

    file_name: str
    noun: str
    make: Callable[[], pd.DataFrame]
    columns: Sequence[str]
    module: str

    @staticmethod
    def to_csv_text(table: pd.DataFrame) -> str:
        """The CSV text of a table, the same on every platform (``\\n`` line ends)."""
        return table.to_csv(index=False, lineterminator="\n")

    def check(self, table: pd.DataFrame, source: str) -> pd.DataFrame:
        """``table`` if it has every column, each numeric; else ValueError saying how to fix it."""
        missing = [column for column in self.columns if column not in table.columns]
        if missing:
            raise ValueError(
                f"{source} lacks the column(s) {missing}; it has {list(table.columns)}. "
                f"Regenerate it with `python -m workshop_utils.{self.module}`."
            )
        for column in self.columns:
            if not pd.api.types.is_numeric_dtype(table[column]):
                raise ValueError(f"{source}: column {column!r} must hold numbers, "
                                 f"got {table[column].dtype}")
        return table

    def load(self) -> pd.DataFrame:
        """The shipped table, else the same table regenerated."""
        path = config.find_data_file(self.file_name)
        if path is None:
            return self.make()
        return self.check(pd.read_csv(path, encoding="utf-8"), self.file_name)

    def status(self) -> tuple[bool, str]:
        """Whether the table is ready, in one line, for ``python -m workshop_utils check``."""
        path = config.find_data_file(self.file_name)
        if path is None:
            rows = len(self.make())
            return True, f"not shipped here: regenerated from {self.make.__name__}() ({rows} {self.noun})"
        try:
            rows = len(self.check(pd.read_csv(path, encoding="utf-8"), self.file_name))
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
            return False, f"{shown(path)} is unreadable ({error})"
        return True, f"shipped: {shown(path)} ({rows} {self.noun})"

    def main(self, argv: list[str] | None = None) -> int:
        """``python -m workshop_utils.<module> [PATH]``: write the generated table to ``PATH``
        (default: the repository's ``data/`` file)."""
        argv = sys.argv[1:] if argv is None else argv
        if argv:
            path = Path(argv[0])
        elif config.REPO_DIR is None:
            raise ValueError("not running from a repository checkout: pass the path to write to")
        else:
            path = config.REPO_DIR / "data" / self.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_csv_text(self.make()), encoding="utf-8", newline="")
        print(f"wrote {shown(path)} ({len(self.make())} {self.noun})")
        return 0


