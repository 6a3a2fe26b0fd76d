"""The benchmarks: run.py's --fast mode end to end, the pieces it measures and writes with, and the
weather scripts on a few tiny photos (one epoch), so that none of them can rot.

The photos here are tiny generated JPEGs in the real layout (``weather-img/<split>/<class>/`` and
``SPLIT.json``); the figures they give mean nothing, the code paths are the real ones.
"""

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


def modified(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None


@pytest.mark.slow
def test_fast_mode_measures_and_writes_nothing():
    before = [modified(bench.BENCHMARKS_MD), modified(bench.RESULTS)]
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--fast"], cwd=ROOT, capture_output=True,
        text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    row = next(line for line in out.splitlines() if line.startswith("| 00_synthetic |"))
    peak = float(re.search(r"\| (\d+) MB \|", row).group(1))
    # The kernel held SYNTHETIC_MB on top of its own ~50-100 MB.
    assert bench.SYNTHETIC_MB <= peak < bench.SYNTHETIC_MB + 400, row
    assert "allocated_mb=200" in row and row.rstrip().endswith("| ok |")
    # the section that allocated is where the memory went
    grew = re.search(r"\| 1 \| Allocate \| [\d.]+ s \| \d+ MB \| \+(\d+) MB \|", out)
    assert grew and bench.SYNTHETIC_MB - 10 <= int(grew.group(1)) < bench.SYNTHETIC_MB + 100, out
    assert re.search(r"`import workshop_utils` \| \d+ ms .* \| no TensorFlow \|", out), out
    assert re.search(r"Hopfield capacity experiment .*\| \d+\.\d+ s \(best of 1\), peak", out), out
    assert "TensorFlow: oneDNN TensorFlow's default" in out
    assert [modified(bench.BENCHMARKS_MD), modified(bench.RESULTS)] == before, (
        "--fast must write neither BENCHMARKS.md nor the results file")


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
        cells=[measure.CellTime(3, 2.0, "net = train()", 300.0),
               measure.CellTime(5, 60.0, "curve |x|", 512.0)],
    )


def notebook_entry(name="01_hopfield.ipynb", **options):
    return bench.notebook_entry(notebook_run(name, **options))


def test_notebook_row_compares_with_the_notebooks_target():
    row = report.notebook_row("01_hopfield", notebook_entry())
    assert row[3] == "**miss** by 15.0 s (target < 60 s)"
    assert row[5] == "pass (< 2000 MB)"
    assert row[6] == "cell 5, 60.0 s: `curve |x|`"
    assert row[7] == "recalled=0.95" and row[8] == "ok"
    assert report.notebook_row("04_weather_cnn", notebook_entry(seconds=280))[3] == "pass (< 300 s)"


def test_notebook_row_of_a_fast_or_failed_run_is_not_judged_on_time():
    row = report.notebook_row("04_weather_cnn", notebook_entry(
        mode="fast (no photos)", error="ValueError in cell 9: no photos"))
    assert row[3] == row[5] == "n/a"
    assert row[8] == "**failed**: ValueError in cell 9: no photos"
    assert report.cell_text("a | b\nc") == "a \\| b c"


def weather_entry(result: dict | None, returncode: int = 0) -> dict:
    """What run.py records for one run of benchmarks/weather_accuracy.py."""
    run = measure.ScriptRun([sys.executable, str(ROOT / "benchmarks" / "weather_accuracy.py"),
                             "--model", "slides"], 95.0, 900.0, returncode, result,
                            "Traceback ...\nValueError: no photos")
    return bench.script_entry(run)


def test_a_script_entry_keeps_the_result_its_command_and_a_one_line_error():
    entry = weather_entry({"test_accuracy": 0.5})
    assert entry == {"test_accuracy": 0.5, "command": "python benchmarks/weather_accuracy.py "
                     "--model slides", "wall_seconds": 95.0, "process_peak_mb": 900}
    assert weather_entry(None, returncode=1)["error"] == "exit 1: ValueError: no photos"


def test_weather_rows_compare_with_the_targets():
    result = {"test_accuracy": 0.87, "per_class_accuracy": {"rain": 0.9}, "train_seconds": 80.0}
    row = report.weather_row("slides", weather_entry(result))
    assert row[1] == "87.0%" and row[2] == "rain 90.0%" and row[3] == "80.0 s"
    assert row[6] == "**miss** by 3.0 points (target >= 90%); pass (< 180 s)"
    assert report.weather_row("baseline", weather_entry(result))[6] == "-"
    failed = report.weather_row("better", weather_entry(None, returncode=2))
    assert failed[1].startswith("**failed** (exit 2")


def test_cross_validation_rows_are_judged_as_their_model_and_show_the_fold_spread():
    result = {"test_accuracy": 0.912, "train_seconds": 90.0, "folds": 6,
              "fold_accuracy_range": [0.898, 0.926], "classes": ["a", "b"],
              "confusion": [[5, 0], [1, 4]]}
    row = report.weather_row("slides_cv", weather_entry(result))
    assert row[1] == "91.2% (folds 89.8% to 92.6%)"
    assert row[6] == "pass (>= 90%); pass (< 180 s)"
    details = report.weather_details("slides_cv", weather_entry(result))
    assert "each tested once" in details and "| **a** | 5 | 0 |" in details


def test_weather_runs_add_cross_validation_only_when_asked():
    assert [key for key, _ in bench.weather_runs()] == ["slides", "better", "baseline"]
    runs = dict(bench.weather_runs(6))
    assert runs["better_cv"] == ["--model", "better", "--folds", "6"]
    assert len(runs) == 6
    with pytest.raises(SystemExit):
        bench.parse_args(["--weather-folds", "2"])


def test_synthetic_notebook_and_photo_rule(tmp_path):
    path = bench.synthetic_notebook(tmp_path, megabytes=1)
    nb = nbformat.read(path, as_version=4)
    assert "benchmark" in nb.cells[-1].source
    assert bench.needs_photos(Path("04_weather_cnn.ipynb"))
    assert not bench.needs_photos(Path("03_regression.ipynb"))


def test_kernel_env_sets_mode_and_data_folder_in_tensorflows_default_configuration(tmp_path,
                                                                                    monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    env = bench.kernel_env(False, tmp_path, KERAS_HOME="/elsewhere")
    assert env["WORKSHOP_FAST"] == "0" and env["WORKSHOP_DATA_DIR"] == str(tmp_path)
    assert env["KERAS_HOME"] == "/elsewhere" and "TF_ENABLE_ONEDNN_OPTS" not in env
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
    assert list(result.sections) == ["0"] and result.sections["0"]["peak_mb"] > 10
    assert "needs the real photos" in notes[0]
    row = report.notebook_row("04_weather_cnn", bench.notebook_entry(result))
    assert row[3] == row[5] == "n/a"


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
    row = report.notebook_row("01_hopfield", notebook_entry(seconds=20.0,
                                                            error="DeadKernelError in cell 5"))
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
    import builtins

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
    tree = ast.parse(figure_cell)
    stored = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
              and isinstance(node.ctx, ast.Store)} | {
        alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
        for alias in node.names}
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
            and not hasattr(builtins, node.id)} - stored
    assert read <= bound, f"the figure cell reads {sorted(read - bound)}, which notebook 04 never binds"

    copy = tmp_path / "04_weather_cnn.ipynb"
    nbformat.write(nb, copy)
    bench.add_benchmark_cells(copy, first="x = 1")
    cells = nbformat.read(copy, as_version=4).cells
    assert cells[-1].source == figure_cell and cells[0].source == "x = 1"
    assert measure.is_benchmark_cell(cells[0]) and measure.is_benchmark_cell(cells[-1])
    assert [c.source for c in cells[1:-1]] == [c.source for c in nb.cells]
    code = "".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert not any(word in code for word in ("benchmark_line", "'benchmark'", '"benchmark"')), (
        "the learners' notebook must not print the benchmark's figures itself")


# --- tiny photos in the real layout --------------------------------------------------------------

CLASSES = ("cloudy", "rain", "shine", "sunrise")
COLOURS = ((150, 150, 160), (90, 100, 110), (90, 160, 240), (240, 140, 60))


def write_photos(root: Path, per_split: dict | None = None, size: int = 24) -> Path:
    """Small JPEGs in ``root/<split>/<class>/`` and a ``SPLIT.json`` with one near-duplicate
    pair (the first two training photos of cloudy)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    per_split = per_split or {"train": 6, "validate": 3, "test": 3}
    counts = {name: {} for name in CLASSES}
    for split, n in per_split.items():
        for name, colour in zip(CLASSES, COLOURS, strict=True):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(n):
                pixels = np.clip(np.array(colour) + rng.normal(0, 25, (size, size, 3)), 0, 255)
                Image.fromarray(pixels.astype("uint8")).save(folder / f"{name}{split[:2]}{i}.jpg")
            counts[name][split] = n
    pair = [f"train/cloudy/cloudytr{i}.jpg" for i in (0, 1)]
    (root / "SPLIT.json").write_text(json.dumps({
        "counts": counts, "total": 4 * sum(per_split.values()),
        "duplicate_groups": [{"class": "cloudy", "split": "train", "files": pair,
                              "identical": False}]}))
    return root


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return write_photos(tmp_path_factory.mktemp("photos") / "weather-img")


def test_cross_validation_tests_every_photo_once_and_keeps_near_duplicates_together(photos):
    from benchmarks import folds

    rounds = folds.cross_validation_rounds(photos, 3)
    tested = [p for files in rounds for p in files["test"][0]]
    assert len(tested) == len(set(tested)) == 48
    pair = {photos / "train/cloudy/cloudytr0.jpg", photos / "train/cloudy/cloudytr1.jpg"}
    for files in rounds:
        for split in folds.SPLITS:
            held = set(files[split][0])
            assert not held & pair or pair <= held  # both or neither
    leaky = folds.cross_validation_rounds(photos, 3, keep_duplicates_together=False)
    assert sorted(p for files in leaky for p in files["test"][0]) == sorted(tested)
    for bad in (2, 3.5, True):
        with pytest.raises(ValueError, match="at least 3"):
            folds.cross_validation_rounds(photos, bad)


def test_a_round_is_laid_out_as_the_page_reads_it(photos, tmp_path):
    from benchmarks import folds

    files = folds.cross_validation_rounds(photos, 3)[0]
    laid = folds.layout_round(files, tmp_path / "round")
    for split in folds.SPLITS:
        paths, labels = folds.split_files(laid, split)
        assert sorted(p.name for p in paths) == sorted(p.name for p in files[split][0])
        assert sorted(labels.tolist()) == sorted(files[split][1].tolist())
    with pytest.raises(ValueError, match="no SPLIT.json"):
        folds.photo_groups(tmp_path, [])


def notebook_with(tmp_path: Path, *cells: tuple[str, str]) -> Path:
    """A notebook of (id, source) code cells."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 4. Test")]
    for cell_id, source in cells:
        nb.cells.append(nbformat.v4.new_code_cell(source))
        nb.cells[-1]["id"] = cell_id
    path = tmp_path / "04_test.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_page_code_is_the_notebooks_cell_found_by_its_id(tmp_path):
    from benchmarks import page

    cell = "%matplotlib inline\ntrain = keras.utils.image_dataset_from_directory(photos)"
    notebook = notebook_with(tmp_path, ("other", "x = 1"), (page.PIPELINE_CELL, cell))
    found = page.page_code(notebook)
    assert found.from_notebook and found.origin == f"04_test.ipynb, cell 2 ({page.PIPELINE_CELL})"
    assert "get_ipython().run_line_magic('matplotlib', 'inline')" in found.source
    assert page.page_code(notebook, "other").source.strip() == "x = 1"
    with pytest.raises(ValueError, match="no cell with id 'gone'"):
        page.page_code(notebook, "gone")
    namespace = page.run_cells({}, "other", notebook=notebook)
    assert namespace["x"] == 1
    assert page.uses_op_determinism(notebook_with(tmp_path, ("a", "tf.config.experimental.enable_op_determinism()")))
    assert not page.uses_op_determinism(notebook_with(tmp_path, ("a", "# enable_op_determinism()")))


@pytest.mark.slow
def test_the_page_pipeline_serves_the_photos_at_the_pages_size_or_another(photos):
    from benchmarks import page

    namespace = page.run_page(photos)
    assert all(name in namespace for name in page.PAGE_NAMES)
    x, y = page.arrays(namespace["test"])
    assert x.shape == (12, *namespace["IMAGE_SIZE"], 3) and y.shape == (12, 4)
    assert y.argmax(1).tolist() == [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3  # class, then name order
    small = page.run_page(photos, image_size=(32, 32))
    assert page.arrays(small["val"])[0].shape == (12, 32, 32, 3)
    assert page.arrays(page.photo_dataset(small, "train", shuffle=True))[0].shape == (24, 32, 32, 3)


def test_the_kept_epoch_is_the_first_with_the_best_validation_accuracy():
    from benchmarks import page

    assert page.Fitted(None, {"val_accuracy": [0.5, 0.7, 0.6, 0.7]}, 1.0).best_epoch == 2
    assert page.Fitted(None, {}, 1.0).best_epoch == 0


def accuracy_run(capsys, *args) -> dict:
    from benchmarks import weather_accuracy

    assert weather_accuracy.main(list(args)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.slow
def test_weather_accuracy_trains_the_pages_network_and_records_its_curves(photos, capsys):
    result = accuracy_run(capsys, "--split-dir", str(photos), "--epochs", "2", "--img-size", "32",
                          "--dropout", "0", "--no-augment", "--seed", "1")
    assert sum(map(sum, result["confusion"])) == 12 and 0 <= result["test_accuracy"] <= 1
    low, high = result["test_accuracy_interval"]
    assert low <= result["test_accuracy"] <= high
    assert result["dropout"] == 0.0 and result["augmentation"] is None and result["seed"] == 1
    assert result["epochs"] == 2 and result["image_size"] == [32, 32]
    assert len(result["history"]["val_accuracy"]) == len(result["history"]["epoch_seconds"]) == 2
    assert result["best_val_accuracy"] == max(result["history"]["val_accuracy"])
    assert result["final_accuracy"] == result["history"]["accuracy"][-1]
    assert 1 <= result["best_epoch"] <= 2 and result["op_determinism"] is False
    assert "pipeline" in result and result["peak_memory_mb"] > 100


@pytest.mark.slow
def test_weather_accuracy_cross_validation_tests_every_photo_once(photos, capsys):
    for model in ("slides", "baseline"):
        result = accuracy_run(capsys, "--split-dir", str(photos), "--model", model, "--epochs", "1",
                              "--img-size", "32", "--folds", "3")
        assert sum(map(sum, result["confusion"])) == 48  # every photo once, pooled
        assert result["folds"] == 3 and len(result["fold_test_accuracy"]) == 3
        low, high = result["fold_accuracy_range"]
        assert low <= result["test_accuracy"] <= high
        assert result["evaluation"] == "grouped 3-fold cross-validation over all 48 photos"
        if model == "slides":  # the baseline has no validate fold: it trains on train + validate
            assert len(result["fold_validation_accuracy"]) == len(result["fold_best_epoch"]) == 3


@pytest.mark.parametrize("epochs", [30, 45, 3])
def test_the_better_networks_decay_is_stretched_to_its_epochs(epochs):
    from benchmarks import page, weather_accuracy

    steps = weather_accuracy.better_decay_steps(epochs)
    assert steps == 25 * epochs  # 25 batches per epoch
    schedule = page.build("better", 0, (32, 32), decay_steps=steps).optimizer._learning_rate
    assert schedule.decay_steps == steps
    assert float(schedule(steps)) == pytest.approx(0.003 * 0.01)  # fully decayed at the last epoch


@pytest.mark.parametrize("args", [["--leaky"], ["--folds", "2"], ["--model", "better", "--dropout", "0"],
                                  ["--dropout", "1"]])
def test_weather_accuracy_refuses_options_that_do_not_fit_together(capsys, args):
    from benchmarks import weather_accuracy

    with pytest.raises(SystemExit):
        weather_accuracy.parse_args(["--split-dir", "unused", *args])
    assert "error:" in capsys.readouterr().err


def test_transfer_without_weights_says_so_and_fails(photos, tmp_path, monkeypatch, capsys):
    from benchmarks import weather_accuracy

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    assert weather_accuracy.main(["--split-dir", str(photos), "--model", "transfer"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("pretrained weights missing") and "workshop_utils fetch" in captured.err
    assert captured.out == ""


@pytest.fixture
def random_weights(tmp_path, monkeypatch):
    """Random weights of the notebook's backbone in a fresh KERAS_HOME, accepted by the package
    through the benchmark's own registration cell (as run.py does in its copy of notebook 04)."""
    from benchmarks import standin_weights
    from workshop_utils import pretrained

    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setattr(pretrained, "BACKBONE", pretrained.BACKBONE)  # put back afterwards
    assert not pretrained.status()[0]
    path, md5 = standin_weights.make_weights_file(home)
    exec(standin_weights.registration_cell(md5), {})  # noqa: S102
    assert pretrained.status()[0] and pretrained.weights_path() == path
    return md5


@pytest.mark.slow
def test_transfer_measures_features_and_head_on_the_split_and_in_folds(photos, random_weights,
                                                                       tmp_path, capsys):
    """Section 9's own cells (224 px, as the page), with random weights: times, never accuracies."""
    base = ["--split-dir", str(photos), "--model", "transfer"]
    fixed = accuracy_run(capsys, *base)
    assert fixed["weights_md5"] == random_weights and fixed["image_size"] == [224, 224]
    assert sum(map(sum, fixed["confusion"])) == 12 and fixed["features_computed"] == 48
    for key in ("feature_seconds", "head_seconds", "rerun_seconds"):
        assert key in fixed, key
    assert fixed["rerun_seconds"] < fixed["feature_seconds"]  # the page's cache
    folds = accuracy_run(capsys, *base, "--folds", "3")
    assert sum(map(sum, folds["confusion"])) == 48 and folds["features_computed"] == 48
    assert folds["folds"] == 3


def test_transfer_is_not_measured_without_the_real_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    entries = bench.transfer_results(tmp_path, tmp_path, folds=6)
    assert list(entries) == ["transfer", "transfer_cv"]
    assert all(value.startswith("not measured here") for value in entries.values())
    assert report.weather_row("transfer", entries["transfer"])[1].startswith("not measured here")
    assert report.WEATHER_TARGETS["transfer"] == (0.97, 60)


@pytest.mark.slow
def test_backbone_speed_times_the_candidates_and_the_notebooks_own_code(photos, capsys):
    from benchmarks import backbone_speed

    assert backbone_speed.main(["--split-dir", str(photos), "--sizes", "32",
                                "--backbones", "MobileNetV3Small"]) == 0
    (line,) = json.loads(capsys.readouterr().out)["backbones"].values()
    assert line["photos"] == 48 and line["features"] == 576 and line["cpu_seconds"] > 0
    # the notebook's own section 9 cells, with random weights: at the page's 224 px
    assert backbone_speed.main(["--split-dir", str(photos), "--pipeline", "--fine-tune-epochs", "1",
                                "--unfreeze", "2"]) == 0
    pipeline = json.loads(capsys.readouterr().out)
    assert pipeline["photos"] == 48 and pipeline["image_size"] == 224 and pipeline["head_seconds"] >= 0
    assert pipeline["fine_tune_seconds"] > 0 and pipeline["peak_memory_after_features_mb"] > 100
    # the report renders what the script writes (a mismatch once cost a whole benchmark run)
    text = report.backbone_section({"candidates": {"backbones": {"x": line}}, "notebook_pipeline": pipeline})
    assert "MobileNetV3Small" in text and "features of 48 photos" in text and "fine-tuning" in text


def test_epoch_summary_takes_medians_of_the_warm_epochs():
    from benchmarks import epoch_speed

    summary = epoch_speed.summary({"a": 9.0, "b": 5.0}, {"a": [2.0, 4.0, 3.0], "b": [2.0, 2.0, 9.0]},
                                  ("a", "b"))
    assert summary["a_seconds_per_epoch"] == 3.0 and summary["b_seconds_per_epoch"] == 2.0
    assert summary["ratio"] == 1.5 and summary["warm_epochs"] == 3
    assert summary["a_first_epoch_seconds"] == 9.0


@pytest.mark.slow
def test_epoch_speed_compares_the_pages_pipeline_with_resident_tensors(photos, capsys):
    from benchmarks import epoch_speed

    assert epoch_speed.main(["--split-dir", str(photos), "--epochs", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["warm_epochs"] == 2 and result["train_photos"] == 24
    assert result["ratio"] == pytest.approx(result["page_seconds_per_epoch"]
                                            / result["in_memory_seconds_per_epoch"], rel=0.01)
    assert len(result["samples"]["page"]) == len(result["samples"]["in_memory"]) == 2


@pytest.mark.slow
def test_epoch_speed_runs_op_determinism_on_and_off_in_two_processes(photos):
    done = subprocess.run([sys.executable, "benchmarks/epoch_speed.py", "--split-dir", str(photos),
                           "--compare", "determinism", "--epochs", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["on_seconds_per_epoch"] > 0 and result["off_seconds_per_epoch"] > 0
    assert result["gpus"] == [] or all(isinstance(gpu, str) for gpu in result["gpus"])


def history(val: list[float], test: float = 0.5, seconds: float = 1.0) -> dict:
    return {"test_accuracy": test, "history": {"val_accuracy": val, "epoch_seconds": [seconds] * len(val)},
            "command": "python benchmarks/weather_accuracy.py"}


def test_two_runs_are_the_same_when_every_epoch_and_the_test_accuracy_are():
    assert bench.same_run(history([0.5, 0.6]), history([0.5, 0.6], seconds=9.0))["identical"]
    differ = bench.same_run(history([0.5, 0.6, 0.7]), history([0.5, 0.61, 0.7]))
    assert not differ["identical"] and differ["first_different_epoch"] == 2
    assert not bench.same_run(history([0.5]), history([0.5], test=0.6))["identical"]


def test_an_ablation_setting_summarises_its_seeds():
    runs = {"seed0": {**history([0.5, 0.7], test=0.8), "final_accuracy": 0.9, "best_val_accuracy": 0.7},
            "seed1": {**history([0.6, 0.6], test=0.9), "final_accuracy": 1.0, "best_val_accuracy": 0.6},
            "seed2": {"error": "exit 1: killed", "command": "python ..."}}
    for run in runs.values():
        run.get("history", {}).update({"accuracy": [0.4, 0.5]})
    summary = bench.summarise_seeds(runs, 0.0, False)
    assert summary["seeds"] == 2 and summary["dropout"] == 0.0 and not summary["augmentation"]
    assert summary["test_accuracy"] == {"mean": 0.85, "std": pytest.approx(0.0707, abs=1e-4),
                                        "min": 0.8, "max": 0.9}
    assert summary["mean_history"]["val_accuracy"] == [0.55, 0.65]
    assert summary["runs"]["seed2"]["error"] == "exit 1: killed"
    assert [key for key, _ in bench.ABLATION.items()][0] == "dropout_and_augmentation"


def test_dataset_figures_come_from_the_split_report(photos, tmp_path):
    archive = tmp_path / "photos.zip"
    archive.write_bytes(b"x" * 2_500_000)
    figures = bench.dataset_figures(archive, photos, 6.71)
    assert figures["archive_mb"] == 2.5 and figures["fetch_seconds"] == 6.7
    assert figures["photos"] == 48 and figures["train_photos"] == 24 and figures["test_rain_photos"] == 3
    assert figures["near_duplicate_groups"] == 1 and figures["near_duplicate_photos"] == 2


def test_failures_name_what_could_not_be_measured_once():
    failed = weather_entry(None, returncode=1)
    results = {"notebooks": {"04_weather_cnn": {"error": "NameError in cell 3: x"}},
               "weather": {"slides": failed}, "ablation": {"dropout_and_augmentation": {
                   "runs": {"seed0": failed}}}, "hopfield_capacity": "failed (exit 1): boom"}
    assert bench.failures(results) == ["notebook 04_weather_cnn: NameError in cell 3: x",
                                       "weather.slides: exit 1: ValueError: no photos",
                                       "failed (exit 1): boom"]


def test_only_a_complete_run_writes_the_default_files():
    assert bench.is_complete(bench.parse_args(["--weather-archive", "a.zip"]))
    for partial in (["--weather-archive", "a.zip", "notebooks/01_hopfield.ipynb"], [],
                    ["--weather-archive", "a.zip", "--epochs", "1"], ["--fast"]):
        assert not bench.is_complete(bench.parse_args(partial)), partial


def sample_results() -> dict:
    """A complete results dict, as run.py writes it."""
    entry = bench.notebook_entry(notebook_run("04_weather_cnn.ipynb"))
    entry["sections"] = {"0": {"title": "start", "seconds": 2.0, "peak_mb": 300, "growth_mb": 300},
                         "5": {"title": "Training (core)", "seconds": 60.0, "peak_mb": 512,
                               "growth_mb": 212}}
    slides = weather_entry({"test_accuracy": 0.91, "epochs": 20, "classes": ["rain", "shine"],
                            "confusion": [[9, 1], [2, 8]],
                            "history": {"val_accuracy": [0.5, 0.75, 0.7], "loss": [1.0, 0.5, 0.4]}})
    return {
        "schema": 1,
        "run": {"date": "2026-01-02 10:00 UTC", "commit": "abc1234", "command": "python benchmarks/run.py",
                "machine": {"cpu": "Test CPU", "cores": 2, "cores_physical": 2, "memory_gb": 8.0,
                            "os": "Linux", "load": 0.1, "accelerator": "the CPU (no GPU found)"},
                "versions": {"python": "3.11.7", "numpy": "2.0"}, "complete": True,
                "tensorflow": {"onednn": "TensorFlow's default", "op_determinism": False,
                               "op_determinism_why": "as notebook 04"},
                "pipeline": "04_weather_cnn.ipynb, cell 29", "notes": ["a note"], "failures": []},
        "import_workshop_utils": {"seconds": 0.12, "repeats": 5, "tensorflow_imported": False},
        "hopfield_capacity": "not available (no module)",
        "notebooks": {"04_weather_cnn": entry},
        "notebooks_together": {"wall_seconds": 75.0, "sum_of_peaks_mb": 512},
        "weather": {"slides": slides},
        "ablation": {"neither": bench.summarise_seeds({"seed0": {**history([0.5, 0.9]),
                                                                  "final_accuracy": 1.0}}, 0.0, False)},
        "epoch_speed": {"pipeline": {"page_seconds_per_epoch": 5.2, "in_memory_seconds_per_epoch": 5.0,
                                     "ratio": 1.04, "page_first_epoch_seconds": 9.0,
                                     "in_memory_first_epoch_seconds": 6.0, "warm_epochs": 6},
                        "op_determinism": {"error": "exit 1: boom", "command": "python x"}},
        "reproducibility": {"op_determinism_off": bench.same_run(history([0.5]), history([0.6]))},
    }


def test_benchmarks_md_shows_every_part_of_the_results():
    text = report.render(sample_results(), ROOT / "benchmarks" / "results.json")
    for expected in ["Written by `benchmarks/run.py` from `benchmarks/results.json`",
                     "- Date: 2026-01-02 10:00 UTC; commit abc1234\n", "8.0 GB memory",
                     "python 3.11.7, numpy 2.0", "- Note: a note", "op determinism off (as notebook 04)",
                     "| 04_weather_cnn | full | 75.0 s | pass (< 300 s) |",
                     "| 5 | Training (core) | 60.0 s | 512 MB | +212 MB |",
                     "the peaks add up to 512 MB", "| 120 ms (best of 5 fresh interpreters) | no TensorFlow |",
                     "| Hopfield capacity experiment | not available (no module) |",
                     "| slides | 91.0% |", "epochs=20", "| **rain** | 9 | 1 |",
                     "`val_accuracy` ▁█▇ first 0.500, best 0.750, last 0.700 (3 epochs)",
                     "| neither | 0 | no | 1 | 50.0% ± 0.0% (50.0% to 50.0%) |",
                     "| 5.20 s / 5.00 s | 1.04 | pass |", "**failed** `python x`: exit 1: boom",
                     "| op determinism off | **no** | 1 | 50.0% / 50.0% |"]:
        assert expected in text, expected
    assert "loss" not in text.split("#### `slides`")[1]


def test_the_markdown_is_written_from_the_results_file_and_checked_against_it(tmp_path):
    results, markdown = tmp_path / "results.json", tmp_path / "BENCHMARKS.md"
    bench.write(sample_results(), results, markdown)
    assert json.loads(results.read_text()) == sample_results()
    arguments = ["--results", str(results), "--output", str(markdown), "--check"]
    assert report.main(arguments) == 0
    markdown.write_text(markdown.read_text().replace("91.0%", "95.0%"))  # edited by hand
    assert report.main(arguments) == 1
    assert report.main(arguments[:4]) == 0 and report.main(arguments) == 0  # written again
    assert report.main(["--results", str(tmp_path / "none.json")]) == 1


def test_sections_count_the_notebooks_own_cells_and_where_memory_grew():
    nb = nbformat.v4.new_notebook()
    nb.cells = [measure.benchmark_cell("setup = 1"), nbformat.v4.new_markdown_cell("# Title"),
                nbformat.v4.new_code_cell("a = 1"), nbformat.v4.new_markdown_cell("## 1. One (core)"),
                nbformat.v4.new_code_cell("b = 2"), nbformat.v4.new_code_cell("c = 3"),
                nbformat.v4.new_markdown_cell("## 2. Two"), nbformat.v4.new_code_cell("d = 4")]
    assert measure.section_titles(nb) == {0: ("0", "start"), 1: ("0", "start"), 2: ("1", "One (core)"),
                                          3: ("1", "One (core)"), 4: ("1", "One (core)"),
                                          5: ("2", "Two"), 6: ("2", "Two")}
    cells = [measure.CellTime(1, 1.0, "a", 100.0), measure.CellTime(3, 2.0, "b", 150.0),
             measure.CellTime(4, 3.0, "c", 400.0), measure.CellTime(6, 0.5, "d", 0.0)]
    assert measure.sections(nb, cells) == {
        "0": {"title": "start", "seconds": 1.0, "peak_mb": 100, "growth_mb": 100},
        "1": {"title": "One (core)", "seconds": 5.0, "peak_mb": 400, "growth_mb": 300},
        "2": {"title": "Two", "seconds": 0.5, "peak_mb": 400, "growth_mb": 0}}


@pytest.mark.slow
def test_cells_added_by_the_benchmark_are_not_counted_as_the_notebooks(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [measure.benchmark_cell("x = 1"), nbformat.v4.new_code_cell("y = x + 1"),
                nbformat.v4.new_markdown_cell("## 1. Fails"), nbformat.v4.new_code_cell("1 / 0"),
                measure.benchmark_cell("print('never')")]
    path = tmp_path / "added.ipynb"
    nbformat.write(nb, path)
    run = measure.run_notebook(path, dict(os.environ), progress=lambda message: None)
    assert [cell.index for cell in run.cells] == [0, 2]  # the notebook's own numbering
    assert run.error.startswith("ZeroDivisionError in cell 2")
    assert list(run.sections) == ["0", "1"] and all(cell.peak_mb > 10 for cell in run.cells)
    nb.cells = [measure.benchmark_cell("raise ValueError('no weights')"),
                nbformat.v4.new_code_cell("y = 1")]
    nbformat.write(nb, path)
    run = measure.run_notebook(path, dict(os.environ), progress=lambda message: None)
    assert run.error == "ValueError in the cell added by the benchmark: no weights"
