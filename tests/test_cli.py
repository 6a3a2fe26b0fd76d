"""``python -m workshop_utils check | fetch | student-copy`` as a learner or instructor runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, data_dir: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKSHOP_DATA_DIR": str(data_dir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "workshop_utils", *args],
        capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT,
    )


def test_check_reports_missing_photos_and_exits_nonzero(tmp_path):
    result = run_cli("check", "--skip-keras", data_dir=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Python" in result.stdout and "workshop_utils" in result.stdout
    assert "[missing] weather photos" in result.stdout
    assert "python -m workshop_utils fetch" in result.stderr


def test_check_imports_keras_and_reports_versions(tmp_path):
    result = run_cli("check", data_dir=tmp_path)
    assert "TensorFlow" in result.stdout and "Keras" in result.stdout, result.stdout + result.stderr
    assert "cores" in result.stdout and "notebook 04 needs about" in result.stdout
    assert "Keras will train on: " in result.stdout, result.stdout


def test_fetch_offline_fails_in_one_clear_line_and_leaves_no_photos(tmp_path, refused_url):
    result = run_cli("fetch", "--source", refused_url, data_dir=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "127.0.0.1" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "weather-img").exists()


def test_fetch_from_a_local_archive_then_again_is_a_no_op(tmp_path, weather_set, monkeypatch, capsys):
    """In-process, so that the test archive's own manifest can stand in for the shipped one."""
    from workshop_utils.__main__ import main
    from workshop_utils.weather import photos, split

    _, archive, table = weather_set
    monkeypatch.setattr(photos, "load_table", lambda: split.load_table(table))
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    assert main(["fetch", "--source", str(archive)]) == 0, capsys.readouterr()
    assert (tmp_path / "weather-img" / "train" / "cloudy").is_dir()
    capsys.readouterr()
    assert main(["fetch", "--source", str(archive)]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["check", "--skip-keras"]) == 0
    assert "All set" in capsys.readouterr().out


def test_fetch_of_a_corrupt_archive_fails_clearly(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"<html>not a zip</html>")
    result = run_cli("fetch", "--source", str(bad), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert result.stderr.startswith("error: weather photos:"), result.stderr
    assert not (tmp_path / "data" / "weather-img").exists()


@pytest.mark.parametrize("command", [["nonsense"], []])
def test_bad_usage_exits_nonzero(tmp_path, command):
    assert run_cli(*command, data_dir=tmp_path).returncode == 2


def test_student_copy_keeps_a_learners_work_and_speaks_cli(tmp_path):
    out = tmp_path / "handout"
    first = run_cli("student-copy", str(out), data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count(": written") == len(list((ROOT / "notebooks").glob("*.ipynb")))
    again = run_cli("student-copy", str(out), data_dir=tmp_path)
    assert again.returncode == 0 and ": written" not in again.stdout and ": unchanged" in again.stdout
    mine = out / "01_hopfield.ipynb"
    mine.write_text(mine.read_text().replace('"source": [', '"source": ["# my notes\\n", ', 1))
    refused = run_cli("student-copy", str(out), data_dir=tmp_path)
    assert refused.returncode == 1 and refused.stdout == ""
    [line] = refused.stderr.splitlines()
    assert line.startswith("error: copies in") and "01_hopfield.ipynb" in line and "--force" in line
    assert "# my notes" in mine.read_text()
    forced = run_cli("student-copy", str(out), "--force", data_dir=tmp_path)
    assert forced.returncode == 0 and "01_hopfield.ipynb: overwritten (--force)" in forced.stdout
    assert "# my notes" not in mine.read_text()


def test_a_bad_folder_is_one_line_naming_no_python_function(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    for dest, says in ((tmp_path / "file", "is in the way"), (ROOT / "notebooks", "holds the original")):
        result = run_cli("student-copy", str(dest), data_dir=tmp_path)
        assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("error: ") and says in result.stderr
        assert not re.search(r"[A-Za-z_]\(", result.stderr), result.stderr  # no name(...) call


def test_a_datasets_error_is_one_line_whatever_its_text(tmp_path, monkeypatch, capsys):
    """An error of several lines (a server's page, a library's report) still prints as one line."""
    from workshop_utils import data
    from workshop_utils.__main__ import main

    def broken_fetch(source=None):
        raise RuntimeError("the server said:\n\n  <html>503</html>\n")

    broken = data.Dataset("broken", "04_weather_cnn", lambda: (False, "missing"), broken_fetch,
                          ".zip", "broken.zip")
    monkeypatch.setattr(data, "DATASETS", (broken,))
    assert main(["fetch"]) == 1
    err = capsys.readouterr().err
    assert err == "error: broken: the server said: <html>503</html>\n"


def test_check_weighs_free_memory_against_notebook_04s_measured_peak():
    from workshop_utils.machine import NOTEBOOK_04_PEAK_MB, memory_line

    need = NOTEBOOK_04_PEAK_MB * 10**6
    assert memory_line(need + 10**8).endswith(": enough")
    short = memory_line(need - 10**8)
    assert "not enough" in short and "Shut Down All Kernels" in short and "\n" not in short
