"""Student copies: valid notebooks, no solutions, no outputs, hints kept, and they still run.

A room types along in the copies, so every later cell must work with the exercises still
open: a cell that needs what a solution computed has to get it from the package instead.
"""

from __future__ import annotations

import ast
import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workshop_utils.student_copy import (
    RECORD,
    hide_solutions,
    is_solution,
    make_student_copies,
    student_version,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _solution_cell(source: str) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"tags": ["solution"], "jupyter": {"source_hidden": True}})


def _exercise_notebook() -> nbformat.NotebookNode:
    """A small notebook in the workshop's exercise convention, as if it had been run."""
    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("x = 2", execution_count=1),
        new_markdown_cell("**Exercise.** Double x. *Hint:* multiply by 2."),
        new_code_cell("answer = ...\nanswer", execution_count=2),
        _solution_cell("answer = 2 * x\nanswer"),
        new_code_cell("hint = 'use *'", metadata={"tags": ["hint"]}),
        new_code_cell("y = x + 1\ny", execution_count=4),
    ]
    nb = new_notebook(cells=cells, metadata={"widgets": {"state": {}}})
    nb.cells[6].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "3"},
                                                  execution_count=4)]
    nb.cells[4].execution_count = 3
    return nb


# -- names a cell binds and reads, for a precise message when a copy breaks ------------------
def _python(source: str) -> ast.Module | None:
    """The cell as Python (IPython magics turned into calls), or None if it does not parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None


def bound_names(source: str) -> set[str]:
    """Names a cell assigns, imports or defines at top level."""
    tree = _python(source)
    names: set[str] = set()
    for node in ast.walk(tree) if tree else []:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def read_names(source: str) -> set[str]:
    """Names a cell reads."""
    tree = _python(source)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} if tree else set()


def needs_a_solution(nb: nbformat.NotebookNode) -> list[str]:
    """Later cells reading a name that only a solution cell binds, one line each."""
    problems, bound_by_kept, bound_by_solution = [], set(), {}
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code, start=1):
        if is_solution(cell):
            for name in bound_names(cell.source) - bound_by_kept:
                bound_by_solution.setdefault(name, index)
            continue
        for name in sorted((read_names(cell.source) & set(bound_by_solution)) - bound_by_kept):
            problems.append(
                f"code cell {index} reads {name!r}, which only the solution in code cell "
                f"{bound_by_solution[name]} defines: compute it with the package in a visible cell"
            )
        bound_by_kept |= bound_names(cell.source)
    return problems


# -- the function, on a small notebook --------------------------------------------------------
def test_solutions_and_outputs_go_hints_stay(tmp_path):
    source = tmp_path / "src" / "01_demo.ipynb"
    source.parent.mkdir()
    nbformat.write(_exercise_notebook(), source)
    original = source.read_bytes()

    [copy_path] = make_student_copies(tmp_path / "copies", [source])

    assert copy_path == tmp_path / "copies" / "01_demo.ipynb"
    copy = nbformat.read(copy_path, as_version=4)
    nbformat.validate(copy)
    sources = [cell.source for cell in copy.cells]
    assert "answer = 2 * x\nanswer" not in sources
    assert "answer = ...\nanswer" in sources  # the exercise stays open
    assert any("*Hint:*" in s for s in sources) and "hint = 'use *'" in sources
    assert len(copy.cells) == 6
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "widgets" not in copy.metadata
    assert source.read_bytes() == original  # the original is untouched


def test_a_solution_an_instructor_showed_is_hidden_again():
    nb = new_notebook(cells=[
        new_code_cell("answer = 5\nq1.check(answer)", execution_count=1),
        new_code_cell("# q1.hint()      # uncomment for a hint\nq1.solution()  # uncomment to see a solution",
                      execution_count=2),
    ])
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "Correct! Five."},
                                                  execution_count=1)]
    copy = student_version(nb)
    assert copy.cells[1].source == ("# q1.hint()      # uncomment for a hint\n"
                                    "# q1.solution()  # uncomment to see a solution")
    assert all(cell.outputs == [] for cell in copy.cells)
    assert hide_solutions("    q12.solution()\nx.solution()") == "    # q12.solution()\nx.solution()"


def test_student_version_leaves_its_input_alone():
    nb = _exercise_notebook()
    student_version(nb)
    assert sum(is_solution(cell) for cell in nb.cells) == 1
    assert nb.cells[6].outputs


def test_refuses_to_overwrite_the_originals(tmp_path):
    source = tmp_path / "01_demo.ipynb"
    nbformat.write(_exercise_notebook(), source)
    with pytest.raises(ValueError, match="holds the original"):
        make_student_copies(tmp_path, [source])


def test_clear_errors_for_bad_input(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        make_student_copies(tmp_path / "out", [tmp_path / "missing.ipynb"])
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        nbformat.write(_exercise_notebook(), tmp_path / folder / "same.ipynb")
    with pytest.raises(ValueError, match="share the name"):
        make_student_copies(tmp_path / "out", [tmp_path / "a/same.ipynb", tmp_path / "b/same.ipynb"])


def test_static_check_names_a_cell_that_needs_a_solution():
    nb = _exercise_notebook()
    nb.cells[4].source = "answer = doubled = 2 * x\nanswer"
    nb.cells.append(new_code_cell("%matplotlib inline\nprint(doubled * answer)"))
    [problem] = needs_a_solution(nb)  # 'answer' is bound by the exercise cell too
    assert problem.startswith("code cell 6 reads 'doubled', which only the solution in code cell 3")
    nb.cells[5].source = "doubled = 4"  # a visible cell computes it: fine
    assert needs_a_solution(nb) == []


# -- never throws work away, never writes half-way --------------------------------------------
def _sources(folder: Path, n: int = 3, size: int = 0) -> list[Path]:
    """``n`` exercise notebooks in ``folder`` (each padded with ``size`` characters of text)."""
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(1, n + 1):
        nb = _exercise_notebook()
        nb.cells[0].source = f"# Notebook {i}\n" + "x" * size
        nbformat.write(nb, folder / f"0{i}_demo.ipynb")
        paths.append(folder / f"0{i}_demo.ipynb")
    return paths


def test_a_second_run_leaves_identical_copies_alone(tmp_path):
    sources = _sources(tmp_path / "src")
    first = make_student_copies(tmp_path / "out", sources)
    assert set(first.values()) == {"written"}
    stamps = {path: path.stat().st_mtime_ns for path in first}
    again = make_student_copies(tmp_path / "out", sources)
    assert set(again.values()) == {"unchanged"}
    assert {path: path.stat().st_mtime_ns for path in again} == stamps


def test_a_changed_copy_is_never_overwritten_without_force(tmp_path):
    """A learner's work in the copy stops the run before anything is written; --force overwrites."""
    sources = _sources(tmp_path / "src")
    out = tmp_path / "out"
    copies = list(make_student_copies(out, sources))
    learners = copies[1].read_text().replace("answer = ...", "answer = 2 * x  # mine")
    copies[1].write_text(learners)
    nb = nbformat.read(sources[0], as_version=4)  # meanwhile the instructor improves notebook 1
    nb.cells.append(new_markdown_cell("A new section."))
    nbformat.write(nb, sources[0])
    before = {path: path.read_bytes() for path in out.iterdir()}
    with pytest.raises(ValueError) as refused:
        make_student_copies(out, sources)
    message = str(refused.value)
    assert "02_demo.ipynb" in message and "--force" in message and "Nothing was written" in message
    assert "01_demo" not in message and "make_student_copies" not in message
    assert {path: path.read_bytes() for path in out.iterdir()} == before
    done = make_student_copies(out, sources, force=True)
    assert list(done.values()) == ["written", "overwritten (--force)", "unchanged"]
    assert "A new section." in copies[0].read_text() and "# mine" not in copies[1].read_text()
    assert set(make_student_copies(out, sources).values()) == {"unchanged"}


def test_an_updated_notebook_replaces_its_untouched_copy(tmp_path):
    sources = _sources(tmp_path / "src", n=1)
    [copy] = make_student_copies(tmp_path / "out", sources)
    nb = nbformat.read(sources[0], as_version=4)
    nb.cells[0].source = "# Better title"
    nbformat.write(nb, sources[0])
    assert make_student_copies(tmp_path / "out", sources) == {copy: "written"}
    assert "# Better title" in copy.read_text()


def test_a_copy_it_has_no_record_of_is_kept(tmp_path):
    """No record (or a broken one): a copy that differs counts as someone's work."""
    sources = _sources(tmp_path / "src", n=2)
    out = tmp_path / "out"
    copies = list(make_student_copies(out, sources))
    (out / RECORD).write_text("{broken")
    copies[0].write_text(copies[0].read_text().replace("# Notebook 1", "# My notes"))
    with pytest.raises(ValueError, match="01_demo.ipynb. Nothing was written"):
        make_student_copies(out, sources)
    (out / RECORD).unlink()
    with pytest.raises(ValueError, match="01_demo.ipynb"):
        make_student_copies(out, sources)
    assert "My notes" in copies[0].read_text()


@pytest.mark.parametrize("damage", ["not json", "bad cell", "no source"])
def test_a_malformed_notebook_among_good_ones_writes_nothing(tmp_path, damage):
    sources = _sources(tmp_path / "src")
    text = sources[1].read_text()
    if damage == "not json":
        sources[1].write_text(text[: len(text) // 2])
    else:
        nb = json.loads(text)
        nb["cells"][3]["cell_type" if damage == "bad cell" else "source"] = "bogus"
        if damage == "no source":
            del nb["cells"][3]["source"]
        sources[1].write_text(json.dumps(nb))
    with pytest.raises(ValueError) as refused:
        make_student_copies(tmp_path / "out", sources)
    message = str(refused.value)
    assert message.startswith(f"{sources[1]} is not a valid notebook") and "nothing was written" in message
    assert {"not json": "JSON", "bad cell": "cell 4", "no source": "cell 4: 'source'"}[damage] in message
    assert not (tmp_path / "out").exists()


def test_a_symlink_is_never_written_through(tmp_path):
    sources = _sources(tmp_path / "src", n=2)
    outside = tmp_path / "outside.ipynb"
    outside.write_text("the instructor's file")
    out = tmp_path / "out"
    out.mkdir()
    (out / "02_demo.ipynb").symlink_to(outside)
    with pytest.raises(ValueError, match="02_demo.ipynb is a symbolic link"):
        make_student_copies(out, sources)
    assert outside.read_text() == "the instructor's file"
    assert sorted(p.name for p in out.iterdir()) == ["02_demo.ipynb"]
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ValueError, match="linked is a symbolic link"):
        make_student_copies(tmp_path / "linked", sources[:1])
    assert not any((tmp_path / "elsewhere").iterdir())
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / RECORD).symlink_to(outside)
    with pytest.raises(ValueError, match="is a symbolic link"):
        make_student_copies(tmp_path / "real", sources)
    (out / "02_demo.ipynb").unlink()
    (out / "02_demo.ipynb").mkdir()
    with pytest.raises(ValueError, match="is in the way"):
        make_student_copies(out, sources)


FULL_DISK = """
import sys
from pathlib import Path
from workshop_utils.student_copy import make_student_copies
out, sources = Path(sys.argv[1]), sorted(Path(sys.argv[2]).glob("*.ipynb"))
try:
    print(make_student_copies(out, sources))
except OSError as error:
    print("refused:", error)
print(sorted(p.name for p in out.iterdir()))
"""


def test_a_full_disk_leaves_no_half_notebook(tmp_path, monkeypatch):
    """Three 30 KB notebooks onto 80 KB: the third does not fit. On a small tmpfs when this runs as
    root (in its own mount namespace), else with a patched write; then, with room, a rerun finishes."""
    sources = _sources(tmp_path / "src", n=3, size=30_000)
    out = tmp_path / "out"
    if os.geteuid() == 0 and subprocess.run(["unshare", "--mount", "true"]).returncode == 0:
        out.mkdir()
        script = tmp_path / "student_copy_run.py"
        script.write_text(FULL_DISK)
        run = f"{sys.executable} {script} {out} {tmp_path / 'src'}"
        command = (f"mount -t tmpfs -o size=80k tmpfs {out} && {run} && echo ROOM && "
                   f"mount -o remount,size=1m {out} && {run}")
        done = subprocess.run(["unshare", "--mount", "sh", "-c", command], capture_output=True,
                              text=True, timeout=120, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        full, room = done.stdout.split("ROOM\n")
    else:
        real_write = Path.write_bytes

        def full_at_third(self, data):
            if len(list(self.parent.glob("0*.ipynb"))) == 2:
                real_write(self, data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(self, data)

        monkeypatch.setattr(Path, "write_bytes", full_at_third)
        with pytest.raises(OSError) as refused:
            make_student_copies(out, sources)
        full = f"refused: {refused.value}\n{sorted(p.name for p in out.iterdir())}\n"
        monkeypatch.undo()
        room = f"{make_student_copies(out, sources)}\n{sorted(p.name for p in out.iterdir())}\n"
    assert "refused: student-copy stopped: No space left on device" in full, full
    assert "written before: 01_demo.ipynb, 02_demo.ipynb; every other file is as it was" in full
    assert full.rstrip().endswith("['01_demo.ipynb', '02_demo.ipynb']"), full  # no half 03, no temporary
    assert room.count("'unchanged'") == 2 and room.count("'written'") == 1, room
    assert room.rstrip().endswith(f"['{RECORD}', '01_demo.ipynb', '02_demo.ipynb', '03_demo.ipynb']")


# -- the workshop's notebooks -----------------------------------------------------------------
@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[str, Path]:
    """Student copies of every notebook, by file name."""
    dest = tmp_path_factory.mktemp("student")
    return {path.name: path for path in make_student_copies(dest, NOTEBOOKS)}


def test_default_is_every_notebook(tmp_path):
    written = make_student_copies(tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.name)
def test_copy_is_valid_and_open(source, copies):
    original = nbformat.read(source, as_version=4)
    copy = nbformat.read(copies[source.name], as_version=4)
    nbformat.validate(copy)
    assert not any(is_solution(cell) for cell in copy.cells)
    assert len(copy.cells) == len(original.cells) - sum(is_solution(c) for c in original.cells)
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.name)
def test_copy_shows_no_solution_and_no_verdict(source, copies):
    text = copies[source.name].read_text(encoding="utf-8")
    assert "Correct!" not in text
    copy = nbformat.read(copies[source.name], as_version=4)
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert not re.search(r"^\s*q\d+\.solution\(\)", cell.source, re.MULTILINE), cell.source


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.name)
def test_no_later_cell_reads_a_solutions_result(source):
    problems = needs_a_solution(nbformat.read(source, as_version=4))
    assert not problems, f"{source.name}:\n" + "\n".join(problems)


# Each copy running top to bottom (fast mode) is checked where learners run it: tests/test_browser.py
# runs every learner's copy with Run All Cells in JupyterLab.
