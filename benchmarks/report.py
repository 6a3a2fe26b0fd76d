"""``BENCHMARKS.md``, written from the results file alone: no figure in it is typed by hand.

    python benchmarks/report.py            # BENCHMARKS.md again from benchmarks/results.json
    python benchmarks/report.py --check    # exit 1 when BENCHMARKS.md is not what the file gives

The targets are the project's (notebooks on 2 CPU cores in full mode; the weather networks on
the real photos; notebook 04's pipeline near its floor). A figure is compared with its target
and the table says ``pass`` or by how much it missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"

#: Wall-time targets in seconds, by notebook number (the name's prefix).
NOTEBOOK_SECONDS = {"01": 60, "02": 60, "03": 60, "04": 300}
#: Peak memory target of every notebook's kernel: Binder's 2 GB.
PEAK_MB = 2000
#: (accuracy floor, seconds) per model: the slides' and the better network; transfer learning
#: (features and head together, the first time).
WEATHER_TARGETS = {"slides": (0.90, 180), "better": (0.95, 300), "transfer": (0.97, 60)}
#: Seconds per epoch through the page's pipeline over the floor (resident tensors), at most.
PIPELINE_RATIO = 1.15

TITLE = "# Benchmarks"
SPARKS = "▁▂▃▄▅▆▇█"


def at_most(value: float, limit: float, unit: str, digits: int = 1) -> str:
    """``pass (< limit)``, or ``**miss**`` with how far over ``limit`` the value is."""
    if value < limit:
        return f"pass (< {limit:g} {unit})"
    return f"**miss** by {value - limit:.{digits}f} {unit} (target < {limit:g} {unit})"


def at_least(value: float, floor: float) -> str:
    """``pass (>= floor)`` for an accuracy, or ``**miss**`` by how many percentage points."""
    if value >= floor:
        return f"pass (>= {floor:.0%})"
    return f"**miss** by {100 * (floor - value):.1f} points (target >= {floor:.0%})"


def percent(value) -> str:
    """A fraction as a percentage with one decimal, or "-"."""
    return "-" if value is None else f"{float(value):.1%}"


def format_value(value: object) -> str:
    """A figure for a table cell: floats to 4 significant digits, dicts as ``k=v`` lists."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={format_value(v)}" for k, v in value.items())
    return str(value)


def cell_text(text: str) -> str:
    """Text made safe for one markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def sparkline(values: list[float]) -> str:
    """A one-line chart of ``values`` (each scaled between the smallest and the largest)."""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


# --- the run ------------------------------------------------------------------------------------


def run_section(results: dict, source: Path | None) -> str:
    """Where, when and how the run was made, and what to keep in mind reading it."""
    run = results["run"]
    m, v, tf = run["machine"], run["versions"], run["tensorflow"]
    shown = source.relative_to(ROOT).as_posix() if source and source.is_relative_to(ROOT) else source
    lines = [
        TITLE, "",
        f"Written by `benchmarks/run.py` from {f'`{shown}`' if shown else 'its results'} "
        "(`python benchmarks/report.py` writes it again from that file); never edited by hand. "
        "The README, INSTRUCTORS.md and the notebooks' text quote figures of this one run "
        "(`tests/test_numbers.py` checks them).", "",
        f"- Date: {run['date']}; commit {run['commit']}" + ("" if run.get("complete") else
                                                            " (**not a complete run**)"),
        f"- Command: `{run['command']}`",
        f"- Machine: {m['cpu']}; {m['cores']} CPU cores usable ({m['cores_physical']} physical); "
        f"{m['memory_gb']:.1f} GB memory; {m['os']}"
        + ("" if m.get("load") is None else f"; load average {m['load']:.2f} when the run started"),
        f"- Accelerator: {m.get('accelerator', 'unknown')}",
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in v.items()),
        f"- TensorFlow: oneDNN {tf['onednn']}; op determinism "
        f"{'on' if tf['op_determinism'] else 'off'} ({tf['op_determinism_why']})",
        f"- Notebook 04's photo pipeline in the weather benchmarks: {run['pipeline']}",
    ]
    lines += [f"- Note: {note}" for note in run.get("notes", [])]
    lines += [f"- **Failed**: {failure}" for failure in run.get("failures", [])]
    return "\n".join(lines)


# --- notebooks ----------------------------------------------------------------------------------


def notebook_row(name: str, entry: dict) -> list[str]:
    """One table row: time, memory and their verdicts (full mode only), slowest cell, figures."""
    limit = NOTEBOOK_SECONDS.get(name.split("_", 1)[0])
    full = entry["mode"] == "full" and not entry.get("error")  # a fast or unfinished run: not judged
    slowest = entry.get("slowest_cell")
    return [
        name, entry["mode"], f"{entry['wall_seconds']:.1f} s",
        at_most(entry["wall_seconds"], limit, "s") if limit and full else "n/a",
        f"{entry['peak_mb']:.0f} MB",
        at_most(entry["peak_mb"], PEAK_MB, "MB", digits=0) if full else "n/a",
        f"cell {slowest['index']}, {slowest['seconds']:.1f} s: `{slowest['first_line'][:50]}`"
        if slowest else "-",
        format_value(entry["figures"]) if entry.get("figures") else "none",
        f"**failed**: {entry['error']}" if entry.get("error") else "ok",
    ]


def sections_table(entry: dict) -> str:
    """Per section: its code's seconds, the kernel's high-water mark at its end and its growth."""
    rows = [[number, section["title"], f"{section['seconds']:.1f} s", f"{section['peak_mb']} MB",
             f"+{section['growth_mb']} MB"] for number, section in entry["sections"].items()]
    return table(["Section", "Title", "Code cells' time", "Kernel's peak at its end", "Growth"], rows)


def notebooks_section(notebooks: dict, together: dict | None = None) -> str:
    """The table of notebook runs, then where each notebook's time and memory go."""
    header = ["Notebook", "Mode", "Wall time", "Time target", "Peak memory (kernel)",
              "Memory target", "Slowest cell", "Figures reported", "Result"]
    parts = ["## Notebooks\n\n" + table(header, [notebook_row(name, entry)
                                                  for name, entry in notebooks.items()])]
    parts.append("Peak memory is the kernel's and its children's high-water mark (`VmHWM`), "
                 "1 MB = 10^6 bytes; cell numbers count the notebook's own cells from 0."
                 + ("" if not together else
                    f" All together: {together['wall_seconds']:.1f} s one after the other; the "
                    f"peaks add up to {together['sum_of_peaks_mb']} MB (every kernel left open)."))
    for name, entry in notebooks.items():
        if entry.get("sections"):
            parts.append(f"### Where the time and memory go: {name}\n\n" + sections_table(entry))
    return "\n\n".join(parts)


# --- other measurements -------------------------------------------------------------------------


def other_section(results: dict) -> str:
    """The import time, the capacity experiment and the photos."""
    rows = []
    imp = results.get("import_workshop_utils")
    if imp:
        rows.append(["`import workshop_utils`",
                     f"{imp['seconds'] * 1000:.0f} ms (best of {imp['repeats']} fresh interpreters)",
                     "imports TensorFlow: **yes**" if imp["tensorflow_imported"] else "no TensorFlow"])
    cap = results.get("hopfield_capacity")
    if isinstance(cap, dict):
        rows.append([f"Hopfield capacity experiment ({cap.get('experiment', '')})",
                     f"{cap['seconds']:.2f} s (best of {cap['repeats']}), peak {cap['process_peak_mb']} MB",
                     "-"])
    elif cap is not None:
        rows.append(["Hopfield capacity experiment", cap, "-"])
    data = results.get("dataset")
    if data:
        rows.append(["Fetch, verify, decode and split the photos",
                     f"{data['fetch_seconds']:.1f} s",
                     f"archive {data['archive_mb']} MB; {data['photos']} photos (train "
                     f"{data.get('train_photos')}, validate {data.get('validate_photos')}, test "
                     f"{data.get('test_photos')}); {data['near_duplicate_groups']} near-duplicate "
                     f"groups ({data['near_duplicate_photos']} photos)"])
    return "## Other measurements\n\n" + table(["Measurement", "Value", "Note"], rows) if rows else ""


# --- weather ------------------------------------------------------------------------------------


def weather_row(key: str, entry: dict | str) -> list[str]:
    """One row of the weather benchmark table."""
    if isinstance(entry, str):
        return [key, entry, "-", "-", "-", "-", "-"]
    if entry.get("error") or "test_accuracy" not in entry:
        return [key, f"**failed** ({entry.get('error', 'no result')})", "-", "-",
                f"{entry.get('wall_seconds', 0):.0f} s", "-", "-"]
    accuracy = float(entry["test_accuracy"])
    train = entry.get("train_seconds")
    verdicts = []
    kind = key.removesuffix("_cv")
    if kind in WEATHER_TARGETS:
        floor, seconds = WEATHER_TARGETS[kind]
        verdicts.append(at_least(accuracy, floor))
        if train is not None:
            verdicts.append(at_most(float(train), seconds, "s"))
    shown = percent(accuracy)
    if entry.get("fold_accuracy_range"):  # cross-validation: the pooled figure, then its spread
        low, high = entry["fold_accuracy_range"]
        shown += f" (folds {percent(low)} to {percent(high)})"
    return [key, shown,
            ", ".join(f"{name} {percent(acc)}" for name, acc in entry.get("per_class_accuracy", {}).items())
            or "-",
            f"{float(train):.1f} s" if train is not None else "-",
            f"{entry['wall_seconds']:.0f} s", f"{entry['process_peak_mb']} MB",
            "; ".join(verdicts) or "-"]


def confusion_table(entry: dict) -> str:
    """The confusion matrix of one weather result as a markdown table (rows: truth)."""
    classes = entry["classes"]
    rows = [[f"**{name}**", *map(str, row)] for name, row in zip(classes, entry["confusion"], strict=True)]
    return table(["truth \\ predicted", *classes], rows)


def curves(history: dict) -> list[str]:
    """One line per accuracy curve: a sparkline, then the first, best and last values."""
    return [f"`{key}` {sparkline(values)} first {values[0]:.3f}, best {max(values):.3f}, "
            f"last {values[-1]:.3f} ({len(values)} epochs)"
            for key, values in history.items() if values and "accuracy" in key]


WEATHER_SHOWN = {"test_accuracy", "per_class_accuracy", "train_seconds", "confusion", "classes",
                 "history", "command", "wall_seconds", "process_peak_mb"}


def weather_details(key: str, entry: dict) -> str:
    """The command, its other figures, the confusion matrix and the training curves of a model."""
    others = {k: v for k, v in entry.items() if k not in WEATHER_SHOWN}
    text = f"#### `{key}`\n\n- Command: `{entry['command']}`\n"
    text += f"- Other figures: {cell_text(format_value(others))}\n" if others else ""
    text += "".join(f"- {line}\n" for line in curves(entry.get("history", {})))
    if "confusion" in entry and "classes" in entry:
        photos = ("every photo, each tested once by a network that did not train on it"
                  if entry.get("folds") else "the test photos")
        text += f"\nConfusion matrix on {photos}:\n\n" + confusion_table(entry) + "\n"
    return text


def weather_section(weather: dict) -> str:
    """The table of `benchmarks/weather_accuracy.py` results, then each model's details."""
    header = ["Model", "Test accuracy", "Per-class accuracy", "Training time", "Wall time",
              "Peak memory", "Target"]
    text = "## Weather photos (`benchmarks/weather_accuracy.py`)\n\n"
    text += table(header, [weather_row(key, entry) for key, entry in weather.items()])
    details = [weather_details(key, entry) for key, entry in weather.items()
               if isinstance(entry, dict) and "test_accuracy" in entry]
    return "\n\n".join([text, *(detail.rstrip() for detail in details)])


# --- ablation, epochs, reproducibility ------------------------------------------------------------


def spread(figure: dict | None, as_percent: bool = True) -> str:
    """``mean ± std (min to max)`` of one figure over seeds."""
    if not figure:
        return "-"
    show = percent if as_percent else (lambda v: f"{float(v):.1f}")
    return (f"{show(figure['mean'])} ± {show(figure['std'])} "
            f"({show(figure['min'])} to {show(figure['max'])})")


def ablation_section(ablation: dict) -> str:
    """The slides' network with and without dropout and augmentation: mean ± spread over seeds."""
    header = ["Setting", "Dropout", "Augmentation", "Seeds", "Test accuracy",
              "Training accuracy, last epoch", "Validation accuracy, best epoch",
              "Validation accuracy, last epoch", "Training time (s)"]
    rows = [[key, f"{entry['dropout']:g}", "yes" if entry["augmentation"] else "no",
             str(entry["seeds"]), spread(entry.get("test_accuracy")),
             spread(entry.get("final_accuracy")), spread(entry.get("best_val_accuracy")),
             spread(entry.get("final_val_accuracy")),
             spread(entry.get("train_seconds"), as_percent=False)] for key, entry in ablation.items()]
    text = ("## Ablation: the slides' network with and without dropout and augmentation\n\n"
            "On the notebook's split; mean ± standard deviation over the seeds (smallest to "
            "largest). The seed sets the starting weights, the augmentation's and dropout's draws "
            "and the batch order.\n\n" + table(header, rows))
    mean_curves = [f"- `{key}`: " + "; ".join(curves(entry["mean_history"]))
                   for key, entry in ablation.items() if entry.get("mean_history")]
    return text + ("\n\nMean curves over the seeds:\n\n" + "\n".join(mean_curves) if mean_curves else "")


def epoch_section(speed: dict) -> str:
    """Seconds per epoch: the page's pipeline against its floor; op determinism on and off."""
    rows = []
    pipe = speed.get("pipeline", {})
    if "ratio" in pipe:
        rows.append(["notebook 04's pipeline (`photo_dataset`) / resident tensors",
                     f"{pipe['page_seconds_per_epoch']:.2f} s / {pipe['in_memory_seconds_per_epoch']:.2f} s",
                     f"{pipe['ratio']:.2f}",
                     "pass" if pipe["ratio"] <= PIPELINE_RATIO else "**miss**"
                     + f" (target <= {PIPELINE_RATIO})",
                     f"{pipe['page_first_epoch_seconds']:.1f} s / {pipe['in_memory_first_epoch_seconds']:.1f} s",
                     str(pipe["warm_epochs"])])
    det = speed.get("op_determinism", {})
    if "ratio" in det:
        rows.append(["op determinism on / off", f"{det['on_seconds_per_epoch']:.2f} s / "
                     f"{det['off_seconds_per_epoch']:.2f} s", f"{det['ratio']:.2f}", "-",
                     f"{det['on_first_epoch_seconds']:.1f} s / {det['off_first_epoch_seconds']:.1f} s",
                     str(det["warm_epochs"])])
    failed = [f"- **failed** `{entry['command']}`: {entry['error']}" for entry in (pipe, det)
              if entry.get("error")]
    return ("## Seconds per epoch of the slides' network (`benchmarks/epoch_speed.py`)\n\n"
            "Medians of warm epochs (training and validation), the two sides alternating; the "
            "first epoch (tracing, and the pipeline's decoding) apart.\n\n"
            + table(["Comparison", "Median seconds per epoch (A / B)", "Ratio A / B", "Target",
                     "First epoch (A / B)", "Warm epochs each"], rows)
            + ("\n\n" + "\n".join(failed) if failed else ""))


def reproducibility_section(repro: dict) -> str:
    """Whether two runs of the slides' network (same seed, same machine) print the same numbers."""
    rows = [[key.replace("_", " "), "yes" if entry["identical"] else "**no**",
             str(entry["first_different_epoch"] or "-"),
             " / ".join(percent(a) for a in entry["test_accuracy"])] for key, entry in repro.items()]
    return ("## Two runs, the same numbers?\n\nThe slides' network trained twice (same seed, same "
            "machine, fresh processes, oneDNN on): are the per-epoch figures and the test accuracy "
            "identical?\n\n" + table(["Setting", "Identical", "First epoch that differs",
                                      "Test accuracy (run 1 / run 2)"], rows))


def backbone_section(speed: dict) -> str:
    """Each candidate backbone over every photo (random weights), and the notebook's own code."""
    candidates = speed.get("candidates", {})
    rows = [[line["backbone"], f"{line['image_size']} px", f"{line['seconds']:.1f} s",
             f"{line['cpu_seconds']:.1f} s", f"{line['decode_seconds']:.1f} s", str(line["features"]),
             f"{line['parameters']:,}"] for line in candidates.get("backbones", {}).values()]
    text = ("## Pretrained backbones: speed (`benchmarks/backbone_speed.py`)\n\nRandom weights "
            "(`weights=None`): a forward pass costs the same whatever the weights' values, so "
            "these are times, never accuracies. Every photo, frozen, batches of 32, after a "
            "warm-up batch; decoding and resizing once, apart.\n\n"
            + table(["Backbone", "Size", "Wall time", "CPU time", "Decoding", "Features",
                     "Parameters"], rows))
    pipe = speed.get("notebook_pipeline", {})
    if "features_seconds" in pipe:
        text += (f"\n\nNotebook 04's own section 9 cells ({pipe['backbone']}, {pipe['image_size']} px): "
                 f"features of {pipe['photos']} photos in {pipe['features_seconds']:.1f} s "
                 f"({pipe['features_cpu_seconds']:.1f} CPU s), the head in {pipe['head_seconds']:.2f} s; "
                 f"the process's peak memory {pipe['peak_memory_before_features_mb']:.0f} MB before "
                 f"and {pipe['peak_memory_after_features_mb']:.0f} MB after")
        if "fine_tune_seconds" in pipe:
            text += (f"; {pipe['fine_tune_epochs']} epoch of fine-tuning (top {pipe['unfreeze']} "
                     f"layers) in {pipe['fine_tune_seconds']:.1f} s ({pipe['fine_tune_cpu_seconds']:.1f} CPU s)")
        text += "."
    failed = [f"- **failed** `{entry['command']}`: {entry['error']}" for entry in (candidates, pipe)
              if entry.get("error")]
    return text + ("\n\n" + "\n".join(failed) if failed else "")


def render(results: dict, source: Path | None = None) -> str:
    """The whole of BENCHMARKS.md for ``results`` (read from ``source``)."""
    parts = [run_section(results, source)]
    if results.get("notebooks"):
        parts.append(notebooks_section(results["notebooks"], results.get("notebooks_together")))
    other = other_section(results)
    if other:
        parts.append(other)
    for key, render_part in (("epoch_speed", epoch_section),
                             ("reproducibility", reproducibility_section),
                             ("weather", weather_section), ("ablation", ablation_section),
                             ("backbone_speed", backbone_section)):
        if results.get(key):
            parts.append(render_part(results[key]))
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--output", type=Path, default=BENCHMARKS_MD)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the output differs from the rendering")
    args = parser.parse_args(argv)
    if not args.results.is_file():
        print(f"{args.results} does not exist: run benchmarks/run.py (see benchmarks/README.md)",
              file=sys.stderr)
        return 1
    text = render(json.loads(args.results.read_text(encoding="utf-8")), args.results.resolve())
    if args.check:
        same = args.output.is_file() and args.output.read_text(encoding="utf-8") == text
        print(f"{args.output} {'matches' if same else 'does not match'} {args.results}")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
