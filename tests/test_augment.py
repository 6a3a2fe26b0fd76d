"""Augmentation layers: shapes kept, seeded, random only while training."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("keras")

from workshop_utils.weather.augment import (  # noqa: E402
    DEFAULT_STRENGTH,
    AugmentStrength,
    augment_examples,
    make_augmentation,
)


@pytest.fixture(scope="module")
def photo():
    """A 40x60 picture with structure (a gradient and a bright square), so transforms show."""
    y, x = np.mgrid[0:40, 0:60]
    image = np.stack([x * 4, y * 6, np.full_like(x, 90)], axis=-1).astype(np.uint8)
    image[10:20, 5:15] = 255
    return image


def test_layers_follow_the_strengths():
    names = [layer.name for layer in make_augmentation(DEFAULT_STRENGTH).layers]
    assert names == ["flip", "rotation", "zoom", "shear"]
    only_zoom = AugmentStrength(rotation=0, zoom=0.2, shear=0, flip=False)
    assert [layer.name for layer in make_augmentation(only_zoom).layers] == ["zoom"]
    import keras

    assert isinstance(make_augmentation().get_layer("shear"), keras.layers.RandomShear)


def test_shapes_and_dtype_are_kept(photo):
    batch = np.repeat(photo[None].astype("float32"), 5, axis=0)
    out = np.asarray(make_augmentation(seed=1)(batch, training=True))
    assert out.shape == batch.shape
    grid = augment_examples(photo, n=9, seed=1)
    assert grid.shape == (9, *photo.shape) and grid.dtype == np.uint8


def test_same_seed_same_transforms_other_seed_other_transforms(photo):
    a = augment_examples(photo, seed=7)
    b = augment_examples(photo, seed=7)
    c = augment_examples(photo, seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[1:], c[1:])
    assert not np.array_equal(a[1], a[2]), "copies in one grid should differ from each other"


def test_first_example_is_the_original(photo):
    np.testing.assert_array_equal(augment_examples(photo, seed=3)[0], photo)


def test_identity_at_inference(photo):
    batch = photo[None].astype("float32")
    augmentation = make_augmentation(seed=2)
    np.testing.assert_array_equal(np.asarray(augmentation(batch, training=False)), batch)


def test_a_model_with_augmentation_predicts_as_one_without(photo):
    """model.predict runs in inference mode: the augmentation block must change nothing."""
    from workshop_utils.weather import build_weather_cnn

    size = photo.shape[:2]
    with_block = build_weather_cnn(size, make_augmentation(seed=5), seed=0)
    without = build_weather_cnn(size, seed=0)
    batch = np.repeat(photo[None].astype("float32"), 3, axis=0)
    first = with_block.predict(batch, verbose=0)
    np.testing.assert_array_equal(first, with_block.predict(batch, verbose=0))
    np.testing.assert_allclose(first, without.predict(batch, verbose=0), atol=1e-6)


def test_no_augmentation_is_identity_even_while_training(photo):
    batch = photo[None].astype("float32")
    no_augmentation = AugmentStrength(rotation=0.0, zoom=0.0, shear=0.0, flip=False)
    out = np.asarray(make_augmentation(no_augmentation)(batch, training=True))
    np.testing.assert_array_equal(out, batch)


@pytest.mark.parametrize("bad", [{"rotation": -0.1}, {"zoom": 1.5}, {"shear": "a lot"}])
def test_bad_strengths_are_refused(bad):
    with pytest.raises(ValueError, match="must be a number in"):
        AugmentStrength(**bad)


def test_bad_seed_and_image_are_refused(photo):
    with pytest.raises(ValueError, match="seed"):
        make_augmentation(seed=-1)
    with pytest.raises(ValueError, match="RGB image"):
        augment_examples(photo[..., 0])
    with pytest.raises(TypeError, match="AugmentStrength"):
        make_augmentation(strength=0.5)
