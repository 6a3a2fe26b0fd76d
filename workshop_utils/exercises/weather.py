"""Exercises of notebook 04 (weather CNN): ``from workshop_utils.exercises.weather import q1, q2, q3``.

* ``q1.check(answer)``: how many weights the slides' ``Dense(200)`` layer has;
* ``q2.check(answer)``: the slides' network without its dropout layer (the answer is a model);
* ``q3.check(answer, evaluation)``: the test accuracy once the classes collapse to good and bad weather.

Importing this module does not import TensorFlow: only ``q2``'s check and solution need Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import weather
from . import CheckResult, Exercise, WrongKind, as_number, as_whole_number, check, describe

#: The slides' photos are 100x100; the answers below are for that size.
IMAGE_SIZE = 100
DENSE_UNITS = 200
CONV_FILTERS = 16  # the second convolution's filters, which the Dense layer sees after pooling
#: Weights of the slides' network at 100x100 (Dropout has none, so removing it keeps them all).
SLIDES_PARAMETERS = 8_006_524


# -- exercise 1 --------------------------------------------------------------------------------
def dense_weight_count(image_size: int = IMAGE_SIZE) -> int:
    """Weights (biases included) of the Dense(200) layer after 2x2 pooling of 16 feature maps."""
    side = image_size // 2
    return side * side * CONV_FILTERS * DENSE_UNITS + DENSE_UNITS


def check_dense_weights(answer: Any, image_size: int = IMAGE_SIZE) -> CheckResult:
    """How many weights (with biases) does the slides' Dense(200) layer have for 100x100 photos?"""
    side = image_size // 2  # after 2x2 max pooling
    inputs = side * side * CONV_FILTERS
    expected = dense_weight_count(image_size)
    wrong = {
        inputs * DENSE_UNITS: "almost: each of the 200 neurons also has one bias",
        image_size * image_size * CONV_FILTERS * DENSE_UNITS + DENSE_UNITS:
            f"that is before the pooling: 2x2 max pooling halves each side, to {side}x{side}",
        image_size * image_size * CONV_FILTERS * DENSE_UNITS:
            f"two things: the pooling halves each side (to {side}x{side}), and each neuron has a bias",
        inputs: f"that is the number of inputs (the Flatten layer's {inputs:,}); each one connects "
                "to each of the 200 neurons",
        SLIDES_PARAMETERS: "that is the whole network; the question asks about the Dense(200) layer",
    }

    def test(value) -> bool:
        count = as_whole_number(value, "a whole number of weights")
        if count == expected:
            return True
        raise WrongKind(wrong.get(count, f"after 2x2 pooling a {image_size}x{image_size}x16 block is "
                                         f"{side}x{side}x16; Flatten turns it into one long vector, "
                                         "and each of its numbers connects to each of the 200 "
                                         "neurons (plus one bias per neuron)"))

    return check(answer, test=test, explanation=(
        f"{side}x{side}x16 = {inputs:,} inputs times 200, plus 200 biases: {expected:,} of the "
        "network's ~8 million weights sit in this one layer, which is why it can memorise the "
        "training photos so easily."
    ))


# -- exercise 2 --------------------------------------------------------------------------------
def _slides_layers() -> tuple[str, ...]:
    from ..weather.builders import SLIDES_CNN_LAYERS

    return tuple(SLIDES_CNN_LAYERS)


def _layer_names(model) -> list[str]:
    from ..weather.builders import slides_layer_names

    return slides_layer_names(model)


def check_no_dropout(answer: Any) -> CheckResult:
    """Build the slides' network without its Dropout layer (everything else the same)."""
    expects = "a Keras model (what keras.Sequential([...]) or build_weather_cnn(...) returns)"

    def test(value) -> bool:
        if value is None or isinstance(value, str | int | float | list | tuple | dict | np.ndarray):
            kind = "a list of layers: wrap it in keras.Sequential([...])" if isinstance(value, list) \
                else None
            raise WrongKind(f"expected {expects}; got {kind or describe(value)}")
        if not hasattr(value, "count_params"):
            if callable(value):
                raise WrongKind(f"expected {expects}; got a function: call it, with its arguments, "
                                "to build the model")
            raise WrongKind(f"expected {expects}; got {describe(value)}")
        if hasattr(value, "history") and not hasattr(value, "layers"):
            raise WrongKind("that is a training history; give the model itself")
        names = _layer_names(value)
        slides = list(_slides_layers())
        without = [name for name in slides if name != "Dropout"]
        if names == slides:
            raise WrongKind("that still has its Dropout layer: leave it out (dropout=0 in "
                            "build_weather_cnn, or delete the Dropout line)")
        if names != without:
            raise WrongKind(f"expected the layers {', '.join(without)}; the model has "
                            f"{', '.join(names) or 'none'}")
        parameters = value.count_params()
        if parameters != SLIDES_PARAMETERS:
            raise WrongKind(f"the layers are right but the model has {parameters:,} weights instead "
                            f"of {SLIDES_PARAMETERS:,}: keep the photos at 100x100 with 3 colours and "
                            "the layer sizes of the slides (32 and 16 filters, Dense(200), Dense(4))")
        return True

    return check(answer, test=test, explanation=(
        "Dropout has no weights, so the count is unchanged. Train it and compare the curves: "
        "without dropout the training accuracy races ahead of the validation accuracy, and a "
        "widening gap between the two is what overfitting looks like."
    ))


# -- exercise 3 --------------------------------------------------------------------------------
def check_good_bad(answer: Any, evaluation: weather.Evaluation | None = None) -> CheckResult:
    """What is the accuracy once the classes collapse to good (shine, sunrise) and bad weather?"""
    if not isinstance(evaluation, weather.Evaluation):
        return CheckResult(False, "This check needs the evaluation as well: q3.check(answer, evaluation), "
                           "with the evaluation of the slides' network on the test photos.")
    expected = weather.good_bad_accuracy(evaluation)

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-3 * max(abs(b), 1e-12)

    def test(value) -> bool:
        if isinstance(value, np.ndarray) and value.size > 1:
            raise WrongKind("expected one number, the accuracy; that is an array (one value per "
                            "photo?): take its mean, np.mean(...)")
        accuracy = as_number(value, "one number, an accuracy between 0 and 1")
        if close(accuracy, expected):
            return True
        if 1 < accuracy <= 100 and close(accuracy / 100, expected):
            return True  # the same accuracy as a percentage
        if close(accuracy, evaluation.accuracy) and not close(evaluation.accuracy, expected):
            raise WrongKind("that is the four-class accuracy; count a photo as right when truth and "
                            "prediction are on the same side (good or bad)")
        if close(accuracy, 1 - expected):
            raise WrongKind("that is the share of mistakes: the accuracy is the share of right answers")
        if not 0 <= accuracy <= 100:
            raise WrongKind("an accuracy lies between 0 and 1")
        raise WrongKind("a photo counts as right when its truth and its prediction are on the same "
                        "side: both in (shine, sunrise) or both in (cloudy, rain). Use "
                        "evaluation.y_true and evaluation.y_pred")

    return check(answer, test=test, explanation=(
        "Compare it with the four-class accuracy: mixing up cloudy with rain, or shine with "
        "sunrise, no longer counts as a mistake, so it can only be as high or higher."
    ))


# -- the exercises as the notebook uses them ----------------------------------------------------
def _namespace_model() -> dict[str, Any]:
    """The names notebook 04 has when exercise 2 starts (Keras is imported here)."""
    from ..models import import_keras

    return {"np": np, "keras": import_keras(), "weather": weather, "IMAGE_SIZE": weather.IMAGE_SIZE,
            "augmentation": weather.make_augmentation(weather.DEFAULT_STRENGTH, seed=0)}


def example_evaluation(seed: int = 0, n: int = 40) -> weather.Evaluation:
    """A made-up evaluation (random probabilities) for running q3's solution without training."""
    rng = np.random.default_rng(seed)
    classes = tuple(weather.CLASSES)
    return weather.Evaluation(rng.integers(0, len(classes), n), rng.dirichlet(np.ones(len(classes)), n),
                              classes)


q1 = Exercise(
    "q1", "where are the weights?", check_dense_weights,
    expects="a whole number",
    hint_text="Read the output shape of the pooling layer in the table: 2x2 pooling halves each "
    "side. Flatten makes one vector of height x width x 16 numbers; each connects to each of the "
    "200 neurons, and each neuron has one bias.",
    solution_code="""\
# after pooling, 50 x 50 x 16 numbers; each connects to each of the 200 neurons, plus 200 biases
answer = 50 * 50 * 16 * 200 + 200
""",
)

q2 = Exercise(
    "q2", "remove the dropout", check_no_dropout,
    expects="a Keras model",
    hint_text="Copy the cell that builds the slides' network and delete the `Dropout` line (or "
    "call `weather.build_weather_cnn(IMAGE_SIZE, augmentation, dropout=0)`). Keep the photos at "
    "100x100.",
    solution_code="""\
# dropout=0 leaves the Dropout layer out; everything else is the slides' network
answer = weather.build_weather_cnn(IMAGE_SIZE, augmentation, dropout=0)
""",
    namespace=_namespace_model,
)

q3 = Exercise(
    "q3", "good or bad weather?", check_good_bad,
    expects="one number between 0 and 1",
    hint_text="Good weather is shine and sunrise, class indices 2 and 3 of `weather.CLASSES`. "
    "`np.isin(evaluation.y_true, [2, 3])` says which photos are good weather; do the same for "
    "`evaluation.y_pred` and take the mean of where the two agree.",
    solution_code="""\
# indices 2 and 3 (shine, sunrise) are good weather
good_truth = np.isin(evaluation.y_true, [2, 3])
good_predicted = np.isin(evaluation.y_pred, [2, 3])
answer = np.mean(good_truth == good_predicted)
""",
    namespace=lambda: {"np": np, "weather": weather, "evaluation": example_evaluation()},
    context=("evaluation",),
)
