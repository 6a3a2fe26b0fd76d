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
One JSON line per (backbone, size). This is a benchmark, not a test: it asserts nothing.
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

BACKBONES = ("MobileNetV3Small", "MobileNetV2", "EfficientNetB0")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split-dir", type=Path, required=True, help="a fetched weather-img/ folder")
    parser.add_argument("--sizes", type=int, nargs="+", default=[224, 160, 128])
    parser.add_argument("--backbones", nargs="+", default=list(BACKBONES), choices=BACKBONES)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)

    import keras
    import numpy as np
    import tensorflow as tf

    from workshop_utils.weather import split_files

    paths = [p for split in ("train", "validate", "test") for p in split_files(args.split_dir, split)[0]]
    if not paths:
        parser.error(f"no photos under {args.split_dir}")
    for size in args.sizes:
        start = time.perf_counter()
        images = np.stack([
            tf.image.resize(tf.io.decode_image(tf.io.read_file(str(p)), channels=3,
                                               expand_animations=False),
                            (size, size), antialias=True).numpy()
            for p in paths]).astype("float32")
        decode_seconds = time.perf_counter() - start
        for name in args.backbones:
            application = getattr(keras.applications, name)
            module = {"MobileNetV3Small": keras.applications.mobilenet_v3,
                      "MobileNetV2": keras.applications.mobilenet_v2,
                      "EfficientNetB0": keras.applications.efficientnet}[name]
            backbone = application(input_shape=(size, size, 3), include_top=False,
                                   weights=None, pooling="avg")
            backbone.trainable = False
            run = tf.function(lambda x, b=backbone: b(x, training=False))
            run(module.preprocess_input(images[: args.batch_size].copy()))  # warm-up: tracing
            start, cpu_start = time.perf_counter(), time.process_time()
            features = [run(module.preprocess_input(images[i:i + args.batch_size].copy())).numpy()
                        for i in range(0, len(images), args.batch_size)]
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
            print(json.dumps({"backbone": name, "image_size": size, "photos": len(images),
                              "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
                              "decode_seconds": round(decode_seconds, 2),
                              "features": int(np.concatenate(features).shape[1]),
                              "parameters": backbone.count_params(), "cpu_count": os.cpu_count(),
                              "load_average_1min": round(os.getloadavg()[0], 2)}), flush=True)
            keras.backend.clear_session()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
