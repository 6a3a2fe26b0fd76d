"""Regenerate the stored outputs of the notebooks: one clean, in-order run each.

    python tools/run_notebooks.py                 # every notebook in notebooks/
    python tools/run_notebooks.py notebooks/01_hopfield.ipynb
    python tools/run_notebooks.py --setup-only    # only refresh the badge and the setup cell

Each notebook gets its Colab badge (under the title) and its Colab setup cell refreshed from
``tools/colab.py``, then runs top to bottom in a fresh kernel (working directory
``notebooks/``) in full mode, exactly as the test suite runs it under nbval, and is written back
without widget state or timing metadata. Notebooks 01-03 do not depend on the mode; notebook 04
stores the outputs of a full run on the real photos (CC BY 4.0, attributed in the notebook), so
it needs them: already laid out in the data folder, or from the zip that
``WORKSHOP_WEATHER_SOURCE`` names, or downloaded.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))

from colab import COLAB_BADGE_IMAGE, badge_markdown, setup_cell_source  # noqa: E402

from benchmarks.measure import notebook_client  # noqa: E402

# Full mode always: the stored outputs are what nbval compares, and it runs notebook 04 in full mode.
KERNEL_ENV = {"WORKSHOP_FAST": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}


def refresh_setup_cell(nb: nbformat.NotebookNode) -> None:
    """Make the first code cell the shared Colab setup cell (it prints nothing outside Colab)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = setup_cell_source()
            cell.outputs = []
            return
    raise ValueError("notebook has no code cell to hold the setup cell")


def refresh_badge(nb: nbformat.NotebookNode, name: str) -> None:
    """Put the notebook's "Open in Colab" badge on the line right under its ``# N. Title``."""
    header = nb.cells[0] if nb.cells else None
    lines = header.source.splitlines() if header is not None and header.cell_type == "markdown" else []
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"{name}: the first cell must be markdown starting with '# N. Title'")
    rest = lines[1:]
    if rest and COLAB_BADGE_IMAGE in rest[0]:
        rest = rest[1:]
    header.source = "\n".join([lines[0], badge_markdown(name), *rest])


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop what must not be stored: widget state and per-cell execution timestamps."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)


def refresh(path: Path) -> None:
    """Refresh only the badge and the setup cell, without running the notebook."""
    nb = nbformat.read(path, as_version=4)
    refresh_badge(nb, path.name)
    refresh_setup_cell(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)


def run(path: Path, timeout: int = 900) -> None:
    nb = nbformat.read(path, as_version=4)
    refresh_badge(nb, path.name)
    refresh_setup_cell(nb)
    os.environ.update(KERNEL_ENV)
    # nbclient 0.11 crashes on Output widgets without widget state (KeyError in
    # output_widget.py); keep it while running and strip it in clean() instead.
    client = notebook_client(nb, path, timeout, store_widget_state=True)
    client.execute()
    clean(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--setup-only", action="store_true",
                        help="only rewrite each notebook's badge and setup cell; run nothing")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        if args.setup_only:
            refresh(path.resolve())
            print(f"refreshed the badge and setup cell of {path.name}")
            continue
        print(f"running {path.name} ...", flush=True)
        run(path.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
