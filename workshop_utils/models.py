"""Keras model builders for the notebooks.

Keras (and so TensorFlow) is imported inside each builder, never at the top of this module,
so ``import workshop_utils.models`` stays cheap and the other notebooks never pay for it.
Notebooks 03 and 04 load Keras with :func:`import_keras`, which keeps TensorFlow's start-up
log lines out of their stored outputs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import numpy as np

from .checks import integer, positive_number


def import_keras():
    """Import Keras (and start TensorFlow) with TensorFlow's C++ start-up log lines silenced.

    TensorFlow's C++ side writes GPU-probing messages with timestamps straight to the process's
    stderr (file descriptor 2), below Python, where a notebook captures them as output that
    changes on every run and machine. Errors still raise as Python exceptions.
    """
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


#: The slides' names for the 9 weights of the 2-2-1 network, in diagram order:
#: ``wj0`` is node j's bias and ``wji`` the weight on the edge from input/hidden node i to node j
#: (hidden nodes are 1 and 2, the output node is 3).
SIMPLE_NETWORK_WEIGHT_NAMES = ("w10", "w11", "w12", "w20", "w21", "w22", "w30", "w31", "w32")


def build_simple_network(seed: int | None = None, learning_rate: float | None = None):
    """The slides' "simple" network: 2 inputs, 2 sigmoid hidden nodes, 1 output (9 weights).

    Built exactly as on the slides and compiled with plain SGD on the mean squared error.

    Parameters
    ----------
    seed : seeds the initial weights, so the same seed builds the same network (the order of
        training batches is seeded separately, by ``seed_everything``); None: random.
    learning_rate : None uses ``optimizer="sgd"`` as on the slides (learning rate 0.01);
        a number uses ``keras.optimizers.SGD(learning_rate)``.
    """
    import keras

    seed = integer(seed, "seed", low=0, none_ok=True)
    learning_rate = positive_number(learning_rate, "learning_rate", none_ok=True)

    def init(offset: int):
        return None if seed is None else keras.initializers.GlorotUniform(seed=int(seed) + offset)

    hidden = {} if seed is None else {"kernel_initializer": init(0)}
    output = {} if seed is None else {"kernel_initializer": init(1)}
    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(2, activation="sigmoid", **hidden),
            keras.layers.Dense(1, **output),
        ]
    )
    optimizer = "sgd" if learning_rate is None else keras.optimizers.SGD(learning_rate=learning_rate)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def simple_network_weights(weights: Sequence[np.ndarray]) -> dict[str, float]:
    """Name the 2-2-1 network's weights as on the diagram (``w10`` ... ``w32``).

    Parameters
    ----------
    weights : ``model.get_weights()`` of :func:`build_simple_network`: hidden kernel (2, 2),
        hidden bias (2,), output kernel (2, 1), output bias (1,). A model is accepted too.
    """
    if hasattr(weights, "get_weights"):
        weights = weights.get_weights()
    shapes = [np.shape(w) for w in weights]
    if shapes != [(2, 2), (2,), (2, 1), (1,)]:
        raise ValueError(
            f"expected the weights of a 2-2-1 network with shapes [(2, 2), (2,), (2, 1), (1,)], "
            f"got {shapes}: pass model.get_weights() of build_simple_network()"
        )
    kernel1, bias1, kernel2, bias2 = (np.asarray(w, dtype=float) for w in weights)
    named = {}
    for j in (1, 2):  # hidden node j: bias, then the edges from inputs 1 and 2
        named[f"w{j}0"] = float(bias1[j - 1])
        for i in (1, 2):
            named[f"w{j}{i}"] = float(kernel1[i - 1, j - 1])
    named["w30"] = float(bias2[0])
    for i in (1, 2):
        named[f"w3{i}"] = float(kernel2[i - 1, 0])
    return named


def layer_table(model, parameters: bool = True) -> str:
    """A plain-text summary (layer, output shape, parameters) that is the same on every machine.

    ``model.summary()`` draws with terminal-dependent characters and widths; this table is
    stable, so the notebook's stored output can be compared by the tests. ``parameters=False``
    leaves the parameter counts out (for an exercise that asks for one of them).
    """
    rows = [("layer", "type", "output shape", "parameters")]
    for layer in model.layers:
        shape = tuple(layer.output.shape[1:])
        rows.append((layer.name, type(layer).__name__, str(shape), f"{layer.count_params():,}"))
    rows.append(("total", "", "", f"{model.count_params():,}"))
    columns = 4 if parameters else 3
    if not parameters:
        rows.pop()
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    lines = []
    for k, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) if i < 3 else row[i].rjust(widths[i]) for i in range(columns)]
        lines.append("  ".join(cells).rstrip())
        if k == 0 or (parameters and k == len(rows) - 2):
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)
