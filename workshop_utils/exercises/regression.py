"""Exercises of notebook 03 (regression): ``from workshop_utils.exercises.regression import q1, q2, q3, q4``.

Importing it does not import TensorFlow: only exercise 3's check needs Keras.
"""

from typing import Any

import numpy as np

from .. import regression
from ..sales import load_sales
from . import Exercise, WrongKind, as_array, as_number, as_whole_number, checker, compare_model

#: The hand-fitting exercise asks for weights whose MSE on the sales data is below this.
HAND_FIT_TARGET = 70.0
#: The price of the new product in the prediction exercise, and the notebook's own example's.
NEW_PRICE, EXAMPLE_PRICE = 4.50, 3.50


def _sales() -> tuple:
    return tuple(load_sales()[column].to_numpy(float) for column in ("price", "sales"))


@checker(f"The line's prediction is the one-node network's output for the input {NEW_PRICE}.")
def check_prediction(value: Any) -> None:
    """Exercise 1: the least-squares line's weekly sales for a new product priced at £4.50."""
    guess, (w0, w1) = as_number(value, "one number (units per week)"), regression.fit_line(*_sales())

    def near(prediction: float) -> bool:  # within 1 %, or rounded to a whole unit
        return abs(guess - prediction) <= max(0.01 * abs(prediction), 0.5)

    if near(w0 + w1 * NEW_PRICE):
        return
    if near(w0 + w1 * EXAMPLE_PRICE):
        raise WrongKind(f"that is the prediction for the example's £{EXAMPLE_PRICE:.2f}; this product costs "
                        f"£{NEW_PRICE:.2f}")
    if near(w0 - w1 * NEW_PRICE):
        raise WrongKind("check the sign: your number subtracts w1 × price, and w1 is already negative")
    if near(w0 * NEW_PRICE + w1):
        raise WrongKind("your number multiplies w0 by the price: w0 is the intercept, added on its own, "
                        "and the slope w1 multiplies the price")
    raise WrongKind(f"the least-squares line predicts {guess:g} units a week at a price of "
                    f"£{(guess - w0) / w1:.2f}, not at £{NEW_PRICE:.2f}")


@checker("You trained a one-node network by hand: gradient descent does the same walk downhill, "
         "automatically, and for thousands of weights at once.")
def check_hand_fit(value: Any) -> None:
    """Exercise 2: weights ``(w0, w1)`` found with the sliders whose MSE is below the target."""
    if hasattr(value, "weights") and not isinstance(value, tuple | list | np.ndarray):
        raise WrongKind("that is the explorer itself: give its weights, answer = explorer.weights")
    w0, w1 = as_array(value, (2,), "two numbers (w0, w1), e.g. explorer.weights")
    loss = regression.line_loss(*_sales(), w0, w1)
    if loss >= HAND_FIT_TARGET:
        advice = ("w1 is positive, so dearer products would sell more: the good lines slope downwards"
                  if w1 > 0 else "rounded numbers can miss: use answer = explorer.weights, which reads "
                  "the sliders exactly" if loss < 2 * HAND_FIT_TARGET else "move along the valley of "
                  "the loss surface: change w0 and w1 together")
        raise WrongKind(f"the MSE of ({w0:g}, {w1:g}) is {loss:.1f}, above {HAND_FIT_TARGET:.0f}; {advice}")


@checker("9 weights, the slides' network. The slides then compile and train it: "
         "model.compile(optimizer='sgd', loss='mse') and model.fit(x_train, y_train).")
def check_slides_network(value: Any) -> None:
    """Exercise 3: the slides' 2-2-1 network in Keras: its layers, their settings, its 9 weights."""
    from ..models import build_simple_network

    compare_model(value, build_simple_network)


@checker("3 hidden nodes × (3 inputs + 1 bias) = 12, plus 1 output × (3 + 1) = 4: 16. Keras's "
         "model.summary() counts the same way.")
def check_weight_count(value: Any) -> None:
    """Exercise 4: trainable weights of a 3-3-1 network (3 inputs, 3 hidden nodes, 1 output)."""
    count = as_whole_number(value, "a whole number of weights")
    wrong = {
        9: "9 is the 2-2-1 network of the slides; this one has 3 inputs and 3 hidden nodes",
        12: "12 is either the edges without any bias or the hidden layer alone",
        13: "13 has one bias, where every node has its own",
        15: "15 leaves out one node's bias: every node has one, the output node included",
        4: "4 is the output node alone",
    }
    if count != 3 * (3 + 1) + 1 * (3 + 1):
        raise WrongKind(wrong.get(count, f"{count} is not the 3 hidden nodes' weights and biases plus the "
                                         "output node's: count each node's incoming edges and its bias"))


q1 = Exercise(
    "q1", "your own prediction", check_prediction, expects="one number",
    hints=("The line predicts sales from a price: intercept plus slope times price, as in the formula "
           "of section 2.",
           "`w0` and `w1` are already computed above; the £3.50 example shows how they are used."),
    solution_code=f"answer = w0 + w1 * {NEW_PRICE:.2f}\n",
)

q2 = Exercise(
    "q2", "train it by hand", check_hand_fit, expects="two numbers (w0, w1)",
    hints=("Move the sliders until the loss shown is below 70. The good lines slope downwards "
           "(w1 below 0).",
           "On the loss surface the low region is a long narrow valley: change w0 and w1 together, "
           "along it. Then `answer = explorer.weights` reads the sliders exactly (typed, rounded "
           "numbers can land above 70)."),
    solution_code="answer = (120.0, -20.0)  # close to the least-squares line; explorer.weights works too\n",
)

q3 = Exercise(
    "q3", "the slides' network in Keras", check_slides_network, expects="a Keras model",
    hints=("The slides build it with `keras.Sequential([...])`: an input of 2 numbers, then a hidden "
           "densely connected layer of 2 nodes with the sigmoid activation, then an output layer "
           "of 1 node with no activation.",
           "The input layer takes a `shape` tuple of one number (mind the comma: `(2,)`); a densely "
           "connected layer is `keras.layers.Dense(units, activation=...)`; leaving `activation` out means none."),
    solution_code="""\
answer = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(2, activation="sigmoid"),
    keras.layers.Dense(1),
])
answer.summary()
""",
)

q4 = Exercise(
    "q4", "counting weights", check_weight_count, expects="a whole number",
    hints=("Each node has one weight per edge coming into it, plus one bias.",
           "Count the hidden layer (3 nodes, each fed by the 3 inputs) and the output layer (1 node, "
           "fed by the 3 hidden nodes) separately, then add."),
    solution_code="answer = 3 * (3 + 1) + 1 * (3 + 1)  # hidden: 3 nodes × (3 inputs + bias); output: 1 × (3 + bias)\n",
    explanation="Check it with Keras: `keras.Sequential([keras.Input(shape=(3,)), "
    "keras.layers.Dense(3), keras.layers.Dense(1)]).count_params()`.",
)
