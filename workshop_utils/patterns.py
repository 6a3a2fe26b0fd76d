"""Patterns for the Hopfield notebook: a 5x5 alphabet, noise, overlap and random patterns.

A pattern is an array of +1 (the neuron fires, a dark pixel) and -1 (it does not, a light
pixel). Pictures keep their 5x5 shape; the network sees them as 25 neurons in reading order.
"""

from __future__ import annotations

import numpy as np

from .seeding import as_rng

#: Side of the alphabet's pictures: 5x5 pictures, 25 neurons.
SIDE = 5

# "#" fires (+1), "." does not (-1). Chosen so that some pairs look alike (E/Z, O/U, T/I)
# and others do not, which the notebook uses to show interference.
_DRAWINGS = {
    "A": ".###. #...# ##### #...# #...#",
    "C": ".#### #.... #.... #.... .####",
    "E": "##### #.... ####. #.... #####",
    "H": "#...# #...# ##### #...# #...#",
    "I": "##### ..#.. ..#.. ..#.. #####",
    "J": "##### ...#. ...#. #..#. .##..",
    "L": "#.... #.... #.... #.... #####",
    "O": ".###. #...# #...# #...# .###.",
    "T": "##### ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# .###.",
    "X": "#...# .#.#. ..#.. .#.#. #...#",
    "Z": "##### ...#. ..#.. .#... #####",
    "plus": "..#.. ..#.. ##### ..#.. ..#..",
    "box": "##### #...# #...# #...# #####",
}


def _parse(drawing: str) -> np.ndarray:
    rows = drawing.split()
    return np.array([[1 if ch == "#" else -1 for ch in row] for row in rows], dtype=np.int8)


_ALPHABET = {name: _parse(drawing) for name, drawing in _DRAWINGS.items()}

#: The names of the pictures in :func:`letter`, letters first, then shapes.
NAMES: tuple[str, ...] = tuple(_ALPHABET)


def letter(name: str) -> np.ndarray:
    """The 5x5 picture called ``name`` (a fresh copy, so changing it changes nothing else)."""
    key = name if name in _ALPHABET else str(name).upper()
    if key not in _ALPHABET:
        raise ValueError(f"no picture called {name!r}; choose one of {', '.join(NAMES)}")
    return _ALPHABET[key].copy()


def letters(names) -> np.ndarray:
    """Several pictures stacked into one array of shape (len(names), 5, 5); "TLC" works too."""
    names = list(names)
    if not names:
        raise ValueError("no picture names given: pass e.g. 'TLC' or ['T', 'plus']")
    return np.stack([letter(name) for name in names])


def check_pm1(values, what: str = "pattern") -> np.ndarray:
    """Return ``values`` as an int8 array after checking it holds only +1 and -1.

    The error names the first bad value and its position (in reading order), since 0/1
    pictures are the most common slip.
    """
    array = np.asarray(values)
    if array.size == 0:
        raise ValueError(f"the {what} is empty: give at least one +1/-1 value")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"expected a {what} of +1/-1 numbers, got values of type {array.dtype}")
    bad = np.flatnonzero((array != 1) & (array != -1))
    if bad.size:
        position = int(bad[0])
        value = array.reshape(-1)[position]
        value = value.item() if hasattr(value, "item") else value
        raise ValueError(
            f"expected +1/-1 values in the {what}, got {value!r} at position {position}"
            " (pictures use +1 for 'fires' and -1 for 'silent'; 0/1 data: use 2*x - 1)"
        )
    return array.astype(np.int8)


def add_noise(pattern, fraction: float, seed=None) -> np.ndarray:
    """A copy of ``pattern`` with ``round(fraction * size)`` pixels flipped, chosen at random.

    Flipping an exact number of pixels (rather than each with a probability) makes "10 %
    noise" mean the same thing every time, as in the capacity experiment.

    Parameters
    ----------
    pattern : array of +1/-1, any shape (the copy keeps it).
    fraction : share of pixels to flip, from 0 to 1.
    seed : int, None or numpy Generator choosing which pixels flip.
    """
    pattern = check_pm1(pattern)
    if not 0.0 <= float(fraction) <= 1.0:
        raise ValueError(f"fraction must be between 0 and 1 (0.1 flips 10 % of pixels), got {fraction}")
    noisy = pattern.reshape(-1).copy()
    n_flip = int(round(float(fraction) * noisy.size))
    flip = as_rng(seed).choice(noisy.size, size=n_flip, replace=False)
    noisy[flip] *= -1
    return noisy.reshape(pattern.shape)


def overlap(a, b) -> float:
    """How alike two patterns are: 1 identical, 0 unrelated, -1 one is the other inverted.

    It is the mean of ``a_i * b_i``, i.e. 1 - 2 * (share of pixels that differ).
    """
    a = check_pm1(a, "first pattern")
    b = check_pm1(b, "second pattern")
    if a.size != b.size:
        raise ValueError(f"patterns differ in size ({a.size} and {b.size} values): compare equal-sized patterns")
    return float(np.mean(a.reshape(-1).astype(np.int32) * b.reshape(-1)))


def overlaps(states, patterns) -> np.ndarray:
    """Overlap of every state with every pattern: an array of shape (n_states, n_patterns).

    ``patterns`` are stacked along the first axis (e.g. ``letters("TLX")``); ``states`` is
    one state of the same size as a pattern (any shape) or several stacked the same way.
    """
    states = check_pm1(states, "states")
    patterns = check_pm1(patterns, "patterns")
    if patterns.ndim == 1:
        patterns = patterns[None]
    size = patterns[0].size
    if states.size % size:
        raise ValueError(
            f"states have {states.size} values, not a multiple of the {size} in each pattern:"
            " give patterns stacked along the first axis and states of the same size"
        )
    p = patterns.reshape(len(patterns), size).astype(np.float64)
    s = states.reshape(-1, size).astype(np.float64)
    return s @ p.T / size


def random_patterns(n_patterns: int, n_neurons: int, seed=None) -> np.ndarray:
    """``n_patterns`` independent random +1/-1 patterns of ``n_neurons`` each (rows), seeded."""
    if int(n_patterns) < 1 or int(n_neurons) < 1:
        raise ValueError(
            f"need at least one pattern of at least one neuron, got {n_patterns} x {n_neurons}"
        )
    bits = as_rng(seed).integers(0, 2, size=(int(n_patterns), int(n_neurons)), dtype=np.int8)
    return (2 * bits - 1).astype(np.int8)


def random_pictures(n_pictures: int, seed=None) -> np.ndarray:
    """Random 5x5 pictures, shape (n_pictures, 5, 5): uncorrelated, unlike letters."""
    return random_patterns(n_pictures, SIDE * SIDE, seed).reshape(-1, SIDE, SIDE)


def to_text(pattern) -> str:
    """A picture as text ("#" fires, "." silent), handy for printing small pictures."""
    pattern = check_pm1(pattern)
    if pattern.ndim != 2:
        pattern = pattern.reshape(SIDE, -1) if pattern.size == SIDE * SIDE else pattern.reshape(1, -1)
    return "\n".join("".join("#" if v > 0 else "." for v in row) for row in pattern)
