"""Helpers for the workshop "Machine Learning and Neural Networks: An Introduction".

Importing this package is cheap: it never imports TensorFlow or Keras (the modules that
train networks import Keras themselves), and it changes no global state.
"""

from .config import data_dir, fast_mode
from .seeding import seed_everything

__version__ = "0.1.0"

__all__ = ["__version__", "data_dir", "fast_mode", "seed_everything"]
