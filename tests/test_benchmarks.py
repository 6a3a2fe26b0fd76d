"""benchmarks/run.py: its --fast mode end to end, and the pieces it measures and writes with."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import measure, report  # noqa: E402
from benchmarks import run as bench  # noqa: E402

ALLOCATE = "import time; block = b'x' * {n}; time.sleep(0.5); print('{{\"held\": {n}}}')"


def python(code: str) -> list[str]:
    """A command that runs ``code`` in a fresh interpreter."""
    return [sys.executable, "-c", code]


@pytest.mark.slow
def test_fast_mode_measures_and_writes_nothing():
    benchmarks_md = ROOT / "BENCHMARKS.md"
    before = benchmarks_md.stat().st_mtime_ns if benchmarks_md.exists() else None
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--fast"], cwd=ROOT, capture_output=True,
        text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    row = next(line for line in out.splitlines() if line.startswith("| 00_synthetic.ipynb"))
    peak = float(re.search(r"\| (\d+) MB \|", row).group(1))
    # The kernel held SYNTHETIC_MB on top of its own ~50-100 MB.
    assert bench.SYNTHETIC_MB <= peak < bench.SYNTHETIC_MB + 400, row
    assert "allocated_mb=200" in row and row.rstrip().endswith("| ok |")
    assert re.search(r"`import workshop_utils` \| \d+ ms .* \| no TensorFlow \|", out), out
    assert re.search(r"Hopfield capacity experiment .*\| \d+\.\d+ s \(best of 1\), peak", out), out
    after = benchmarks_md.stat().st_mtime_ns if benchmarks_md.exists() else None
    assert after == before, "--fast must not write BENCHMARKS.md"


def test_peak_memory_of_a_child_that_allocates_a_known_amount():
    n = 300 * measure.MB
    result = measure.run_json_script(python(ALLOCATE.format(n=n)))
    assert result.returncode == 0
    assert result.result == {"held": n}
    assert 300 <= result.peak_mb < 300 + 100  # the interpreter itself is some 10-30 MB


def peak_measured_from_a_small_parent(code: str) -> float:
    """``run_json_script``'s peak for ``code``, run from a fresh, small interpreter.

    Linux counts a parent's own high-water mark in its child's ``ru_maxrss``, so the exact
    reaped figure shows only where the child's peak exceeds the parent's (see PeakMemory);
    pytest's process may have grown large, a fresh one has not.
    """
    runner = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks import measure; "
              f"print(measure.run_json_script([sys.executable, '-c', {code!r}]).peak_mb)")
    return float(subprocess.run(python(runner), capture_output=True, text=True, check=True).stdout)


def test_peak_memory_of_a_child_that_frees_and_exits_at_once_is_not_missed():
    # Sampling every 50 ms cannot see a peak that lasts a few milliseconds; the kernel's record can.
    peak = peak_measured_from_a_small_parent(f"block = b'x' * {300 * measure.MB}; del block")
    assert 300 <= peak < 300 + 100


def test_a_reaped_peak_no_larger_than_the_parents_own_is_not_counted():
    class Usage:
        ru_maxrss = 500_000  # KiB on Linux, bytes on macOS: either way below the parent's mark

    memory = measure.PeakMemory(os.getpid())
    memory.add_reaped(Usage(), parent_peak=10**12)
    assert memory.peak_bytes == 0
    memory.add_reaped(Usage(), parent_peak=0)
    assert memory.peak_bytes == measure.maxrss_bytes(Usage())


def test_peak_memory_counts_grandchildren():
    inner = ALLOCATE.format(n=250 * measure.MB)
    outer = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {inner!r}])"
    result = measure.run_json_script(python(outer))
    assert result.peak_mb >= 250


def test_peak_memory_counts_a_short_lived_grandchild_through_its_parent():
    inner = f"block = b'x' * {250 * measure.MB}; del block"
    outer = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {inner!r}])"
    assert peak_measured_from_a_small_parent(outer) >= 250


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc here")
def test_high_water_mark_keeps_a_peak_that_has_been_freed():
    code = (f"import sys; block = b'x' * {200 * measure.MB}; del block; print('freed', flush=True); "
            "sys.stdin.read()")
    process = subprocess.Popen(python(code), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert process.stdout.readline() == b"freed\n"
        assert psutil.Process(process.pid).memory_info().rss < 100 * measure.MB
        assert measure.high_water_mark(process.pid) >= 200 * measure.MB
        assert measure.PeakMemory(process.pid).read() >= 200 * measure.MB
    finally:
        process.communicate(b"")


def test_peak_memory_of_a_process_that_is_gone_is_zero():
    gone = subprocess.Popen(python("pass"))
    gone.wait()
    assert gone.returncode == 0
    assert measure.PeakMemory(gone.pid).read() == 0
    assert measure.high_water_mark(gone.pid) is None


def test_json_script_failure_keeps_exit_status_and_stderr():
    result = measure.run_json_script(python("import sys; sys.exit('no photos here')"))
    assert result.returncode == 1
    assert result.result is None
    assert "no photos here" in result.stderr_tail


def test_figures_from_printed_lines_are_merged_and_other_lines_ignored():
    text = "\n".join([
        "Epoch 1/20 ... accuracy 0.5",
        '{"benchmark": {"test_accuracy": 0.8, "epochs": 20}}',
        "{not json benchmark",
        '{"something": {"else": 1}}',
        '{"benchmark": {"test_accuracy": 0.87}}',
    ])
    assert measure.figures_from_text(text) == {"test_accuracy": 0.87, "epochs": 20}


def test_figures_from_notebook_outputs_stdout_and_json_display():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text='{"benchmark": {"a": 1}}\n'),
        nbformat.v4.new_output("stream", name="stderr", text='{"benchmark": {"b": 2}}\n'),
        nbformat.v4.new_output("display_data", data={"application/json": {"benchmark": {"c": 3}},
                                                     "text/plain": "c is 3"}),
    ]
    nb.cells = [cell]
    assert measure.figures_from_notebook(nb) == {"a": 1, "c": 3}


@pytest.mark.slow
def test_a_failing_notebook_is_reported_with_its_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# broken"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('expected +1/-1 values')"),
        nbformat.v4.new_code_cell("print('never runs')"),
    ]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    source = path.read_text()
    result = measure.run_notebook(path, dict(os.environ), progress=lambda message: None)
    assert result.error.startswith("ValueError in cell 2: expected +1/-1 values"), result.error
    assert [cell.index for cell in result.cells] == [1, 2]
    assert result.slowest_cell() is not None
    assert result.wall_seconds > 0 and result.peak_mb > 10
    assert path.read_text() == source, "the notebook file must not be written"


def test_import_snippet_reports_time_and_tensorflow():
    out = subprocess.run(python(measure.IMPORT_SNIPPET), capture_output=True, text=True,
                         check=True).stdout
    figures = json.loads(out)
    assert figures["seconds"] > 0 and figures["tensorflow_imported"] is False


def test_verdicts_say_by_how_much_a_target_is_missed():
    assert report.at_most(41.2, 60, "s") == "pass (< 60 s)"
    assert report.at_most(72.25, 60, "s") == "**miss** by 12.2 s (target < 60 s)"
    assert report.at_most(2500, 2000, "MB", digits=0) == "**miss** by 500 MB (target < 2000 MB)"
    assert report.at_least(0.93, 0.90) == "pass (>= 90%)"
    assert report.at_least(0.86, 0.90) == "**miss** by 4.0 points (target >= 90%)"


def notebook_run(name="01_hopfield.ipynb", mode="full", seconds=75.0, error=None):
    """A NotebookRun as the runner would record it."""
    return measure.NotebookRun(
        name=name, mode=mode, wall_seconds=seconds, peak_mb=512.0, error=error,
        figures={"recalled": 0.95},
        cells=[measure.CellTime(3, 2.0, "net = train()"), measure.CellTime(5, 60.0, "curve |x|")],
    )


def test_notebook_row_compares_with_the_notebooks_target():
    row = report.notebook_row(notebook_run())
    assert row[3] == "**miss** by 15.0 s (target < 60 s)"
    assert row[5] == "pass (< 2000 MB)"
    assert row[6] == "cell 5, 60.0 s: `curve |x|`"
    assert row[7] == "recalled=0.95" and row[8] == "ok"
    assert report.notebook_row(notebook_run("04_weather_cnn.ipynb", seconds=280))[3] == (
        "pass (< 300 s)")


def test_notebook_row_of_a_fast_or_failed_run_is_not_judged_on_time():
    row = report.notebook_row(notebook_run("04_weather_cnn.ipynb", mode="fast (no photos)",
                                           error="ValueError in cell 9: no photos"))
    assert row[3] == row[5] == "n/a"
    assert row[8] == "**failed**: ValueError in cell 9: no photos"
    assert report.cell_text("a | b\nc") == "a \\| b c"


def weather_entry(result, returncode=0):
    """A ScriptRun of benchmarks/weather_accuracy.py."""
    return measure.ScriptRun(["python", "benchmarks/weather_accuracy.py", "--model", "slides"],
                             95.0, 900.0, returncode, result, "")


def test_weather_rows_compare_with_issue_8_targets():
    result = {"test_accuracy": 0.87, "per_class_accuracy": {"rain": 0.9}, "train_seconds": 80.0}
    row = report.weather_row("slides", weather_entry(result))
    assert row[1] == "87.0%" and row[2] == "rain 90.0%" and row[3] == "80.0 s"
    assert row[6] == "**miss** by 3.0 points (target >= 90%); pass (< 180 s)"
    assert report.weather_row("baseline", weather_entry(result))[6] == "-"
    failed = report.weather_row("better", weather_entry(None, returncode=2))
    assert failed[1].startswith("**failed** (exit 2)")


def test_cross_validation_rows_are_judged_as_their_model_and_show_the_fold_spread():
    result = {"test_accuracy": 0.912, "train_seconds": 90.0, "folds": 6,
              "fold_accuracy_range": [0.898, 0.926], "classes": ["a", "b"],
              "confusion": [[5, 0], [1, 4]]}
    row = report.weather_row("slides, 6-fold CV", weather_entry(result))
    assert row[1] == "91.2% (folds 89.8% to 92.6%)"
    assert row[6] == "pass (>= 90%); pass (< 180 s)"
    details = report.weather_details("slides, 6-fold CV", weather_entry(result))
    assert "each tested once" in details and "| **a** | 5 | 0 |" in details


def test_weather_runs_add_cross_validation_only_when_asked():
    extra = [label for label, _ in bench.WEATHER_EXTRA_RUNS]
    assert [label for label, _ in bench.weather_runs()] == ["slides", "better", "baseline", *extra]
    runs = dict(bench.weather_runs(6))
    assert runs["better, 6-fold CV"] == ["--model", "better", "--folds", "6"]
    assert runs["slides, learning rate 0.001 (Keras's default)"] == [
        "--model", "slides", "--learning-rate", "0.001"]
    assert len(runs) == 6 + len(extra)
    with pytest.raises(SystemExit):
        bench.parse_args(["--weather-folds", "2"])


def sample_run(date: str, seconds: float = 30.0) -> report.BenchmarkRun:
    """A complete run with every table filled in."""
    return report.BenchmarkRun(
        date=date, command="python benchmarks/run.py", revision="abc1234",
        machine={"cpu": "Test CPU", "cores": 2, "cores_physical": 2, "memory_gb": 8.0,
                 "os": "Linux"},
        versions={"python": "3.11.7", "numpy": "2.0"},
        import_time={"seconds": 0.12, "repeats": 5, "tensorflow_imported": False},
        capacity="not available (no module)",
        notebooks=[notebook_run(seconds=seconds)],
        weather={"slides": weather_entry({
            "test_accuracy": 0.91, "epochs": 20, "classes": ["rain", "shine"],
            "confusion": [[9, 1], [2, 8]], "history": {"val_accuracy": [0.5, 0.75, 0.7],
                                                       "loss": [1.0, 0.5, 0.4]}})},
        notes=["a note"],
    )


def test_render_run_has_machine_versions_command_and_tables():
    text = report.render_run(sample_run("2026-01-02 10:00 UTC"))
    assert text.startswith("## 2026-01-02 10:00 UTC: 2 cores, Test CPU\n")
    for expected in ["`python benchmarks/run.py` (revision abc1234)", "8.0 GB memory",
                     "python 3.11.7, numpy 2.0", "- Note: a note", "### Notebooks",
                     "| 120 ms (best of 5 fresh interpreters) | no TensorFlow |",
                     "| Hopfield capacity experiment | not available (no module) |",
                     "| slides | 91.0% |", "epochs=20",
                     "| **rain** | 9 | 1 |", "| **shine** | 2 | 8 |",
                     "`val_accuracy` ▁█▇ first 0.500, best 0.750, last 0.700 (3 epochs)"]:
        assert expected in text, expected
    assert "loss" not in text


def test_sparkline_scales_between_smallest_and_largest():
    assert report.sparkline([0.0, 0.5, 1.0]) == "▁▅█"
    assert report.sparkline([0.3, 0.3]) == "▁▁"


def test_prepend_run_keeps_older_runs_below_the_newest(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    report.prepend_run(path, report.render_run(sample_run("2026-01-01 09:00 UTC")))
    report.prepend_run(path, report.render_run(sample_run("2026-02-01 09:00 UTC", 90.0)))
    text = path.read_text()
    assert text.startswith(report.TITLE + "\n")
    assert text.count(report.TITLE) == 1 and text.count(report.MARKER) == 1
    newer, older = text.index("## 2026-02-01"), text.index("## 2026-01-01")
    assert text.index(report.MARKER) < newer < older
    assert "**miss** by 30.0 s" in text[newer:older] and "pass (< 60 s)" in text[older:]


def test_prepend_run_keeps_a_hand_written_file_below(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Old notes\n\nmeasured by hand\n")
    report.prepend_run(path, "## new run\n")
    text = path.read_text()
    assert text.index(report.MARKER) < text.index("## new run") < text.index("# Old notes")


def test_synthetic_notebook_and_photo_rule(tmp_path):
    path = bench.synthetic_notebook(tmp_path, megabytes=1)
    nb = nbformat.read(path, as_version=4)
    assert "benchmark" in nb.cells[-1].source
    assert bench.needs_photos(Path("04_weather_cnn.ipynb"))
    assert not bench.needs_photos(Path("03_regression.ipynb"))


def test_kernel_env_sets_mode_and_data_folder(tmp_path):
    env = bench.kernel_env(False, tmp_path)
    assert env["WORKSHOP_FAST"] == "0" and env["WORKSHOP_DATA_DIR"] == str(tmp_path)
    assert bench.kernel_env(True, tmp_path)["WORKSHOP_FAST"] == "1"


def test_busy_machine_is_noted():
    assert bench.busy_note({"load": 0.2, "cores": 2}) is None
    assert "load average 3.5 on 2 cores" in bench.busy_note({"load": 3.5, "cores": 2})


@pytest.mark.slow
def test_notebook_04_without_photos_runs_in_fast_mode_and_says_so(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import json, os\n"
        'print(json.dumps({"benchmark": {"fast": os.environ["WORKSHOP_FAST"], '
        '"data": os.environ["WORKSHOP_DATA_DIR"], "cwd": os.getcwd()}}))'
    )]
    path = tmp_path / "notebooks" / "04_weather_cnn.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    notes: list[str] = []
    [result] = bench.run_notebooks([path], tmp_path / "data", photos=False, timeout=60,
                                   notes=notes)
    assert result.mode == "fast (no photos)" and result.error is None
    assert result.figures == {"fast": "1", "data": str(tmp_path / "data"),
                              "cwd": str(path.parent)}
    assert "needs the real photos" in notes[0]
    assert report.notebook_row(result)[3] == report.notebook_row(result)[5] == "n/a"


def test_copy_notebooks_runs_from_a_copy_of_the_folder(tmp_path):
    source = tmp_path / "repo" / "notebooks"
    (source / ".ipynb_checkpoints").mkdir(parents=True)
    for name in ["01_a.ipynb", "02_b.ipynb", "picture.png"]:
        (source / name).write_text(name)
    copies = bench.copy_notebooks([source / "01_a.ipynb", source / "02_b.ipynb"],
                                  tmp_path / "work")
    assert copies == [tmp_path / "work" / "notebooks" / n for n in ["01_a.ipynb", "02_b.ipynb"]]
    assert (tmp_path / "work" / "notebooks" / "picture.png").is_file()
    assert not (tmp_path / "work" / "notebooks" / ".ipynb_checkpoints").exists()


def test_capacity_time_runs_the_experiment_or_says_it_is_not_available(monkeypatch):
    done = measure.capacity_time({20: 2, 30: 1}, [0.05, 0.1], repeats=2)
    assert done.returncode == 0 and done.result["seconds"] > 0 and done.result["repeats"] == 2
    assert done.result["experiment"] == "N = 20, 30 (trials 2, 1); 2 loads 0.05-0.1"
    missing = measure.CAPACITY_SNIPPET.replace("import capacity_curve", "import no_such_experiment")
    monkeypatch.setattr(measure, "CAPACITY_SNIPPET", missing)
    message = measure.capacity_time({20: 1}, [0.05])
    assert message.startswith("not available (workshop_utils.hopfield.capacity_curve: cannot import")


def test_json_script_is_killed_after_its_timeout():
    result = measure.run_json_script(python("import time; time.sleep(30)"), timeout=1)
    assert result.returncode != 0 and result.wall_seconds < 10
    assert "timed out after 1 s" in result.stderr_tail


def test_ticker_reports_while_open_and_stops_after():
    said: list[str] = []
    with measure.Ticker(lambda: "still running", said.append, every=0.05):
        time.sleep(0.5)
    count = len(said)
    time.sleep(0.2)
    assert count >= 3 and set(said) == {"still running"} and len(said) == count


def test_an_unfinished_full_run_is_not_judged_on_time():
    row = report.notebook_row(notebook_run(seconds=20.0, error="DeadKernelError in cell 5"))
    assert row[3] == row[5] == "n/a"


@pytest.mark.slow
def test_a_hanging_cell_times_out_and_is_named_as_the_slowest(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("import time\ntime.sleep(60)")]
    path = tmp_path / "hangs.ipynb"
    nbformat.write(nb, path)
    result = measure.run_notebook(path, dict(os.environ), timeout=2, progress=lambda m: None)
    assert result.error.startswith("CellTimeoutError in cell 1"), result.error
    slowest = result.slowest_cell()
    assert slowest.index == 1 and slowest.first_line == "import time" and slowest.seconds >= 2


def test_figure_cell_reads_only_names_that_notebook_04_defines(tmp_path):
    """run.py appends a cell that prints notebook 04's figures: every name it reads must be bound
    by the notebook's own code, or the benchmark loses its figures with a NameError."""
    import ast

    source = ROOT / "notebooks" / "04_weather_cnn.ipynb"
    nb = nbformat.read(source, as_version=4)
    bound = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = [line[:len(line) - len(line.lstrip())] + "pass"  # IPython magics: no names
                 if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
    figure_cell = bench.FIGURE_CELLS["04"]
    import builtins

    read = {node.id for node in ast.walk(ast.parse(figure_cell))
            if isinstance(node, ast.Name) and not hasattr(builtins, node.id)}
    assert read <= bound, f"the figure cell reads {sorted(read - bound)}, which notebook 04 never binds"

    copy = tmp_path / "04_weather_cnn.ipynb"
    nbformat.write(nb, copy)
    bench.add_figure_cell(copy)
    assert nbformat.read(copy, as_version=4).cells[-1].source == figure_cell
    assert "benchmark_line" not in "".join(cell.source for cell in nb.cells), (
        "the learners' notebook must not print the benchmark's figures itself")
