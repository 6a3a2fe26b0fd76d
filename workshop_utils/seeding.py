"""One call that makes a notebook's randomness repeatable."""

from __future__ import annotations

import os
import random
import sys

import numpy as np


def seed_everything(seed: int = 42) -> np.random.Generator:
    """Seed Python, NumPy and (only if already imported) Keras/TensorFlow; return a NumPy Generator.

    Keras is seeded only when a notebook has already imported it, so that notebooks 1-3 never
    pay for importing TensorFlow. Call it again after importing Keras (notebook 04 does).
    """
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this process is already running
    random.seed(seed)
    np.random.seed(seed)  # legacy global state, still used by some libraries
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)
