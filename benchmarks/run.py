"""Measure the workshop in one named run: write benchmarks/results.json, then BENCHMARKS.md from it.

    python benchmarks/run.py --weather-archive ../shared/datasets/weather/dataset2.zip --weather-folds 6
    python benchmarks/run.py --fast       # CI: cheap, same code paths, prints, writes nothing

Every figure that the notebooks' text, the README or INSTRUCTORS.md quotes comes from this run's
results file (or from a cell of the notebook's own stored run): tests/test_numbers.py checks it.
Everything runs in TensorFlow's default configuration (oneDNN on), as on the learners' machines.
See benchmarks/README.md for what each part measures and how long it takes.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import measure, page, report, standin_weights  # noqa: E402
from workshop_utils.hopfield import CAPACITY_LOADS, CAPACITY_TRIALS  # noqa: E402  (notebook 01's)

RESULTS = ROOT / "benchmarks" / "results.json"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
#: The same experiment, small, for --fast.
FAST_CAPACITY_TRIALS = {100: 1}
#: Notebooks whose full mode needs the real photos (by number prefix).
PHOTO_NOTEBOOKS = ("04",)
WEATHER_MODELS = ("slides", "better", "baseline")
#: The ablation of the slides' network: (dropout, augmentation) per setting, on the notebook's split.
ABLATION = {"dropout_and_augmentation": (0.5, True), "dropout_only": (0.5, False),
            "augmentation_only": (0.0, True), "neither": (0.0, False)}
ABLATION_SEEDS = (0, 1, 2)
#: The figures of each ablation run that the results keep (besides its curves).
ABLATION_FIGURES = ("test_accuracy", "final_accuracy", "best_accuracy", "final_val_accuracy",
                    "best_val_accuracy", "best_epoch", "train_seconds")
#: Code run after a notebook's last cell, in the benchmark's temporary copy only, to print the
#: figures it reports (``{"benchmark": {...}}``); the learners' notebook holds no such plumbing.
FIGURE_CELLS = {
    "04": "import json\n"
          "print(json.dumps({'benchmark': {'slides_test_accuracy': round(float(evaluation.accuracy), 4)}}))",
}
WEATHER_TIMEOUT = 1800  # seconds for one training run (times K under K-fold cross-validation)
SCRIPTS = ROOT / "benchmarks"
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
                             "fast mode and the weather benchmarks are skipped")
    parser.add_argument("--data-dir", type=Path,
                        help="WORKSHOP_DATA_DIR for the runs (default: a temporary folder)")
    parser.add_argument("--results", type=Path,
                        help="the results file to write (default: benchmarks/results.json, and "
                             "only by a complete run; with --fast, nothing unless given)")
    parser.add_argument("--output", type=Path,
                        help="the markdown written from the results (default: BENCHMARKS.md, as "
                             "--results)")
    parser.add_argument("--fast", action="store_true",
                        help="CI check: import time, a small capacity run and a synthetic "
                             "notebook through the same code; prints the tables")
    parser.add_argument("--weather-folds", type=int, default=0, metavar="K",
                        help="also run each weather model under grouped K-fold cross-validation "
                             "(K >= 3): a steadier accuracy than the one test split, for K times "
                             "the training time (default 0: off)")
    parser.add_argument("--epochs", type=int, metavar="N",
                        help="to try the benchmark out: every training run trains N epochs and "
                             "the epoch benchmarks measure N warm epochs (not a complete run)")
    parser.add_argument("--timeout", type=int, default=900,
                        help="seconds one notebook cell may take (default 900)")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebook in notebooks/; a subset "
                             "is not a complete run and writes only where --results says)")
    args = parser.parse_args(argv)
    if args.weather_folds and args.weather_folds < 3:
        parser.error(f"--weather-folds must be 0 (off) or at least 3, got {args.weather_folds}")
    if args.fast and (args.notebooks or args.weather_archive):
        parser.error("--fast runs a synthetic notebook only: leave out notebooks and "
                     "--weather-archive, or leave out --fast")
    return args


def kernel_env(fast: bool, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a notebook kernel or benchmark script: ours plus the workshop's, in
    TensorFlow's default configuration (a ``TF_ENABLE_ONEDNN_OPTS`` of ours is dropped)."""
    env = dict(os.environ)
    env.pop("TF_ENABLE_ONEDNN_OPTS", None)
    env.update({"WORKSHOP_FAST": "1" if fast else "0", "WORKSHOP_DATA_DIR": str(data_dir),
                "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "2"), **extra})
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
    """A tiny notebook in two sections that holds ``megabytes`` of memory in its second and
    reports a figure, for ``--fast``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Synthetic benchmark notebook"),
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_markdown_cell("## 1. Allocate"),
        nbformat.v4.new_code_cell(f"block = np.ones({megabytes * measure.MB // 8}, dtype=np.float64)"),
        nbformat.v4.new_markdown_cell("## 2. Report"),
        nbformat.v4.new_code_cell(
            "import json\n"
            f'print(json.dumps({{"benchmark": {{"allocated_mb": {megabytes}}}}}))'
        ),
    ]
    path = folder / "00_synthetic.ipynb"
    nbformat.write(nb, path)
    return path


def add_benchmark_cells(path: Path, first: str | None = None) -> None:
    """Put the benchmark's own cells into ``path``, a temporary copy: ``first`` at the top, and the
    notebook's :data:`FIGURE_CELLS` code at the end (each tagged, see ``measure.benchmark_cell``)."""
    last = FIGURE_CELLS.get(path.name.split("_", 1)[0])
    if first is None and last is None:
        return
    nb = nbformat.read(path, as_version=4)
    if first is not None:
        nb.cells.insert(0, measure.benchmark_cell(first))
    if last is not None:
        nb.cells.append(measure.benchmark_cell(last))
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


def dataset_figures(archive: Path, split_dir: Path, seconds: float) -> dict:
    """The photos' figures: the archive's size, the fetch's time, the photos per split and class,
    and the near-duplicates, from the ``SPLIT.json`` that the fetch wrote."""
    report_ = json.loads((split_dir / "SPLIT.json").read_text())
    counts = report_["counts"]
    figures = {"archive_mb": round(archive.stat().st_size / measure.MB, 1),
               "fetch_seconds": round(seconds, 1), "photos": report_["total"],
               "near_duplicate_groups": len(report_["duplicate_groups"]),
               "near_duplicate_photos": sum(len(g["files"]) for g in report_["duplicate_groups"])}
    for name, per_split in counts.items():  # SPLIT.json: {class: {split: count}}
        for split, n in per_split.items():
            figures[f"{split}_photos"] = figures.get(f"{split}_photos", 0) + n
            figures[f"{split}_{name}_photos"] = n
    return figures


def prepare_transfer(work: Path, notes: list[str]) -> tuple[str | None, dict[str, str]]:
    """For notebook 04's section 9 where the ImageNet weights are missing: random weights in a
    temporary KERAS_HOME, and the cell that makes the package accept them. (None, {}) where the
    real weights are in place (section 9 then runs with them) or the file cannot be made."""
    from workshop_utils import pretrained

    if pretrained.status()[0]:
        return None, {}
    home = work / "keras-home"
    made = measure.run_json_script([sys.executable, str(SCRIPTS / "standin_weights.py"), str(home)])
    if made.returncode != 0 or not made.result:
        notes.append(f"random weights for section 9 could not be made: {made.stderr_tail}")
        return None, {}
    notes.append("notebook 04's section 9 ran with random weights in place of the ImageNet file "
                 "(the same network: its time and memory, not its accuracy)")
    return standin_weights.registration_cell(made.result["md5"]), {"KERAS_HOME": str(home)}


def run_notebooks(paths: list[Path], data_dir: Path, photos: bool, timeout: int,
                  notes: list[str], label: str = "full",
                  extra_env: dict[str, str] | None = None) -> list[measure.NotebookRun]:
    """Run each notebook in full mode, or notebook 04 in fast mode when there are no photos."""
    runs = []
    for number, path in enumerate(paths, 1):
        fast = needs_photos(path) and not photos
        mode = "fast (no photos)" if fast else label
        if fast:
            notes.append(f"{path.name} needs the real photos for its full mode "
                         "(--weather-archive): it ran in fast mode and is not compared with its "
                         "targets.")
            say(f"{path.name}: full mode needs the photos (--weather-archive); running it in "
                "fast mode instead")
        say(f"[{number}/{len(paths)}] {path.name} ({mode}) ...")
        env = kernel_env(fast, data_dir, **(extra_env if needs_photos(path) and extra_env else {}))
        run = measure.run_notebook(path, env, mode=mode, timeout=timeout, progress=say)
        outcome = f"failed: {run.error}" if run.error else "ok"
        say(f"    {path.name}: {run.wall_seconds:.1f} s, peak {run.peak_mb:.0f} MB, {outcome}")
        runs.append(run)
    return runs


def notebook_entry(run: measure.NotebookRun) -> dict:
    """One notebook run as results: time, memory, slowest cell, sections, figures, error."""
    slowest = run.slowest_cell()
    return {
        "mode": run.mode, "wall_seconds": round(run.wall_seconds, 1), "peak_mb": round(run.peak_mb),
        "slowest_cell": None if slowest is None else {
            "index": slowest.index, "seconds": round(slowest.seconds, 1),
            "first_line": slowest.first_line[:80]},
        "sections": run.sections, "figures": run.figures, "error": run.error,
    }


def script_entry(entry: measure.ScriptRun) -> dict:
    """A benchmark script's JSON result, with its command, wall time, peak memory and exit."""
    result = dict(entry.result or {})
    result.update({"command": shlex.join(["python", *map(shown_path, entry.command[1:])]),
                   "wall_seconds": round(entry.wall_seconds, 1),
                   "process_peak_mb": round(entry.peak_mb)})
    if entry.returncode != 0 or not entry.result:
        last = (entry.stderr_tail.strip().splitlines() or ["no message"])[-1]
        result.update({"error": f"exit {entry.returncode}: {last}"})
    return result


def capacity_entry(capacity: measure.ScriptRun | str) -> dict | str:
    """The capacity experiment's figures (its command is a long snippet: left out)."""
    if isinstance(capacity, str):
        return capacity
    if capacity.returncode != 0 or not capacity.result:
        return f"failed (exit {capacity.returncode}): {capacity.stderr_tail}"
    return {**capacity.result, "process_peak_mb": round(capacity.peak_mb)}


def shown_path(part: str) -> str:
    """A command's argument as the results show it: a temporary folder as a placeholder."""
    if part.startswith(tempfile.gettempdir()) and part.rstrip("/").endswith("weather-img"):
        return "<weather-img>"
    return part.replace(str(ROOT) + os.sep, "")


#: Extra arguments of every training script (``--epochs N`` of a try-out run; none in a real one).
TRY_OUT: list[str] = []


def run_script(name: str, arguments: list[str], data_dir: Path, timeout: float = WEATHER_TIMEOUT,
               try_out: bool = True) -> dict:
    """Run ``benchmarks/<name>`` with ``arguments`` (and :data:`TRY_OUT`'s, unless ``try_out`` is
    False); its :func:`script_entry`."""
    arguments = [*arguments, *(TRY_OUT if try_out else [])]
    command = [sys.executable, str(SCRIPTS / name), *arguments]
    say(f"{name} {' '.join(map(shown_path, arguments))} ...")
    entry = measure.run_json_script(command, env=kernel_env(False, data_dir), progress=say,
                                    timeout=timeout)
    result = script_entry(entry)
    say(f"    exit {entry.returncode}, {entry.wall_seconds:.0f} s"
        + (f", test accuracy {result['test_accuracy']}" if "test_accuracy" in result else ""))
    return result


def weather_runs(folds: int = 0, models: tuple[str, ...] = WEATHER_MODELS) -> list[tuple[str, list[str]]]:
    """(results key, arguments) of each weather run: every model on the notebook's split, then,
    with ``folds``, every model again under grouped cross-validation (key ``<model>_cv``)."""
    runs = [(model, ["--model", model]) for model in models]
    if folds:
        runs += [(f"{model}_cv", ["--model", model, "--folds", str(folds)]) for model in models]
    return runs


def weather_results(split_dir: Path, data_dir: Path, folds: int, deterministic: bool) -> dict:
    """Each weather model on the notebook's split (and cross-validated), and transfer learning
    where the real weights are in place ("not measured here" otherwise)."""
    flag = ["--deterministic"] if deterministic else []
    results = {}
    for key, arguments in weather_runs(folds):
        timeout = WEATHER_TIMEOUT * (folds if key.endswith("_cv") else 1)
        results[key] = run_script("weather_accuracy.py",
                                  ["--split-dir", str(split_dir), *arguments, *flag], data_dir, timeout)
    results.update(transfer_results(split_dir, data_dir, folds))
    return results


def transfer_results(split_dir: Path, data_dir: Path, folds: int = 0) -> dict:
    """Notebook 04's transfer learning where the ImageNet weights are in place; otherwise each of
    its entries says "not measured here" (random weights would give a meaningless accuracy)."""
    from workshop_utils import pretrained

    if not pretrained.status()[0]:
        why = "not measured here (pretrained weights missing: `python -m workshop_utils fetch`)"
        return {key: why for key, _ in weather_runs(folds, ("transfer",))}
    return {key: run_script("weather_accuracy.py", ["--split-dir", str(split_dir), *arguments],
                            data_dir, WEATHER_TIMEOUT * max(folds, 1))
            for key, arguments in weather_runs(folds, ("transfer",))}


def same_run(first: dict, second: dict) -> dict:
    """Whether two training runs printed the same numbers: every per-epoch figure (not times) and
    the test accuracy; the first epoch (from 1) where they differ."""
    curves = [key for key in first.get("history", {}) if key != "epoch_seconds"]
    differ = [epoch for key in curves
              for epoch, (a, b) in enumerate(zip(first["history"][key], second["history"][key],
                                                 strict=False), 1) if a != b]
    return {"identical": not differ and first.get("test_accuracy") == second.get("test_accuracy"),
            "first_different_epoch": min(differ, default=None),
            "test_accuracy": [first.get("test_accuracy"), second.get("test_accuracy")],
            "commands": [first.get("command"), second.get("command")]}


def reproducibility(split_dir: Path, data_dir: Path, notebook_run: dict, deterministic: bool) -> dict:
    """Two runs of the slides' network (same seed, same machine), with op determinism as notebook
    04 has it (the first is the weather benchmark's own run) and with it the other way."""
    results = {}
    for on in (deterministic, not deterministic):
        flag = ["--deterministic"] if on else []
        runs = [notebook_run] if on == deterministic else []
        while len(runs) < 2:
            runs.append(run_script("weather_accuracy.py",
                                   ["--split-dir", str(split_dir), "--model", "slides", *flag], data_dir))
        results[f"op_determinism_{'on' if on else 'off'}"] = same_run(*runs)
    return results


def ablation_results(split_dir: Path, data_dir: Path, deterministic: bool, first: dict) -> dict:
    """The slides' network with and without dropout and augmentation, over seeds; the run with
    both and seed 0 is the weather benchmark's ``first`` (the same command)."""
    flag = ["--deterministic"] if deterministic else []
    results = {}
    for setting, (dropout, augment) in ABLATION.items():
        runs = {}
        for seed in ABLATION_SEEDS:
            if (dropout, augment, seed) == (0.5, True, 0):
                runs["seed0"] = first
                continue
            arguments = ["--split-dir", str(split_dir), "--model", "slides", "--seed", str(seed),
                         "--dropout", str(dropout), *([] if augment else ["--no-augment"]), *flag]
            runs[f"seed{seed}"] = run_script("weather_accuracy.py", arguments, data_dir)
        results[setting] = summarise_seeds(runs, dropout, augment)
    return results


def summarise_seeds(runs: dict[str, dict], dropout: float, augment: bool) -> dict:
    """One ablation setting: each seed's figures and curves, and their mean, spread and mean curves."""
    kept = {seed: {key: run.get(key) for key in (*ABLATION_FIGURES, "history", "command", "error")
                   if key in run} for seed, run in runs.items()}
    done = [run for run in kept.values() if "error" not in run and "test_accuracy" in run]
    summary: dict = {"dropout": dropout, "augmentation": augment, "seeds": len(done), "runs": kept}
    for key in ABLATION_FIGURES:
        values = [float(run[key]) for run in done if run.get(key) is not None]
        if values:
            summary[key] = {"mean": round(statistics.fmean(values), 4),
                            "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
                            "min": min(values), "max": max(values)}
    curves = [run["history"] for run in done if run.get("history")]
    if curves:
        summary["mean_history"] = {
            key: [round(statistics.fmean(values), 4) for values in zip(*(c[key] for c in curves),
                                                                         strict=False)]
            for key in ("accuracy", "val_accuracy", "loss", "val_loss") if all(key in c for c in curves)}
    return summary


def epoch_speed(split_dir: Path, data_dir: Path, deterministic: bool) -> dict:
    """The page's pipeline against resident tensors, and op determinism on against off."""
    pipeline = ["--split-dir", str(split_dir), "--compare", "pipeline"]
    return {"pipeline": run_script("epoch_speed.py",
                                   pipeline + (["--deterministic"] if deterministic else []), data_dir),
            "op_determinism": run_script("epoch_speed.py", ["--split-dir", str(split_dir),
                                                            "--compare", "determinism"], data_dir)}


def backbone_speed(split_dir: Path, data_dir: Path) -> dict:
    """Seconds each candidate backbone takes over every photo (random weights: speed only), and
    notebook 04's own transfer code with one epoch of fine-tuning (a try-out run: small photos)."""
    size = ["64"] if TRY_OUT else []
    return {"candidates": run_script("backbone_speed.py", ["--split-dir", str(split_dir),
                                                           *(["--sizes", *size] if size else [])],
                                     data_dir, try_out=False),
            "notebook_pipeline": run_script("backbone_speed.py", [
                "--split-dir", str(split_dir), "--pipeline", "--sizes", *(size or ["224"]),
                "--fine-tune-epochs", "1"], data_dir, try_out=False)}


def measure_all(args: argparse.Namespace, results: dict, work: Path) -> None:
    """Every measurement of one run, recorded into ``results`` as it goes."""
    notes = results["run"]["notes"]
    data_dir = (args.data_dir or work / "data").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    say("import workshop_utils (fresh interpreters) ...")
    results["import_workshop_utils"] = measure.import_time(repeats=3 if args.fast else 5)
    trials = FAST_CAPACITY_TRIALS if args.fast else CAPACITY_TRIALS
    say(f"Hopfield capacity experiment (N = {', '.join(map(str, trials))}) ...")
    capacity = measure.capacity_time(trials, CAPACITY_LOADS, repeats=1 if args.fast else 3)
    results["hopfield_capacity"] = capacity_entry(capacity)
    split_dir = fetch_if_asked(args, results, data_dir)
    first_cell, transfer_env = (prepare_transfer(work, notes) if split_dir is not None
                                else (None, {}))
    paths = notebook_paths(args, work, notes, first_cell)
    runs = run_notebooks(paths, data_dir, split_dir is not None, args.timeout, notes,
                         label="synthetic" if args.fast else "full", extra_env=transfer_env)
    results["notebooks"] = {run.name.removesuffix(".ipynb"): notebook_entry(run) for run in runs}
    results["notebooks_together"] = {  # a learner who keeps every notebook's kernel open
        "wall_seconds": round(sum(run.wall_seconds for run in runs), 1),
        "sum_of_peaks_mb": round(sum(run.peak_mb for run in runs))}
    if split_dir is None:
        if not args.fast:
            notes.append("no photos (--weather-archive): the weather benchmarks did not run")
        return
    deterministic = results["run"]["tensorflow"]["op_determinism"]
    results["weather"] = weather_results(split_dir, data_dir, args.weather_folds, deterministic)
    results["reproducibility"] = reproducibility(split_dir, data_dir, results["weather"]["slides"],
                                                 deterministic)
    results["ablation"] = ablation_results(split_dir, data_dir, deterministic,
                                           results["weather"]["slides"])
    results["epoch_speed"] = epoch_speed(split_dir, data_dir, deterministic)
    results["backbone_speed"] = backbone_speed(split_dir, data_dir)


def fetch_if_asked(args: argparse.Namespace, results: dict, data_dir: Path) -> Path | None:
    """The split photo folder when ``--weather-archive`` was given and fetching worked."""
    if not args.weather_archive or args.fast:
        return None
    say(f"fetching the photos from {args.weather_archive} into {data_dir} ...")
    try:
        split_dir, seconds = fetch_photos(args.weather_archive.resolve(), data_dir)
    except Exception as exc:  # say what went wrong; the notebooks still get measured
        results["run"]["notes"].append(f"fetching the photos failed: {type(exc).__name__}: {exc}")
        say(results["run"]["notes"][-1])
        return None
    results["dataset"] = dataset_figures(args.weather_archive, split_dir, seconds)
    return split_dir


def notebook_paths(args: argparse.Namespace, work: Path, notes: list[str],
                   first_cell_04: str | None) -> list[Path]:
    """Temporary copies of the notebooks to run, or the synthetic notebook in fast mode."""
    if args.fast:
        return [synthetic_notebook(work)]
    sources = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not sources:
        notes.append("no notebooks found in notebooks/")
    copies = copy_notebooks([path.resolve() for path in sources], work)
    for copy in copies:
        add_benchmark_cells(copy, first_cell_04 if needs_photos(copy) else None)
    return copies


def busy_note(machine: dict) -> str | None:
    """A warning when other work already keeps at least one core busy, else None."""
    load = machine.get("load")
    if load is None or load < 1.0:
        return None
    return (f"the machine was busy when the run started (load average {load:.1f} on "
            f"{machine['cores']} cores): times are longer than on an idle machine")


def failures(results: dict) -> list[str]:
    """What could not be measured (a missed target is not a failure), one line each."""
    found = {f"notebook {name}": entry["error"]
             for name, entry in results.get("notebooks", {}).items() if entry.get("error")}

    def walk(value, where: str) -> None:
        if isinstance(value, dict):
            if value.get("error") and "command" in value:
                found.setdefault(value["command"], f"{where}: {value['error']}")
                return
            for key, inner in value.items():
                walk(inner, f"{where}.{key}")

    for key in ("weather", "ablation", "epoch_speed", "backbone_speed"):
        walk(results.get(key), key)
    capacity = results.get("hopfield_capacity")
    if isinstance(capacity, str) and capacity.startswith("failed"):
        found["hopfield_capacity"] = capacity
    return [f"{where}: {error}" if where.startswith("notebook") else error
            for where, error in found.items()]


def accelerator() -> str:
    """What Keras would train on here, in the words of the notebooks' own check (a fresh
    interpreter, so that this process never imports TensorFlow)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", "from workshop_utils.machine import "
                           "accelerator_line; print(accelerator_line())"], capture_output=True,
                          text=True, env=kernel_env(False, ROOT), check=False)
    return (done.stdout.strip().splitlines() or ["unknown"])[-1]


def new_results(args: argparse.Namespace, argv: list[str]) -> dict:
    """The run's description, before any measurement."""
    machine = measure.machine()
    machine["accelerator"] = accelerator() if not args.fast else "not checked (fast mode)"
    run = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
           "commit": measure.git_revision(ROOT),
           "command": shlex.join(["python", "benchmarks/run.py", *argv]),
           "machine": machine, "versions": measure.versions(), "fast": args.fast,
           "complete": is_complete(args),
           "tensorflow": {"onednn": "TensorFlow's default (TF_ENABLE_ONEDNN_OPTS unset)",
                          "op_determinism": page.uses_op_determinism(),
                          "op_determinism_why": "as notebook 04, whose code calls "
                                                "enable_op_determinism()" if page.uses_op_determinism()
                          else "as notebook 04 and TensorFlow's default"},
           "pipeline": page.page_code().origin, "notes": []}
    if "TF_ENABLE_ONEDNN_OPTS" in os.environ:
        run["notes"].append(f"TF_ENABLE_ONEDNN_OPTS={os.environ['TF_ENABLE_ONEDNN_OPTS']} was set "
                            "here; the runs went without it (TensorFlow's default)")
    if not page.page_code().from_notebook:
        run["notes"].append("notebook 04 has no pipeline cell yet: the weather benchmarks used "
                            "benchmarks/page.py's copy of the page code")
    if args.fast:
        run["notes"].append("fast mode: a synthetic notebook, a small capacity run; "
                            "not a measurement of the workshop")
    busy = busy_note(machine)
    if busy:
        run["notes"].append(busy)
        say(busy)
    return {"schema": 1, "run": run}


def is_complete(args: argparse.Namespace) -> bool:
    """Whether this run measures everything the texts quote: all notebooks and the photos."""
    return (not args.fast and not args.notebooks and args.weather_archive is not None
            and args.epochs is None)


def write(results: dict, results_path: Path | None, markdown_path: Path | None) -> None:
    """Write the results file, then the markdown from what was written."""
    if results_path is not None:
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        results = json.loads(results_path.read_text(encoding="utf-8"))
        say(f"wrote {results_path}")
    if markdown_path is not None:
        source = results_path.resolve() if results_path is not None else None
        markdown_path.write_text(report.render(results, source), encoding="utf-8")
        say(f"wrote {markdown_path}")


def main(argv: list[str] | None = None) -> int:
    """Measure, print the tables, and write the results file and the markdown."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    TRY_OUT[:] = [] if args.epochs is None else ["--epochs", str(args.epochs)]
    results = new_results(args, argv)
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as work:
        measure_all(args, results, Path(work))
    problems = failures(results)
    results["run"]["failures"] = problems
    default = results["run"]["complete"]
    results_path = args.results or (RESULTS if default else None)
    markdown_path = args.output or (BENCHMARKS_MD if default else None)
    if results_path is None and not args.fast:  # an hour of measuring is never lost to a report
        results_path = Path(tempfile.gettempdir()) / "workshop-benchmark-results.json"
        say(f"not a complete run (a subset of notebooks, or no --weather-archive): the results go "
            f"to {results_path} only; give --results and --output to keep them")
    write(results, results_path, None)  # the figures first: rendering comes after
    print("\n" + report.render(results, None), flush=True)
    if markdown_path is not None:
        source = results_path.resolve() if results_path is not None else None
        markdown_path.write_text(report.render(results, source), encoding="utf-8")
        say(f"wrote {markdown_path}")
    say("done" + (f" ({len(problems)} measurements failed: see above)" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
