"""Numbers that cannot drift: every measured figure in the learners' texts has a source.

A number carries a unit when a unit follows it: %, s, ms, seconds, min, minutes, hours, MB, GB,
or photos/images (with at most one word between, "785 training photos"). Each one, in a
notebook's markdown cells, README.md or INSTRUCTORS.md, must match a source at the text's own
precision (91.7 % matches 0.9167, 6 minutes matches 338 s):

- for a notebook's markdown: a value printed in that notebook's stored outputs (with a unit, or a
  fraction such as ``val_accuracy 0.899`` for a percentage), or a figure of the results file;
- for README.md and INSTRUCTORS.md: a figure of the results file.

The results file is ``benchmarks/results.json``, written by one named run of
``benchmarks/run.py``. A figure's unit is its key's: a key with "accuracy" holds fractions (%),
one ending in "seconds" seconds, one ending in "_mb" megabytes ("_gb" gigabytes), one ending in "photos" photos.
Per-epoch curves and raw samples (``history``, ``mean_history``, ``samples``) are not figures.
Numbers that are not measurements are in :data:`ALLOWED`, each with its reason.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
RESULTS_SHOWN = "benchmarks/results.json"
RESULTS = ROOT / RESULTS_SHOWN
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TEXTS = [*NOTEBOOKS, ROOT / "README.md", ROOT / "INSTRUCTORS.md"]

#: Unit words: (kind, how many of the kind's base unit one is). Bases: percent, second, MB, photo.
UNITS = {
    "%": ("percent", 1.0),
    "ms": ("seconds", 1e-3), "s": ("seconds", 1.0), "sec": ("seconds", 1.0),
    "second": ("seconds", 1.0), "seconds": ("seconds", 1.0),
    "min": ("seconds", 60.0), "minute": ("seconds", 60.0), "minutes": ("seconds", 60.0),
    "hour": ("seconds", 3600.0), "hours": ("seconds", 3600.0),
    "MB": ("mb", 1.0), "GB": ("mb", 1000.0),
    "photos": ("photos", 1.0), "images": ("photos", 1.0),
}
MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}

#: Numbers with a unit that are not measurements, so have no source: (files, a phrase around
#: the number, why). The phrase is a regular expression (case-insensitive) that must cover the
#: number where it stands. Every entry must still be needed (a test checks it).
ALLOWED = [
    ("*", r"over 9[05] ?%", "the slides' claims ('over 90 %', 'over 95 % training longer')"),
    ("*", r"1125 (images|photos)", "the slides' count of the dataset's photos"),
    ("*", r"2 GB", "Binder's memory limit, a platform setting"),
    ("*", r"95 ?% interval", "the confidence level of an interval, a choice"),
    ("*", r"17 MB", "the size of Keras's published weights file (not downloadable here)"),
    ("*", r"1\.3 million photos", "ImageNet's size, a published fact"),
    # Teaching times are estimates for planning (INSTRUCTORS.md says so), not measurements.
    ("*.ipynb", r"\*\*Time:\*\* about \d+ minutes|about \d+ minutes more", "teaching time"),
    ("*.md", r"\| \d+ min \||\(\d+ min\)|\d+(-hour| hours)|\d+ minutes, and they|= \d+ minutes|"
             r"\d+-minute break", "the teaching plan"),
    # Targets are the project's settings; a measurement is compared with them.
    ("*", r"\d+-(minute|second) (target|budget)|under \d+ s (the first time|from the cache)|"
          r"at least \d+ ?% cross-validated|targets of issue 8 \(\d+ ?% and \d+ ?%\)", "a target"),
    ("*", r"= \*\*92\.5 %\*\* \(and 2\.5 % to each other class\) rather than 100 %",
     "label smoothing's arithmetic on its setting 0.1"),
    ("README.md", r"(MobileNetV3Small|MobileNetV2|EfficientNetB0) \(\d+\) \| \d+\.\d %",
     "a backbone's published ImageNet top-1 accuracy (Keras's documentation)"),
]

#: Keys whose values are not figures to quote: per-epoch curves, raw samples, matrices, text.
NOT_FIGURES = {"history", "mean_history", "samples", "confusion", "command", "commands"}

# A number: 1,121 or 91.7 or 0.9167 (not part of a word, a version or a path).
NUMBER = r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]\d|\w)"
UNIT_WORDS = "|".join(sorted((re.escape(u) for u in UNITS if u != "%"), key=len, reverse=True))
UNIT_AFTER = re.compile(rf"\s?(?:-\s?|CPU\s)?(%|(?:{UNIT_WORDS})\b)")  # "32.5 CPU s" too
#: Between a number and "photos", at most one word, and not one of these ("0.5 a photo").
NOT_BETWEEN = r"(?!(?:a|an|the|per|of|each|every|in|on|at|for|to|from|with|and|or)\s)"
PHOTOS_AFTER = re.compile(rf"\s+(?:{NOT_BETWEEN}(thousand|million|billion|[a-z]+)\s+)?(photos|images)\b")
JOINED = re.compile(rf"{NUMBER}(\s*(?:to|-|–|/|,|and|,\s*and)\s*)(?={NUMBER})")
MASKS = [re.compile(p, re.DOTALL) for p in (r"```.*?```", r"`[^`\n]*`", r"<!--.*?-->",
                                             r"\]\([^)]*\)", r"https?://\S+", r"\$[^$\n]*\$")]


@dataclass(frozen=True)
class Quantity:
    """A number with a unit, as written: its value, decimals, unit kind and position."""

    text: str  # as written, with the unit
    value: float  # in the unit written (91.7 for 91.7 %)
    decimals: int
    kind: str  # "percent", "seconds", "mb" or "photos"
    factor: float  # the unit written, in the kind's base unit (60 for minutes)
    start: int
    end: int

    def matches(self, base_value: float) -> bool:
        """Whether ``base_value`` (in the kind's base unit) rounds to this number as written."""
        shown = base_value / self.factor
        return abs(shown - self.value) <= 0.5 * 10 ** -self.decimals + 1e-9 * max(1, abs(self.value))


def masked(text: str) -> str:
    """``text`` with code, links, comments and formulas blanked out (same length)."""
    for pattern in MASKS:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    return text


def quantities(text: str) -> list[Quantity]:
    """Every number that carries a unit in ``text`` (prose: code spans and links left out).

    A unit right after a range or list of numbers ("85.0 to 89.9 %", "96.8-97.3 %",
    "70/15/15 %") belongs to each of them.
    """
    text = masked(text)
    numbers = list(re.finditer(NUMBER, text))
    found: list[Quantity] = []
    pending: list[re.Match] = []  # numbers joined to the next one ("85.0 to", "70/")
    for match in numbers:
        pending.append(match)
        after = text[match.end():]
        joined = JOINED.match(text, match.start())
        unit = UNIT_AFTER.match(after)
        photos = None if unit else PHOTOS_AFTER.match(after)
        if unit or photos:
            word = unit.group(1) if unit else photos.group(2)
            multiplier = MULTIPLIERS.get(photos.group(1), 1.0) if photos and photos.group(1) else 1.0
            end = match.end() + (unit or photos).end()
            for number in pending:
                written = number.group(1).replace(",", "")
                decimals = len(written.split(".")[1]) if "." in written else 0
                kind, factor = UNITS[word]
                found.append(Quantity(text[number.start():end].strip(), float(written) * multiplier,
                                      decimals, kind, factor, number.start(), number.end()))
            pending = []
        elif not joined:
            pending = []
    return found


def figures(value, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], float]]:
    """Every number in a results file, with its key path (list items under their list's key)."""
    if isinstance(value, dict):
        return [item for key, inner in value.items() if key not in NOT_FIGURES
                for item in figures(inner, (*path, str(key)))]
    if isinstance(value, list):
        return [item for inner in value for item in figures(inner, path)]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return []
    return [(path, float(value))]


#: Keys of a summary over seeds or folds, whose unit is their parent key's.
STATISTICS = {"mean", "std", "min", "max"}


def kind_of(path: tuple[str, ...]) -> str | None:
    """The unit kind of a results figure, from its key path (see the module docstring)."""
    last = path[-1] if path else ""
    if last in STATISTICS and len(path) > 1:  # {"train_seconds": {"mean": ...}}: the parent's unit
        last = path[-2]
    if last.endswith("seconds") or last.endswith("seconds_per_epoch"):
        return "seconds"
    if last.endswith("_mb"):
        return "mb"
    if last.endswith("_gb"):
        return "gb"
    if last.endswith("photos"):
        return "photos"
    if any("accuracy" in key for key in path):
        return "percent"
    return None


def results_sources(results: dict) -> dict[str, list[float]]:
    """The results file's figures by kind, in base units (accuracies as percentages)."""
    sources: dict[str, list[float]] = {"percent": [], "seconds": [], "mb": [], "photos": []}
    for path, value in figures(results):
        kind = kind_of(path)
        if kind == "percent" and 0 <= value <= 1:
            sources[kind].append(100 * value)
        elif kind == "gb":
            sources["mb"].append(1000 * value)
        elif kind is not None and kind != "percent":
            sources[kind].append(value)
    return sources


def output_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's code cells printed or displayed as text, in its stored outputs."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


#: An accuracy printed as a fraction: "val_accuracy 0.899", "accuracy: 0.9167".
ACCURACY_PRINTED = re.compile(r"acc\w*\W{1,3}([01]?\.\d+)(?![\w.])")


#: Any other fraction printed ("0.88" in a table): a percentage only with the very same digits.
FRACTION_PRINTED = re.compile(r"(?<![\w.])[01]\.\d{2,}(?![\w.])")


def output_sources(text: str) -> dict[str, list]:
    """Values printed in notebook outputs, by kind: numbers printed with a unit, accuracies
    printed as fractions ("val_accuracy 0.899") as percentages, and under ``percent_exact``
    every other fraction as (percentage, its decimals as a percentage): 0.88 is 88 %, not 88.0 %
    nor 88.4 %."""
    sources: dict[str, list[float]] = {"percent": [], "seconds": [], "mb": [], "photos": []}
    for quantity in quantities(text.replace("`", "'")):
        sources[quantity.kind].append(quantity.value * quantity.factor)
    sources["percent"] += [100 * float(m.group(1)) for m in ACCURACY_PRINTED.finditer(text)
                           if float(m.group(1)) <= 1]
    sources["percent_exact"] = [(round(100 * float(m.group(0)), 6), len(m.group(0).split(".")[1]) - 2)
                                for m in FRACTION_PRINTED.finditer(text) if float(m.group(0)) <= 1]
    return sources


def allowed(path: Path, text: str, quantity: Quantity) -> str | None:
    """The reason the number is allowed without a source, or None."""
    text = text.replace("\n", " ")  # a phrase may be broken over lines
    for pattern, phrase, why in ALLOWED:
        if fnmatch.fnmatch(path.name, pattern):
            for match in re.finditer(phrase, text, re.IGNORECASE):
                if match.start() <= quantity.start and quantity.end <= match.end():
                    return why
    return None


def texts_of(path: Path) -> list[str]:
    """The prose of a file: a notebook's markdown cells, or the whole markdown file."""
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    return [path.read_text(encoding="utf-8")]


def unsourced(path: Path, results: dict | None) -> list[str]:
    """One line for every number with a unit in ``path`` that has no source."""
    sources = results_sources(results or {})
    exact: list[tuple[float, int]] = []
    if path.suffix == ".ipynb":
        from_outputs = output_sources(output_text(nbformat.read(path, as_version=4)))
        sources = {kind: sources[kind] + from_outputs[kind] for kind in sources}
        exact = from_outputs["percent_exact"]
    problems = []
    for number, text in enumerate(texts_of(path)):
        for quantity in quantities(text):
            if (allowed(path, text, quantity) or any(quantity.matches(v) for v in sources[quantity.kind])
                    or quantity.kind == "percent" and (quantity.value, quantity.decimals) in exact):
                continue
            where = (f"markdown cell {markdown_index(path, number)}" if path.suffix == ".ipynb"
                     else f"line {text.count(chr(10), 0, quantity.start) + 1}")
            context = " ".join(text[max(0, quantity.start - 40):quantity.end + 20].split())
            problems.append(f"{path.relative_to(ROOT)}, {where}: {quantity.text!r} in \"...{context}...\"")
    return problems


def markdown_index(path: Path, number: int) -> int:
    """The cell index of the notebook's ``number``-th markdown cell."""
    nb = nbformat.read(path, as_version=4)
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown"][number]


def advice(path: Path, results: dict | None) -> str:
    """What to do about numbers without a source, for the failure message."""
    where = ("a value printed in this notebook's stored outputs, or a figure of "
             if path.suffix == ".ipynb" else "a figure of ")
    missing = "" if results is not None else (
        f" ({RESULTS_SHOWN} does not exist yet: run `python benchmarks/run.py "
        "--weather-archive ../shared/datasets/weather/dataset2.zip --weather-folds 6`.)")
    return (f"\n\nEach number above needs a source: {where}{RESULTS_SHOWN} "
            "(add the measurement to benchmarks/run.py and run it), quoted at the precision "
            "written. If it is not a measurement (a setting, a claim, a published fact), add it "
            f"to ALLOWED in tests/test_numbers.py with the reason.{missing}")


def load_results() -> dict | None:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else None


# --- the real texts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_every_number_with_a_unit_has_a_source(path):
    results = load_results()
    problems = unsourced(path, results)
    assert not problems, (f"{len(problems)} numbers without a source in {path.name}:\n"
                          + "\n".join(problems) + advice(path, results))


def test_every_allowed_number_is_still_in_the_texts():
    """An allow-list entry that no text needs any more is removed, so the list stays small."""
    used = set()
    for path in TEXTS:
        for text in texts_of(path):
            for quantity in quantities(text):
                for entry in ALLOWED:
                    pattern, phrase, _ = entry
                    if fnmatch.fnmatch(path.name, pattern) and any(
                            m.start() <= quantity.start and quantity.end <= m.end()
                            for m in re.finditer(phrase, text.replace("\n", " "), re.IGNORECASE)):
                        used.add(entry)
    unused = [phrase for entry in ALLOWED if entry not in used for phrase in [entry[1]]]
    assert not unused, f"ALLOWED entries no text needs any more (remove them): {unused}"


def test_benchmarks_md_is_written_from_the_results_file():
    sys.path.insert(0, str(ROOT))
    from benchmarks import report

    assert RESULTS.is_file(), (f"{RESULTS_SHOWN} is missing: run `python benchmarks/run.py "
                               "--weather-archive ../shared/datasets/weather/dataset2.zip --weather-folds 6`")
    expected = report.render(load_results(), RESULTS)
    assert (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8") == expected, (
        "BENCHMARKS.md is not what benchmarks/results.json gives: never edit it by hand; "
        "`python benchmarks/report.py` writes it again from the results file")


def test_checks_memory_figure_is_notebook_04s_recorded_peak():
    """``check`` weighs free memory against notebook 04's peak of the recorded run, not a guess."""
    from workshop_utils.machine import NOTEBOOK_04_PEAK_MB

    assert RESULTS.is_file(), f"{RESULTS_SHOWN} is missing"
    peak = load_results()["notebooks"]["04_weather_cnn"]["peak_mb"]
    assert NOTEBOOK_04_PEAK_MB == round(peak), (
        f"workshop_utils/machine.py says {NOTEBOOK_04_PEAK_MB} MB, the recorded run {peak} MB")


# --- extraction and matching, on small texts ----------------------------------------------------------


def written(text: str) -> list[tuple[str, float, int, str]]:
    return [(q.text, q.value, q.decimals, q.kind) for q in quantities(text)]


def test_numbers_with_units_are_found_with_their_precision():
    text = ("The network reached 91.7 % (84 to 94 %) in 97 s, a 10-minute break, 1825 MB of "
            "1,121 photos, 785 training photos, 2.5 GB, 62 ms, about 6 minutes and 32.5 CPU s.")
    assert written(text) == [
        ("91.7 %", 91.7, 1, "percent"), ("84 to 94 %", 84.0, 0, "percent"),
        ("94 %", 94.0, 0, "percent"), ("97 s", 97.0, 0, "seconds"),
        ("10-minute", 10.0, 0, "seconds"), ("1825 MB", 1825.0, 0, "mb"),
        ("1,121 photos", 1121.0, 0, "photos"), ("785 training photos", 785.0, 0, "photos"),
        ("2.5 GB", 2.5, 1, "mb"), ("62 ms", 62.0, 0, "seconds"), ("6 minutes", 6.0, 0, "seconds"),
        ("32.5 CPU s", 32.5, 1, "seconds")]


def test_numbers_without_a_unit_and_code_and_links_are_left_out():
    text = ("Epoch 20 of 20, 8,006,524 weights, version 0.1.0, `Dropout(0.5)` is 50 % in code "
            "`50 %`, [a link](https://x.org/91%20s), EfficientNetB0 at 224 px, a 2-core CPU, "
            "$0.138 N$ patterns, <!-- 12 s --> done")
    assert written(text) == [("50 %", 50.0, 0, "percent")]


def test_a_unit_after_a_range_or_a_list_belongs_to_every_number():
    assert [q.value for q in quantities("96.8-97.3 % and 70/15/15 % and 85.0 to 89.9 %")] == [
        96.8, 97.3, 70.0, 15.0, 15.0, 85.0, 89.9]
    assert [q.value for q in quantities("seeds 1 and 2 gave 91.1 %")] == [91.1]  # "and 2 gave": no
    assert [q.value for q in quantities("1.3 million photos")] == [1.3e6]
    assert [q.value for q in quantities("peaks of 165, 382, 801 and 1825 MB")] == [165, 382, 801, 1825]
    assert quantities("at 0.5 a photo, 4 per photo, 3 of the photos") == []


@pytest.mark.parametrize("text, value, matches", [
    ("91.7 %", 91.67, True), ("92 %", 91.67, True), ("91.6 %", 91.67, False),
    ("91.70 %", 91.67, False), ("5.6 min", 338.2, True), ("6 minutes", 338.2, True),
    ("5 minutes", 338.2, False), ("1.8 GB", 1825.0, True), ("1825 MB", 1825.4, True),
    ("338 s", 338.6, False), ("1,121 photos", 1121.0, True),
])
def test_a_number_matches_a_figure_at_its_own_precision(text, value, matches):
    (quantity,) = quantities(text)
    assert quantity.matches(value) is matches


@given(st.floats(0, 1, allow_nan=False), st.integers(0, 2))
def test_an_accuracy_printed_at_any_precision_matches_its_fraction(fraction, decimals):
    (quantity,) = quantities(f"{100 * fraction:.{decimals}f} %")
    assert quantity.matches(100 * fraction)


SAMPLE_RESULTS = {
    "run": {"date": "2026-12-01", "machine": {"memory_gb": 25.3}},
    "notebooks": {"04_weather_cnn": {"wall_seconds": 338.2, "peak_mb": 1825,
                                     "sections": {"5": {"seconds": 189.5, "peak_mb": 1700}}}},
    "weather": {"slides": {"test_accuracy": 0.9167, "fold_accuracy_range": [0.85, 0.899],
                           "history": {"val_accuracy": [0.5, 0.777]}, "epochs": 20,
                           "train_seconds": 177.9}},
    "dataset": {"test_photos": 168, "archive_mb": 80.1},
}


def test_results_figures_are_sorted_by_the_unit_their_key_names():
    sources = results_sources(SAMPLE_RESULTS)
    assert sorted(sources["percent"]) == pytest.approx([85.0, 89.9, 91.67])  # no curves
    assert sorted(sources["seconds"]) == [177.9, 189.5, 338.2]
    assert sorted(sources["mb"]) == [80.1, 1700, 1825, 25300]
    assert sources["photos"] == [168]
    summary = results_sources({"ablation": {"neither": {"train_seconds": {"mean": 52.1, "std": 1.6}}}})
    assert sorted(summary["seconds"]) == [1.6, 52.1]


def test_outputs_give_numbers_printed_with_units_and_fractions():
    text = ("epoch 20/20  loss 0.312  accuracy 0.885  val_accuracy 0.899\n"
            "test accuracy: 91.7% (154 of 168 photos; 95 % interval 86% to 95%)\nTrained in 97 s.")
    sources = output_sources(text)
    assert {round(v, 1) for v in sources["percent"]} == {91.7, 95.0, 86.0, 88.5, 89.9}  # no loss
    assert (31.2, 1) in sources["percent_exact"] and (88.5, 1) in sources["percent_exact"]
    assert sources["photos"] == [168] and sources["seconds"] == [97]


def write_notebook(path: Path, markdown: str, output: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(report)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nb.cells = [nbformat.v4.new_markdown_cell(markdown), cell]
    nbformat.write(nb, path)
    return path


def test_a_text_that_cites_its_sources_passes_and_one_that_does_not_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    good = write_notebook(tmp_path / "04_x.ipynb",
                          "This run: 91.7 % (its output). The benchmark: 338 s, 1825 MB, 168 photos, "
                          "about 6 minutes. The slides claim over 90 %.",
                          "test accuracy: 91.7% (154 of 168 photos)\n")
    assert unsourced(good, SAMPLE_RESULTS) == []
    table = write_notebook(tmp_path / "01_x.ipynb", "It recalls 88 % at load 0.12, not 88.4 % nor 63.0 %.",
                           "load   0.10  0.12  0.14\nN=500  1.00  0.88  0.63\n")
    assert [p.split("'")[1] for p in unsourced(table, SAMPLE_RESULTS)] == ["88.4 %", "63.0 %"]
    bad = write_notebook(tmp_path / "04_y.ipynb", "Training took 97 s and scored 93.2 %.", "nothing\n")
    problems = unsourced(bad, SAMPLE_RESULTS)
    assert [p.split(": ", 1)[1].split(" in ")[0] for p in problems] == ["'97 s'", "'93.2 %'"]
    assert problems[0].startswith("04_y.ipynb, markdown cell 0")
    readme = tmp_path / "README.md"
    readme.write_text("Notebook 04 runs in 338.2 s\n(peak 1825 MB), its test accuracy 91.7 %.\n"
                      "Binder gives 2 GB. It took 12 s.\n")
    assert [p.split(", ", 1)[1].split(":")[0] for p in unsourced(readme, SAMPLE_RESULTS)] == ["line 3"]
    assert len(unsourced(readme, None)) == 4  # no results file: nothing has a source
    assert "does not exist yet" in advice(readme, None) and "ALLOWED" in advice(readme, None)
