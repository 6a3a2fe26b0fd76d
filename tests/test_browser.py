"""The learner's path in a real browser: JupyterLab, Run All Cells, widgets that render and respond.

For every notebook in ``notebooks/`` (its learner's copy, as ``student-copy`` writes it: no
solutions, no outputs; fast mode, a temporary data folder) this opens JupyterLab in headless Chromium, runs all cells through the Run menu,
waits for the kernel, and checks that

* no cell shows an error, and every code cell ran;
* every widget output renders (a widget in the page, no "Loading widget..." or error text);
* at least one interaction works in each widget notebook (:data:`INTERACTIONS`).

A self-test first proves that the checks catch a broken widget and an error. On a failure the
page is saved as a screenshot (the path is printed). Without Playwright or Chromium the tests
skip, unless ``WORKSHOP_REQUIRE_BROWSER=1`` (CI), where they fail and say what to install.
``WORKSHOP_BROWSER_TIMEOUT`` bounds one notebook's run (seconds, default 600);
``WORKSHOP_BROWSER_NOTEBOOKS`` tests another folder of notebooks instead of ``notebooks/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jupyter_browser as browser
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.standins import make_standin_weather

ROOT = Path(__file__).resolve().parents[1]
# WORKSHOP_BROWSER_NOTEBOOKS: another folder of notebooks to test (yours, or a broken copy).
NOTEBOOK_DIR = Path(os.environ.get("WORKSHOP_BROWSER_NOTEBOOKS", ROOT / "notebooks"))
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
RUN_TIMEOUT_S = float(os.environ.get("WORKSHOP_BROWSER_TIMEOUT", "600"))
REQUIRE_ENV = "WORKSHOP_REQUIRE_BROWSER"
SELF_TEST = "00_browser_self_test.ipynb"


# -- one interaction per widget notebook ------------------------------------------------------
def hopfield_recall(nb: browser.NotebookPage) -> None:
    """Click three pixels of the drawing grid, press Recall: the grid and status change."""
    cell = nb.widget_cell("Recall")
    pixels = cell.locator(".widget-gridbox .widget-toggle-button")
    assert pixels.count() >= 25, f"expected a 5x5 grid of pixels, found {pixels.count()}"
    for index in (0, 6, 12):
        pixels.nth(index).click()
    nb.operate(cell, nb.button(cell, "Recall"), nb.click)


def clustering_segments(nb: browser.NotebookPage) -> None:
    """Move the "segments" slider one step: the figure and the segment table are redrawn."""
    cell = nb.widget_cell("segments")
    nb.operate(cell, nb.slider(cell, "segments"), nb.nudge)


def regression_slope(nb: browser.NotebookPage) -> None:
    """Move the "w1" (slope) slider one step: the line, the loss point and the MSE move."""
    cell = nb.widget_cell("w1")
    nb.operate(cell, nb.slider(cell, "w1"), nb.nudge)


def weather_augmentation(nb: browser.NotebookPage) -> None:
    """Move the "rotation" slider one step: the augmented previews are redrawn."""
    cell = nb.widget_cell("rotation")
    nb.operate(cell, nb.slider(cell, "rotation"), nb.nudge, timeout_s=60)


def self_test_click(nb: browser.NotebookPage) -> None:
    """Press the self-test's button: its label counts; a button wired to nothing is caught."""
    cell = nb.widget_cell("Press me")
    nb.operate(cell, nb.button(cell, "Press me"), nb.click)
    assert "clicks: 1" in cell.inner_text()
    with pytest.raises(AssertionError, match="changed nothing"):
        nb.operate(cell, nb.button(cell, "Idle"), nb.click, timeout_s=2)


#: Notebook name prefix -> an interaction that must work once all cells have run.
INTERACTIONS: dict[str, Callable[[browser.NotebookPage], None]] = {
    "00_browser_self_test": self_test_click,
    "01_": hopfield_recall,
    "02_": clustering_segments,
    "03_": regression_slope,
    "04_": weather_augmentation,
}


def interaction_for(name: str) -> Callable[[browser.NotebookPage], None] | None:
    """The interaction registered for a notebook file name, if any."""
    return next((act for prefix, act in INTERACTIONS.items() if name.startswith(prefix)), None)


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser_ready() -> None:
    """Skip (or, with WORKSHOP_REQUIRE_BROWSER=1, fail) when Playwright or Chromium is missing."""
    reason = browser.missing_browser()
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV, "").strip() == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the browser test cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason} (set {REQUIRE_ENV}=1 to make this a failure)")


@pytest.fixture(scope="module")
def lab(browser_ready, tmp_path_factory):
    """JupyterLab serving a working copy of the notebooks (plus the self-test); always stopped."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    browser.working_copy(NOTEBOOKS, root)
    nbformat.write(self_test_notebook(), root / SELF_TEST)
    make_standin_weather(base / "data", n_per_class=16)  # notebook 04's photos, without the real ones
    env = {
        "WORKSHOP_FAST": "1",
        "WORKSHOP_DATA_DIR": str(base / "data"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    server = browser.start_lab(root, base / "state", env)
    try:
        yield server, root
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(browser_ready):
    """One headless Chromium for the module; closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = browser.launch_chromium(playwright)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def open_notebook(lab, chromium, tmp_path):
    """Open a notebook of the working copy in a fresh page; screenshot on failure; free the kernel."""
    server, root = lab
    pages = []

    def _open(name: str) -> browser.NotebookPage:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        nb = browser.NotebookPage(page, server, root / name)
        pages.append(nb)
        nb.open()
        return nb

    yield _open
    for nb in pages:
        nb.page.close()
    server.shutdown_kernels()


def self_test_notebook() -> nbformat.NotebookNode:
    """A tiny notebook with a working widget, a widget with a wrong front-end model, an error."""
    working = (
        "import ipywidgets as w\n"
        "label = w.Label('clicks: 0')\n"
        "button = w.Button(description='Press me')\n"
        "button.on_click(lambda _b: setattr(label, 'value', f'clicks: {int(label.value[8:]) + 1}'))\n"
        "w.VBox([w.IntSlider(description='n'), button, label, w.Button(description='Idle')])"
    )
    broken = (
        "from traitlets import Unicode\n"
        "class Broken(w.Button):\n"
        "    _model_name = Unicode('NoSuchButtonModel').tag(sync=True)\n"
        "Broken(description='broken')"
    )
    cells = [new_code_cell(working), new_code_cell(broken), new_code_cell("1 / 0"),
             new_code_cell("'never runs'")]
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernelspec})


# -- checks -----------------------------------------------------------------------------------
def cell_errors(nb: nbformat.NotebookNode) -> list[str]:
    """Errors shown in a run notebook, and code cells that did not run, one line each."""
    problems = []
    for index, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        label = f"code cell {index} ({browser.first_line(cell.source)!r})"
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"{label}: {output.ename}: {output.evalue}")
        if cell.execution_count is None and cell.source.strip():
            problems.append(f"{label} did not run")
    return problems


def widget_output_count(nb: nbformat.NotebookNode) -> int:
    """How many widget outputs the run notebook holds."""
    return sum(
        browser.WIDGET_MIME in output.get("data", {})
        for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
    )  # fmt: skip


def run_in_browser(nb: browser.NotebookPage) -> tuple[nbformat.NotebookNode, float]:
    """Run all cells through the menu, then save and read back the notebook; seconds taken."""
    seconds = nb.run_all(RUN_TIMEOUT_S)
    return nb.save(), seconds


def screenshot_on_failure(nb: browser.NotebookPage, folder: Path, check: Callable[[], None]):
    """Run ``check``; when it fails, save a screenshot and name it in the failure."""
    try:
        check()
    except Exception as error:
        path = nb.screenshot(folder)
        print(f"screenshot of {nb.name}: {path}")
        raise AssertionError(f"{error}\n(screenshot: {path})") from error


# -- tests ------------------------------------------------------------------------------------
def test_self_test_catches_a_broken_widget_and_an_error(open_notebook, tmp_path):
    nb = open_notebook(SELF_TEST)

    def run_and_check():
        run, _ = run_in_browser(nb)
        assert cell_errors(run) == [
            "code cell 3 ('1 / 0'): ZeroDivisionError: division by zero",
            "code cell 4 (\"'never runs'\") did not run",
        ]
        failures = nb.widget_failures(run)
        assert failures and all(f.startswith("code cell 2 ") for f in failures), failures
        self_test_click(nb)

    screenshot_on_failure(nb, tmp_path / "screenshots", run_and_check)


@pytest.mark.slow
@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_in_jupyterlab(source, open_notebook, tmp_path):
    nb = open_notebook(source.name)
    shots = tmp_path / "screenshots"

    def run_and_check():
        run, seconds = run_in_browser(nb)
        print(f"{source.name}: Run All Cells took {seconds:.1f} s in the browser")
        errors = cell_errors(run)
        assert not errors, (f"the learner's copy of {source.name} in JupyterLab (if a cell needs a "
                            "removed solution's result, compute it in a visible cell):\n"
                            + "\n".join(errors))
        failures = nb.widget_failures(run)
        assert not failures, f"{source.name}: widgets do not render:\n" + "\n".join(failures)
        interact = interaction_for(source.name)
        if widget_output_count(run):
            assert interact is not None, (
                f"{source.name} shows widgets but has no interaction to test: add one to "
                "INTERACTIONS in tests/test_browser.py"
            )
            interact(nb)

    screenshot_on_failure(nb, shots, run_and_check)
