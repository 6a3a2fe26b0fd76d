"""Figures, one module per notebook topic; each function returns a matplotlib Figure."""

from matplotlib.axes import Axes
from matplotlib.figure import Figure


def figure_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure with one axes, made without pyplot so that a notebook
    shows it once (as the cell's value) and nothing piles up in pyplot's list of open figures."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()
