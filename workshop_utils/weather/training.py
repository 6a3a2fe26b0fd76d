"""Training notebook 04's networks: compact progress, keeping the best epoch, save and load.

Keras is imported inside the functions, never at import time.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..checks import integer
from .pipelines import WeatherSplits

EPOCHS = {"slides": 20, "better": 30}  # full workshop (the issue asks 20 for the slides' network)
FAST_EPOCHS = {"slides": 3, "better": 3}  # WORKSHOP_FAST=1: stand-in photos, a quick run


def default_epochs(kind: str) -> int:
    """How many epochs the notebook trains ``kind`` ("slides" or "better"): few in fast mode."""
    table = FAST_EPOCHS if config.fast_mode() else EPOCHS
    if kind not in table:
        raise ValueError(f"kind must be one of {sorted(table)}, got {kind!r}")
    return table[kind]


# --- Training ---------------------------------------------------------------------------------


def format_epoch(epoch: int, epochs: int, logs: dict) -> str:
    """One compact progress line: "epoch  3/20  loss 0.812  accuracy 0.710  val_loss ...". """
    width = len(str(epochs))
    parts = [f"epoch {epoch:>{width}}/{epochs}"]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        if key in logs:
            parts.append(f"{key} {float(logs[key]):.3f}")
    return "  ".join(parts)


def compact_progress(epochs: int, print_fn: Callable[[str], None] = print):
    """A Keras callback that prints one :func:`format_epoch` line per epoch (instead of bars)."""
    import keras

    class CompactProgress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print_fn(format_epoch(epoch + 1, epochs, logs or {}))

    return CompactProgress()


#: What :func:`best_weights_keeper` ranks epochs by: the validation accuracy, ties broken by the
#: lower validation loss. Keras compares in float32, so the loss weighs 1e-4: losses that differ
#: by less than about 1e-3 count as tied (the earlier epoch wins), and the loss could outweigh
#: one photo's worth of accuracy (1/168 on the real validate split) only at losses above 50.
BEST_SCORE = "val_accuracy_then_loss"
LOSS_TIE_BREAK = 1e-4


def best_weights_keeper(epochs: int) -> list:
    """Keras callbacks that keep the weights of the epoch with the best validation accuracy (ties
    go to the lower validation loss) and put them back when training ends.

    Keras's ``EarlyStopping(restore_best_weights=True)`` keeps and restores the weights; with a
    patience of ``epochs`` it never stops early. A small callback before it writes the score
    it watches (:data:`BEST_SCORE`). This chooses by the validate split only, never by test,
    so the test accuracy stays honest. The last callback's ``best_epoch`` counts from 0.
    """
    import keras

    class Score(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs is not None and "val_accuracy" in logs:
                logs[BEST_SCORE] = (float(logs["val_accuracy"])
                                    - LOSS_TIE_BREAK * float(logs.get("val_loss", 0.0)))

    keeper = keras.callbacks.EarlyStopping(monitor=BEST_SCORE, mode="max", patience=int(epochs),
                                           restore_best_weights=True)
    return [Score(), keeper]


@dataclass
class TrainingResult:
    """A trained model, how it came about, and its learning curves (empty if it was loaded)."""

    model: object
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    source: str = "trained"  # or "loaded"
    message: str = ""
    best_epoch: int = 0  # the epoch whose weights were kept (0: the last, or loaded)

    def __repr__(self) -> str:
        return self.message or f"TrainingResult({self.source})"


def train_model(model, splits: WeatherSplits, epochs: int, *, progress: bool = True,
                keep_best: bool = True) -> TrainingResult:
    """Fit ``model`` on the train split for ``epochs``, watching the validate split.

    With ``keep_best`` (the default) the model ends with the weights of the epoch with the best
    validation accuracy (:func:`best_weights_keeper`) rather than those of the last epoch,
    whose accuracy jumps up and down by a few points from one epoch to the next.
    """
    epochs = integer(epochs, "epochs", low=1)
    _check_input_size(model, splits.image_size)
    callbacks = [compact_progress(epochs)] if progress else []
    if keep_best:
        callbacks += best_weights_keeper(epochs)
    start = time.perf_counter()
    history = model.fit(splits.train, validation_data=splits.validate, epochs=int(epochs),
                        shuffle=False,  # the train pipeline shuffles itself, seeded
                        verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - start
    curves = {key: [float(v) for v in values] for key, values in history.history.items()
              if key != BEST_SCORE}
    message = f"Trained {model.name} for {epochs} epochs in {seconds:.0f} s."
    keeper = callbacks[-1] if keep_best else None
    best_epoch = keeper.best_epoch + 1 if keeper is not None and keeper.best_weights else 0
    if best_epoch:
        message += (f" Kept the weights of epoch {best_epoch} (best validation accuracy, "
                    f"{curves['val_accuracy'][best_epoch - 1]:.1%}).")
    return TrainingResult(model, curves, seconds, "trained", message, best_epoch)


def _check_input_size(model, image_size) -> None:
    expected = tuple(model.input_shape[1:3])
    if expected != tuple(image_size):
        raise ValueError(
            f"the model expects {expected[0]}x{expected[1]} photos but the data is "
            f"{image_size[0]}x{image_size[1]}: load the splits with image_size={expected}"
        )


# --- Saving and loading models ----------------------------------------------------------------


def model_name(kind: str) -> str:
    """The file stem for a model kind; fast-mode (stand-in) models never overwrite real ones."""
    return f"weather-{kind}" + ("-fast" if config.fast_mode() else "")


def model_path(name: str) -> Path:
    """Where a model named ``name`` is saved: ``<data folder>/models/<name>.keras``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name or ""):
        raise ValueError(f"model name {name!r} must be letters, digits, '-', '_' or '.'")
    return config.data_dir() / "models" / f"{name.removesuffix('.keras')}.keras"


def save_model(model, name: str) -> Path:
    """Save ``model`` as ``<data folder>/models/<name>.keras`` (atomically); return the path."""
    path = model_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial.keras")
    model.save(partial)
    os.replace(partial, path)
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
        raise ValueError(
            f"no saved model at {_shown(path)}: train it once (the notebook saves it, or run "
            "`python benchmarks/weather_accuracy.py --save`) before loading it"
        )
    return keras.models.load_model(path)


def _shown(path: Path) -> str:
    """A path as the notebook may print it: relative to the data folder, never absolute."""
    return config.shown(path, config.data_dir(), "<data folder>")


def train_or_load(build: Callable[[], object], splits: WeatherSplits, *, name: str, epochs: int,
                  use_saved: bool = False, save: bool = True, progress: bool = True) -> TrainingResult:
    """Load the model saved under ``name`` if ``use_saved`` and it exists, else build, train, save.

    For slow laptops: train once before the workshop (same code), then set ``use_saved``.
    The result's ``message`` says which happened.
    """
    path = model_path(name)
    if use_saved and path.is_file():
        model = load_model(path)
        _check_input_size(model, splits.image_size)
        return TrainingResult(model, {}, 0.0, "loaded",
                              f"Loaded the model trained before the workshop from {_shown(path)} "
                              "(no training now, so there are no learning curves).")
    note = f"No saved model at {_shown(path)}: training now. " if use_saved else ""
    result = train_model(build(), splits, epochs, progress=progress)
    if save:
        save_model(result.model, name)
        result.message = f"{note}{result.message} Saved to {_shown(path)}."
    else:
        result.message = note + result.message
    return result
