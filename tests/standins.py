"""Synthetic stand-in sky pictures, and a weather folder of them laid out by the real code path.

:func:`make_standin_weather` writes a small zip in the real dataset's naming, a split table for it
(made by ``tools/make_split_table.py``'s own function) and lays it out with ``fetch_weather``,
so tests (and the browser test, in fast mode) train on a real layout without the real photos.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from tools.make_split_table import table_text
from workshop_utils.weather.images import ImageDecodeError, decode_image, perceptual_hash
from workshop_utils.weather.photos import fetch_weather
from workshop_utils.weather.split import CLASSES, load_table

SKY_KINDS = CLASSES


def standin_photos(n_per_class: int = 20, seed: int = 0, size: tuple[int, int] = (96, 72),
                   copies: int = 2) -> dict[str, bytes]:
    """Photo name -> JPEG bytes, ``n_per_class`` per class; the last ``copies`` of each class are
    slightly brighter copies of earlier ones (near-duplicates for the split to keep together)."""
    rng = np.random.default_rng(seed)
    photos = {}
    for label in CLASSES:
        originals = [make_sky(label, rng, size) for _ in range(n_per_class - copies)]
        for source in rng.choice(len(originals), copies, replace=False):
            pixels = np.asarray(originals[source], dtype=np.float64) * rng.uniform(1.02, 1.06)
            originals.append(Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8)))
        for i, image in enumerate(originals, start=1):
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=92)
            photos[f"{label}{i}.jpg"] = buffer.getvalue()
    return photos


def write_table(photos: dict[str, bytes], path: Path, unseen: Sequence[str] = ()) -> Path:
    """A split table for ``photos`` (names in ``unseen`` get a blank split, as if never seen)."""
    rows = [(name, hashlib.sha256(data).hexdigest(), None if name in unseen else _dhash(data))
            for name, data in photos.items()]
    path.write_text(table_text([r for r in rows if r[2] is not None] + [r for r in rows if r[2] is None]))
    return path


def _dhash(data: bytes) -> int | None:
    """The photo's difference hash as fetch_weather computes it; None if it cannot be decoded."""
    try:
        return perceptual_hash(decode_image(data, max_side=512))
    except ImageDecodeError:
        return None


def make_standin_weather(data_dir: Path, n_per_class: int = 20, seed: int = 0,
                         size: tuple[int, int] = (96, 72)) -> Path:
    """Lay out stand-in photos in ``data_dir/weather-img`` through ``fetch_weather``; the folder."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    photos = standin_photos(n_per_class, seed, size)
    archive = data_dir / "standin.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in photos.items():
            zf.writestr(f"dataset2/{name}", data)
    table = load_table(write_table(photos, data_dir / "standin.csv"))
    return fetch_weather(archive, data_dir, progress=False, table=table)


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
