"""Notebook 04's maths on the page, checked against Keras: a convolution by hand, softmax, loss.

The page computes a convolution with a plain double loop, the last layer's four numbers as
``h @ W + b``, softmax with ``np.exp``, and the loss as ``-log`` of the true class's probability.
These tests do the same arithmetic on random inputs and real (small, untrained) Keras models, so
what the page prints next to Keras's numbers is equal for every photo, not only for one.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

keras = pytest.importorskip("keras")

from workshop_utils import weather  # noqa: E402
from workshop_utils.weather.augment import make_augmentation  # noqa: E402

SIZE = (32, 32)


def convolution_by_hand(patch: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The page's double loop over positions, generalised to channels: multiply and add."""
    if patch.ndim == 2:
        patch, kernel = patch[..., None], kernel[..., None]
    rows, columns = patch.shape[0] - kernel.shape[0] + 1, patch.shape[1] - kernel.shape[1] + 1
    output = np.zeros((rows, columns))
    for i in range(rows):
        for j in range(columns):
            output[i, j] = sum(patch[i + a, j + b, c] * kernel[a, b, c] for a in range(kernel.shape[0])
                               for b in range(kernel.shape[1]) for c in range(kernel.shape[2]))
    return output


def keras_convolution(patch: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The same kernel in a ``Conv2D`` layer (bias 0, no padding), as the page sets it."""
    if patch.ndim == 2:
        patch, kernel = patch[..., None], kernel[..., None]
    conv = keras.layers.Conv2D(1, kernel.shape[:2])
    conv.build((None, *patch.shape))
    conv.set_weights([kernel[..., None], np.zeros(1)])
    return np.asarray(conv(patch[None].astype("float32")))[0, :, :, 0]


@st.composite
def patches_and_kernels(draw):
    channels = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(kh, 8)), draw(st.integers(kw, 8))
    values = st.floats(-1, 1, width=32)
    return (draw(arrays(np.float32, (h, w, channels), elements=values)),
            draw(arrays(np.float32, (kh, kw, channels), elements=values)))


@settings(max_examples=30, deadline=None)
@given(patches_and_kernels())
def test_convolution_by_hand_is_kerass_conv2d(case):
    patch, kernel = case
    np.testing.assert_allclose(convolution_by_hand(patch, kernel), keras_convolution(patch, kernel), atol=1e-5)


def test_the_pages_grey_patch_and_edge_kernel_give_kerass_numbers():
    """As on the page: grey levels 0-255, the horizontal-edge kernel, 6x6 pixels -> 4x4 numbers."""
    patch = np.random.default_rng(0).integers(0, 256, (6, 6)).astype(float)
    kernel = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
    by_hand = convolution_by_hand(patch, kernel)
    assert by_hand.shape == (4, 4)
    np.testing.assert_allclose(by_hand, keras_convolution(patch, kernel), atol=1e-5)
    bright_above = np.vstack([np.full((3, 6), 200.0), np.full((3, 6), 50.0)])
    assert convolution_by_hand(bright_above, kernel)[1, 0] == 4 * 150  # the edge: (1 + 2 + 1) * 150
    assert convolution_by_hand(bright_above, kernel)[0, 0] == 0  # rows 0-2 alike: no edge


def test_keras_slides_the_kernel_without_flipping_it():
    """Cross-correlation (what the page and Keras compute), not the textbook convolution."""
    from scipy.signal import convolve2d, correlate2d

    rng = np.random.default_rng(1)
    patch, kernel = rng.uniform(0, 1, (6, 6)), np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, -1.0, -3.0]])
    by_keras = keras_convolution(patch, kernel)
    np.testing.assert_allclose(by_keras, correlate2d(patch, kernel, mode="valid"), atol=1e-5)
    assert not np.allclose(by_keras, convolve2d(patch, kernel, mode="valid"), atol=1e-2)


def test_the_slides_first_layer_is_32_kernels_of_3x3x3_and_a_bias():
    model = weather.build_weather_cnn(SIZE, make_augmentation(seed=0), seed=0)
    first = model.layers[2]  # the page's index: 0 augmentation, 1 rescaling
    assert isinstance(first, keras.layers.Conv2D)
    kernels, biases = first.get_weights()
    assert kernels.shape == (3, 3, 3, 32) and biases.shape == (32,)
    assert first.count_params() == 32 * (3 * 3 * 3 + 1) == 896
    x = np.random.default_rng(2).uniform(0, 255, (1, *SIZE, 3)).astype("float32")
    maps = np.asarray(keras.Model(model.inputs[0], first.output)(x, training=False))[0]
    pixels = np.pad(x[0] / 255, ((1, 1), (1, 1), (0, 0)))  # padding="same": a border of zeros
    k = int(np.argmax(maps[4, 9]))  # a kernel that responds here (ReLU leaves a positive number)
    assert maps[4, 9, k] > 0
    by_hand = convolution_by_hand(pixels[4:7, 9:12], kernels[..., k]) + biases[k]
    np.testing.assert_allclose(maps[4, 9, k], by_hand[0, 0], atol=1e-5)


# --- the last layer: h @ W + b, softmax, cross-entropy ------------------------------------------

@pytest.fixture(scope="module")
def model():
    """The slides' network, small and untrained, with its augmentation block (as on the page)."""
    keras.utils.set_random_seed(0)
    return weather.build_weather_cnn(SIZE, make_augmentation(seed=0), seed=0)


@pytest.fixture(scope="module")
def photos():
    return np.random.default_rng(3).uniform(0, 255, (6, *SIZE, 3)).astype("float32")


def test_softmax_of_h_w_b_is_the_models_output(model, photos):
    up_to_last = keras.Model(model.inputs[0], model.layers[-2].output)  # as the page builds it
    h = np.asarray(up_to_last(photos, training=False))
    W, b = model.layers[-1].get_weights()
    z = h @ W + b
    p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    np.testing.assert_allclose(p, np.asarray(model(photos, training=False)), atol=1e-5)
    np.testing.assert_allclose(p, model.predict(photos, verbose=0), atol=1e-5)
    np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-6)


def test_training_false_switches_the_augmentation_off(model, photos):
    """The page passes training=False: then the photo goes through untouched, every time."""
    first = np.asarray(model(photos, training=False))
    np.testing.assert_array_equal(first, np.asarray(model(photos, training=False)))
    np.testing.assert_allclose(first, model.predict(photos, verbose=0), atol=1e-6)


def test_minus_log_of_the_true_class_is_kerass_loss(model, photos):
    truth = np.array([0, 1, 2, 3, 3, 0])
    evaluation = weather.Evaluation(truth, model.predict(photos, verbose=0))
    losses = -np.log(evaluation.probabilities[np.arange(len(truth)), evaluation.y_true])
    one_hot = np.eye(4)[truth]
    assert losses.mean() == pytest.approx(model.evaluate(photos, one_hot, verbose=0)[0], abs=1e-5)
    full_sum = -np.sum(one_hot * np.log(evaluation.probabilities), axis=1)  # every class, 0 * log p
    np.testing.assert_allclose(losses, full_sum, atol=1e-9)


def test_the_slides_three_examples_losses():
    slides = {"Good": (3, [0.04, 0.01, 0.04, 0.91]), "Meh": (3, [0.01, 0.03, 0.42, 0.54]),
              "Bad": (0, [0.05, 0.01, 0.94, 0.0])}
    losses = {name: -np.log(p[truth]) for name, (truth, p) in slides.items()}
    assert losses == pytest.approx({"Good": 0.0943, "Meh": 0.6162, "Bad": 2.9957}, abs=1e-4)
    assert losses["Good"] < losses["Meh"] < losses["Bad"]
    with np.errstate(divide="ignore", invalid="ignore"):  # the slide's rounded 0.0, in the full sum
        assert np.isnan(-np.sum(np.eye(4)[0] * np.log(slides["Bad"][1])))
