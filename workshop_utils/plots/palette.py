"""The one colour palette of every figure: Okabe & Ito's (2002) colour-blind-safe colours.

Every plot and widget takes its colours from here (``tests/test_palette.py`` fails if a plot
module writes one of its own). Where colour carries meaning (bad/good, segment), the figure
also says it with a marker, a line style or a label, so no one needs the colour alone.
"""

from matplotlib.colors import Colormap, LinearSegmentedColormap, to_rgb

BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
YELLOW, BLUE, VERMILLION, REDDISH_PURPLE = "#F0E442", "#0072B2", "#D55E00", "#CC79A7"
OKABE_ITO = {"black": BLACK, "orange": ORANGE, "sky blue": SKY_BLUE, "bluish green": BLUISH_GREEN,
             "yellow": YELLOW, "blue": BLUE, "vermillion": VERMILLION,
             "reddish purple": REDDISH_PURPLE}
# Neutrals for text, grid lines and backgrounds: greys are safe for everyone.
WHITE, DARK_GREY, GREY, LIGHT_GREY = "#FFFFFF", "#333333", "#999999", "#DDDDDD"
NEUTRALS = (WHITE, DARK_GREY, GREY, LIGHT_GREY)

#: Categories in this order (segments, classes, curves), yellow last as it is faint on white,
#: each with a marker and a line style so that categories differ in shape as well as colour.
CYCLE = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK, YELLOW)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (3, 1, 1, 1, 1, 1)), "-")

DATA = BLUE  # plain data points
HIGHLIGHT = VERMILLION  # what the figure points at (the merge being made, the prediction)
BAD = VERMILLION  # always with a dashed line or a cross marker
GOOD = BLUISH_GREEN  # always with a solid line or a round marker
FIRE, SILENT = DARK_GREY, "#F4F4F4"  # a Hopfield neuron that fires (+1), one that is silent (-1)

#: Every colour a plot module may use (the palette test checks against this).
ALLOWED = frozenset(c.upper() for c in (*OKABE_ITO.values(), *NEUTRALS, SILENT))
#: The only named colour maps allowed besides :func:`diverging` and :func:`sequential`: greys
#: for +1/-1 pictures, cividis, made for colour-blind readers (Nuñez et al. 2018).
GREYS, CIVIDIS = "Greys", "cividis"


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
