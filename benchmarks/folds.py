"""Grouped K-fold cross-validation over every photo, for the benchmark only.

The folds come from the package's grouped, stratified split (near-duplicates stay in one fold,
each class dealt in proportion), with the near-duplicate groups that ``fetch_weather`` wrote to
``SPLIT.json``. Each round is laid out as a ``weather-img``-like folder (hard links, or copies
across file systems), so notebook 04's own pipeline cell reads it as it reads the real split.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

#: The file a fetched photo folder describes its split and near-duplicates in.
MARKER = "SPLIT.json"
SPLITS = ("train", "validate", "test")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".bmp")


def split_files(root: Path, split: str) -> tuple[list[Path], np.ndarray]:
    """The photos of one split, by class (in ``weather.CLASSES`` order) then name, and their class
    indices: the order in which ``image_dataset_from_directory`` lists them."""
    from workshop_utils import weather

    paths: list[Path] = []
    labels: list[int] = []
    for index, name in enumerate(weather.CLASSES):
        folder = Path(root) / split / name
        if not folder.is_dir():
            raise ValueError(f"no folder {split}/{name}/ in {root}: give a weather-img folder laid "
                             "out by `python -m workshop_utils fetch`")
        found = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        paths += found
        labels += [index] * len(found)
    return paths, np.asarray(labels, dtype=np.int64)


def photo_groups(root: Path, paths: list[Path]) -> np.ndarray:
    """Near-duplicate group id per photo (from ``SPLIT.json``); a photo in no group is its own."""
    marker = Path(root) / MARKER
    if not marker.is_file():
        raise ValueError(f"{root} has no {MARKER}: cross-validation needs the near-duplicate groups "
                         "that `python -m workshop_utils fetch` records there")
    groups = json.loads(marker.read_text())["duplicate_groups"]
    member = {name: gid for gid, group in enumerate(groups) for name in group["files"]}
    keys = [Path(p).relative_to(root).as_posix() for p in paths]
    return np.asarray([member.get(key, len(groups) + i) for i, key in enumerate(keys)],
                      dtype=np.int64)


def cross_validation_rounds(root: Path, folds: int = 6, seed: int = 0,
                            keep_duplicates_together: bool = True) -> list[dict]:
    """Every photo dealt into ``folds`` grouped, stratified folds, as ``folds`` rounds.

    Round k tests on fold k, watches fold k+1 (its validate split) and trains on the rest, so
    every photo is tested exactly once, by a network that never saw it or its near-duplicates.
    ``keep_duplicates_together=False`` makes every photo its own group, as a random split would:
    only to measure how much leaked copies inflate the accuracy.
    """
    from tools.make_split_table import grouped_stratified_split

    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 3:
        raise ValueError(f"folds must be an integer of at least 3 (a test, a validate and a train "
                         f"fold), got {folds!r}")
    root = Path(root)
    paths: list[Path] = []
    labels = []
    for split in SPLITS:
        p, y = split_files(root, split)
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


def layout_round(files: dict, dest: Path) -> Path:
    """Lay one round out as ``dest/{train,validate,test}/<class>/<photo>``; returns ``dest``."""
    from workshop_utils import weather

    for split in SPLITS:
        for name in weather.CLASSES:
            (dest / split / name).mkdir(parents=True, exist_ok=True)
        for path, label in zip(*files[split], strict=True):
            target = dest / split / weather.CLASSES[int(label)] / Path(path).name
            try:
                os.link(path, target)
            except OSError:  # another file system: copy
                shutil.copyfile(path, target)
    return dest
