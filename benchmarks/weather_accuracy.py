"""Train notebook 04's networks (or the baseline) on the weather photos; print one JSON line.

    python benchmarks/weather_accuracy.py --archive ../shared/datasets/weather/dataset2.zip
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model better
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model baseline
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model slides --folds 6
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model transfer --folds 6

It uses exactly the notebook's code (``workshop_utils.weather``, ``models``, ``augment``).
The JSON keys: model, test_accuracy, per_class_accuracy, confusion, train_seconds,
peak_memory_mb, validation_accuracy, best_epoch (the epoch whose weights were kept: best validation
accuracy), epochs, image_size, parameters, history (per-epoch curves), cpu_count, ...

One test split of 168 photos is a small sample, and near-duplicate groups make it smaller
still: the same code scores several points apart on different (equally fair) splits. With
``--folds K`` the script instead pools every photo and runs grouped K-fold cross-validation
(``weather.cross_validation_rounds``): K networks, each tested on photos that it and its
near-duplicates never trained on, so every photo is tested once. Then ``test_accuracy``,
``per_class_accuracy`` and ``confusion`` are over all photos, ``fold_test_accuracy`` lists each
round's, ``fold_validation_accuracy`` the accuracy on each round's validate fold (for choosing
between settings without looking at test photos), and ``train_seconds`` is one network's mean
training time.
``--model transfer`` is notebook 04's section 9 (``weather.transfer``): frozen features of the
pretrained backbone plus a logistic-regression head. It needs the ImageNet weights in place
(``python -m workshop_utils fetch``); without them it prints "pretrained weights missing" and
exits with status 1. Its JSON adds ``feature_seconds`` (computing every photo's features, in a
fresh feature cache unless ``--feature-cache`` names one), ``head_seconds`` (fitting the head;
with ``--folds``, one round's mean), ``rerun_seconds`` (features read back from the cache plus
the head, as a second run of the notebook does), ``backbone`` and ``weights_md5``;
``train_seconds`` is features plus head.
This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# TensorFlow's oneDNN kernels round differently from its own: off, as in the notebooks' kernels
# (conftest.py, tools/run_notebooks.py), so seed 0 reproduces notebook 04's stored training run.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--archive", type=Path, help="the dataset zip (fetch_weather(source=...))")
    where.add_argument("--split-dir", type=Path, help="an existing train/validate/test/<class>/ folder, used as is")
    parser.add_argument("--data-dir", type=Path, help="where --archive is laid out (default: a temporary folder)")
    parser.add_argument("--model", choices=("slides", "better", "baseline", "transfer"), default="slides")
    parser.add_argument("--epochs", type=int, help="default: the notebook's full-mode epochs")
    parser.add_argument("--img-size", type=int, help="square image side in pixels (default: the notebook's, "
                        "weather.IMAGE_SIZE; for transfer weather.TRANSFER_IMAGE_SIZE)")
    parser.add_argument("--feature-cache", type=Path,
                        help="transfer: keep the feature cache here (default: a fresh temporary folder, "
                             "so feature_seconds is the first-time cost)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--learning-rate", type=float, help="default: the builder's (slides 0.0003, better 0.003)")
    parser.add_argument("--no-augment", action="store_true", help="train without augmentation layers")
    parser.add_argument("--folds", type=int, default=0,
                        help="grouped K-fold cross-validation over all photos (K >= 3) instead of "
                             "the one fixed split; 0 (default): the fixed split")
    parser.add_argument("--leaky", action="store_true",
                        help="with --folds: ignore near-duplicates (every photo its own group), as a "
                             "random split would; only to measure how much leaked copies inflate accuracy")
    parser.add_argument("--save", action="store_true",
                        help="save the trained model where the notebook's use_saved=True finds it")
    args = parser.parse_args(argv)
    if args.folds and args.folds < 3:
        parser.error(f"--folds must be 0 (the fixed split) or at least 3 (a test, a validate and "
                     f"a train fold), got {args.folds}")
    if args.leaky and not args.folds:
        parser.error("--leaky needs --folds: it changes how the cross-validation folds are drawn")
    if args.save and args.folds:
        parser.error("--save keeps the network trained on the notebook's split: leave out --folds "
                     "(cross-validation trains one network per fold)")
    return args


def run(args: argparse.Namespace, split_dir: Path) -> dict:
    from workshop_utils import weather

    result: dict = {"model": args.model, "split_dir": split_dir.name, "seed": args.seed,
                    "cpu_count": os.cpu_count(), "machine": platform.machine()}
    if args.model == "transfer":
        return run_transfer(args, split_dir, result)
    if args.model == "baseline" and args.folds:
        return cross_validate_baseline(args, split_dir, result)
    if args.model == "baseline":
        start = time.perf_counter()
        baselines = weather.train_baseline(split_dir, seed=args.seed)
        result["train_seconds"] = round(time.perf_counter() - start, 1)
        best = baselines["boosting"].evaluation
        result.update(best.as_dict())
        result["logistic_test_accuracy"] = round(baselines["logistic"].evaluation.accuracy, 4)
        result["features"] = len(weather.evaluation.FEATURE_NAMES)
        result["peak_memory_mb"] = peak_memory_mb()
        return result

    from workshop_utils.weather import augment

    size = weather.IMAGE_SIZE if args.img_size is None else (args.img_size, args.img_size)
    epochs = args.epochs or weather.EPOCHS[args.model]
    if args.model == "better":
        result["decay_steps"] = better_decay_steps(epochs)
    result.update({"epochs": epochs, "image_size": list(size),
                   "augmentation": None if args.no_augment else augment.DEFAULT_STRENGTH.as_dict(),
                   "learning_rate": args.learning_rate})
    if args.folds:
        return cross_validate(args, split_dir, size, epochs, result)
    seed_as_the_notebook(args.seed)
    splits = weather.load_splits(split_dir, image_size=size, seed=args.seed)
    trained = train_one(args, splits, size, epochs)
    evaluation = weather.evaluate_model(trained.model, splits)
    result.update(evaluation.as_dict())
    validation = weather.evaluate_model(trained.model, splits, "validate")
    result["validation_accuracy"] = round(validation.accuracy, 4)
    result["best_epoch"] = trained.best_epoch
    result.update({
        "train_seconds": round(trained.seconds, 1), "parameters": trained.model.count_params(),
        "history": {k: [round(v, 4) for v in vals] for k, vals in trained.history.items()},
        "peak_memory_mb": peak_memory_mb(),
    })
    if args.save:
        result["saved_to"] = weather.training.model_path(weather.model_name(args.model)).name
        weather.save_model(trained.model, weather.model_name(args.model))
    return result


def seed_as_the_notebook(seed: int) -> None:
    """Seed Keras before making the pipelines, as notebook 04 does (its model cell calls
    ``keras.utils.set_random_seed(0)`` before it loads the splits): ``tf.data``'s seeded shuffle
    also depends on TensorFlow's global seed, so this gives the notebook's batch order."""
    import keras

    keras.utils.set_random_seed(seed)


def train_one(args: argparse.Namespace, splits, size, epochs: int):
    """Build the notebook's network for ``args.model`` and train it as the notebook does."""
    import keras
    import tensorflow as tf

    from workshop_utils import weather

    tf.config.experimental.enable_op_determinism()  # as notebook 04's setup cell
    keras.utils.set_random_seed(args.seed)
    model = build_model(args, size, epochs)
    return weather.train_model(model, splits, epochs, progress=False)


def build_model(args: argparse.Namespace, size, epochs: int):
    """The notebook's network for ``args.model``, compiled as the notebook compiles it.

    The slides' network is built with unseeded layers right after ``keras.utils.set_random_seed``,
    as notebook 04 writes it on the page, so seed 0 starts from the notebook's very weights
    (``tests/test_notebook_04.py`` checks it). The better network's learning rate decays over the
    notebook's 30 epochs; with another ``--epochs`` the decay is stretched or shrunk to match, so
    it still ends at the last epoch.
    """
    from workshop_utils import weather
    from workshop_utils.weather import augment

    augmentation = None if args.no_augment else augment.make_augmentation(seed=args.seed)
    options = {} if args.learning_rate is None else {"learning_rate": args.learning_rate}
    if args.model == "slides":
        return weather.build_weather_cnn(size, augmentation, seed=None, **options)
    options["decay_steps"] = better_decay_steps(epochs)
    return weather.build_better_cnn(size, augmentation, seed=args.seed, **options)


def better_decay_steps(epochs: int) -> int:
    """Batches of cosine decay for ``epochs`` epochs, at the notebook's 25 batches per epoch."""
    from workshop_utils import weather

    return max(1, round(weather.builders.BETTER_DECAY_STEPS * epochs / weather.EPOCHS["better"]))


def cross_validate(args: argparse.Namespace, split_dir: Path, size, epochs: int, result: dict) -> dict:
    """Grouped K-fold cross-validation: one network per round, every photo tested once."""
    import keras
    import numpy as np

    from workshop_utils import weather

    rounds = weather.cross_validation_rounds(split_dir, args.folds, seed=args.seed,
                                             keep_duplicates_together=not args.leaky)
    truth, probabilities, files, seconds, best_epochs, validation = [], [], [], [], [], []
    for k, files_k in enumerate(rounds):
        seed_as_the_notebook(args.seed)
        splits = weather.splits_from_files(split_dir, files_k, size, seed=args.seed)
        trained = train_one(args, splits, size, epochs)
        evaluation = weather.evaluate_model(trained.model, splits)
        truth.append(evaluation.y_true)
        probabilities.append(evaluation.probabilities)
        files += evaluation.files
        seconds.append(trained.seconds)
        best_epochs.append(trained.best_epoch)
        validation.append(round(weather.evaluate_model(trained.model, splits, "validate").accuracy, 4))
        result["parameters"] = trained.model.count_params()
        print(f"round {k + 1}/{args.folds}: test accuracy {evaluation.accuracy:.3f} "
              f"({len(evaluation.y_true)} photos), {trained.seconds:.0f} s", file=sys.stderr, flush=True)
        del trained, splits
        keras.backend.clear_session()
    pooled_summary(result, args.folds, truth, probabilities, files, args.leaky)
    result.update({"fold_best_epoch": best_epochs, "fold_validation_accuracy": validation,
                   "train_seconds": round(float(np.mean(seconds)), 1),
                   "train_seconds_total": round(float(np.sum(seconds)), 1),
                   "peak_memory_mb": peak_memory_mb()})
    return result


def pooled_summary(result: dict, folds: int, truth: list, probabilities: list, files: list,
                   leaky: bool = False) -> None:
    """Put the figures over all rounds into ``result``: every photo once, and each round's accuracy."""
    import numpy as np

    from workshop_utils import weather

    pooled = weather.Evaluation(np.concatenate(truth), np.concatenate(probabilities), weather.CLASSES, files)
    fold_accuracy = [round(float(np.mean(p.argmax(1) == y)), 4) for y, p in zip(truth, probabilities, strict=True)]
    result.update(pooled.as_dict())
    result.update({
        "evaluation": f"{'LEAKY (near-duplicates ignored) ' if leaky else 'grouped '}{folds}-fold "
                      f"cross-validation over all {len(pooled.y_true)} photos",
        "folds": folds, "fold_test_accuracy": fold_accuracy,
        "fold_accuracy_range": [min(fold_accuracy), max(fold_accuracy)],
    })


def cross_validate_baseline(args: argparse.Namespace, split_dir: Path, result: dict) -> dict:
    """The colour baseline (gradient boosting) under the same grouped cross-validation rounds."""
    import numpy as np

    from workshop_utils import weather

    rounds = weather.cross_validation_rounds(split_dir, args.folds, seed=args.seed,
                                             keep_duplicates_together=not args.leaky)
    start = time.perf_counter()
    paths = [p for split in weather.SPLITS for p in rounds[0][split][0]]
    features = dict(zip(paths, weather.evaluation.feature_matrix(paths), strict=True))
    truth, probabilities, files = [], [], []
    for files_k in rounds:  # the baseline needs no validate split: it trains on train + validate
        train = files_k["train"][0] + files_k["validate"][0]
        y_train = np.concatenate([files_k["train"][1], files_k["validate"][1]])
        test, y_test = files_k["test"]
        classifier = weather.evaluation.baseline_classifier("boosting", args.seed)
        classifier.fit(np.stack([features[p] for p in train]), y_train)
        probability = weather.evaluation.baseline_probabilities(classifier, np.stack([features[p] for p in test]))
        truth.append(y_test)
        probabilities.append(probability)
        files += test
    pooled_summary(result, args.folds, truth, probabilities, files, args.leaky)
    result.update({"train_seconds": round((time.perf_counter() - start) / args.folds, 1),
                   "peak_memory_mb": peak_memory_mb()})
    return result


def run_transfer(args: argparse.Namespace, split_dir: Path, result: dict) -> dict:
    """Section 9: cached backbone features and a logistic-regression head, on the notebook's split
    or, with ``--folds``, the same grouped rounds as the networks (one head per round)."""
    import numpy as np

    from workshop_utils import pretrained, weather

    size = args.img_size or weather.TRANSFER_IMAGE_SIZE
    entry = pretrained.BACKBONE
    result.update({"backbone": entry.application, "image_size": [size, size],
                   "weights_md5": pretrained.md5_file(pretrained.weights_path())})
    with contextlib.ExitStack() as stack:
        cache = args.feature_cache or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="transfer-features-")))
        if not args.folds:
            first = weather.train_transfer(split_dir, size, seed=args.seed, cache_dir=cache, progress=False)
            again = weather.train_transfer(split_dir, size, seed=args.seed, cache_dir=cache, progress=False)
            result.update(first.evaluation.as_dict())
            result.update({
                "validation_accuracy": round(first.validation.accuracy, 4),
                "features_computed": first.computed, "feature_seconds": round(first.feature_seconds, 1),
                "head_seconds": round(first.head_seconds, 2),
                "train_seconds": round(first.feature_seconds + first.head_seconds, 1),
                "rerun_seconds": round(again.feature_seconds + again.head_seconds, 1),
                "features": int(first.classifier[-1].coef_.shape[1]),
            })
            result["peak_memory_mb"] = peak_memory_mb()
            return result
        rounds = weather.cross_validation_rounds(split_dir, args.folds, seed=args.seed,
                                                 keep_duplicates_together=not args.leaky)
        truth, probabilities, files, heads, validation, feature_seconds = [], [], [], [], [], []
        computed = 0
        for k, files_k in enumerate(rounds):
            fitted = weather.train_transfer(split_dir, size, files=files_k, seed=args.seed,
                                            cache_dir=cache, progress=False)
            computed += fitted.computed
            feature_seconds.append(fitted.feature_seconds)
            truth.append(fitted.evaluation.y_true)
            probabilities.append(fitted.evaluation.probabilities)
            files += fitted.evaluation.files
            heads.append(fitted.head_seconds)
            validation.append(round(fitted.validation.accuracy, 4))
            print(f"round {k + 1}/{args.folds}: test accuracy {fitted.evaluation.accuracy:.3f} "
                  f"({len(fitted.evaluation.y_true)} photos)", file=sys.stderr, flush=True)
    pooled_summary(result, args.folds, truth, probabilities, files, args.leaky)
    result.update({
        "fold_validation_accuracy": validation, "features_computed": computed,
        "feature_seconds": round(feature_seconds[0], 1),
        "head_seconds": round(float(np.mean(heads)), 2),
        "train_seconds": round(feature_seconds[0] + float(np.mean(heads)), 1),
        "rerun_seconds": round(float(np.mean(feature_seconds[1:])) + float(np.mean(heads)), 1),
        "peak_memory_mb": peak_memory_mb(),
    })
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
    if args.data_dir is not None:
        print(json.dumps(run(args, fetch(args.archive, args.data_dir, args.seed))), flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="weather-bench-") as tmp:
        print(json.dumps(run(args, fetch(args.archive, Path(tmp), args.seed))), flush=True)
    return 0


def fetch(archive: Path, data_dir: Path, seed: int) -> Path:
    """Lay the archive out with the notebook's fetch_weather; its report goes to stderr."""
    from workshop_utils.weather import fetch_weather

    with contextlib.redirect_stdout(sys.stderr):
        return fetch_weather(source=archive, data_dir=data_dir, seed=seed, progress=False)


if __name__ == "__main__":
    raise SystemExit(main())
