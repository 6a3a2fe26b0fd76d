"""Transfer learning's machinery on stand-in photos: the feature cache, the head, fine-tuning.

These tests check the machinery, not the accuracy: the weights are random (made by
``make_weights_file``), so the features mean nothing. They use MobileNetV3Small (in the
registry like the notebook's EfficientNetB0, same code path, a third of the build time) at
32 px on 40 stand-in photos, to keep the run short.
"""

from __future__ import annotations

import copy
import dataclasses
import os

import numpy as np
import pytest
from test_pretrained import make_weights_file

from workshop_utils import pretrained
from workshop_utils.weather import Evaluation, make_standin_weather, split_files, transfer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
SMALL = pretrained.REGISTRY["MobileNetV3Small"]


@pytest.fixture(scope="module")
def two_weights(tmp_path_factory):
    """Two different weights files for the same network, each with its own registry entry."""
    folder = tmp_path_factory.mktemp("small-weights")
    a = make_weights_file(folder / "a", SMALL, seed=1)
    b = make_weights_file(folder / "b", SMALL, seed=2)
    assert a[2].md5 != b[2].md5
    return (a[0], a[2]), (b[0], b[2])


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    return make_standin_weather(tmp_path_factory.mktemp("standin") / "weather-img", n_per_class=10,
                                size=(40, 40))


@pytest.fixture
def placed(two_weights, tmp_path, monkeypatch):
    """Weights file A in place in a fresh KERAS_HOME; returns its entry."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    (path, entry), _ = two_weights
    pretrained.fetch_weights(path, weights=entry)
    return entry


def all_paths(root):
    return [p for split in ("train", "validate", "test") for p in split_files(root, split)[0]]


def test_features_are_cached_and_rebuilt_when_weights_size_or_photos_change(
        standin, two_weights, placed, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    paths = all_paths(standin)
    first = transfer.cached_features(standin, paths, 32, placed, cache_dir=cache, progress=False)
    assert first.computed == len(paths) and first.values.shape == (len(paths), 576)
    assert first.cache.is_file() and first.cache.parent == cache
    assert [p.name for p in cache.iterdir()] == [first.cache.name]  # no partial file left

    def no_network(*args, **kwargs):
        raise AssertionError("a re-run from the cache must not build the backbone")

    with monkeypatch.context() as patch:
        patch.setattr(transfer, "backbone", no_network)
        again = transfer.cached_features(standin, paths, 32, placed, cache_dir=cache, progress=False)
        assert again.computed == 0 and np.array_equal(again.values, first.values)
        reordered = transfer.cached_features(standin, paths[::-1], 32, placed, cache_dir=cache,
                                             progress=False)
        assert np.array_equal(reordered.values, first.values[::-1])

    first.cache.write_bytes(first.cache.read_bytes()[:100])  # a damaged cache file ...
    damaged = transfer.cached_features(standin, paths, 32, placed, cache_dir=cache, progress=False)
    assert damaged.computed == len(paths)  # ... is computed again, not trusted
    assert np.allclose(damaged.values, first.values, rtol=1e-3, atol=0)

    bigger = transfer.cached_features(standin, paths, 48, placed, cache_dir=cache, progress=False)
    assert bigger.computed == len(paths) and bigger.cache != first.cache

    # another weights file under the same name: fetch replaces it, the features are rebuilt
    _, (path_b, entry_b) = two_weights
    pretrained.fetch_weights(path_b, weights=entry_b)
    other = transfer.cached_features(standin, paths, 32, entry_b, cache_dir=cache, progress=False)
    assert other.computed == len(paths) and other.cache != first.cache
    assert not np.allclose(other.values, first.values, rtol=1e-2, atol=0)  # random weights: tiny values

    # one photo rewritten: only that one is computed again
    photo = paths[3]
    photo.write_bytes(photo.read_bytes())
    os.utime(photo, ns=(photo.stat().st_atime_ns, photo.stat().st_mtime_ns + 10**9))
    changed = transfer.cached_features(standin, paths, 32, entry_b, cache_dir=cache, progress=False)
    assert changed.computed == 1 and np.allclose(changed.values, other.values, rtol=1e-3, atol=0)


def test_the_head_is_evaluated_like_every_other_model(standin, placed, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    result = transfer.train_transfer(standin, 32, placed, cache_dir=cache, progress=False)
    test_paths, y_test = split_files(standin, "test")
    for evaluation, split in ((result.evaluation, "test"), (result.validation, "validate")):
        paths, labels = split_files(standin, split)
        assert isinstance(evaluation, Evaluation)
        assert evaluation.files == paths and np.array_equal(evaluation.y_true, labels)
        assert evaluation.probabilities.shape == (len(paths), 4)
        assert np.allclose(evaluation.probabilities.sum(axis=1), 1)
        assert evaluation.confusion.sum() == len(paths)
    assert 0 <= result.evaluation.accuracy <= 1 and "test accuracy" in result.evaluation.report()
    assert set(result.evaluation.misclassified()) <= set(range(len(test_paths)))
    assert result.computed == len(all_paths(standin)) and result.feature_seconds > 0
    assert result.head_seconds > 0 and "logistic-regression head" in result.message
    assert result.image_size == (32, 32) and result.weights == placed
    # the same head, as the Dense softmax layer fine-tuning starts from, gives the same probabilities
    features = transfer.cached_features(standin, test_paths, 32, placed, cache_dir=cache,
                                        progress=False)
    assert features.computed == 0
    kernel, bias = transfer.head_as_dense(result.classifier, features.values.shape[1])
    logits = features.values @ kernel + bias
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    assert np.allclose(softmax, result.evaluation.probabilities, atol=1e-5)


def test_a_cross_validation_round_reuses_the_cache(standin, placed, tmp_path):
    from workshop_utils.weather import cross_validation_rounds

    cache = tmp_path / "cache"
    transfer.train_transfer(standin, 32, placed, cache_dir=cache, progress=False)
    rounds = cross_validation_rounds(standin, folds=3)
    result = transfer.train_transfer(standin, 32, placed, files=rounds[0], cache_dir=cache,
                                     progress=False)
    assert result.computed == 0
    assert result.evaluation.files == rounds[0]["test"][0]


def test_without_weights_it_says_how_to_get_them(standin, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    with pytest.raises(transfer.WeightsMissing, match="python -m workshop_utils fetch"):
        transfer.train_transfer(standin, 32, SMALL, cache_dir=tmp_path / "cache", progress=False)
    assert not (tmp_path / "cache").exists()


def test_fine_tune_model_starts_from_the_fitted_head(standin, placed, tmp_path):
    import keras

    from workshop_utils.weather import evaluate_model, load_splits

    result = transfer.train_transfer(standin, 32, placed, cache_dir=tmp_path / "cache", progress=False)
    tuned = transfer.fine_tune_model(result, unfreeze=10, learning_rate=1e-5)
    base = next(layer for layer in tuned.layers if isinstance(layer, keras.Model))
    trainable = [layer for layer in base.layers if layer.trainable and layer.weights]
    assert trainable and all(layer in base.layers[-10:] for layer in trainable)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in trainable)
    assert float(keras.ops.convert_to_numpy(tuned.optimizer.learning_rate)) == pytest.approx(1e-5)
    # before any fine-tuning it predicts what the logistic regression predicts
    evaluation = evaluate_model(tuned, load_splits(standin, image_size=32))
    assert np.allclose(evaluation.probabilities, result.evaluation.probabilities, atol=1e-4)
    partial = dataclasses.replace(result, classifier=copy.deepcopy(result.classifier))
    partial.classifier[-1].classes_ = np.arange(3)  # as if one class had no training photo
    with pytest.raises(ValueError, match="every class"):
        transfer.fine_tune_model(partial)


# --- benchmarks/weather_accuracy.py --model transfer ----------------------------------------------


def test_benchmark_without_weights_says_so_and_fails(standin, tmp_path, monkeypatch, capsys):
    from benchmarks import weather_accuracy

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    assert weather_accuracy.main(["--split-dir", str(standin), "--model", "transfer"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("pretrained weights missing") and "workshop_utils fetch" in captured.err
    assert captured.out == ""


def test_benchmark_measures_features_and_head_on_the_split_and_in_folds(standin, placed, tmp_path,
                                                                        monkeypatch, capsys):
    import json

    from benchmarks import weather_accuracy

    monkeypatch.setattr(pretrained, "BACKBONE", placed)
    base = ["--split-dir", str(standin), "--model", "transfer", "--img-size", "32"]
    assert weather_accuracy.main(base) == 0
    fixed = json.loads(capsys.readouterr().out)
    n_test = len(split_files(standin, "test")[0])
    assert fixed["model"] == "transfer" and fixed["backbone"] == SMALL.application
    assert fixed["weights_md5"] == placed.md5 and fixed["image_size"] == [32, 32]
    assert sum(map(sum, fixed["confusion"])) == n_test
    assert fixed["features_computed"] == len(all_paths(standin))
    for key in ("test_accuracy", "per_class_accuracy", "validation_accuracy", "feature_seconds",
                "head_seconds", "train_seconds", "rerun_seconds", "peak_memory_mb", "cpu_count"):
        assert key in fixed, key
    cache = tmp_path / "features"
    assert weather_accuracy.main([*base, "--folds", "3", "--feature-cache", str(cache)]) == 0
    folds = json.loads(capsys.readouterr().out)
    assert sum(map(sum, folds["confusion"])) == len(all_paths(standin))  # every photo tested once
    assert len(folds["fold_test_accuracy"]) == 3 and len(folds["fold_validation_accuracy"]) == 3
    assert folds["features_computed"] == len(all_paths(standin))  # once, for all rounds
    assert "grouped 3-fold" in folds["evaluation"] and list(cache.iterdir())


def test_run_py_records_not_measured_here_without_the_weights(tmp_path, monkeypatch):
    from benchmarks import report
    from benchmarks import run as bench

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty"))
    rows = bench.transfer_results(tmp_path, tmp_path, folds=6)
    assert list(rows) == ["transfer", "transfer, 6-fold CV"]
    assert all(value.startswith("not measured here") for value in rows.values())
    assert report.weather_row("transfer", rows["transfer"])[1].startswith("not measured here")
    assert report.WEATHER_TARGETS["transfer"] == (0.97, 60)
