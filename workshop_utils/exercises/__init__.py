"""Exercises, learntools style: ``q1.check(answer)``, ``q1.hint()``, ``q1.solution()``.

In a notebook::

    from workshop_utils.exercises.hopfield import q1, q2, q3
    ...
    answer = ...
    q1.check(answer)

and right below it::

    # q1.hint()      # uncomment for a hint
    # q1.solution()  # uncomment to see a solution (instructors: run this to show it)

Nothing of the solution is stored in the notebook: its code lives here, in the package, as
text that ``solution()`` displays, and the tests run every solution against its own check.
So the exercise stays open in JupyterLab, in Colab and in GitHub's static view alike, and
*Run all* gives nothing away.

A check never raises: an answer of the wrong kind (a function instead of a model, text
instead of a number, ``None``, NaN, the wrong shape) gets a message that says what kind of
answer is expected. Topic modules (``exercises.hopfield`` and so on) define one plain
``check_*`` function per exercise on top of :func:`check` and the ``as_*`` readers, and one
:class:`Exercise` (``q1``, ``q2``, ...) around each.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

import numpy as np

NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."


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


class WrongKind(ValueError):
    """An answer of the wrong kind; the message says what kind of answer is expected."""


# -- reading answers: the right kind, or a message that says which kind ------------------------
def describe(answer: Any) -> str:
    """A few words on what ``answer`` is, for messages: "the text '5'", "a list of 3 values"."""
    if answer is None:
        return "None (nothing: did the cell assign answer = ..., or end with print(...)?)"
    if isinstance(answer, bool):
        return f"the truth value {answer}"
    if isinstance(answer, str):
        return f"the text {answer!r}"
    if callable(answer) and not hasattr(answer, "count_params"):
        name = getattr(answer, "__name__", type(answer).__name__)
        return f"the function {name} itself (call it, with brackets, to get its result)"
    if isinstance(answer, np.ndarray):
        return f"an array of shape {answer.shape}"
    if isinstance(answer, list | tuple):
        return f"a {type(answer).__name__} of {len(answer)} values"
    if isinstance(answer, Number | np.number):
        return f"the number {answer}"
    return f"a {type(answer).__name__}"


def _numbers(answer: Any, expects: str) -> np.ndarray:
    """``answer`` as a float array, or :class:`WrongKind` saying what ``expects`` means."""
    if answer is None or isinstance(answer, str | bytes | bool | Mapping) or callable(answer):
        if isinstance(answer, str):
            try:
                float(answer.replace(",", ""))
            except ValueError:
                pass
            else:
                raise WrongKind(f"expected {expects}; got the text {answer!r}: "
                                "write the number without quotes")
        raise WrongKind(f"expected {expects}; got {describe(answer)}")
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise WrongKind(f"expected {expects}; got {describe(answer)}, which is not made of numbers") from None
    if array.size and not np.all(np.isfinite(array)):
        raise WrongKind(f"expected {expects}; got NaN or infinity (a calculation went wrong: "
                        "check for a division by zero or a missing value)")
    return array


def as_number(answer: Any, expects: str = "one number") -> float:
    """One finite number (a 1-element array or list counts as one)."""
    array = _numbers(answer, expects)
    if array.size != 1:
        raise WrongKind(f"expected {expects}; got {describe(answer)}")
    return float(array.reshape(-1)[0])


def as_whole_number(answer: Any, expects: str = "a whole number") -> int:
    """One whole number; 6.0 counts as 6, 6.5 does not."""
    value = as_number(answer, expects)
    if value != round(value):
        raise WrongKind(f"expected {expects}; got {value}, which is not whole")
    return int(round(value))


def as_array(answer: Any, shape: tuple[int, ...], expects: str) -> np.ndarray:
    """A float array of exactly ``shape`` (nested lists count)."""
    array = _numbers(answer, expects)
    if array.shape != tuple(shape):
        raise WrongKind(f"expected {expects}; got {describe(answer)}"
                        + ("" if isinstance(answer, np.ndarray) else f" (shape {array.shape})"))
    return array


def as_pair(answer: Any, expects: str = "two numbers (a, b)") -> tuple[float, float]:
    """Two numbers; a tuple, a list or an array of two all count."""
    array = _numbers(answer, expects).reshape(-1) if not np.isscalar(answer) else None
    if array is None or array.size != 2:
        raise WrongKind(f"expected {expects}; got {describe(answer)}")
    return float(array[0]), float(array[1])


def normalise_name(text: str, drop: Iterable[str] = ()) -> str:
    """Lower case, no punctuation, without the filler words ``drop``: "Single linkage" -> "single"."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(w for w in words if w not in set(drop))


def as_choice(answer: Any, choices: Mapping[str, str], expects: str, drop: Iterable[str] = ()) -> str:
    """The canonical name of a choice; ``choices`` maps every accepted spelling to it."""
    if not isinstance(answer, str):
        raise WrongKind(f"expected {expects}; got {describe(answer)}")
    key = normalise_name(answer, drop)
    if key not in choices:
        options = ", ".join(sorted({f'"{v}"' for v in choices.values()}))
        raise WrongKind(f"expected {expects}; {answer!r} is not one of {options}")
    return choices[key]


# -- the verdict -------------------------------------------------------------------------------
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

    End the notebook cell with the call so that Jupyter shows the verdict. ``test`` may raise
    :class:`WrongKind`; its message is shown instead of the hint.

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
        return CheckResult(None, NOT_ANSWERED)
    try:
        correct = bool(test(answer)) if test is not None else _equal(answer, expected, rtol)
    except WrongKind as error:
        return CheckResult(False, f"Not quite: {error}.")
    except (TypeError, ValueError) as error:
        correct = False
        hint = f"{hint} (your answer could not be checked: {error})".strip()
    if correct:
        return CheckResult(True, f"Correct! {explanation}".strip())
    return CheckResult(False, f"Not quite. Hint: {hint}" if hint else "Not quite: try again.")


# -- the learner's side: q1.check(answer), q1.hint(), q1.solution() ---------------------------
class Shown:
    """Text that a notebook displays as Markdown and a terminal prints as plain text."""

    def __init__(self, markdown: str, text: str | None = None):
        self.markdown, self.text = markdown, text if text is not None else markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.text


def _show(shown: Shown) -> None:
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        print(shown.text)
    else:
        display(shown)


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook: its check, its hint and its solution (source code).

    Parameters
    ----------
    name : how the notebook calls it, ``"q1"``.
    title : the exercise's title, as in the notebook's heading.
    checker : the plain ``check_*`` function: ``checker(answer, *context) -> CheckResult``.
    expects : what kind of answer, in words ("one whole number"), for messages.
    hint_text : the hint, in Markdown.
    solution_code : the solution, Python source that ends by assigning ``answer``; it uses
        only names the notebook has defined by then.
    namespace : builds those names as the notebook has them (for the tests, which run
        ``solution_code`` in it and check the ``answer`` it leaves).
    context : names in that namespace passed to ``checker`` after the answer
        (``("evaluation",)`` for ``q3.check(answer, evaluation)``).
    explanation : Markdown shown under the solution.
    """

    name: str
    title: str
    checker: Callable[..., CheckResult]
    expects: str
    hint_text: str
    solution_code: str
    namespace: Callable[[], dict[str, Any]] = field(default=dict, repr=False)
    context: Sequence[str] = ()
    explanation: str = ""

    def check(self, answer: Any, *context: Any) -> CheckResult:
        """Right, or a hint; never an exception, whatever ``answer`` is."""
        try:
            return self.checker(answer, *context)
        except Exception as error:  # noqa: BLE001 - a learner must never see a traceback here
            return CheckResult(False, f"Not quite: this check expects {self.expects} "
                               f"(it could not use {describe(answer)}: {type(error).__name__}: {error}).")

    def hint(self) -> None:
        """Display the hint."""
        _show(Shown(f"**Hint ({self.name}, {self.title}):** {self.hint_text}",
                    f"Hint ({self.name}, {self.title}): {_plain(self.hint_text)}"))

    def solution(self) -> None:
        """Display the solution's code (and why it works)."""
        code = self.solution_code.strip("\n")
        parts = [f"**Solution ({self.name}, {self.title}):**", f"```python\n{code}\n{self._check_line()}\n```"]
        if self.explanation:
            parts.append(self.explanation)
        text = f"Solution ({self.name}, {self.title}):\n{textwrap.indent(code, '    ')}\n" \
               f"    {self._check_line()}" + (f"\n{_plain(self.explanation)}" if self.explanation else "")
        _show(Shown("\n\n".join(parts), text))

    def _check_line(self) -> str:
        return f"{self.name}.check({', '.join(['answer', *self.context])})"

    def run_solution(self) -> tuple[Any, tuple[Any, ...]]:
        """Run the solution as a notebook would; return its ``answer`` and the check's context."""
        names = dict(self.namespace())
        exec(compile(self.solution_code, f"<solution {self.name}>", "exec"), names)  # noqa: S102
        if "answer" not in names:
            raise ValueError(f"the solution of {self.name} does not assign answer")
        return names["answer"], tuple(names[c] for c in self.context)


def _plain(markdown: str) -> str:
    return markdown.replace("**", "").replace("`", "")
