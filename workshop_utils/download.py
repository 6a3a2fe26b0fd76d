"""Downloads that are all-or-nothing: a progress bar, clear errors, and no half-written files.

:func:`download` streams a URL into a temporary file next to the destination, checks it (size
against ``Content-Length``, optional sha256, optional content check), and only then renames it
into place, atomically. A failed, interrupted or wrong download therefore never appears under
the final name, and the temporary file is removed. Errors are :class:`DataError` subclasses
whose message says what went wrong, with which address, and what to do.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import secrets
import shutil
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tqdm.auto import tqdm

CHUNK = 1 << 20  # 1 MiB: big enough to be fast, small enough to keep memory flat
USER_AGENT = "workshop_utils (ML-NN intro workshop; python urllib)"
DEFAULT_HINT = "Check the address and your internet connection, then try again."


class DataError(RuntimeError):
    """Getting or checking a dataset failed; the message says why and what to do."""


class DownloadError(DataError):
    """The server could not be reached, refused, answered with an error, or sent too little."""


class ChecksumError(DataError):
    """A file's sha256 differs from the published one: it is corrupt or not the expected file."""


class ArchiveError(DataError):
    """An archive is not a zip, is truncated, or holds an unsafe entry."""


def is_url(source: object) -> bool:
    """True for ``http://``, ``https://`` and ``file://`` addresses."""
    return isinstance(source, str) and re.match(r"^(https?|file)://", source, re.I) is not None


def sha256_file(path: str | Path, chunk_size: int = CHUNK) -> str:
    """The sha256 of a file as lowercase hex, read in chunks (memory stays flat)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def temporary_name(dest: Path, kind: str = "part") -> Path:
    """A unique hidden name next to ``dest`` that says which process owns it.

    Same folder, so the final rename is atomic; the process id lets
    :func:`remove_stale` clean up after a process that was killed.
    """
    return dest.parent / f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.{kind}"


def remove_stale(folder: Path, name: str) -> list[Path]:
    """Remove temporary files or folders for ``name`` left by processes no longer running."""
    removed = []
    pattern = re.compile(rf"^\.{re.escape(name)}\.(\d+)\.[0-9a-f]{{8}}\.\w+$")
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match and not _process_alive(int(match.group(1))):
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    """Whether a process with this id is running (ours counts as running)."""
    if pid == os.getpid():
        return True
    try:
        import psutil

        return psutil.pid_exists(pid)
    except ImportError:  # pragma: no cover - psutil is a dependency
        return True


def download(url: str, dest: str | Path, *, sha256: str | None = None,
             check: Callable[[Path], None] | None = None, progress: bool = True,
             timeout: float = 60.0, hint: str = DEFAULT_HINT) -> Path:
    """Download ``url`` to ``dest`` atomically and return ``dest``.

    Parameters
    ----------
    url : str
        The address (http, https or file).
    dest : path
        Where the finished file goes; its folder is created. An existing file is replaced
        only by a complete, checked download.
    sha256 : str, optional
        The expected sha256 (hex) of the whole file.
    check : callable, optional
        Called with the temporary file before it is renamed; raise :class:`DataError` to
        reject it (for example "this is an HTML page, not a zip").
    progress : bool
        Show a progress bar (tqdm).
    timeout : float
        Seconds to wait for the server to connect or send more data.
    hint : str
        What the user should do if it fails; added to every error message.

    Raises
    ------
    DownloadError, ChecksumError, DataError
        Nothing is left under ``dest`` or in a temporary file.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest.parent, dest.name)
    tmp = temporary_name(dest)
    try:
        with open(tmp, "wb") as out:
            _stream(url, out, progress=progress, timeout=timeout, hint=hint)
        if sha256 is not None:
            got = sha256_file(tmp)
            if got != sha256.strip().lower():
                raise ChecksumError(
                    f"The file downloaded from {url} has sha256 {got}, expected {sha256}: it is "
                    f"corrupt or not the expected file, and was not kept. {hint}"
                )
        if check is not None:
            check(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _stream(url: str, out, *, progress: bool, timeout: float, hint: str) -> int:
    """Copy the body at ``url`` into the open file ``out``; DownloadError on any failure."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    received = 0
    expected: int | None = None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            with tqdm(total=expected, unit="B", unit_scale=True, unit_divisor=1024,
                      desc=Path(url.split("?")[0]).name or "download", disable=not progress,
                      leave=False) as bar:
                while block := response.read(CHUNK):
                    out.write(block)
                    received += len(block)
                    bar.update(len(block))
    except urllib.error.HTTPError as error:
        raise DownloadError(
            f"Downloading {url} failed: the server answered HTTP {error.code} {error.reason}. {hint}"
        ) from None
    except urllib.error.URLError as error:
        raise DownloadError(
            f"Downloading {url} failed: could not connect ({_reason(error.reason)}). {hint}"
        ) from None
    except http.client.IncompleteRead as error:
        received += len(error.partial)
        raise _truncated(url, received, expected, hint) from None
    except TimeoutError as error:
        raise DownloadError(
            f"Downloading {url} failed: the server stopped answering after {received} bytes "
            f"({error or 'timed out'}). {hint}"
        ) from None
    except (ConnectionError, http.client.HTTPException) as error:
        raise DownloadError(
            f"Downloading {url} failed after {received} bytes: the connection broke "
            f"({_reason(error)}). {hint}"
        ) from None
    if expected is not None and received != expected:
        raise _truncated(url, received, expected, hint)
    return received


def _truncated(url: str, received: int, expected: int | None, hint: str) -> DownloadError:
    """The error for a body that ended early."""
    of = f" of {expected}" if expected is not None else ""
    return DownloadError(
        f"Downloading {url} failed: the connection ended after {received}{of} bytes, so the "
        f"file is incomplete and was not kept. {hint}"
    )


def _reason(reason: object) -> str:
    """A short human description of a socket-level failure."""
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused: nothing is listening at that address"
    if isinstance(reason, socket.gaierror):
        return f"the host name could not be found: {reason.strerror or reason}"
    if isinstance(reason, TimeoutError):
        return "timed out"
    return str(reason) or type(reason).__name__
