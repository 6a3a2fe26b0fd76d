"""Exercise checks for notebook 03 (regression and a first network), built on :func:`exercises.check`."""

from __future__ import annotations

from typing import Any

from .. import regression
from ..sales import load_sales
from . import CheckResult, check

#: The hand-fitting exercise asks for weights whose MSE on the sales data is below this.
HAND_FIT_TARGET = 70.0
#: The price of the new product in the prediction exercise.
NEW_PRICE = 4.50


def _sales_xy():
    table = load_sales()
    return table["price"].to_numpy(float), table["sales"].to_numpy(float)


def _hand_fit_ok(answer: Any) -> bool:
    w0, w1 = (float(v) for v in answer)
    return regression.line_loss(*_sales_xy(), w0, w1) < HAND_FIT_TARGET


def check_hand_fit(answer: Any) -> CheckResult:
    """Weights ``(w0, w1)`` found with the sliders whose MSE on the sales data is below the target."""
    hint = (f"give two numbers (w0, w1), e.g. explorer.weights, with an MSE below {HAND_FIT_TARGET:.0f}; "
            "the good lines slope downwards: lower w1 and raise w0 together, along the valley")
    if answer is not Ellipsis:
        try:
            loss = regression.line_loss(*_sales_xy(), *(float(v) for v in answer))
            hint = f"your MSE is {loss:.1f}, above {HAND_FIT_TARGET:.0f}. {hint}"
        except (TypeError, ValueError):
            pass
    return check(
        answer,
        test=_hand_fit_ok,
        hint=hint,
        explanation="You trained a one-node network by hand: gradient descent does the same "
        "walk downhill, automatically, and for thousands of weights at once.",
    )


def check_weight_count(answer: Any) -> CheckResult:
    """How many trainable weights does a 3-3-1 network (3 inputs, 3 hidden nodes, 1 output) have?"""
    expected = regression.dense_weight_count([3, 3, 1])
    return check(
        answer,
        expected=expected,
        hint="each node has one weight per node feeding it, plus its bias w0: count the hidden "
        "nodes' weights, then the output node's",
        explanation=f"3 hidden nodes x (3 inputs + 1 bias) = 12, plus 1 output x (3 + 1) = 4: "
        f"{expected}. Keras's model.summary() counts the same way.",
    )


def check_prediction(answer: Any) -> CheckResult:
    """The least-squares line's predicted weekly sales for a new product priced at £4.50."""
    w0, w1 = regression.fit_line(*_sales_xy())
    expected = float(regression.predict_line(NEW_PRICE, w0, w1))
    return check(
        answer,
        expected=expected,
        rtol=0.01,
        hint=f"take (w0, w1) = fit_line(...) and compute w0 + w1 * {NEW_PRICE}",
        explanation=f"about {expected:.0f} units a week: the network's output for the input "
        f"{NEW_PRICE}.",
    )
