"""Notebook 04's own cells, run here on stand-in photos: the code learners read is the code tested.

The page writes the slides' network (``keras.Sequential``), its photo pipeline
(``image_dataset_from_directory``), its training (``model.fit`` with ``EarlyStopping``) and section
9's transfer learning (backbone, ``predict``, a scikit-learn head). These tests find those cells by
id and run them: the network is the tested builder's (the benchmark trains the builder), the
pipeline keeps Keras's file order, training keeps the best validation epoch, and section 9
downloads, checks and uses the weights by itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import shutil
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tests.standins import make_standin_weather

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_weather_cnn.ipynb"

keras = pytest.importorskip("keras")


def cell_source(cell_id: str) -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.get("id") == cell_id:
            return cell.source
    raise AssertionError(f"{NOTEBOOK.name} has no cell with id {cell_id!r}: the tests find the "
                         "page's code by it, so keep the id when editing the cell")


def run_cells(namespace: dict, *cell_ids: str) -> str:
    """Run the page's cells in ``namespace`` (in order); return what they printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell_id in cell_ids:
            exec(compile(cell_source(cell_id), cell_id, "exec"), namespace)
    return printed.getvalue()


def page_namespace(photos=None, **extra) -> dict:
    """What the notebook's import cell defines."""
    import tensorflow as tf

    from workshop_utils import weather
    from workshop_utils.plots import weather as plots

    keras = weather.import_keras()
    return {"keras": keras, "layers": keras.layers, "weather": weather, "np": np, "tf": tf,
            "plots": plots, "time": time, "photos": photos, "FAST": True, **extra}


def builder_model():
    """``build_weather_cnn`` as the benchmark calls it for seed 0."""
    from workshop_utils import weather

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
    namespace = page_namespace()
    run_cells(namespace, "augmentation-layers", "slides-model")
    return namespace["model"], builder_model()


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return make_standin_weather(tmp_path_factory.mktemp("standin"), n_per_class=12, size=(64, 48))


def test_the_notebook_writes_the_builders_network(models):
    page, built = models
    assert layer_rows(page) == layer_rows(built)
    assert page.count_params() == built.count_params() == 8_006_524


def test_the_notebook_compiles_it_as_the_slides_and_the_builder_do(models):
    page, built = models
    assert 'model.compile(optimizer="adam", loss="categorical_crossentropy"' in cell_source("slides-model")
    assert type(page.optimizer) is type(built.optimizer)
    assert float(page.optimizer.learning_rate) == pytest.approx(float(built.optimizer.learning_rate))
    assert page.loss == built.loss == "categorical_crossentropy"


def test_the_same_seed_gives_the_same_starting_weights(models):
    from workshop_utils import weather

    page, built = models
    for mine, theirs in zip(page.get_weights(), built.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    keras.utils.set_random_seed(1)  # ... and the comparison can fail: another seed, other weights
    other = weather.build_weather_cnn(weather.IMAGE_SIZE, weather.make_augmentation(seed=0), seed=None)
    assert not np.array_equal(other.get_weights()[0], page.get_weights()[0])


def test_the_page_reads_the_photos_with_keras_in_its_file_order(photos):
    from workshop_utils import weather

    namespace = page_namespace(photos)
    run_cells(namespace, "photo-dataset")
    test, train = namespace["test"], namespace["train"]
    images, labels = next(iter(test))
    assert images.shape[1:] == (100, 100, 3) and images.dtype == "uint8"  # a quarter of floats' memory
    assert 1.0 < float(np.max(images)) <= 255.0
    np.testing.assert_array_equal(np.sum(labels, axis=1), 1)
    _, truth = weather.split_files(photos / "test")
    np.testing.assert_array_equal(np.concatenate([np.argmax(y, 1) for _, y in test]), truth)
    first, second = ([np.argmax(y, 1) for _, y in train] for _ in range(2))
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))  # reshuffled


def test_the_page_trains_with_the_slides_fit_and_keeps_the_best_epoch(photos, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    namespace = page_namespace(photos)
    printed = run_cells(namespace, "photo-dataset", "augmentation-layers", "slides-model",
                        "slides-training", "slides-evaluation")
    source = cell_source("slides-training")
    assert "model.fit(train, validation_data=val, epochs=EPOCHS" in source and "EPOCHS = 20" in source
    history, best = namespace["history"].history, namespace["best"]
    assert len(history["val_accuracy"]) == 2 and printed.count("\nepoch ") + printed.startswith("epoch") >= 2
    kept = namespace["model"].evaluate(namespace["val"], verbose=0, return_dict=True)["accuracy"]
    assert kept == pytest.approx(history["val_accuracy"][best.best_epoch], abs=1e-6)
    assert f"kept the weights of epoch {best.best_epoch + 1}" in printed
    assert (tmp_path / "models" / "weather-slides.keras").is_file()
    assert namespace["evaluation"].probabilities.shape == (len(namespace["evaluation"].y_true), 4)
    assert "prediction = model(new_img, training=False)" in "\n".join(
        c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells)


def test_section_9_downloads_checks_and_uses_the_weights_by_itself(photos, http_server, tmp_path,
                                                                   monkeypatch):
    """The self-made weights served from 127.0.0.1: no separate fetch, a cache the second time."""
    from test_pretrained import make_weights_file

    from workshop_utils import pretrained

    path, _, entry = make_weights_file(tmp_path / "made")
    shutil.copy(path, http_server.root / path.name)
    monkeypatch.setattr(pretrained, "BACKBONE",
                        dataclasses.replace(entry, url=http_server.url(f"files/{path.name}")))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    shutil.rmtree(photos / ".features", ignore_errors=True)
    namespace = page_namespace(photos)
    printed = run_cells(namespace, "transfer-weights", "transfer-features", "transfer-head")
    assert "Skipped" not in printed and len(http_server.requests) == 1
    assert namespace["weights"] == tmp_path / "keras-home" / "models" / path.name
    features, evaluation = namespace["features"], namespace["transfer_evaluation"]
    assert features["train"].shape[1] == 1280 and evaluation.probabilities.shape[1] == 4
    assert "test accuracy:" in printed
    started = time.perf_counter()
    run_cells(namespace, "transfer-weights", "transfer-features")  # weights and features from disk
    assert len(http_server.requests) == 1 and time.perf_counter() - started < 30
    assert all(np.array_equal(features[s], namespace["features"][s]) for s in features)


def test_offline_section_9_says_what_to_do_and_the_rest_runs(photos, refused_url, tmp_path, monkeypatch):
    from workshop_utils import pretrained

    monkeypatch.setattr(pretrained, "BACKBONE", dataclasses.replace(pretrained.BACKBONE, url=refused_url))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    namespace = page_namespace(photos)
    printed = run_cells(namespace, "transfer-weights", "transfer-features", "transfer-head")
    [line] = printed.strip().splitlines()
    assert line.startswith("Skipped: the pretrained weights") and "fetch --source" in line
    assert namespace["weights"] is None and "features" not in namespace
