"""Fixtures for the data tests: a local HTTP server and a small weather zip in the real layout.

No test touches the internet. :func:`http_server` serves files from a temporary folder on
127.0.0.1 and can misbehave on request:

* ``/files/<name>``: the file, with its ``Content-Length``;
* ``/status/<code>``: an HTTP error with that code;
* ``/html/<name>``: a "200 OK" HTML page (what a login or consent page looks like);
* ``/truncate/<name>``: promises the whole file but sends half, then hangs up;
* ``/truncate-nolength/<name>``: sends half the file with no length, then hangs up;
* ``/drop/<name>``: promises the whole file, sends half, then resets the connection;
* ``/stall/<name>``: promises the whole file, sends half, then sends nothing more;
* ``/stall-headers/<name>``: accepts the connection and never answers;
* ``/slow/<name>``: the whole file in 20 pieces, :data:`SLOW_S` seconds apart.

A stalled handler waits until the test ends (``LocalServer.stop``), so no thread outlives it.

The server runs in a daemon thread, each connection times out after a few seconds, and it
stops itself at the end of the test (or after two minutes at the latest).
"""

from __future__ import annotations

import io
import socket
import struct
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

SERVER_LIFETIME_S = 120
SLOW_S = 0.05


@dataclass
class LocalServer:
    """A running test server: put files in ``root``, ask ``url(...)`` for their address."""

    root: Path
    port: int
    requests: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        """The address of ``path`` (for example ``"files/weather.zip"``) on this server."""
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"


def _handler(server_state: LocalServer):
    class Handler(BaseHTTPRequestHandler):
        timeout = 5  # seconds a connection may stay idle

        def log_message(self, format, *args):  # keep test output quiet
            pass

        def do_GET(self):  # noqa: N802 - the name http.server expects
            server_state.requests.append(self.path)
            kind, _, name = self.path.lstrip("/").partition("/")
            if kind == "status":
                self.send_error(int(name), "test error")
                return
            if kind == "stall-headers":
                server_state.stop.wait(SERVER_LIFETIME_S)
                return
            path = server_state.root / name
            if not path.is_file():
                self.send_error(404, "no such file")
                return
            body = path.read_bytes()
            if kind == "html":
                page = b"<!DOCTYPE html><html><body>Please accept cookies</body></html>"
                self._send(200, page, "text/html; charset=utf-8", len(page))
            elif kind == "files":
                self._send(200, body, "application/zip", len(body))
            elif kind == "truncate":
                self._send(200, body[: len(body) // 2], "application/zip", len(body))
            elif kind == "truncate-nolength":
                self._send(200, body[: len(body) // 2], "application/zip", None)
            elif kind == "drop":
                self._send(200, body[: len(body) // 2], "application/zip", len(body))
                # SO_LINGER 0: close() sends a reset (RST) instead of an orderly end (FIN)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            elif kind == "stall":
                self._send(200, body[: len(body) // 2], "application/zip", len(body))
                server_state.stop.wait(SERVER_LIFETIME_S)
            elif kind == "slow":
                self._send(200, b"", "application/zip", len(body))
                step = -(-len(body) // 20)
                for start in range(0, len(body), step):
                    time.sleep(SLOW_S)
                    self.wfile.write(body[start:start + step])
                    self.wfile.flush()
            else:
                self.send_error(404, "unknown mode")

        def _send(self, code, body, content_type, length):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            if length is not None:
                self.send_header("Content-Length", str(length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True

    return Handler


@pytest.fixture
def http_server(tmp_path_factory):
    """A file server on 127.0.0.1 (see the module docstring); stops itself afterwards."""
    root = tmp_path_factory.mktemp("served")
    state = LocalServer(root=root, port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    watchdog = threading.Timer(SERVER_LIFETIME_S, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield state
    finally:
        state.stop.set()
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def refused_url():
    """An address on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/weather.zip"


# --- a small weather archive in the real layout ------------------------------------------------


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def weather_files(n_per_class: int = 12, seed: int = 1) -> dict[str, bytes]:
    """Photo name -> bytes, in the real dataset's naming, with its odd files (see below).

    Odd ones: ``cloudy3.jpg`` is a PNG, ``shine2.jpg`` an RGBA PNG, ``rain4.jpg`` a 3-frame GIF,
    ``cloudy5.jpg`` grayscale, ``rain2.jpeg`` and ``sunrise3.jpeg`` use ``.jpeg``,
    ``sunrise1.jpg`` is 1200x800, ``cloudy9.jpg`` is a smaller re-encoded copy of
    ``cloudy8.jpg`` (a near-duplicate pair), ``shine6.jpg`` is a byte copy of ``shine5.jpg``,
    and ``cloudy7.jpg`` is corrupt (random bytes after a JPEG header).
    """
    from tests.standins import make_sky  # here, not at the top: the Colab stack runs the widget
    #                                       tests without the checkout on sys.path

    rng = np.random.default_rng(seed)
    files: dict[str, bytes] = {}
    for label in ("cloudy", "rain", "shine", "sunrise"):
        for i in range(1, n_per_class + 1):
            size = (1200, 800) if (label, i) == ("sunrise", 1) else (72, 48)
            files[f"{label}{i}.jpg"] = _encode(make_sky(label, rng, size), "JPEG", quality=90)
    sky = Image.open(io.BytesIO(files["cloudy3.jpg"]))
    files["cloudy3.jpg"] = _encode(sky, "PNG")
    rgba = Image.open(io.BytesIO(files["shine2.jpg"])).convert("RGBA")
    alpha = np.full(rgba.size[::-1], 255, dtype=np.uint8)
    alpha[:, : rgba.size[0] // 2] = 0  # left half transparent
    rgba.putalpha(Image.fromarray(alpha))
    files["shine2.jpg"] = _encode(rgba, "PNG")
    frames = [Image.new("RGB", (64, 48), colour) for colour in ((40, 40, 60), (200, 0, 0), (0, 200, 0))]
    files["rain4.jpg"] = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    files["cloudy5.jpg"] = _encode(Image.open(io.BytesIO(files["cloudy5.jpg"])).convert("L"), "JPEG")
    files["rain2.jpeg"] = files.pop("rain2.jpg")
    files["sunrise3.jpeg"] = files.pop("sunrise3.jpg")
    clouds = make_sky("cloudy", rng, (240, 160)).filter(ImageFilter.GaussianBlur(2))
    files["cloudy8.jpg"] = _encode(clouds, "JPEG", quality=90)
    files["cloudy9.jpg"] = _encode(clouds.resize((200, 133)), "JPEG", quality=70)
    files["shine6.jpg"] = files["shine5.jpg"]
    files["cloudy7.jpg"] = files["cloudy7.jpg"][:20] + rng.bytes(200)
    return files


def write_zip(path: Path, files: dict[str, bytes], top: str = "dataset2/",
              extra: dict[str, bytes] | None = None) -> Path:
    """Write ``files`` into a zip under the ``top`` folder, plus ``extra`` entries as named."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(top + name, data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


@pytest.fixture(scope="session")
def weather_set(tmp_path_factory):
    """(files, zip path, split table path) for a small weather archive in the real layout."""
    from tests.standins import write_table

    folder = tmp_path_factory.mktemp("weather-src")
    files = weather_files()
    archive = write_zip(folder / "weather.zip", files)
    return files, archive, write_table(files, folder / "weather.csv")
