"""Stored notebooks must come from one clean, in-order run (``python tools/run_notebooks.py``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workshop_utils.colab import REPO_URL, setup_cell_source

ROOT = Path(__file__).resolve().parents[1]
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
        f"{path.name}: the first code cell differs from workshop_utils.colab.setup_cell_source(); "
        "run `python tools/run_notebooks.py` to refresh it"
    )


def test_readme_names_the_same_repository():
    assert REPO_URL.removeprefix("https://github.com/") in (ROOT / "README.md").read_text()
