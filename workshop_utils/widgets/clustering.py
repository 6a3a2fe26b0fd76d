"""Instructor widget for notebook 02: pick the number of segments, the linkage and scaling."""

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure

from .. import clustering
from ..plots.clustering import segments_figure
from .common import figure_png


def explorer_view(table: pd.DataFrame, n_clusters: int, method: str = "ward",
                  scale: bool = True) -> tuple[Figure, pd.DataFrame]:
    """The dendrogram with its cut and the coloured customers, and each segment in words."""
    labels = clustering.cluster_labels(table, n_clusters, method, scale)
    return segments_figure(table, n_clusters, method, scale), clustering.describe_segments(table, labels)


class SegmentExplorer:
    """Slider (segments), dropdown (linkage) and checkbox (scaling) redrawing cut and scatter together."""

    def __init__(self, table: pd.DataFrame, n_clusters: int = 5, method: str = "ward", scale: bool = True,
                 max_clusters: int = 10):
        self.table = table
        self.segments = widgets.IntSlider(value=n_clusters, min=2, max=max_clusters, description="segments",
                                          continuous_update=False)
        self.method = widgets.Dropdown(options=list(clustering.METHODS), value=method, description="linkage")
        self.scale = widgets.Checkbox(value=scale, description="scale features")
        self.image, self.details = widgets.Image(format="png"), widgets.HTML()
        self.figure: Figure | None = None
        self.description: pd.DataFrame | None = None
        for control in (self.segments, self.method, self.scale):
            control.observe(self.update, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.segments, self.method, self.scale]), self.image, self.details])
        self.update()

    def update(self, change: dict | None = None) -> None:
        """Recompute for the current controls and show the figure and the segment table."""
        self.figure, self.description = explorer_view(self.table, self.segments.value, self.method.value,
                                                      self.scale.value)
        self.image.value = figure_png(self.figure)
        self.details.value = self.description.to_html()


def segment_explorer(table: pd.DataFrame, **options) -> widgets.VBox:
    """Build the instructor widget; display it by ending a cell with it."""
    return SegmentExplorer(table, **options).widget
