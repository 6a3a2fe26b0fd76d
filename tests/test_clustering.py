"""Hierarchical clustering helpers: agreement with scikit-learn, the merge rule, cuts, words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import pdist, squareform
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from tools.make_tables import make_customers
from workshop_utils import clustering as cl
from workshop_utils.customers import INCOME, SPEND, load_customers


@pytest.fixture(scope="module")
def customers():
    return load_customers()


# ---------------------------------------------------------------- agreement with scikit-learn
@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_ward_labels_agree_with_scikit_learn_on_the_customers(customers, k):
    scaled = StandardScaler().fit_transform(customers[[INCOME, SPEND]])
    theirs = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(scaled)
    ours = cl.cluster_labels(customers, k, method="ward", scale=True)
    assert adjusted_rand_score(theirs, ours) == 1.0


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 60), k=st.integers(1, 5),
       method=st.sampled_from(["ward", "complete", "average", "single"]))
def test_every_linkage_agrees_with_scikit_learn_on_random_data(seed, n, k, method):
    values = np.random.default_rng(seed).normal(size=(n, 3))
    theirs = AgglomerativeClustering(n_clusters=k, linkage=method).fit_predict(cl.scale_features(values))
    ours = cl.cluster_labels(values, k, method=method)
    assert adjusted_rand_score(theirs, ours) == 1.0


def test_labels_are_numbered_by_first_appearance_and_count_k(customers):
    labels = cl.cluster_labels(customers, 5)
    assert labels[0] == 0 and set(labels) == set(range(5))
    assert list(dict.fromkeys(labels)) == list(range(5))


def test_the_clusters_found_are_the_groups_the_data_was_made_from():
    table, groups = make_customers(return_groups=True)
    labels = cl.cluster_labels(table, 5)
    assert adjusted_rand_score(groups[groups >= 0], labels[groups >= 0]) == 1.0


# ---------------------------------------------------------------- scaling and input checks
def test_scaling_gives_mean_zero_unit_spread_and_survives_constant_columns():
    values = np.array([[1.0, 5.0, 100.0], [2.0, 5.0, 300.0], [3.0, 5.0, 500.0]])
    scaled = cl.scale_features(values)
    np.testing.assert_allclose(scaled.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), [1, 0, 1])


def test_scaling_changes_the_answer_on_the_customers(customers):
    scaled = cl.cluster_labels(customers, 5, scale=True)
    unscaled = cl.cluster_labels(customers, 5, scale=False)
    assert adjusted_rand_score(scaled, unscaled) < 0.8


def test_id_column_is_not_a_feature(customers):
    assert cl.feature_matrix(customers).shape == (len(customers), 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pd.DataFrame({"name": ["a", "b"], "x": [1, 2]}), "not numeric"),
        (np.zeros((1, 2)), "at least 2 customers"),
        (np.array([1.0, 2.0, 3.0]), "1-D"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "row 0"),
        ([["a", "b"], ["c", "d"]], "must be numbers"),
    ],
)
def test_bad_data_is_refused_with_a_message_that_says_what_to_do(data, message):
    with pytest.raises(ValueError, match=message):
        cl.cluster_labels(data, 1)


@pytest.mark.parametrize("k", [0, 201, 2.5, True])
def test_k_out_of_range_is_refused(customers, k):
    with pytest.raises(ValueError, match="n_clusters"):
        cl.cluster_labels(customers, k)


def test_unknown_method_lists_the_choices(customers):
    with pytest.raises(ValueError, match="single, complete, average, ward"):
        cl.cluster_labels(customers, 3, method="centroid")


# ---------------------------------------------------------------- the merge rule
def test_first_merge_joins_the_closest_pair(customers):
    few = customers.iloc[:12]
    distances = squareform(pdist(cl.prepare(few)))
    np.fill_diagonal(distances, np.inf)
    closest = set(np.unravel_index(np.argmin(distances), distances.shape))
    for method in cl.METHODS:
        first = cl.merge_steps(few, 1, method=method)[0]
        assert set(first.left + first.right) == closest
        assert first.distance == pytest.approx(distances.min())


def test_merge_steps_count_down_and_grow_clusters(customers):
    steps = cl.merge_steps(customers.iloc[:10], 9)
    assert [s.clusters_left for s in steps] == list(range(9, 0, -1))
    assert steps[-1].members == tuple(range(10))
    assert all(a.distance <= b.distance for a, b in zip(steps, steps[1:], strict=False))
    assert all(not set(s.left) & set(s.right) for s in steps)


def test_merge_table_names_customers_by_id(customers):
    few = customers.iloc[[4, 0, 2]]  # IDs 5, 1, 3: customers 1 and 5 are almost the same
    table = cl.merge_table(few, 2)
    assert table.loc[1, "joins"] == "{5} + {1}"
    assert table.loc[2, "joins"] == "{3} + {1, 5}"
    assert table["clusters left"].tolist() == [2, 1]
    assert cl.members_text((0, 2)) == "{0, 2}"


def test_merge_steps_refuse_too_many_merges(customers):
    with pytest.raises(ValueError, match="n_merges must be an integer from 1 to 4"):
        cl.merge_steps(customers.iloc[:5], 5)


# ---------------------------------------------------------------- cuts
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 40), data=st.data())
def test_cut_height_and_cut_by_k_agree(seed, n, data):
    linkage = cl.linkage_matrix(np.random.default_rng(seed).normal(size=(n, 2)))
    k = data.draw(st.integers(1, n))
    by_k = cl.cut(linkage, n_clusters=k)
    assert len(np.unique(by_k)) == k
    by_height = cl.cut(linkage, height=cl.cut_height(linkage, k))
    assert adjusted_rand_score(by_k, by_height) == 1.0


def test_cut_needs_exactly_one_of_k_or_height(customers):
    linkage = cl.linkage_matrix(customers)
    with pytest.raises(ValueError, match="exactly one"):
        cl.cut(linkage)
    with pytest.raises(ValueError, match="exactly one"):
        cl.cut(linkage, n_clusters=2, height=1.0)
    with pytest.raises(ValueError, match="non-negative"):
        cl.cut(linkage, height=-1.0)


def test_cut_at_zero_height_keeps_everyone_apart_and_above_the_top_joins_all(customers):
    linkage = cl.linkage_matrix(customers.iloc[:20])
    assert len(np.unique(cl.cut(linkage, height=0.0))) == 20
    assert len(np.unique(cl.cut(linkage, height=linkage[-1, 2] + 1))) == 1


def test_the_dendrogram_suggests_five_segments(customers):
    assert cl.suggest_n_clusters(cl.linkage_matrix(customers)) == 5


def test_suggest_picks_the_biggest_jump():
    # heights 1, 2, 10: the jump from 2 to 10 is biggest, so cut into 2 clusters
    linkage = np.array([[0, 1, 1.0, 2], [2, 3, 2.0, 2], [4, 5, 10.0, 4]])
    assert cl.suggest_n_clusters(linkage) == 2
    with pytest.raises(ValueError, match="max_clusters"):
        cl.suggest_n_clusters(linkage, max_clusters=1)


# ---------------------------------------------------------------- segments in words
def test_segments_are_described_in_words(customers):
    table = cl.describe_segments(customers, cl.cluster_labels(customers, 5))
    assert list(table.columns) == ["customers", INCOME, SPEND, "description"]
    assert table["customers"].sum() == len(customers)
    assert set(table["description"]) == {
        "low earners who spend little",
        "middle earners who spend a fair amount",
        "big earners who spend a lot",
        "big earners who spend little",
        "low earners who spend a lot",
    }


def test_other_columns_read_generically():
    table = pd.DataFrame({"age": [20, 21, 60, 61, 40, 41]})
    words = cl.describe_segments(table, [0, 0, 1, 1, 2, 2])["description"]
    assert list(words) == ["low age", "high age", "middling age"]


def test_describe_needs_one_label_per_customer(customers):
    with pytest.raises(ValueError, match="one label per customer"):
        cl.describe_segments(customers, [0, 1])


@pytest.mark.parametrize(("value", "expected"), [(1, "low"), (5, "middling"), (9, "high")])
def test_level_uses_thirds(value, expected):
    assert cl.level(value, np.arange(10)) == expected


# ---------------------------------------------------------------- comparisons
def test_silhouette_peaks_at_five_segments(customers):
    scores = cl.silhouette_by_k(customers, range(2, 9))
    assert list(scores.index) == list(range(2, 9))
    assert scores["silhouette"].idxmax() == 5
    assert scores["silhouette"].between(-1, 1).all()


def test_silhouette_refuses_a_single_segment(customers):
    with pytest.raises(ValueError, match="2 to 199 segments"):
        cl.silhouette(customers, np.zeros(len(customers), dtype=int))


def test_single_linkage_chains_and_ward_does_not(customers):
    table = cl.compare_linkages(customers, 5)
    assert list(table.index) == list(cl.METHODS)
    assert table["largest segment"].idxmax() == "single"
    assert table.loc["single", "largest segment"] > 0.7 * len(customers)
    assert table.loc["ward", "silhouette"] > table.loc["single", "silhouette"]


# ---------------------------------------------------------------- cost
@pytest.mark.parametrize(("n", "pairs"), [(0, 0), (1, 0), (2, 1), (4, 6), (10_000, 49_995_000)])
def test_distance_count_is_n_choose_2(n, pairs):
    assert cl.distance_count(n) == pairs


def test_memory_grows_a_hundredfold_for_ten_times_the_customers():
    memory = cl.distance_memory([1_000, 10_000])["memory (GB)"]
    assert memory.loc[1_000] == pytest.approx(0.003996)
    assert memory.loc[10_000] / memory.loc[1_000] == pytest.approx(100, rel=0.01)


def test_timings_are_measured_for_each_n():
    timings = cl.linkage_timings([50, 100], repeats=1)
    assert list(timings.index) == [50, 100]
    assert (timings["seconds"] > 0).all()
    with pytest.raises(ValueError, match="memory grows"):
        cl.time_linkage(cl.MAX_TIMED_N + 1)


def test_the_slides_five_customers_merge_by_hand():
    from workshop_utils.customers import slides_customers

    five = slides_customers()
    assert five["ID"].tolist() == [1, 2, 3, 4, 5]
    distances = cl.distance_table(five)
    assert distances.loc[1, 2] == 7.1 and distances.loc[3, 5] == 104.4
    assert (distances.to_numpy() == distances.to_numpy().T).all()
    table = cl.merge_table(five, n_merges=4, method="single", scale=False)
    assert table["joins"].tolist() == ["{1} + {2}", "{4} + {1, 2}", "{3} + {5}", "{1, 2, 4} + {3, 5}"]
    # single linkage: each height is the distance of the closest pair between the two clusters
    exact = cl.distance_table(five, decimals=None)
    assert np.isclose(table["height"].iloc[1], min(exact.loc[4, 1], exact.loc[4, 2]))
    assert np.isclose(table["height"].iloc[3], exact.loc[[1, 2, 4], [3, 5]].to_numpy().min())
