"""Measure the workshop: each notebook's time and memory in full mode, and the CNN's results.

    python benchmarks/run.py --weather-archive ../shared/datasets/weather/dataset2.zip
    python benchmarks/run.py --fast       # CI: cheap, same code paths, prints, writes nothing

Each notebook runs headless from a temporary copy in a fresh kernel; the run is recorded as a
new section on top of BENCHMARKS.md (older runs are kept below). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import measure, report  # noqa: E402
from workshop_utils.hopfield import CAPACITY_LOADS, CAPACITY_TRIALS  # noqa: E402  (notebook 01's)

#: The same experiment, small, for --fast.
FAST_CAPACITY_TRIALS = {100: 1}
#: Notebooks whose full mode needs the real photos (by number prefix).
PHOTO_NOTEBOOKS = ("04",)
WEATHER_MODELS = ("slides", "better", "baseline")
#: Extra weather runs on the notebook's split: (table label, extra arguments). Notebook 04 gives
#: Adam a smaller learning rate than Keras's default; this run measures the default against it.
WEATHER_EXTRA_RUNS = (("slides, learning rate 0.001 (Keras's default)",
                       ["--model", "slides", "--learning-rate", "0.001"]),)
#: Code run after a notebook's last cell, in the benchmark's temporary copy only, to print the
#: figures it reports (``{"benchmark": {...}}``); the learners' notebook holds no such plumbing.
FIGURE_CELLS = {
    "04": "print(weather.benchmark_line(slides=evaluation, better=better_evaluation,\n"
          "                             baseline=baselines['boosting'].evaluation,\n"
          "                             **({'transfer': transfer.evaluation} if transfer is not None else {})))",
}
WEATHER_TIMEOUT = 1800  # seconds for one weather run (times K under K-fold cross-validation)
WEATHER_SCRIPT = ROOT / "benchmarks" / "weather_accuracy.py"
#: The synthetic notebook of ``--fast`` allocates this much, so its peak memory is checkable.
SYNTHETIC_MB = 200

_START = time.perf_counter()


def say(message: str) -> None:
    """Print a progress line with the time elapsed since the script started."""
    print(f"[{time.perf_counter() - _START:6.0f} s] {message}", flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weather-archive", type=Path, metavar="ZIP",
                        help="the weather photos (local zip); without it notebook 04 runs in "
                             "fast mode and the weather benchmark is skipped")
    parser.add_argument("--data-dir", type=Path,
                        help="WORKSHOP_DATA_DIR for the runs (default: a temporary folder)")
    parser.add_argument("--output", type=Path,
                        help="the markdown file to add this run to (default: BENCHMARKS.md; "
                             "with --fast, nothing is written unless this is given)")
    parser.add_argument("--fast", action="store_true",
                        help="CI check: import time, a small capacity run and a synthetic "
                             "notebook through the same code; prints the tables")
    parser.add_argument("--weather-folds", type=int, default=0, metavar="K",
                        help="also run each weather model under grouped K-fold cross-validation "
                             "(weather_accuracy.py --folds K; K >= 3): a steadier accuracy than "
                             "the one test split, for K times the training time (default 0: off)")
    parser.add_argument("--timeout", type=int, default=900,
                        help="seconds one notebook cell may take (default 900, as "
                             "tools/run_notebooks.py)")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebook in notebooks/)")
    args = parser.parse_args(argv)
    if args.weather_folds and args.weather_folds < 3:
        parser.error(f"--weather-folds must be 0 (off) or at least 3, got {args.weather_folds}")
    if args.fast and (args.notebooks or args.weather_archive):
        parser.error("--fast runs a synthetic notebook only: leave out notebooks and "
                     "--weather-archive, or leave out --fast")
    return args


def kernel_env(fast: bool, data_dir: Path) -> dict[str, str]:
    """The environment of a notebook kernel or benchmark script: ours plus the workshop's."""
    env = dict(os.environ)
    env.update({"WORKSHOP_FAST": "1" if fast else "0", "WORKSHOP_DATA_DIR": str(data_dir),
                "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
                # as the test suite's kernels (conftest.py): the same arithmetic as stored outputs
                "TF_ENABLE_ONEDNN_OPTS": env.get("TF_ENABLE_ONEDNN_OPTS", "0")})
    return env


def copy_notebooks(paths: list[Path], dest: Path) -> list[Path]:
    """Copy each notebook's folder (without checkpoints) into ``dest``; the copies' paths."""
    copies = []
    for path in paths:
        folder = dest / path.parent.name
        if not folder.exists():
            shutil.copytree(path.parent, folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        copies.append(folder / path.name)
    return copies


def synthetic_notebook(folder: Path, megabytes: int = SYNTHETIC_MB) -> Path:
    """A tiny notebook that holds ``megabytes`` of memory and reports a figure, for ``--fast``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Synthetic benchmark notebook"),
        nbformat.v4.new_code_cell(
            f"import numpy as np\nblock = np.ones({megabytes * measure.MB // 8}, dtype=np.float64)"
        ),
        nbformat.v4.new_code_cell(
            "import json\n"
            f'print(json.dumps({{"benchmark": {{"allocated_mb": {megabytes}}}}}))'
        ),
    ]
    path = folder / "00_synthetic.ipynb"
    nbformat.write(nb, path)
    return path


def add_figure_cell(path: Path) -> None:
    """Append the notebook's :data:`FIGURE_CELLS` code (if any) to ``path``, a temporary copy."""
    source = FIGURE_CELLS.get(path.name.split("_", 1)[0])
    if source is None:
        return
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)


def needs_photos(path: Path) -> bool:
    """True for a notebook whose full mode needs the real weather photos."""
    return path.name.split("_", 1)[0] in PHOTO_NOTEBOOKS


def fetch_photos(archive: Path, data_dir: Path) -> tuple[Path, float]:
    """Fetch, verify and split the photos from ``archive`` into ``data_dir``; folder and time."""
    from workshop_utils.weather import fetch_weather

    start = time.perf_counter()
    folder = fetch_weather(source=archive, data_dir=data_dir, progress=False)
    return Path(folder), time.perf_counter() - start


def run_notebooks(paths: list[Path], data_dir: Path, photos: bool, timeout: int,
                  notes: list[str], label: str = "full") -> list[measure.NotebookRun]:
    """Run each notebook in full mode, or notebook 04 in fast mode when there are no photos."""
    runs = []
    for number, path in enumerate(paths, 1):
        fast = needs_photos(path) and not photos
        mode = "fast (no photos)" if fast else label
        if fast:
            notes.append(f"{path.name} needs the real photos for its full mode "
                         "(--weather-archive): it ran in fast mode, on stand-in pictures, "
                         "and is not compared with its targets.")
            say(f"{path.name}: full mode needs the photos (--weather-archive); running it in "
                "fast mode instead")
        say(f"[{number}/{len(paths)}] {path.name} ({mode}) ...")
        run = measure.run_notebook(path, kernel_env(fast, data_dir), mode=mode,
                                   timeout=timeout, progress=say)
        outcome = f"failed: {run.error}" if run.error else "ok"
        say(f"    {path.name}: {run.wall_seconds:.1f} s, peak {run.peak_mb:.0f} MB, {outcome}")
        runs.append(run)
    return runs


def weather_runs(folds: int = 0, models: tuple[str, ...] = WEATHER_MODELS) -> list[tuple[str, list[str]]]:
    """(table label, extra arguments) of each weather run: every model on the notebook's split,
    then, with ``folds``, every model again under grouped cross-validation."""
    runs = [(model, ["--model", model]) for model in models]
    if models == WEATHER_MODELS:
        runs += list(WEATHER_EXTRA_RUNS)
    if folds:
        runs += [(f"{model}, {folds}-fold CV", ["--model", model, "--folds", str(folds)])
                 for model in models]
    return runs


def transfer_results(split_dir: Path, data_dir: Path, folds: int = 0) -> dict:
    """Notebook 04's transfer learning (``--model transfer``) where the pretrained weights are in
    place; otherwise each of its rows says "not measured here" (no figure is guessed)."""
    from workshop_utils import pretrained

    if not pretrained.is_ready():
        why = "not measured here (pretrained weights missing: `python -m workshop_utils fetch`)"
        return {label: why for label, _ in weather_runs(folds, ("transfer",))}
    return run_weather(split_dir, data_dir, folds, ("transfer",))


def run_weather(split_dir: Path, data_dir: Path, folds: int = 0,
                models: tuple[str, ...] = WEATHER_MODELS) -> dict:
    """Run ``weather_accuracy.py`` for each model on the same photos; its results by label."""
    results: dict = {}
    for label, extra in weather_runs(folds, models):
        command = [sys.executable, str(WEATHER_SCRIPT.relative_to(ROOT)), "--split-dir",
                   str(split_dir), *extra]
        say(f"weather benchmark: {' '.join(extra)} ...")
        entry = measure.run_json_script(command, env=kernel_env(False, data_dir), progress=say,
                                        timeout=WEATHER_TIMEOUT * (folds if "--folds" in extra else 1))
        accuracy = (entry.result or {}).get("test_accuracy")
        say(f"    {label}: exit {entry.returncode}, {entry.wall_seconds:.0f} s, "
            f"test accuracy {accuracy}")
        results[label] = entry
    return results


def fetch_if_asked(args: argparse.Namespace, run: report.BenchmarkRun,
                   data_dir: Path) -> Path | None:
    """The split photo folder when ``--weather-archive`` was given and fetching worked."""
    if not args.weather_archive or args.fast:
        return None
    say(f"fetching the photos from {args.weather_archive} into {data_dir} ...")
    try:
        split_dir, run.fetch_seconds = fetch_photos(args.weather_archive.resolve(), data_dir)
    except Exception as exc:  # say what went wrong; the notebooks still get measured
        run.notes.append(f"fetching the photos failed: {type(exc).__name__}: {exc}")
        say(run.notes[-1])
        return None
    return split_dir


def notebook_paths(args: argparse.Namespace, run: report.BenchmarkRun, work: Path) -> list[Path]:
    """Temporary copies of the notebooks to run, or the synthetic notebook in fast mode."""
    if args.fast:
        return [synthetic_notebook(work)]
    sources = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not sources:
        run.notes.append("no notebooks found in notebooks/")
    copies = copy_notebooks([path.resolve() for path in sources], work)
    for copy in copies:
        add_figure_cell(copy)
    return copies


def weather_results(args: argparse.Namespace, split_dir: Path | None, data_dir: Path) -> dict:
    """The weather benchmark for each model, or why it did not run."""
    if split_dir is None:
        reason = "no --weather-archive given" if not args.weather_archive else "no photos"
        return {model: f"not run ({reason})" for model in WEATHER_MODELS}
    if not WEATHER_SCRIPT.exists():
        return {model: "not run (benchmarks/weather_accuracy.py is missing)"
                for model in WEATHER_MODELS}
    results = run_weather(split_dir, data_dir, args.weather_folds)
    results.update(transfer_results(split_dir, data_dir, args.weather_folds))
    return results


def measure_all(args: argparse.Namespace, run: report.BenchmarkRun, work: Path) -> None:
    """Every measurement of one run, recorded into ``run`` as it goes."""
    data_dir = (args.data_dir or work / "data").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    say("import workshop_utils (fresh interpreters) ...")
    run.import_time = measure.import_time(repeats=3 if args.fast else 5)
    trials = FAST_CAPACITY_TRIALS if args.fast else CAPACITY_TRIALS
    say(f"Hopfield capacity experiment (N = {', '.join(map(str, trials))}) ...")
    run.capacity = measure.capacity_time(trials, CAPACITY_LOADS, repeats=1 if args.fast else 3)
    split_dir = fetch_if_asked(args, run, data_dir)
    run.notebooks = run_notebooks(notebook_paths(args, run, work), data_dir,
                                  split_dir is not None, args.timeout, run.notes,
                                  label="synthetic" if args.fast else "full")
    if not args.fast:
        run.weather = weather_results(args, split_dir, data_dir)


def busy_note(machine: dict) -> str | None:
    """A warning when other work already keeps at least one core busy, else None."""
    load = machine.get("load")
    if load is None or load < 1.0:
        return None
    return (f"the machine was busy when the run started (load average {load:.1f} on "
            f"{machine['cores']} cores): times are longer than on an idle machine")


def failed(run: report.BenchmarkRun) -> bool:
    """True when a measurement could not be made (a missed target is not a failure)."""
    scripts = [run.capacity, *run.weather.values()]
    return any(nb.error for nb in run.notebooks) or any(
        isinstance(s, measure.ScriptRun) and s.returncode != 0 for s in scripts
    )


def main(argv: list[str] | None = None) -> int:
    """Measure, print the run's tables, and add them to the output file."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    run = report.BenchmarkRun(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        command=shlex.join(["python", "benchmarks/run.py", *argv]),
        revision=measure.git_revision(ROOT),
        machine=measure.machine(),
        versions=measure.versions(),
        fast=args.fast,
    )
    if args.fast:
        run.notes.append("fast mode: a synthetic notebook, a small capacity run; "
                         "not a measurement of the workshop")
    busy = busy_note(run.machine)
    if busy:
        run.notes.append(busy)
        say(busy)
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as work:
        measure_all(args, run, Path(work))
    section = report.render_run(run)
    print("\n" + section, flush=True)
    output = args.output or (None if args.fast else ROOT / "BENCHMARKS.md")
    if output is not None:
        report.prepend_run(output, section)
        say(f"added this run to {output}")
    say("done" + (" (some measurements failed: see the tables)" if failed(run) else ""))
    return 1 if failed(run) else 0


if __name__ == "__main__":
    raise SystemExit(main())
