"""Reading photos: decode by content to RGB, and the perceptual hash that finds near-duplicates."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..checks import integer
from ..uploads import first_upload, is_upload_value


def read_image(image) -> np.ndarray:
    """Any one photo as an RGB uint8 array (height, width, 3), decoded by content.

    Accepts a path, raw bytes, a Pillow image, a NumPy array (RGB, RGBA, grayscale; 0-255 or
    0-1 floats), an ipywidgets ``FileUpload`` value of ipywidgets 7 or 8 (the first file) or one
    of its file dicts.
    """
    if is_upload_value(image):
        image = first_upload(image).content  # FileUpload.value of ipywidgets 7 (dict) or 8 (tuple)
    if isinstance(image, bytes | bytearray | memoryview):
        return np.asarray(decode_image(bytes(image), name="the uploaded bytes"))
    if isinstance(image, str | os.PathLike):
        path = Path(image)
        if not path.is_file():
            raise ValueError(f"no photo at {path}: check the path")
        return np.asarray(decode_image(path, name=path.name))
    if isinstance(image, Image.Image):
        return np.asarray(to_rgb(image))
    if isinstance(image, np.ndarray):
        return _array_to_rgb(image)
    raise TypeError(
        f"cannot read a photo from a {type(image).__name__}: pass a path, bytes, a NumPy array, "
        "a Pillow image or a FileUpload value"
    )


def _array_to_rgb(array: np.ndarray) -> np.ndarray:
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    if array.ndim != 3 or array.shape[-1] not in (3, 4):
        raise ValueError(f"expected an image array of shape (height, width, 3), got shape {array.shape}")
    array = array[..., :3]
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise ValueError("the image array holds NaN or infinite values")
        if array.max(initial=0) <= 1.0:  # 0-1 floats
            array = array * 255.0
        array = np.clip(np.rint(array), 0, 255)
    return array.astype(np.uint8)


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
    integer(max_side, "max_side", low=1, none_ok=True)
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with Image.open(stream) as image:
            image.seek(0)  # first frame of an animated GIF
            if max_side is not None and image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 scale
            image.load()
            image = ImageOps.exif_transpose(image)
            rgb = to_rgb(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError) as error:
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
