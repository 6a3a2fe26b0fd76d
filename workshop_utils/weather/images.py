"""Reading photos: decoded by content to RGB at the size needed, and the perceptual hash."""

import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..checks import integer
from ..uploads import first_upload, is_upload_value

#: The most pixels the package decodes (the workshop's largest photo has 15 million, 4752x3168):
#: a bigger image is refused from its header, before it takes any memory.
MAX_PIXELS = 50_000_000


class ImageDecodeError(ValueError):
    """A file that is not an image Pillow can decode (corrupt, truncated, or not an image)."""


class ImageTooLargeError(ImageDecodeError):
    """An image of more than :data:`MAX_PIXELS` pixels, refused before it is decoded."""


def read_image(image, max_side: int | None = None) -> np.ndarray:
    """Any one photo as an RGB uint8 array (height, width, 3), its longest side at most ``max_side``.

    Takes a path, bytes, a Pillow image, a NumPy array (RGB, RGBA, grayscale; 0-255 or 0-1 floats)
    or an ipywidgets 7 or 8 ``FileUpload`` value (its first file) or file dict. A file is decoded
    at about ``max_side`` (:func:`decode_image`), so a 100x100 caller never holds the full photo.
    """
    integer(max_side, "max_side", low=1, none_ok=True)
    name = "the uploaded bytes"
    if is_upload_value(image):
        upload = first_upload(image)  # FileUpload.value of ipywidgets 7 (dict) or 8 (tuple)
        image, name = upload.content, upload.name
    if isinstance(image, bytes | bytearray | memoryview):
        return np.asarray(decode_image(bytes(image), max_side, name=name))
    if isinstance(image, str | os.PathLike):
        path = Path(image)
        if not path.is_file():
            raise ValueError(f"no photo at {path}: check the path")
        return np.asarray(decode_image(path, max_side, name=path.name))
    if isinstance(image, np.ndarray):
        pixels = _array_to_rgb(image)
        if max_side is None or max(pixels.shape[:2]) <= max_side:
            return pixels
        image = Image.fromarray(pixels)
    if isinstance(image, Image.Image):
        return np.asarray(_fit(to_rgb(image), max_side))
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


def decode_image(source: str | Path | bytes, max_side: int | None = None, *,
                 name: str | None = None) -> Image.Image:
    """Decode an image by its content (not its extension) into an RGB ``PIL.Image``.

    A GIF gives its first frame, transparency is laid on white, the EXIF orientation is applied.
    With ``max_side`` the longest side is shrunk to it (aspect kept), and the decoding itself is
    small: a JPEG at 1/2 to 1/8 scale, any other format reduced before conversion. ``name`` is
    the file in messages. Raises :class:`ImageDecodeError`, :class:`ImageTooLargeError`.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "image bytes")
    integer(max_side, "max_side", low=1, none_ok=True)
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():  # Pillow warns from 89 megapixels; our refusal says more
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(stream)
        with opened as image:
            if image.width * image.height > MAX_PIXELS:  # from the header: nothing decoded yet
                raise ImageTooLargeError(_too_large(label, f"{image.width}x{image.height} pixels"))
            image.seek(0)  # first frame of an animated GIF
            if max_side is not None:
                image.draft("RGB", (max_side, max_side))  # JPEG only: decode at 1/2, 1/4 or 1/8
            image.load()
            image = _reduce(image, max_side)
            ImageOps.exif_transpose(image, in_place=True)
            rgb = to_rgb(image)
    except ImageTooLargeError:
        raise
    except Image.DecompressionBombError as error:  # over twice Pillow's limit: refused by open
        raise ImageTooLargeError(_too_large(label, f"over {2 * Image.MAX_IMAGE_PIXELS:,} pixels")) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageDecodeError(
            f"{label} could not be decoded as an image ({type(error).__name__}: {error}); "
            "it is corrupt, truncated or not an image: leave it out or replace it."
        ) from error
    return _fit(rgb, max_side)


def _too_large(label: str, size: str) -> str:
    return (f"{label} is too large to read: {size}, over the limit of {MAX_PIXELS:,} pixels "
            "(a phone photo has about 12 million): save a smaller copy of it and use that.")


def _reduce(image: Image.Image, max_side: int | None) -> Image.Image:
    """Shrink by a whole factor while still at least ``max_side``, before any conversion."""
    factor = max(image.size) // max_side if max_side else 1
    if factor < 2:
        return image
    if image.mode in ("1", "P", "PA") or image.mode.startswith("I;16"):  # reduce cannot take them
        image = image.convert("I" if image.mode.startswith("I;16") else "RGBA" if _has_alpha(image) else "RGB")
    return image.reduce(factor)


def _fit(image: Image.Image, max_side: int | None) -> Image.Image:
    if max_side is not None:  # only ever shrinks
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def to_rgb(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Convert any Pillow mode to RGB; transparent pixels are laid over ``background``."""
    if image.mode == "RGB":
        return image.copy()
    if _has_alpha(image):  # pasted through its alpha onto the background: no full-size extras
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, background)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float grayscale, in place
        values = np.asarray(image, dtype=np.float32)
        low, span = float(values.min()), float(values.max() - values.min()) or 1.0
        values -= low
        values *= 255 / span
        return Image.fromarray(np.rint(values, out=values).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


def perceptual_hash(image: Image.Image, hash_size: int = 8) -> int:
    """A difference hash (``2 * hash_size**2`` bits): near-identical photos differ in few bits.

    Each bit says whether a thumbnail pixel is brighter than its right (first half) or lower
    neighbour (second half); with left/right only, every centred round sun hashes the same.
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
