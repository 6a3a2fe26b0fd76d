"""Keras builders of notebook 04's networks: the slides' CNN and a better small one.

Keras is imported inside each builder, never at import time.
"""

import numpy as np

from ..checks import fraction, integer, positive_number

IMAGE_SIZE = (100, 100)  # (height, width) the networks see, as on the slides


def as_image_size(image_size) -> tuple[int, int]:
    """``(height, width)`` from an int (a square) or a pair; ValueError below 8x8 pixels."""
    if isinstance(image_size, int | np.integer):
        image_size = (int(image_size), int(image_size))
    try:
        height, width = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise ValueError(f"image_size must be an int or a (height, width) pair, got {image_size!r}") from None
    if height < 8 or width < 8:
        raise ValueError(f"image_size must be at least 8x8 pixels, got {height}x{width}")
    return height, width

# --- Notebook 04: weather photos -----------------------------------------------------------
#
# Design choice: each weather model takes raw photo pixels (0-255) and holds its own
# preprocessing as its first layers: the random augmentation block (active only while
# training; the identity at inference) and ``Rescaling(1/255)``. The tf.data pipeline stays
# plain (decode, resize, batch, cache, prefetch), and a saved ``.keras`` file classifies a new
# photo with no extra code to keep in step. These layers have no weights, so the parameter
# count is the slides' network's.



def _weather_inputs(image_size, augmentation):
    """Input, then the optional augmentation block, then rescaling to [0, 1]."""
    import keras

    height, width = as_image_size(image_size)
    layers = [keras.Input(shape=(height, width, 3), name="photo")]
    if augmentation is not None:
        layers.append(augmentation)
    layers.append(keras.layers.Rescaling(1.0 / 255, name="rescale"))
    return layers


def _compile_weather(model, learning_rate: float | None, *, decay_steps: int | None = None,
                     label_smoothing: float = 0.0):
    import keras

    learning_rate = positive_number(learning_rate, "learning_rate", none_ok=True)
    decay_steps = integer(decay_steps, "decay_steps", low=1, none_ok=True)
    label_smoothing = fraction(label_smoothing, "label_smoothing")
    if learning_rate is None:
        optimizer = "adam"
    elif decay_steps:
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, int(decay_steps), alpha=0.01)
        optimizer = keras.optimizers.Adam(schedule)
    else:
        optimizer = keras.optimizers.Adam(learning_rate)
    loss = (keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
            if label_smoothing else "categorical_crossentropy")
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def _initializer(seed: int | None, offset: int):
    import keras

    if seed is None:
        return "glorot_uniform"
    return keras.initializers.GlorotUniform(seed=integer(seed, "seed", low=0) + offset)


#: Batches until the better network's learning rate has decayed: 30 epochs of the real photos'
#: 785 training photos in batches of 32 (25 batches each).
BETTER_DECAY_STEPS = 30 * 25


def build_weather_cnn(image_size=IMAGE_SIZE, augmentation=None, *, dropout: float = 0.5,
                      n_classes: int = 4, seed: int | None = None,
                      learning_rate: float | None = None):
    """The slides' weather network, exactly: two 3x3 convolutions, pooling, a big dense layer.

    Input, Conv2D(32, relu, same), Conv2D(16, relu, same), MaxPooling2D(2x2), Flatten,
    Dense(200, relu), Dropout(0.5), Dense(4, softmax); Adam and categorical cross-entropy.
    The model takes raw pixels (0-255): its first layers are ``augmentation`` (if given, e.g.
    ``augment.make_augmentation()``) and ``Rescaling(1/255)``.

    Parameters
    ----------
    image_size : (height, width) of the photos, or one int for square photos.
    augmentation : a Keras layer applied only while training, or None.
    dropout : the dropout rate before the output (0 leaves the Dropout layer out entirely).
    seed : seeds the initial weights; None leaves them to Keras's global seed.
    learning_rate : Adam's step size; None is Keras's default (``optimizer="adam"``, as on the slides).
    """
    import keras

    dropout = fraction(dropout, "dropout")
    layers = _weather_inputs(image_size, augmentation)
    layers += [
        keras.layers.Conv2D(32, 3, padding="same", activation="relu",
                            kernel_initializer=_initializer(seed, 0), name="conv32"),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu",
                            kernel_initializer=_initializer(seed, 1), name="conv16"),
        keras.layers.MaxPooling2D(2, name="pool"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(200, activation="relu", kernel_initializer=_initializer(seed, 2),
                           name="dense200"),
    ]
    if dropout:
        layers.append(keras.layers.Dropout(dropout, seed=seed, name="dropout"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax",
                                     kernel_initializer=_initializer(seed, 3), name="weather"))
    return _compile_weather(keras.Sequential(layers, name="slides_cnn"), learning_rate)


def build_better_cnn(image_size=IMAGE_SIZE, augmentation=None, *, filters=(32, 64, 128, 256),
                     stem_stride: int = 2, dropout: float = 0.3, n_classes: int = 4,
                     seed: int | None = None, learning_rate: float | None = 0.003,
                     decay_steps: int | None = BETTER_DECAY_STEPS, label_smoothing: float = 0.1):
    """A better small network: conv blocks with batch normalisation, then global average pooling.

    Each block is Conv2D(3x3, no bias) -> BatchNormalization -> ReLU, with 2x2 max pooling
    between blocks. Batch normalisation lets Adam take bigger steps (hence the 0.003 rate);
    global average pooling replaces Flatten + Dense(200), so instead of the slides' 8 million
    weights there are about 0.4 million and far less room to memorise the training photos.
    The first convolution moves ``stem_stride`` pixels at a time (a "stem", as in ResNet), so
    every later layer works on a quarter as many positions: per photo this network needs about
    half the multiplications of the slides' one, and its 30 epochs take a little longer than
    the slides' 20.

    Two training refinements: the learning rate follows a cosine curve from ``learning_rate``
    down to 1 % of it over ``decay_steps`` batches (None keeps it constant; the default suits
    the workshop's 30 epochs of 25 batches), and ``label_smoothing`` aims the softmax at 0.925
    rather than 1 for the true class, which keeps the network from growing overconfident.
    """
    import keras

    if not filters:
        raise ValueError("filters must list at least one block's filter count, e.g. (32, 64, 128)")
    stem_stride = integer(stem_stride, "stem_stride", low=1)
    dropout = fraction(dropout, "dropout")
    layers = _weather_inputs(image_size, augmentation)
    for i, n in enumerate(filters):
        if i:
            layers.append(keras.layers.MaxPooling2D(2, name=f"pool{i}"))
        layers += [
            keras.layers.Conv2D(int(n), 3, strides=int(stem_stride) if i == 0 else 1, padding="same",
                                use_bias=False, kernel_initializer=_initializer(seed, i),
                                name=f"conv{i + 1}"),
            keras.layers.BatchNormalization(name=f"norm{i + 1}"),
            keras.layers.ReLU(name=f"relu{i + 1}"),
        ]
    layers.append(keras.layers.GlobalAveragePooling2D(name="average"))
    if dropout:
        layers.append(keras.layers.Dropout(dropout, seed=seed, name="dropout"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax",
                                     kernel_initializer=_initializer(seed, 99), name="weather"))
    return _compile_weather(keras.Sequential(layers, name="better_cnn"), learning_rate,
                            decay_steps=decay_steps, label_smoothing=label_smoothing)
