"""One colour-blind-safe palette: no plot or widget module writes a colour of its own.

The scan reads the source of ``plots/*.py`` and ``widgets/*.py`` (all but ``palette.py``) and
fails on any string that is a colour (``"#c44e52"``, ``"red"``, ``"tab:blue"``, ``"C0"``,
``"0.75"`` as a colour argument) or a colour map (``"viridis"``, ``"RdBu_r"``), and on
reaching into ``matplotlib.colormaps``. Colours come from ``workshop_utils.plots.palette``.
A second test draws figures and checks the colours that end up on the page.
"""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.colors import CSS4_COLORS, TABLEAU_COLORS, XKCD_COLORS, is_color_like, to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from workshop_utils.plots import palette

PACKAGE = Path(__file__).resolve().parents[1] / "workshop_utils"
SCANNED = sorted(p for folder in ("plots", "widgets") for p in (PACKAGE / folder).glob("*.py")
                 if p.name != "palette.py")
COLOR_ARGS = {"color", "c", "colors", "fc", "ec", "facecolor", "edgecolor", "mfc", "mec",
              "markerfacecolor", "markeredgecolor", "button_color", "cmap", "colormap"}
COLORMAP_NAMES = {name.lower() for name in matplotlib.colormaps}
NAMED = {name.lower() for name in (*CSS4_COLORS, *TABLEAU_COLORS, *XKCD_COLORS)}
NOT_A_COLOUR = {"none"}  # "no edge" is not a colour choice


def _is_colour_literal(text: str, as_argument: bool) -> bool:
    word = text.strip().lower()
    if word in NOT_A_COLOUR or not word:
        return False
    if word.startswith("#") and is_color_like(word):
        return True
    if word in NAMED or word in COLORMAP_NAMES or word.startswith(("tab:", "xkcd:")):
        return True
    # "k", "r", "C0", "0.75" are colours only where a colour is expected
    return as_argument and is_color_like(text.strip())


def colour_literals(source: str) -> list[str]:
    """Every colour or colour map written as a literal in ``source``, as 'line N: "text"'."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    in_argument = set()
    for node in ast.walk(tree):
        pairs = []
        if isinstance(node, ast.Call):
            pairs = [(k.arg, k.value) for k in node.keywords]
        elif isinstance(node, ast.Dict):
            pairs = [(k.value if isinstance(k, ast.Constant) else None, v)
                     for k, v in zip(node.keys, node.values, strict=True)]
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            pairs = [(node.targets[0].attr, node.value)]
        for name, value in pairs:
            if name in COLOR_ARGS:
                in_argument.update(id(n) for n in ast.walk(value))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if _is_colour_literal(node.value, id(node) in in_argument):
                found.append((node.lineno, repr(node.value)))
        if isinstance(node, ast.Attribute) and node.attr == "colormaps":
            found.append((node.lineno, "matplotlib.colormaps (use palette.diverging/sequential)"))
    return [f"line {line}: {text}" for line, text in sorted(set(found))]


def test_the_scan_finds_colours_written_by_hand():
    source = '''
"""A docstring may say red and #ff0000."""
RED = "#c44e52"
def f(ax):
    """Draw in blue."""
    ax.plot([1], color="tab:blue")
    ax.plot([1], "o", color="0.75", label="rain")
    ax.imshow([[1]], cmap="viridis")
    ax.bar([1], [1], edgecolor="none", color=palette.DATA)
    ax.grid(color="k")
    x = {"color": "C1", "label": "k"}
    cmap = matplotlib.colormaps["tab10"]
    button.style.button_color = "salmon"
'''
    found = colour_literals(source)
    assert sorted({int(line.split(":")[0][5:]) for line in found}) == [3, 6, 7, 8, 10, 11, 12, 13]
    assert not any("'red'" in line or "'none'" in line or "'rain'" in line for line in found)
    assert [line for line in found if "'k'" in line] == ["line 10: 'k'"]  # the label "k" is not flagged


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_plot_or_widget_module_writes_its_own_colours(path):
    found = colour_literals(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.parent.name}/{path.name} writes colours outside workshop_utils/plots/palette.py; "
        "use palette.<NAME> (or add the colour to the palette):\n" + "\n".join(found)
    )


def test_the_palette_is_okabe_ito():
    assert set(palette.OKABE_ITO.values()) == {"#000000", "#E69F00", "#56B4E9", "#009E73",
                                               "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert len(set(palette.CYCLE)) == len(palette.CYCLE) == len(palette.MARKERS)
    assert palette.color(8) == palette.color(0) and palette.marker(9) == palette.marker(1)
    assert palette.text_on(palette.BLUE) == palette.WHITE and palette.text_on(palette.YELLOW) == palette.BLACK
    assert to_hex(palette.diverging()(0.0)).upper() == palette.BLUE
    assert to_hex(palette.diverging()(1.0)).upper() == palette.VERMILLION


# -- the colours that reach the page ---------------------------------------------------------------
#: matplotlib's own axis furniture (its default grid grey), not a plot's choice.
FURNITURE = {"#B0B0B0"}
ALLOWED_MAPS = {palette.GREYS, palette.CIVIDIS, palette.diverging().name, palette.sequential().name}


def _page_colours(fig) -> tuple[set[str], set[str]]:
    """Fixed colours of lines, markers, patches and text, and the names of colour maps used."""
    colours, maps = set(), set()

    def add(rgba):
        rgba = np.atleast_2d(rgba)
        for row in rgba:
            if row[3] > 0:
                colours.add(to_hex(row[:3]).upper())

    for artist in fig.findobj():
        if isinstance(artist, Line2D):
            add(matplotlib.colors.to_rgba(artist.get_color()))
            for c in (artist.get_markerfacecolor(), artist.get_markeredgecolor()):
                if not (isinstance(c, str) and c == "none"):
                    add(matplotlib.colors.to_rgba(c))
        elif isinstance(artist, Collection):
            if artist.get_array() is not None:
                maps.add(artist.get_cmap().name)
            else:
                add(artist.get_facecolor())
                add(artist.get_edgecolor())
        elif isinstance(artist, Patch) and artist.get_visible() and artist.axes is not None:
            add(artist.get_facecolor())
        elif isinstance(artist, Text) and artist.get_text():
            add(matplotlib.colors.to_rgba(artist.get_color()))
        if hasattr(artist, "get_cmap") and hasattr(artist, "get_array") and artist.get_array() is not None:
            maps.add(artist.get_cmap().name)
    for name in list(maps):  # contour(colors=...) makes an unnamed map of the colours given
        if name == "unnamed":
            maps.discard(name)
    for artist in fig.findobj(lambda a: hasattr(a, "get_cmap") and getattr(a.get_cmap(), "name", "") == "unnamed"):
        for rgba in getattr(artist.get_cmap(), "colors", []):
            colours.add(to_hex(rgba).upper())
    return colours, maps


def _figures():
    from workshop_utils import clustering, regression
    from workshop_utils.customers import load_customers
    from workshop_utils.hopfield import HopfieldNetwork
    from workshop_utils.patterns import letter, letters
    from workshop_utils.plots import clustering as pc
    from workshop_utils.plots import hopfield as ph
    from workshop_utils.plots import regression as pr
    from workshop_utils.sales import load_sales

    customers = load_customers()
    sales = load_sales()
    x, y = sales["price"], sales["sales"]
    net = HopfieldNetwork(25).train(letters("HTX"))
    surface = regression.loss_surface(x, y, w0_range=(0, 200), w1_range=(-40, 20), resolution=30)
    x2, y2 = regression.make_xor(n=60, noise=0.1, seed=0)
    return {
        "hopfield.plot_weight_growth": ph.plot_weight_growth(letters("HT"), ["H", "T"]),
        "hopfield.plot_recall": ph.plot_recall(net.trace(letter("E"), seed=0), target=letter("H")),
        "hopfield.plot_energies": ph.plot_energies({"a": net.trace(letter("box"), seed=0),
                                                    "b": net.trace(letter("box"), mode="sync")}),
        "hopfield.plot_overlap_matrix": ph.plot_overlap_matrix(letters("HTX"), "HTX"),
        "hopfield.plot_capacity": ph.plot_capacity([0.1, 0.2], {100: [1, 0.5], 200: [1, 0.2]}),
        "clustering.merge_steps_figure": pc.merge_steps_figure(customers.head(6), n_merges=3, method="single"),
        "clustering.segments_figure": pc.segments_figure(customers, n_clusters=5),
        "clustering.silhouette_figure": pc.silhouette_figure(
            clustering.silhouette_by_k(customers, range(2, 5))),
        "regression.sales_scatter": pr.sales_scatter(x, y, line=(120, -20), new_price=3.5),
        "regression.bad_vs_good": pr.bad_vs_good(x, y, (40, 10), (120, -20)),
        "regression.loss_surface_figure": pr.loss_surface_figure(surface, {"bad": (40, 10), "good": (120, -20)}),
        "regression.network_diagram": pr.network_diagram(),
        "regression.two_input_figure": pr.two_input_figure(x2, y2, predict=lambda g: g[:, 0] * 0 + 0.5),
        "regression.loss_curve": pr.loss_curve({"loss": [1, 0.5, 0.2]}),
    }


def test_figures_draw_only_palette_colours():
    # Greys from a colour bar's ticks and a colour map's own shades are not counted (maps are
    # checked by name); matplotlib's own black text and white backgrounds are in NEUTRALS.
    problems = []
    for name, fig in _figures().items():
        fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
        colours, maps = _page_colours(fig)
        stray = sorted(c for c in colours if c not in palette.ALLOWED | FURNITURE)
        if stray:
            problems.append(f"{name}: colours {stray}")
        odd_maps = sorted(maps - ALLOWED_MAPS)
        if odd_maps:
            problems.append(f"{name}: colour maps {odd_maps}")
    assert not problems, "figures draw colours outside the palette:\n" + "\n".join(problems)
