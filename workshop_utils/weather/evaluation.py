"""Honest evaluation: test accuracy with an interval, per class, confusion, examples; the colour baseline."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from .builders import IMAGE_SIZE
from .images import read_image
from .split import CLASSES

#: How photos are shrunk to IMAGE_SIZE: as the notebook's image_dataset_from_directory does.
RESIZE = "bilinear"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".bmp")


# --- Evaluation (scikit-learn and SciPy, imported when used) -----------------------------------------------------------------


@dataclass
class Evaluation:
    """Predicted probabilities next to the truth for one split, and what follows from them."""

    y_true: np.ndarray
    probabilities: np.ndarray
    classes: tuple[str, ...] = CLASSES
    files: list[Path] = field(default_factory=list)

    def __post_init__(self):
        self.y_true = np.asarray(self.y_true, dtype=np.int64)
        self.probabilities = np.asarray(self.probabilities, dtype=float)
        if self.probabilities.shape != (len(self.y_true), len(self.classes)):
            raise ValueError(
                f"probabilities must have shape ({len(self.y_true)}, {len(self.classes)}), "
                f"got {self.probabilities.shape}"
            )

    @property
    def y_pred(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def accuracy(self) -> float:
        """The fraction of photos whose most probable class is the truth."""
        return float(np.mean(self.y_pred == self.y_true)) if len(self.y_true) else float("nan")

    def accuracy_interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """A 95 % Wilson interval for the accuracy (SciPy's ``binomtest``): how much a test set
        this small can say. 80 % right on 168 photos is compatible with about 73 % to 85 %."""
        from scipy.stats import binomtest

        n = len(self.y_true)
        if n == 0:
            return float("nan"), float("nan")
        interval = binomtest(int(np.sum(self.y_pred == self.y_true)), n).proportion_ci(
            confidence_level=confidence, method="wilson")
        return float(interval.low), float(interval.high)

    @property
    def per_class_accuracy(self) -> dict[str, float]:
        """For each true class, the fraction of its photos classified correctly (recall)."""
        matrix = self.confusion
        with np.errstate(invalid="ignore", divide="ignore"):  # a class with no photo: NaN
            recall = np.diag(matrix) / matrix.sum(axis=1)
        return {name: float(value) for name, value in zip(self.classes, recall, strict=True)}

    @property
    def confusion(self) -> np.ndarray:
        """Counts: row = true class, column = predicted class (scikit-learn's confusion matrix)."""
        from sklearn.metrics import confusion_matrix

        return confusion_matrix(self.y_true, self.y_pred, labels=range(len(self.classes)))

    def misclassified(self) -> list[int]:
        """Indices of wrongly classified photos, most confidently wrong first."""
        wrong = np.flatnonzero(self.y_pred != self.y_true)
        return [int(i) for i in wrong[np.argsort(-self.probabilities[wrong].max(axis=1), kind="stable")]]

    def examples(self) -> dict[str, int | None]:
        """A Good, a Meh and a Bad example, as on the slides (None if there is no such photo).

        Good: right and most sure. Meh: right, but least sure. Bad: wrong and most sure.
        """
        right = np.flatnonzero(self.y_pred == self.y_true)
        sure = self.probabilities.max(axis=1)
        wrong = self.misclassified()
        return {
            "Good": int(right[np.argmax(sure[right])]) if right.size else None,
            "Meh": int(right[np.argmin(sure[right])]) if right.size else None,
            "Bad": wrong[0] if wrong else None,
        }

    def report(self) -> str:
        """Accuracy, per-class accuracy and the confusion matrix as plain text."""
        width = max(len(c) for c in self.classes) + 2
        low, high = self.accuracy_interval()
        lines = [f"test accuracy: {self.accuracy:.1%} ({int((self.y_pred == self.y_true).sum())} "
                 f"of {len(self.y_true)} photos; 95 % interval {low:.0%} to {high:.0%})", "",
                 "per class:"]
        lines += [f"  {name:<{width}}{acc:.1%}" for name, acc in self.per_class_accuracy.items()]
        lines += ["", "confusion (rows: truth, columns: predicted):",
                  " " * width + "".join(f"{c:>{width}}" for c in self.classes)]
        for name, row in zip(self.classes, self.confusion, strict=True):
            lines.append(f"{name:<{width}}" + "".join(f"{v:>{width}}" for v in row))
        return "\n".join(lines)



def split_files(folder) -> tuple[list[Path], np.ndarray]:
    """The photos of one split folder (``photos/test``) and their class indices, in the order
    Keras's ``image_dataset_from_directory`` reads them: by class, then by file name."""
    folder = Path(folder)
    paths = sorted(p for name in CLASSES if (folder / name).is_dir()
                   for p in (folder / name).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ValueError(f"no photos in {folder.name}/: expected one folder per class "
                         f"{CLASSES}, as weather.weather_images() lays them out")
    return paths, np.asarray([CLASSES.index(p.parent.name) for p in paths], dtype=np.int64)


def evaluate_model(model, dataset, folder) -> Evaluation:
    """Predict every photo of ``dataset`` (the photos of ``folder``, unshuffled) and judge it."""
    paths, labels = split_files(folder)
    probabilities = model.predict(dataset, verbose=0)
    if len(probabilities) != len(labels):
        raise ValueError(f"the dataset gave {len(probabilities)} photos, {Path(folder).name}/ holds "
                         f"{len(labels)}: build it from that folder, without shuffling")
    return Evaluation(labels, probabilities, CLASSES, paths)


def photo_batch(image, image_size=IMAGE_SIZE) -> np.ndarray:
    """One photo as a batch of one, (1, height, width, 3), pixels 0-255, resized as Keras's
    ``image_dataset_from_directory`` resizes the training photos: what ``model(new_img)`` takes."""
    from .photos import MAX_SIDE  # shrunk first as the training photos were: bounded memory

    pixels = read_image(image, max_side=MAX_SIDE).astype("float32")
    import tensorflow as tf  # after reading: a photo too large is refused before any of it

    return np.asarray(tf.image.resize(pixels[None], image_size, method=RESIZE))


def classify_image(model, image, classes: Sequence[str] = CLASSES) -> dict[str, float]:
    """The model's probability for each class for one photo (path, array, bytes or upload)."""
    batch = photo_batch(image, tuple(model.input_shape[1:3]))
    probabilities = np.asarray(model.predict(batch, verbose=0))[0]
    if len(probabilities) != len(classes):
        raise ValueError(f"the model predicts {len(probabilities)} classes but {len(classes)} names were given")
    return {name: float(p) for name, p in zip(classes, probabilities, strict=True)}


# --- The baseline: colour histograms and simple statistics (no TensorFlow) ---------------------

HSV_BINS = 16
FEATURE_SIZE = (128, 128)
STAT_NAMES = ("brightness_mean", "brightness_std", "brightness_p10", "brightness_p90",
              "top_minus_bottom", "saturation_mean", "edge_mean", "edge_std", "edge_fraction")
FEATURE_NAMES = tuple(f"{c}_{b}" for c in "hsv" for b in range(HSV_BINS)) + STAT_NAMES


def image_features(image) -> np.ndarray:
    """Colour and texture summary of one photo: HSV histograms (16 bins each) and 9 statistics.

    The histograms say which colours a photo has (orange skies, grey clouds), the statistics
    how bright, how contrasted and how edgy it is, but nothing about where shapes are: the
    CNN must learn more than this to beat it.
    """
    rgb = Image.fromarray(read_image(image)).resize(FEATURE_SIZE[::-1], Image.Resampling.BILINEAR)
    hsv = np.asarray(rgb.convert("HSV"), dtype=np.float64)
    hist = [np.histogram(hsv[..., c], bins=HSV_BINS, range=(0, 256))[0] / hsv[..., c].size
            for c in range(3)]
    gray = np.asarray(rgb.convert("L"), dtype=np.float64) / 255.0
    half = gray.shape[0] // 2
    gx = np.abs(np.diff(gray, axis=1))[:-1, :]
    gy = np.abs(np.diff(gray, axis=0))[:, :-1]
    edges = np.hypot(gx, gy)
    stats = [gray.mean(), gray.std(), np.percentile(gray, 10), np.percentile(gray, 90),
             gray[:half].mean() - gray[half:].mean(), hsv[..., 1].mean() / 255.0,
             edges.mean(), edges.std(), np.mean(edges > 0.1)]
    return np.concatenate(hist + [np.asarray(stats)]).astype(np.float32)


def feature_matrix(paths: Sequence) -> np.ndarray:
    """:func:`image_features` of every photo, one row each."""
    if len(paths) == 0:
        raise ValueError("no photos given")
    return np.stack([image_features(p) for p in paths])


def baseline_classifier(kind: str = "boosting", seed: int = 0):
    """A scikit-learn classifier for the features: gradient-boosted trees or logistic regression."""
    if kind == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(random_state=seed)
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    raise ValueError(f"kind must be 'boosting' or 'logistic', got {kind!r}")


def baseline_probabilities(classifier, features: np.ndarray, n_classes: int = len(CLASSES)) -> np.ndarray:
    """One probability column per class, in class order, even for a class the classifier never
    saw in training (its column stays 0)."""
    probabilities = np.zeros((len(features), n_classes))
    probabilities[:, classifier.classes_] = classifier.predict_proba(features)
    return probabilities


def train_baseline(root, kinds: Sequence[str] = ("boosting", "logistic"),
                   seed: int = 0) -> dict[str, Evaluation]:
    """Fit each baseline on the train split's features; its Evaluation on the test split."""
    train_paths, y_train = split_files(Path(root) / "train")
    test_paths, y_test = split_files(Path(root) / "test")
    x_train, x_test = feature_matrix(train_paths), feature_matrix(test_paths)
    return {kind: Evaluation(y_test, baseline_probabilities(baseline_classifier(kind, seed).fit(
        x_train, y_train), x_test), CLASSES, list(test_paths)) for kind in kinds}
