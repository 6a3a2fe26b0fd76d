"""Exercise checks for notebook 04 (weather CNN), built on :func:`exercises.check`."""

from __future__ import annotations

from typing import Any

from .. import weather
from . import CheckResult, check


def check_dense_weights(answer: Any, image_size: int = 100) -> CheckResult:
    """How many weights (with biases) does the slides' Dense(200) layer have for 100x100 photos?"""
    side = image_size // 2  # after 2x2 max pooling
    inputs = side * side * 16
    expected = inputs * 200 + 200
    return check(
        answer,
        expected=expected,
        hint=f"after 2x2 pooling a {image_size}x{image_size}x16 block is {side}x{side}x16; Flatten "
        "turns it into one long vector, and each of its numbers connects to each of the 200 "
        "neurons (plus one bias per neuron)",
        explanation=f"{side}x{side}x16 = {inputs:,} inputs times 200, plus 200 biases: "
        f"{expected:,} of the network's ~8 million weights sit in this one layer, which is why "
        "it can memorise the training photos so easily.",
    )


def check_no_dropout(answer: Any) -> CheckResult:
    """Build the slides' network without its Dropout layer (everything else the same)."""
    from ..weather.builders import SLIDES_CNN_LAYERS, slides_layer_names

    without = [name for name in SLIDES_CNN_LAYERS if name != "Dropout"]

    def is_right(model) -> bool:
        return slides_layer_names(model) == without and model.count_params() == 8_006_524

    return check(
        answer,
        test=is_right,
        hint="call build_weather_cnn(IMAGE_SIZE, augmentation, dropout=0) and keep the image size "
        "at 100x100",
        explanation="Dropout has no weights, so the count is unchanged. Train it and compare the "
        "curves: without dropout the training accuracy races ahead of the validation accuracy, "
        "and a widening gap between the two is what overfitting looks like.",
    )


def check_good_bad(answer: Any, evaluation: weather.Evaluation) -> CheckResult:
    """What is the accuracy once the classes collapse to good (shine, sunrise) and bad weather?"""
    expected = weather.good_bad_accuracy(evaluation)
    return check(
        answer,
        expected=expected,
        rtol=1e-3,
        hint="a photo counts as right when its truth and its prediction are on the same side: both "
        "in (shine, sunrise) or both in (cloudy, rain). Use evaluation.y_true and evaluation.y_pred",
        explanation="Compare it with the four-class accuracy: mixing up cloudy with rain, or shine "
        "with sunrise, no longer counts as a mistake, so it can only be as high or higher.",
    )
