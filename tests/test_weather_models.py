"""Notebook 04's Keras side: model builders, pipelines, training, classify_image, save/load."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from PIL import Image

keras = pytest.importorskip("keras")

from workshop_utils import models, weather  # noqa: E402
from workshop_utils.weather import make_standin_weather  # noqa: E402
from workshop_utils.weather.augment import make_augmentation  # noqa: E402

SIZE = (32, 32)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """A tiny stand-in dataset in the real layout (10 pictures per class, 32x32)."""
    return make_standin_weather(tmp_path_factory.mktemp("weather") / "img", n_per_class=10,
                                size=SIZE, seed=1)


@pytest.fixture(scope="module")
def splits(photos):
    return weather.load_splits(photos, image_size=SIZE, batch_size=8, seed=0)


@pytest.fixture()
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    return tmp_path


# --- builders -----------------------------------------------------------------------------------

def test_slides_network_layers_and_parameters_as_on_the_slides():
    model = weather.build_weather_cnn((100, 100), make_augmentation())
    assert weather.slides_layer_names(model) == list(weather.SLIDES_CNN_LAYERS)
    conv32, conv16 = model.get_layer("conv32"), model.get_layer("conv16")
    assert (conv32.filters, conv32.kernel_size, conv32.padding, conv32.activation.__name__) == (32, (3, 3), "same", "relu")
    assert (conv16.filters, conv16.padding, conv16.activation.__name__) == (16, "same", "relu")
    assert model.get_layer("pool").pool_size == (2, 2)
    assert model.get_layer("dense200").units == 200
    assert model.get_layer("dropout").rate == 0.5
    assert model.get_layer("weather").activation.__name__ == "softmax"
    # 3*3*3*32+32, 3*3*32*16+16, 50*50*16*200+200, 200*4+4
    assert [layer.count_params() for layer in model.layers if layer.count_params()] == [896, 4624, 8_000_200, 804]
    assert model.count_params() == 8_006_524
    assert model.loss == "categorical_crossentropy"
    assert type(model.optimizer).__name__ == "Adam"


def test_image_size_is_a_parameter():
    model = weather.build_weather_cnn(64)
    assert model.input_shape == (None, 64, 64, 3)
    assert model.count_params() == 896 + 4624 + (32 * 32 * 16 * 200 + 200) + 804


def test_preprocessing_comes_first_and_takes_raw_pixels():
    model = weather.build_weather_cnn(SIZE, make_augmentation())
    assert [layer.name for layer in model.layers[:2]] == ["augmentation", "rescale"]
    assert model.get_layer("rescale").scale == pytest.approx(1 / 255)
    plain = weather.build_weather_cnn(SIZE)
    assert plain.layers[0].name == "rescale"


def test_no_dropout_leaves_the_layer_out_and_keeps_the_weights():
    model = weather.build_weather_cnn(SIZE, dropout=0)
    assert "Dropout" not in weather.slides_layer_names(model)
    assert model.count_params() == weather.build_weather_cnn(SIZE).count_params()


def test_same_seed_same_initial_weights():
    a = weather.build_weather_cnn(SIZE, seed=3).get_weights()
    b = weather.build_weather_cnn(SIZE, seed=3).get_weights()
    c = weather.build_weather_cnn(SIZE, seed=4).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_better_network_is_smaller_with_batch_norm_and_global_pooling():
    better = weather.build_better_cnn((100, 100))
    kinds = {type(layer).__name__ for layer in better.layers}
    assert {"BatchNormalization", "GlobalAveragePooling2D"} <= kinds
    assert "Flatten" not in kinds
    assert better.count_params() == 390_884
    assert better.count_params() < weather.build_weather_cnn((100, 100)).count_params() / 20
    stem = better.get_layer("conv1")
    assert stem.strides == (2, 2) and stem.output.shape[1:3] == (50, 50)  # the stem halves the photo
    assert better.get_layer("conv2").output.shape[1:3] == (25, 25)
    plain = weather.build_better_cnn((100, 100), stem_stride=1)
    assert plain.get_layer("conv1").output.shape[1:3] == (100, 100)
    with pytest.raises(ValueError, match="stem_stride"):
        weather.build_better_cnn((100, 100), stem_stride=0)


def test_default_learning_rates_and_the_better_networks_training_refinements():
    slides = weather.build_weather_cnn(SIZE)
    assert float(slides.optimizer.learning_rate) == pytest.approx(3e-4)
    assert float(weather.build_weather_cnn(SIZE, learning_rate=None).optimizer.learning_rate) == pytest.approx(1e-3)
    better = weather.build_better_cnn(SIZE)
    schedule = better.optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert float(schedule(0)) == pytest.approx(0.003)
    assert float(schedule(weather.builders.BETTER_DECAY_STEPS)) == pytest.approx(0.003 * 0.01)
    assert better.loss.get_config()["label_smoothing"] == pytest.approx(0.1)
    plain = weather.build_better_cnn(SIZE, decay_steps=None, label_smoothing=0)
    assert float(plain.optimizer.learning_rate) == pytest.approx(0.003)
    assert plain.loss == "categorical_crossentropy"
    for bad in (dict(decay_steps=0), dict(label_smoothing=1.0)):
        with pytest.raises(ValueError):
            weather.build_better_cnn(SIZE, **bad)


@pytest.mark.parametrize("bad", [dict(image_size=(4, 4)), dict(image_size="big"), dict(dropout=1.0),
                                 dict(learning_rate=-1.0), dict(seed=-2)])
def test_builders_refuse_bad_arguments(bad):
    kwargs = {"image_size": SIZE} | bad
    with pytest.raises(ValueError):
        weather.build_weather_cnn(**kwargs)


def test_layer_table_is_plain_and_complete():
    table = models.layer_table(weather.build_weather_cnn((100, 100)))
    rows = [line.split() for line in table.splitlines()]
    assert ["dense200", "Dense", "(200,)", "8,000,200"] in rows
    assert ["pool", "MaxPooling2D", "(50,", "50,", "16)", "0"] in rows
    assert table.splitlines()[-1].split()[-1] == "8,006,524"


# --- pipelines, training, evaluation -------------------------------------------------------------

def test_pipeline_batches_raw_pixels_and_one_hot_labels(splits):
    images, labels = next(iter(splits.test))
    assert images.shape[1:] == (*SIZE, 3) and images.dtype == "float32"
    assert 1.0 < float(np.max(images)) <= 255.0
    np.testing.assert_array_equal(np.sum(labels, axis=1), 1)


def test_pipeline_keeps_test_order_and_class_order(splits):
    paths, labels = splits.files["test"]
    seen = np.concatenate([np.argmax(y, axis=1) for _, y in splits.test])
    np.testing.assert_array_equal(seen, labels)
    assert [p.parent.name for p in paths] == [weather.CLASSES[i] for i in labels]


def test_pipeline_decodes_by_content(tmp_path):
    png_named_jpg = tmp_path / "a.jpg"
    Image.new("RGB", (20, 10), (200, 100, 0)).save(png_named_jpg, format="PNG")
    gray = tmp_path / "b.png"
    Image.new("L", (10, 10), 77).save(gray)
    gif = tmp_path / "c.gif"
    frames = [Image.new("RGB", (10, 10), c) for c in [(255, 0, 0), (0, 255, 0)]]
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    dataset = weather.make_dataset([png_named_jpg, gray, gif], np.array([0, 1, 2]), image_size=(8, 8))
    images, _ = next(iter(dataset))
    np.testing.assert_allclose(images[0, 0, 0], [200, 100, 0], atol=1)
    np.testing.assert_allclose(images[1, 0, 0], [77, 77, 77], atol=1)
    assert images.shape == (3, 8, 8, 3)


def test_training_prints_one_line_per_epoch_and_evaluates(splits, capsys):
    model = weather.build_weather_cnn(SIZE, seed=0)
    result = weather.train_model(model, splits, epochs=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2  loss ")
    assert "val_accuracy" in lines[0]
    assert set(result.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(result.history["loss"]) == 2 and result.source == "trained"
    evaluation = weather.evaluate_model(result.model, splits)
    assert evaluation.probabilities.shape == (len(splits.files["test"][0]), 4)
    np.testing.assert_allclose(evaluation.probabilities.sum(axis=1), 1, atol=1e-5)


def test_training_keeps_the_weights_of_the_best_validation_epoch(splits):
    model = weather.build_weather_cnn(SIZE, seed=0)
    result = weather.train_model(model, splits, epochs=3, progress=False)
    val = result.history["val_accuracy"]
    assert 1 <= result.best_epoch <= 3 and val[result.best_epoch - 1] == max(val)
    assert f"epoch {result.best_epoch}" in result.message
    kept = weather.evaluate_model(result.model, splits, "validate").accuracy
    assert kept == pytest.approx(val[result.best_epoch - 1], abs=1e-6)
    last = weather.train_model(weather.build_weather_cnn(SIZE, seed=0), splits, epochs=1,
                               progress=False, keep_best=False)
    assert last.best_epoch == 0 and "Kept" not in last.message


def test_training_refuses_a_model_of_another_size(splits):
    with pytest.raises(ValueError, match="expects 48x48 photos"):
        weather.train_model(weather.build_weather_cnn(48), splits, epochs=1)


# --- classify_image and save/load -----------------------------------------------------------------

def _upload_value(data: bytes):
    """What ipywidgets 8's FileUpload.value holds after one upload."""
    return ({"name": "sky.png", "type": "image/png", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},)


def test_classify_image_accepts_every_kind_of_input(photos):
    model = weather.build_weather_cnn(SIZE, seed=0)
    path = next((photos / "test" / "sunrise").iterdir())
    data = path.read_bytes()
    pixels = np.asarray(Image.open(path).convert("RGB"))
    results = [weather.classify_image(model, image) for image in
               (path, str(path), data, pixels, pixels / 255.0, Image.open(path),
                _upload_value(data), _upload_value(data)[0])]
    first = results[0]
    assert list(first) == list(weather.CLASSES)
    assert sum(first.values()) == pytest.approx(1, abs=1e-5)
    for other in results[1:]:
        assert other == pytest.approx(first, abs=1e-4)


def test_classify_image_matches_the_pipeline(splits):
    model = weather.build_weather_cnn(SIZE, seed=0)
    evaluation = weather.evaluate_model(model, splits)
    single = weather.classify_image(model, evaluation.files[0])
    np.testing.assert_allclose(list(single.values()), evaluation.probabilities[0], atol=1e-4)


def test_classify_image_refuses_junk():
    model = weather.build_weather_cnn(SIZE, seed=0)
    with pytest.raises(ValueError, match="could not be decoded as an image"):
        weather.classify_image(model, b"not an image")
    with pytest.raises(ValueError, match="nothing was uploaded"):
        weather.classify_image(model, ())
    with pytest.raises(TypeError, match="cannot read a photo"):
        weather.classify_image(model, 42)


def test_save_and_load_round_trip(data_folder):
    model = weather.build_weather_cnn(SIZE, make_augmentation(seed=1), seed=0)
    path = weather.save_model(model, "round-trip")
    assert path == data_folder / "models" / "round-trip.keras" and path.is_file()
    assert not list(path.parent.glob(".*partial*"))
    loaded = weather.load_model("round-trip")
    batch = np.random.default_rng(0).uniform(0, 255, (3, *SIZE, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(batch, verbose=0), model.predict(batch, verbose=0), atol=1e-6)
    assert weather.slides_layer_names(loaded) == list(weather.SLIDES_CNN_LAYERS)
    assert weather.load_model(path).count_params() == model.count_params()


def test_loading_a_missing_model_says_what_to_do(data_folder):
    with pytest.raises(ValueError, match="train it once"):
        weather.load_model("never-saved")


def test_train_or_load_says_which_it_did(splits, data_folder):
    def build():
        return weather.build_weather_cnn(SIZE, seed=0)

    first = weather.train_or_load(build, splits, name="cnn", epochs=1, use_saved=True, progress=False)
    assert first.source == "trained" and first.message.startswith("No saved model at <data folder>/models/cnn.keras")
    again = weather.train_or_load(build, splits, name="cnn", epochs=1, use_saved=True, progress=False)
    assert again.source == "loaded" and "Loaded the model trained before the workshop" in again.message
    assert str(data_folder) not in again.message
    fresh = weather.train_or_load(build, splits, name="cnn", epochs=1, use_saved=False, progress=False)
    assert fresh.source == "trained" and "Saved to <data folder>/models/cnn.keras" in fresh.message


# --- widgets (thin shells, run headless) -----------------------------------------------------------

def test_augmentation_widget_redraws_for_its_sliders(photos):
    from workshop_utils.widgets import weather as ui

    example = next((photos / "train" / "shine").iterdir())
    preview = ui.AugmentationPreview(example)
    first = bytes(preview.picture.value)
    assert first.startswith(b"\x89PNG")
    preview.rotation.value = 0.3
    assert bytes(preview.picture.value) != first
    assert "rotation 0.30" in preview.figure.texts[0].get_text()


def test_upload_widget_classifies_and_reports_junk(photos):
    from workshop_utils.widgets import weather as ui

    model = weather.build_weather_cnn(SIZE, seed=0)
    data = next((photos / "test" / "rain").iterdir()).read_bytes()
    probabilities, figure = ui.upload_view(model, _upload_value(data))
    assert list(probabilities) == list(weather.CLASSES)
    assert "sky.png: looks like" in figure.axes[-1].get_title()
    shell = ui.UploadClassifier(model)
    shell.upload.value = _upload_value(data)
    assert shell.message.value.startswith("Looks like") and bytes(shell.picture.value).startswith(b"\x89PNG")
    shell.upload.value = _upload_value(b"junk")
    assert shell.message.value.startswith("Could not classify that file")


# --- benchmarks/weather_accuracy.py, end to end on the stand-ins --------------------------------


def _benchmark(capsys, *args):
    import json

    from benchmarks import weather_accuracy

    assert weather_accuracy.main(list(args)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_benchmark_prints_the_issue_keys_for_the_fixed_split(photos, capsys):
    result = _benchmark(capsys, "--split-dir", str(photos), "--model", "better", "--epochs", "1",
                        "--img-size", str(SIZE[0]))
    for key in ("test_accuracy", "per_class_accuracy", "train_seconds", "peak_memory_mb"):
        assert key in result
    assert sum(map(sum, result["confusion"])) == len(weather.split_files(photos, "test")[1])
    assert "folds" not in result


def test_benchmark_cross_validation_tests_every_photo_once(photos, capsys):
    total = sum(len(weather.split_files(photos, s)[1]) for s in weather.SPLITS)
    for model in ("slides", "baseline"):
        result = _benchmark(capsys, "--split-dir", str(photos), "--model", model, "--epochs", "1",
                            "--img-size", str(SIZE[0]), "--folds", "3")
        assert sum(map(sum, result["confusion"])) == total  # every photo once, pooled
        assert result["folds"] == 3 and len(result["fold_test_accuracy"]) == 3
        low, high = result["fold_accuracy_range"]
        assert low <= result["test_accuracy"] <= high
        assert result["evaluation"] == f"grouped 3-fold cross-validation over all {total} photos"
        if model == "slides":  # the baseline has no validate fold: it trains on train + validate
            assert len(result["fold_validation_accuracy"]) == 3
            assert all(0 <= v <= 1 for v in result["fold_validation_accuracy"])


@pytest.mark.parametrize("epochs", [30, 45, 3])
def test_benchmark_stretches_the_better_networks_decay_to_its_epochs(epochs):
    from benchmarks import weather_accuracy

    args = weather_accuracy.parse_args(["--split-dir", "unused", "--model", "better"])
    schedule = weather_accuracy.build_model(args, SIZE, epochs).optimizer._learning_rate
    steps = weather.builders.BETTER_DECAY_STEPS * epochs // weather.EPOCHS["better"]  # 25 batches per epoch
    assert schedule.decay_steps == steps
    assert float(schedule(steps)) == pytest.approx(0.003 * 0.01)  # fully decayed at the last epoch
    if epochs == weather.EPOCHS["better"]:  # at the notebook's epochs, the notebook's schedule
        assert schedule.decay_steps == weather.build_better_cnn(SIZE).optimizer._learning_rate.decay_steps


@pytest.mark.parametrize("args", [["--leaky"], ["--folds", "3", "--save"], ["--folds", "2"]])
def test_benchmark_refuses_options_that_do_not_fit_together(photos, capsys, args):
    from benchmarks import weather_accuracy

    with pytest.raises(SystemExit):
        weather_accuracy.parse_args(["--split-dir", str(photos), *args])
    assert "error:" in capsys.readouterr().err


def test_best_weights_keeper_ranks_by_validation_accuracy_then_loss():
    import keras

    from workshop_utils.weather.training import best_weights_keeper

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    callbacks = best_weights_keeper(epochs=5)
    for callback in callbacks:
        callback.set_model(model)
        callback.on_train_begin()
    epochs = [(0.5, 1.0), (0.7, 0.9), (0.7, 0.8), (0.7, 0.85), (0.6, 0.1)]
    for epoch, (accuracy, loss) in enumerate(epochs):
        model.set_weights([np.full((1, 1), float(epoch))])
        logs = {"val_accuracy": accuracy, "val_loss": loss}
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
    for callback in callbacks:
        callback.on_train_end()
    assert callbacks[-1].best_epoch == 2  # the tie at 70 % went to the lower loss
    assert not getattr(model, "stop_training", False)  # patience = epochs: never stops early
    assert model.get_weights()[0][0, 0] == 2.0
