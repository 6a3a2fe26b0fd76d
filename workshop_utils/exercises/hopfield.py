"""Exercises of notebook 01 (Hopfield): ``from workshop_utils.exercises.hopfield import q1, q2, q3, q4``.

In 1 and 2 learners write the slides' formulas as functions; the checks call them on cases of
their own and compare with :class:`HopfieldNetwork`, which owns the rules."""

from typing import Any

import numpy as np

from ..hopfield import HopfieldNetwork
from ..patterns import add_noise, letter, letters, overlap
from . import Exercise, WrongKind, as_array, as_number, as_whole_number, checker, describe

#: Exercise 4: letters stored one by one in this order.
LETTER_ORDER = "HTXLOCEZ"
#: Exercise 2's small network, with ties (excitation exactly 0) for neurons at +1 and at -1.
TIE_PATTERNS = np.array([[1, 1, -1, 1, -1, -1], [1, -1, 1, 1, -1, 1]])
HEBB_CASES = {
    "the 3 patterns [[1, -1, 1, -1], [1, 1, -1, -1], [1, 1, 1, -1]]":
        np.array([[1, -1, 1, -1], [1, 1, -1, -1], [1, 1, 1, -1]]),
    "the one pattern [[1, 1, -1, 1, -1, -1]]": TIE_PATTERNS[:1],
    "the letters H, T and X (3 rows of 25 neurons)": letters("HTX").reshape(3, 25),
}


def _call(function: Any, args: tuple, case: str) -> Any:
    """The learner's ``function(*args)`` on copies; an error it raises becomes a message."""
    if not callable(function) or isinstance(function, type):
        raise WrongKind(f"expected the function itself (its name, without brackets); got {describe(function)}")
    try:
        return function(*(np.array(a) for a in args))
    except Exception as error:  # noqa: BLE001 - the learner's code may raise anything
        raise WrongKind(f"for {case}, your function raised {type(error).__name__}: {error}") from None


def _hebb_difference(w: np.ndarray, right: np.ndarray, patterns: np.ndarray) -> str:
    off = ~np.eye(len(w), dtype=bool)
    if not np.array_equal(w, w.T):
        return "your W is not symmetric: W[i, j] and W[j, i] should be equal, as V_i V_j = V_j V_i"
    if np.array_equal(w[off], -right[off]):
        return "your W has the opposite sign: two neurons that agree should get a positive weight"
    if any(np.array_equal(w[off], np.outer(v, v)[off]) for v in patterns):
        return "your W holds the products of one pattern only; every pattern adds its own"
    i, j = np.argwhere((w != right) & off)[0]
    return f"your W[{i}, {j}] = {w[i, j]:g} is not the sum of V_{i} V_{j} over the patterns"


@checker("Every pattern votes on every pair of neurons: +1 if they agree, -1 if not.")
def check_hebb(hebb: Any) -> Any:
    """Exercise 1: ``hebb(patterns)`` gives Hebb's weights (sum of outer products, diagonal 0)."""
    for case, patterns in HEBB_CASES.items():
        n, result = patterns.shape[1], _call(hebb, (patterns,), case)
        if result is Ellipsis:
            return ...
        w = as_array(result, (n, n), f"the {n}x{n} weights (one row and column per neuron) for {case}")
        right = np.asarray(HopfieldNetwork(n).train(patterns).weights)
        off = ~np.eye(n, dtype=bool)
        problems = ["your W has a non-zero diagonal (a neuron has no connection to itself)"] * any(np.diag(w))
        if not np.array_equal(w[off], right[off]):
            problems.append(_hebb_difference(w, right, patterns))
        if problems:
            raise WrongKind(f"for {case}, " + "; and ".join(problems))


NET = HopfieldNetwork(25).train(letters("HTX"))  #: the notebook's ``net``
STEP_CASES = {  # exercise 2: (network, state V)
    "the network storing H, T and X and a T with 5 pixels flipped": (NET, add_noise(letter("T"), 0.2, seed=0).ravel()),
    "a network of 6 neurons and V = [1, 1, 1, 1, 1, -1] (4 of its excitations are 0)":
        (HopfieldNetwork(6).train(TIE_PATTERNS), np.array([1, 1, 1, 1, 1, -1])),
    "an untrained network (every weight 0) and V = [1, -1, -1, 1]": (HopfieldNetwork(4), np.array([1, -1, -1, 1])),
}


@checker("Updating every neuron at once like this is a synchronous step; the notebook updates one "
         "neuron at a time, which never raises the energy.")
def check_recall_step(step: Any) -> Any:
    """Exercise 2: ``recall_step(W, V)`` updates every neuron once: sign(W @ V), a tie keeps its state."""
    for case, (net, v) in STEP_CASES.items():
        result = _call(step, (net.weights, v), f"{case} (called as recall_step(W, V))")
        if result is Ellipsis:
            return ...
        new = as_array(result, v.shape, f"a new state of {v.size} values for {case}")
        tie, wrong = net.weights @ v == 0, new != net.recall(v, mode="sync", max_sweeps=1)
        odd = new[~tie & ~np.isin(new, (-1, 1))]
        if odd.size:
            raise WrongKind(f"for {case}, your new state holds {odd[0]:g}: a neuron is +1 or -1")
        problems = [f"at neuron(s) {', '.join(map(str, np.flatnonzero(wrong & ~tie)))} (counting from 0) your "
                    "state does not follow the sign of the excitation"] * any(wrong & ~tie)
        if any(wrong & tie):
            got = set(new[wrong & tie].tolist())
            what = {0: "0", 1: "+1", -1: "-1"}.get(got.pop()) if len(got) == 1 else "a new state"
            problems.append(f"where the excitation is exactly 0 your step gives {what}; in a tie a neuron "
                            "keeps its current state")
        if problems:
            raise WrongKind(f"for {case}, " + "; and ".join(problems))


@checker("The inverted T is itself a stable state: E(-V) = E(V), because flipping every sign leaves "
         "each product V_i V_j unchanged. Every stored pattern brings its negative along.")
def check_inverted(value: Any) -> None:
    """Exercise 3: the overlap with T of the state the network reaches from the inverted T."""
    number = as_number(value, "one number, the overlap with T")
    if np.isclose(number, overlap(NET.recall(-letter("T"), seed=0), letter("T")), rtol=0, atol=1e-9):
        return
    if abs(number) > 1:
        raise WrongKind(f"{number:g} is too big for an overlap: its size is at most 1 (identical pictures)")
    if not np.isclose(number * 25 % 2, 1, atol=1e-6):
        raise WrongKind(f"{number:g} cannot be an overlap of two 5x5 pictures: it is (pixels that agree - "
                        "pixels that differ) / 25")
    if np.isclose(number, 1):
        raise WrongKind("an overlap of 1 means the network went back to T itself: does it? Compare "
                        "net.energy(T) with net.energy(-T)")
    raise WrongKind(f"an overlap of {number:g} means {round(25 * (1 - number) / 2)} of the 25 pixels differ "
                    "from T: is that the picture the network settles into from -T?")


def first_breakdown(order: str = LETTER_ORDER) -> int | None:
    """How many letters of ``order`` are stored when one of them first stops being stable."""
    for k in range(1, len(order) + 1):
        stored = letters(order[:k])
        if not HopfieldNetwork(25).train(stored).is_stable(stored).all():
            return k


@checker("The 0.138 rule (P/N for random patterns: 3.5 patterns for N = 25) is for large networks; "
         "with few neurons the count depends on how alike the pictures are.")
def check_breakdown(value: Any) -> None:
    """Exercise 4: the number of letters stored (in :data:`LETTER_ORDER`) at the first failure."""
    count = as_whole_number(value, f"a whole number of letters, 1 to {len(LETTER_ORDER)}")
    if count == first_breakdown():
        return
    if not 1 <= count <= len(LETTER_ORDER):
        raise WrongKind(f"LETTER_ORDER has {len(LETTER_ORDER)} letters: the count lies between 1 and that")
    stored = letters(LETTER_ORDER[:count])
    if HopfieldNetwork(25).train(stored).is_stable(stored).all():
        raise WrongKind(f"with {LETTER_ORDER[:count]} stored, every one of them is still stable")
    raise WrongKind(f"with {LETTER_ORDER[:count]} stored one is unstable, but is it the first count where one "
                    "is? Test every count from 1 up")


q1 = Exercise(
    "q1", "Hebb's rule as code", check_hebb, expects="a function hebb(patterns)",
    hints=("Start with a matrix of zeros, one row and one column per neuron. Each pattern V then adds "
           "V_i × V_j to every W_ij, as on the slides, and a neuron has no connection to itself.",
           "`np.zeros((rows, columns))` makes the start. `np.outer(V, V)` is the matrix of all products "
           "V_i V_j, and a `for` loop over `patterns` visits one pattern (one row) at a time.",
           "After the loop, `np.fill_diagonal(M, 0)` sets the diagonal of a matrix M to 0. Compare your "
           "result for `letters(stored).reshape(3, 25)` with `net.weights`."),
    solution_code="""\
def hebb(patterns):
    n = patterns.shape[1]
    W = np.zeros((n, n))
    for V in patterns:
        W += np.outer(V, V)  # +1 where two neurons agree, -1 where they disagree
    np.fill_diagonal(W, 0)   # no self-connections
    return W

answer = hebb
""",
)

q2 = Exercise(
    "q2", "one recall step", check_recall_step, expects="a function recall_step(W, V)",
    hints=("The excitation of neuron i is h_i = W_i1 V_1 + W_i2 V_2 + ... (section 3); all of them at "
           "once are one matrix-times-vector product. A neuron then fires (+1) if h_i > 0, is silent "
           "(-1) if h_i < 0, and keeps its state if h_i = 0.",
           "`W @ V` gives every excitation. `np.sign(h)` is +1, -1 or 0, and where it is 0 the neuron "
           "keeps V's value: `np.where(condition, a, b)` takes a where the condition holds, b elsewhere."),
    solution_code="""\
def recall_step(W, V):
    h = W @ V                               # every neuron's excitation
    return np.where(h == 0, V, np.sign(h))  # +1 or -1 by its sign; a tie keeps the state

answer = recall_step
""",
)

q3 = Exercise(
    "q3", "an inverted pattern", check_inverted, expects="one number (an overlap)",
    hints=("Predict first: does flipping every pixel change the energy? Compare `net.energy(T)` with "
           "`net.energy(-T)`.",
           "`net.recall(picture, seed=0)` gives the state the network settles into, and `overlap(a, b)` "
           "compares two pictures (1: identical, 0: unrelated)."),
    solution_code="""\
recalled = net.recall(-T, seed=0)
print("E(T) =", net.energy(T), "  E(-T) =", net.energy(-T))
answer = overlap(recalled, T)
""",
)

q4 = Exercise(
    "q4", "how many letters fit?", check_breakdown, expects="a whole number",
    hints=("Store 1 letter, then 2, then 3 ..., each time in a *fresh* network, and test after each "
           "whether every stored letter is still a fixed point.",
           "`letters(LETTER_ORDER[:k])` is the first k letters, `HopfieldNetwork(25).train(...)` a fresh "
           "trained network, and `.is_stable(...)` one True or False per letter (`.all()`: all True)."),
    solution_code="""\
for k in range(1, len(LETTER_ORDER) + 1):
    first_k = letters(LETTER_ORDER[:k])
    stable = HopfieldNetwork(25).train(first_k).is_stable(first_k)
    print(LETTER_ORDER[:k].ljust(8), stable.astype(int))
    if not stable.all():
        answer = k
        break
""",
)
