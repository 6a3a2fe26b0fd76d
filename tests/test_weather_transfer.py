"""Section 9's machinery: the feature cache (computed again whenever it cannot be trusted) and
the fine-tuning model, with a real (small, untrained) Keras backbone."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.standins import make_standin_weather
from workshop_utils.weather import split_files, transfer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return make_standin_weather(tmp_path_factory.mktemp("standin"), n_per_class=10, size=(40, 40))


class Counting:
    """A stand-in for the page's ``backbone_features``: one row per photo, calls counted."""

    def __init__(self, photos, width=5):
        self.photos, self.width, self.calls = photos, width, 0

    def __call__(self, split):
        self.calls += 1
        paths, labels = split_files(self.photos / split)
        return np.stack([np.full(self.width, labels[i] + i / 100) for i in range(len(paths))])


def test_features_are_computed_once_then_read_from_the_cache(photos):
    compute = Counting(photos)
    first = transfer.cached_features(photos, "train", "test-key", compute)
    again = transfer.cached_features(photos, "train", "test-key", compute)
    assert compute.calls == 1 and np.array_equal(first, again) and first.dtype == np.float32
    other = transfer.cached_features(photos, "train", "other-key", compute)
    assert compute.calls == 2 and np.array_equal(other, first)
    cache = photos / transfer.CACHE_DIRNAME
    assert sorted(p.name for p in cache.iterdir()) == ["other-key-train.npz", "test-key-train.npz"]


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(b""),                            # truncated to 0 bytes
    lambda path: path.write_bytes(path.read_bytes()[:200]),        # cut short
    lambda path: path.write_bytes(b"PK\x03\x04" + os.urandom(300)),  # garbage that looks like a zip
    lambda path: np.savez(path.with_suffix(""), features=np.zeros(3)),  # another layout of file
])
def test_any_unreadable_cache_is_computed_again(photos, damage, request):
    compute, key = Counting(photos), f"damaged-{request.node.callspec.id}"
    first = transfer.cached_features(photos, "validate", key, compute)
    damage(photos / transfer.CACHE_DIRNAME / f"{key}-validate.npz")
    again = transfer.cached_features(photos, "validate", key, compute)
    assert compute.calls == 2 and np.array_equal(first, again)
    transfer.cached_features(photos, "validate", key, compute)  # the rewritten cache is good
    assert compute.calls == 2


def test_a_changed_photo_makes_the_cache_stale(photos):
    compute = Counting(photos)
    transfer.cached_features(photos, "test", "stale", compute)
    photo = split_files(photos / "test")[0][0]
    os.utime(photo, ns=(photo.stat().st_atime_ns, photo.stat().st_mtime_ns + 10**9))
    transfer.cached_features(photos, "test", "stale", compute)
    assert compute.calls == 2


def test_a_compute_that_gives_the_wrong_number_of_rows_is_refused(photos):
    with pytest.raises(ValueError, match="feature rows for the"):
        transfer.cached_features(photos, "train", "short", lambda split: np.zeros((3, 4)))


def test_a_cache_that_cannot_be_written_is_only_noted(photos, monkeypatch, capsys):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    features = transfer.cached_features(photos, "train", "unwritable", Counting(photos))
    assert len(features) == len(split_files(photos / "train")[0])
    assert "could not cache the features (No space left on device)" in capsys.readouterr().out
    assert not [p for p in (photos / transfer.CACHE_DIRNAME).iterdir() if "unwritable" in p.name]


def test_fine_tune_model_starts_from_the_fitted_head(photos):
    import keras
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    keras.utils.set_random_seed(0)
    backbone = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(4, 3, name="c1"),
                                 keras.layers.BatchNormalization(name="bn"),
                                 keras.layers.Conv2D(6, 3, name="c2"),
                                 keras.layers.GlobalAveragePooling2D(name="avg")], name="tiny")
    images = np.random.default_rng(0).uniform(0, 255, (40, 32, 32, 3)).astype("float32")
    labels = np.arange(40) % 4
    features = backbone.predict(images / 255.0, verbose=0)
    head = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(features, labels)
    tuned = transfer.fine_tune_model(backbone, head, lambda x: x / 255.0, unfreeze=2, learning_rate=1e-5)
    trainable = [layer.name for layer in backbone.layers if layer.trainable and layer.weights]
    assert trainable == ["c2"]  # the top two layers, but batch normalisation stays frozen
    assert float(keras.ops.convert_to_numpy(tuned.optimizer.learning_rate)) == pytest.approx(1e-5)
    # before any fine-tuning it predicts what the logistic regression predicts
    np.testing.assert_allclose(tuned.predict(images, verbose=0), head.predict_proba(features), atol=1e-4)
    partial = make_pipeline(StandardScaler(), LogisticRegression()).fit(features[labels < 2], labels[labels < 2])
    with pytest.raises(ValueError, match="every class"):
        transfer.fine_tune_model(backbone, partial, lambda x: x / 255.0)
