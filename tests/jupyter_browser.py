"""Drive JupyterLab in headless Chromium: the machinery behind ``tests/test_browser.py``.

* :func:`start_lab` starts a JupyterLab server on 127.0.0.1 (free port, random token, its own
  settings and workspaces) and waits, bounded, until it answers;
* :class:`NotebookPage` opens one notebook in a browser page, runs all cells through the
  menus, waits for the kernel, and reads back what a learner would see.

Chromium is Debian's (``/usr/bin/chromium``, or ``WORKSHOP_CHROMIUM``), never a download.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat

CHROMIUM = Path(os.environ.get("WORKSHOP_CHROMIUM", "/usr/bin/chromium"))
# Flags that keep Chromium quiet on a machine with a closed network (see the CI notes).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# What the widget manager shows instead of a widget when something is wrong.
WIDGET_FAILURE_TEXTS = ("Loading widget...", "Error displaying widget", "Click to show javascript error")
# JupyterLab user settings: every cell in the DOM, no news pop-up over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def missing_browser() -> str | None:
    """Why the browser test cannot run here (what to install), or None when it can."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package playwright (`pip install playwright`)")
    if not os.access(CHROMIUM, os.X_OK):
        problems.append(
            f"Chromium at {CHROMIUM} (`apt-get install -y chromium`, or set WORKSHOP_CHROMIUM); "
            "never `playwright install`"
        )
    return "missing " + " and ".join(problems) if problems else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def working_copy(notebooks: list[Path], root: Path) -> list[Path]:
    """The learners' copies of the notebooks in ``root`` (``student-copy``: no solutions, no
    outputs), so any output seen was made now, and the copies learners open are the ones run."""
    from workshop_utils.student_copy import student_version

    root.mkdir(parents=True, exist_ok=True)
    copies = []
    for source in notebooks:
        target = root / source.name
        nbformat.write(student_version(nbformat.read(source, as_version=4)), target)
        copies.append(target)
    return copies


@dataclass
class LabServer:
    """A running JupyterLab server started by :func:`start_lab`."""

    process: subprocess.Popen
    port: int
    token: str
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str, workspace: str) -> str:
        """Open ``name`` in a fresh workspace, so no other document is restored beside it."""
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"

    def api(self, method: str, path: str, timeout: float = 10) -> object:
        """Call the server's REST API; return the decoded JSON (None when empty)."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def connected_kernels(self) -> list[dict]:
        """The kernels that a browser page is connected to."""
        return [k for k in self.api("GET", "kernels") if k.get("connections", 0) > 0]

    def shutdown_kernels(self) -> None:
        """Shut down every kernel this server runs (frees the memory a notebook took)."""
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}", timeout=30)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for error messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20) -> None:
        """Stop the server and its kernels: politely first, then by force."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)


def start_lab(root: Path, state: Path, env: dict[str, str], timeout: float = 90) -> LabServer:
    """Start JupyterLab serving ``root``, its settings under ``state``; wait until it answers.

    The server gets a random token, listens on 127.0.0.1 only, opens no browser, and runs in
    its own process group, so :meth:`LabServer.stop` can end its kernels with it.
    """
    settings = state / "settings"
    for name, value in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    log_path = state / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}",
    ]  # fmt: skip
    full_env = {**os.environ, "JUPYTER_CONFIG_DIR": str(state / "config"), **env}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=root, env=full_env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = LabServer(process, port, token, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {process.returncode} while starting:\n"
                f"{server.log_tail()}"
            )
        try:
            server.api("GET", "status", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def launch_chromium(playwright):
    """Start Debian's headless Chromium through Playwright (fresh, empty profile)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )


# JavaScript: the HTML of a cell's outputs without the control being operated (marked with
# data-e2e-control), so that a slider's own readout does not count as "something changed".
_OUTPUT_SNAPSHOT = """cell => {
    const area = cell.querySelector('.jp-Cell-outputArea');
    if (!area) return '';
    const copy = area.cloneNode(true);
    copy.querySelectorAll('[data-e2e-control]').forEach(e => e.remove());
    return copy.innerHTML;
}"""
_RUN_FINISHED = """panel => {
    const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent.trim());
    return (!status || status.dataset.status === 'idle')
        && !prompts.includes('[*]:')
        && prompts.some(p => /^\\[\\d+\\]:$/.test(p));
}"""


class NotebookPage:
    """One notebook open in JupyterLab in a browser page, as a learner sees it."""

    def __init__(self, page, server: LabServer, path: Path):
        self.page = page
        self.server = server
        self.path = path
        self.name = path.name
        self.focus_cell = None  # the cell being checked: shown in a failure's screenshot
        self.panel = page.locator(".jp-NotebookPanel").filter(
            has=page.locator(".jp-Notebook")
        )

    def open(self, timeout_s: float = 60) -> None:
        """Load JupyterLab with only this notebook and wait until its kernel is idle."""
        self.page.goto(self.server.notebook_url(self.name, workspace=self.path.stem))
        self.panel.locator(".jp-Cell").first.wait_for(timeout=timeout_s * 1000)
        kernel_dialog = self.page.locator(".jp-Dialog").get_by_role("button", name="Select")
        deadline = time.monotonic() + timeout_s
        while not self.server.connected_kernels():
            if kernel_dialog.is_visible():  # no kernelspec in the notebook: take the default
                kernel_dialog.click()
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: no kernel connected within {timeout_s:.0f} s")
            time.sleep(0.2)
        # The indicator says "idle" before it connects too; once connected, idle means ready.
        self.panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=timeout_s * 1000
        )

    def focus(self) -> None:
        """Click the first cell's prompt: menu commands act on the notebook that has focus."""
        self.panel.locator(".jp-Cell .jp-InputPrompt").first.click()

    def run_all(self, timeout_s: float) -> float:
        """Run > Run All Cells; wait until no cell is queued and the kernel is idle; seconds taken."""
        start = time.monotonic()
        self.focus()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        self.page.wait_for_function(
            _RUN_FINISHED, arg=self.panel.element_handle(), timeout=timeout_s * 1000,
            polling=250,
        )  # fmt: skip
        return time.monotonic() - start

    def save(self, timeout_s: float = 30) -> nbformat.NotebookNode:
        """File > Save Notebook, then read the notebook back from disk."""
        before = self.path.stat().st_mtime_ns
        self.focus()
        self.page.get_by_role("menuitem", name="File", exact=True).click()
        self.page.locator(".lm-Menu-item[data-command='docmanager:save']").click()
        deadline = time.monotonic() + timeout_s
        while self.path.stat().st_mtime_ns == before:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} was not saved within {timeout_s:.0f} s")
            time.sleep(0.1)
        # Jupyter writes the file in place (truncate, then write): on a busy machine the first
        # look can find it empty or half-written, so read until a whole notebook comes back.
        while True:
            try:
                return nbformat.read(self.path, as_version=4)
            except ValueError:  # nbformat's NotJSONError and json's JSONDecodeError both are
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def code_cells(self):
        """Locator of the code cells in notebook order."""
        return self.panel.locator(".jp-Notebook .jp-CodeCell")

    def widget_failures(self, nb: nbformat.NotebookNode, timeout_s: float = 30) -> list[str]:
        """What is wrong with the widget outputs on the page (empty when every one renders).

        Every code cell whose saved outputs include a widget view must show a widget DOM node
        (``.jupyter-widgets``) and none of the widget manager's loading or error texts.
        """
        failures = []
        dom_cells = self.code_cells()
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        for index, cell in enumerate(code):
            views = [o for o in cell.outputs if WIDGET_MIME in o.get("data", {})]
            if not views:
                continue
            area = dom_cells.nth(index).locator(".jp-Cell-outputArea")
            self.focus_cell = area
            label = f"code cell {index + 1} ({first_line(cell.source)!r})"
            try:  # widgets render asynchronously: give "Loading widget..." time to go
                self.page.wait_for_function(
                    "area => !area.textContent.includes('Loading widget...')",
                    arg=area.element_handle(), timeout=timeout_s * 1000,
                )  # fmt: skip
            except Exception:  # noqa: BLE001 - reported below with the text seen
                pass
            text = area.inner_text()
            for bad in WIDGET_FAILURE_TEXTS:
                if bad in text:
                    failures.append(f"{label} shows {bad!r}")
            if area.locator(".jupyter-widgets-error-widget").count():
                failures.append(f"{label} shows the widget manager's error widget")
            if not area.locator(".jupyter-widgets").count():
                failures.append(f"{label} has a widget output but no widget in the page")
        return failures

    def widget_cell(self, text: str):
        """The code cell whose widget output contains ``text`` (a description, a label)."""
        return self.code_cells().filter(
            has=self.page.locator(".jp-Cell-outputArea .jupyter-widgets", has_text=text)
        ).first

    def output_snapshot(self, cell) -> str:
        """The HTML of a cell's outputs, without any control marked as being operated."""
        return cell.evaluate(_OUTPUT_SNAPSHOT)

    def operate(self, cell, control, action, timeout_s: float = 30) -> None:
        """Do ``action(control)`` and wait until the rest of the cell's outputs changes.

        The control itself is left out of the comparison (a slider's own readout moving
        proves nothing); fails with a clear message when nothing else changes in time.
        """
        self.focus_cell = cell
        control.evaluate("e => e.setAttribute('data-e2e-control', '')")
        before = self.output_snapshot(cell)
        action(control)
        try:
            self.page.wait_for_function(
                f"([cell, before]) => ({_OUTPUT_SNAPSHOT})(cell) !== before",
                arg=[cell.element_handle(), before], timeout=timeout_s * 1000, polling=100,
            )  # fmt: skip
        except Exception as error:
            raise AssertionError(
                f"{self.name}: operating the widget changed nothing else in its output "
                f"within {timeout_s:.0f} s"
            ) from error
        finally:
            control.evaluate("e => e.removeAttribute('data-e2e-control')")

    def button(self, cell, description: str):
        """The widget button labelled ``description`` in ``cell``."""
        return cell.locator(".widget-button", has_text=description).first

    def slider(self, cell, description: str):
        """The slider (label, track and readout) with this description in ``cell``."""
        return cell.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=description)
        ).first

    @staticmethod
    def click(control) -> None:
        """Click a control (an action for :meth:`operate`)."""
        control.click()

    @staticmethod
    def nudge(slider, steps: int = 1) -> None:
        """Move a slider ``steps`` to the right with the keyboard; check that it moved."""
        handle = slider.locator(".noUi-handle").first
        before = handle.get_attribute("aria-valuetext")  # full precision, unlike valuenow
        handle.focus()
        for _ in range(steps):
            handle.press("ArrowRight")
        try:
            handle.page.wait_for_function(
                "([h, before]) => h.getAttribute('aria-valuetext') !== before",
                arg=[handle.element_handle(), before], timeout=5000,
            )  # fmt: skip
        except Exception as error:
            raise AssertionError(
                f"the slider did not move from {before} (already at its maximum?)"
            ) from error

    def screenshot(self, folder: Path) -> Path:
        """Save a screenshot (the cell being checked in view) into ``folder``; return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.path.stem}.png"
        if self.focus_cell is not None and self.focus_cell.count():
            self.focus_cell.scroll_into_view_if_needed()
        self.page.screenshot(path=str(path), full_page=True)
        return path


def first_line(source: str) -> str:
    """The first line of a cell's source, for messages."""
    return source.strip().splitlines()[0][:60] if source.strip() else ""
