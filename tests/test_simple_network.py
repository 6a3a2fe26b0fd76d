"""The slides' 2-2-1 Keras network: 9 weights, learns the XOR-like task, repeatable with a seed."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from workshop_utils import seed_everything  # noqa: E402
from workshop_utils.models import (  # noqa: E402
    SIMPLE_NETWORK_WEIGHT_NAMES,
    build_simple_network,
    simple_network_weights,
)
from workshop_utils.regression import make_xor, mse, simple_network_output  # noqa: E402

#: What notebook 03 uses, and the loss it promises: predicting 0.5 everywhere scores 0.25.
SEED, LEARNING_RATE, EPOCHS, BATCH_SIZE = 42, 0.3, 40, 16
TARGET_LOSS = 0.05


def _train(seed: int = SEED):
    seed_everything(seed)
    model = build_simple_network(seed=seed, learning_rate=LEARNING_RATE)
    x, y = make_xor(n=500, noise=0.1, seed=0)
    history = model.fit(x, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    return model, history, x, y


@pytest.fixture(scope="module")
def trained():
    return _train()


def test_exactly_the_slides_architecture_with_nine_trainable_weights():
    model = build_simple_network(seed=0)
    assert model.count_params() == 9
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 9
    hidden, output = model.layers
    assert (hidden.units, hidden.activation.__name__) == (2, "sigmoid")
    assert (output.units, output.activation.__name__) == (1, "linear")
    assert model.input_shape == (None, 2)
    assert model.loss == "mse"


def test_default_optimizer_is_the_slides_sgd():
    model = build_simple_network()
    assert type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    assert float(build_simple_network(learning_rate=0.3).optimizer.learning_rate) == pytest.approx(0.3)


def test_the_same_seed_builds_the_same_network():
    first = simple_network_weights(build_simple_network(seed=3))
    second = simple_network_weights(build_simple_network(seed=3))
    other = simple_network_weights(build_simple_network(seed=4))
    assert first == second and first != other


@pytest.mark.parametrize("seed, learning_rate", [(-1, None), (1.5, None), (0, 0.0), (0, float("nan"))])
def test_bad_arguments_are_refused(seed, learning_rate):
    with pytest.raises(ValueError, match="must be"):
        build_simple_network(seed=seed, learning_rate=learning_rate)


@pytest.mark.slow
def test_learns_the_xor_task_to_the_stated_loss(trained):
    model, history, x, y = trained
    losses = history.history["loss"]
    assert len(losses) == EPOCHS and losses[0] > 0.2
    assert mse(y, model.predict(x, verbose=0).ravel()) < TARGET_LOSS
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    np.testing.assert_allclose(model.predict(corners, verbose=0).ravel(), [0, 1, 1, 0], atol=0.3)


@pytest.mark.slow
def test_training_repeats_exactly_with_the_seed(trained):
    again, history, _, _ = _train()
    assert history.history["loss"] == trained[1].history["loss"]
    assert simple_network_weights(again) == simple_network_weights(trained[0])


def test_named_weights_compute_what_keras_computes(trained):
    model, _, x, _ = trained
    named = simple_network_weights(model)
    assert list(named) == list(SIMPLE_NETWORK_WEIGHT_NAMES)
    np.testing.assert_allclose(
        simple_network_output(x[:50], named), model.predict(x[:50], verbose=0).ravel(), atol=1e-5
    )


def _stderr_of(code: str) -> str:
    """What a fresh Python that runs ``code`` writes to stderr, with TensorFlow's logging at its default."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=env).stderr


def test_import_keras_keeps_tensorflows_start_up_lines_out_of_stderr():
    plain = _stderr_of("import keras; keras.ops.zeros(1)")
    if not plain.strip():
        pytest.skip("TensorFlow printed nothing at start-up on this machine: nothing to silence")
    quiet = _stderr_of("from workshop_utils.models import import_keras; "
                       "keras = import_keras(); keras.ops.zeros(1); import sys; print('after', file=sys.stderr)")
    assert quiet == "after\n"  # silenced during the import only: stderr works again afterwards
