"""The one colour palette of every figure: Okabe & Ito's colour-blind-safe colours.

Okabe, M. and Ito, K. (2002), *Color Universal Design*: eight colours that stay distinct for
the common kinds of colour blindness (and in greyscale print, mostly, by lightness). Every
plot and widget takes its colours from here; ``tests/test_palette.py`` fails if a plot module
writes a colour of its own. Where colour carries meaning (bad/good, segment, split), the
figure also says it with a marker, a line style or a label, so no one needs the colour alone.

Use the names (``BLUE``, ``VERMILLION``), the role aliases (``DATA``, ``BAD``, ``GOOD``), the
cycle :data:`CYCLE` for categories, and the colour maps :func:`diverging` (negative/positive)
and :func:`sequential` (low to high).
"""

from __future__ import annotations

from matplotlib.colors import Colormap, LinearSegmentedColormap, to_rgb

# -- the eight colours ---------------------------------------------------------------------------
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

OKABE_ITO = {"black": BLACK, "orange": ORANGE, "sky blue": SKY_BLUE, "bluish green": BLUISH_GREEN,
             "yellow": YELLOW, "blue": BLUE, "vermillion": VERMILLION,
             "reddish purple": REDDISH_PURPLE}

# -- neutrals (text, grid lines, backgrounds): greys are safe for everyone ------------------------
WHITE = "#FFFFFF"
DARK_GREY = "#333333"
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"
NEUTRALS = (WHITE, DARK_GREY, GREY, LIGHT_GREY)

#: Categories in this order (segments, classes, curves): yellow last, it is faint on white.
CYCLE = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK, YELLOW)
#: Markers to go with :data:`CYCLE`, so that categories differ in shape as well as colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Line styles to go with :data:`CYCLE`.
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (3, 1, 1, 1, 1, 1)), "-")

# -- roles ---------------------------------------------------------------------------------------
DATA = BLUE  # plain data points
HIGHLIGHT = VERMILLION  # what the figure points at (the merge being made, the prediction)
BAD = VERMILLION  # with a dashed line / cross marker wherever it is used
GOOD = BLUISH_GREEN  # with a solid line / round marker
FIRE = DARK_GREY  # a neuron that fires (+1) in the Hopfield widgets
SILENT = "#F4F4F4"  # a silent neuron (-1): near white

#: The colours a plot module may use, all of them (the palette test checks against this).
ALLOWED = frozenset(c.upper() for c in (*OKABE_ITO.values(), *NEUTRALS, SILENT))

#: The only named colour maps a plot may use besides :func:`diverging` and :func:`sequential`:
#: greys for the +1/-1 pictures, and cividis, made for colour-blind readers (Nuñez et al. 2018).
GREYS = "Greys"
CIVIDIS = "cividis"


def color(index: int) -> str:
    """The ``index``-th category colour (0, 1, ...), the same in every figure."""
    return CYCLE[int(index) % len(CYCLE)]


def marker(index: int) -> str:
    """The ``index``-th category marker, to go with :func:`color`."""
    return MARKERS[int(index) % len(MARKERS)]


def linestyle(index: int):
    """The ``index``-th category line style, to go with :func:`color`."""
    return LINESTYLES[int(index) % len(LINESTYLES)]


def diverging(name: str = "okabe_ito_diverging") -> Colormap:
    """Blue (negative) through white (0) to vermillion (positive), for weights and overlaps."""
    return LinearSegmentedColormap.from_list(name, [to_rgb(BLUE), to_rgb(WHITE), to_rgb(VERMILLION)])


def sequential(name: str = "okabe_ito_blues") -> Colormap:
    """White to blue, for counts (a confusion matrix)."""
    return LinearSegmentedColormap.from_list(name, [to_rgb(WHITE), to_rgb(BLUE)])


def text_on(rgba) -> str:
    """Black or white, whichever reads better on the colour ``rgba`` (e.g. inside a heat map)."""
    r, g, b = to_rgb(rgba)
    return WHITE if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else BLACK
