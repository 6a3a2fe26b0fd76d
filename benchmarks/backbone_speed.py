"""How long each candidate backbone takes to turn the weather photos into features, on this CPU.

    python benchmarks/backbone_speed.py --split-dir /tmp/weather-img
    python benchmarks/backbone_speed.py --split-dir /tmp/weather-img --sizes 224 160 --backbones EfficientNetB0

Accuracy needs the ImageNet weights, which these machines cannot download; the cost of a
forward pass does not depend on the weights' values, so each backbone is built with
``weights=None``. Every photo of the split folder (all three splits) is decoded and resized
once per size (``decode_seconds``, the same for every backbone), then the frozen backbone runs
over them with ``training=False`` in batches of 32, after one warm-up batch: ``seconds`` of
wall time and ``cpu_seconds`` of this process's CPU time (summed over its threads; less
disturbed than wall time when other work shares the cores, which ``load_average_1min`` shows).
One JSON line per (backbone, size) on stderr as it goes, then all of them in one line on
stdout, keyed ``<backbone>_<size>``.

``--pipeline`` instead times notebook 04's own section 9 cells, run from the notebook with
random weights in a temporary Keras folder: its backbone and ``predict`` over every photo (as a
first run does, nothing cached), its logistic-regression head, and with ``--fine-tune-epochs N``
the optional fine-tuning (``weather.fine_tune_model``, then ``fit`` on the page's own pipeline
at 224 px, watching validate) for N epochs. Random weights again: times, not accuracies.
This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import page  # noqa: E402
from benchmarks.folds import SPLITS, split_files  # noqa: E402
from benchmarks.standin_weights import random_backbone  # noqa: E402
from benchmarks.weather_accuracy import peak_memory_mb  # noqa: E402

BACKBONES = ("MobileNetV3Small", "MobileNetV2", "EfficientNetB0")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split-dir", type=Path, required=True, help="a fetched weather-img/ folder")
    parser.add_argument("--sizes", type=int, nargs="+", default=[224, 160, 128])
    parser.add_argument("--backbones", nargs="+", default=list(BACKBONES), choices=BACKBONES)
    parser.add_argument("--batch-size", type=int, default=32,
                        help="photos per forward pass (default 32; --pipeline uses the notebook's)")
    parser.add_argument("--pipeline", action="store_true",
                        help="time the notebook's transfer code for its backbone at the first --sizes")
    parser.add_argument("--fine-tune-epochs", type=int, default=0,
                        help="with --pipeline: also time this many epochs of fine-tuning")
    parser.add_argument("--unfreeze", type=int, default=20, help="layers fine-tuning unfreezes")
    args = parser.parse_args(argv)
    if args.pipeline:
        return pipeline(args)

    import keras
    import numpy as np
    import tensorflow as tf

    paths = [p for split in SPLITS for p in split_files(args.split_dir, split)[0]]
    if not paths:
        parser.error(f"no photos under {args.split_dir}")
    lines = {}
    for size in args.sizes:
        start = time.perf_counter()
        images = np.stack([
            tf.image.resize(tf.io.decode_image(tf.io.read_file(str(p)), channels=3,
                                               expand_animations=False),
                            (size, size), antialias=True).numpy()
            for p in paths]).astype("float32")
        decode_seconds = time.perf_counter() - start
        for name in args.backbones:
            module = {"MobileNetV3Small": keras.applications.mobilenet_v3,
                      "MobileNetV2": keras.applications.mobilenet_v2,
                      "EfficientNetB0": keras.applications.efficientnet}[name]
            backbone = random_backbone(size, name)
            run = tf.function(lambda x, b=backbone: b(x, training=False))
            run(module.preprocess_input(images[: args.batch_size].copy()))  # warm-up: tracing
            start, cpu_start = time.perf_counter(), time.process_time()
            features = [run(module.preprocess_input(images[i:i + args.batch_size].copy())).numpy()
                        for i in range(0, len(images), args.batch_size)]
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
            line = {"backbone": name, "image_size": size, "photos": len(images),
                    "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
                    "decode_seconds": round(decode_seconds, 2),
                    "features": int(np.concatenate(features).shape[1]),
                    "parameters": backbone.count_params(), "cpu_count": os.cpu_count(),
                    "load_average_1min": round(os.getloadavg()[0], 2)}
            print(json.dumps(line), file=sys.stderr, flush=True)
            lines[f"{name}_{size}"] = line
            keras.backend.clear_session()
    print(json.dumps({"backbones": lines}), flush=True)
    return 0


def pipeline(args) -> int:
    """Notebook 04's section 9 cells, timed with random weights (see the module docstring)."""
    import dataclasses
    import shutil
    import tempfile

    import keras
    import numpy as np

    from benchmarks.standin_weights import make_weights_file
    from workshop_utils import pretrained, weather

    published, keras_home = pretrained.BACKBONE, os.environ.get("KERAS_HOME")
    with tempfile.TemporaryDirectory(prefix="keras-home-") as home:
        os.environ["KERAS_HOME"] = home
        _, md5 = make_weights_file(Path(home))
        pretrained.BACKBONE = dataclasses.replace(published, md5=md5)
        shutil.rmtree(args.split_dir / weather.transfer.CACHE_DIRNAME, ignore_errors=True)
        namespace = page.run_page(args.split_dir)
        memory_before = peak_memory_mb()
        start, cpu_start = time.perf_counter(), time.process_time()
        page.run_cells(namespace, "transfer-weights", "transfer-features")
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        start = time.perf_counter()
        page.run_cells(namespace, "transfer-head")
        line = {"backbone": pretrained.BACKBONE.application, "image_size": 224,
                "photos": sum(len(rows) for rows in namespace["features"].values()),
                "features_seconds": round(seconds, 2), "features_cpu_seconds": round(cpu_seconds, 2),
                "head_seconds": round(time.perf_counter() - start, 2), "cpu_count": os.cpu_count(),
                "peak_memory_before_features_mb": memory_before,
                "peak_memory_after_features_mb": peak_memory_mb(),
                "load_average_1min": round(os.getloadavg()[0], 2)}
        shutil.rmtree(args.split_dir / weather.transfer.CACHE_DIRNAME, ignore_errors=True)
        if args.fine_tune_epochs:
            from keras.applications.efficientnet import preprocess_input

            tuned = weather.fine_tune_model(namespace["backbone"], namespace["head"], preprocess_input,
                                            unfreeze=args.unfreeze)
            make = namespace["photo_dataset"]
            train, val = make("train", shuffle=True, image_size=(224, 224)), make("validate", image_size=(224, 224))
            start, cpu_start = time.perf_counter(), time.process_time()
            tuned.fit(train, validation_data=val, epochs=args.fine_tune_epochs, verbose=0)
            line.update({"fine_tune_epochs": args.fine_tune_epochs, "unfreeze": args.unfreeze,
                         "fine_tune_seconds": round(time.perf_counter() - start, 1),
                         "fine_tune_cpu_seconds": round(time.process_time() - cpu_start, 1),
                         "fine_tune_trainable_weights": int(sum(
                             int(np.prod(w.shape)) for w in tuned.trainable_weights)),
                         "peak_memory_mb": peak_memory_mb()})
    pretrained.BACKBONE = published  # as it was (a test calls this in its own process)
    os.environ.pop("KERAS_HOME") if keras_home is None else os.environ.update(KERAS_HOME=keras_home)
    print(json.dumps(line), flush=True)
    keras.backend.clear_session()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
