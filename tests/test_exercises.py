"""The exercises: every solution passes its check; every wrong answer is told what differs, never
the right value; no hint is the solution; and no answer, of any kind, makes a check crash.

The names each notebook has defined when its exercises start are built here (``namespace``), and
each solution's source runs in them as it would in the notebook.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils import regression, weather
from workshop_utils.exercises import (
    NOT_ANSWERED,
    CheckResult,
    Exercise,
    WrongKind,
    as_array,
    as_choice,
    as_number,
    as_whole_number,
    checker,
)
from workshop_utils.exercises import clustering as ex_clustering
from workshop_utils.exercises import hopfield as ex_hopfield
from workshop_utils.exercises import regression as ex_regression
from workshop_utils.exercises import weather as ex_weather
from workshop_utils.hopfield import HopfieldNetwork
from workshop_utils.patterns import letter, letters, overlap
from workshop_utils.sales import load_sales

MODULES = {"hopfield": ex_hopfield, "clustering": ex_clustering, "regression": ex_regression,
           "weather": ex_weather}
ALL = {f"{topic}.{q}": getattr(module, q) for topic, module in MODULES.items()
       for q in ("q1", "q2", "q3", "q4") if hasattr(module, q)}
KERAS = {"regression.q3", "weather.q2"}  # their checks and solutions build Keras models
QUICK = {name: q for name, q in ALL.items() if name not in KERAS}
RIGHT = {  # the right answer of every exercise whose answer is a value
    "hopfield.q3": -1.0, "hopfield.q4": 6, "clustering.q1": 5, "clustering.q2": "single",
    "clustering.q3": 49_995_000, "regression.q4": 16, "weather.q1": 8_000_200,
}


def example_evaluation(seed: int = 3, n: int = 40) -> weather.Evaluation:
    """A made-up evaluation (random probabilities), to check q3 without training."""
    rng = np.random.default_rng(seed)
    return weather.Evaluation(rng.integers(0, 4, n), rng.dirichlet(np.ones(4), n), tuple(weather.CLASSES))


def namespace(name: str) -> dict:
    """The names the notebook has defined when exercise ``name`` ("hopfield.q1") starts."""
    topic = name.split(".")[0]
    if topic == "hopfield":
        return {"np": np, "stored": "HTX", "net": HopfieldNetwork(25).train(letters("HTX")), "T": letter("T"),
                "overlap": overlap, "letters": letters, "HopfieldNetwork": HopfieldNetwork,
                "LETTER_ORDER": ex_hopfield.LETTER_ORDER}
    names = {"np": np}
    if topic == "regression":
        sales = load_sales()
        names.update(x=sales["price"], y=sales["sales"], regression=regression)
        names["w0"], names["w1"] = regression.fit_line(names["x"], names["y"])
    if name in KERAS:
        from workshop_utils.models import import_keras

        names["keras"] = import_keras()
    if topic == "weather":
        names.update(weather=weather, evaluation=example_evaluation(), IMAGE_SIZE=(100, 100))
        if name in KERAS:
            names["augmentation"] = weather.make_augmentation(seed=0)
    return names


def run_solution(name: str):
    """Run exercise ``name``'s solution as the notebook would; its answer and the check's context."""
    q, names = ALL[name], namespace(name)
    exec(compile(q.solution_code, f"<solution {name}>", "exec"), names)  # noqa: S102
    return names["answer"], tuple(names[c] for c in q.context)


def context(name: str) -> tuple:
    return tuple(namespace(name)[c] for c in ALL[name].context) if ALL[name].context else ()


def shown(q: Exercise, method: str, *args, capsys) -> str:
    getattr(q, method)(*args)
    return capsys.readouterr().out


# -- the machinery ------------------------------------------------------------------------------
def test_checker_turns_a_test_into_a_verdict():
    @checker("Well done.")
    def check_three(value):
        if value == "later":
            return ...
        if as_number(value) != 3:
            raise WrongKind("that is not three")

    assert check_three(...).correct is None and str(check_three(...)) == NOT_ANSWERED
    assert check_three("later").correct is None
    assert check_three(3) and str(check_three(3.0)) == "Correct! Well done."
    assert str(check_three(4)) == "Not quite: that is not three." and not check_three(4)
    assert str(check_three("x")) == "Not quite: expected one number; got the text 'x'."


def test_readers_accept_the_equivalent_forms():
    assert as_number(np.float32(2.5)) == 2.5 and as_number([2.5]) == 2.5
    assert as_number(np.array([[2.5]])) == 2.5
    assert as_whole_number(6.0) == 6 and as_whole_number(np.int64(6)) == 6
    assert as_array([1, 2], (2,), "two").tolist() == as_array((1, 2), (2,), "two").tolist() == [1.0, 2.0]
    assert as_array([[1, 0], [0, 1]], (2, 2), "a 2x2 matrix").shape == (2, 2)
    names = {"single": "single"}
    assert as_choice("Single linkage", names, "a name", drop=["linkage"]) == "single"
    assert as_choice(" SINGLE. ", names, "a name") == "single"


@pytest.mark.parametrize(("answer", "words"), [
    (None, "None"),
    ("5", "without quotes"),
    ("49,995,000", "without quotes"),
    ("five", "the text 'five'"),
    (float("nan"), "NaN"),
    (math.inf, "NaN or infinity"),
    (len, "the function len"),
    ([1, 2, 3], "a list of 3 values"),
    (True, "truth value"),
    ({"a": 1}, "dict"),
    (object(), "object"),
])
def test_as_number_says_what_it_got(answer, words):
    with pytest.raises(WrongKind, match="expected one number") as error:
        as_number(answer)
    assert words in str(error.value)


def test_other_readers_say_what_they_expect():
    with pytest.raises(WrongKind, match=r"not whole"):
        as_whole_number(6.5)
    with pytest.raises(WrongKind, match=r"shape \(3, 3\)"):
        as_array(np.zeros((3, 3)), (4, 4), "a 4x4 matrix")
    with pytest.raises(WrongKind, match=r"a list of 3 values \(shape \(3,\)\)"):
        as_array([1, 2, 3], (2,), "two numbers")
    with pytest.raises(WrongKind, match="is not one of them"):
        as_choice("nearest-ish", {"single": "single"}, "a name")
    with pytest.raises(WrongKind, match="the number 1"):
        as_choice(1, {"single": "single"}, "a name")


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_any_finite_number_reads_back(value):
    assert as_number(value) == value and as_number([value]) == value


def test_the_last_resort_turns_a_crash_into_a_message():
    def broken(answer):
        raise KeyError("oops")

    q = Exercise("q9", "broken", broken, expects="a number", hints=("h",), solution_code="answer = 1")
    result = q.check(3)
    assert result.correct is False and "expects a number" in str(result) and "KeyError" in str(result)


# -- every exercise: solution, hints, display -------------------------------------------------------
@pytest.mark.parametrize("name", sorted(QUICK))
def test_every_solution_passes_its_check(name):
    answer, ctx = run_solution(name)
    result = ALL[name].check(answer, *ctx)
    assert result.correct is True, f"{name}: the package's solution fails its own check: {result}"
    assert str(result).startswith("Correct!")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(KERAS))
def test_every_keras_solution_passes_its_check(name):
    pytest.importorskip("keras")
    answer, ctx = run_solution(name)
    assert ALL[name].check(answer, *ctx).correct is True, ALL[name].check(answer, *ctx)


@pytest.mark.parametrize("name", sorted(ALL))
def test_hints_go_step_by_step_and_say_how_to_get_the_next(name, capsys):
    q = ALL[name]
    assert 2 <= len(q.hints) <= 3, f"{name}: {len(q.hints)} hints"
    first = shown(q, "hint", capsys=capsys)
    assert f"Hint 1 of {len(q.hints)} ({q.name}" in first and f"{q.name}.hint(2)" in first
    assert q.hints[0] in first
    last = shown(q, "hint", len(q.hints), capsys=capsys)
    assert q.hints[-1] in last and f"{q.name}.solution()" in last
    for wrong in (0, len(q.hints) + 1, "2"):
        assert f"has hints 1 to {len(q.hints)}" in shown(q, "hint", wrong, capsys=capsys)


TRIVIAL = re.compile(r"def .*|return \w+|answer = \w+|\w+|print\(.*|[\[\]()]+")


def _code_lines(source: str) -> list[str]:
    """The solution's lines that carry its content (comments, ``def``, ``return W`` and the like dropped)."""
    lines = (line.split("#")[0].strip().rstrip(",") for line in source.splitlines())
    return [line for line in lines if line and not TRIVIAL.fullmatch(line)]


@pytest.mark.parametrize("name", sorted(ALL))
def test_no_hint_is_the_solution(name):
    q = ALL[name]
    hints = " ".join(q.hints).replace("`", "")
    for line in _code_lines(q.solution_code):
        assert line not in hints, f"{name}: a hint holds the solution's line {line!r}"
    if name in RIGHT:
        assert not _reveals(hints, RIGHT[name]), f"{name}: a hint holds the right answer"


@pytest.mark.parametrize("name", sorted(ALL))
def test_hint_and_solution_display_without_a_verdict(name, capsys):
    q = ALL[name]
    text = shown(q, "hint", capsys=capsys) + shown(q, "solution", capsys=capsys)
    assert f"Solution ({q.name}" in text and q.solution_code.strip().splitlines()[-1] in text
    assert f"{q.name}.check({', '.join(['answer', *q.context])})" in text
    assert "Correct" not in text  # the solution is shown, not run


def test_solution_displays_as_markdown_code_in_a_notebook(monkeypatch):
    seen = []
    monkeypatch.setattr("IPython.display.display", seen.append)
    ex_clustering.q3.solution()
    [text] = seen
    assert "```python\nn = 10_000\nanswer = n * (n - 1) // 2\nq3.check(answer)\n```" in text._repr_markdown_()


@pytest.mark.parametrize("name", sorted(ALL))
def test_unanswered_exercises_say_how_to_start(name):
    assert ALL[name].check(..., *context(name)).message == NOT_ANSWERED


@pytest.mark.parametrize("name", ["hopfield.q1", "hopfield.q2"])
def test_a_function_still_returning_dots_is_not_answered_yet(name):
    q = ALL[name]
    assert q.check(lambda *args: ...).message == NOT_ANSWERED


WRONG_KINDS = [None, float("nan"), "5", "five", len, lambda x: x, [1, 2, 3], (1,), [[1, 2], [3, 4]],
               np.zeros((3, 3)), {"answer": 1}, True, object(), -1e300, np.array([]), ["a", "b"]]


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("answer", WRONG_KINDS, ids=repr)
def test_wrong_kinds_get_a_message_not_a_traceback(name, answer):
    result = ALL[name].check(answer, *context(name))
    assert isinstance(result, CheckResult) and result.correct is False
    assert str(result).startswith("Not quite")
    assert "could not use" not in str(result), f"{name}: fell through to the last-resort message: {result}"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(QUICK)), st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.lists(st.floats(), max_size=5), st.tuples(st.integers(), st.integers()),
    st.lists(st.lists(st.integers(-3, 3), min_size=4, max_size=4), min_size=4, max_size=4),
))
def test_no_answer_makes_a_check_raise(name, answer):
    result = QUICK[name].check(answer, *context(name))
    assert isinstance(result, CheckResult) and result.correct in (True, False)
    assert str(result).startswith(("Correct!", "Not quite"))


# -- wrong answers: each is told what differs, and never the right value -----------------------------
def _reveals(message: str, right) -> bool:
    """Whether ``message`` holds the right value (a number in any usual spelling, or a name)."""
    if isinstance(right, str):
        return re.search(rf"\b{right}\b", message, re.IGNORECASE) is not None
    spellings = {f"{right:g}", f"{right:,}", str(right)} | ({f"{right:.0f}"} if right == int(right) else set())
    return any(re.search(rf"(?<![\d.,]){re.escape(s)}(?!\d|[.,]\d)", message) for s in spellings)


def _verdict(name, answer, words, ctx=None):
    result = ALL[name].check(answer, *(context(name) if ctx is None else ctx))
    assert result.correct is False, f"{name}: {answer!r} passed: {result}"
    for word in [words] if isinstance(words, str) else words:
        assert word in str(result), f"{name}: {answer!r} got {result!s}; expected it to say {word!r}"
    return str(result)


def _hebb(patterns):
    w = sum(np.outer(v, v) for v in patterns).astype(float)
    np.fill_diagonal(w, 0)
    return w


def _triu(patterns):
    return np.triu(_hebb(patterns))


def _last_only(patterns):
    return _hebb(patterns[-1:])


def _raises(patterns):
    raise ValueError("my bug")


HEBB_WRONG = [
    (lambda p: p.T @ p, "your W has a non-zero diagonal"),
    (lambda p: p @ p.T, "got an array of shape (3, 3)"),
    (lambda p: -_hebb(p), "your W has the opposite sign"),
    (lambda p: -(p.T @ p), ["non-zero diagonal", "opposite sign"]),
    (_last_only, "one pattern only"),
    (lambda p: _hebb(p) / len(p), "your W[0, 1] = 0.333333 is not the sum of V_0 V_1"),
    (_triu, "not symmetric"),
    (lambda p: np.zeros((p.shape[1],) * 2), "your W[0, 1] = 0"),
    (lambda p: None, "got None"),
    (_raises, "your function raised ValueError: my bug"),
    (len, "got the number 3"),
    (_hebb(ex_hopfield.HEBB_CASES[next(iter(ex_hopfield.HEBB_CASES))]), "expected the function itself"),
    ("hebb", "expected the function itself (its name, without brackets); got the text 'hebb'"),
    (lambda p: _hebb(p)[:, :-1], "shape (4, 3)"),
]


@pytest.mark.parametrize(("answer", "words"), HEBB_WRONG)
def test_hopfield_q1_names_what_differs_in_your_hebb(answer, words):
    message = _verdict("hopfield.q1", answer, words)
    for patterns in ex_hopfield.HEBB_CASES.values():
        right = _hebb(patterns).astype(int)
        assert str(right.tolist()) not in message and not any(str(row) in message for row in right.tolist())
    assert "np.outer" not in message and "fill_diagonal" not in message


def test_hopfield_q1_accepts_any_equivalent_function():
    q = ex_hopfield.q1
    assert q.check(_hebb) and q.check(lambda p: _hebb(p).astype(int).tolist())
    assert q.check(lambda p: HopfieldNetwork(p.shape[1]).train(p).weights)


def _step(w, v):
    h = w @ v
    return np.where(h == 0, v, np.sign(h))


STEP_WRONG = [
    (lambda w, v: np.sign(w @ v), "where the excitation is exactly 0 your step gives 0"),
    (lambda w, v: np.where(w @ v >= 0, 1, -1), "your step gives +1; in a tie a neuron keeps its current state"),
    (lambda w, v: np.where(w @ v > 0, 1, -1), "your step gives -1; in a tie"),
    (lambda w, v: np.where(w @ v == 0, -v, np.sign(w @ v)), "your step gives a new state"),
    (lambda w, v: w @ v, "your new state holds"),
    (lambda w, v: -_step(w, v), "does not follow the sign of the excitation"),
    (lambda w, v: v, "at neuron(s)"),
    (lambda v: v, "raised TypeError"),
    (lambda w, v: None, "got None"),
    (lambda w, v: _step(w, v)[None], "shape (1, 25)"),
    (np.ones(25), "expected the function itself"),
    (lambda w, v: _step(w, v)[:-1], "a new state of 25 values"),
]


@pytest.mark.parametrize(("answer", "words"), STEP_WRONG)
def test_hopfield_q2_names_what_differs_in_your_recall_step(answer, words):
    message = _verdict("hopfield.q2", answer, words)
    for net, v in ex_hopfield.STEP_CASES.values():
        assert str(net.recall(v, mode="sync", max_sweeps=1).tolist()) not in message
    assert "np.where" not in message and "np.sign" not in message


def test_hopfield_q2_accepts_any_equivalent_step():
    q = ex_hopfield.q2
    assert q.check(_step) and q.check(lambda w, v: list(_step(w, v)))

    def loop(w, v):
        new = v.copy()
        for i, h in enumerate(w @ v):
            new[i] = 1 if h > 0 else -1 if h < 0 else v[i]
        return new

    assert q.check(loop)


VALUE_WRONG = {
    "hopfield.q3": [
        (1, "went back to T itself"), (0.5, "cannot be an overlap"), (3, "too big for an overlap"),
        (0.2, "10 of the 25 pixels differ"), (-0.04, "13 of the 25 pixels"), (0.04, "12 of the 25"),
        (-0.92, "24 of the 25"), (None, "got None"), (-letter("T"), "got an array of shape (5, 5)"),
        ([1, -1], "a list of 2 values"), (float("nan"), "NaN"), ("T", "the text 'T'"),
    ],
    "hopfield.q4": [
        (5, "with HTXLO stored, every one of them is still stable"), (4, "still stable"), (1, "still stable"),
        (3, "HTX stored"), (7, "one is unstable, but is it the first count"), (8, "HTXLOCEZ"),
        (0, "LETTER_ORDER has 8 letters"), (9, "LETTER_ORDER has 8"), (-1, "between 1 and that"),
        ("C", "the text 'C'"), (6.5, "not whole"), (None, "None"),
    ],
    "clustering.q1": [
        (4, "a cut into 4 segments passes between the merges at"), (6, "a cut into 6 segments"),
        (2, "find where they are longest"), (3, "3 segments"), (7, "7 segments"), (1, "no cut at all"),
        (0, "at least one segment"), (30, "nearly one per customer"), (200, "cut higher"),
        (5.5, "not whole"), (None, "None"), ("five", "the text 'five'"),
    ],
    "clustering.q2": [
        ("ward", "with ward linkage the largest of the 5 segments holds"), ("Ward's method", "ward linkage"),
        ("complete", "complete linkage"), ("maximum", "complete linkage"), ("average linkage", "average"),
        ("UPGMA", "average linkage"), ("furthest", "swallows most"), ("k-means", "is not one of them"),
        ("centroid", "section 5's linkage methods"), (1, "got the number 1"), (None, "None"),
        (["single"], "got a list"),
    ],
    "clustering.q3": [
        (10_000**2, "pairs each customer with itself too"), (10_000 * 9_999, "counts each pair twice"),
        (10_000**2 // 2, "n²/2"), (10_000 * 10_001 // 2, "includes each customer paired with itself"),
        (49_995_000 * 8, "memory in bytes"), (100, "100 is not the number of pairs"),
        (10_000, "pairs of two different customers"), (49_995_000.5, "not whole"), (None, "None"),
        (5e7, "n²/2"), ([1, 2], "a list of 2 values"), ("many", "the text 'many'"),
    ],
    "regression.q4": [
        (9, "2-2-1 network of the slides"), (12, "edges without any bias"), (13, "one bias, where every"),
        (15, "leaves out one node's bias"), (4, "the output node alone"), (20, "is not the 3 hidden nodes'"),
        (0, "count each node's incoming edges"), (16.5, "not whole"), (None, "None"),
        ("sixteen", "the text"), ([3, 3, 1], "a list of 3 values"), (-3, "is not the 3 hidden"),
    ],
    "weather.q1": [
        (8_000_000, "no biases"), (32_000_200, "before the pooling"), (32_000_000, "leaves out the biases"),
        (40_000, "number of inputs"), (8_006_524, "the whole network"), (123, "for any whole number of inputs"),
        (1_000_200, "would mean 5,000 inputs per neuron"), (200, "for any whole number"),
        (8_000_200.5, "not whole"), (None, "None"), ("many", "the text"), ([1, 2], "a list of 2 values"),
    ],
}


@pytest.mark.parametrize(("name", "answer", "words"),
                         [(name, answer, words) for name, cases in VALUE_WRONG.items() for answer, words in cases],
                         ids=lambda x: repr(x)[:30])
def test_wrong_values_are_told_what_differs_and_never_the_right_one(name, answer, words):
    message = _verdict(name, answer, words)
    assert not _reveals(message, RIGHT[name]), f"{name}: {message!r} gives the right answer away"


def test_right_values_in_every_equivalent_form():
    assert ex_hopfield.first_breakdown() == 6
    for name, right in RIGHT.items():
        forms = [right, " SINGLE linkage", "nearest neighbour"] if isinstance(right, str) else \
            [right, float(right), np.array([right]), [right]]
        for form in forms:
            assert ALL[name].check(form), (name, form)


def test_regression_q1_prediction():
    q = ex_regression.q1
    w0, w1 = regression.fit_line(*ex_regression._sales())
    right = w0 + w1 * 4.5
    assert q.check(right) and q.check(round(right)) and q.check(np.array([right]))
    cases = [
        (w0 + w1 * 3.5, "£3.50"), (w0 - w1 * 4.5, "check the sign"), (w0 * 4.5 + w1, "intercept"),
        (0, "predicts 0 units a week at a price of £6.03"), (100, "at a price of £1.02, not at £4.50"),
        (-50, "predicts -50 units"), ((w0, w1), "a tuple of 2 values"), (None, "None"),
        ("30", "without quotes"), (float("nan"), "NaN"), ([1, 2], "a list of 2 values"),
    ]
    for answer, words in cases:
        message = _verdict("regression.q1", answer, words)
        assert not _reveals(message, round(right)) and not _reveals(message, round(right, 1))


def test_regression_q2_hand_fit():
    q = ex_regression.q2
    xy = ex_regression._sales()
    best = regression.fit_line(*xy)
    assert q.check(best) and q.check(list(best)) and q.check(np.array(best))

    class Explorer:
        weights = best

    near = next((round(best[0]) + d, round(best[1])) for d in range(60)
                if 70 <= regression.line_loss(*xy, round(best[0]) + d, round(best[1])) < 140)
    cases = [
        ((40, 10), ["w1 is positive", f"is {regression.line_loss(*xy, 40, 10):.1f}, above 70"]),
        (near, "explorer.weights, which reads the sliders exactly"),
        ((0, 0), "is 4352.8, above 70"), ((200, -20), "move along the valley"),
        ((120, -10), "above 70"), ("120, -20", "the text '120, -20'"), ((120, -20, 3), "a tuple of 3 values"),
        (Explorer(), "that is the explorer itself"), (None, "None"), ((float("nan"), 1), "NaN"),
        ([[120, -20]], "shape (1, 2)"), (120, "the number 120"),
    ]
    for answer, words in cases:
        message = _verdict("regression.q2", answer, words)
        assert f"{best[0]:.1f}" not in message and f"{best[1]:.1f}" not in message


def test_weather_q3_good_bad():
    q = ex_weather.q3
    evaluation = example_evaluation()
    good = np.isin(evaluation.y_true, [2, 3]) == np.isin(evaluation.y_pred, [2, 3])
    right = float(good.mean())
    assert evaluation.accuracy != right  # the made-up evaluation tells the two apart
    assert q.check(right, evaluation) and q.check(100 * right, evaluation) and q.check(np.float32(right), evaluation)
    cases = [
        (evaluation.accuracy, "four-class accuracy"), (1 - right, "share of mistakes"),
        (250, "between 0 and 1"), (-0.1, "between 0 and 1"), (right + 0.1, "is not the share of the 40"),
        (0.0, "both good or both bad"), (good, "got an array of shape (40,)"), (None, "None"),
        ("0.8", "without quotes"), ([right, right], "a list of 2 values"),
    ]
    for answer, words in cases:
        message = _verdict("weather.q3", answer, words, (evaluation,))
        assert f"{right:.3g}" not in message and f"{right:.0%}" not in message
    for missing in [(), ("evaluation",)]:
        assert "needs the evaluation as well" in str(q.check(right, *missing))


def test_exercises_do_not_import_tensorflow():
    code = ("import sys\nfrom workshop_utils.exercises.weather import q1, q2, q3\n"
            "from workshop_utils.exercises.regression import q3 as r3\n"
            "q1.check(8_000_200); q2.check(None); q2.check(len); r3.check([1]); r3.check('model')\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the Keras exercises: models are small and never trained -------------------------------------------
@pytest.fixture(scope="module")
def keras():
    pytest.importorskip("keras")
    from workshop_utils.models import import_keras

    return import_keras()


def _slides_221(keras, *hidden_and_output, shape=(2,)):
    layers = hidden_and_output or (keras.layers.Dense(2, activation="sigmoid"), keras.layers.Dense(1))
    return keras.Sequential([keras.Input(shape=shape), *layers])


@pytest.mark.slow
def test_regression_q3_accepts_the_slides_network_in_any_form(keras):
    q, dense = ex_regression.q3, keras.layers.Dense
    assert q.check(_slides_221(keras))
    x = keras.Input((2,))
    assert q.check(keras.Model(x, dense(1)(dense(2, activation="sigmoid")(x))))  # functional
    assert q.check(keras.Sequential([keras.layers.Input(shape=(2,)), dense(2, activation=keras.activations.sigmoid),
                                     dense(units=1, activation=None)]))


@pytest.mark.slow
def test_regression_q3_names_what_differs_from_the_slides_network(keras):
    dense = keras.layers.Dense
    cases = [
        (_slides_221(keras, dense(2, activation="relu"), dense(1)),
         "your first Dense has activation 'relu', the slides' has activation 'sigmoid'"),
        (_slides_221(keras, dense(3, activation="sigmoid"), dense(1)), "your first Dense has 3 units, the slides' has 2"),
        (_slides_221(keras, dense(2, activation="sigmoid"), dense(1, activation="sigmoid")),
         "your second Dense has activation 'sigmoid', the slides' has no activation"),
        (_slides_221(keras, dense(2, activation="sigmoid"), dense(2)), "your second Dense has 2 units, the slides' has 1 unit"),
        (_slides_221(keras, shape=(3,)), "your model takes inputs of shape (3,), the slides' (2,)"),
        (_slides_221(keras, dense(2, activation="sigmoid"), dense(2, activation="sigmoid"), dense(1)),
         "your model has an extra Dense layer"),
        (_slides_221(keras, dense(1)), "your model has no Dense layer where the slides' network has one"),
        (_slides_221(keras, dense(2, activation="sigmoid", use_bias=False), dense(1)),
         "your model has 7 weights, the slides' network 9"),
        (_slides_221(keras, keras.layers.Flatten(), dense(2, activation="sigmoid"), dense(1)), "extra Flatten"),
        (keras.Sequential([dense(2, activation="sigmoid"), dense(1)]), "your model has no input yet"),
        ([dense(2), dense(1)], "got a list of layers: wrap it in keras.Sequential"),
        (dense(2), "got a Dense"),
        (keras.Sequential, "the function Sequential itself"),
        (ex_regression.q3.check, "the function check itself"),
        (keras.callbacks.History(), "got a History"),
        ("keras.Sequential([...])", "the text"),
    ]
    for answer, words in cases:
        message = _verdict("regression.q3", answer, words, ())
        assert "Dense(2, activation" not in message and "Input(shape=(2,))" not in message


def _cnn(keras, size=8, augment=True, rescale=True, conv1=(32, 3, "relu", "same"),
         conv2=(16, 3, "relu", "same"), pool=2, dense=(200, "relu"), dropout=False, out="softmax", n=4):
    """A weather CNN like the slides' (without dropout unless asked), with one setting changed."""
    layers = keras.layers
    stack = [keras.Input(shape=(size, size, 3))]
    stack += [weather.make_augmentation(seed=0)] * augment + [layers.Rescaling(1 / 255)] * rescale
    stack += [layers.Conv2D(f, k, activation=a, padding=p) for f, k, a, p in (conv1, conv2)]
    stack += [layers.MaxPool2D(pool_size=pool), layers.Flatten(), layers.Dense(dense[0], activation=dense[1])]
    stack += [layers.Dropout(0.5)] * dropout + [layers.Dense(n, activation=out)]
    return keras.Sequential(stack)


WRONG_CNNS = {  # what the slides' network without dropout would be, but for one thing
    "dropout kept": ({"dropout": True}, "your model has an extra Dropout layer"),
    "no augmentation": ({"augment": False}, "your model has no augmentation layer where the slides' network has one"),
    "no rescaling": ({"rescale": False}, "your model has no Rescaling layer"),
    "second Conv2D with 32 filters": ({"conv2": (32, 3, "relu", "same")},
                                      "your second Conv2D has 32 filters, the slides' has 16 filters"),
    "filters swapped": ({"conv1": (16, 3, "relu", "same"), "conv2": (32, 3, "relu", "same")},
                        ["your first Conv2D has 16 filters, the slides' has 32", "your second Conv2D has 32"]),
    "5x5 kernel": ({"conv1": (32, 5, "relu", "same")}, "your first Conv2D has kernel size (5, 5), the slides' has kernel size (3, 3)"),
    "valid padding": ({"conv2": (16, 3, "relu", "valid")}, "your second Conv2D has padding 'valid', the slides' has padding 'same'"),
    "sigmoid convolution": ({"conv1": (32, 3, "sigmoid", "same")}, "your first Conv2D has activation 'sigmoid'"),
    "3x3 pooling": ({"pool": 3}, "your MaxPooling2D has pool size (3, 3), the slides' has pool size (2, 2)"),
    "100 units": ({"dense": (100, "relu")}, "your first Dense has 100 units, the slides' has 200 units"),
    "tanh dense": ({"dense": (200, "tanh")}, "your first Dense has activation 'tanh', the slides' has activation 'relu'"),
    "no softmax": ({"out": None}, "your second Dense has no activation, the slides' has activation 'softmax'"),
    "sigmoid output": ({"out": "sigmoid"}, "your second Dense has activation 'sigmoid'"),
    "3 classes": ({"n": 3}, "your second Dense has 3 units, the slides' has 4 units"),
    "other photo size": ({"size": 6}, "your model takes inputs of shape (6, 6, 3), the slides' (8, 8, 3)"),
}


@pytest.mark.slow
@pytest.mark.parametrize("wrong", sorted(WRONG_CNNS))
def test_weather_q2_rejects_each_wrong_architecture_and_names_it(keras, wrong):
    changes, words = WRONG_CNNS[wrong]
    assert ex_weather.check_no_dropout(_cnn(keras), (8, 8)), "the small right model fails"
    result = ex_weather.check_no_dropout(_cnn(keras, **changes), (8, 8))
    assert result.correct is False
    for word in [words] if isinstance(words, str) else words:
        assert word in str(result), str(result)


@pytest.mark.slow
def test_weather_q2_at_the_slides_size(keras):
    q = ex_weather.q2
    names = namespace("weather.q2")
    assert q.check(weather.build_weather_cnn(names["IMAGE_SIZE"], names["augmentation"], dropout=0))
    assert _says(q.check(weather.build_weather_cnn((100, 100), weather.make_augmentation(seed=0))), "extra Dropout")
    assert _says(q.check(weather.build_weather_cnn), "the function build_weather_cnn itself")
    assert _says(q.check([keras.layers.Dense(4)]), "keras.Sequential")
    inline = [keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.05)]  # augmentation inline
    model = keras.Sequential([keras.Input((100, 100, 3)), *inline, *_cnn(keras, 100, augment=False).layers])
    assert q.check(model), q.check(model)


def _says(result: CheckResult, words: str) -> bool:
    return result.correct is False and words in str(result)


def test_old_check_functions_still_answer():
    """The plain functions behind qN.check stay importable for other tests and older notebooks."""
    assert ex_hopfield.check_breakdown(6) and ex_clustering.check_chaining_linkage("single")
    assert ex_regression.check_weight_count(16) and ex_weather.check_dense_weights(8_000_200)
    assert not ex_weather.check_dense_weights(8_000_200, image_size=64)
