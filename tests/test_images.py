"""Decoding by content at the size needed, the pixel limit, the perceptual hash, the stand-in skies."""

from __future__ import annotations

import io
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from tests.imaging import flat_png, hamming, image_format, peak_memory
from tests.standins import SKY_KINDS, make_sky
from workshop_utils.weather import images
from workshop_utils.weather.images import (
    ImageDecodeError,
    ImageTooLargeError,
    decode_image,
    perceptual_hash,
    read_image,
)
from workshop_utils.weather.split import MAX_DISTANCE


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


@pytest.mark.parametrize("max_side", [None, 20], ids=["full", "reduced"])
@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "I;16", "LA", "1"])
def test_other_modes_become_rgb(sky, mode, max_side):
    fmt = "JPEG" if mode in ("L", "CMYK") else "PNG"
    source = sky.convert("L").convert(mode) if mode in ("I;16", "LA") else sky.convert(mode)
    image = decode_image(encode(source, fmt), max_side=max_side)
    assert image.mode == "RGB" and image.size == (sky.size if max_side is None else (20, 15))
    if mode in ("L", "I;16", "LA", "1"):
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


def test_max_side_is_honoured_for_every_kind_of_input(sky):
    rgba = sky.convert("RGBA")
    rgba.paste((0, 0, 0, 0), (0, 0, 40, 60))  # the left half transparent
    for image in (encode(rgba, "PNG"), rgba, np.asarray(sky), np.asarray(sky, np.float32) / 255):
        pixels = read_image(image, max_side=40)
        assert pixels.shape == (30, 40, 3) and pixels.dtype == np.uint8
    assert (read_image(encode(rgba, "PNG"), max_side=40)[:, :20] == 255).all()  # white, reduced
    assert read_image(np.asarray(sky), max_side=500).shape == (60, 80, 3)  # never enlarged
    with pytest.raises(ValueError, match="max_side"):
        read_image(np.asarray(sky), max_side=0)


def test_exif_orientation_is_applied_when_decoding_small(sky):
    exif = Image.Exif()
    exif[0x0112] = 6
    big = sky.resize((1600, 1200))
    data = encode(big, "JPEG", exif=exif.tobytes())
    image = decode_image(data, max_side=100)
    assert image.size == (75, 100)  # upright: taller than wide
    expected = np.asarray(big.transpose(Image.Transpose.ROTATE_270).resize((75, 100)), float)
    assert np.abs(np.asarray(image, float) - expected).mean() < 12


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    """A 12000x12000 PNG of one colour: 144 million pixels in 140 KB."""
    return flat_png(tmp_path_factory.mktemp("huge") / "huge.png", 12000, 12000, palette=True)


def test_too_many_pixels_is_refused_from_the_header(tmp_path, huge, monkeypatch):
    """The limit is the package's own: Pillow's global limit stays as it was, and it warns of nothing."""
    pillow_limit = Image.MAX_IMAGE_PIXELS
    bomb = flat_png(tmp_path / "bomb.png", 14000, 14000, palette=True)  # over twice Pillow's limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DecompressionBombWarning reaches the learner
        with pytest.raises(ImageTooLargeError) as refused:
            read_image(huge.read_bytes(), max_side=100)
        message = str(refused.value)
        assert "12000x12000 pixels" in message and "50,000,000" in message and "smaller copy" in message
        with pytest.raises(ImageTooLargeError, match=r"huge\.png is too large"):
            decode_image(huge, name="huge.png")
        with pytest.raises(ImageTooLargeError, match="bomb.png is too large to read: over 178,956,970 pixels"):
            read_image(bomb)
    assert Image.MAX_IMAGE_PIXELS == pillow_limit
    monkeypatch.setattr(images, "MAX_PIXELS", 10 * 10)  # the boundary: at the limit is fine
    assert read_image(encode(Image.new("RGB", (10, 10)), "PNG")).shape == (10, 10, 3)
    with pytest.raises(ImageTooLargeError, match="10x11 pixels"):
        read_image(encode(Image.new("RGB", (10, 11)), "PNG"))


# -- memory in proportion to the work: a fresh Python, its kernel high-water mark (VmHWM) -------
needs_vmhwm = pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="VmHWM is Linux's")


@needs_vmhwm
@pytest.mark.parametrize("shape", ["ipywidgets7", "ipywidgets8"])
def test_a_huge_flat_upload_to_classify_is_refused_in_little_memory(huge, shape):
    """A 12000x12000 PNG of 140 KB would be 1.7 GB as floats; it is refused from its header."""
    run = peak_memory(huge, shape, "weather.photo_batch(value, (100, 100))")
    assert "huge.png is too large to read: 12000x12000 pixels" in str(run["result"]), run
    assert run["peak_mb"] < 1024 and run["peak_mb"] - run["before_mb"] < 20, run


@needs_vmhwm
def test_a_40_megapixel_jpeg_read_at_512_stays_small(tmp_path):
    """Decoded at 1/8 scale: a few MB, where the full photo is 160 MB before any conversion."""
    photo = Image.new("RGB", (7750, 5170), (200, 120, 40))
    photo.paste((250, 230, 90), (2000, 1000, 5000, 4000))
    photo.save(tmp_path / "big.jpg", quality=85)
    del photo
    run = peak_memory(tmp_path / "big.jpg", "ipywidgets8", "read_image(value, max_side=512)")
    assert run["result"] == [342, 512, 3] and run["peak_mb"] - run["before_mb"] < 40, run


@needs_vmhwm
def test_a_big_png_is_reduced_before_any_conversion(tmp_path):
    """A PNG cannot be decoded small: it costs its decoded size (4 bytes a pixel) once, not twice."""
    png = flat_png(tmp_path / "wide.png", 6000, 4000)
    decoded_mb = 6000 * 4000 * 4 / 2**20
    run = peak_memory(png, "path", "read_image(value, max_side=100)")
    assert run["result"] == [67, 100, 3]
    assert run["peak_mb"] - run["before_mb"] < 1.25 * decoded_mb, run


@needs_vmhwm
@pytest.mark.parametrize("mode", ["RGBA", "I;16"])
def test_transparent_and_16_bit_pngs_read_whole_take_a_few_copies_not_a_dozen(tmp_path, mode):
    """Laid on white and scaled to 8 bits without full-size temporaries (they took 5 and 12 times)."""
    if mode == "RGBA":
        pixels = np.zeros((3000, 4000, 4), np.uint8)
        pixels[..., 0], pixels[..., 3] = 200, 128
    else:
        pixels = (np.arange(3000 * 4000, dtype=np.uint32) % 65535).astype(np.uint16).reshape(3000, 4000)
    Image.fromarray(pixels).save(tmp_path / "whole.png")  # RGBA or I;16 by the array
    del pixels
    run = peak_memory(tmp_path / "whole.png", "path", "read_image(value)")
    assert run["result"] == [3000, 4000, 3]
    assert run["peak_mb"] - run["before_mb"] < 3.5 * 3000 * 4000 * 4 / 2**20, run  # RGB is 4 bytes a pixel
