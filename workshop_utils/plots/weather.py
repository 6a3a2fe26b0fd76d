"""Figures for notebook 04 (weather photos); each function returns a matplotlib Figure.

Figures are made without pyplot, so a notebook shows each one once (as the cell's value).
Each class has the same colour in every figure (:data:`CLASS_COLORS`, from the Okabe-Ito
palette in :mod:`.palette`), and is always named too: colour never carries meaning alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..weather import CLASSES, Evaluation, read_image, split_files
from . import palette

CLASS_COLORS = {"cloudy": palette.GREY, "rain": palette.BLUE, "shine": palette.ORANGE,
                "sunrise": palette.REDDISH_PURPLE}
SPLIT_COLORS = {"train": palette.BLUE, "validate": palette.ORANGE, "test": palette.BLUISH_GREEN}
SPLIT_HATCHES = {"train": "", "validate": "//", "test": ".."}  # the splits differ in texture too
WRONG_COLOR = palette.VERMILLION  # a wrong prediction's title, which also says "WRONG"


def _color(name: str) -> str:
    return CLASS_COLORS.get(name, palette.DATA)


def _photo(ax: Axes, image, title: str = "", color: str = palette.BLACK) -> None:
    ax.imshow(read_image(image))
    ax.set_title(title, fontsize=9, color=color)
    ax.set_axis_off()


def _grid(n: int, columns: int, cell: float = 1.9) -> tuple[Figure, np.ndarray]:
    rows = max(1, int(np.ceil(n / columns)))
    fig = Figure(figsize=(cell * columns, cell * rows + 0.3), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax in axes[n:]:
        ax.set_axis_off()
    return fig, axes


def photo_grid(root, split: str = "train", per_class: int = 5, seed: int = 0,
               classes: Sequence[str] = CLASSES) -> Figure:
    """A few photos of each class, one row per class (picked at random, seeded)."""
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    paths, labels = split_files(root, split, classes)
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(1.8 * per_class, 1.7 * len(classes)), layout="constrained")
    axes = fig.subplots(len(classes), per_class, squeeze=False)
    for row, name in enumerate(classes):
        mine = np.flatnonzero(labels == row)
        chosen = rng.choice(mine, size=min(per_class, mine.size), replace=False)
        for col in range(per_class):
            ax = axes[row, col]
            ax.set_axis_off()
            if col < chosen.size:
                _photo(ax, paths[chosen[col]])
        axes[row, 0].text(-0.08, 0.5, name, transform=axes[row, 0].transAxes, rotation=90,
                          ha="right", va="center", fontsize=11, color=_color(name), weight="bold")
    fig.suptitle(f"{split} photos, {per_class} per class")
    return fig


def class_balance(counts: Mapping[str, Mapping[str, int]]) -> Figure:
    """Photos per class, stacked by split: are the classes balanced, is every split represented?"""
    splits = list(counts)
    classes = list(next(iter(counts.values())))
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.subplots()
    bottom = np.zeros(len(classes))
    for split in splits:
        values = np.array([counts[split][c] for c in classes])
        ax.bar(classes, values, bottom=bottom, label=split, color=SPLIT_COLORS.get(split, palette.GREY),
               hatch=SPLIT_HATCHES.get(split, ""), edgecolor=palette.WHITE)
        bottom += values
    for x, total in enumerate(bottom):
        ax.text(x, total, f"{int(total)}", ha="center", va="bottom")
    ax.set(ylabel="photos", title="Photos per class and split")
    ax.set_ylim(0, bottom.max() * 1.15)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return fig


def duplicate_pair(pair: Sequence, titles: Sequence[str] | None = None) -> Figure:
    """Two near-duplicate photos side by side: they must land in the same split."""
    if len(pair) != 2:
        raise ValueError(f"expected a pair of photos, got {len(pair)}")
    titles = titles or [f"{Path(p).parent.parent.name}/{Path(p).parent.name}/{Path(p).name}" for p in pair]
    fig = Figure(figsize=(6, 2.8), layout="constrained")
    for ax, image, title in zip(fig.subplots(1, 2), pair, titles, strict=True):
        _photo(ax, image, title)
    fig.suptitle("A near-duplicate pair: one group, so one split")
    return fig


def augmentation_grid(images: np.ndarray, columns: int = 3, title: str = "") -> Figure:
    """A photo and its augmented copies (from ``augment.augment_examples``); the first is the original."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"expected a stack of images (n, height, width, 3), got shape {images.shape}")
    fig, axes = _grid(len(images), columns)
    for i, (ax, image) in enumerate(zip(axes, images, strict=False)):
        _photo(ax, image, "original" if i == 0 else f"augmented {i}")
    if title:
        fig.suptitle(title)
    return fig


def training_curves(history: Mapping[str, Sequence[float]], title: str = "") -> Figure:
    """Loss and accuracy per epoch on the training and validation photos."""
    if not history or "loss" not in history:
        raise ValueError("no learning curves to draw: the model was loaded, not trained, here")
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    for ax, metric in zip(fig.subplots(1, 2), ("loss", "accuracy"), strict=True):
        for k, (prefix, label, style) in enumerate((("", "training", "-o"), ("val_", "validation", "--s"))):
            values = history.get(prefix + metric)
            if values:
                ax.plot(np.arange(1, len(values) + 1), values, style, ms=3, label=label,
                        color=palette.color(k))
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if metric == "accuracy":
            ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def _probability_bars(ax: Axes, probabilities: Sequence[float], classes: Sequence[str],
                      truth: int | None = None) -> None:
    y = np.arange(len(classes))
    colors = [_color(c) for c in classes]
    ax.barh(y, probabilities, color=colors, edgecolor=[palette.BLACK if i == truth else "none" for i in y],
            linewidth=1.5)
    ax.set_yticks(y, [f"{c} (truth)" if i == truth else c for i, c in enumerate(classes)])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    for i, p in enumerate(probabilities):
        ax.text(min(p + 0.02, 0.82), i, f"{p:.2f}", va="center", fontsize=8)


def example_predictions(evaluation: Evaluation, which: Mapping[str, int | None] | None = None) -> Figure:
    """As on the slides: a Good, a Meh and a Bad example, each photo next to its probabilities."""
    which = {k: v for k, v in (which or evaluation.examples()).items() if v is not None}
    if not which:
        raise ValueError("no examples to show: the evaluation is empty")
    fig = Figure(figsize=(8, 2.3 * len(which)), layout="constrained")
    axes = fig.subplots(len(which), 2, squeeze=False, width_ratios=[1, 1.6])
    for row, (label, index) in enumerate(which.items()):
        truth, predicted = int(evaluation.y_true[index]), int(evaluation.y_pred[index])
        right = truth == predicted
        _photo(axes[row, 0], evaluation.files[index],
               f"{label}: {evaluation.classes[truth]}, predicted {evaluation.classes[predicted]}"
               + ("" if right else " (WRONG)"),
               color=palette.BLACK if right else WRONG_COLOR)
        _probability_bars(axes[row, 1], evaluation.probabilities[index], evaluation.classes, truth)
    return fig


def confusion_matrix(evaluation: Evaluation, title: str = "") -> Figure:
    """Counts of (true class, predicted class): the diagonal is right, the rest says what is confused."""
    matrix = evaluation.confusion
    fig = Figure(figsize=(4.6, 4), layout="constrained")
    ax = fig.subplots()
    ax.imshow(matrix, cmap=palette.sequential())
    k = len(evaluation.classes)
    ax.set_xticks(range(k), evaluation.classes, rotation=30)
    ax.set_yticks(range(k), evaluation.classes)
    ax.set(xlabel="predicted", ylabel="truth",
           title=title or f"Test accuracy {evaluation.accuracy:.1%}")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center",
                    color=palette.WHITE if matrix[i, j] > threshold else palette.BLACK)
    return fig


def misclassified_gallery(evaluation: Evaluation, max_photos: int = 12, columns: int = 4) -> Figure:
    """The wrongly classified photos, most confidently wrong first, titled truth -> predicted."""
    wrong = evaluation.misclassified()[:max_photos]
    fig, axes = _grid(max(len(wrong), 1), columns)
    if not wrong:
        axes[0].text(0.5, 0.5, "no mistakes on this split", ha="center", va="center")
        axes[0].set_axis_off()
        return fig
    for ax, index in zip(axes, wrong, strict=False):
        truth, predicted = evaluation.y_true[index], evaluation.y_pred[index]
        p = evaluation.probabilities[index, predicted]
        _photo(ax, evaluation.files[index],
               f"{evaluation.classes[truth]} -> {evaluation.classes[predicted]} ({p:.2f})")
    total = len(evaluation.misclassified())
    fig.suptitle(f"Misclassified: {len(wrong)} of {total} shown (truth -> predicted, probability)")
    return fig


def probability_chart(probabilities: Mapping[str, float], image=None, title: str = "") -> Figure:
    """The probabilities for one new photo (from ``classify_image``), with the photo if given."""
    classes = list(probabilities)
    values = [probabilities[c] for c in classes]
    fig = Figure(figsize=(7 if image is not None else 4.5, 2.6), layout="constrained")
    if image is not None:
        photo_ax, ax = fig.subplots(1, 2, width_ratios=[1, 1.4])
        _photo(photo_ax, image)
    else:
        ax = fig.subplots()
    _probability_bars(ax, values, classes)
    best = classes[int(np.argmax(values))]
    ax.set_title(title or f"Looks like: {best} ({max(values):.0%})")
    return fig


def accuracy_comparison(accuracies: Mapping[str, float], title: str = "Test accuracy") -> Figure:
    """One bar per approach (baseline, slides' network, better network) on the same test photos."""
    names = list(accuracies)
    values = [accuracies[n] for n in names]
    fig = Figure(figsize=(6, 0.5 + 0.55 * len(names)), layout="constrained")
    ax = fig.subplots()
    ax.barh(names, values, color=palette.DATA)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    for i, v in enumerate(values):
        inside = v > 0.85  # write the number inside long bars, so it stays readable
        ax.text(v - 0.01 if inside else v + 0.01, i, f"{v:.1%}", va="center",
                ha="right" if inside else "left", color=palette.WHITE if inside else palette.BLACK)
    ax.set(xlabel="fraction of test photos classified correctly", title=title)
    return fig
