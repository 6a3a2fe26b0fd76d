"""Synthetic stand-in sky pictures for fast mode and tests, laid out like the real photos."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from .. import config
from ..download import (
    remove_stale,
    temporary_name,
)
from .dataset import (
    CLASSES,
    STANDIN_DIRNAME,
    _complete,
    _save_record,
    _split_and_place,
    _swap_into_place,
    _write_marker,
    split_report,
)
from .split import (
    FRACTIONS,
    MAX_DISTANCE,
)

#: The classes :func:`make_sky` can draw (the weather dataset's classes).
SKY_KINDS = CLASSES


# --- the synthetic stand-in ------------------------------------------------------------------


def make_standin_weather(dest: str | Path | None = None, n_per_class: int = 40, seed: int = 0,
                         size: tuple[int, int] = (96, 96), dup_fraction: float = 0.1) -> Path:
    """Generate synthetic sky photos in the real layout (fast mode and CI); return the folder.

    Writes ``dest/{train,validate,test}/{cloudy,rain,shine,sunrise}/*.png``, a ``STANDIN.txt``
    note and a ``SPLIT.json`` report. About ``dup_fraction`` of the pictures are slightly
    brightened copies of another, so the near-duplicate grouping and the leakage-free split
    run exactly as on the real photos. A second call with the same parameters does nothing.

    Parameters
    ----------
    dest : path, optional
        Default: ``<data folder>/weather-standin``.
    n_per_class : int
        Pictures per class (copies included); at least 10 so every split gets some.
    seed : int
        Seeds the pictures and the split.
    size : (width, height)
        Picture size in pixels.
    """
    if n_per_class < 10:
        raise ValueError(f"n_per_class must be at least 10 so each split gets pictures, got {n_per_class}")
    if not 0 <= dup_fraction < 0.5:
        raise ValueError(f"dup_fraction must be in [0, 0.5), got {dup_fraction}")
    dest = config.data_dir() / STANDIN_DIRNAME if dest is None else Path(dest)
    params = {"n_per_class": int(n_per_class), "seed": int(seed), "size": [int(s) for s in size],
              "dup_fraction": float(dup_fraction)}
    if _complete(dest) and split_report(dest).get("standin") == params:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest.parent, dest.name)
    staging = temporary_name(dest, "tmp")
    try:
        pool = staging / "_all"
        pool.mkdir(parents=True)
        records = _draw_standins(pool, n_per_class, seed, tuple(size), dup_fraction)
        report = _split_and_place(staging, records, seed=seed, fractions=FRACTIONS,
                                  max_distance=MAX_DISTANCE,
                                  source=f"synthetic stand-in (make_standin_weather, seed {seed})")
        report["standin"] = params
        (staging / "STANDIN.txt").write_text(
            "STAND-IN DATA: synthetic sky pictures (workshop_utils.weather.standins.make_sky), not\n"
            "real photographs. Notebook 04 uses them in fast mode (CI) so it runs in seconds.\n"
            "For the real photos run `python -m workshop_utils fetch`.\n"
            f"Parameters: {json.dumps(params)}\n"
        )
        _write_marker(staging, report)
        _swap_into_place(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def _draw_standins(pool: Path, n_per_class: int, seed: int, size: tuple[int, int],
                   dup_fraction: float) -> list[dict]:
    """Draw and save the stand-in pictures into ``pool``; one record per picture."""
    rng = np.random.default_rng(seed)
    records = []
    n_copies = int(round(n_per_class * dup_fraction))
    for label in CLASSES:
        originals = []
        for i in range(n_per_class - n_copies):
            image = make_sky(label, rng, size)
            originals.append(image)
            records.append(_save_record(pool, f"{label}{i + 1:03d}.png", label, image))
        for k, source in enumerate(rng.choice(len(originals), n_copies, replace=False)):
            scale = rng.uniform(1.02, 1.06)  # a slightly brighter copy of an existing picture
            pixels = np.asarray(originals[source], dtype=np.float64) * scale
            copy = Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8))
            name = f"{label}{n_per_class - n_copies + k + 1:03d}.png"
            records.append(_save_record(pool, name, label, copy))
    return records




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
