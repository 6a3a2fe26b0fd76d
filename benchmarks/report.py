"""Targets and the markdown of ``BENCHMARKS.md``: one section per run, newest on top.

The targets are the issues' (issue 6: notebooks on 2 CPU cores in full mode; issue 8: the
weather networks on the real photos). A figure is compared with its target and the table says
``pass`` or by how much it missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .measure import NotebookRun, ScriptRun

#: Wall-time targets in seconds, by notebook number (the name's prefix).
NOTEBOOK_SECONDS = {"01": 60, "02": 60, "03": 60, "04": 300}
#: Peak memory target of every notebook's kernel: Binder's 2 GB.
PEAK_MB = 2000
#: Weather benchmark targets: (minimum test accuracy, maximum training seconds) per model.
#: (accuracy floor, seconds) per model: issue 8's networks; issue 17's transfer learning (features
#: and head together, the first time).
WEATHER_TARGETS = {"slides": (0.90, 180), "better": (0.95, 300), "transfer": (0.97, 60)}

TITLE = "# Benchmarks"
INTRO = (
    "Measured by `python benchmarks/run.py` (see `benchmarks/README.md`); never edited by hand.\n"
    "Newest run first. Targets: notebooks 01-03 under 60 s, notebook 04 under 5 min, every\n"
    "notebook's peak memory under 2 GB (2000 MB), on 2 CPU cores in full mode."
)
MARKER = "<!-- runs: newest first; benchmarks/run.py inserts new runs below this line -->"


@dataclass
class BenchmarkRun:
    """Everything one invocation of ``benchmarks/run.py`` measured, ready to render."""

    date: str
    command: str
    revision: str
    machine: dict
    versions: dict
    fast: bool = False
    import_time: dict | None = None
    capacity: ScriptRun | str | None = None
    fetch_seconds: float | None = None
    notebooks: list[NotebookRun] = field(default_factory=list)
    weather: dict[str, ScriptRun | str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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


def notebook_time_target(name: str) -> float | None:
    """The wall-time target of a notebook from its number prefix, or None when it has none."""
    return NOTEBOOK_SECONDS.get(name.split("_", 1)[0])


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
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def notebook_row(run: NotebookRun) -> list[str]:
    """One table row: time, memory and their verdicts (full mode only), slowest cell, figures."""
    limit = notebook_time_target(run.name)
    full = run.mode == "full" and not run.error  # a fast or unfinished run is not judged
    time_verdict = at_most(run.wall_seconds, limit, "s") if limit and full else "n/a"
    slowest = run.slowest_cell()
    slowest_text = (
        f"cell {slowest.index}, {slowest.seconds:.1f} s: `{slowest.first_line[:50]}`"
        if slowest else "-"
    )
    return [
        run.name,
        run.mode,
        f"{run.wall_seconds:.1f} s",
        time_verdict,
        f"{run.peak_mb:.0f} MB",
        at_most(run.peak_mb, PEAK_MB, "MB", digits=0) if full else "n/a",
        slowest_text,
        format_value(run.figures) if run.figures else "none",
        f"**failed**: {run.error}" if run.error else "ok",
    ]


def notebooks_section(runs: list[NotebookRun]) -> str:
    """The table of notebook runs."""
    header = ["Notebook", "Mode", "Wall time", "Time target", "Peak memory (kernel)",
              "Memory target", "Slowest cell", "Figures reported", "Result"]
    return "### Notebooks\n\n" + table(header, [notebook_row(run) for run in runs])


def other_rows(run: BenchmarkRun) -> list[list[str]]:
    """Rows for the import time, the capacity experiment and the photo fetch."""
    rows = []
    if run.import_time is not None:
        imp = run.import_time
        tf_note = "imports TensorFlow: **yes**" if imp["tensorflow_imported"] else "no TensorFlow"
        rows.append([
            "`import workshop_utils`",
            f"{imp['seconds'] * 1000:.0f} ms (best of {imp['repeats']} fresh interpreters)",
            tf_note,
        ])
    if isinstance(run.capacity, ScriptRun):
        cap = run.capacity
        if cap.returncode == 0 and cap.result:
            rows.append([
                f"Hopfield capacity experiment ({cap.result.get('experiment', '')})",
                f"{cap.result['seconds']:.2f} s (best of {cap.result['repeats']}), "
                f"peak {cap.peak_mb:.0f} MB",
                "-",
            ])
        else:
            rows.append(["Hopfield capacity experiment", "**failed**", cap.stderr_tail])
    elif run.capacity is not None:
        rows.append(["Hopfield capacity experiment", run.capacity, "-"])
    if run.fetch_seconds is not None:
        rows.append(["Fetch, verify, decode and split the photos", f"{run.fetch_seconds:.1f} s",
                     "-"])
    return rows


def weather_row(model: str, entry: ScriptRun | str) -> list[str]:
    """One row of the weather benchmark table."""
    if isinstance(entry, str):
        return [model, entry, "-", "-", "-", "-", "-"]
    result = entry.result or {}
    if entry.returncode != 0 or "test_accuracy" not in result:
        return [model, f"**failed** (exit {entry.returncode}): {entry.stderr_tail}",
                "-", "-", f"{entry.wall_seconds:.0f} s", "-", "-"]
    accuracy = float(result["test_accuracy"])
    train = result.get("train_seconds")
    verdicts = []
    kind = model.split(",")[0]  # "slides, 6-fold CV" is judged as "slides"
    if kind in WEATHER_TARGETS:
        floor, seconds = WEATHER_TARGETS[kind]
        verdicts.append(at_least(accuracy, floor))
        if train is not None:
            verdicts.append(at_most(float(train), seconds, "s"))
    shown = f"{accuracy:.1%}"
    if result.get("fold_accuracy_range"):  # cross-validation: the pooled figure, then its spread
        low, high = result["fold_accuracy_range"]
        shown += f" (folds {float(low):.1%} to {float(high):.1%})"
    return [
        model,
        shown,
        ", ".join(f"{name} {acc:.1%}" for name, acc in result.get("per_class_accuracy", {}).items())
        or "-",
        f"{float(train):.1f} s" if train is not None else "-",
        f"{entry.wall_seconds:.0f} s",
        f"{entry.peak_mb:.0f} MB",
        "; ".join(verdicts) or "-",
    ]


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """A one-line chart of ``values`` (each scaled between the smallest and the largest)."""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


def confusion_table(result: dict) -> str:
    """The confusion matrix of one weather result as a markdown table (rows: truth)."""
    classes = result["classes"]
    rows = [[f"**{name}**", *map(str, row)] for name, row in zip(classes, result["confusion"],
                                                                 strict=True)]
    return table(["truth \\ predicted", *classes], rows)


def curves(result: dict) -> list[str]:
    """One line per training curve: a sparkline, then the first, best and last values."""
    lines = []
    for key, values in result.get("history", {}).items():
        if values and "accuracy" in key:
            lines.append(f"`{key}` {sparkline(values)} first {values[0]:.3f}, "
                         f"best {max(values):.3f}, last {values[-1]:.3f} ({len(values)} epochs)")
    return lines


WEATHER_SHOWN = {"test_accuracy", "per_class_accuracy", "train_seconds", "confusion", "classes",
                 "history"}


def weather_details(model: str, entry: ScriptRun) -> str:
    """The command, its other figures, the confusion matrix and the training curves of a model."""
    result = entry.result or {}
    others = {k: v for k, v in result.items() if k not in WEATHER_SHOWN}
    text = f"#### `{model}`\n\n- Command: `python {' '.join(entry.command[1:])}`\n"
    text += f"- Other figures: {cell_text(format_value(others))}\n" if others else ""
    text += "".join(f"- {line}\n" for line in curves(result))
    if "confusion" in result and "classes" in result:
        photos = ("every photo, each tested once by a network that did not train on it"
                  if result.get("folds") else "the test photos")
        text += f"\nConfusion matrix on {photos}:\n\n" + confusion_table(result) + "\n"
    return text


def weather_section(weather: dict[str, ScriptRun | str]) -> str:
    """The table of `benchmarks/weather_accuracy.py` results, then each model's details."""
    header = ["Model", "Test accuracy", "Per-class accuracy", "Training time", "Wall time",
              "Peak memory", "Target"]
    text = "### Weather photos (`benchmarks/weather_accuracy.py`)\n\n"
    text += table(header, [weather_row(model, entry) for model, entry in weather.items()])
    details = [weather_details(model, entry) for model, entry in weather.items()
               if isinstance(entry, ScriptRun) and entry.result]
    return "\n\n".join([text, *(detail.rstrip() for detail in details)])


def load_text(load: float | None) -> str:
    """The load average as a clause: a busy machine makes every time longer."""
    return "" if load is None else f"; load average {load:.2f} when the run started"


def render_run(run: BenchmarkRun) -> str:
    """The markdown section of one run."""
    m, v = run.machine, run.versions
    heading = f"## {run.date}: {m['cores']} cores, {m['cpu']}" + (" (fast mode)" if run.fast else "")
    lines = [
        heading,
        "",
        f"- Command: `{run.command}` (revision {run.revision})",
        f"- Machine: {m['cpu']}; {m['cores']} CPU cores usable ({m['cores_physical']} physical); "
        f"{m['memory_gb']:.1f} GB memory; {m['os']}" + load_text(m.get("load")),
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in v.items()),
    ]
    lines += [f"- Note: {note}" for note in run.notes]
    parts = ["\n".join(lines)]
    if run.notebooks:
        parts.append(notebooks_section(run.notebooks))
    rows = other_rows(run)
    if rows:
        parts.append("### Other measurements\n\n" + table(["Measurement", "Value", "Note"], rows))
    if run.weather:
        parts.append(weather_section(run.weather))
    return "\n\n".join(parts) + "\n"


def prepend_run(path: Path, section: str) -> None:
    """Write ``section`` into ``path`` above every older run, creating the file if needed."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if MARKER in old:
        head, _, older = old.partition(MARKER)
        older = older.lstrip("\n")
    else:  # a new file, or one written by hand: keep what was there below the new run
        head, older = f"{TITLE}\n\n{INTRO}\n\n", old
    text = f"{head}{MARKER}\n\n{section.rstrip()}\n"
    if older.strip():
        text += f"\n{older.rstrip()}\n"
    path.write_text(text, encoding="utf-8")
