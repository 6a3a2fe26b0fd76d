"""The small tables shipped in ``data/`` (customers, sales): load, report, regenerate.

Each table has a seeded generator that reproduces the shipped CSV exactly, so a loader can
fall back to it where the file is absent (for example on Colab after ``pip install``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config


def shown(path: Path) -> str:
    """A path as the user should see it: relative to the repository when inside it."""
    if config.REPO_DIR is not None:
        try:
            return path.resolve().relative_to(config.REPO_DIR).as_posix()
        except ValueError:
            pass
    return path.name


@dataclass(frozen=True)
class ShippedTable:
    """One shipped CSV and the generator that made it.

    Parameters
    ----------
    file_name : the CSV's name in ``data/`` (or in ``WORKSHOP_DATA_DIR``, which wins).
    noun : what a row is, for messages ("customers").
    make : the generator; called with no arguments it reproduces the shipped file.
    check : validates a loaded table, ``check(table, source_name) -> table``.
    to_csv_text : the exact text written to the CSV.
    """

    file_name: str
    noun: str
    make: Callable[[], pd.DataFrame]
    check: Callable[[pd.DataFrame, str], pd.DataFrame]
    to_csv_text: Callable[[pd.DataFrame], str]

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

    def write(self, path: Path | None = None) -> Path:
        """Write the generated table to ``path`` (default: the repository's ``data/`` file)."""
        if path is None:
            if config.REPO_DIR is None:
                raise ValueError("not running from a repository checkout: pass the path to write to")
            path = config.REPO_DIR / "data" / self.file_name
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_csv_text(self.make()), encoding="utf-8", newline="")
        return path

    def main(self, argv: list[str] | None = None) -> int:
        """``python -m workshop_utils.<module> [PATH]``: regenerate the shipped CSV."""
        argv = sys.argv[1:] if argv is None else argv
        path = self.write(Path(argv[0]) if argv else None)
        print(f"wrote {shown(path)} ({len(self.make())} {self.noun})")
        return 0
