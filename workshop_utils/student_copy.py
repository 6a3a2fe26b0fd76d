"""Student copies of the notebooks: no outputs, no solutions, hints kept.

A copy clears outputs, comments a shown ``qN.solution()`` out again and drops cells tagged
``solution``. Every notebook is checked before any is written, and a copy changed since it was
written (a learner's work) is never overwritten: :data:`RECORD` keeps what was written, since
comparing with what would be written now cannot tell an edit from an updated notebook.
"""

import hashlib
import json
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

import nbformat

from .config import REPO_DIR
from .files import write_text, writing

SOLUTION_TAG = "solution"
#: A line that shows an exercise's solution, uncommented: ``q1.solution()``.
SHOWN_SOLUTION = re.compile(r"^(\s*)(q\d+\.solution\(\))", re.MULTILINE)
#: In the copies' folder: the sha256 of each copy as last written there.
RECORD = ".student-copy.json"


def default_notebooks() -> list[Path]:
    """The workshop's notebooks (``notebooks/*.ipynb`` of the checkout), in order."""
    if REPO_DIR is None:
        raise ValueError("no notebooks to copy: run student-copy in a clone of the workshop's repository")
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


def _student_bytes(source: Path) -> bytes:
    """The student copy of the notebook ``source`` as the file to write; a clear error if invalid."""
    if not source.is_file():
        raise ValueError(f"notebook {source} does not exist: check the path")
    invalid: dict = {}
    try:
        nb = nbformat.read(source, as_version=4, capture_validation_error=invalid)
        if not invalid:
            copy = student_version(nb)
            nbformat.validate(copy)
            return (nbformat.writes(copy).rstrip("\n") + "\n").encode("utf-8")
    except (ValueError, KeyError, AttributeError, TypeError, nbformat.ValidationError) as error:
        invalid["ValidationError"] = error
    error = invalid["ValidationError"]
    path = list(getattr(error, "absolute_path", ()))
    where = f"cell {path[1] + 1}" if path[:1] == ["cells"] and len(path) > 1 else "/".join(map(str, path))
    what = ("matches no form the notebook format allows" if getattr(error, "validator", "") == "oneOf"
            else textwrap.shorten(getattr(error, "message", None) or str(error), 150))
    raise ValueError(f"{source} is not a valid notebook ({where + ': ' if where else ''}{what}): "
                     "repair or replace it; nothing was written")


def make_student_copies(
    dest: str | Path, notebooks: Iterable[str | Path] | None = None, *, force: bool = False
) -> dict[Path, str]:
    """Write a student copy of each notebook into ``dest``; return {copy: what was done}.

    ``notebooks`` defaults to the workshop's. A copy changed since it was written here is
    refused (nothing written) unless ``force``; an identical one is left alone.
    """
    sources = [Path(p) for p in notebooks] if notebooks is not None else default_notebooks()
    dest = Path(dest)
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"two notebooks share the name {duplicates[0]!r}: copy them separately")
    if dest.exists() and any(source.parent.resolve() == dest.resolve() for source in sources):
        raise ValueError(f"{dest} holds the original notebooks: choose another folder for the copies")
    copies = {dest / source.name: _student_bytes(source) for source in sources}
    for path in [dest, dest / RECORD, *copies]:
        if path.is_symlink():
            raise ValueError(f"{path} is a symbolic link: student-copy writes no file through a link "
                             "(it could lead out of the folder); remove it or choose another folder")
        if path.exists() and not (path.is_dir() if path == dest else path.is_file()):
            raise ValueError(f"{path} is in the way (not a {'folder' if path == dest else 'file'}): "
                             "move it or choose another folder")
    recorded = _recorded(dest / RECORD)
    done, changed = {}, []
    for target, data in copies.items():
        old = target.read_bytes() if target.exists() else None
        if old == data:
            done[target] = "unchanged"
        elif old is None or _sha256(old) == recorded.get(target.name):
            done[target] = "written"
        else:
            done[target] = "overwritten (--force)"
            changed.append(target.name)
    if changed and not force:
        raise ValueError(f"copies in {dest} changed since student-copy wrote them (a learner's work?): "
                         f"{', '.join(changed)}. Nothing was written: move them elsewhere to keep "
                         "them, or run student-copy again with --force to overwrite them.")
    record = {**recorded, **{target.name: _sha256(data) for target, data in copies.items()}}
    _write(dest, {target: data for target, data in copies.items() if done[target] != "unchanged"},
           record if record != recorded else None)
    return done


def _write(dest: Path, copies: dict[Path, bytes], record: dict | None) -> None:
    """Write each copy safely, then the record if given; a failure says what was written."""
    written = []
    try:
        for target, data in copies.items():
            with writing(target) as tmp:
                tmp.write_bytes(data)
            written.append(target.name)
        if record is not None:
            write_text(dest / RECORD, json.dumps({"notebooks": record}, indent=1) + "\n")
    except OSError as error:
        raise OSError(f"student-copy stopped: {error.strerror or error} in {dest}; written before: "
                      f"{', '.join(written) or 'none'}; every other file is as it was. Fix that (free "
                      "space, permissions) and run it again.") from error


def _recorded(path: Path) -> dict[str, str]:
    """The record's {notebook: sha256}; empty if missing or unreadable (every change is refused)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8")).get("notebooks")
    except (OSError, ValueError, AttributeError):
        return {}
    return record if isinstance(record, dict) else {}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
