"""One call that makes a notebook's randomness repeatable."""

from __future__ import annotations

import os
import random
import sys

import numpy as np

from .checks import integer


def seed_everything(seed: int = 42) -> np.random.Generator:
    """Seed Python, NumPy and (only if already imported) Keras/TensorFlow; return a NumPy Generator.

    Keras is seeded only when a notebook has already imported it, so that notebooks 1-3 never
    pay for importing TensorFlow. Call it again after importing Keras (notebook 04 does).
    """
    seed = integer(seed, "seed", low=0)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this process is already running
    random.seed(seed)
    np.random.seed(seed)  # legacy global state, still used by some libraries
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)


def as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A NumPy Generator: ``seed`` itself when it is one, else a new one seeded with it."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
