"""Notebook 04's Keras side: model builders, classify_image, saving and loading safely."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from PIL import Image

keras = pytest.importorskip("keras")

from tests.standins import make_standin_weather  # noqa: E402
from workshop_utils import models, weather  # noqa: E402
from workshop_utils.weather.augment import make_augmentation  # noqa: E402

SIZE = (32, 32)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """A tiny stand-in dataset in the real layout (10 pictures per class, 32x32)."""
    return make_standin_weather(tmp_path_factory.mktemp("weather"), n_per_class=10, size=SIZE, seed=1)


@pytest.fixture()
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    return tmp_path


# --- builders -----------------------------------------------------------------------------------

def test_slides_network_layers_and_parameters_as_on_the_slides():
    model = weather.build_weather_cnn((100, 100), make_augmentation())
    assert [type(layer).__name__ for layer in model.layers[2:]] == [
        "Conv2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout", "Dense"]
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
    assert "Dropout" not in [type(layer).__name__ for layer in model.layers]
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
    slides = weather.build_weather_cnn(SIZE)  # optimizer="adam", as on the slides
    assert float(slides.optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(weather.build_weather_cnn(SIZE, learning_rate=3e-4).optimizer.learning_rate) == pytest.approx(3e-4)
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


def test_classify_image_resizes_as_keras_reads_a_folder(photos):
    model = weather.build_weather_cnn(SIZE, seed=0)
    test = keras.utils.image_dataset_from_directory(
        photos / "test", label_mode="categorical", class_names=list(weather.CLASSES),
        image_size=SIZE, batch_size=8, shuffle=False, verbose=False)
    evaluation = weather.evaluate_model(model, test, photos / "test")
    assert [str(p) for p in evaluation.files] == test.file_paths
    single = weather.classify_image(model, evaluation.files[0])
    # the same resize; Pillow and TensorFlow decode a JPEG with slightly different rounding
    np.testing.assert_allclose(list(single.values()), evaluation.probabilities[0], atol=2e-3)
    with pytest.raises(ValueError, match="without shuffling"):
        weather.evaluate_model(model, test.unbatch().take(3).batch(8), photos / "test")


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
    assert [p.name for p in path.parent.iterdir()] == ["round-trip.keras"]
    loaded = weather.load_model("round-trip")
    batch = np.random.default_rng(0).uniform(0, 255, (3, *SIZE, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(batch, verbose=0), model.predict(batch, verbose=0), atol=1e-6)
    assert weather.load_model(path).count_params() == model.count_params()


def test_loading_a_missing_model_says_what_to_do(data_folder):
    with pytest.raises(ValueError, match="run the notebook's training once"):
        weather.load_model("never-saved")
    with pytest.raises(ValueError, match="must be letters"):
        weather.training.model_path("../escape")


def test_a_model_that_cannot_be_saved_is_kept_with_one_warning(tmp_path, monkeypatch):
    """A read-only data folder: training's result is not thrown away."""
    locked = tmp_path / "locked"
    (locked / "models").mkdir(parents=True)
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(locked))
    model = weather.build_weather_cnn(SIZE, seed=0)
    locked_mode = (locked / "models").stat().st_mode
    (locked / "models").chmod(0o555)
    try:
        with open(locked / "models" / "probe", "w"):
            pytest.skip("this user can write into read-only folders (root): the permission cannot fail")
    except PermissionError:
        pass
    try:
        with pytest.warns(UserWarning, match=r"could not save the model to <data folder>/models/"
                                             r"weather-slides.keras .*still in memory"):
            assert weather.save_model(model, "weather-slides") is None
    finally:
        (locked / "models").chmod(locked_mode)
    assert model.predict(np.zeros((1, *SIZE, 3)), verbose=0).shape == (1, 4)  # still works


def test_a_failed_save_keeps_the_model_and_the_earlier_file(data_folder, monkeypatch):
    model = weather.build_weather_cnn(SIZE, seed=0)
    path = weather.save_model(model, "kept")
    before = path.read_bytes()

    def full_disk(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as handle:
            handle.write(b"PK half a model")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(model), "save", full_disk)
    with pytest.warns(UserWarning, match="No space left on device"):
        assert weather.save_model(model, "kept") is None
    assert path.read_bytes() == before and [p.name for p in path.parent.iterdir()] == ["kept.keras"]


SAVE_LOOP = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
from workshop_utils import weather
keras = weather.import_keras()
model = weather.build_weather_cnn(16, weather.make_augmentation(seed=int(sys.argv[1])), seed=int(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    weather.save_model(model, "shared")
"""


def test_two_kernels_saving_one_model_at_once_never_leave_a_broken_file(data_folder):
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**__import__("os").environ, "WORKSHOP_DATA_DIR": str(data_folder), "PYTHONPATH": str(root)}
    writers = [subprocess.Popen([sys.executable, "-c", SAVE_LOOP, str(seed), "15"], env=env)
               for seed in (1, 2)]
    path, checked = data_folder / "models" / "shared.keras", 0
    while any(w.poll() is None for w in writers):
        if path.exists():
            with zipfile.ZipFile(path) as archive:  # BadZipFile if ever half-written
                assert archive.testzip() is None
            checked += 1
    assert [w.returncode for w in writers] == [0, 0]
    assert checked > 0 and weather.load_model("shared").count_params() > 0
    assert [p.name for p in path.parent.iterdir()] == ["shared.keras"]


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
