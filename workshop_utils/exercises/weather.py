"""Exercises of notebook 04 (weather CNN): ``from workshop_utils.exercises.weather import q1, q2, q3``.

Importing this module does not import TensorFlow: only ``q2``'s check needs Keras.
"""

from typing import Any

import numpy as np

from .. import weather
from ..weather.builders import build_weather_cnn
from . import Exercise, WrongKind, as_number, as_whole_number, checker, compare_model

#: The slides' photos are 100x100; the second convolution leaves 16 feature maps.
IMAGE_SIZE, CONV_FILTERS, DENSE_UNITS = 100, 16, 200
#: Weights of the slides' network at 100x100 (Dropout has none).
SLIDES_PARAMETERS = 8_006_524
#: Good weather, the rest is bad (exercise 3).
GOOD_WEATHER = ("shine", "sunrise")


@checker("50x50x16 = 40,000 inputs times 200, plus 200 biases: 8,000,200 of the network's ~8 million "
         "weights sit in this one layer, which is why it can memorise the training photos so easily.")
def check_dense_weights(value: Any, image_size: int = IMAGE_SIZE) -> None:
    """Exercise 1: weights (with biases) of the slides' Dense(200) layer for 100x100 photos."""
    count = as_whole_number(value, "a whole number of weights")
    inputs = (image_size // 2) ** 2 * CONV_FILTERS  # after 2x2 max pooling
    before_pooling = image_size * image_size * CONV_FILTERS * DENSE_UNITS
    if count == inputs * DENSE_UNITS + DENSE_UNITS:
        return
    n_in, rest = divmod(count - DENSE_UNITS, DENSE_UNITS)
    raise WrongKind({
        inputs * DENSE_UNITS: "your count has no biases: each of the 200 neurons has one",
        before_pooling + DENSE_UNITS: "your count is for the block before the pooling; Flatten gets the "
        "pooling layer's output",
        before_pooling: "your count is for the block before the pooling, and it leaves out the biases",
        inputs: "that is the number of inputs to the layer; each one connects to each of the 200 neurons",
        SLIDES_PARAMETERS: "that is the whole network; the question asks about the Dense(200) layer",
    }.get(count, f"{count:,} would mean {n_in:,} inputs per neuron, plus a bias: is that what Flatten hands "
                 "the layer?" if not rest and n_in > 0 else f"{count:,} is not (inputs) × 200 weights + 200 "
                 "biases for any whole number of inputs"))


@checker("Dropout has no weights, so the count is unchanged. In the measured table of section 4, "
         "dropping only the dropout changed little: augmentation alone kept the training accuracy "
         "from racing ahead. Train yours and compare the curves.")
def check_no_dropout(value: Any, image_size=(IMAGE_SIZE, IMAGE_SIZE)) -> None:
    """Exercise 2: the slides' network, augmentation and rescaling included, without its Dropout."""
    compare_model(value, lambda: build_weather_cnn(image_size, weather.make_augmentation(seed=0), dropout=0))


@checker("Compare it with the four-class accuracy: mixing up cloudy with rain, or shine with sunrise, "
         "no longer counts as a mistake, so it can only be as high or higher.")
def check_good_bad(value: Any, evaluation: Any = None) -> None:
    """Exercise 3: the accuracy once the classes collapse to good (shine, sunrise) and bad weather."""
    if not isinstance(evaluation, weather.Evaluation):
        raise WrongKind("this check needs the evaluation as well: q3.check(answer, evaluation), with the "
                        "evaluation of the slides' network on the test photos")
    good = [evaluation.classes.index(name) for name in GOOD_WEATHER]
    right = np.isin(evaluation.y_true, good) == np.isin(evaluation.y_pred, good)
    accuracy = as_number(value, "one number, an accuracy between 0 and 1")
    accuracy /= 100 if 1 < accuracy <= 100 else 1  # a percentage counts too
    if np.isclose(accuracy, right.mean(), rtol=1e-3, atol=0):
        return
    if np.isclose(accuracy, evaluation.accuracy, rtol=1e-3, atol=0):
        raise WrongKind("that is the four-class accuracy; here mixing up cloudy and rain, or shine and "
                        "sunrise, is no longer a mistake")
    if np.isclose(accuracy, 1 - right.mean(), rtol=1e-3, atol=0):
        raise WrongKind("that is the share of mistakes, not of right answers")
    raise WrongKind("an accuracy lies between 0 and 1" if not 0 <= accuracy <= 1 else f"{accuracy:g} is not "
                    f"the share of the {right.size} test photos whose truth and prediction are on the same "
                    "side, both good or both bad weather")


q1 = Exercise(
    "q1", "where are the weights?", check_dense_weights, expects="a whole number",
    hints=("The Dense(200) layer's inputs are the numbers that Flatten hands it: everything the "
           "pooling layer outputs, laid out in one long row.",
           "2x2 max pooling halves the height and the width, and the second Conv2D leaves 16 numbers "
           "(feature maps) at each position. Each of the 200 neurons has one weight per input, plus "
           "one bias."),
    solution_code="answer = 50 * 50 * 16 * 200 + 200  # 50x50x16 inputs after pooling, to 200 neurons, + 200 biases\n",
)

q2 = Exercise(
    "q2", "remove the dropout", check_no_dropout, expects="a Keras model",
    hints=("Start from the slides' network as the notebook writes it: the same layers, in the same "
           "order, with the same settings, only without the Dropout.",
           "Copy the cell that builds it into the exercise cell, name the model `answer`, and delete "
           "the Dropout line. Keep the input, the augmentation, the Rescaling and every size and "
           "activation as they are."),
    solution_code="""\
answer = keras.Sequential([
    keras.Input(shape=IMAGE_SIZE + (3,)),
    augmentation,
    keras.layers.Rescaling(1 / 255),
    keras.layers.Conv2D(32, (3, 3), activation="relu", padding="same"),
    keras.layers.Conv2D(16, (3, 3), activation="relu", padding="same"),
    keras.layers.MaxPool2D(pool_size=(2, 2)),
    keras.layers.Flatten(),
    keras.layers.Dense(units=200, activation="relu"),
    keras.layers.Dense(4, activation="softmax"),
])
""",
)

q3 = Exercise(
    "q3", "good or bad weather?", check_good_bad, expects="one number between 0 and 1",
    context=("evaluation",),
    hints=("Good weather is shine and sunrise, bad weather cloudy and rain. A photo counts as right "
           "when its truth and its prediction are on the same side.",
           "`evaluation.y_true` and `evaluation.y_pred` hold class numbers, indices into "
           "`weather.CLASSES` (shine and sunrise are 2 and 3); `np.isin(numbers, [2, 3])` is True "
           "where a number is one of them.",
           "Compare the two True/False arrays element by element (`==`); the mean of a True/False "
           "array is the share of True."),
    solution_code="""\
good_truth = np.isin(evaluation.y_true, [2, 3])       # shine, sunrise
good_predicted = np.isin(evaluation.y_pred, [2, 3])
answer = np.mean(good_truth == good_predicted)
""",
)
