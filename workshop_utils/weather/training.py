"""Training notebook 04's networks on the page needs two helpers: compact progress, and safe saving.

Keras is imported inside the functions, never at import time.
"""

import re
import warnings
from collections.abc import Callable
from pathlib import Path

from .. import config, files


def format_epoch(epoch: int, epochs: int, logs: dict) -> str:
    """One compact progress line: "epoch  3/20  loss 0.812  accuracy 0.710  val_loss ...". """
    parts = [f"epoch {epoch:>{len(str(epochs))}}/{epochs}"]
    parts += [f"{key} {float(logs[key]):.3f}" for key in ("loss", "accuracy", "val_loss", "val_accuracy")
              if key in logs]
    return "  ".join(parts)


def compact_progress(epochs: int, print_fn: Callable[[str], None] = print):
    """A Keras callback that prints one :func:`format_epoch` line per epoch (instead of bars)."""
    import keras

    class CompactProgress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print_fn(format_epoch(epoch + 1, epochs, logs or {}))

    return CompactProgress()


def model_path(name: str) -> Path:
    """Where a model named ``name`` is saved: ``<data folder>/models/<name>.keras``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name or ""):
        raise ValueError(f"model name {name!r} must be letters, digits, '-', '_' or '.'")
    return config.data_dir() / "models" / f"{name.removesuffix('.keras')}.keras"


def save_model(model, name: str) -> Path | None:
    """Save ``model`` as ``<data folder>/models/<name>.keras``, atomically; return the path.

    Never throws the trained model away: when saving fails (a read-only or full disk), it warns
    in one line why and where it tried, and returns None; ``model`` is as good as before.
    """
    path = model_path(name)
    try:
        with files.writing(path) as tmp:
            model.save(tmp)
    except OSError as error:
        warnings.warn(f"could not save the model to {_shown(path)} ({error.strerror or error}); "
                      "it is still in memory and works. To keep it, set WORKSHOP_DATA_DIR to a "
                      "folder you can write to and save again.", stacklevel=2)
        return None
    return path


def load_model(name_or_path):
    """Load a model saved by :func:`save_model` (a name in the models folder, or a path)."""
    import keras

    from .augment import shear_layer_class

    shear_layer_class()  # registers the custom shear layer a saved model may hold
    path = Path(name_or_path)
    if path.suffix != ".keras":
        path = model_path(str(name_or_path))
    if not path.is_file():
        raise ValueError(f"no saved model at {_shown(path)}: run the notebook's training once "
                         "(it saves the model) before loading it")
    return keras.models.load_model(path)


def _shown(path: Path) -> str:
    """A path as the notebook may print it: relative to the data folder, never absolute."""
    return config.shown(path, config.data_dir(), "<data folder>")
