"""Student copies of the notebooks: no outputs, no solutions, hints kept.

A room that types along gets notebooks in which every exercise is still open. The solutions
live in the package (``q1.solution()``, see :mod:`workshop_utils.exercises`), so a notebook
holds none; the copy clears every output (so no "Correct!" verdict is left from a run) and
execution count, comments out again a ``qN.solution()`` line an instructor uncommented to
show it, and drops cells tagged ``solution`` (the convention before the ``qN`` objects).
Everything else, hints included, stays.

    from workshop_utils.student_copy import make_student_copies
    make_student_copies("student-notebooks")
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import nbformat

from .config import REPO_DIR

SOLUTION_TAG = "solution"
#: A line that shows an exercise's solution, uncommented: ``q1.solution()``.
SHOWN_SOLUTION = re.compile(r"^(\s*)(q\d+\.solution\(\))", re.MULTILINE)


def default_notebooks() -> list[Path]:
    """The workshop's notebooks (``notebooks/*.ipynb`` of the checkout), in order."""
    if REPO_DIR is None:
        raise ValueError(
            "no notebooks given and no repository checkout found: pass the notebook paths, "
            "e.g. make_student_copies(dest, notebooks=['01_hopfield.ipynb'])"
        )
    found = sorted((REPO_DIR / "notebooks").glob("*.ipynb"))
    if not found:
        raise ValueError(f"no notebooks found in {REPO_DIR / 'notebooks'}")
    return found


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """True for an exercise's solution cell: a code cell tagged ``solution``."""
    return cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def hide_solutions(source: str) -> str:
    """``source`` with every ``qN.solution()`` call commented out again."""
    return SHOWN_SOLUTION.sub(r"\1# \2", source)


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solutions, outputs, execution counts or widget state."""
    copy = nbformat.from_dict(nb)
    copy.cells = [cell for cell in copy.cells if not is_solution(cell)]
    copy.metadata.pop("widgets", None)
    for cell in copy.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.source = hide_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
    return copy


def make_student_copies(
    dest: str | Path, notebooks: Iterable[str | Path] | None = None
) -> list[Path]:
    """Write a student copy of each notebook into ``dest`` (same file names); return the paths.

    ``notebooks`` defaults to every notebook of the workshop. ``dest`` is created if needed;
    it must not be the folder a notebook comes from, so the originals are never overwritten.
    """
    sources = [Path(p) for p in notebooks] if notebooks is not None else default_notebooks()
    dest = Path(dest)
    for source in sources:
        if not source.is_file():
            raise ValueError(f"notebook {source} does not exist: check the path")
        if dest.exists() and source.parent.resolve() == dest.resolve():
            raise ValueError(
                f"{dest} holds the original {source.name}: choose another folder for the copies"
            )
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"two notebooks share the name {duplicates[0]!r}: copy them separately")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        copy = student_version(nbformat.read(source, as_version=4))
        nbformat.validate(copy)
        target = dest / source.name
        nbformat.write(copy, target)
        written.append(target)
    return written
