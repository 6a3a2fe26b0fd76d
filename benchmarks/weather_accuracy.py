"""Train notebook 04's networks (or the baseline) on the weather photos; print one JSON line.

    python benchmarks/weather_accuracy.py --archive ../shared/datasets/weather/dataset2.zip
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model better
    python benchmarks/weather_accuracy.py --split-dir /tmp/weather-img --model baseline

It uses exactly the notebook's code (``workshop_utils.weather``, ``models``, ``augment``).
The JSON keys: model, test_accuracy, per_class_accuracy, confusion, train_seconds,
peak_memory_mb, validation_accuracy, best_epoch (the epoch whose weights were kept: best validation
accuracy), epochs, image_size, parameters, history (per-epoch curves), cpu_count, ...
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
    parser.add_argument("--model", choices=("slides", "better", "baseline"), default="slides")
    parser.add_argument("--epochs", type=int, help="default: the notebook's full-mode epochs")
    parser.add_argument("--img-size", type=int, help="square image side in pixels (default: the notebook's, "
                        "weather.IMAGE_SIZE)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--learning-rate", type=float, help="default: the builder's (slides 0.0003, better 0.003)")
    parser.add_argument("--no-augment", action="store_true", help="train without augmentation layers")
    parser.add_argument("--save", action="store_true",
                        help="save the trained model where the notebook's use_saved=True finds it")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, split_dir: Path) -> dict:
    from workshop_utils import weather

    result: dict = {"model": args.model, "split_dir": split_dir.name, "seed": args.seed,
                    "cpu_count": os.cpu_count(), "machine": platform.machine()}
    if args.model == "baseline":
        start = time.perf_counter()
        baselines = weather.train_baseline(split_dir, seed=args.seed)
        result["train_seconds"] = round(time.perf_counter() - start, 1)
        best = baselines["boosting"].evaluation
        result.update(best.as_dict())
        result["logistic_test_accuracy"] = round(baselines["logistic"].evaluation.accuracy, 4)
        result["features"] = len(weather.FEATURE_NAMES)
        result["peak_memory_mb"] = peak_memory_mb()
        return result

    import keras

    from workshop_utils import augment, models

    keras.utils.set_random_seed(args.seed)
    size = weather.IMAGE_SIZE if args.img_size is None else (args.img_size, args.img_size)
    epochs = args.epochs or weather.EPOCHS[args.model]
    augmentation = None if args.no_augment else augment.make_augmentation(seed=args.seed)
    build = models.build_weather_cnn if args.model == "slides" else models.build_better_cnn
    splits = weather.load_splits(split_dir, image_size=size, seed=args.seed)
    options = {} if args.learning_rate is None else {"learning_rate": args.learning_rate}
    model = build(size, augmentation, seed=args.seed, **options)
    trained = weather.train_model(model, splits, epochs, progress=False)
    evaluation = weather.evaluate_model(trained.model, splits)
    result.update(evaluation.as_dict())
    validation = weather.evaluate_model(trained.model, splits, "validate")
    result["validation_accuracy"] = round(validation.accuracy, 4)
    result["best_epoch"] = trained.best_epoch
    result.update({
        "train_seconds": round(trained.seconds, 1), "epochs": epochs, "image_size": list(size),
        "augmentation": None if args.no_augment else augment.DEFAULT_STRENGTH.as_dict(),
        "parameters": trained.model.count_params(), "learning_rate": args.learning_rate,
        "history": {k: [round(v, 4) for v in vals] for k, vals in trained.history.items()},
        "peak_memory_mb": peak_memory_mb(),
    })
    if args.save:
        result["saved_to"] = weather.model_path(weather.model_name(args.model)).name
        weather.save_model(trained.model, weather.model_name(args.model))
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
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
    from workshop_utils.weather_data import fetch_weather

    with contextlib.redirect_stdout(sys.stderr):
        return fetch_weather(source=archive, data_dir=data_dir, seed=seed, progress=False)


if __name__ == "__main__":
    raise SystemExit(main())
