"""Measuring pieces for ``benchmarks/run.py``: peak memory, notebook runs, subprocess timings.

Every function here measures; none decides what is good enough (see ``report.py``).
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from workshop_utils.machine import cpu_model

#: The key of the machine-readable line a notebook may print (see benchmarks/README.md).
FIGURES_KEY = "benchmark"
MB = 1_000_000
PACKAGES = ("numpy", "tensorflow", "keras", "scikit-learn", "workshop_utils")


class PeakMemory:
    """The peak resident memory of a process and its descendants, from the kernel's own records.

    Each process's peak is its high-water mark, ``VmHWM`` in ``/proc/<pid>/status`` (Linux):
    exact, not sampled, and since it only grows, a late reading misses nothing before it. A
    background thread finds the descendants and reads their marks while they live; ``read()``
    reads them once more (call it while the processes still live: after a notebook's cell, say);
    ``add_reaped()`` takes the peak the kernel reports when a child is reaped (``os.wait4``),
    which covers the child and the descendants it reaped, but also the memory of the process
    that started it (Linux counts the parent's high-water mark in a child started with vfork,
    as ``subprocess`` does): so it counts only where it exceeds that parent's mark. The total is the sum of the peaks of
    every process seen (processes that peak at different moments count as if at once: an upper
    bound, never a miss). Only where there is no ``VmHWM`` (macOS) does the thread fall back on
    sampling the resident memory, which can miss a short peak.
    """

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid = pid
        self.interval = interval
        self._peaks: dict[tuple[int, float], int] = {}
        self._reaped = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        """Start watching; stop on leaving the block."""
        return self.start()

    def start(self) -> PeakMemory:
        """Start watching the tree in the background."""
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        """Stop watching."""
        self.stop()

    @property
    def peak_bytes(self) -> int:
        """The peak so far, in bytes: the summed marks, or the reaped peak where that is larger."""
        with self._lock:
            return max(sum(self._peaks.values()), self._reaped)

    @property
    def peak_mb(self) -> float:
        """The peak so far, in MB (10**6 bytes)."""
        return self.peak_bytes / MB

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def read(self) -> int:
        """Read the mark of every living process of the tree now; return the peak so far (bytes)."""
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            processes = []  # the root has ended
        for process in processes:
            try:
                key = (process.pid, process.create_time())
                mark = high_water_mark(process.pid)
                if mark is None:  # no VmHWM here (or a zombie): sample instead
                    mark = process.memory_info().rss
            except psutil.Error:
                continue  # a process that ended between listing and reading
            with self._lock:
                self._peaks[key] = max(self._peaks.get(key, 0), mark)
        return self.peak_bytes

    def add_reaped(self, usage: resource.struct_rusage, parent_peak: int | None) -> None:
        """Count the peak that ``os.wait4`` reported for the root process and what it reaped,
        where it exceeds ``parent_peak``, the starting process's mark (None: unknown, ignore)."""
        peak = maxrss_bytes(usage)
        if parent_peak is not None and peak > parent_peak:
            with self._lock:
                self._reaped = max(self._reaped, peak)

    def _run(self) -> None:
        while True:
            self.read()
            if self._stop.wait(self.interval):
                return


def high_water_mark(pid: int) -> int | None:
    """The peak resident memory of process ``pid`` in bytes, from ``VmHWM``; None where unknown."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # the kernel writes kB (KiB)
    except (OSError, ValueError, IndexError):
        pass
    return None


def maxrss_bytes(usage: resource.struct_rusage) -> int:
    """``ru_maxrss`` in bytes (Linux reports KiB, macOS bytes)."""
    return usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)


class Ticker:
    """Call ``progress(message())`` every ``every`` seconds in a background thread while open."""

    def __init__(self, message: Callable[[], str], progress: Callable[[str], None],
                 every: float = 30.0):
        self.message, self.progress, self.every = message, progress, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Ticker:
        """Start ticking."""
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        """Stop ticking."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.progress(self.message())


@dataclass
class CellTime:
    """How long one code cell took, the kernel's high-water mark after it, its first source line.

    ``index`` counts the cells of the notebook as written (cells that the benchmark added to its
    copy are not counted); ``peak_mb`` is the kernel tree's peak memory so far, in MB.
    """

    index: int
    seconds: float
    first_line: str
    peak_mb: float = 0.0


#: The tag of a cell that the benchmark adds to its temporary copy of a notebook.
BENCHMARK_TAG = "benchmark-only"
#: A section heading of the notebooks: ``## 4. Training (core)``.
SECTION = re.compile(r"^##\s+(\d+)\.\s*(.*)$", re.MULTILINE)


def benchmark_cell(source: str) -> nbformat.NotebookNode:
    """A code cell for the benchmark's copy of a notebook, tagged as not the notebook's own."""
    return nbformat.v4.new_code_cell(source, metadata={"tags": [BENCHMARK_TAG]})


def is_benchmark_cell(cell: Mapping) -> bool:
    """Whether the benchmark added ``cell`` to its copy (see :func:`benchmark_cell`)."""
    return BENCHMARK_TAG in cell.get("metadata", {}).get("tags", [])


def section_titles(nb: nbformat.NotebookNode) -> dict[int, tuple[str, str]]:
    """For each of the notebook's own cells (numbered as written), its ``## N.`` section:
    (number as text, title); cells before the first section belong to section "0", "start"."""
    current, found, index = ("0", "start"), {}, 0
    for cell in nb.cells:
        if is_benchmark_cell(cell):
            continue
        if cell.cell_type == "markdown":
            heading = SECTION.search(cell.source)
            if heading:
                current = (heading.group(1), heading.group(2).strip())
        found[index] = current
        index += 1
    return found


def sections(nb: nbformat.NotebookNode, cells: list[CellTime]) -> dict[str, dict]:
    """Per ``## N.`` section, in order: its title, the seconds its code cells took, the kernel's
    high-water mark at its end (``peak_mb``) and how much that grew in it (``growth_mb``)."""
    titles = section_titles(nb)
    found: dict[str, dict] = {}
    for cell in sorted(cells, key=lambda c: c.index):
        number, title = titles.get(cell.index, ("?", "?"))
        entry = found.setdefault(number, {"title": title, "seconds": 0.0, "peak_mb": 0.0})
        entry["seconds"] += cell.seconds
        entry["peak_mb"] = max(entry["peak_mb"], cell.peak_mb)
    before = 0.0
    for entry in found.values():
        entry["peak_mb"] = max(entry["peak_mb"], before)  # a high-water mark never falls
        entry["growth_mb"] = entry["peak_mb"] - before
        entry["seconds"] = round(entry["seconds"], 1)
        entry["peak_mb"], entry["growth_mb"] = round(entry["peak_mb"]), round(entry["growth_mb"])
        before = entry["peak_mb"]
    return found


@dataclass
class NotebookRun:
    """What one headless run of a notebook measured."""

    name: str
    mode: str
    wall_seconds: float = 0.0
    peak_mb: float = 0.0
    figures: dict = field(default_factory=dict)
    cells: list[CellTime] = field(default_factory=list)
    error: str | None = None
    sections: dict[str, dict] = field(default_factory=dict)

    def slowest_cell(self) -> CellTime | None:
        """The code cell that took longest, or None when no cell ran."""
        return max(self.cells, key=lambda cell: cell.seconds, default=None)


def first_line(text: str) -> str:
    """The first line of ``text`` that is not blank, stripped ("" if none)."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def figures_from_text(text: str) -> dict:
    """The figures of every ``{"benchmark": {...}}`` JSON line in ``text``, merged in order."""
    figures: dict = {}
    for line in text.splitlines():
        line = line.strip()
        if not (line.startswith("{") and FIGURES_KEY in line):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        figures.update(_figures_of(value))
    return figures


def figures_from_notebook(nb: nbformat.NotebookNode) -> dict:
    """The figures a notebook reported in its outputs: printed lines or ``application/json``."""
    figures: dict = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                figures.update(figures_from_text(output.get("text", "")))
            data = output.get("data", {})
            if "application/json" in data:
                figures.update(_figures_of(data["application/json"]))
    return figures


def _figures_of(value: object) -> dict:
    """The dict under the ``benchmark`` key of a decoded JSON value, else an empty dict."""
    if isinstance(value, Mapping) and isinstance(value.get(FIGURES_KEY), Mapping):
        return dict(value[FIGURES_KEY])
    return {}


def notebook_client(nb: nbformat.NotebookNode, path: Path, timeout: int, **options) -> NotebookClient:
    """A client that runs ``nb`` in a fresh python3 kernel, in ``path``'s folder, without timestamps
    (shared with tools/run_notebooks.py, so the stored outputs and the benchmark run alike)."""
    return NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                          resources={"metadata": {"path": str(path.parent)}}, **options)


def kernel_pid(client: NotebookClient) -> int:
    """The process id of the kernel that ``client`` started."""
    provisioner = client.km.provisioner
    pid = getattr(provisioner, "pid", None) or getattr(provisioner.process, "pid", None)
    if pid is None:
        raise RuntimeError("the kernel manager did not say which process runs the kernel")
    return pid


def run_notebook(
    path: Path,
    env: Mapping[str, str],
    mode: str = "full",
    timeout: int = 1800,
    progress: Callable[[str], None] = print,
    slow_cell_seconds: float = 10.0,
) -> NotebookRun:
    """Execute ``path`` in a fresh kernel with ``env``; time it and take the kernel's peak memory.

    The notebook is read into memory and never written back; the kernel's working directory
    is the notebook's folder, so run a temporary copy when the notebook may write files.
    """
    nb = nbformat.read(path, as_version=4)
    result = NotebookRun(name=path.name, mode=mode)
    sampler: PeakMemory | None = None
    started: dict[int, float] = {}
    t0 = time.perf_counter()

    def still_running() -> str:
        cell = f"cell {max(started)}" if started else "starting the kernel"
        return f"    ... {path.name}: {cell}, elapsed {time.perf_counter() - t0:.0f} s"

    def on_notebook_start(notebook):
        nonlocal sampler
        sampler = PeakMemory(kernel_pid(client)).start()

    # the notebook's own numbering: cells the benchmark added to its copy are not counted
    own = {i: i - sum(map(is_benchmark_cell, nb.cells[:i])) for i in range(len(nb.cells))}

    def on_cell_execute(cell, cell_index):
        started[cell_index] = time.perf_counter()

    def read_memory(**hook_arguments):
        if sampler is not None:
            sampler.read()  # the kernel lives and is idle between cells: its mark is final so far

    def on_cell_executed(cell, cell_index, execute_reply):
        read_memory()
        seconds = time.perf_counter() - started[cell_index]
        if not is_benchmark_cell(cell):
            result.cells.append(CellTime(own[cell_index], seconds, first_line(cell.source),
                                         sampler.peak_mb if sampler is not None else 0.0))
        if seconds >= slow_cell_seconds:
            elapsed = time.perf_counter() - t0
            progress(f"    cell {cell_index}: {seconds:.1f} s (elapsed {elapsed:.0f} s)")

    client = notebook_client(
        nb, path, timeout,
        store_widget_state=False,
        on_notebook_start=on_notebook_start,
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
        on_cell_error=read_memory,
    )
    try:
        with Ticker(still_running, progress):
            client.execute(env=dict(env))
    except Exception as exc:  # an error in a cell, a dead kernel, a timeout: say which cell
        last = max(started, default=None)
        where = (None if last is None else own[last] if not is_benchmark_cell(nb.cells[last])
                 else "added by the benchmark")
        result.error = _describe_error(exc, where)
        _add_unfinished_cell(result, nb, started, own)
    finally:
        result.wall_seconds = time.perf_counter() - t0
        if sampler is not None:
            sampler.stop()
            result.peak_mb = sampler.peak_mb
    result.figures = figures_from_notebook(nb)
    result.sections = sections(nb, result.cells)
    return result


def _add_unfinished_cell(result: NotebookRun, nb: nbformat.NotebookNode,
                         started: dict[int, float], own: dict[int, int]) -> None:
    """Record the cell that was running when the run failed, timed until now."""
    timed = {cell.index for cell in result.cells}
    for index, start in started.items():
        if own[index] not in timed and not is_benchmark_cell(nb.cells[index]):
            seconds = time.perf_counter() - start
            result.cells.append(CellTime(own[index], seconds, first_line(nb.cells[index].source)))


def _describe_error(exc: Exception, cell_index: int | str | None) -> str:
    """One line naming the failing cell (its index, or a phrase) and the exception."""
    where = ("before the first cell" if cell_index is None else f"in cell {cell_index}"
             if isinstance(cell_index, int) else f"in the cell {cell_index}")
    if isinstance(exc, CellExecutionError):
        name, message = exc.ename, str(exc.evalue)
    else:
        name, message = type(exc).__name__, str(exc)
    return f"{name} {where}: {first_line(message)[:200]}"


@dataclass
class ScriptRun:
    """A subprocess that prints one JSON line: its result, time, memory and exit status."""

    command: list[str]
    wall_seconds: float
    peak_mb: float
    returncode: int
    result: dict | None
    stderr_tail: str


def run_json_script(
    command: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 1800,
    progress: Callable[[str], None] | None = None,
) -> ScriptRun:
    """Run ``command`` and take its peak memory; its result is the last JSON object line it prints."""
    t0 = time.perf_counter()
    ticker = Ticker(lambda: f"    ... elapsed {time.perf_counter() - t0:.0f} s",
                    progress or (lambda message: None))
    popen = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=None if env is None else dict(env))
    our_peak = high_water_mark(os.getpid())  # what wait4 will count in (see PeakMemory)
    with ticker, popen as process, PeakMemory(process.pid) as memory:
        stdout, stderr = _communicate(process, timeout, memory, our_peak)
    return ScriptRun(
        command=list(command),
        wall_seconds=time.perf_counter() - t0,
        peak_mb=memory.peak_mb,
        returncode=process.returncode,
        result=_last_json_object(stdout),
        stderr_tail="\n".join(stderr.strip().splitlines()[-5:]),
    )


def _communicate(process: subprocess.Popen, timeout: float, memory: PeakMemory,
                 our_peak: int | None) -> tuple[str, str]:
    """The output of ``process`` once it ends; killed (and said so) after ``timeout`` seconds.

    The process is reaped here with ``os.wait4``, whose peak memory goes to ``memory``.
    """
    if not hasattr(os, "wait4"):  # no wait4 on this system: the sampled marks must do
        try:
            return process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            return stdout, stderr + f"\ntimed out after {timeout} s"
    output: dict[str, str] = {}
    readers = [threading.Thread(target=lambda name=name: output.update(
        {name: getattr(process, name).read()}), daemon=True) for name in ("stdout", "stderr")]
    for reader in readers:
        reader.start()
    # Wait for the end without reaping, so that the pid stays ours to kill until wait4 below.
    ended = threading.Thread(target=os.waitid, args=(os.P_PID, process.pid,
                                                     os.WEXITED | os.WNOWAIT), daemon=True)
    ended.start()
    ended.join(timeout)
    timed_out = ended.is_alive()
    if timed_out:
        os.kill(process.pid, signal.SIGKILL)
        ended.join()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    memory.add_reaped(usage, our_peak)
    for reader in readers:
        reader.join()
    stderr = output.get("stderr", "") + (f"\ntimed out after {timeout} s" if timed_out else "")
    return output.get("stdout", ""), stderr


def _last_json_object(text: str) -> dict | None:
    """The last line of ``text`` that decodes to a JSON object, or None."""
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


IMPORT_SNIPPET = (
    "import json, sys, time; t = time.perf_counter(); import workshop_utils; "
    "s = time.perf_counter() - t; "
    "print(json.dumps({'seconds': s, 'tensorflow_imported': 'tensorflow' in sys.modules}))"
)


def import_time(repeats: int = 5) -> dict:
    """Best time of ``import workshop_utils`` over ``repeats`` fresh interpreters."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_SNIPPET], capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(out))
    return {
        "seconds": min(run["seconds"] for run in runs),
        "repeats": repeats,
        "tensorflow_imported": any(run["tensorflow_imported"] for run in runs),
    }


def machine() -> dict:
    """CPU model, cores usable here, total memory and operating system of this machine."""
    return {
        "cpu": cpu_model(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "memory_gb": psutil.virtual_memory().total / 1e9,
        "os": f"{platform.system()} {platform.release()}",
        "load": load_average(),
    }


def load_average() -> float | None:
    """The 1-minute load average (busy cores), to show what else ran; None where unknown."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None



def versions() -> dict:
    """Python's version and the installed versions of the packages the workshop depends on."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_revision(repo: Path) -> str:
    """The checked-out commit, marked ``+changes`` when the working tree differs; or unknown."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=repo,
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if dirty else head


CAPACITY_SNIPPET = """
import json, sys, time
try:
    from workshop_utils.hopfield import capacity_curve
except ImportError as exc:
    print(json.dumps({"unavailable": f"workshop_utils.hopfield.capacity_curve: {exc}"}))
    raise SystemExit(0)
trials, loads, repeats = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
times = []
for _ in range(repeats):
    start = time.perf_counter()
    for n, n_trials in trials.items():
        capacity_curve(int(n), loads, noise=0.1, threshold=0.97, n_trials=n_trials, seed=0)
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": min(times), "repeats": repeats}))
"""


def capacity_time(trials: Mapping[int, int], loads: Sequence[float],
                  repeats: int = 1) -> ScriptRun | str:
    """Best time of the capacity experiment (trials per network size) in a fresh interpreter.

    Returns a message instead when ``workshop_utils.hopfield.capacity_curve`` is missing.
    """
    run = run_json_script([sys.executable, "-c", CAPACITY_SNIPPET, json.dumps(dict(trials)),
                           json.dumps(list(loads)), str(repeats)])
    if run.result and "unavailable" in run.result:
        return f"not available ({run.result['unavailable']})"
    if run.result:
        sizes = ", ".join(str(n) for n in trials)
        repeats = ", ".join(str(t) for t in trials.values())
        run.result["experiment"] = (
            f"N = {sizes} (trials {repeats}); {len(loads)} loads {min(loads):g}-{max(loads):g}"
        )
    return run
