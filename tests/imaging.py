"""Picture helpers only tests use: the format Pillow finds, hash distance, huge flat PNGs, peak memory."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from PIL import Image, UnidentifiedImageError

ROOT = Path(__file__).resolve().parents[1]


def image_format(source: str | Path | bytes) -> str | None:
    """The format Pillow finds in the bytes ("JPEG", "PNG", "GIF", ...), or None if none."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with Image.open(stream) as image:
            return image.format
    except (UnidentifiedImageError, OSError):
        return None


def hamming(a: int, b: int) -> int:
    """The number of bits in which two hashes differ."""
    return (int(a) ^ int(b)).bit_count()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(path: Path, width: int, height: int, colour=(70, 130, 180), palette: bool = False) -> Path:
    """A PNG of one colour, written row by row: 12000x12000 pixels in a few hundred KB, no memory.

    ``palette`` gives one byte per pixel (a 1-colour palette) instead of three (RGB).
    """
    row = b"\x00" + (b"\x00" * width if palette else bytes(colour) * width)
    squeeze = zlib.compressobj(9)
    body = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 3 if palette else 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
                     + (_chunk(b"PLTE", bytes(colour)) if palette else b"")
                     + _chunk(b"IDAT", body) + _chunk(b"IEND", b""))
    return path


PEAK_SCRIPT = """
import json, sys
from pathlib import Path

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))

import numpy, PIL.Image
from workshop_utils import weather
from workshop_utils.weather.images import ImageDecodeError, read_image

path, shape, call = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
data = path.read_bytes()
value = {
    "path": path,
    "ipywidgets7": {path.name: {"metadata": {"name": path.name, "type": "image/png", "size": len(data),
                                             "lastModified": 1767225600000}, "content": data}},
    "ipywidgets8": ({"name": path.name, "type": "image/png", "size": len(data),
                     "last_modified": None, "content": memoryview(data)},),
}[shape]
before = peak_mb()
try:
    result = list(eval(call).shape)
except ImageDecodeError as error:
    result = str(error)
print(json.dumps({"before_mb": before, "peak_mb": peak_mb(), "result": result}))
"""


def peak_memory(path: Path, shape: str, call: str) -> dict:
    """Run ``call`` (on ``value``, ``path`` as ``shape`` gives it) in a fresh Python; its peak memory.

    Returns {"before_mb", "peak_mb", "result"}: the high-water marks (``VmHWM``) before and after
    the call, and the array's shape or the decode error's message.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path), shape, call],
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])
