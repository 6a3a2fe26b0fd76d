"""Transfer learning, section 9 of notebook 04: the feature cache, and the fine-tuning model.

The page builds the backbone, runs ``predict`` and fits the head; this keeps the features on disk
(computed again when a photo changes or the file cannot be read) and builds the optional model.
"""

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import files
from .evaluation import split_files
from .split import CLASSES

CACHE_DIRNAME = ".features"  # inside weather-img/: a new layout of the photos drops it too


def cached_features(photos, split: str, key: str, compute: Callable[[str], np.ndarray]) -> np.ndarray:
    """``compute(split)`` (one row per photo of the split, in file order), cached on disk by ``key``."""
    paths, _ = split_files(Path(photos) / split)
    stamps = np.asarray([f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths])
    target = Path(photos) / CACHE_DIRNAME / f"{key}-{split}.npz"
    try:
        with np.load(target, allow_pickle=False) as stored:
            if np.array_equal(stored["stamps"], stamps):
                return stored["features"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # missing, unreadable or stale: computed again
    features = np.asarray(compute(split), dtype=np.float32)
    if len(features) != len(paths):
        raise ValueError(f"got {len(features)} feature rows for the {len(paths)} photos of {split}")
    try:
        with files.writing(target) as tmp:
            np.savez(tmp, stamps=stamps, features=features)
    except OSError as error:
        print(f"Note: could not cache the features ({error.strerror or error}); they will be "
              "computed again next time.")
    return features


def head_as_dense(head, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """A fitted scaler + logistic regression as (kernel, bias) of one Dense softmax layer."""
    scaler, regression = head[0], head[-1]
    coef = regression.coef_ / scaler.scale_  # (classes, features)
    if coef.shape[1] != n_features:
        raise ValueError(f"the head was fitted on {coef.shape[1]} features, the backbone gives {n_features}")
    return coef.T.astype("float32"), (regression.intercept_ - coef @ scaler.mean_).astype("float32")


def fine_tune_model(backbone, head, preprocess_input, *, unfreeze: int = 20,
                    learning_rate: float = 1e-5, n_classes: int = len(CLASSES)):
    """One Keras model, photo -> ``preprocess_input`` -> backbone -> the fitted head as Dense.

    The backbone's top ``unfreeze`` layers become trainable (batch normalisation stays frozen
    and runs in inference mode), with Adam at a small learning rate, so the pretrained weights
    move only a little. Train it with ``fit`` on photos of the backbone's input size.
    """
    import keras

    if len(head[-1].classes_) != n_classes:
        raise ValueError(f"the head saw {len(head[-1].classes_)} of the {n_classes} classes in "
                         "training: it must be fitted on every class before it can be fine-tuned")
    backbone.trainable = True
    for i, layer in enumerate(backbone.layers):
        layer.trainable = (i >= len(backbone.layers) - unfreeze
                           and not isinstance(layer, keras.layers.BatchNormalization))
    inputs = keras.Input(backbone.input_shape[1:], name="photo")
    features = backbone(preprocess_input(inputs), training=False)
    dense = keras.layers.Dense(n_classes, activation="softmax", name="head")
    outputs = dense(features)
    dense.set_weights(list(head_as_dense(head, int(features.shape[-1]))))
    model = keras.Model(inputs, outputs, name=f"{backbone.name}_fine_tuned")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model
