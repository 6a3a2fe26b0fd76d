"""Seconds per epoch of the slides' network: notebook 04's pipeline against its floor, and op
determinism on against off. Prints one JSON line.

    python benchmarks/epoch_speed.py --split-dir /tmp/weather-img --compare pipeline
    python benchmarks/epoch_speed.py --split-dir /tmp/weather-img --compare determinism --epochs 6

``--compare pipeline`` (one process): the same network (same starting weights) trained one
epoch at a time through the page's own pipeline (notebook 04's ``photo_dataset`` cell, run by
``benchmarks/page.py``: ``train`` and ``val``) and through resident tensors (the same photos,
decoded once by that pipeline into memory, then ``from_tensor_slices``, the same shuffle and
batches of 32: the floor), alternately, A B A B. ``--compare determinism``: two worker
processes, one with ``tf.config.experimental.enable_op_determinism()`` and one without (it
cannot be switched off within a process), each training the page's network through the page's
pipeline, told in turn to run one epoch, so only one trains at a time. In both, the first epoch
of each (tracing, and the page's decoding into its cache) is recorded apart as
``first_epoch_seconds``; the figures are the medians over ``--epochs`` warm epochs (training
plus validation, timed from the epoch's start to its end). ``ratio`` is A's median over B's.
Other work on the same cores slows every epoch; alternating spreads that over both sides.
This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from benchmarks import page  # noqa: E402

WARM_EPOCHS = 6


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split-dir", type=Path, required=True, help="a weather-img folder laid out by fetch")
    parser.add_argument("--compare", choices=("pipeline", "determinism"), default="pipeline")
    parser.add_argument("--epochs", type=int, default=WARM_EPOCHS,
                        help=f"warm epochs measured on each side (default {WARM_EPOCHS})")
    parser.add_argument("--deterministic", action="store_true",
                        help="pipeline: turn op determinism on first, as a notebook that calls "
                             "enable_op_determinism() does (default: TensorFlow's default, off)")
    parser.add_argument("--worker", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    return args


def summary(first: dict[str, float], samples: dict[str, list[float]], names: tuple[str, str]) -> dict:
    """Medians of the warm epochs, each side's first epoch, the samples, A's median over B's."""
    a, b = names
    medians = {name: statistics.median(samples[name]) for name in names}
    return {
        **{f"{name}_seconds_per_epoch": round(medians[name], 3) for name in names},
        **{f"{name}_first_epoch_seconds": round(first[name], 2) for name in names},
        "ratio": round(medians[a] / medians[b], 3),
        "warm_epochs": len(samples[a]),
        "samples": {name: [round(s, 3) for s in samples[name]] for name in names},
    }


def timed_epoch(model, **feed) -> float:
    """Train ``model`` one epoch on ``feed`` (``fit``'s arguments); the epoch's wall time."""
    timer = page.epoch_timer()
    model.fit(epochs=1, verbose=0, callbacks=[timer], **feed)
    return timer.seconds[-1]


def compare_pipeline(photos: Path, epochs: int) -> dict:
    """The page's pipeline against resident tensors, one epoch each in turn."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    namespace = page.run_page(photos)
    x, y = page.arrays(page.photo_dataset(namespace, "train"))  # the same pixels, decoded once
    x_val, y_val = page.arrays(namespace["val"])
    resident = (tf.data.Dataset.from_tensor_slices((tf.constant(x), tf.constant(y)))
                .shuffle(len(x), seed=0).batch(32).prefetch(tf.data.AUTOTUNE))
    resident_val = (tf.data.Dataset.from_tensor_slices((tf.constant(x_val), tf.constant(y_val)))
                    .batch(32).prefetch(tf.data.AUTOTUNE))
    feeds = {"page": {"x": namespace["train"], "validation_data": namespace["val"]},
             "in_memory": {"x": resident, "validation_data": resident_val}}
    models = {name: page.build("slides", 0, namespace["IMAGE_SIZE"]) for name in feeds}
    first = {name: timed_epoch(models[name], **feeds[name]) for name in feeds}
    samples: dict[str, list[float]] = {name: [] for name in feeds}
    for epoch in range(epochs):
        for name in feeds:
            samples[name].append(timed_epoch(models[name], **feeds[name]))
        print(f"epoch {epoch + 1}/{epochs}: " + ", ".join(
            f"{name} {samples[name][-1]:.2f} s" for name in feeds), file=sys.stderr, flush=True)
    result = summary(first, samples, ("page", "in_memory"))
    result.update({"train_photos": len(x), "pipeline": page.page_code().origin})
    return result


def worker(photos: Path, deterministic: bool) -> int:
    """Build the page's network, say "ready", then train one epoch per line read from stdin."""
    import keras
    import tensorflow as tf

    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(0)
    namespace = page.run_page(photos)
    model = page.build("slides", 0, namespace["IMAGE_SIZE"])
    gpus = [device.name for device in tf.config.list_physical_devices("GPU")]
    print(json.dumps({"ready": True, "gpus": gpus}), flush=True)
    for _ in sys.stdin:
        seconds = timed_epoch(model, x=namespace["train"], validation_data=namespace["val"])
        print(json.dumps({"seconds": seconds}), flush=True)
    return 0


def compare_determinism(photos: Path, epochs: int) -> dict:
    """Op determinism on against off: two workers, one epoch each in turn."""
    names = ("on", "off")
    command = [sys.executable, str(Path(__file__).resolve()), "--split-dir", str(photos)]
    workers = {name: subprocess.Popen([*command, "--worker", name], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True) for name in names}
    try:
        ready = {name: read_reply(process, name) for name, process in workers.items()}

        def epoch(name: str) -> float:
            workers[name].stdin.write("epoch\n")
            workers[name].stdin.flush()
            return read_reply(workers[name], name)["seconds"]

        first = {name: epoch(name) for name in names}
        samples: dict[str, list[float]] = {name: [] for name in names}
        for n in range(epochs):
            for name in names:
                samples[name].append(epoch(name))
            print(f"epoch {n + 1}/{epochs}: determinism on {samples['on'][-1]:.2f} s, "
                  f"off {samples['off'][-1]:.2f} s", file=sys.stderr, flush=True)
    finally:
        for process in workers.values():
            process.stdin.close()
            process.wait(timeout=60)
    result = summary(first, samples, names)
    result["gpus"] = ready["on"]["gpus"]
    return result


def read_reply(process: subprocess.Popen, name: str) -> dict:
    """The worker's next JSON line; RuntimeError when it died instead."""
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"the worker with op determinism {name} ended (exit {process.wait()}): "
                           "see its messages above")
    return json.loads(line)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args.split_dir, args.worker == "on")
    result = {"compare": args.compare, "cpu_count": os.cpu_count(),
              "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "TensorFlow's default"),
              "load_average_1min": round(os.getloadavg()[0], 2)}
    if args.compare == "pipeline":
        if args.deterministic:
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
        result["op_determinism"] = args.deterministic
        result.update(compare_pipeline(args.split_dir, args.epochs))
    else:
        result.update(compare_determinism(args.split_dir, args.epochs))
    result["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
