"""Binder's environment, built and run by CI: every notebook in a venv made from environment.yml.

    .venv/bin/python .ci/binder.py python          # the Python version environment.yml names
    .venv/bin/python .ci/binder.py requirements    # its pip: list, one requirement a line
    .venv-binder/bin/python .ci/binder.py run      # run every notebook there; a table; 1 on an error

Binder builds ``environment.yml`` (that Python, then the pip: list) and runs ``postBuild``;
``.ci/run`` does the same in a fresh venv, ``.venv-binder``, with nothing else in it, then calls
``run`` with that venv's Python. Notebooks 01-03 run as learners run them; notebook 04 in fast
mode (``WORKSHOP_FAST=1``: fewer of the real photos, few epochs), which cannot match its stored
full-mode outputs, so every notebook here is executed, not compared: the main environment, whose
versions the lock copies, compares them under nbval. Each kernel's peak memory is measured by
``benchmarks/measure.py`` (Binder gives 2 GB).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "environment.yml"
#: What a Binder session may use (mybinder.org's limit).
BINDER_MB = 2000
FAST_NOTEBOOKS = ("04_weather_cnn.ipynb",)


def lock():
    import yaml  # in the main environment, and in Binder's through Jupyter

    return yaml.safe_load(LOCK.read_text())["dependencies"]


def python_version() -> str:
    """The Python the lock names, such as ``3.11``."""
    [python] = [entry for entry in lock() if isinstance(entry, str) and re.match(r"python\s*=", entry)]
    return python.split("=", 1)[1].strip()


def requirements() -> list[str]:
    """The lock's pip: list."""
    return [line for entry in lock() if isinstance(entry, dict) for line in entry.get("pip", [])]


def run() -> int:
    """Run every notebook in a fresh kernel of this Python; print a table; 1 if any failed."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import measure

    rows, failed = [], False
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        fast = path.name in FAST_NOTEBOOKS
        env = {**os.environ, "WORKSHOP_FAST": "1" if fast else "0"}
        print(f"running {path.name} ({'fast' if fast else 'full'} mode) ...", flush=True)
        result = measure.run_notebook(path, env, mode="fast" if fast else "full", timeout=900)
        failed |= result.error is not None
        note = result.error or ("over Binder's 2 GB" if result.peak_mb > BINDER_MB else "ok")
        rows.append(f"| {path.name} | {result.mode} | {result.wall_seconds:.0f} | {result.peak_mb:.0f} | {note} |")
    print("\nBinder's environment (environment.yml, postBuild): every notebook executed, not compared")
    print("| notebook | mode | seconds | kernel peak MB | result |\n|---|---|---|---|---|")
    print("\n".join(rows))
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    commands = {"python": lambda: print(python_version()),
                "requirements": lambda: print("\n".join(requirements())), "run": run}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: {Path(__file__).name} {{{','.join(commands)}}}", file=sys.stderr)
        return 2
    return commands[argv[0]]() or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
