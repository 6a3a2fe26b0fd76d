"""Patterns for the Hopfield notebook: a 5x5 alphabet, noise and overlap.

A pattern holds +1 (the neuron fires, a dark pixel) and -1 (silent, light); a 5x5 picture is
25 neurons in reading order.
"""

import numpy as np

SIDE = 5  # pictures are 5x5: 25 neurons

# "#" fires, "." does not. Some pairs look alike (E/Z, O/U, T/I) and others do not, which the
# notebook uses to show interference.
_DRAWINGS = {
    "A": ".###. #...# ##### #...# #...#", "C": ".#### #.... #.... #.... .####",
    "E": "##### #.... ####. #.... #####", "H": "#...# #...# ##### #...# #...#",
    "I": "##### ..#.. ..#.. ..#.. #####", "J": "##### ...#. ...#. #..#. .##..",
    "L": "#.... #.... #.... #.... #####", "O": ".###. #...# #...# #...# .###.",
    "T": "##### ..#.. ..#.. ..#.. ..#..", "U": "#...# #...# #...# #...# .###.",
    "X": "#...# .#.#. ..#.. .#.#. #...#", "Z": "##### ...#. ..#.. .#... #####",
    "plus": "..#.. ..#.. ##### ..#.. ..#..", "box": "##### #...# #...# #...# #####",
}
_ALPHABET = {name: np.array([[1 if ch == "#" else -1 for ch in row] for row in drawing.split()],
                            dtype=np.int8) for name, drawing in _DRAWINGS.items()}
NAMES: tuple[str, ...] = tuple(_ALPHABET)  # letters first, then shapes


def letter(name: str) -> np.ndarray:
    """The 5x5 picture called ``name`` (a fresh copy, so changing it changes nothing else)."""
    key = name if name in _ALPHABET else str(name).upper()
    if key not in _ALPHABET:
        raise ValueError(f"no picture called {name!r}; choose one of {', '.join(NAMES)}")
    return _ALPHABET[key].copy()


def letters(names) -> np.ndarray:
    """Several pictures stacked into shape (len(names), 5, 5); "TLC" works too."""
    names = list(names)
    if not names:
        raise ValueError("no picture names given: pass e.g. 'TLC' or ['T', 'plus']")
    return np.stack([letter(name) for name in names])


def check_pm1(values, what: str = "pattern") -> np.ndarray:
    """``values`` as int8 after checking they are all +1/-1; the error names the first bad one
    and its position, since 0/1 pictures are the most common slip."""
    array = np.asarray(values)
    if array.size == 0:
        raise ValueError(f"the {what} is empty: give at least one +1/-1 value")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"expected a {what} of +1/-1 numbers, got values of type {array.dtype}")
    bad = np.flatnonzero((array != 1) & (array != -1))
    if bad.size:
        raise ValueError(
            f"expected +1/-1 values in the {what}, got {array.reshape(-1)[bad[0]].item()!r} at "
            f"position {bad[0]} (pictures use +1 for 'fires' and -1 for 'silent'; 0/1 data: use 2*x - 1)")
    return array.astype(np.int8)


def add_noise(pattern, fraction: float, seed=None) -> np.ndarray:
    """A copy of ``pattern`` with exactly ``round(fraction * size)`` pixels flipped at random: an
    exact count (not a chance per pixel) makes "10 % noise" mean the same every time."""
    pattern = check_pm1(pattern)
    if not 0.0 <= float(fraction) <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1 (0.1 flips 10 % of pixels), got {fraction}")
    noisy = pattern.reshape(-1).copy()
    flip = np.random.default_rng(seed).choice(noisy.size, size=round(float(fraction) * noisy.size),
                                              replace=False)
    noisy[flip] *= -1
    return noisy.reshape(pattern.shape)


def overlap(a, b) -> float:
    """How alike two patterns are: the mean of ``a_i * b_i``, 1 if identical, -1 if inverted."""
    a, b = check_pm1(a, "first pattern"), check_pm1(b, "second pattern")
    if a.size != b.size:
        raise ValueError(f"patterns differ in size ({a.size} and {b.size} values): compare equal-sized patterns")
    return float(np.mean(a.reshape(-1).astype(np.int32) * b.reshape(-1)))


def overlaps(states, patterns) -> np.ndarray:
    """Overlap of every state with every pattern, shape (n_states, n_patterns); both stacked along
    the first axis (``letters("TLX")``), or one state alone."""
    states, patterns = check_pm1(states, "states"), check_pm1(patterns, "patterns")
    patterns = patterns.reshape(len(patterns), -1) if patterns.ndim > 1 else patterns[None]
    size = patterns.shape[1]
    if states.size % size:
        raise ValueError(f"states have {states.size} values, not a multiple of the {size} in each "
                         "pattern: give patterns stacked along the first axis and states of that size")
    return states.reshape(-1, size).astype(np.float64) @ patterns.T.astype(np.float64) / size


def random_patterns(n_patterns: int, n_neurons: int, seed=None) -> np.ndarray:
    """``n_patterns`` independent random +1/-1 patterns of ``n_neurons`` each (rows)."""
    if int(n_patterns) < 1 or int(n_neurons) < 1:
        raise ValueError(f"need at least one pattern of at least one neuron, got {n_patterns} x {n_neurons}")
    bits = np.random.default_rng(seed).integers(0, 2, size=(int(n_patterns), int(n_neurons)), dtype=np.int8)
    return (2 * bits - 1).astype(np.int8)


def to_text(pattern) -> str:
    """A picture as text ("#" fires, "." silent), for printing small pictures."""
    pattern = check_pm1(pattern)
    if pattern.ndim != 2:
        pattern = pattern.reshape(SIDE, -1) if pattern.size == SIDE * SIDE else pattern.reshape(1, -1)
    return "\n".join("".join("#" if v > 0 else "." for v in row) for row in pattern)
