"""Keras model builders; each imports Keras (TensorFlow) itself, so importing this module is cheap."""

import os
import sys
from collections.abc import Sequence

import numpy as np

from .checks import integer, positive_number


def import_keras():
    """Import Keras with TensorFlow's C++ start-up lines silenced: they go straight to file
    descriptor 2, below Python, and a notebook would store them as output that differs every run."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras

        keras.ops.zeros(1)  # the first operation starts TensorFlow's devices (more messages)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras


#: The slides' names for the 2-2-1 network's weights: ``wj0`` is node j's bias and ``wji`` the
#: weight on the edge from node i to node j (inputs and hidden nodes 1, 2; the output node 3).
SIMPLE_NETWORK_WEIGHT_NAMES = ("w10", "w11", "w12", "w20", "w21", "w22", "w30", "w31", "w32")


def build_simple_network(seed: int | None = None, learning_rate: float | None = None):
    """The slides' network: 2 inputs, 2 sigmoid hidden nodes, 1 output, SGD on the MSE (``None``:
    the slides' ``"sgd"``, rate 0.01). ``seed`` seeds the initial weights (None: random)."""
    import keras

    seed = integer(seed, "seed", low=0, none_ok=True)
    learning_rate = positive_number(learning_rate, "learning_rate", none_ok=True)
    hidden, output = ({} if seed is None else {"kernel_initializer": keras.initializers.GlorotUniform(seed=seed + k)}
                      for k in (0, 1))
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(2, activation="sigmoid", **hidden),
                              keras.layers.Dense(1, **output)])
    model.compile(optimizer="sgd" if learning_rate is None else keras.optimizers.SGD(learning_rate=learning_rate),
                  loss="mse")
    return model


def simple_network_weights(weights: Sequence[np.ndarray]) -> dict[str, float]:
    """The weights of :func:`build_simple_network` (the model or its ``get_weights()``), named as on
    the diagram (``w10`` ... ``w32``)."""
    if hasattr(weights, "get_weights"):
        weights = weights.get_weights()
    shapes = [np.shape(w) for w in weights]
    if shapes != [(2, 2), (2,), (2, 1), (1,)]:
        raise ValueError(f"expected the weights of a 2-2-1 network with shapes [(2, 2), (2,), (2, 1), (1,)], "
                         f"got {shapes}: pass model.get_weights() of build_simple_network()")
    kernel1, bias1, kernel2, bias2 = (np.asarray(w, dtype=float) for w in weights)
    # Keras's kernel[i, j] is the weight from input i to node j; the diagram names it w(j)(i).
    values = [bias1[0], *kernel1[:, 0], bias1[1], *kernel1[:, 1], bias2[0], *kernel2[:, 0]]
    return {name: float(v) for name, v in zip(SIMPLE_NETWORK_WEIGHT_NAMES, values, strict=True)}


def layer_table(model, parameters: bool = True) -> str:
    """A plain-text summary the tests can compare, unlike ``model.summary()`` (terminal-dependent);
    ``parameters=False`` leaves the counts out (an exercise asks for one)."""
    rows = [("layer", "type", "output shape", "parameters")]
    rows += [(layer.name, type(layer).__name__, str(tuple(layer.output.shape[1:])), f"{layer.count_params():,}")
             for layer in model.layers]
    if parameters:
        rows.append(("total", "", "", f"{model.count_params():,}"))
    columns = 4 if parameters else 3
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(row[i].ljust(widths[i]) if i < 3 else row[i].rjust(widths[i])
                               for i in range(columns)).rstrip())
        if k == 0 or (parameters and k == len(rows) - 2):
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)
