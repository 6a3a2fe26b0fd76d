"""Figures, one module per notebook topic; each function returns a matplotlib Figure."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure


def figure_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure of ``figsize`` with one axes.

    Made without pyplot, so a notebook shows each figure once (as the cell's value) and nothing
    piles up in pyplot's list of open figures.
    """
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()
