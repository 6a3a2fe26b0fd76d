"""One call that makes a notebook's randomness repeatable."""

import os
import random
import sys

import numpy as np

from .checks import integer


def seed_everything(seed: int = 42) -> np.random.Generator:
    """Seed Python, NumPy and Keras (only if imported: notebooks 1-3 never pay for TensorFlow;
    notebook 04 calls this again after importing it); return a NumPy Generator."""
    seed = integer(seed, "seed", low=0)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this process is already running
    random.seed(seed)
    np.random.seed(seed)  # legacy global state, still used by some libraries
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)
