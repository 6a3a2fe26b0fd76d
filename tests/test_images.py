"""Decoding by content, the perceptual hash, and the stand-in skies."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from workshop_utils.weather.images import (
    ImageDecodeError,
    decode_image,
    hamming,
    image_format,
    perceptual_hash,
    read_image,
)
from workshop_utils.weather.split import MAX_DISTANCE
from workshop_utils.weather.standins import SKY_KINDS, make_sky


def encode(image, fmt, **kwargs):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def sky():
    return make_sky("shine", np.random.default_rng(3), (80, 60))


def test_png_named_jpg_decodes_by_content(tmp_path, sky):
    path = tmp_path / "cloudy131.jpg"
    path.write_bytes(encode(sky, "PNG"))
    assert image_format(path) == "PNG"
    image = decode_image(path)
    assert image.mode == "RGB" and image.size == sky.size
    assert np.array_equal(np.asarray(image), np.asarray(sky))


def test_rgba_is_flattened_onto_white(sky):
    rgba = sky.convert("RGBA")
    alpha = np.full((60, 80), 255, dtype=np.uint8)
    alpha[:, :40] = 0
    rgba.putalpha(Image.fromarray(alpha))
    image = decode_image(encode(rgba, "PNG"))
    pixels = np.asarray(image)
    assert image.mode == "RGB"
    assert (pixels[:, :40] == 255).all()
    assert np.array_equal(pixels[:, 40:], np.asarray(sky)[:, 40:])


def test_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (30, 20), c) for c in ((10, 20, 200), (200, 0, 0), (0, 200, 0))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    image = decode_image(data)
    assert image.mode == "RGB"
    red, green, blue = np.asarray(image).reshape(-1, 3).mean(axis=0)
    assert blue > 150 and red < 50 and green < 50


@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "I;16", "LA"])
def test_other_modes_become_rgb(sky, mode):
    fmt = "JPEG" if mode in ("L", "CMYK") else "PNG"
    source = sky.convert("L").convert(mode) if mode in ("I;16", "LA") else sky.convert(mode)
    image = decode_image(encode(source, fmt))
    assert image.mode == "RGB" and image.size == sky.size
    if mode in ("L", "I;16", "LA"):
        pixels = np.asarray(image)
        assert (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 1] == pixels[..., 2]).all()


def test_corrupt_file_raises_a_clear_error(tmp_path):
    path = tmp_path / "rain99.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"garbage" * 20)
    with pytest.raises(ImageDecodeError, match="rain99.jpg.*could not be decoded"):
        decode_image(path)
    with pytest.raises(ImageDecodeError, match="not an image"):
        decode_image(b"<html>nope</html>", name="page.jpg")


def test_truncated_jpeg_is_an_error_not_a_half_grey_picture(sky):
    data = encode(sky.resize((400, 300)), "JPEG")
    with pytest.raises(ImageDecodeError):
        decode_image(data[: len(data) // 2])


def test_large_photo_is_shrunk_keeping_its_aspect_ratio():
    big = make_sky("sunrise", np.random.default_rng(0), (297, 198)).resize((4752, 3168))
    data = encode(big, "JPEG", quality=85)
    start = time.perf_counter()
    image = decode_image(data, max_side=512)
    elapsed = time.perf_counter() - start
    assert max(image.size) == 512 and image.size == (512, 341)
    assert elapsed < 2.0  # JPEG draft mode decodes at reduced scale
    assert decode_image(encode(big.resize((300, 200)), "PNG"), max_side=512).size == (300, 200)


def test_max_side_must_be_positive(sky):
    with pytest.raises(ValueError, match="max_side"):
        decode_image(encode(sky, "PNG"), max_side=0)


def test_exif_orientation_is_applied(sky):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = encode(sky, "JPEG", exif=exif.tobytes())
    assert decode_image(data).size == (sky.size[1], sky.size[0])


def test_hash_ignores_resizing_and_recompression():
    photo = make_sky("cloudy", np.random.default_rng(0), (240, 160)).filter(ImageFilter.GaussianBlur(2))
    copy = Image.open(io.BytesIO(encode(photo.resize((200, 133)), "JPEG", quality=60)))
    assert hamming(perceptual_hash(photo), perceptual_hash(copy)) <= MAX_DISTANCE


def test_hash_separates_different_skies():
    rng = np.random.default_rng(0)
    hashes = [perceptual_hash(make_sky(kind, rng)) for kind in SKY_KINDS for _ in range(5)]
    distances = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]]
    assert min(distances) > MAX_DISTANCE


def test_hash_tells_apart_two_photos_of_a_centred_sun():
    """A left/right-only hash gives every centred bright blob the same bits."""
    yy, xx = np.mgrid[0:96, 0:96]
    round_sun = np.exp(-((yy - 48) ** 2 + (xx - 48) ** 2) / 300.0)
    low_sun = np.exp(-((yy - 70) ** 2 + (xx - 48) ** 2) / 300.0)
    as_image = [Image.fromarray((p * 255).astype(np.uint8)).convert("RGB") for p in (round_sun, low_sun)]
    assert hamming(*map(perceptual_hash, as_image)) > MAX_DISTANCE


def test_hash_has_two_bits_per_pixel_pair(sky):
    assert perceptual_hash(sky).bit_length() <= 2 * 8 * 8
    assert perceptual_hash(sky, hash_size=4).bit_length() <= 2 * 4 * 4
    with pytest.raises(ValueError, match="hash_size"):
        perceptual_hash(sky, hash_size=1)


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(SKY_KINDS), seed=st.integers(0, 2**32 - 1),
       width=st.integers(8, 64), height=st.integers(8, 64))
def test_make_sky_is_a_valid_repeatable_picture(kind, seed, width, height):
    first = make_sky(kind, np.random.default_rng(seed), (width, height))
    again = make_sky(kind, np.random.default_rng(seed), (width, height))
    assert first.mode == "RGB" and first.size == (width, height)
    assert np.array_equal(np.asarray(first), np.asarray(again))


def test_make_sky_classes_look_different():
    rng = np.random.default_rng(0)
    mean = {k: np.mean([np.asarray(make_sky(k, rng), float).mean((0, 1)) for _ in range(10)], 0)
            for k in SKY_KINDS}
    assert mean["shine"][2] > mean["shine"][0] + 40  # blue sky
    assert mean["sunrise"][0] > mean["sunrise"][2]  # warm
    assert mean["rain"].mean() < mean["cloudy"].mean()  # rain is darker than overcast


def test_make_sky_rejects_unknown_kinds_and_tiny_sizes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown sky kind 'snow'"):
        make_sky("snow", rng)
    with pytest.raises(ValueError, match="at least 8x8"):
        make_sky("rain", rng, (4, 4))


def test_read_image_uses_the_one_decoder_transparency_on_white():
    rgba = Image.new("RGBA", (6, 4), (10, 20, 30, 255))
    rgba.putpixel((0, 0), (200, 0, 0, 0))  # fully transparent
    data = encode(rgba, "PNG")
    pixels = read_image(data)
    np.testing.assert_array_equal(pixels, np.asarray(decode_image(data)))
    assert tuple(pixels[0, 0]) == (255, 255, 255) and tuple(pixels[1, 1]) == (10, 20, 30)
    np.testing.assert_array_equal(read_image(rgba), pixels)
