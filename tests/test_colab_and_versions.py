"""Colab's setup cell (tools/colab.py), tools/run_notebooks.py's header badge and setup-cell
refresh, check's untested-versions line, and accelerator_line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from workshop_utils import __version__
from workshop_utils.__main__ import untested_versions

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402
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


def test_setup_only_refresh_rewrites_the_setup_cell_and_nothing_else(tmp_path):
    nb = _notebook(f"{TITLE}\n\nWhy this matters.")
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="old output\n")]
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", execution_count=2))
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    run_notebooks.main(["--setup-only", str(path)])
    setup, other = nbformat.read(path, as_version=4).cells[1:]
    assert (setup.source, setup.outputs) == (colab.setup_cell_source(), [])
    assert (other.source, other.execution_count) == ("x = 1", 2)


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




# --- the setup cell, run as Colab runs it ---------------------------------------------------------

FAILED = f"Setup failed, workshop_utils v{__version__} is not ready: "


def _fake(folder: Path, files: dict[str, str]) -> Path:
    """A folder of stand-in modules (a pip, a workshop_utils) to put first on PYTHONPATH."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def _pip_that(tmp_path: Path, exit_code: int, stderr: str = "") -> Path:
    """A ``python -m pip`` that records its arguments, prints ``stderr`` and exits with ``exit_code``."""
    return _fake(tmp_path / "fake", {
        "pip/__init__.py": "",
        "pip/__main__.py": ("import sys, pathlib\n"
                            "pathlib.Path(__file__).with_name('args.txt').write_text(repr(sys.argv[1:]))\n"
                            f"sys.stderr.write({stderr!r})\nraise SystemExit({exit_code})\n"),
    })


def _run_on_colab(tmp_path: Path, *, address: str | None = None, path: list[Path] = ()):
    """Run the setup cell in a fresh Python with ``google.colab`` present, as on Colab.

    ``address`` replaces the repository's address in the cell; ``path`` goes first on PYTHONPATH.
    A real pip installs into a folder of ``tmp_path`` (PIP_TARGET), never into this environment.
    """
    source = colab.setup_cell_source()
    if address is not None:
        source = source.replace(colab.REPO_URL, address)
    driver = ("import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
              "exec(compile(sys.stdin.read(), '<setup cell>', 'exec'))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, [*path, ROOT])),
           "PIP_TARGET": str(tmp_path / "installed"), "PIP_NO_INDEX": "1", "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run([sys.executable, "-c", driver], input=source, cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def _git_repository_without_the_tag(folder: Path) -> Path:
    git = ["git", "-C", str(folder), "-c", "user.name=test", "-c", "user.email=test@example.org"]
    folder.mkdir()
    subprocess.run([*git, "init", "-q"], check=True)
    (folder / "README.md").write_text("a repository that has no tag of this version\n")
    subprocess.run([*git, "add", "README.md"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    return folder


def _assert_failed_once(run, problem: str) -> None:
    """One line saying what went wrong and what to do, then an exception, so *Run all* stops."""
    assert run.stdout.count("\n") == 1 and run.stdout.startswith(FAILED + problem), run.stdout
    assert run.returncode != 0 and "RuntimeError: the setup failed" in run.stderr, run.stderr
    assert "Installed" not in run.stdout


def test_setup_cell_without_a_network_says_so_and_stops(tmp_path):
    # A real pip and git; a .invalid host never resolves (RFC 2606), with or without a network.
    run = _run_on_colab(tmp_path, address="https://github.invalid/ml-nn-intro/ml-nn-intro-workshop")
    _assert_failed_once(run, "GitHub cannot be reached: check that this runtime is online")


def test_setup_cell_without_the_repository_says_so_and_stops(tmp_path):
    missing = f"file://{tmp_path}/missing"
    _assert_failed_once(_run_on_colab(tmp_path, address=missing), f"there is no repository at {missing}")


def test_setup_cell_without_the_tag_says_so_and_stops(tmp_path):
    """The tag is missing: not released yet, or a fork whose notebooks still name another address."""
    repository = f"file://{_git_repository_without_the_tag(tmp_path / 'repo')}"
    run = _run_on_colab(tmp_path, address=repository)
    _assert_failed_once(run, f"{repository} has no tag v{__version__}: open the notebook from the "
                             "workshop's README (a fork must set its own address in tools/colab.py")


@pytest.mark.parametrize(("stderr", "problem"), [
    ("fatal: could not read Username for 'https://github.com': No such device or address\n",
     f"there is no repository at {colab.REPO_URL}: open the notebook from the workshop's README"),
    (f"remote: Repository not found.\nfatal: repository '{colab.REPO_URL}/' not found\n",
     f"there is no repository at {colab.REPO_URL}"),
    ("ERROR: No space left on device\n", "pip failed (ERROR: No space left on device): run this cell again"),
    ("", "pip failed (no message): run this cell again"),
], ids=["GitHub asks to log in", "GitHub says not found", "other", "silent"])
def test_setup_cell_reads_pips_error(tmp_path, stderr, problem):
    _assert_failed_once(_run_on_colab(tmp_path, path=[_pip_that(tmp_path, 1, stderr)]), problem)


def test_setup_cell_installs_this_tag_without_dependencies_and_says_so(tmp_path):
    fake = _pip_that(tmp_path, 0, "WARNING: a warning is not a failure, not found\n")
    run = _run_on_colab(tmp_path, path=[fake])
    assert (run.returncode, run.stdout) == (0, colab.installed_message() + "\n"), run.stderr
    assert run.stdout == f"Installed workshop_utils {__version__} (tag v{__version__}); Colab's own packages are left as they are.\n"
    assert (fake / "pip" / "args.txt").read_text() == repr([
        "install", "-q", "--no-deps",
        f"workshop_utils @ git+https://github.com/ml-nn-intro/ml-nn-intro-workshop@v{__version__}"])


@pytest.mark.parametrize(("package", "problem"), [
    ("__version__ = '0.0.1'\n", "version 0.0.1 was loaded earlier: Runtime > Restart session"),
    ("raise ImportError('a broken install')\n", "pip installed it, but it does not import (a broken install)"),
], ids=["an older version", "broken"])
def test_setup_cell_checks_the_package_imports_at_this_version(tmp_path, package, problem):
    stand_in = _fake(tmp_path / "package", {"workshop_utils/__init__.py": package})
    _assert_failed_once(_run_on_colab(tmp_path, path=[_pip_that(tmp_path, 0), stand_in]), problem)


def test_setup_cell_does_nothing_outside_colab(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    namespace = {}
    exec(compile(colab.setup_cell_source(), "<setup cell>", "exec"), namespace)  # noqa: S102
    assert capsys.readouterr() == ("", "")
    assert set(namespace) == {"__builtins__", "sys"}, "outside Colab the cell must only import sys"
