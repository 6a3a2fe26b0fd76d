"""Photos as the CNN needs them: decoded by content, RGB, modest size; hashes; stand-in skies.

Real photo collections are messy: a file named ``.jpg`` may be a PNG (with transparency), a
GIF (with several frames), grayscale, or 5000 pixels wide. :func:`decode_image` looks at the
bytes, never the extension, and always returns an RGB image. :func:`perceptual_hash` gives
near-identical photos near-identical hashes, so that :mod:`workshop_utils.split` can keep
copies of one photo out of two splits. :func:`make_sky` draws the synthetic stand-in photos
that notebook 04 uses in fast mode (CI).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: The classes :func:`make_sky` can draw (the weather dataset's classes).
SKY_KINDS = ("cloudy", "rain", "shine", "sunrise")


class ImageDecodeError(ValueError):
    """A file that is not an image Pillow can decode (corrupt, truncated, or not an image)."""


def decode_image(source: str | Path | bytes, max_side: int | None = None, *,
                 name: str | None = None) -> Image.Image:
    """Decode an image by its content (not its extension) into an RGB ``PIL.Image``.

    PNG or GIF files named ``.jpg`` decode like any other; a GIF gives its first frame;
    transparency is flattened onto white; grayscale, palette and CMYK become RGB; the EXIF
    orientation is applied so the photo is upright.

    Parameters
    ----------
    source : path or bytes
        The file, or its bytes.
    max_side : int, optional
        Downscale (keeping the aspect ratio) so the longest side is at most this many pixels.
        Large JPEGs are decoded at reduced size directly, which is much faster.
    name : str, optional
        What to call the file in error messages (default: the path, or "image bytes").

    Raises
    ------
    ImageDecodeError
        The bytes are not a decodable image.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "image bytes")
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be a positive number of pixels, got {max_side}")
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with Image.open(stream) as image:
            image.seek(0)  # first frame of an animated GIF
            if max_side is not None and image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 scale
            image.load()
            image = ImageOps.exif_transpose(image)
            rgb = to_rgb(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageDecodeError(
            f"{label} could not be decoded as an image ({type(error).__name__}: {error}); "
            "it is corrupt, truncated or not an image: leave it out or replace it."
        ) from error
    if max_side is not None and max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return rgb


def to_rgb(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Convert any Pillow mode to RGB; transparent pixels are laid over ``background``."""
    if image.mode == "RGB":
        return image.copy()
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (*background, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float grayscale
        values = np.asarray(image, dtype=np.float64)
        span = float(values.max() - values.min()) or 1.0
        scaled = ((values - values.min()) / span * 255).round().astype(np.uint8)
        return Image.fromarray(scaled).convert("RGB")
    return image.convert("RGB")


def image_format(source: str | Path | bytes) -> str | None:
    """The format Pillow finds in the bytes ("JPEG", "PNG", "GIF", ...), or None if none."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with Image.open(stream) as image:
            return image.format
    except (UnidentifiedImageError, OSError):
        return None


def perceptual_hash(image: Image.Image, hash_size: int = 8) -> int:
    """A difference hash (``2 * hash_size**2`` bits): near-identical photos differ in few bits.

    The photo is shrunk to small grayscale thumbnails, and each bit says whether a pixel is
    brighter than its right-hand neighbour (first half) or the one below it (second half).
    Resizing, re-encoding or small colour changes barely move it; different photos differ in
    about half the bits. Both directions are needed: with only left/right comparisons, every
    photo of a round sun in the middle of the frame gets the same hash.
    """
    if hash_size < 2:
        raise ValueError(f"hash_size must be at least 2, got {hash_size}")
    side = hash_size + 1
    gray = image.convert("L").resize((side * 8, side * 8), Image.Resampling.BOX)
    # Average in floating point: rounding to 8 bits would turn flat skies into ties (all 0 bits).
    fine = Image.fromarray(np.asarray(gray, dtype=np.float32))
    wide = np.asarray(fine.resize((side, hash_size), Image.Resampling.BOX), dtype=np.float64)
    tall = np.asarray(fine.resize((hash_size, side), Image.Resampling.BOX), dtype=np.float64)
    bits = np.concatenate([(wide[:, 1:] > wide[:, :-1]).ravel(), (tall[1:] > tall[:-1]).ravel()])
    return int("".join("1" if bit else "0" for bit in bits), 2)


def hamming(a: int, b: int) -> int:
    """The number of bits in which two hashes differ."""
    return (int(a) ^ int(b)).bit_count()


def save_rgb(image: Image.Image, path: str | Path, quality: int = 92) -> None:
    """Write an RGB image as JPEG (or PNG when the suffix says so), the form TensorFlow reads."""
    path = Path(path)
    if path.suffix.lower() == ".png":
        image.save(path, format="PNG", optimize=False)
    else:
        image.save(path, format="JPEG", quality=quality)


# --- synthetic stand-in skies -------------------------------------------------------------


def _smooth_noise(rng: np.random.Generator, size: tuple[int, int], cells: int) -> np.ndarray:
    """Smooth random field in [0, 1] of shape (height, width): a coarse grid upsampled."""
    width, height = size
    grid = (rng.random((cells, cells)) * 255).astype(np.uint8)
    big = Image.fromarray(grid).resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(big, dtype=np.float64) / 255.0


def _vertical(top: Sequence[float], bottom: Sequence[float], height: int, width: int,
              horizon: float = 1.0) -> np.ndarray:
    """An RGB gradient from ``top`` to ``bottom`` colour, reaching ``bottom`` at ``horizon``."""
    t = np.clip(np.linspace(0.0, 1.0, height) / max(horizon, 1e-6), 0.0, 1.0)[:, None, None]
    top_rgb = np.asarray(top, dtype=np.float64)[None, None, :]
    bottom_rgb = np.asarray(bottom, dtype=np.float64)[None, None, :]
    return np.broadcast_to((1 - t) * top_rgb + t * bottom_rgb, (height, width, 3)).copy()


def _sun(height: int, width: int, cy: float, cx: float, radius: float) -> np.ndarray:
    """A bright disc with a soft glow, values in [0, 1], shape (height, width)."""
    yy, xx = np.mgrid[0:height, 0:width]
    distance = np.hypot(yy - cy, xx - cx) / max(radius, 1.0)
    return np.clip(1.0 - (distance - 1.0) * 4, 0, 1) * 0.8 + np.exp(-(distance**2) / 6) * 0.5


def _cloudy(rng, h, w):
    grey = rng.uniform(0.45, 0.8)
    tint = rng.uniform(-0.05, 0.08)  # some overcast skies are a little blue
    img = _vertical([grey - 0.1, grey - 0.1, grey - 0.1 + tint], [grey + 0.1] * 3, h, w)
    clouds = _smooth_noise(rng, (w, h), int(rng.integers(3, 7)))
    return img + (clouds[..., None] - 0.5) * rng.uniform(0.3, 0.6)


def _rain(rng, h, w):
    grey = rng.uniform(0.2, 0.5)
    img = _vertical([grey - 0.05, grey - 0.03, grey + 0.02], [grey + 0.1] * 3, h, w)
    img += (_smooth_noise(rng, (w, h), 4)[..., None] - 0.5) * 0.25
    yy, xx = np.mgrid[0:h, 0:w]
    slope = rng.uniform(-0.5, 0.5)
    spacing = rng.uniform(4, 9)
    phase = (xx + slope * yy + rng.uniform(0, spacing)) % spacing
    streaks = (phase < 1.0) & (rng.random((h, w)) < rng.uniform(0.35, 0.7))
    img[streaks] += rng.uniform(0.12, 0.3)
    return img


def _shine(rng, h, w):
    blue = rng.uniform(0.55, 0.9)
    img = _vertical([0.15, 0.35, blue], [0.6, 0.75, 0.95], h, w)
    sun = _sun(h, w, rng.uniform(0.05, 0.5) * h, rng.uniform(0.1, 0.9) * w,
               rng.uniform(0.05, 0.12) * w)
    img += sun[..., None] * np.array([1.0, 0.95, 0.7])
    if rng.random() < 0.5:  # a few white clouds
        clouds = np.clip(_smooth_noise(rng, (w, h), 5) - 0.6, 0, None) * 2
        img += clouds[..., None] * rng.uniform(0.5, 1.0)
    return img


def _sunrise(rng, h, w):
    horizon = rng.uniform(0.55, 0.85)
    warm = [rng.uniform(0.85, 1.0), rng.uniform(0.35, 0.65), rng.uniform(0.05, 0.25)]
    img = _vertical([rng.uniform(0.1, 0.35), 0.12, rng.uniform(0.25, 0.5)], warm, h, w, horizon)
    sun = _sun(h, w, horizon * h, rng.uniform(0.2, 0.8) * w, rng.uniform(0.06, 0.12) * w)
    img += sun[..., None] * np.array([1.0, 0.75, 0.4])
    ground = int(horizon * h)
    img[ground:] = img[ground:] * 0.15 + rng.uniform(0.0, 0.1)  # dark land below the horizon
    return img


_PAINTERS = {"cloudy": _cloudy, "rain": _rain, "shine": _shine, "sunrise": _sunrise}


def make_sky(kind: str, rng: np.random.Generator, size: tuple[int, int] = (96, 96)) -> Image.Image:
    """Draw one synthetic sky photo of class ``kind`` (a stand-in for a real weather photo).

    cloudy: grey, blotchy; rain: dark with slanted streaks; shine: blue with a bright sun;
    sunrise: purple-to-orange gradient with the sun on a dark horizon. Brightness, colours and
    positions vary per picture, and a little pixel noise is added, so a small CNN has to learn
    the classes rather than memorise one picture each.
    """
    if kind not in _PAINTERS:
        raise ValueError(f"unknown sky kind {kind!r}: expected one of {', '.join(SKY_KINDS)}")
    width, height = size
    if width < 8 or height < 8:
        raise ValueError(f"size must be at least 8x8 pixels, got {width}x{height}")
    img = _PAINTERS[kind](rng, height, width)
    img = img * rng.uniform(0.85, 1.15) + rng.normal(0.0, 0.03, img.shape)  # exposure, sensor
    return Image.fromarray((np.clip(img, 0, 1) * 255).round().astype(np.uint8))
