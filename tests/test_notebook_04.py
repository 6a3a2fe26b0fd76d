"""Notebook 04 writes the slides' network on the page; the benchmark trains ``build_weather_cnn``.

These tests run the notebook's own cells (its augmentation block and its model cell, found by
cell id) and prove that the page's network is the tested builder's: the same layers, output
shapes, parameter counts, optimiser and loss, and, after the same ``keras.utils.set_random_seed``,
the same starting weights. So the benchmark's figures are the notebook's network's figures.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_weather_cnn.ipynb"
#: Cell ids of the page's augmentation block and of its model cell (build + compile).
AUGMENTATION_CELL = "augmentation-layers"
MODEL_CELL = "60bd3f77"

pytest.importorskip("keras")


def cell_source(cell_id: str) -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.get("id") == cell_id:
            return cell.source
    raise AssertionError(f"{NOTEBOOK.name} has no cell with id {cell_id!r}: the test finds the "
                         "slides' network by it, so keep the id when editing the cell")


def notebook_model():
    """Run the notebook's augmentation and model cells; return its ``model``."""
    from workshop_utils import weather

    keras = weather.import_keras()
    namespace = {"keras": keras, "layers": keras.layers, "weather": weather, "np": np}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(cell_source(AUGMENTATION_CELL), AUGMENTATION_CELL, "exec"), namespace)
        exec(compile(cell_source(MODEL_CELL), MODEL_CELL, "exec"), namespace)
    return namespace["model"]


def builder_model():
    """``build_weather_cnn`` as the benchmark calls it for seed 0."""
    from workshop_utils import weather

    keras = weather.import_keras()
    keras.utils.set_random_seed(0)
    return weather.build_weather_cnn(weather.IMAGE_SIZE, weather.make_augmentation(seed=0), seed=None)


def layer_rows(model) -> list[tuple]:
    """(type, output shape, parameters) of every layer, and of every augmentation layer."""
    rows = []
    for layer in model.layers:
        rows.append((type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params()))
        for inner in getattr(layer, "layers", []):
            config = {k: v for k, v in inner.get_config().items() if k not in ("name", "trainable")}
            rows.append(("  " + type(inner).__name__, repr(sorted(config.items()))))
    return rows


@pytest.fixture(scope="module")
def models():
    return notebook_model(), builder_model()


def test_the_notebook_writes_the_builders_network(models):
    page, built = models
    assert layer_rows(page) == layer_rows(built)
    assert page.count_params() == built.count_params() == 8_006_524


def test_the_notebook_compiles_it_as_the_builder_does(models):
    page, built = models
    assert type(page.optimizer) is type(built.optimizer)
    assert float(page.optimizer.learning_rate) == pytest.approx(float(built.optimizer.learning_rate))
    assert page.loss == built.loss == "categorical_crossentropy"


def test_the_same_seed_gives_the_same_starting_weights(models):
    page, built = models
    page_weights, built_weights = page.get_weights(), built.get_weights()
    assert [w.shape for w in page_weights] == [w.shape for w in built_weights]
    for mine, theirs in zip(page_weights, built_weights, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # ... and the comparison can fail: another seed draws other weights.
    from workshop_utils import weather

    keras = weather.import_keras()
    keras.utils.set_random_seed(1)
    other = weather.build_weather_cnn(weather.IMAGE_SIZE, weather.make_augmentation(seed=0), seed=None)
    assert not np.array_equal(other.get_weights()[0], page_weights[0])


def test_the_notebook_trains_with_the_slides_fit_call():
    sources = "\n".join(cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells
                        if cell.cell_type == "code")
    assert "model.fit(train, validation_data=val, epochs=EPOCHS" in sources
    assert "prediction = model(new_img)" in sources
    for layer in ("RandomFlip", "RandomRotation", "RandomZoom", "RandomShear"):
        assert layer in cell_source(AUGMENTATION_CELL)
