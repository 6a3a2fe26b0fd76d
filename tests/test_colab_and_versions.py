"""tools/run_notebooks.py's header badge, check's untested-versions line, and accelerator_line."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from workshop_utils import colab
from workshop_utils.__main__ import untested_versions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import run_notebooks  # noqa: E402

TITLE = "# 1. A title"


def _notebook(header: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(header),
                                           nbformat.v4.new_code_cell("pass")])


@pytest.mark.parametrize("header", [
    f"{TITLE}\n\nWhy this matters.",
    f"{TITLE}\n[![Open in Colab]({colab.COLAB_BADGE_IMAGE})](https://colab.research.google.com/github/x/y/blob/main/n.ipynb)\n\nWhy this matters.",
], ids=["no badge yet", "old badge"])
def test_badge_goes_right_under_the_title_once(header):
    nb = _notebook(header)
    run_notebooks.refresh_badge(nb, "01_x.ipynb")
    run_notebooks.refresh_badge(nb, "01_x.ipynb")
    assert nb.cells[0].source == f"{TITLE}\n{colab.badge_markdown('01_x.ipynb')}\n\nWhy this matters."


def test_badge_needs_a_title_cell():
    with pytest.raises(ValueError, match="# N. Title"):
        run_notebooks.refresh_badge(_notebook("No title here"), "01_x.ipynb")


def test_badge_and_install_share_the_tag():
    assert f"/blob/{colab.TAG}/notebooks/02_y.ipynb" in colab.badge_markdown("02_y.ipynb")
    assert colab.pip_target().endswith(f"@{colab.TAG}")
    assert f"/{colab.TAG}?" in colab.binder_url()


def test_untested_versions_in_one_line():
    tested = {"python": ("3.11.7",), "tensorflow": ("2.21.0",), "ipywidgets": ("8.1.9", "7.7.1"),
              "jupyterlab": ("4.6.6",)}
    same = {"python": "3.11.2", "tensorflow": "2.21.1", "ipywidgets": "7.7.5", "jupyterlab": None}
    assert untested_versions(same, tested) is None
    note = untested_versions({**same, "tensorflow": "2.19.0", "ipywidgets": "8.2.0"}, tested)
    assert note.count("\n") == 0 and note.startswith("note: CI tested the workshop with other versions of ")
    assert "tensorflow 2.19.0 (tested: 2.21.0)" in note and "ipywidgets 8.2.0 (tested: 8.1.9, 7.7.1)" in note
    assert "python" not in note


def test_check_prints_the_note_when_versions_differ(monkeypatch, tmp_path, capsys):
    from importlib.metadata import version

    import workshop_utils.__main__ as cli

    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(cli, "TESTED", {"ipywidgets": ("0.1.0",)})
    cli.main(["check", "--skip-keras"])
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: CI tested")]
    assert notes == [f"note: CI tested the workshop with other versions of ipywidgets {version('ipywidgets')} "
                     "(tested: 0.1.0). The notebooks may still work; if one fails, "
                     "`pip install -r requirements.txt` in a fresh venv."]


def test_accelerator_line_names_the_first_gpu_or_the_cpu(monkeypatch):
    tf = pytest.importorskip("tensorflow")
    from workshop_utils.machine import accelerator_line

    real = accelerator_line()
    assert real.startswith("Keras will train on: ")
    if not tf.config.list_physical_devices("GPU"):
        assert real == "Keras will train on: the CPU (no GPU found)"

    gpus = [tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU"),
            tf.config.PhysicalDevice("/physical_device:GPU:1", "GPU")]
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: gpus)
    monkeypatch.setattr(tf.config.experimental, "get_device_details",
                        lambda device: {"device_name": "NVIDIA Tesla T4"})
    assert accelerator_line() == "Keras will train on: GPU 0 (NVIDIA Tesla T4); 1 more GPU found, not used by default"
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    assert accelerator_line() == "Keras will train on: the CPU (no GPU found)"


