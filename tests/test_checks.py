"""The shared argument checks: what each accepts, and refusals that name the argument."""

from __future__ import annotations

import numpy as np
import pytest

from workshop_utils.checks import fraction, integer, positive_number


def test_integer_accepts_whole_numbers_in_range_and_names_what_it_refuses():
    assert integer(np.int64(3), "n", low=1) == 3 and type(integer(np.int64(3), "n")) is int
    assert integer(None, "seed", low=0, none_ok=True) is None
    for bad, message in [(True, "n must be a positive integer, got True"),
                         (2.5, "n must be a positive integer, got 2.5"),
                         (0, "n must be a positive integer, got 0")]:
        with pytest.raises(ValueError, match=message):
            integer(bad, "n", low=1)
    with pytest.raises(ValueError, match=r"folds must be an integer of at least 3 \(why\), got 2"):
        integer(2, "folds", low=3, note="why")
    with pytest.raises(ValueError, match="k must be an integer from 1 to 4, got 5"):
        integer(5, "k", low=1, high=4)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), None, True])
def test_positive_number_refuses_what_is_not_a_finite_positive_number(bad):
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        positive_number(bad, "learning_rate")


def test_fraction_is_a_number_in_zero_to_one():
    assert fraction(0, "dropout") == 0.0 and fraction(np.float32(0.5), "dropout") == 0.5
    for bad in (1, -0.1, "a lot", True, None):
        with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\), got"):
            fraction(bad, "dropout")
