"""Exercises of notebook 01 (Hopfield): ``from workshop_utils.exercises.hopfield import q1, q2, q3``.

The right answers are computed with the package, not typed in, so they stay right if the
alphabet or the rule's code changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..hopfield import HopfieldNetwork, hebbian_weights
from ..patterns import letter, letters, overlap
from . import CheckResult, Exercise, WrongKind, as_array, as_number, as_whole_number, check

#: Exercise 1: three tiny patterns of 4 neurons.
HEBB_PATTERNS = np.array([[1, -1, 1, -1], [1, 1, -1, -1], [1, 1, 1, -1]], dtype=np.int8)
#: Exercise 2: the letters stored before the inverted T is presented.
INVERTED_STORED = "HTX"
#: Exercise 3: letters stored one by one in this order.
LETTER_ORDER = "HTXLOCEZ"


# -- exercise 1 --------------------------------------------------------------------------------
def check_hebb_weights(answer: Any) -> CheckResult:
    """Exercise 1: the 4x4 weight matrix Hebb's rule gives for :data:`HEBB_PATTERNS`."""
    expected = hebbian_weights(HEBB_PATTERNS).astype(float)
    n = len(expected)

    def test(value) -> bool:
        if isinstance(value, np.ndarray) and value.shape == HEBB_PATTERNS.shape:
            raise WrongKind("expected the 4x4 weight matrix; that is the 3x4 array of patterns "
                            "themselves: add np.outer(v, v) over its rows")
        array = as_array(value, (n, n), "a 4x4 matrix of numbers (4 neurons, so 4x4 weights)")
        if np.array_equal(array, expected):
            return True
        off = ~np.eye(n, dtype=bool)
        if np.any(np.diag(array) != 0) and np.array_equal(array[off], expected[off]):
            raise WrongKind("almost: a neuron has no connection to itself, so set the diagonal "
                            "to 0 (np.fill_diagonal(answer, 0))")
        for v in HEBB_PATTERNS:
            one = np.outer(v, v).astype(float)
            if np.array_equal(array, one) or np.array_equal(array, one - np.eye(n)):
                raise WrongKind("that is one pattern's products: Hebb's rule adds them up for all "
                                "three patterns")
        if np.allclose(array * len(HEBB_PATTERNS), expected):
            raise WrongKind("Hebb's rule as used here adds the products up; it does not average "
                            "them: multiply by 3")
        raise WrongKind("each pattern V adds V_i * V_j to W_ij: np.outer(V, V) for each, summed, "
                        "and the diagonal stays 0 (no self-connections)")

    return check(answer, test=test, explanation=(
        "Every pattern votes on every pair of neurons: +1 if they agree, -1 if not. "
        "Neurons 1 and 4 disagree in all three patterns, so W_14 = -3."
    ))


# -- exercise 2 --------------------------------------------------------------------------------
def inverted_network() -> HopfieldNetwork:
    """The notebook's ``net``: H, T and X stored."""
    return HopfieldNetwork(25).train(letters(INVERTED_STORED))


def inverted_recall_overlap() -> float:
    """The right answer to exercise 2: overlap with T of what the network makes of -T."""
    return overlap(inverted_network().recall(-letter("T"), seed=0), letter("T"))


def check_inverted(answer: Any) -> CheckResult:
    """Exercise 2: the overlap with T of the state the network reaches from the inverted T."""
    expected = inverted_recall_overlap()

    def test(value) -> bool:
        if isinstance(value, np.ndarray) and value.size == 25:
            raise WrongKind("expected one number, the overlap; that is a picture of 25 neurons: "
                            "pass it to overlap(recalled, T)")
        number = as_number(value, "one number between -1 and 1 (the overlap with T)")
        if not -1 <= number <= 1:
            raise WrongKind(f"an overlap lies between -1 and 1; got {number}: compute "
                            "overlap(recalled, T)")
        if np.isclose(number, expected, rtol=0, atol=1e-9):
            return True
        if np.isclose(number, 1):
            raise WrongKind("1 would mean the network went back to T itself. Run it: "
                            "overlap(net.recall(-T, seed=0), T), and compare net.energy(T) with "
                            "net.energy(-T)")
        raise WrongKind("recall from -T (net.recall(-T, seed=0)) and compute overlap(result, T); "
                        "an overlap of -1 means 'exactly the inverse'")

    return check(answer, test=test, explanation=(
        "The inverted T is itself a stable state: E(-V) = E(V), because flipping every sign "
        "leaves each product V_i V_j unchanged. Every stored pattern brings its negative along."
    ))


# -- exercise 3 --------------------------------------------------------------------------------
def first_breakdown(order: str = LETTER_ORDER) -> int | None:
    """How many letters of ``order`` are stored when one of them first stops being stable."""
    for k in range(1, len(order) + 1):
        stored = letters(order[:k])
        if not HopfieldNetwork(25).train(stored).is_stable(stored).all():
            return k
    return None


def check_breakdown(answer: Any) -> CheckResult:
    """Exercise 3: the number of letters stored (in :data:`LETTER_ORDER`) at the first failure."""
    expected = first_breakdown()

    def test(value) -> bool:
        if isinstance(value, str) and value.strip().upper() in set(LETTER_ORDER):
            raise WrongKind("expected how many letters are stored (a whole number), not which "
                            "letter breaks")
        count = as_whole_number(value, f"a whole number of letters, 1 to {len(LETTER_ORDER)}")
        if count == expected:
            return True
        if count == expected - 1:
            raise WrongKind("that is the last count where every letter is still stable: one more "
                            "breaks it")
        if count > expected:
            raise WrongKind("too many: a letter is already unstable before that; test after every "
                            "new letter")
        if count in (3, 4):
            raise WrongKind("0.138 x 25 = 3.5 is the rule for random patterns in large networks; "
                            "test these letters: train on LETTER_ORDER[:k] and call is_stable")
        raise WrongKind("for k = 1, 2, ... train a fresh network on letters(LETTER_ORDER[:k]) and "
                        "test net.is_stable(...) on the same letters; the answer is the first k "
                        "where not all are stable")

    return check(answer, test=test, explanation=(
        "Five letters fit; the sixth, C, knocks out itself and X. The 0.138 N rule (3.5 patterns "
        "for N = 25) is for random patterns in large networks; with few neurons the count "
        "depends on how alike the pictures are."
    ))


# -- the exercises as the notebook uses them ----------------------------------------------------
def _namespace() -> dict[str, Any]:
    """The names notebook 01 has defined when its exercises start."""
    return {"np": np, "patterns": HEBB_PATTERNS.astype(int), "net": inverted_network(),
            "T": letter("T"), "overlap": overlap, "letters": letters,
            "HopfieldNetwork": HopfieldNetwork, "LETTER_ORDER": LETTER_ORDER}


q1 = Exercise(
    "q1", "Hebb's rule by hand", check_hebb_weights,
    expects="a 4x4 matrix of numbers",
    hint_text="Each pattern `v` adds `np.outer(v, v)` (all products $v_i v_j$) to the weights: add "
    "the three outer products, then set the diagonal to 0 with `np.fill_diagonal(answer, 0)`.",
    solution_code="""\
# add the outer product of each pattern, then remove self-connections
answer = sum(np.outer(v, v) for v in patterns)
np.fill_diagonal(answer, 0)
print(answer)
""",
    namespace=_namespace,
)

q2 = Exercise(
    "q2", "an inverted pattern", check_inverted,
    expects="one number between -1 and 1 (an overlap)",
    hint_text="`recalled = net.recall(-T, seed=0)`, then `answer = overlap(recalled, T)`. Before you "
    "run it, compare `net.energy(T)` with `net.energy(-T)`.",
    solution_code="""\
# the inverted T is itself a stable memory, at the same energy as T
recalled = net.recall(-T, seed=0)
print("E(T) =", net.energy(T), "  E(-T) =", net.energy(-T))
answer = overlap(recalled, T)
""",
    namespace=_namespace,
    explanation="Overlap -1: the network stays on the inverted T. $E(-V) = E(V)$, so every stored "
    "pattern brings its negative along as a second valley.",
)

q3 = Exercise(
    "q3", "how many letters fit?", check_breakdown,
    expects="a whole number",
    hint_text="Loop over `k = 1, 2, ...`: `first_k = letters(LETTER_ORDER[:k])`, train a *fresh* "
    "`HopfieldNetwork(25)` on `first_k`, and look at `.is_stable(first_k)`. The answer is the "
    "first `k` where not every value is `True`.",
    solution_code="""\
# train a fresh network on the first k letters, for k = 1, 2, ...
for k in range(1, len(LETTER_ORDER) + 1):
    first_k = letters(LETTER_ORDER[:k])
    stable = HopfieldNetwork(25).train(first_k).is_stable(first_k)
    print(LETTER_ORDER[:k].ljust(8), stable.astype(int))
    if not stable.all():
        answer = k
        break
""",
    namespace=_namespace,
)
