"""Pieces every instructor widget uses: figures as PNG, a panel with a readable text form."""

import io

import ipywidgets as widgets
from matplotlib.figure import Figure


def figure_png(figure: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes, for an ``ipywidgets.Image``: drawing into an ``Output`` area
    instead left headless runs (nbclient, nbval) waiting for a whole cell timeout."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class Panel(widgets.VBox):
    """A VBox whose text form is one readable line (what a static notebook shows)."""

    def __init__(self, summary: str, **kwargs):
        super().__init__(**kwargs)
        self._summary = summary

    def __repr__(self) -> str:
        return self._summary
