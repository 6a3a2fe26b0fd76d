"""Train notebook 04's networks (or the baseline) on the weather photos; print one JSON line.

    python benchmarks/weather_accuracy.py --archive ../shared/datasets/weather/dataset2.zip
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model better
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model baseline
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model slides --folds 6
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model slides --dropout 0 --no-augment --seed 2
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model transfer --folds 6

The networks train exactly as notebook 04's page trains them: its own photo pipeline cell
(``benchmarks/page.py`` runs that cell's source), the page's network and compile, ``fit`` with
the best validation epoch kept, the notebook's epochs, in TensorFlow's default configuration
(``--deterministic`` turns op determinism on, as a notebook that calls
``enable_op_determinism()`` does). The JSON keys: model, seed, test_accuracy,
per_class_accuracy, confusion, validation_accuracy (with the kept weights), best_epoch,
final_accuracy, best_accuracy, final_val_accuracy, best_val_accuracy (training and validation
curves: the last epoch's and the best), train_seconds, epochs, image_size, dropout,
augmentation, parameters, history (per-epoch curves and ``epoch_seconds``), peak_memory_mb,
pipeline (which code made the photo pipeline), cpu_count, ...

One test split of 168 photos is a small sample, and near-duplicate groups make it smaller
still. With ``--folds K`` every photo is pooled into grouped K-fold cross-validation
(``benchmarks/folds.py``): K networks, each tested on photos that it and their near-duplicates
never trained on, so every photo is tested once. Then ``test_accuracy``, ``per_class_accuracy``
and ``confusion`` are over all photos, ``fold_test_accuracy`` lists each round's,
``fold_validation_accuracy`` each round's validate fold (for choosing between settings without
looking at test photos), and ``train_seconds`` is one network's mean training time.
``--model transfer`` is notebook 04's section 9 (frozen features of the pretrained backbone plus
a logistic-regression head). It needs the ImageNet weights in place (``python -m workshop_utils
fetch``); without them it prints "pretrained weights missing" and exits with status 1. Its JSON
adds ``feature_seconds``, ``head_seconds``, ``rerun_seconds`` (features from the cache plus the
head), ``backbone`` and ``weights_md5``.
This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import folds as cv  # noqa: E402
from benchmarks import page  # noqa: E402

#: Batches of cosine decay of the better network: its 30 epochs of 25 batches (785 photos / 32).
BETTER_DECAY_STEPS = 30 * 25


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak * (1 if sys.platform == "darwin" else 1024) / 1e6, 1)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--archive", type=Path, help="the dataset zip (fetch_weather(source=...))")
    where.add_argument("--split-dir", type=Path, help="a weather-img folder laid out by fetch, used as is")
    parser.add_argument("--data-dir", type=Path, help="where --archive is laid out (default: a temporary folder)")
    parser.add_argument("--model", choices=("slides", "better", "baseline", "transfer"), default="slides")
    parser.add_argument("--epochs", type=int, help="default: the notebook's (slides 20, better 30)")
    parser.add_argument("--img-size", type=int, help="square image side in pixels (default: the "
                        "page's IMAGE_SIZE; transfer: the page's 224)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=0.5,
                        help="the slides' network's dropout (0 leaves the layer out; default 0.5)")
    parser.add_argument("--no-augment", action="store_true", help="train without augmentation layers")
    parser.add_argument("--deterministic", action="store_true",
                        help="turn on TensorFlow's op determinism first (default: TensorFlow's default, off)")
    parser.add_argument("--folds", type=int, default=0,
                        help="grouped K-fold cross-validation over all photos (K >= 3) instead of "
                             "the one fixed split; 0 (default): the fixed split")
    parser.add_argument("--leaky", action="store_true",
                        help="with --folds: ignore near-duplicates (every photo its own group), as a "
                             "random split would; only to measure how much leaked copies inflate accuracy")
    args = parser.parse_args(argv)
    if args.folds and args.folds < 3:
        parser.error(f"--folds must be 0 (the fixed split) or at least 3 (a test, a validate and "
                     f"a train fold), got {args.folds}")
    if args.leaky and not args.folds:
        parser.error("--leaky needs --folds: it changes how the cross-validation folds are drawn")
    if args.model != "slides" and args.dropout != 0.5:
        parser.error("--dropout is the slides' network's: leave it out for --model " + args.model)
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be at least 0 and below 1, got {args.dropout}")
    return args


def run(args: argparse.Namespace, split_dir: Path) -> dict:
    if args.deterministic and args.model != "baseline":  # the baseline runs no TensorFlow
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    result: dict = {"model": args.model, "split_dir": split_dir.name, "seed": args.seed,
                    "cpu_count": os.cpu_count(), "machine": platform.machine(),
                    "op_determinism": args.deterministic and args.model != "baseline",
                    "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "TensorFlow's default")}
    if args.model == "transfer":
        return run_transfer(args, split_dir, result)
    if args.model == "baseline":
        return cross_validate_baseline(args, split_dir, result) if args.folds else baseline(
            args, split_dir, result)
    epochs = args.epochs or page.EPOCHS[args.model]
    size = None if args.img_size is None else (args.img_size, args.img_size)
    result.update({"epochs": epochs, "augmentation": None if args.no_augment else augmentation(),
                   "pipeline": page.page_code().origin})
    if args.model == "slides":
        result["dropout"] = args.dropout
    else:
        result["decay_steps"] = better_decay_steps(epochs)
    if args.folds:
        return cross_validate(args, split_dir, size, epochs, result)
    fitted, namespace = train_one(args, split_dir, size, epochs)
    result.update(page.evaluate(fitted.model, namespace["test"]))
    result["validation_accuracy"] = page.evaluate(fitted.model, namespace["val"])["test_accuracy"]
    result.update(training_figures(fitted, namespace))
    result["peak_memory_mb"] = peak_memory_mb()
    return result


def augmentation() -> dict:
    """The strengths of the notebook's augmentation block."""
    from dataclasses import asdict

    from workshop_utils.weather.augment import AugmentStrength

    return asdict(AugmentStrength())


def better_decay_steps(epochs: int) -> int:
    """The better network's cosine decay stretched to ``epochs`` (its notebook's: 30 epochs)."""
    return max(1, round(BETTER_DECAY_STEPS * epochs / page.EPOCHS["better"]))


def train_one(args: argparse.Namespace, photos: Path, size, epochs: int):
    """Seed, run the page's pipeline cell on ``photos``, build and fit as the page does."""
    import keras

    keras.utils.set_random_seed(args.seed)  # as the notebook: seeded before its pipeline cell runs
    namespace = page.run_page(photos, image_size=size)
    model = page.build(args.model, args.seed, namespace["IMAGE_SIZE"], dropout=args.dropout,
                       augment=not args.no_augment,
                       decay_steps=better_decay_steps(epochs) if args.model == "better" else None)
    return page.fit_as_the_page(model, namespace["train"], namespace["val"], epochs), namespace


def training_figures(fitted: page.Fitted, namespace: dict) -> dict:
    """The curves, their last and best values, the kept epoch, the time."""
    history = {k: [round(v, 4) for v in values] for k, values in fitted.history.items()}
    figures = {"image_size": list(namespace["IMAGE_SIZE"]), "best_epoch": fitted.best_epoch,
               "train_seconds": round(fitted.seconds, 1),
               "parameters": fitted.model.count_params()}
    for key in ("accuracy", "val_accuracy"):
        if history.get(key):
            figures[f"final_{key}"] = history[key][-1]
            figures[f"best_{key}"] = max(history[key])
    history["epoch_seconds"] = [round(s, 2) for s in fitted.epoch_seconds]
    figures["history"] = history
    return figures


def cross_validate(args: argparse.Namespace, split_dir: Path, size, epochs: int, result: dict) -> dict:
    """Grouped K-fold cross-validation: one network per round, every photo tested once."""
    import keras
    import numpy as np

    from workshop_utils import weather

    rounds = cv.cross_validation_rounds(split_dir, args.folds, seed=args.seed,
                                        keep_duplicates_together=not args.leaky)
    truth, probabilities, seconds, best_epochs, validation = [], [], [], [], []
    for k, files in enumerate(rounds):
        with tempfile.TemporaryDirectory(prefix=f"round{k + 1}-") as tmp:
            photos = cv.layout_round(files, Path(tmp) / "weather-img")
            fitted, namespace = train_one(args, photos, size, epochs)
            test = namespace["test"]
            truth.append(np.concatenate([y.numpy() for _, y in test]).argmax(axis=1))
            probabilities.append(fitted.model.predict(test, verbose=0))
            validation.append(page.evaluate(fitted.model, namespace["val"])["test_accuracy"])
        seconds.append(fitted.seconds)
        best_epochs.append(fitted.best_epoch)
        result["parameters"] = fitted.model.count_params()
        result["image_size"] = list(namespace["IMAGE_SIZE"])
        accuracy = float(np.mean(probabilities[-1].argmax(1) == truth[-1]))
        print(f"round {k + 1}/{args.folds}: test accuracy {accuracy:.3f} ({len(truth[-1])} photos), "
              f"{fitted.seconds:.0f} s", file=sys.stderr, flush=True)
        del fitted, namespace
        keras.backend.clear_session()
    pooled_summary(result, args.folds, truth, probabilities, weather, args.leaky)
    result.update({"fold_best_epoch": best_epochs, "fold_validation_accuracy": validation,
                   "train_seconds": round(float(np.mean(seconds)), 1),
                   "total_train_seconds": round(float(np.sum(seconds)), 1),
                   "peak_memory_mb": peak_memory_mb()})
    return result


def pooled_summary(result: dict, folds: int, truth: list, probabilities: list, weather,
                   leaky: bool = False) -> None:
    """Put the figures over all rounds into ``result``: every photo once, and each round's accuracy."""
    import numpy as np

    pooled = weather.Evaluation(np.concatenate(truth), np.concatenate(probabilities))
    fold_accuracy = [round(float(np.mean(p.argmax(1) == y)), 4)
                     for y, p in zip(truth, probabilities, strict=True)]
    result.update(page.evaluation_figures(pooled))
    result.update({
        "evaluation": f"{'LEAKY (near-duplicates ignored) ' if leaky else 'grouped '}{folds}-fold "
                      f"cross-validation over all {len(pooled.y_true)} photos",
        "folds": folds, "fold_test_accuracy": fold_accuracy,
        "fold_accuracy_range": [min(fold_accuracy), max(fold_accuracy)],
    })


def baseline(args: argparse.Namespace, split_dir: Path, result: dict) -> dict:
    """The colour baseline (gradient boosting; logistic regression too) on the notebook's split."""
    from workshop_utils import weather

    start = time.perf_counter()
    baselines = weather.train_baseline(split_dir, seed=args.seed)
    result["train_seconds"] = round(time.perf_counter() - start, 1)
    result.update(page.evaluation_figures(baselines["boosting"]))
    result["logistic_test_accuracy"] = round(baselines["logistic"].accuracy, 4)
    result["features"] = len(weather.evaluation.FEATURE_NAMES)
    result["peak_memory_mb"] = peak_memory_mb()
    return result


def cross_validate_baseline(args: argparse.Namespace, split_dir: Path, result: dict) -> dict:
    """The colour baseline (gradient boosting) under the same grouped cross-validation rounds."""
    import numpy as np

    from workshop_utils import weather
    from workshop_utils.weather import evaluation as colour

    rounds = cv.cross_validation_rounds(split_dir, args.folds, seed=args.seed,
                                        keep_duplicates_together=not args.leaky)
    start = time.perf_counter()
    paths = [p for split in cv.SPLITS for p in rounds[0][split][0]]
    features = dict(zip(paths, colour.feature_matrix(paths), strict=True))
    truth, probabilities = [], []
    for files in rounds:  # the baseline needs no validate split: it trains on train + validate
        train = files["train"][0] + files["validate"][0]
        y_train = np.concatenate([files["train"][1], files["validate"][1]])
        test, y_test = files["test"]
        classifier = colour.baseline_classifier("boosting", args.seed)
        classifier.fit(np.stack([features[p] for p in train]), y_train)
        truth.append(y_test)
        probabilities.append(colour.baseline_probabilities(
            classifier, np.stack([features[p] for p in test])))
    pooled_summary(result, args.folds, truth, probabilities, weather, args.leaky)
    result.update({"train_seconds": round((time.perf_counter() - start) / args.folds, 1),
                   "peak_memory_mb": peak_memory_mb()})
    return result


def run_transfer(args: argparse.Namespace, split_dir: Path, result: dict) -> dict:
    """Section 9 as the page runs it: its backbone and features cell, then its head cell, on the
    notebook's split; with ``--folds``, the same features and the same head on each grouped round."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from workshop_utils import pretrained, weather

    result.update({"backbone": pretrained.BACKBONE.application, "image_size": [224, 224],
                   "weights_md5": pretrained.BACKBONE.md5})
    namespace = page.run_page(split_dir)
    shutil.rmtree(split_dir / weather.transfer.CACHE_DIRNAME, ignore_errors=True)  # time it all
    start = time.perf_counter()
    page.run_cells(namespace, "transfer-weights", "transfer-features")
    feature_seconds = time.perf_counter() - start
    start = time.perf_counter()
    page.run_cells(namespace, "transfer-features")  # again: from the cache, as a re-run would
    rerun_seconds = time.perf_counter() - start
    features = namespace["features"]
    result.update({"features": int(features["train"].shape[1]),
                   "features_computed": sum(len(rows) for rows in features.values()),
                   "feature_seconds": round(feature_seconds, 1)})
    if not args.folds:
        start = time.perf_counter()
        page.run_cells(namespace, "transfer-head")
        head_seconds = time.perf_counter() - start
        result.update(page.evaluation_figures(namespace["transfer_evaluation"]))
    else:  # the page's head (LogisticRegression on standardised features), fitted per round
        rows = {path: row for split in cv.SPLITS
                for path, row in zip(cv.split_files(split_dir, split)[0], features[split], strict=True)}
        truth, probabilities, heads = [], [], []
        for files in cv.cross_validation_rounds(split_dir, args.folds, seed=args.seed,
                                                keep_duplicates_together=not args.leaky):
            start = time.perf_counter()
            head = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
            head.fit(np.stack([rows[p] for p in files["train"][0]]), files["train"][1])
            heads.append(time.perf_counter() - start)
            truth.append(files["test"][1])
            probabilities.append(head.predict_proba(np.stack([rows[p] for p in files["test"][0]])))
        pooled_summary(result, args.folds, truth, probabilities, weather, args.leaky)
        head_seconds = float(np.mean(heads))
    result.update({"head_seconds": round(head_seconds, 2),
                   "train_seconds": round(feature_seconds + head_seconds, 1),
                   "rerun_seconds": round(rerun_seconds + head_seconds, 1),
                   "peak_memory_mb": peak_memory_mb()})
    return result


def weights_missing(args: argparse.Namespace) -> str | None:
    """Why ``--model transfer`` cannot run here, or None."""
    if args.model != "transfer":
        return None
    from workshop_utils import pretrained

    ready, message = pretrained.status()
    return None if ready else f"pretrained weights missing: {message.removeprefix('missing, ')}"


def main(argv=None) -> int:
    args = parse_args(argv)
    missing = weights_missing(args)
    if missing:
        print(missing, file=sys.stderr)
        return 1
    if args.split_dir is not None:
        print(json.dumps(run(args, args.split_dir)), flush=True)
        return 0
    with contextlib.ExitStack() as stack:
        data_dir = args.data_dir or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="weather-bench-")))
        print(json.dumps(run(args, fetch(args.archive, data_dir))), flush=True)
    return 0


def fetch(archive: Path, data_dir: Path) -> Path:
    """Lay the archive out with the notebook's fetch_weather; its report goes to stderr."""
    from workshop_utils.weather import fetch_weather

    with contextlib.redirect_stdout(sys.stderr):
        return Path(fetch_weather(source=archive, data_dir=data_dir, progress=False))


if __name__ == "__main__":
    raise SystemExit(main())
