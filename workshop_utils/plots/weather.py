"""Figures for notebook 04 (weather photos), each a matplotlib Figure made without pyplot (so a
notebook shows it once); a class keeps one colour (:data:`CLASS_COLORS`) and is always named too."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..weather import CLASSES, Evaluation, read_image
from . import palette

CLASS_COLORS = {"cloudy": palette.GREY, "rain": palette.BLUE, "shine": palette.ORANGE,
                "sunrise": palette.REDDISH_PURPLE}
SPLIT_COLORS = {"train": palette.BLUE, "validate": palette.ORANGE, "test": palette.BLUISH_GREEN}
SPLIT_HATCHES = {"train": "", "validate": "//", "test": ".."}  # the splits differ in texture too


def _photo(ax: Axes, image, title: str = "", color: str = palette.BLACK) -> None:
    ax.imshow(read_image(image, max_side=256))  # a thumbnail: never the whole photo in memory
    ax.set_title(title, fontsize=9, color=color)
    ax.set_axis_off()


def _grid(n: int, columns: int, cell: float = 1.9) -> tuple[Figure, np.ndarray]:
    rows = max(1, int(np.ceil(n / columns)))
    fig = Figure(figsize=(cell * columns, cell * rows + 0.3), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax in axes:
        ax.set_axis_off()
    return fig, axes


def photo_grid(root, split: str = "train", per_class: int = 5, seed: int = 0,
               classes: Sequence[str] = CLASSES) -> Figure:
    """A few photos of each class, one row per class (picked at random, seeded)."""
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    rng = np.random.default_rng(seed)
    fig, axes = _grid(per_class * len(classes), per_class, cell=1.8)
    for row, name in zip(axes.reshape(len(classes), per_class), classes, strict=True):
        files = sorted((Path(root) / split / name).glob("*.jpg"))
        if not files:
            raise ValueError(f"no photos in {Path(root) / split / name}: run weather.weather_images() first")
        for ax, i in zip(row, rng.permutation(len(files))[:per_class], strict=False):
            _photo(ax, files[i])
        row[0].text(-0.08, 0.5, name, transform=row[0].transAxes, rotation=90, ha="right",
                    va="center", fontsize=11, color=CLASS_COLORS.get(name, palette.DATA), weight="bold")
    fig.suptitle(f"{split} photos, {per_class} per class")
    return fig


def class_balance(counts: Mapping[str, Mapping[str, int]]) -> Figure:
    """Photos per class, stacked by split: are the classes balanced, is every split represented?"""
    classes = list(next(iter(counts.values())))
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.subplots()
    bottom = np.zeros(len(classes))
    for split, per_class in counts.items():
        values = np.array([per_class[c] for c in classes])
        ax.bar(classes, values, bottom=bottom, label=split, color=SPLIT_COLORS.get(split, palette.GREY),
               hatch=SPLIT_HATCHES.get(split, ""), edgecolor=palette.WHITE)
        bottom += values
    ax.bar_label(ax.containers[-1], labels=[f"{int(total)}" for total in bottom])  # the totals
    ax.set(ylabel="photos", title="Photos per class and split", ylim=(0, bottom.max() * 1.15))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return fig


def duplicate_pair(pair: Sequence) -> Figure:
    """Two near-duplicate photos side by side (titled split/class/file): they must land in the same split."""
    if len(pair) != 2:
        raise ValueError(f"expected a pair of photos, got {len(pair)}")
    fig = Figure(figsize=(6, 2.8), layout="constrained")
    for ax, path in zip(fig.subplots(1, 2), pair, strict=True):
        _photo(ax, path, "/".join(Path(path).parts[-3:]))
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
                ax.plot(np.arange(1, len(values) + 1), values, style, ms=3, label=label, color=palette.color(k))
        ax.set(xlabel="epoch", ylabel=metric, title=metric, ylim=(0, 1.02) if metric == "accuracy" else None)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(title)
    return fig


def _probability_bars(ax: Axes, probabilities: Sequence[float], classes: Sequence[str],
                      truth: int | None = None) -> None:
    y = np.arange(len(classes))
    ax.barh(y, probabilities, color=[CLASS_COLORS.get(c, palette.DATA) for c in classes],
            edgecolor=[palette.BLACK if i == truth else "none" for i in y], linewidth=1.5)
    ax.set_yticks(y, [f"{c} (truth)" if i == truth else c for i, c in enumerate(classes)])
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="probability")
    for i, p in enumerate(probabilities):
        ax.text(min(p + 0.02, 0.82), i, f"{p:.2f}", va="center", fontsize=8)


def example_predictions(evaluation: Evaluation) -> Figure:
    """As on the slides: a Good, a Meh and a Bad example, each photo next to its probabilities."""
    which = {k: v for k, v in evaluation.examples().items() if v is not None}
    if not which:
        raise ValueError("no examples to show: the evaluation is empty")
    fig = Figure(figsize=(8, 2.3 * len(which)), layout="constrained")
    axes = fig.subplots(len(which), 2, squeeze=False, width_ratios=[1, 1.6])
    for row, (label, index) in enumerate(which.items()):
        truth, predicted = int(evaluation.y_true[index]), int(evaluation.y_pred[index])
        right = truth == predicted
        _photo(axes[row, 0], evaluation.files[index],
               f"{label}: {evaluation.classes[truth]}, predicted {evaluation.classes[predicted]}"
               + ("" if right else " (WRONG)"), color=palette.BLACK if right else palette.BAD)
        _probability_bars(axes[row, 1], evaluation.probabilities[index], evaluation.classes, truth)
    return fig


def confusion_matrix(evaluation: Evaluation, title: str = "") -> Figure:
    """Counts of (true class, predicted class): the diagonal is right, the rest says what is confused."""
    from sklearn.metrics import ConfusionMatrixDisplay

    fig = Figure(figsize=(4.6, 4), layout="constrained")
    ax = fig.subplots()
    ConfusionMatrixDisplay(evaluation.confusion, display_labels=evaluation.classes).plot(
        ax=ax, cmap=palette.sequential(), colorbar=False, xticks_rotation=30)
    ax.set(xlabel="predicted", ylabel="truth", title=title or f"Test accuracy {evaluation.accuracy:.1%}")
    return fig


def misclassified_gallery(evaluation: Evaluation, max_photos: int = 12, columns: int = 4) -> Figure:
    """The wrongly classified photos, most confidently wrong first, titled truth -> predicted."""
    wrong = evaluation.misclassified()
    fig, axes = _grid(max(min(len(wrong), max_photos), 1), columns)
    if not wrong:
        axes[0].text(0.5, 0.5, "no mistakes on this split", ha="center", va="center")
    for ax, index in zip(axes, wrong[:max_photos], strict=False):
        truth, predicted = evaluation.y_true[index], evaluation.y_pred[index]
        _photo(ax, evaluation.files[index], f"{evaluation.classes[truth]} -> {evaluation.classes[predicted]}"
                                            f" ({evaluation.probabilities[index, predicted]:.2f})")
    fig.suptitle(f"Misclassified: {min(len(wrong), max_photos)} of {len(wrong)} shown "
                 "(truth -> predicted, probability)")
    return fig


def probability_chart(probabilities: Mapping[str, float], image, title: str = "") -> Figure:
    """A photo next to its probabilities (from ``classify_image``)."""
    classes, values = list(probabilities), list(probabilities.values())
    fig = Figure(figsize=(7, 2.6), layout="constrained")
    photo_ax, ax = fig.subplots(1, 2, width_ratios=[1, 1.4])
    _photo(photo_ax, image)
    _probability_bars(ax, values, classes)
    ax.set_title(title or f"Looks like: {classes[int(np.argmax(values))]} ({max(values):.0%})")
    return fig


def accuracy_comparison(results: Mapping[str, Evaluation | tuple[float, float, float]],
                        title: str = "Test accuracy, with its 95 % interval") -> Figure:
    """One bar per approach on the same test photos, with its 95 % interval (whiskers): where two
    overlap much, this test set cannot tell them apart. Values: Evaluations or (accuracy, low, high)."""
    rows = []
    for name, result in results.items():
        if isinstance(result, Evaluation):
            result = (result.accuracy, *result.accuracy_interval())
        if np.shape(result) != (3,):
            raise ValueError(f"{name!r}: expected an Evaluation or (accuracy, low, high), got {result!r} "
                             "(Evaluation.accuracy_interval() gives low and high)")
        rows.append(result)
    values, low, high = np.array(rows, dtype=float).reshape(-1, 3).T
    fig = Figure(figsize=(6.5, 0.8 + 0.55 * len(rows)), layout="constrained")
    ax = fig.subplots()
    ax.barh(list(results), values, color=palette.DATA, xerr=[values - low, high - values], capsize=4)
    for i, (v, lo, hi) in enumerate(zip(values, low, high, strict=True)):
        inside = lo > 0.45  # the number inside a long bar, in white; after a short one's whisker
        ax.text(0.01 if inside else hi + 0.01, i, f"{v:.1%} ({lo:.0%} to {hi:.0%})", va="center",
                color=palette.WHITE if inside else palette.BLACK)
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="fraction of test photos classified correctly", title=title)
    return fig


def _numbers(ax: Axes, matrix: np.ndarray, title: str, cmap=None) -> None:
    """A small matrix as coloured squares, each value written in (grey levels 0-255 without ``cmap``)."""
    limit = float(np.abs(matrix).max()) or 1.0
    image = ax.imshow(read_image(matrix.astype(np.uint8)) if cmap is None else matrix, cmap=cmap,
                      vmin=-limit, vmax=limit)  # uint8 grey: 0 black, 255 white
    for (i, j), value in np.ndenumerate(matrix):
        shade = (value / 255,) * 3 if cmap is None else image.cmap(image.norm(value))
        ax.text(j, i, f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}", ha="center",
                va="center", fontsize=8, color=palette.text_on(shade))
    ax.set(title=title, xticks=[], yticks=[])


def convolution_figure(gray, corner: tuple[int, int], kernel, output) -> Figure:
    """The grey photo (levels 0-255) with a patch outlined at ``corner`` (row, column), then the
    patch, the kernel and the output of sliding the kernel over the patch, each number written in."""
    gray, kernel, output = np.clip(gray, 0, 255), np.asarray(kernel), np.asarray(output)
    size = len(output) + len(kernel) - 1  # a 3x3 kernel fits 4 times across 6 pixels
    top, left = corner
    patch = gray[top:top + size, left:left + size]
    if patch.shape != (size, size) or min(corner) < 0:
        raise ValueError(f"a {size}x{size} patch at {corner} does not fit in the {gray.shape} photo")
    fig = Figure(figsize=(12, 3.1), layout="constrained")
    axes = fig.subplots(1, 4, width_ratios=[1.2, 1, 0.6, 0.75])
    _photo(axes[0], gray.astype(np.uint8), f"the photo in grey, the {size}x{size} patch outlined")
    axes[0].add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False,
                                edgecolor=palette.HIGHLIGHT, linewidth=2))
    _numbers(axes[1], patch, "the patch (0 black, 255 white)")
    _numbers(axes[2], kernel, "the kernel", palette.diverging())
    _numbers(axes[3], output, "the output", palette.diverging())
    return fig


def feature_maps(image, maps, columns: int = 8) -> Figure:
    """A photo, then its feature maps (height, width, n), bright where a filter responds: each map
    on its own scale, from 0 to its largest value (in its title; 0.00: no response to this photo)."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"expected feature maps of shape (height, width, n), got shape {maps.shape}")
    rows = int(np.ceil(maps.shape[-1] / columns))
    fig = Figure(figsize=(1.3 * columns + 2.6, 1.4 * rows + 0.5), layout="constrained")
    grid = fig.add_gridspec(rows, columns + 2)
    _photo(fig.add_subplot(grid[:, :2]), image, "the photo")
    for i in range(maps.shape[-1]):
        ax = fig.add_subplot(grid[i // columns, 2 + i % columns])
        top = float(maps[..., i].max())
        ax.imshow(maps[..., i], cmap=palette.CIVIDIS, vmin=min(0.0, float(maps[..., i].min())), vmax=top or 1.0)
        ax.set_title(f"{i}: max {top:.2f}", fontsize=7)
        ax.set_axis_off()
    return fig
