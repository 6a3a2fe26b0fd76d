"""Notebook 04's own page code, run by the benchmarks so that they cannot drift from the page.

The photo pipeline is the notebook's cell that calls ``image_dataset_from_directory``
(``photo_dataset``, ``train``, ``val``, ``test``): :func:`page_code` takes a cell's source from
``notebooks/04_weather_cnn.ipynb`` by its id and :func:`run_page` executes the pipeline cell;
:func:`run_cells` runs more of them (section 9's). The slides' network is trained as the page
trains it: Keras's ``fit``, keeping the best validation epoch (:func:`fit_as_the_page`).
"""

from __future__ import annotations

import contextlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_04 = ROOT / "notebooks" / "04_weather_cnn.ipynb"
#: The id of the page's pipeline cell (the one that calls ``image_dataset_from_directory``).
PIPELINE_CELL = "photo-dataset"
#: The names the pipeline cell must define.
PAGE_NAMES = ("IMAGE_SIZE", "photo_dataset", "train", "val", "test")
#: The notebook's epochs (section 5's ``EPOCHS = 20``; the better network's 30).
EPOCHS = {"slides": 20, "better": 30}

@dataclass(frozen=True)
class PageCode:
    """The pipeline cell's Python source and where it came from."""

    source: str
    origin: str
    from_notebook: bool


def code_cells(notebook: Path = NOTEBOOK_04) -> list[tuple[int, str]]:
    """(index, source) of every code cell of ``notebook``."""
    nb = nbformat.read(notebook, as_version=4)
    return [(i, cell.source) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def page_code(notebook: Path = NOTEBOOK_04, cell_id: str = PIPELINE_CELL) -> PageCode:
    """One of the notebook's code cells, by its id (the pipeline cell by default)."""
    nb = nbformat.read(notebook, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.get("id") == cell_id:
            return PageCode(python_source(cell.source), f"{notebook.name}, cell {index} ({cell_id})", True)
    raise ValueError(f"{notebook.name} has no cell with id {cell_id!r}: the benchmark runs the "
                     "page's own cells, found by id; keep the id when editing the cell")


def run_cells(namespace: dict, *cell_ids: str, notebook: Path = NOTEBOOK_04) -> dict:
    """Run more of the page's cells (by id) in a :func:`run_page` namespace; what they print goes
    to stderr. Returns the namespace."""
    with contextlib.redirect_stdout(sys.stderr):
        for cell_id in cell_ids:
            code = page_code(notebook, cell_id)
            exec(compile(code.source, code.origin, "exec"), namespace)  # noqa: S102 (the page's code)
    return namespace


def python_source(cell_source: str) -> str:
    """A cell's source as plain Python (IPython's magics turned into calls, as the kernel does)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


def uses_op_determinism(notebook: Path = NOTEBOOK_04) -> bool:
    """Whether the notebook's code turns on TensorFlow's op determinism (outside comments)."""
    call = "enable_op_determinism("
    return any(call in line.split("#", 1)[0] for _, source in code_cells(notebook)
               for line in source.splitlines())


def run_page(photos: Path, code: PageCode | None = None, image_size=None) -> dict:
    """Execute the pipeline cell with ``photos`` (a ``weather-img`` folder); its namespace.

    ``image_size`` (height, width) overrides the page's ``IMAGE_SIZE`` for a benchmark that
    varies it. What the cell prints (Keras's "Found N files") goes to stderr, so that a
    script's stdout stays one JSON line.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from workshop_utils import weather

    quiet_tensorflow()
    code = code or page_code()
    namespace = {"__name__": "notebook_04_page", "photos": Path(photos), "keras": keras, "tf": tf,
                 "np": np, "weather": weather}
    with contextlib.redirect_stdout(sys.stderr):
        exec(compile(code.source, code.origin, "exec"), namespace)  # noqa: S102 (the page's own code)
        missing = [name for name in PAGE_NAMES if name not in namespace]
        if missing:
            raise ValueError(f"{code.origin} does not define {', '.join(missing)}: the benchmark "
                             "needs the page's photo_dataset cell (see benchmarks/page.py)")
        if image_size is not None and tuple(image_size) != tuple(namespace["IMAGE_SIZE"]):
            namespace["IMAGE_SIZE"] = size = tuple(image_size)
            make = namespace["photo_dataset"]
            namespace.update(train=make("train", shuffle=True, image_size=size),
                             val=make("validate", image_size=size), test=make("test", image_size=size))
    return namespace


def photo_dataset(namespace: dict, split: str, shuffle: bool = False):
    """The page's ``photo_dataset(split, shuffle)`` from a :func:`run_page` namespace (what it
    prints goes to stderr)."""
    with contextlib.redirect_stdout(sys.stderr):
        return namespace["photo_dataset"](split, shuffle=shuffle, image_size=namespace["IMAGE_SIZE"])


def quiet_tensorflow() -> None:
    """As notebook 04's setup cell: no retracing notes, no warning that fit's shuffle does not
    apply to a pipeline that shuffles itself."""
    import warnings

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    warnings.filterwarnings("ignore", message="`shuffle=True` was passed")


def arrays(dataset) -> tuple:
    """All (photos, one-hot labels) of a batched dataset as two NumPy arrays, in its order."""
    import numpy as np

    xs, ys = zip(*((x.numpy(), y.numpy()) for x, y in dataset), strict=True)
    return np.concatenate(xs), np.concatenate(ys)


def build(kind: str, seed: int, image_size=(100, 100), *, dropout: float = 0.5,
          augment: bool = True, decay_steps: int | None = None):
    """The notebook's network, from the same starting point as the page: the slides' one right
    after ``keras.utils.set_random_seed(seed)``, with Keras's default Adam (``"adam"``); the
    better one with its seeded builder. ``augment=False`` leaves the augmentation block out."""
    import keras

    from workshop_utils import weather

    keras.utils.set_random_seed(seed)
    augmentation = weather.make_augmentation(seed=seed) if augment else None
    if kind == "slides":
        return weather.build_weather_cnn(image_size, augmentation, dropout=dropout, seed=None,
                                         learning_rate=None)
    if kind == "better":
        options = {} if decay_steps is None else {"decay_steps": decay_steps}
        return weather.build_better_cnn(image_size, augmentation, seed=seed, **options)
    raise ValueError(f"kind must be 'slides' or 'better', got {kind!r}")


@dataclass
class Fitted:
    """A model trained as the page trains it, its per-epoch curves and timings."""

    model: object
    history: dict[str, list[float]]
    seconds: float
    epoch_seconds: list[float] = field(default_factory=list)

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) whose weights were kept: the first with the best validation accuracy."""
        values = self.history.get("val_accuracy", [])
        return values.index(max(values)) + 1 if values else 0


def epoch_timer():
    """A Keras callback whose ``seconds`` lists each epoch's wall time (training and validation)."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def progress_to_stderr(epochs: int):
    """A Keras callback printing one line per epoch to stderr (stdout carries the JSON)."""
    import keras

    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            shown = "  ".join(f"{k} {float(v):.3f}" for k, v in (logs or {}).items())
            print(f"epoch {epoch + 1}/{epochs}  {shown}", file=sys.stderr, flush=True)

    return Progress()


def fit_as_the_page(model, train, val, epochs: int, progress: bool = True) -> Fitted:
    """``model.fit`` as notebook 04 calls it: keep the weights of the best validation epoch."""
    import keras

    timer = epoch_timer()
    callbacks = [timer, keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=epochs,
                                                      restore_best_weights=True)]
    if progress:
        callbacks.insert(0, progress_to_stderr(epochs))
    start = time.perf_counter()
    history = model.fit(train, validation_data=val, epochs=epochs, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - start
    curves = {key: [float(v) for v in values] for key, values in history.history.items()}
    return Fitted(model, curves, seconds, timer.seconds)


def evaluate(model, dataset) -> dict:
    """Test accuracy, per-class accuracy and confusion matrix of ``model`` on a batched dataset."""
    import numpy as np

    from workshop_utils import weather

    labels = np.concatenate([y.numpy() for _, y in dataset]).argmax(axis=1)
    probabilities = model.predict(dataset, verbose=0)
    return evaluation_figures(weather.Evaluation(labels, probabilities))


def evaluation_figures(evaluation) -> dict:
    """The figures of a ``weather.Evaluation`` for the JSON."""
    low, high = evaluation.accuracy_interval()
    return {"test_accuracy": round(evaluation.accuracy, 4),
            "test_accuracy_interval": [round(low, 4), round(high, 4)],  # 95 % (Wilson)
            "per_class_accuracy": {k: round(v, 4) for k, v in evaluation.per_class_accuracy.items()},
            "confusion": evaluation.confusion.tolist(), "classes": list(evaluation.classes)}
