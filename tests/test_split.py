"""Near-duplicate grouping and the grouped, stratified, seeded split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.make_split_table import FRACTIONS, group_near_duplicates, grouped_stratified_split
from workshop_utils.weather.split import (
    MAX_DISTANCE,
    SPLITS,
    counts_table,
    load_table,
    tally,
)


def test_fractions_are_documented_and_add_up():
    assert SPLITS == ("train", "validate", "test")
    assert sum(FRACTIONS) == pytest.approx(1.0)


def test_grouping_is_transitive_and_respects_the_distance():
    a = 0b0000
    hashes = [a, a ^ 0b1, a ^ 0b11, 0xFFFF_0000, 0xFFFF_0001, 0x00FF_FF00]
    groups = group_near_duplicates(hashes, max_distance=1)
    assert groups.tolist() == [0, 0, 0, 1, 1, 2]  # 0-1-2 chain; ids in order of first item
    assert group_near_duplicates(hashes, max_distance=0).tolist() == [0, 1, 2, 3, 4, 5]


def test_grouping_with_labels_never_joins_classes():
    groups = group_near_duplicates([5, 5, 5], max_distance=0, labels=["rain", "shine", "rain"])
    assert groups[0] == groups[2] != groups[1]


def test_grouping_handles_wide_hashes():
    wide = 1 << 127
    assert group_near_duplicates([wide, wide | 1, 2], max_distance=1).tolist() == [0, 0, 1]


def test_grouping_rejects_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        group_near_duplicates([-1, 2])
    with pytest.raises(ValueError, match="labels"):
        group_near_duplicates([1, 2], labels=["a"])
    with pytest.raises(ValueError, match="max_distance"):
        group_near_duplicates([1, 2], max_distance=-1)


@settings(max_examples=40, deadline=None)
@given(hashes=st.lists(st.integers(0, 2**16 - 1), min_size=1, max_size=40),
       distance=st.integers(0, 4), seed=st.integers(0, 100))
def test_every_close_pair_shares_a_group(hashes, distance, seed):
    labels = np.random.default_rng(seed).choice(["a", "b"], len(hashes)).tolist()
    groups = group_near_duplicates(hashes, distance, labels=labels)
    for i, a in enumerate(hashes):
        for j in range(i + 1, len(hashes)):
            if (a ^ hashes[j]).bit_count() <= distance and labels[i] == labels[j]:
                assert groups[i] == groups[j]
            if labels[i] != labels[j]:
                assert groups[i] != groups[j]


@st.composite
def labelled_groups(draw):
    """Labels and group ids where groups never span labels (as near-duplicates in the data)."""
    n_classes = draw(st.integers(1, 4))
    labels, groups = [], []
    for c in range(n_classes):
        for _ in range(draw(st.integers(1, 25))):
            size = draw(st.integers(1, 4))
            group_id = len(set(groups))
            labels += [f"class{c}"] * size
            groups += [group_id] * size
    order = draw(st.permutations(range(len(labels))))
    return [labels[i] for i in order], [groups[i] for i in order]


@settings(max_examples=60, deadline=None)
@given(data=labelled_groups(), seed=st.integers(0, 2**31))
def test_split_keeps_groups_whole_stratifies_and_repeats(data, seed):
    labels, groups = data
    split = grouped_stratified_split(labels, groups, seed=seed)
    assert set(split.tolist()) <= {0, 1, 2}
    for g in set(groups):  # no group crosses splits
        assert len({split[i] for i in range(len(groups)) if groups[i] == g}) == 1
    labels_arr, groups_arr = np.array(labels), np.array(groups)
    for label in set(labels):  # each split within two largest groups of its share
        members = labels_arr == label
        biggest = np.bincount(groups_arr[members]).max()
        for s, share in enumerate(FRACTIONS):
            assert abs((split[members] == s).sum() - share * members.sum()) <= 2 * biggest
    assert np.array_equal(split, grouped_stratified_split(labels, groups, seed=seed))


def test_split_of_singletons_hits_the_fractions():
    labels = ["a"] * 100 + ["b"] * 40
    split = grouped_stratified_split(labels, list(range(140)), seed=0)
    table = tally(labels, [SPLITS[s] for s in split], ["a", "b"], SPLITS)
    assert table == {"a": {"train": 70, "validate": 15, "test": 15},
                     "b": {"train": 28, "validate": 6, "test": 6}}


def test_near_duplicate_groups_are_spread_over_the_splits_in_proportion():
    # 40 pairs of near-duplicates and 120 photos of their own, in one class: test photos must be
    # a fair sample, so validate and test each get about 15 % of the pairs, not none of them.
    labels = ["a"] * 200
    groups = [i // 2 for i in range(80)] + list(range(40, 160))
    split = grouped_stratified_split(labels, groups, seed=0)
    pairs_per_split = np.bincount(split[:80:2], minlength=3)
    assert pairs_per_split.sum() == 40
    assert 4 <= pairs_per_split[1] <= 8 and 4 <= pairs_per_split[2] <= 8, pairs_per_split
    assert np.bincount(split, minlength=3).tolist() == [140, 30, 30]


def test_equal_fractions_make_balanced_folds():
    labels = ["a"] * 90 + ["b"] * 60
    groups = [i // 3 for i in range(150)]  # groups of three, each inside one class
    folds = grouped_stratified_split(labels, groups, [1 / 6] * 6, seed=0)
    assert sorted(set(folds.tolist())) == list(range(6))
    for label in ("a", "b"):
        counts = np.bincount(folds[np.array(labels) == label], minlength=6)
        assert counts.max() - counts.min() <= 3, counts


def test_seed_changes_which_items_go_where():
    labels, groups = ["a"] * 60, list(range(60))
    first = grouped_stratified_split(labels, groups, seed=0)
    assert not np.array_equal(first, grouped_stratified_split(labels, groups, seed=1))


@pytest.mark.parametrize("bad", [(0.5, 0.5, 0.5), (1.2, -0.1, -0.1), ()])
def test_split_rejects_bad_fractions(bad):
    with pytest.raises(ValueError, match="fractions"):
        grouped_stratified_split(["a"], [0], fractions=bad)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="labels"):
        grouped_stratified_split(["a", "b"], [0])


def test_tally_counts_every_pair_in_the_given_order():
    counts = tally(["b", "a", "b", "b"], ["test", "train", "train", "test"], ["a", "b", "c"], SPLITS)
    assert counts == {"a": {"train": 1, "validate": 0, "test": 0},
                      "b": {"train": 1, "validate": 0, "test": 2},
                      "c": {"train": 0, "validate": 0, "test": 0}}
    assert [list(row) for row in counts.values()] == [list(SPLITS)] * 3


def test_counts_table_has_totals():
    text = counts_table({"rain": {"train": 7, "validate": 2, "test": 1},
                         "shine": {"train": 3, "validate": 0, "test": 1}}).to_string()
    assert text.splitlines()[0].split() == ["train", "validate", "test", "total"]
    assert text.splitlines()[1].split() == ["rain", "7", "2", "1", "10"]
    assert text.splitlines()[-1].split() == ["total", "10", "2", "2", "14"]


def test_grouping_of_the_real_photos_is_the_one_the_shipped_table_holds():
    # The table holds the real photos' difference hashes (no photos) with the groups and the split
    # they gave: the hand-written grouping (bit packing, union-find) of earlier versions gave the
    # same groups, and the table was made in the archive's order, so re-grouping reproduces it.
    seen = [p for p in load_table().values() if p.split]
    groups = group_near_duplicates([p.dhash for p in seen], MAX_DISTANCE, labels=[p.label for p in seen])
    assert len(seen) == 1121 and len(set(groups.tolist())) == 998
    assert groups.tolist() == [p.group for p in seen]
    split = grouped_stratified_split([p.label for p in seen], groups, FRACTIONS, seed=0)
    assert [SPLITS[s] for s in split] == [p.split for p in seen]
