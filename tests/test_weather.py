"""Notebook 04's light side (no TensorFlow): file lists, reading photos, evaluation, baseline."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from workshop_utils import weather


def _write(path, color, size=(24, 16), fmt=None, mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path, format=fmt)
    return path


@pytest.fixture()
def folder(tmp_path):
    """2 photos per class and split, plain colours (cloudy grey, rain dark blue, ...)."""
    colors = {"cloudy": (150, 150, 150), "rain": (40, 50, 90), "shine": (90, 160, 250), "sunrise": (250, 120, 30)}
    for split in weather.SPLITS:
        for name, color in colors.items():
            for i in range(2):
                _write(tmp_path / split / name / f"{name}{i}.png", color)
    (tmp_path / "train" / "cloudy" / "notes.txt").write_text("not a photo")
    return tmp_path


def test_split_files_in_the_order_keras_reads_a_folder(folder):
    paths, labels = weather.split_files(folder / "train")
    assert [p.name for p in paths][:3] == ["cloudy0.png", "cloudy1.png", "rain0.png"]
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 2, 2, 3, 3])
    with pytest.raises(ValueError, match="no photos in nowhere/.*weather_images"):
        weather.split_files(folder / "nowhere")


def test_class_counts_and_table(tmp_path):
    from tests.standins import make_standin_weather

    photos = make_standin_weather(tmp_path, n_per_class=10, size=(24, 24))
    counts = weather.class_counts(photos)
    assert counts["test"] == {c: len(list((photos / "test" / c).iterdir())) for c in weather.CLASSES}
    text = str(weather.counts_table(counts))  # what the notebook prints
    assert text.splitlines()[0].split() == ["cloudy", "rain", "shine", "sunrise", "total"]
    assert [line.split()[0] for line in text.splitlines()[1:]] == [*weather.SPLITS, "total"]
    assert text.splitlines()[-1].split() == ["total", "10", "10", "10", "10", "40"]


def test_read_image_decodes_by_content(tmp_path):
    png_named_jpg = _write(tmp_path / "x.jpg", (10, 20, 30), fmt="PNG")
    rgba = _write(tmp_path / "y.png", (10, 20, 30, 128), mode="RGBA")
    gray = _write(tmp_path / "z.png", 99, mode="L")
    for path in (png_named_jpg, rgba, gray):
        pixels = weather.read_image(path)
        assert pixels.shape == (16, 24, 3) and pixels.dtype == np.uint8
    assert tuple(weather.read_image(gray)[0, 0]) == (99, 99, 99)
    assert tuple(weather.read_image(png_named_jpg.read_bytes())[0, 0]) == (10, 20, 30)


def test_read_image_from_arrays_and_uploads():
    floats = np.full((4, 5, 3), 0.5)
    assert weather.read_image(floats)[0, 0, 0] == 128
    assert weather.read_image(np.zeros((4, 5), np.uint8)).shape == (4, 5, 3)
    with pytest.raises(ValueError, match="shape"):
        weather.read_image(np.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match="'content'"):
        weather.read_image({"name": "sky.jpg"})
    with pytest.raises(ValueError, match="no photo at"):
        weather.read_image("/nonexistent/sky.jpg")


def test_read_image_takes_the_upload_value_of_ipywidgets_7_and_8():
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (1, 2, 3)).save(buffer, format="PNG")
    data = buffer.getvalue()
    value_7 = {"sky.png": {"metadata": {"name": "sky.png", "type": "image/png", "size": len(data)},
                           "content": data}}
    value_8 = ({"name": "sky.png", "type": "image/png", "size": len(data), "content": memoryview(data)},)
    assert tuple(weather.read_image(value_7)[0, 0]) == (1, 2, 3)
    assert tuple(weather.read_image(value_8)[0, 0]) == (1, 2, 3)
    for empty in ({}, ()):
        with pytest.raises(ValueError, match="nothing was uploaded"):
            weather.read_image(empty)


def _evaluation():
    # truth: 0 0 1 1 2 3 ; predictions: 0 0 1 2 2 0
    probabilities = np.array([
        [0.9, 0.05, 0.03, 0.02],  # right, very sure  -> Good
        [0.5, 0.3, 0.1, 0.1],  # right, unsure     -> Meh
        [0.1, 0.7, 0.1, 0.1],
        [0.1, 0.2, 0.6, 0.1],  # wrong (rain -> shine)
        [0.1, 0.1, 0.7, 0.1],
        [0.8, 0.0, 0.0, 0.2],  # wrong and sure (sunrise -> cloudy) -> Bad
    ])
    return weather.Evaluation(np.array([0, 0, 1, 1, 2, 3]), probabilities)


def test_evaluation_numbers():
    ev = _evaluation()
    assert ev.accuracy == pytest.approx(4 / 6)
    assert ev.per_class_accuracy == {"cloudy": 1.0, "rain": 0.5, "shine": 1.0, "sunrise": 0.0}
    np.testing.assert_array_equal(ev.confusion, [[2, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0], [1, 0, 0, 0]])
    assert ev.misclassified() == [5, 3]
    assert ev.examples() == {"Good": 0, "Meh": 1, "Bad": 5}
    assert "test accuracy: 66.7% (4 of 6 photos; 95 % interval 30% to 90%)" in ev.report()


def test_accuracy_interval_is_wilsons():
    truth = np.zeros(10, dtype=int)
    eight_of_ten = weather.Evaluation(truth, np.eye(4)[[0] * 8 + [1] * 2])
    low, high = eight_of_ten.accuracy_interval()
    assert (low, high) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))
    low, high = weather.Evaluation(truth, np.eye(4)[[0] * 10]).accuracy_interval()
    assert high == 1.0 and low == pytest.approx(0.7225, abs=1e-4)
    narrow = weather.Evaluation(np.zeros(1000, dtype=int), np.eye(4)[[0] * 800 + [1] * 200])
    assert np.ptp(narrow.accuracy_interval()) < np.ptp(eight_of_ten.accuracy_interval()) / 5


def test_examples_when_everything_is_right():
    ev = weather.Evaluation([0, 1], np.eye(4)[[0, 1]])
    assert ev.examples()["Bad"] is None and ev.misclassified() == []


def test_evaluation_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="must have shape"):
        weather.Evaluation([0, 1, 2], np.zeros((3, 3)))


def test_image_features_see_colour_and_edges():
    names = weather.evaluation.FEATURE_NAMES
    assert len(names) == 3 * weather.evaluation.HSV_BINS + len(weather.evaluation.STAT_NAMES)
    flat_orange = weather.evaluation.image_features(np.full((40, 60, 3), (250, 120, 30), np.uint8))
    flat_blue = weather.evaluation.image_features(np.full((40, 60, 3), (90, 160, 250), np.uint8))
    stripes = np.zeros((40, 60, 3), np.uint8)
    stripes[:, ::4] = 255
    striped = weather.evaluation.image_features(stripes)
    assert flat_orange.shape == (len(names),)
    for features in (flat_orange, flat_blue):
        hue_hist = features[: weather.evaluation.HSV_BINS]
        assert hue_hist.sum() == pytest.approx(1) and hue_hist.max() == pytest.approx(1)
    assert np.argmax(flat_orange[:16]) != np.argmax(flat_blue[:16])
    edge = names.index("edge_mean")
    assert flat_orange[edge] == 0 and striped[edge] > 0.1


def test_baseline_learns_plain_colours(folder):
    results = weather.train_baseline(folder, seed=0)
    assert set(results) == {"boosting", "logistic"}
    assert results["logistic"].accuracy == 1.0
    assert results["boosting"].probabilities.shape == (8, 4)


def test_baseline_kind_must_be_known():
    with pytest.raises(ValueError, match="'boosting' or 'logistic'"):
        weather.evaluation.baseline_classifier("forest")


def test_format_epoch_is_one_compact_line():
    line = weather.training.format_epoch(3, 20, {"loss": 0.81234, "accuracy": 0.7, "val_loss": 0.9, "val_accuracy": 0.65})
    assert line == "epoch  3/20  loss 0.812  accuracy 0.700  val_loss 0.900  val_accuracy 0.650"
