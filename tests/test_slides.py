"""INSTRUCTORS.md follows the deck slide by slide, and the notebooks' headings section by section.

The deck's text is not in this repository: CI has it beside the checkout, at
``../shared/slides/workshop-slides.txt``; without it, the tests that read it are skipped and say
so. A slide's title is the first line of the slide: a short line with blank lines around it that
is not a bullet, a formula, code or a sentence. The few lines of that shape *inside* a slide (a
subtitle, a picture's caption, the headings of a slide's parts) are listed below with their
slide, so a heading added to the deck fails these tests until it is sorted in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DECK = ROOT.parent / "shared" / "slides" / "workshop-slides.txt"
GUIDE = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
#: Notebooks whose headings the guide's tables are checked against.
CHECKED = ("01", "02", "03", "04")

IN_SLIDE_HEADINGS = {  # heading-like lines inside a slide: the slide that holds them
    "An Introduction": "Machine Learning and Neural Networks (its subtitle)",
    "Frequently Bought Together": "Unsupervised learning (a picture's caption)",
    "Nodes": "Neural networks: Terminology",
    "Edges": "Neural networks: Terminology",
    "Linear combinations of inputs": "Neural networks: Terminology",
    "Activation function": "Neural networks: Terminology",
    "Good": "Performance",
    "Meh": "Performance",
    "Bad": "Performance",
    "Image description/captioning": "the first Other applications",
    "Automatic code generation (GPT-3)": "the second Other applications",
    "OpenAI Codex Live Demo": "the second Other applications (a screenshot's caption)",
    "AI generated images (Dall-E)": "the third Other applications",
}
UNTITLED_SLIDES = {"www.tensorflow.org": "the TensorFlow slide: its title is TensorFlow's logo"}
BULLET = re.compile(r"^-\s*▶?\s*")


@pytest.fixture(scope="module")
def deck() -> str:
    if not DECK.is_file():
        pytest.skip(f"the slides' text is not beside this checkout ({DECK} is missing); CI has it")
    return DECK.read_text(encoding="utf-8")


def slide_titles(text: str) -> list[str]:
    """The deck's slide titles in order; an untitled slide by its first line."""
    lines, titles, code = text.splitlines(), [], False
    for i, raw in enumerate(lines):
        line = raw.strip()
        code ^= line.startswith("```")
        if code or not line or line.startswith("```"):
            continue
        if BULLET.sub("", line) in UNTITLED_SLIDES:
            titles.append(BULLET.sub("", line))
            continue
        alone = not lines[i - 1].strip() and (i + 1 == len(lines) or not lines[i + 1].strip())
        if (alone and len(line) <= 80 and line[0].isupper() and "," not in line
                and line[-1] not in ".:?!" and line not in IN_SLIDE_HEADINGS):
            titles.append(line)
    return titles


def guide_table(heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the first table under ``heading`` in INSTRUCTORS.md."""
    section = GUIDE.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip().strip("|").split(" | ")] for row in rows[1:]]


def headings(number: str) -> dict[int, tuple[str, str]]:
    """Notebook ``number``'s sections: {N: (title, "core" or "optional")}."""
    [path] = (ROOT / "notebooks").glob(f"{number}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return {int(n): (title, kind) for n, title, kind in
            re.findall(r"^## (\d+)\. (.+) \((core|optional)\)$", text, re.MULTILINE)}


def test_the_title_rule_reads_a_small_deck():
    text = "\n\nFirst slide\n\nAn Introduction\n\n- ▶ a bullet\n\nA sentence.\n\nSecond, not a title\n\n" \
           "```\nCode Here\n```\n\nSecond slide\n\n- ▶ www.tensorflow.org\n- ▶ more\n\nGood\n\n"
    assert slide_titles(text) == ["First slide", "Second slide", "www.tensorflow.org"]


def test_every_slide_is_mapped_in_order_and_nothing_else(deck):
    mapped, titles = [row[0] for row in guide_table("## Map: slide to notebook section")], slide_titles(deck)
    invented = [t for t in mapped if t not in titles]
    missing = [t for t in titles if t not in mapped]
    assert not invented, f"INSTRUCTORS.md maps slides the deck does not have: {invented}"
    assert not missing, f"INSTRUCTORS.md leaves out slides of the deck: {missing}"
    assert mapped == titles, "INSTRUCTORS.md's slide map is not in the deck's order (or counts a repeated title wrong)"


def test_every_heading_inside_a_slide_is_still_in_the_deck(deck):
    lines = {BULLET.sub("", line.strip()) for line in deck.splitlines()}
    stale = [line for line in [*IN_SLIDE_HEADINGS, *UNTITLED_SLIDES] if line not in lines]
    assert not stale, f"no longer in the deck: {stale}: update IN_SLIDE_HEADINGS"


def test_what_the_map_quotes_from_a_slide_is_in_the_deck(deck):
    flat = re.sub(r"\s+", " ", deck.replace("**", ""))
    for title, shows, _ in guide_table("## Map: slide to notebook section"):
        for quote in re.findall(r'"([^"]+)"', shows) + [c for c in re.findall(r"`([^`]+)`", shows) if "..." not in c]:
            assert quote in flat, f"the map says the slide {title!r} shows {quote!r}; the deck does not"


def test_every_slide_maps_to_sections_that_exist():
    for title, _, where in guide_table("## Map: slide to notebook section"):
        numbers = re.findall(r"\b0([1-4])\b", where)
        assert numbers, f"the slide {title!r} is mapped to no notebook: {where!r}"
        if f"0{numbers[0]}" in CHECKED:
            sections = headings(f"0{numbers[0]}")
            for n in re.findall(r"§(\d+)", where):
                assert int(n) in sections, f"the slide {title!r} is mapped to 0{numbers[0]} §{n}, which does not exist"


@pytest.mark.parametrize("number", CHECKED)
def test_the_core_and_optional_table_agrees_with_the_headings(number):
    [row] = [row for row in guide_table("## Core and optional sections") if row[0] == number]
    table = {int(n): (title.strip(), kind) for kind, cell in zip(("core", "optional"), row[1:], strict=True)
             for n, title in re.findall(r"§(\d+) ([^;]+)", cell)}
    assert table == headings(number), f"INSTRUCTORS.md's row for notebook {number} differs from its headings"
