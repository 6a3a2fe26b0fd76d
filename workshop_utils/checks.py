"""Argument checks shared by every module, so every refusal reads the same way.

``integer(2.5, "n_neurons", low=1)`` raises ``ValueError("n_neurons must be a positive integer,
got 2.5")``: what was expected, what came.
"""

import numpy as np


def integer(value: object, name: str, *, low: int | None = None, high: int | None = None,
            none_ok: bool = False, note: str = "") -> int | None:
    """``value`` as an ``int`` within ``[low, high]`` (booleans are not counts); ``note`` says why."""
    if value is None and none_ok:
        return None
    if (isinstance(value, bool) or not isinstance(value, int | np.integer)
            or (low is not None and value < low) or (high is not None and value > high)):
        if high is not None:
            kind = f"an integer from {low} to {high}" if low is not None else f"an integer <= {high}"
        else:
            kind = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}.get(
                low, f"an integer of at least {low}")
        raise ValueError(f"{name} must be {kind}{f' ({note})' if note else ''}"
                         f"{' or None' if none_ok else ''}, got {value!r}")
    return int(value)


def positive_number(value: object, name: str, *, none_ok: bool = False) -> float | None:
    """``value`` as a finite ``float`` above 0, else ValueError naming ``name``."""
    if value is None and none_ok:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not (np.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive number{' or None' if none_ok else ''}, "
                         f"got {value!r}")
    return number


def fraction(value: object, name: str) -> float:
    """``value`` as a ``float`` in ``[0, 1)`` (a rate such as dropout), else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)
