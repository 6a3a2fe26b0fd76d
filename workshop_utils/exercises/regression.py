"""Exercises of notebook 03 (regression): ``from workshop_utils.exercises.regression import q1, q2, q3``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import regression
from ..sales import load_sales
from . import CheckResult, Exercise, WrongKind, as_number, as_pair, as_whole_number, check

#: The hand-fitting exercise asks for weights whose MSE on the sales data is below this.
HAND_FIT_TARGET = 70.0
#: The price of the new product in the prediction exercise.
NEW_PRICE = 4.50
#: The price the notebook's own example predicts for (a common wrong answer).
EXAMPLE_PRICE = 3.50
#: The layer sizes of the weight-counting exercise.
COUNT_LAYERS = (3, 3, 1)


def _sales_xy():
    table = load_sales()
    return table["price"].to_numpy(float), table["sales"].to_numpy(float)


# -- exercise 1: predict -----------------------------------------------------------------------
def expected_prediction() -> float:
    """The least-squares line's prediction at :data:`NEW_PRICE`."""
    w0, w1 = regression.fit_line(*_sales_xy())
    return float(regression.predict_line(NEW_PRICE, w0, w1))


def check_prediction(answer: Any) -> CheckResult:
    """The least-squares line's predicted weekly sales for a new product priced at £4.50."""
    w0, w1 = regression.fit_line(*_sales_xy())
    expected = float(regression.predict_line(NEW_PRICE, w0, w1))

    def close(a: float, b: float) -> bool:  # 1 %, or rounded to a whole unit
        return abs(a - b) <= max(0.01 * abs(b), 0.5)

    def test(value) -> bool:
        if isinstance(value, tuple | list) and len(value) == 2:
            raise WrongKind("expected one number, the predicted sales; those look like the two "
                            f"weights: compute w0 + w1 * {NEW_PRICE}")
        guess = as_number(value, "one number (units per week)")
        if close(guess, expected):
            return True
        if close(guess, regression.predict_line(EXAMPLE_PRICE, w0, w1)):
            raise WrongKind(f"that is the prediction for the example's £{EXAMPLE_PRICE:.2f}; this "
                            f"product costs £{NEW_PRICE:.2f}")
        if close(guess, w0 - w1 * NEW_PRICE):
            raise WrongKind("check the sign: w1 is negative already, so it is w0 + w1 * price")
        if close(guess, w0 * NEW_PRICE + w1):
            raise WrongKind("w0 is the intercept (added on its own) and w1 multiplies the price")
        raise WrongKind(f"take the w0 and w1 from fit_line (printed above) and compute "
                        f"w0 + w1 * {NEW_PRICE}")

    return check(answer, test=test, explanation=(
        f"About {expected:.0f} units a week: the one-node network's output for the input "
        f"{NEW_PRICE}."
    ))


# -- exercise 2: fit by hand -------------------------------------------------------------------
def check_hand_fit(answer: Any) -> CheckResult:
    """Weights ``(w0, w1)`` found with the sliders whose MSE on the sales data is below the target."""

    def test(value) -> bool:
        if hasattr(value, "weights") and not isinstance(value, tuple | list | np.ndarray):
            raise WrongKind("that is the explorer itself: give its weights, answer = explorer.weights")
        w0, w1 = as_pair(value, "two numbers (w0, w1), e.g. explorer.weights")
        loss = regression.line_loss(*_sales_xy(), w0, w1)
        if loss < HAND_FIT_TARGET:
            return True
        advice = ("rounded numbers can miss: use answer = explorer.weights, which reads the sliders "
                  "exactly" if loss < 2 * HAND_FIT_TARGET else
                  "the good lines slope downwards: lower w1 and raise w0 together, along the valley")
        if w1 > 0:
            advice = "w1 is positive, so dearer products would sell more: the good lines slope downwards"
        raise WrongKind(f"the MSE of ({w0:g}, {w1:g}) is {loss:.1f}, above {HAND_FIT_TARGET:.0f}; {advice}")

    return check(answer, test=test, explanation=(
        "You trained a one-node network by hand: gradient descent does the same walk downhill, "
        "automatically, and for thousands of weights at once."
    ))


# -- exercise 3: count weights -----------------------------------------------------------------
def check_weight_count(answer: Any) -> CheckResult:
    """How many trainable weights does a 3-3-1 network (3 inputs, 3 hidden nodes, 1 output) have?"""
    expected = regression.dense_weight_count(list(COUNT_LAYERS))
    wrong = {
        9: "9 is the 2-2-1 network of the slides; this one has 3 inputs and 3 hidden nodes",
        12: "12 is part of it: count the biases (one per node) and the output node too",
        13: "13 misses some biases: every hidden node and the output node has one",
        15: "close: every node has one bias, the output node included",
    }

    def test(value) -> bool:
        count = as_whole_number(value, "a whole number of weights")
        if count == expected:
            return True
        raise WrongKind(wrong.get(count, "each node has one weight per node feeding it, plus its "
                                         "bias w0: count the hidden nodes' weights, then the "
                                         "output node's"))

    return check(answer, test=test, explanation=(
        f"3 hidden nodes x (3 inputs + 1 bias) = 12, plus 1 output x (3 + 1) = 4: {expected}. "
        "Keras's model.summary() counts the same way."
    ))


def _namespace() -> dict[str, Any]:
    x, y = _sales_xy()
    w0, w1 = regression.fit_line(x, y)
    return {"np": np, "regression": regression, "x": x, "y": y, "w0": w0, "w1": w1}


q1 = Exercise(
    "q1", "your own prediction", check_prediction,
    expects="one number",
    hint_text=f"The line predicts `w0 + w1 * price`; use the `w0` and `w1` computed above and the "
    f"price {NEW_PRICE}.",
    solution_code=f"""\
answer = w0 + w1 * {NEW_PRICE:.2f}
""",
    namespace=_namespace,
)

q2 = Exercise(
    "q2", "train it by hand", check_hand_fit,
    expects="two numbers (w0, w1)",
    hint_text="Move the sliders until the loss shown is below 70, then write "
    "`answer = explorer.weights`: it reads the sliders exactly. Typing rounded numbers instead can "
    "land above 70. (Or start from the least-squares `w0, w1` and see how far you can move.)",
    solution_code="""\
answer = (120.0, -20.0)  # close to the least-squares line; explorer.weights works too
""",
    namespace=_namespace,
)

q3 = Exercise(
    "q3", "counting weights", check_weight_count,
    expects="a whole number",
    hint_text="Each node has one weight per node feeding it plus one bias: a hidden node gets "
    "3 + 1, the output node 3 + 1. Multiply by the number of nodes in each layer and add.",
    solution_code="""\
answer = 3 * (3 + 1) + 1 * (3 + 1)  # hidden: 3 nodes x (3 inputs + bias); output: 1 x (3 + bias)
""",
    namespace=_namespace,
    explanation="Check it with Keras: `keras.Sequential([keras.Input(shape=(3,)), "
    "keras.layers.Dense(3), keras.layers.Dense(1)]).count_params()`.",
)
