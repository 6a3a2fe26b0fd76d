"""The photo folders as file lists, class counts and ``tf.data`` pipelines; cross-validation rounds.

TensorFlow is imported inside the functions that build pipelines, never at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checks import integer
from .dataset import CLASSES, SPLITS
from .split import tally

IMAGE_SIZE = (100, 100)  # (height, width) the networks see; the slides use 100x100
BATCH_SIZE = 32
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")


# --- The photo folders (no TensorFlow) -----------------------------------------------------


def split_files(root, split: str, classes: Sequence[str] = CLASSES) -> tuple[list[Path], np.ndarray]:
    """The photo files of one split, sorted by class then name, and their class indices.

    The class order is fixed by ``classes`` (never by what happens to be on disk), so index 0
    is always "cloudy" and a saved model means the same thing on every machine.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    folder = Path(root) / split
    if not folder.is_dir():
        raise ValueError(
            f"no {split!r} folder in {Path(root).name!r}: expected the layout "
            f"ROOT/{{train,validate,test}}/{{{','.join(classes)}}}/ that "
            "workshop_utils.weather.fetch_weather() makes"
        )
    paths: list[Path] = []
    labels: list[int] = []
    for index, name in enumerate(classes):
        class_dir = folder / name
        if not class_dir.is_dir():
            raise ValueError(f"no class folder {split}/{name}/: expected one folder per class {tuple(classes)}")
        found = sorted(p for p in class_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        paths += found
        labels += [index] * len(found)
    if not paths:
        raise ValueError(f"the {split!r} split has no photos: fetch the data again")
    return paths, np.asarray(labels, dtype=np.int64)


def class_counts(root, classes: Sequence[str] = CLASSES) -> dict[str, dict[str, int]]:
    """How many photos each split holds per class: ``{split: {class: count}}``.

    Print :func:`~workshop_utils.weather.split.counts_table` of it for the table with totals.
    """
    splits, labels = [], []
    for split in SPLITS:
        _, indices = split_files(root, split, classes)
        splits += [split] * len(indices)
        labels += [classes[i] for i in indices]
    return tally(splits, labels, SPLITS, classes)


# --- tf.data pipelines -----------------------------------------------------------------------


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


def _resize(images, image_size):
    """The one resize used for training and for new photos: bilinear with antialiasing."""
    import tensorflow as tf

    return tf.image.resize(images, as_image_size(image_size), method="bilinear", antialias=True)


def make_dataset(paths: Sequence[Path], labels: np.ndarray, *, image_size=IMAGE_SIZE,
                 batch_size: int = BATCH_SIZE, shuffle: bool = False, seed: int = 0,
                 n_classes: int = len(CLASSES)):
    """A ``tf.data`` pipeline of (pixels 0-255 float32, one-hot label) batches.

    Decodes each file once (by content: JPEG, PNG, GIF or BMP), resizes, caches the small
    images in memory, then shuffles (seeded, a new order each epoch), batches and prefetches.
    """
    import tensorflow as tf

    if len(paths) != len(labels):
        raise ValueError(f"got {len(paths)} paths but {len(labels)} labels")
    size = as_image_size(image_size)

    def load(path, label):
        data = tf.io.read_file(path)
        image = tf.io.decode_image(data, channels=3, expand_animations=False)
        image = _resize(tf.cast(image, tf.float32), size)
        image.set_shape((*size, 3))
        return image, tf.one_hot(label, n_classes)

    dataset = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], np.asarray(labels)))
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).cache()
    if shuffle:
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


@dataclass
class WeatherSplits:
    """The three pipelines and the files behind them (test and validate keep their file order)."""

    root: Path
    image_size: tuple[int, int]
    files: dict[str, tuple[list[Path], np.ndarray]]
    datasets: dict[str, object]
    classes: tuple[str, ...] = CLASSES

    @property
    def train(self):
        return self.datasets["train"]

    @property
    def validate(self):
        return self.datasets["validate"]

    @property
    def test(self):
        return self.datasets["test"]


def load_splits(root, image_size=IMAGE_SIZE, batch_size: int = BATCH_SIZE, seed: int = 0,
                classes: Sequence[str] = CLASSES) -> WeatherSplits:
    """Pipelines for train (shuffled, seeded), validate and test (in file order) from ``root``."""
    files = {split: split_files(root, split, classes) for split in SPLITS}
    return splits_from_files(root, files, image_size, batch_size, seed, classes)


def splits_from_files(root, files: dict[str, tuple[list[Path], np.ndarray]], image_size=IMAGE_SIZE,
                      batch_size: int = BATCH_SIZE, seed: int = 0,
                      classes: Sequence[str] = CLASSES) -> WeatherSplits:
    """Pipelines for given ``{split: (paths, labels)}`` (e.g. one round of cross-validation)."""
    datasets = {
        split: make_dataset(*files[split], image_size=image_size, batch_size=batch_size,
                            shuffle=(split == "train"), seed=seed, n_classes=len(classes))
        for split in SPLITS
    }
    return WeatherSplits(Path(root), as_image_size(image_size), files, datasets, tuple(classes))


# --- Cross-validation: a steadier accuracy than one small test split ---------------------------


def cross_validation_rounds(root, folds: int = 6, seed: int = 0, classes: Sequence[str] = CLASSES,
                            keep_duplicates_together: bool = True
                            ) -> list[dict[str, tuple[list[Path], np.ndarray]]]:
    """Every photo under ``root`` dealt into ``folds`` grouped, stratified folds, as rounds.

    Round k tests on fold k, watches fold k+1 (its validate split) and trains on the rest, so
    each photo is tested exactly once, by a network that never saw it or its near-duplicates.
    With 6 folds each round's split is 67/17/17 %, close to the notebook's 70/15/15 %. The folds
    come from the same grouped split as the notebook's (``split.grouped_stratified_split``).
    ``keep_duplicates_together=False`` treats every photo as its own group, as a plain random
    split would: only to measure how much leaked copies inflate the accuracy.
    """
    from .dataset import photo_groups
    from .split import grouped_stratified_split

    folds = integer(folds, "folds", low=3, note="a test, a validate and a train fold")
    paths: list[Path] = []
    labels: list[np.ndarray] = []
    for split in SPLITS:
        p, y = split_files(root, split, classes)
        paths += p
        labels.append(y)
    y_all = np.concatenate(labels)
    groups = photo_groups(root, paths) if keep_duplicates_together else np.arange(len(paths))
    fold_of = grouped_stratified_split(y_all, groups, [1 / folds] * folds, seed=seed)
    rounds = []
    for k in range(folds):
        role = {"test": fold_of == k, "validate": fold_of == (k + 1) % folds}
        role["train"] = ~(role["test"] | role["validate"])
        rounds.append({split: ([paths[i] for i in np.flatnonzero(role[split])], y_all[role[split]])
                       for split in SPLITS})
    return rounds
