"""Stored notebooks must come from one clean, in-order run (``python tools/run_notebooks.py``)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from colab import REPO_URL, setup_cell_source  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Absolute paths of a developer's or CI's machine that must never be stored in outputs.
MACHINE_PATH = re.compile(r"(/home/|/root/|/Users/|/work/|/tmp/|site-packages|[A-Z]:\\\\Users)")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def test_the_four_notebooks_exist():
    names = [p.name for p in NOTEBOOKS]
    for prefix in ("01_", "02_", "03_", "04_"):
        assert any(n.startswith(prefix) for n in names), f"no notebook {prefix}*.ipynb in {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_once_in_order(path):
    counts = [c.get("execution_count") for c in _code_cells(_load(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n: regenerate with "
        "`python tools/run_notebooks.py`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_errors_widget_state_or_machine_paths(path):
    nb = _load(path)
    assert "widgets" not in nb.get("metadata", {}), f"{path.name} stores widget state"
    for i, cell in enumerate(_code_cells(nb), start=1):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name} cell {i} stored an error"
            if out["output_type"] == "stream":
                text = _text(out["text"])
            else:
                text = _text(out.get("data", {}).get("text/plain", ""))
            match = MACHINE_PATH.search(text)
            assert match is None, f"{path.name} cell {i} stores a machine path: {match.group(0)!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_shared_colab_setup(path):
    first = _code_cells(_load(path))[0]
    assert _text(first["source"]) == setup_cell_source(), (
        f"{path.name}: the first code cell differs from tools/colab.py's setup_cell_source(); "
        "run `python tools/run_notebooks.py --setup-only` to refresh it"
    )


def test_readme_names_the_same_repository():
    assert REPO_URL.removeprefix("https://github.com/") in (ROOT / "README.md").read_text()


# -- exercises: learntools style, nothing of a solution stored ---------------------------------
HINT_CELL = ("# {q}.hint()      # uncomment for a hint\n"
             "# {q}.solution()  # uncomment to see a solution (instructors: run this to show it)")
CHECK_CALL = re.compile(r"^(q\d+)\.check\(answer\b", re.MULTILINE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_solution_and_no_verdict_is_stored(path):
    nb = _load(path)
    for i, cell in enumerate(_code_cells(nb), start=1):
        tags = cell.get("metadata", {}).get("tags", [])
        assert "solution" not in tags, (
            f"{path.name} code cell {i} is a solution cell: solutions live in the package "
            "(workshop_utils/exercises/<topic>.py), shown by qN.solution()")
        source = _text(cell["source"])
        assert not re.search(r"^\s*q\d+\.solution\(\)", source, re.MULTILINE), (
            f"{path.name} code cell {i} runs a solution: keep it commented out")
        assert not re.search(r"\bcheck_\w+\(", source), (
            f"{path.name} code cell {i} calls a check_* function: use qN.check(answer)")
    assert "Correct!" not in path.read_text(encoding="utf-8"), (
        f"{path.name} stores a 'Correct!' verdict: regenerate it with the exercises unanswered")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_check_is_followed_by_its_hint_and_solution_cell(path):
    code = [_text(c["source"]) for c in _code_cells(_load(path))]
    found = []
    for i, source in enumerate(code):
        for q in CHECK_CALL.findall(source):
            found.append(q)
            following = code[i + 1] if i + 1 < len(code) else ""
            assert following == HINT_CELL.format(q=q), (
                f"{path.name}: the cell after {q}.check(...) should be exactly\n"
                f"{HINT_CELL.format(q=q)}\ngot\n{following}")
    if found:
        assert found == [f"q{k}" for k in range(1, len(found) + 1)], f"{path.name}: exercises {found}"


# -- the same shape in every notebook ---------------------------------------------------------
README_TIMES = re.compile(r"^\| (\d) \| \[`(\d\d_\w+\.ipynb)`\].*?\| (\d+) min \|", re.MULTILINE)
SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
NUMBERED = re.compile(r"^(\d+)\. .+ \((core|optional)\)$")
EXERCISE = re.compile(r"^### Exercise (\d+): \S.*$", re.MULTILINE)



def readme_times() -> dict[str, int]:
    return {name: int(minutes) for _, name, minutes in README_TIMES.findall((ROOT / "README.md").read_text())}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shape(path):
    cells = _load(path)["cells"]
    intro = _text(cells[0]["source"])
    number = int(path.name[:2])
    assert cells[0]["cell_type"] == "markdown" and re.match(rf"# {number}\. \S", intro), (
        f"{path.name}: cell 0 should start with '# {number}. Title'")
    assert intro.splitlines()[1].strip() == "" or "colab" in intro.splitlines()[1].lower(), (
        f"{path.name}: leave a blank line after the title (the Colab badge goes there)")
    assert "**You will learn to**" in intro, f"{path.name}: no '**You will learn to**' objectives"
    time = re.search(r"\*\*Time:\*\* about (\d+) minutes", intro)
    assert time, f"{path.name}: no '**Time:** about N minutes' in cell 0"
    assert readme_times().get(path.name) == int(time.group(1)), (
        f"{path.name}: Time {time.group(1)} min differs from README's table {readme_times().get(path.name)}")
    markdown = "\n".join(_text(c["source"]) for c in cells if c["cell_type"] == "markdown")
    sections = SECTION.findall(markdown)
    assert sections[-2:] == ["Key points", "Next"], f"{path.name}: should end with Key points, Next"
    numbered = sections[:-2]
    for k, title in enumerate(numbered, start=1):
        match = NUMBERED.match(title)
        assert match and int(match.group(1)) == k, (
            f"{path.name}: section {title!r} should read '## {k}. Title (core)' or '(optional)'")
    exercises = [int(n) for n in EXERCISE.findall(markdown)]
    assert exercises == list(range(1, len(exercises) + 1)), f"{path.name}: exercises numbered {exercises}"


def test_readme_lists_every_notebook_with_a_time():
    assert sorted(readme_times()) == [p.name for p in NOTEBOOKS]


def test_the_instructor_plan_agrees_with_the_readme_and_fits_three_hours():
    guide = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    assert "(INSTRUCTORS.md)" in (ROOT / "README.md").read_text(), "README must link INSTRUCTORS.md"
    times = dict(re.findall(r"^\| (\d\d) [\w ]+ \| (\d+) min \|", guide, re.MULTILINE))
    assert {f"{name[:2]}": minutes for name, minutes in readme_times().items()} == {
        k: int(v) for k, v in times.items()}, "INSTRUCTORS.md's times differ from README's table"
    plan = re.search(r"## The plan.*?\n\n(\|.*?)\n\n", guide, re.DOTALL).group(1)
    rows = [line.split("|") for line in plan.splitlines()[2:]]
    minutes = [int(cells[3]) for cells in rows if cells[3].strip().isdigit()]
    assert sum(minutes) == 180, f"the plan adds up to {sum(minutes)} minutes, not 180"
    assert sum("**Break" in cells[2] or "break 2" in cells[2] for cells in rows) == 2, "two breaks"
    for name, teaching in readme_times().items():
        row = next(cells for cells in rows if f"Notebook {name[:2]}" in cells[2])
        assert int(row[3]) == teaching, f"the plan gives {name} {row[3].strip()} min, README {teaching}"
