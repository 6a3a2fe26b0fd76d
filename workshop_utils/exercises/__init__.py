"""Exercises, learntools style: ``q1.check(answer)``, ``q1.hint()``, ``q1.solution()``.

The notebook holds the question and ``answer = ...``; checks, hints and solutions live here. A
check never raises: a wrong kind of answer is told what kind is expected, a wrong answer what
differs, never the right value. Topic modules write ``check_*`` functions with :func:`checker`.
"""

import difflib
import functools
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

import numpy as np

NOT_ANSWERED = "Not answered yet: replace the ... with your answer and run the cell again."


@dataclass(frozen=True)
class CheckResult:
    """A verdict that shows as one line; truthy when correct, ``correct`` None when unanswered."""

    correct: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.correct)

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


class WrongKind(ValueError):
    """A wrong answer (or one of the wrong kind); the message says what differs or is expected."""


def checker(explanation: str = "") -> Callable:
    """Make ``test(answer, *context)``, which raises :class:`WrongKind` to reject (and returns ``...``
    for "not answered yet"), a ``check_*`` function that returns a :class:`CheckResult`."""

    def wrap(test: Callable) -> Callable[..., CheckResult]:
        @functools.wraps(test)
        def check_answer(answer: Any, *context: Any, **options: Any) -> CheckResult:
            try:
                if answer is Ellipsis or test(answer, *context, **options) is Ellipsis:
                    return CheckResult(None, NOT_ANSWERED)
            except WrongKind as error:
                return CheckResult(False, f"Not quite: {error}" + "." * (not str(error).endswith("?")))
            return CheckResult(True, f"Correct! {explanation}".strip())

        return check_answer

    return wrap


def describe(answer: Any) -> str:
    """A few words on what ``answer`` is, for messages: "the text '5'", "a list of 3 values"."""
    if answer is None:
        return "None (nothing: did the cell assign answer = ..., or end with print(...)?)"
    if isinstance(answer, bool):
        return f"the truth value {answer}"
    if isinstance(answer, str):
        return f"the text {answer!r}"
    if isinstance(answer, type) or inspect.isroutine(answer):
        return f"the function {getattr(answer, '__name__', '?')} itself (call it, with brackets, to get its result)"
    if isinstance(answer, np.ndarray):
        return f"an array of shape {answer.shape}"
    if isinstance(answer, list | tuple):
        return f"a {type(answer).__name__} of {len(answer)} values"
    if isinstance(answer, Number | np.number):
        return f"the number {answer}"
    return f"a {type(answer).__name__}"


def _numbers(answer: Any, expects: str) -> np.ndarray:
    """``answer`` as a finite float array, or :class:`WrongKind` saying what ``expects`` means."""
    if answer is None or isinstance(answer, str | bytes | bool | Mapping) or callable(answer):
        if isinstance(answer, str) and re.fullmatch(r"\s*[-+]?[\d,]*\.?\d+(e[-+]?\d+)?\s*", answer, re.I):
            raise WrongKind(f"expected {expects}; got the text {answer!r}: write the number without quotes")
        raise WrongKind(f"expected {expects}; got {describe(answer)}")
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise WrongKind(f"expected {expects}; got {describe(answer)}, which is not made of numbers") from None
    if array.size and not np.all(np.isfinite(array)):
        raise WrongKind(f"expected {expects}; got NaN or infinity (a calculation went wrong: a division by 0?)")
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


def as_choice(answer: Any, choices: Mapping[str, str], expects: str, drop: Sequence[str] = ()) -> str:
    """The canonical name of a choice: lower case, no punctuation, without the words ``drop``."""
    if not isinstance(answer, str):
        raise WrongKind(f"expected {expects}; got {describe(answer)}")
    key = " ".join(w for w in re.findall(r"[a-z0-9]+", answer.lower()) if w not in drop)
    if key not in choices:
        raise WrongKind(f"expected {expects}; {answer!r} is not one of them")
    return choices[key]


_SETTINGS = {  # the layer settings that matter, and how a message names them
    "units": lambda v: f"{v} unit" + "s" * (v != 1), "filters": "{} filters".format, "kernel_size": "kernel size {}".format,
    "strides": "strides {}".format, "padding": "padding {!r}".format, "pool_size": "pool size {}".format,
    "activation": lambda v: "no activation" if v == "linear" else f"activation {v!r}",
    "scale": "scale {:.4g}".format,
}
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def layer_settings(model) -> list[tuple[str, dict]]:
    """(kind, settings) of each layer after the input; random augmentation layers count as one."""
    rows: list[tuple[str, dict]] = []
    for layer in model.layers:
        inner = getattr(layer, "layers", [layer])
        kind = "augmentation" if any("Random" in type(x).__name__ for x in inner) else type(layer).__name__
        if kind != "InputLayer" and not (kind == "augmentation" and rows and rows[-1][0] == kind):
            rows.append((kind, {k: v for k, v in layer.get_config().items() if k in _SETTINGS}))
    return rows


def compare_model(answer: Any, build: Callable, whose: str = "the slides'") -> None:
    """Raise :class:`WrongKind` saying what ``answer`` is if not a Keras model, else how it differs
    from the model ``build()`` returns: input shape, layers, their settings, weights."""
    expects = "a Keras model (what keras.Sequential([...]) returns)"
    if isinstance(answer, list) and answer and all(hasattr(a, "get_config") for a in answer):
        raise WrongKind(f"expected {expects}; got a list of layers: wrap it in keras.Sequential([...])")
    if isinstance(answer, type) or not (hasattr(answer, "layers") and hasattr(answer, "count_params")):
        raise WrongKind(f"expected {expects}; got {describe(answer)}")
    try:
        shape = tuple(answer.inputs[0].shape[1:])
    except (AttributeError, IndexError, TypeError, ValueError):
        raise WrongKind("your model has no input yet: start its list with keras.Input(shape=...)") from None
    reference = build()
    wanted = tuple(reference.inputs[0].shape[1:])
    problems = [] if shape == wanted else [f"your model takes inputs of shape {shape}, {whose} {wanted}"]
    mine, theirs = layer_settings(answer), layer_settings(reference)
    kinds, wanted_kinds = [k for k, _ in mine], [k for k, _ in theirs]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, kinds, wanted_kinds, autojunk=False).get_opcodes():
        extra, missing = ", ".join(kinds[i1:i2]), ", ".join(wanted_kinds[j1:j2])
        problems += {"delete": [f"your model has an extra {extra} layer"],
                     "insert": [f"your model has no {missing} layer where {whose} network has one"],
                     "replace": [f"your model has {extra} where {whose} network has {missing}"]}.get(op, [])
    for j, ((kind, got), (_, want)) in enumerate(zip(mine, theirs, strict=True) if kinds == wanted_kinds else ()):
        name = f"{_ORDINALS[wanted_kinds[:j].count(kind)]} {kind}" if wanted_kinds.count(kind) > 1 else kind
        problems += [f"your {name} has {_SETTINGS[k](got.get(k))}, {whose} has {_SETTINGS[k](v)}"
                     for k, v in want.items() if got.get(k) != v]
    if not problems and answer.count_params() != reference.count_params():
        problems.append(f"your model has {answer.count_params():,} weights, {whose} network "
                        f"{reference.count_params():,}")
    if problems:
        raise WrongKind("; ".join(problems))


class _Markdown(str):
    """Text that a notebook renders as Markdown and a terminal prints as it is."""

    _repr_markdown_ = __repr__ = str.__str__


def _show(text: str) -> None:
    from IPython.display import display

    display(_Markdown(text))


@dataclass(frozen=True)
class Exercise:
    """An exercise: its check, hints from the idea towards the code, and a solution's source that
    assigns ``answer``; ``context`` names what the check takes after it (``q3.check(answer, evaluation)``)."""

    name: str
    title: str
    checker: Callable[..., CheckResult]
    expects: str
    hints: Sequence[str]
    solution_code: str
    context: Sequence[str] = ()
    explanation: str = field(default="", repr=False)

    def check(self, answer: Any, *context: Any) -> CheckResult:
        """Right, or what differs; never an exception, whatever ``answer`` is."""
        try:
            return self.checker(answer, *context)
        except Exception as error:  # noqa: BLE001 - a learner must never see a traceback here
            return CheckResult(False, f"Not quite: this check expects {self.expects} "
                               f"(it could not use {describe(answer)}: {type(error).__name__}: {error}).")

    def hint(self, n: int = 1) -> None:
        """Show hint ``n``; each one goes a step further, and none is the solution."""
        last = len(self.hints)
        if not isinstance(n, int) or not 1 <= n <= last:
            return _show(f"{self.name} has hints 1 to {last}: start with `{self.name}.hint()`.")
        after = (f"Next hint: `{self.name}.hint({n + 1})`" if n < last
                 else f"That was the last hint; `{self.name}.solution()` shows a solution")
        _show(f"**Hint {n} of {last} ({self.name}, {self.title}):** {self.hints[n - 1]}\n\n*{after}.*")

    def solution(self) -> None:
        """Show the solution's code, ending with the check that accepts it."""
        check_line = f"{self.name}.check({', '.join(['answer', *self.context])})"
        _show(f"**Solution ({self.name}, {self.title}):**\n\n```python\n{self.solution_code.strip()}\n"
              f"{check_line}\n```" + (f"\n\n{self.explanation}" if self.explanation else ""))
