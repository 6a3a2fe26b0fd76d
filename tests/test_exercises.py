"""The exercises: every solution passes its check, and no answer ever makes a check crash.

``qN.check`` must answer anything a learner can type (a function, text, None, NaN, a list
where a tuple was meant, the wrong shape) with a message that says what kind of answer it
expects, and give a targeted hint for each exercise's common wrong answers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils import exercises, regression, weather
from workshop_utils.exercises import (
    NOT_ANSWERED,
    CheckResult,
    Exercise,
    WrongKind,
    as_array,
    as_choice,
    as_number,
    as_pair,
    as_whole_number,
    check,
)
from workshop_utils.exercises import clustering as ex_clustering
from workshop_utils.exercises import hopfield as ex_hopfield
from workshop_utils.exercises import regression as ex_regression
from workshop_utils.exercises import weather as ex_weather

# Every exercise whose solution runs without Keras (weather q2 is tested separately, slow).
QUICK = {
    f"{module.__name__.rsplit('.', 1)[-1]}.{q.name}": q
    for module in (ex_hopfield, ex_clustering, ex_regression, ex_weather)
    for q in (module.q1, module.q2, module.q3)
    if not (module is ex_weather and q.name == "q2")
}
ALL = {**QUICK, "weather.q2": ex_weather.q2}


def _context(q: Exercise) -> tuple:
    names = q.namespace()
    return tuple(names[c] for c in q.context)


# -- the plain check --------------------------------------------------------------------------
def test_unanswered_is_neither_right_nor_wrong():
    result = check(..., expected=3)
    assert result.correct is None and "replace the ..." in str(result)


def test_right_and_wrong_numbers():
    assert check(3.0000001, expected=3)
    wrong = check(4, expected=3, hint="count the weights")
    assert not wrong and "count the weights" in repr(wrong)


def test_strings_ignore_case_and_predicates():
    assert check(" Single ", expected="single")
    assert check([1, 2], test=lambda a: sum(a) == 3)
    assert not check("x", test=lambda a: a + 1)  # a broken answer is wrong, not a crash


def test_a_wrong_kind_shows_its_own_message():
    def test(value):
        raise WrongKind("expected a number")

    result = check("x", test=test, hint="not this one")
    assert result.correct is False and str(result) == "Not quite: expected a number."


# -- the readers ------------------------------------------------------------------------------
def test_readers_accept_the_equivalent_forms():
    assert as_number(np.float32(2.5)) == 2.5 and as_number([2.5]) == 2.5
    assert as_number(np.array([[2.5]])) == 2.5
    assert as_whole_number(6.0) == 6 and as_whole_number(np.int64(6)) == 6
    assert as_pair([1, 2]) == as_pair((1, 2)) == as_pair(np.array([1.0, 2.0])) == (1.0, 2.0)
    assert as_array([[1, 0], [0, 1]], (2, 2), "a 2x2 matrix").shape == (2, 2)
    names = {"single": "single"}
    assert as_choice("Single linkage", names, "a name", drop=["linkage"]) == "single"
    assert as_choice(" SINGLE. ", names, "a name") == "single"


@pytest.mark.parametrize(("answer", "words"), [
    (None, "None"),
    ("5", "without quotes"),
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
    with pytest.raises(WrongKind, match="a list of 3 values"):
        as_pair([1, 2, 3])
    with pytest.raises(WrongKind, match="the number 5"):
        as_pair(5)
    with pytest.raises(WrongKind, match='not one of "single"'):
        as_choice("nearest-ish", {"single": "single"}, "a name")
    with pytest.raises(WrongKind, match="the number 1"):
        as_choice(1, {"single": "single"}, "a name")


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_any_finite_number_reads_back(value):
    assert as_number(value) == value and as_number([value]) == value


# -- every exercise: its solution passes, it shows, it never crashes ------------------------------
@pytest.mark.parametrize("name", sorted(QUICK))
def test_every_solution_passes_its_check(name):
    q = QUICK[name]
    answer, context = q.run_solution()
    result = q.check(answer, *context)
    assert result.correct is True, f"{name}: the package's solution fails its own check: {result}"
    assert str(result).startswith("Correct!")


@pytest.mark.parametrize("name", sorted(ALL))
def test_hint_and_solution_display_without_a_verdict(name, capsys):
    q = ALL[name]
    q.hint()
    q.solution()
    shown = capsys.readouterr().out
    assert f"Hint ({q.name}" in shown and f"Solution ({q.name}" in shown
    assert q.solution_code.strip().splitlines()[-1].strip() in shown
    assert f"{q.name}.check(answer" in shown
    assert "Correct" not in shown  # the solution is shown, not run


def test_solution_displays_as_markdown_code_in_a_notebook(monkeypatch):
    seen = []
    monkeypatch.setattr("IPython.display.display", seen.append)
    ex_clustering.q3.solution()
    [shown] = seen
    assert "```python\nn = 10_000\nanswer = n * (n - 1) // 2\nq3.check(answer)\n```" in shown._repr_markdown_()


@pytest.mark.parametrize("name", sorted(ALL))
def test_unanswered_exercises_say_how_to_start(name):
    q = ALL[name]
    context = () if name == "weather.q2" else _context(q)
    assert q.check(..., *context).message == NOT_ANSWERED


WRONG_KINDS = [None, float("nan"), "5", "five", len, lambda x: x, [1, 2, 3], (1,), [[1, 2], [3, 4]],
               np.zeros((3, 3)), {"answer": 1}, True, object(), -1e300, np.array([]), ["a", "b"]]


@pytest.mark.parametrize("name", sorted(QUICK))
@pytest.mark.parametrize("answer", WRONG_KINDS, ids=repr)
def test_wrong_kinds_get_a_message_not_a_traceback(name, answer):
    q = QUICK[name]
    result = q.check(answer, *_context(q))
    assert isinstance(result, CheckResult) and result.correct is False
    assert str(result).startswith("Not quite")
    assert "could not use" not in str(result), f"{name}: fell through to the last-resort message"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(QUICK)), st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.lists(st.floats(), max_size=5), st.tuples(st.integers(), st.integers()),
    st.lists(st.lists(st.integers(-3, 3), min_size=4, max_size=4), min_size=4, max_size=4),
))
def test_no_answer_makes_a_check_raise(name, answer):
    q = QUICK[name]
    result = q.check(answer, *_context(q))
    assert isinstance(result, CheckResult) and result.correct in (True, False)
    assert str(result).startswith(("Correct!", "Not quite"))


def test_the_last_resort_turns_a_crash_into_a_message():
    def broken(answer):
        raise KeyError("oops")

    q = Exercise("q9", "broken", broken, expects="a number", hint_text="", solution_code="answer = 1")
    result = q.check(3)
    assert result.correct is False and "expects a number" in str(result) and "KeyError" in str(result)


# -- typical wrong answers, exercise by exercise ---------------------------------------------------
def _says(result: CheckResult, words: str) -> bool:
    return result.correct is False and words in str(result)


def test_hopfield_q1_hebb_weights():
    q = ex_hopfield.q1
    right = sum(np.outer(v, v) for v in ex_hopfield.HEBB_PATTERNS)
    with_diagonal = right.copy()
    np.fill_diagonal(right, 0)
    assert q.check(right) and q.check(right.tolist()) and q.check(right.astype(float))
    assert _says(q.check(with_diagonal), "diagonal to 0")
    assert _says(q.check(np.outer(*ex_hopfield.HEBB_PATTERNS[:1], ex_hopfield.HEBB_PATTERNS[0])),
                 "one pattern's products")
    assert _says(q.check(right / 3), "does not average")
    assert _says(q.check(ex_hopfield.HEBB_PATTERNS), "patterns themselves")
    assert _says(q.check(np.zeros((3, 3))), "4x4")
    assert _says(q.check(-right), "summed")


def test_hopfield_q2_inverted():
    q = ex_hopfield.q2
    assert q.check(-1.0) and q.check(-1) and q.check(np.float64(-1))
    assert _says(q.check(1.0), "went back to T itself")
    assert _says(q.check(-ex_hopfield.letter("T")), "a picture of 25 neurons")
    assert _says(q.check(3), "between -1 and 1")
    assert _says(q.check(0.5), "net.recall(-T")


def test_hopfield_q3_breakdown():
    q = ex_hopfield.q3
    assert ex_hopfield.first_breakdown() == 6
    assert q.check(6) and q.check(6.0)
    assert _says(q.check(5), "one more")
    assert _says(q.check(8), "too many")
    assert _says(q.check(3), "0.138")
    assert _says(q.check("C"), "not which letter")
    assert _says(q.check(6.5), "not whole")


def test_clustering_q1_segments():
    q = ex_clustering.q1
    assert q.check(5) and q.check(5.0)
    assert _says(q.check(4), "close") and _says(q.check(6), "close")
    assert _says(q.check(200), "cut higher")
    assert _says(q.check("5"), "without quotes")


@pytest.mark.parametrize("spelling", ["single", "Single linkage", " SINGLE ", "single-linkage",
                                      "nearest neighbour", "Single Linkage Method"])
def test_clustering_q2_accepts_every_spelling_of_single(spelling):
    assert ex_clustering.q2.check(spelling)


def test_clustering_q2_wrong_methods_get_their_own_hint():
    q = ex_clustering.q2
    assert _says(q.check("ward"), "compact") and _says(q.check("Ward's method"), "compact")
    assert _says(q.check("complete"), "farthest pair")
    assert _says(q.check("average linkage"), "as soon as")
    assert _says(q.check("k-means"), 'not one of "average", "complete", "single", "ward"')
    assert _says(q.check(1), "the name of a linkage method as text")


def test_clustering_q3_pairs():
    q, n = ex_clustering.q3, ex_clustering.N_CUSTOMERS
    assert q.check(49_995_000) and q.check(4.9995e7)
    assert _says(q.check(n**2), "each pair counts once")
    assert _says(q.check(n * (n - 1)), "counted twice")
    assert _says(q.check(n**2 // 2), "not paired with itself")
    assert _says(q.check(49_995_000 * 8), "bytes")
    assert _says(q.check("49,995,000"), "without quotes")


def test_regression_q1_prediction():
    q = ex_regression.q1
    w0, w1 = regression.fit_line(*ex_regression._sales_xy())
    assert q.check(w0 + w1 * 4.5) and q.check(round(w0 + w1 * 4.5)) and q.check(np.array([w0 + w1 * 4.5]))
    assert _says(q.check(w0 + w1 * 3.5), "£3.50")
    assert _says(q.check(w0 - w1 * 4.5), "sign")
    assert _says(q.check(w0 * 4.5 + w1), "intercept")
    assert _says(q.check((w0, w1)), "two weights")


def test_regression_q2_hand_fit():
    q = ex_regression.q2
    xy = ex_regression._sales_xy()
    best = regression.fit_line(*xy)
    assert q.check(best) and q.check(list(best)) and q.check(np.array(best))  # list or tuple alike
    assert _says(q.check((40, 10)), "w1 is positive")
    assert _says(q.check((40, 10)), f"is {regression.line_loss(*xy, 40, 10):.1f}, above 70")
    assert _says(q.check("120, -20"), "two numbers")
    assert _says(q.check((120, -20, 3)), "a tuple of 3 values")

    class Explorer:
        weights = best

    assert _says(q.check(Explorer()), "explorer.weights")


def test_regression_q2_a_rounded_answer_near_the_target_is_told_to_use_the_sliders():
    xy = ex_regression._sales_xy()
    w0, w1 = regression.fit_line(*xy)
    near = next((round(w0) + d, round(w1)) for d in range(0, 60)
                if 70 <= regression.line_loss(*xy, round(w0) + d, round(w1)) < 140)
    assert _says(ex_regression.q2.check(near), "explorer.weights")


def test_regression_q3_weight_count():
    q = ex_regression.q3
    assert q.check(16) and q.check(16.0)
    assert _says(q.check(9), "2-2-1")
    assert _says(q.check(12), "biases")
    assert _says(q.check(15), "output node included")
    assert _says(q.check(16.5), "not whole")


def test_weather_q1_dense_weights():
    q = ex_weather.q1
    assert ex_weather.dense_weight_count() == 8_000_200
    assert q.check(8_000_200) and q.check(8.0002e6)
    assert _says(q.check(8_000_000), "bias")
    assert _says(q.check(32_000_200), "before the pooling")
    assert _says(q.check(40_000), "number of inputs")
    assert _says(q.check(ex_weather.SLIDES_PARAMETERS), "whole network")


def test_weather_q3_good_bad():
    q = ex_weather.q3
    evaluation = ex_weather.example_evaluation(seed=3)
    right = weather.good_bad_accuracy(evaluation)
    assert evaluation.accuracy != right  # the made-up evaluation tells the two apart
    assert q.check(right, evaluation) and q.check(100 * right, evaluation)  # a percentage is fine
    assert q.check(np.float32(right), evaluation)
    assert _says(q.check(evaluation.accuracy, evaluation), "four-class accuracy")
    assert _says(q.check(1 - right, evaluation), "mistakes")
    assert _says(q.check(np.ones(40, bool), evaluation), "np.mean")
    assert _says(q.check(right), "needs the evaluation")
    assert _says(q.check(right, "evaluation"), "needs the evaluation")
    assert _says(q.check(250, evaluation), "between 0 and 1")


def test_weather_exercises_do_not_import_tensorflow():
    import subprocess
    import sys

    code = ("import sys\nfrom workshop_utils.exercises.weather import q1, q2, q3\n"
            "q1.check(8_000_200); q2.check(None); q2.check(len)\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_weather_q2_solution_and_its_wrong_answers():
    """Builds three Keras models (a few seconds): the solution, with dropout, at 64x64."""
    pytest.importorskip("keras")
    q = ex_weather.q2
    names = q.namespace()
    answer, _ = q.run_solution()
    assert q.check(answer), q.check(answer)
    build = names["weather"].build_weather_cnn
    assert _says(q.check(build(names["IMAGE_SIZE"], names["augmentation"])), "still has its Dropout")
    assert _says(q.check(build((64, 64), None, dropout=0)), "keep the photos at 100x100")
    assert _says(q.check(build), "call it")
    assert _says(q.check([names["keras"].layers.Dense(4)]), "keras.Sequential")
    assert _says(q.check(names["keras"].Sequential([names["keras"].Input((4,)),
                                                    names["keras"].layers.Dense(4)])),
                 "expected the layers Conv2D")


def test_old_check_functions_still_answer():
    """The plain functions behind qN.check stay importable (notebooks of older revisions use them)."""
    assert ex_hopfield.check_breakdown(6) and ex_clustering.check_chaining_linkage("single")
    assert ex_regression.check_weight_count(16) and ex_weather.check_dense_weights(8_000_200)
    assert exercises.check(2, expected=2)
