"""Notebook 02's figures, instructor widget and exercise checks."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from scipy.spatial.distance import pdist, squareform

from workshop_utils import clustering as cl
from workshop_utils.customers import INCOME, SPEND, load_customers
from workshop_utils.plots import clustering as plots
from workshop_utils.widgets.clustering import SegmentExplorer, explorer_view, segment_explorer


@pytest.fixture(scope="module")
def customers():
    return load_customers()


def test_merge_figure_first_red_line_joins_the_closest_pair(customers):
    few = customers.sample(8, random_state=5)
    distances = squareform(pdist(cl.prepare(few)))
    np.fill_diagonal(distances, np.inf)
    i, j = np.unravel_index(np.argmin(distances), distances.shape)
    fig = plots.merge_steps_figure(few, n_merges=6)
    merge_line = next(line for line in fig.axes[0].lines if line.get_gid() == "merge")
    drawn = set(zip(merge_line.get_xdata(), merge_line.get_ydata(), strict=True))
    expected = {(float(few[INCOME].iloc[k]), float(few[SPEND].iloc[k])) for k in (i, j)}
    assert drawn == expected
    ids = few["ID"].to_numpy()
    assert fig.axes[0].get_title().startswith(f"step 1: {{{ids[min(i, j)]}}} + {{{ids[max(i, j)]}}}")
    assert sum(ax.get_visible() for ax in fig.axes) == 6


def test_dendrogram_branches_take_their_segment_colours(customers):
    linkage = cl.linkage_matrix(customers)
    labels = cl.cut(linkage, n_clusters=5)
    colors = plots._link_colors(linkage, labels)
    n = len(customers)
    for node in range(n):  # leaves: their own segment's colour
        assert colors[node] == to_hex(plots.segment_color(labels[node]))
    assert colors[2 * n - 2] == plots.GREY  # the root joins every segment
    segment_nodes = [c for node, c in colors.items() if node >= n and c != plots.GREY]
    assert len(set(segment_nodes)) == 5


def test_dendrogram_draws_the_cut_line_at_the_cut_height(customers):
    linkage = cl.linkage_matrix(customers)
    fig = plots.dendrogram_figure(linkage, n_clusters=5)
    heights = {line.get_ydata()[0] for line in fig.axes[0].lines}
    assert cl.cut_height(linkage, 5) in heights
    assert any("5 segments" in text.get_text() for text in fig.axes[0].texts)


@pytest.mark.parametrize(
    "make",
    [
        lambda c: plots.customer_scatter(c),
        lambda c: plots.customer_scatter(c, cl.cluster_labels(c, 3)),
        lambda c: plots.dendrogram_figure(cl.linkage_matrix(c.iloc[:10]), leaf_labels=c["ID"][:10]),
        lambda c: plots.dendrogram_figure(cl.linkage_matrix(c), height=3.0),
        lambda c: plots.segments_figure(c, 4, "average", scale=False),
        lambda c: plots.scaling_figure(c),
        lambda c: plots.linkages_figure(c, 5),
        lambda c: plots.silhouette_figure(cl.silhouette_by_k(c, range(2, 6))),
        lambda c: plots.cost_figure(cl.linkage_timings([50, 100], repeats=1),
                                    cl.distance_memory([10, 100])),
    ],
)
def test_every_figure_function_returns_a_figure(customers, make):
    assert isinstance(make(customers), Figure)


def test_scatter_needs_two_features(customers):
    with pytest.raises(ValueError, match="two feature columns"):
        plots.customer_scatter(customers[["ID", INCOME]])


def test_explorer_view_matches_the_plain_functions(customers):
    figure, table = explorer_view(customers, 3, "complete", scale=True)
    assert isinstance(figure, Figure)
    assert table["customers"].tolist() == np.bincount(cl.cluster_labels(customers, 3, "complete")).tolist()


def test_widget_callbacks_redraw_for_the_new_controls(customers):
    explorer = SegmentExplorer(customers, n_clusters=5)
    assert len(explorer.description) == 5
    explorer.segments.value = 3  # the observer calls update()
    assert len(explorer.description) == 3
    explorer.method.value = "single"
    assert explorer.description["customers"].max() > 150
    explorer.scale.value = False
    assert "unscaled" in explorer.figure.axes[0].get_title()
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "who spend" in explorer.details.value
    assert segment_explorer(customers).children[0].children[0].value == 5


