"""Transfer learning for notebook 04: frozen ImageNet features of a pretrained backbone, plus a head.

The backbone (:data:`workshop_utils.pretrained.BACKBONE`, EfficientNetB0) turns each photo into
1280 numbers once, with its own ``preprocess_input`` and ``training=False`` (batch
normalisation in inference mode). Those features are cached on disk, keyed by the image size
and the md5 of the weights file, so a re-run reads them in a second instead of running the
network again; a different size, a different weights file, or a changed photo rebuilds them.
The head is a scikit-learn logistic regression on the standardised features: the same model as
a Dense softmax layer, but fitted to its exact optimum in about a second, with no epochs,
learning rate or seed to choose. It is judged with the same :class:`Evaluation` as every other
model of the notebook.

Optional: :func:`fine_tune_model` puts the backbone and the fitted head into one Keras model
and unfreezes the backbone's top layers for a few epochs at a small learning rate.

Reading a cache needs only NumPy; TensorFlow is imported when features must be computed.
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import pretrained
from ..download import DataError
from .dataset import CLASSES, SPLITS
from .evaluation import Evaluation, baseline_probabilities
from .pipelines import _resize, as_image_size, split_files

#: The side of the square photos the backbone sees: the size its ImageNet weights were trained at.
TRANSFER_IMAGE_SIZE = 224
#: Photos per forward pass. 8 rather than 32: the same CPU time (37 against 36 CPU s for all
#: 1121 photos at 224 px) but about 400 MB less memory at its peak (README, "Transfer learning").
FEATURE_BATCH = 8
CACHE_DIRNAME = ".features"  # inside the photo folder: a new layout of the photos drops it too


class WeightsMissing(DataError):
    """The pretrained weights are not in place; the message says how to get them."""


def weights_file(weights: pretrained.PretrainedWeights | None = None) -> Path:
    """The verified weights file, or :class:`WeightsMissing` saying, in one line without any
    path (the notebook prints it), why and how to get it."""
    entry = pretrained.resolve(weights)
    if not pretrained.is_ready(entry):
        what = ("is not the published file" if pretrained.weights_path(entry).is_file()
                else "is not on this machine")
        raise WeightsMissing(
            f"the pretrained weights file ({entry.file_name}) {what}: run `python -m "
            "workshop_utils fetch` (with internet, or --source from a USB stick), then run "
            "this again")
    return pretrained.weights_path(entry)


def backbone(image_size=TRANSFER_IMAGE_SIZE, weights: pretrained.PretrainedWeights | None = None,
             *, random_weights: bool = False):
    """The frozen backbone (no top, global average pooling), with the verified ImageNet weights.

    ``random_weights=True`` builds the same network untrained: only to measure its speed.
    """
    import keras

    entry = pretrained.resolve(weights)
    path = None if random_weights else str(weights_file(entry))
    model = getattr(keras.applications, entry.application)(
        input_shape=(*as_image_size(image_size), 3), include_top=False, weights=path, pooling="avg")
    model.trainable = False
    return model


def preprocess_input(images, weights: pretrained.PretrainedWeights | None = None):
    """The backbone's own preprocessing (``keras.applications.<module>.preprocess_input``)."""
    import keras

    entry = pretrained.resolve(weights)
    return getattr(keras.applications, entry.module).preprocess_input(images)


def extract_features(paths: Sequence[Path], model, *, batch_size: int = FEATURE_BATCH,
                     weights: pretrained.PretrainedWeights | None = None) -> np.ndarray:
    """The backbone's output for every photo, one row each, computed in batches.

    Photos are decoded and resized exactly as for the other networks (:func:`make_dataset`'s
    decode and resize), then go through the backbone's ``preprocess_input`` and the backbone
    with ``training=False``.
    """
    import tensorflow as tf

    if len(paths) == 0:
        raise ValueError("no photos given")
    size = tuple(model.input_shape[1:3])

    def load(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        image = _resize(tf.cast(image, tf.float32), size)
        image.set_shape((*size, 3))
        return image

    dataset = (tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
               .map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
               .batch(batch_size).prefetch(tf.data.AUTOTUNE))
    run = tf.function(lambda x: model(preprocess_input(x, weights), training=False),
                      input_signature=[tf.TensorSpec((None, *size, 3), tf.float32)])  # one trace
    return np.concatenate([run(batch).numpy() for batch in dataset]).astype(np.float32)


# --- The feature cache (NumPy only) ------------------------------------------------------------


def cache_path(root, image_size, weights_md5: str, application: str, cache_dir=None) -> Path:
    """Where the features for this image size and weights file are kept."""
    height, width = as_image_size(image_size)
    folder = Path(root) / CACHE_DIRNAME if cache_dir is None else Path(cache_dir)
    return folder / f"{application}-{height}x{width}-{weights_md5[:16]}.npz"


def _stamp(path: Path) -> str:
    """Changes when the photo file does (size and modification time)."""
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


@dataclass
class Features:
    """Feature rows for some photos, and how they were obtained."""

    values: np.ndarray
    seconds: float
    computed: int  # photos that went through the backbone now (0: all from the cache)
    cache: Path | None


def cached_features(root, paths: Sequence[Path], image_size=TRANSFER_IMAGE_SIZE,
                    weights: pretrained.PretrainedWeights | None = None, *, cache_dir=None,
                    model=None, batch_size: int = FEATURE_BATCH, progress: bool = True) -> Features:
    """The features of ``paths`` (photos under ``root``), from the cache where it has them.

    The cache file is named by the image size and the weights file's md5, and remembers each
    photo's size and modification time: photos it lacks or whose file changed are computed
    (the backbone is built only then, unless ``model`` is given) and the file is rewritten
    atomically. A cache that cannot be written (a read-only folder) is skipped with a note.
    """
    start = time.perf_counter()
    entry = pretrained.resolve(weights)
    path = weights_file(entry)
    md5 = pretrained.md5_file(path)
    target = cache_path(root, image_size, md5, entry.application, cache_dir)
    root = Path(root)
    try:
        keys = [Path(p).resolve().relative_to(root.resolve()).as_posix() for p in paths]
    except ValueError:
        raise ValueError(f"every photo must be inside {root} (the cache is keyed by the path "
                         "relative to it): pass the folder the photos are in as root") from None
    stamps = [_stamp(Path(p)) for p in paths]
    known: dict[str, tuple[str, np.ndarray]] = {}
    if target.is_file():
        try:
            with np.load(target, allow_pickle=False) as stored:
                known = {k: (s, row) for k, s, row in zip(
                    stored["keys"].tolist(), stored["stamps"].tolist(), stored["features"], strict=True)}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # unreadable: computed again
            known = {}
    todo = [i for i, (k, s) in enumerate(zip(keys, stamps, strict=True))
            if k not in known or known[k][0] != s]
    if todo:
        if progress:
            print(f"Computing {entry.application} features of {len(todo)} photos at "
                  f"{as_image_size(image_size)[0]} px (once; later runs read them from the cache) ...",
                  flush=True)
        model = backbone(image_size, entry) if model is None else model
        rows = extract_features([paths[i] for i in todo], model, batch_size=batch_size, weights=entry)
        for i, row in zip(todo, rows, strict=True):
            known[keys[i]] = (stamps[i], row)
        try:
            _write_cache(target, known)
        except OSError as error:
            if progress:
                print(f"Note: could not cache the features in {target.parent} ({error}); they "
                      "will be computed again next time.")
            target = None
    values = np.stack([known[k][1] for k in keys]).astype(np.float32)
    return Features(values, time.perf_counter() - start, len(todo), target)


def _write_cache(target: Path, known: dict[str, tuple[str, np.ndarray]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.stem}.{os.getpid()}.partial.npz")
    names = sorted(known)
    try:
        np.savez(partial, keys=np.asarray(names), stamps=np.asarray([known[k][0] for k in names]),
                 features=np.stack([known[k][1] for k in names]).astype(np.float32))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


# --- The head (scikit-learn) -------------------------------------------------------------------


def transfer_head(C: float = 1.0, seed: int = 0):
    """Standardise the features, then a multinomial logistic regression (a softmax layer
    fitted to its optimum; ``C`` is the inverse strength of the L2 penalty)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000, random_state=seed))


@dataclass
class TransferResult:
    """A fitted head, its test (and validate) evaluations, and what features and fit cost."""

    classifier: object
    evaluation: Evaluation
    validation: Evaluation
    feature_seconds: float
    head_seconds: float
    computed: int  # photos whose features were computed now (0: all came from the cache)
    image_size: tuple[int, int]
    weights: pretrained.PretrainedWeights
    cache: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        where = ("all from the cache" if not self.computed
                 else f"{self.computed} computed now")
        return (f"{self.weights.application} features ({where}) in {self.feature_seconds:.1f} s, "
                f"logistic-regression head fitted in {self.head_seconds:.1f} s.")

    def __repr__(self) -> str:
        return self.message


def train_transfer(root, image_size=TRANSFER_IMAGE_SIZE,
                   weights: pretrained.PretrainedWeights | None = None, *,
                   files: dict[str, tuple[list[Path], np.ndarray]] | None = None,
                   classes: Sequence[str] = CLASSES, C: float = 1.0, seed: int = 0,
                   cache_dir=None, model=None, progress: bool = True) -> TransferResult:
    """Features of every photo (cached), a head fitted on the train split, evaluated on test.

    ``files`` gives other splits of the same photos (``{split: (paths, labels)}``, e.g. one
    round of :func:`cross_validation_rounds`); by default the folders' train/validate/test.
    Raises :class:`WeightsMissing` (a :class:`DataError`) when the weights are not in place.
    """
    entry = pretrained.resolve(weights)
    files = files or {split: split_files(root, split, classes) for split in SPLITS}
    every = [p for split in SPLITS for p in files[split][0]]
    features = cached_features(root, every, image_size, entry, cache_dir=cache_dir, model=model,
                               progress=progress)
    rows, start = {}, 0
    for split in SPLITS:
        rows[split] = features.values[start:start + len(files[split][0])]
        start += len(files[split][0])
    begin = time.perf_counter()
    classifier = transfer_head(C, seed).fit(rows["train"], files["train"][1])
    head_seconds = time.perf_counter() - begin

    def judge(split):
        paths, labels = files[split]
        return Evaluation(labels, baseline_probabilities(classifier, rows[split], len(classes)),
                          tuple(classes), list(paths))

    return TransferResult(classifier, judge("test"), judge("validate"), features.seconds,
                          head_seconds, features.computed, as_image_size(image_size), entry, features.cache)


# --- Optional: fine-tuning the top of the backbone ----------------------------------------------


def head_as_dense(classifier, n_features: int):
    """The fitted scaler + logistic regression as (kernel, bias) of one Dense softmax layer."""
    scaler, regression = classifier[0], classifier[-1]
    coef = regression.coef_ / scaler.scale_  # (classes, features)
    if coef.shape[1] != n_features:
        raise ValueError(f"the head was fitted on {coef.shape[1]} features, the backbone gives {n_features}")
    bias = regression.intercept_ - coef @ scaler.mean_
    return coef.T.astype("float32"), bias.astype("float32")


def fine_tune_model(result: TransferResult, model=None, *, unfreeze: int = 20,
                    learning_rate: float = 1e-5, classes: Sequence[str] = CLASSES):
    """One Keras model: photo -> preprocess -> backbone -> the fitted head as a Dense softmax.

    The top ``unfreeze`` layers of the backbone become trainable (batch normalisation layers
    stay frozen, and the backbone runs with ``training=False``, so their statistics stay the
    ImageNet ones); compiled with Adam at a small ``learning_rate`` so the pretrained weights
    move only a little. Train it with :func:`train_model` on splits of ``result.image_size``.
    """
    import keras

    if len(result.classifier[-1].classes_) != len(classes):
        raise ValueError("the head did not see every class in training; it cannot be fine-tuned")
    base = backbone(result.image_size, result.weights) if model is None else model
    base.trainable = True
    trainable = 0
    for layer in base.layers[:-unfreeze] if unfreeze else base.layers:
        layer.trainable = False
    for layer in base.layers[-unfreeze:] if unfreeze else []:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
        elif layer.weights:
            trainable += 1
    inputs = keras.Input((*result.image_size, 3), name="photo")
    x = base(preprocess_input(inputs, result.weights), training=False)
    head = keras.layers.Dense(len(classes), activation="softmax", name="head")
    outputs = head(x)
    head.set_weights(list(head_as_dense(result.classifier, int(x.shape[-1]))))
    tuned = keras.Model(inputs, outputs, name=f"{result.weights.application.lower()}_fine_tuned")
    tuned.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return tuned
