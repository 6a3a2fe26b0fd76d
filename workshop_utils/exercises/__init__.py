"""Exercise checks: say whether an answer is right, and give a hint when it is not.

Convention used in every notebook:

* the exercise cell holds ``answer = ...`` and a call such as ``check_inverted(answer)``;
  with the ``...`` still in place the check says how to start instead of failing;
* the solution is the next code cell, tagged ``solution`` in its metadata and collapsed
  (``"jupyter": {"source_hidden": true}``); ``student-copy`` removes those cells.

Topic modules (``exercises.hopfield`` and so on) define one ``check_*`` function per
exercise on top of :func:`check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CheckResult:
    """What a check found; displays as one friendly line and is truthy when correct."""

    correct: bool | None  # None: not answered yet
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message


def _equal(answer: Any, expected: Any, rtol: float) -> bool:
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.strip().lower()
    if isinstance(expected, bool):
        return answer is expected or answer == expected
    try:
        a = np.asarray(answer, dtype=float)
        e = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return answer == expected
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=0.0))


def check(
    answer: Any,
    expected: Any = None,
    *,
    test: Callable[[Any], bool] | None = None,
    hint: str = "",
    explanation: str = "",
    rtol: float = 1e-6,
) -> CheckResult:
    """Compare ``answer`` with ``expected`` (or pass it to ``test``); the result displays the verdict.

    End the notebook cell with the call so that Jupyter shows the verdict.

    Parameters
    ----------
    answer : the learner's answer; ``...`` means "not answered yet".
    expected : the right value (numbers compare with ``rtol``, strings ignore case).
    test : a predicate instead of ``expected``, for answers with many right forms.
    hint : shown when the answer is wrong.
    explanation : shown when the answer is right, to close the loop.
    """
    if (expected is None) == (test is None):
        raise ValueError("give exactly one of expected= or test=")
    if answer is Ellipsis:
        result = CheckResult(None, "Not answered yet: replace the ... with your answer and run the cell again.")
    else:
        try:
            correct = bool(test(answer)) if test is not None else _equal(answer, expected, rtol)
        except (TypeError, ValueError) as error:
            correct = False
            hint = f"{hint} (your answer could not be checked: {error})".strip()
        if correct:
            result = CheckResult(True, f"Correct! {explanation}".strip())
        else:
            result = CheckResult(False, f"Not quite. Hint: {hint}" if hint else "Not quite: try again.")
    return result
