"""The 5x5 alphabet, noise, overlap and random patterns of the Hopfield notebook."""

import numpy as np
import pytest
from hopfield_helpers import random_pictures
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils.patterns import (
    NAMES,
    SIDE,
    add_noise,
    check_pm1,
    letter,
    letters,
    overlap,
    overlaps,
    random_patterns,
    to_text,
)


def test_alphabet_pictures_are_distinct_5x5_pm1():
    stack = letters(NAMES)
    assert stack.shape == (len(NAMES), SIDE, SIDE)
    assert set(np.unique(stack)) == {-1, 1}
    assert len({p.tobytes() for p in stack}) == len(NAMES)


def test_letter_drawing_and_copy():
    t = letter("t")
    assert to_text(t) == "#####\n..#..\n..#..\n..#..\n..#.."
    t[0, 0] = -1
    assert letter("T")[0, 0] == 1, "letter() must hand out copies"


def test_letters_accepts_a_string_and_rejects_unknown_names():
    assert letters("TL").shape == (2, 5, 5)
    with pytest.raises(ValueError, match="no picture called 'Q'"):
        letter("Q")
    with pytest.raises(ValueError, match="no picture names"):
        letters("")


def test_check_pm1_names_the_bad_value_and_position():
    with pytest.raises(ValueError, match="got 0 at position 2"):
        check_pm1([1, -1, 0, 1])
    with pytest.raises(ValueError, match="empty"):
        check_pm1([])
    with pytest.raises(ValueError, match="type bool"):
        check_pm1([True, False])


@settings(max_examples=40, deadline=None)
@given(fraction=st.floats(0, 1), seed=st.integers(0, 2**32 - 1))
def test_add_noise_flips_exactly_the_asked_share(fraction, seed):
    pattern = letter("A")
    noisy = add_noise(pattern, fraction, seed=seed)
    assert noisy.shape == pattern.shape
    assert int(np.sum(noisy != pattern)) == round(fraction * pattern.size)
    assert overlap(noisy, pattern) == pytest.approx(1 - 2 * round(fraction * 25) / 25)


def test_add_noise_is_seeded_and_leaves_the_input_alone():
    pattern = letter("X")
    before = pattern.copy()
    a = add_noise(pattern, 0.2, seed=3)
    assert np.array_equal(a, add_noise(pattern, 0.2, seed=3))
    assert not np.array_equal(a, add_noise(pattern, 0.2, seed=4))
    assert np.array_equal(pattern, before)
    with pytest.raises(ValueError, match="between 0 and 1"):
        add_noise(pattern, 1.5)


def test_overlap_values_and_symmetry():
    t = letter("T")
    assert overlap(t, t) == 1.0
    assert overlap(t, -t) == -1.0
    assert overlap(letter("T"), letter("I")) == overlap(letter("I"), letter("T")) == pytest.approx(0.68)
    with pytest.raises(ValueError, match="differ in size"):
        overlap(t, t[:2])


def test_overlaps_matches_overlap_for_a_picture_and_a_stack():
    stack = letters("TLX")
    table = overlaps(letter("I"), stack)
    assert table.shape == (1, 3)
    assert table[0].tolist() == pytest.approx([overlap(letter("I"), p) for p in stack])
    assert np.allclose(np.diag(overlaps(stack, stack)), 1.0)


def test_random_patterns_are_seeded_pm1_and_balanced():
    a = random_patterns(20, 500, seed=1)
    assert a.shape == (20, 500) and set(np.unique(a)) == {-1, 1}
    assert np.array_equal(a, random_patterns(20, 500, seed=1))
    assert abs(a.mean()) < 0.05
    assert random_pictures(3, seed=0).shape == (3, 5, 5)
    with pytest.raises(ValueError, match="at least one pattern"):
        random_patterns(0, 25)
