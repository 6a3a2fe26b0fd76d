"""Does resizing without antialiasing cost accuracy? The slides' network, three ways of shrinking
the photos to 100x100, a few seeds each, on the notebook's split.

    python benchmarks/resize_methods.py --split-dir <weather-img> --method antialias --seeds 0 1 2
    python benchmarks/resize_methods.py --split-dir <weather-img> --method bilinear --seeds 0 1 2
    python benchmarks/resize_methods.py --split-dir <weather-img> --method area --seeds 0 1 2

``antialias``: ``tf.image.resize(..., "bilinear", antialias=True)``, what the notebook's own
pipeline did before it read the photos with Keras; ``bilinear`` (Keras's default) and ``area``:
``keras.utils.image_dataset_from_directory(interpolation=...)``, which resizes without
antialiasing. Each seed trains the slides' network (Keras's default Adam, augmentation seed 0)
for 20 epochs, keeps the best validation epoch, and prints one JSON line. A benchmark: it
asserts nothing.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def datasets(photos: Path, method: str):
    """(train, val, test, test labels): the photos resized by ``method``, cached, batches of 32."""
    import keras
    import numpy as np
    import tensorflow as tf

    from workshop_utils import weather

    def one(split, shuffle):
        if method == "antialias":
            paths, labels = weather.split_files(photos / split)

            def load(path, label):
                image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
                image = tf.image.resize(tf.cast(image, tf.float32), (100, 100), antialias=True)
                return tf.ensure_shape(image, (100, 100, 3)), tf.one_hot(label, 4)

            data = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], labels)).map(load)
        else:
            data = keras.utils.image_dataset_from_directory(
                photos / split, label_mode="categorical", class_names=list(weather.CLASSES),
                image_size=(100, 100), batch_size=None, shuffle=False, interpolation=method,
                verbose=False)
        data = data.cache()
        if shuffle:
            data = data.shuffle(2000, seed=0)
        return data.batch(32).prefetch(tf.data.AUTOTUNE)

    return one("train", True), one("validate", False), one("test", False), \
        np.asarray(weather.split_files(photos / "test")[1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split-dir", type=Path, required=True)
    parser.add_argument("--method", choices=("antialias", "bilinear", "area"), required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args(argv)
    import keras
    import numpy as np

    from workshop_utils import weather

    train, val, test, truth = datasets(args.split_dir, args.method)
    for seed in args.seeds:
        keras.utils.set_random_seed(seed)
        model = weather.build_weather_cnn((100, 100), weather.make_augmentation(seed=0))
        best = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=args.epochs,
                                             restore_best_weights=True)
        start = time.perf_counter()
        history = model.fit(train, validation_data=val, epochs=args.epochs, verbose=0, callbacks=[best])
        accuracy = float(np.mean(model.predict(test, verbose=0).argmax(1) == truth))
        print(json.dumps({"method": args.method, "seed": seed, "test_accuracy": round(accuracy, 4),
                          "best_validation_accuracy": round(max(history.history["val_accuracy"]), 4),
                          "seconds": round(time.perf_counter() - start, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
