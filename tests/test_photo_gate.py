"""Notebook 04 under nbval: full mode on the real photos, or one failing line that says what to do.

Each test runs pytest (with nbval and the repository's ``conftest.py``) in a subprocess, on a
one-cell stand-in for notebook 04 in a temporary folder, with a data folder that holds no
photos. No test touches the internet: "no internet" is a source address where nothing listens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def run_pytest(tmp_path: Path, **env_extra: str) -> subprocess.CompletedProcess:
    """pytest --nbval on ``notebooks/04_weather_cnn.ipynb`` (one cell) under the repo's conftest."""
    folder = tmp_path / "repo"
    (folder / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "conftest.py", folder / "conftest.py")
    (folder / "pytest.ini").write_text("[pytest]\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('the notebook ran')")]
    nbformat.write(nb, folder / "notebooks" / "04_weather_cnn.ipynb")
    env = {k: v for k, v in os.environ.items()
           if k not in ("WORKSHOP_FAST", "WORKSHOP_WEATHER_SOURCE", "PYTEST_ADDOPTS")}
    env.update({"PYTHONPATH": str(ROOT), "WORKSHOP_DATA_DIR": str(tmp_path / "data"),
                "COLUMNS": "1000", **env_extra})  # wide: the summary line is not cut short
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "-rA", "notebooks/04_weather_cnn.ipynb"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=180,
    )


def failure_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("FAILED ")]


def test_no_photos_and_no_internet_fail_with_one_line_that_says_what_to_do(tmp_path, refused_url):
    result = run_pytest(tmp_path, WORKSHOP_WEATHER_SOURCE=refused_url)
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = failure_lines(result)
    assert line.startswith("FAILED notebooks/04_weather_cnn.ipynb::photos - ")
    assert "WORKSHOP_WEATHER_SOURCE" in line and "fetch --source" in line
    assert "1 failed" in result.stdout and "skipped" not in result.stdout
    assert "the notebook ran" not in result.stdout


def test_fast_mode_is_refused_rather_than_compared_with_full_mode_outputs(tmp_path):
    result = run_pytest(tmp_path, WORKSHOP_FAST="1")
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = failure_lines(result)
    assert "WORKSHOP_FAST=1" in line and "full mode" in line


def test_with_an_archive_to_fetch_from_the_notebook_runs(tmp_path, weather_set):
    _, archive, _ = weather_set
    result = run_pytest(tmp_path, WORKSHOP_WEATHER_SOURCE=str(archive))
    assert result.returncode == 0, result.stdout + result.stderr
    assert failure_lines(result) == [] and "1 passed" in result.stdout
