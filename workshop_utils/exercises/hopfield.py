"""Exercise checks for the Hopfield notebook (one ``check_*`` per exercise).

The right answers are computed with the package, not typed in, so they stay right if the
alphabet or the rule's code changes.
"""

from __future__ import annotations

import numpy as np

from ..hopfield import HopfieldNetwork, hebbian_weights
from ..patterns import letter, letters, overlap
from . import CheckResult, check

#: Exercise 1: three tiny patterns of 4 neurons.
HEBB_PATTERNS = np.array([[1, -1, 1, -1], [1, 1, -1, -1], [1, 1, 1, -1]], dtype=np.int8)
#: Exercise 2: the letters stored before the inverted T is presented.
INVERTED_STORED = "HTX"
#: Exercise 3: letters stored one by one in this order.
LETTER_ORDER = "HTXLOCEZ"


def check_hebb_weights(answer) -> CheckResult:
    """Exercise 1: the 4x4 weight matrix Hebb's rule gives for :data:`HEBB_PATTERNS`."""
    expected = hebbian_weights(HEBB_PATTERNS)
    hint = "each pattern V adds V_i * V_j to W_ij: np.outer(V, V) for each, summed"
    try:
        array = np.asarray(answer, dtype=float)
        if array.shape == expected.shape and np.any(np.diag(array) != 0):
            off = ~np.eye(len(expected), dtype=bool)
            if np.array_equal(array[off], expected[off]):
                hint = "almost: a neuron has no connection to itself, so set the diagonal to 0"
            else:
                hint += ", and the diagonal stays 0 (no self-connections)"
        elif array.shape != expected.shape and answer is not Ellipsis:
            hint = f"expected a 4x4 matrix (4 neurons), got shape {array.shape}"
    except (TypeError, ValueError):
        pass
    return check(answer, expected, hint=hint, explanation=(
        "Every pattern votes on every pair of neurons: +1 if they agree, -1 if not. "
        "Neurons 1 and 4 disagree in all three patterns, so W_14 = -3."
    ))


def inverted_recall_overlap() -> float:
    """The right answer to exercise 2: overlap with T of what the network makes of -T."""
    net = HopfieldNetwork(25).train(letters(INVERTED_STORED))
    return overlap(net.recall(-letter("T"), seed=0), letter("T"))


def check_inverted(answer) -> CheckResult:
    """Exercise 2: the overlap with T of the state the network reaches from the inverted T."""
    return check(answer, inverted_recall_overlap(), rtol=1e-9, hint=(
        "recall from -T (e.g. net.recall(-T)) and compute overlap(result, T); an overlap of "
        "-1 means 'exactly the inverse'. Compare net.energy(T) with net.energy(-T)."
    ), explanation=(
        "The inverted T is itself a stable state: E(-V) = E(V), because flipping every sign "
        "leaves each product V_i V_j unchanged. Every stored pattern brings its negative along."
    ))


def first_breakdown(order: str = LETTER_ORDER) -> int | None:
    """How many letters of ``order`` are stored when one of them first stops being stable."""
    for k in range(1, len(order) + 1):
        stored = letters(order[:k])
        if not HopfieldNetwork(25).train(stored).is_stable(stored).all():
            return k
    return None


def check_breakdown(answer) -> CheckResult:
    """Exercise 3: the number of letters stored (in :data:`LETTER_ORDER`) at the first failure."""
    expected = first_breakdown()
    hint = (
        "for k = 1, 2, ... train a fresh network on letters(LETTER_ORDER[:k]) and test "
        "net.is_stable(...) on the same letters; the answer is the first k where not all are stable"
    )
    if isinstance(answer, int | np.integer) and not isinstance(answer, bool):
        if answer == expected - 1:
            hint = "that is the last count where every letter is still stable: one more breaks it"
        elif answer > expected:
            hint = "too many: a letter is already unstable before that; test after every new letter"
    return check(answer, expected, hint=hint, explanation=(
        "Five letters fit, the sixth (C, much like O) knocks out itself and X. The 0.138 N rule "
        "(3.5 patterns for N = 25) is for random patterns in large networks; with few neurons "
        "the count depends on how alike the pictures are."
    ))
