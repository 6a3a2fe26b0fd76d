"""Downloads that are all-or-nothing: a progress bar, clear errors, and no half-written files.

:func:`download` has ``pooch.HTTPDownloader`` (``requests`` underneath) stream a URL, with a
timeout and a progress bar, into a temporary file next to the destination; checks it (the
length the server promised, an optional sha256, an optional content check); and only then
renames it into place, atomically. A failed, interrupted or wrong download never appears under
the final name. Errors are :class:`DataError` subclasses whose message says what went wrong,
with which address, and what to do.

Kept by hand, because pooch does not do it:

* the temporary name and :func:`remove_stale`: ``pooch.retrieve`` names its temporary file at
  random (``tmpXXXX``), so a file left by a killed process cannot be told from one another
  process is still writing, and nothing ever removes it. Ours carry the process id;
* the content ``check`` before the rename (pooch's processors run after it);
* ``file://`` addresses, which pooch has no downloader for (copied, then checked the same way);
* the messages: requests' exceptions are turned into the errors below.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import pooch

USER_AGENT = "workshop_utils (ML-NN intro workshop; pooch)"
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


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file as lowercase hex (pooch reads it in chunks: memory stays flat)."""
    return pooch.file_hash(str(path), alg="sha256")


def temporary_name(dest: Path, kind: str = "part") -> Path:
    """A unique hidden name next to ``dest`` that says which process owns it.

    Same folder, so the final rename is atomic; the process id lets
    :func:`remove_stale` clean up after a process that was killed.
    """
    return dest.parent / f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.{kind}"


def remove_stale(folder: Path, name: str) -> list[Path]:
    """Remove temporary files or folders for ``name`` left by processes no longer running."""
    import psutil

    removed = []
    pattern = re.compile(rf"^\.{re.escape(name)}\.(\d+)\.[0-9a-f]{{8}}\.\w+$")
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match and int(match.group(1)) != os.getpid() and not psutil.pid_exists(int(match.group(1))):
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    return removed


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
        if url.lower().startswith("file://"):
            _copy_local(url, tmp, hint)
        else:
            _fetch(url, tmp, progress=progress, timeout=timeout, hint=hint)
        if sha256 is not None and (got := sha256_file(tmp)) != sha256.strip().lower():
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


def _fetch(url: str, tmp: Path, *, progress: bool, timeout: float, hint: str) -> None:
    """Stream ``url`` into ``tmp`` with pooch; DownloadError on any failure."""
    import requests
    from tqdm.auto import tqdm

    # total=1 until pooch sets the length: pooch tests the bar's truth, and tqdm's is its total
    bar = tqdm(total=1, unit="B", unit_scale=True, unit_divisor=1024, leave=False,
               desc=Path(url.split("?")[0]).name or "download", disable=not progress)
    fetcher = pooch.HTTPDownloader(progressbar=bar if progress else False, chunk_size=1 << 16,
                                   timeout=timeout, headers={"User-Agent": USER_AGENT})
    try:  # urllib3 refuses a body shorter than its Content-Length (IncompleteRead)
        fetcher(url, str(tmp), None)
    except requests.HTTPError as error:
        answer = error.response
        raise DownloadError(f"Downloading {url} failed: the server answered HTTP "
                            f"{answer.status_code} {answer.reason}. {hint}") from None
    except requests.RequestException as error:
        got = tmp.stat().st_size if tmp.exists() else 0
        raise DownloadError(f"Downloading {url} failed{f' after {got} bytes' if got else ''}: "
                            f"{_reason(error, timeout)}. {hint}") from None
    finally:
        bar.close()


def local_path(url: str) -> Path:
    """The file a ``file://`` address names."""
    return Path(unquote(urlparse(url).path))


def _copy_local(url: str, tmp: Path, hint: str) -> None:
    """Copy the file a ``file://`` address names into ``tmp``."""
    path = local_path(url)
    try:
        shutil.copyfile(path, tmp)
    except OSError as error:
        raise DownloadError(f"Reading {url} failed: {error.strerror or error}. {hint}") from None


def _reason(error: Exception, timeout: float) -> str:
    """What a requests exception means, in words (its text names the socket-level cause)."""
    import requests

    text = f"{type(error).__name__}: {error}"
    if "refused" in text.lower():
        return "could not connect (connection refused: nothing is listening at that address)"
    if "NameResolution" in text or "not known" in text:
        return "could not connect (the host name could not be found)"
    if isinstance(error, requests.Timeout) or "timed out" in text.lower():
        return f"the server stopped answering (nothing for {timeout:g} s)"
    if "IncompleteRead" in text or "prematurely" in text:
        return "the connection ended early, so the file is incomplete and was not kept"
    if "reset" in text.lower():
        return "the connection broke (reset by the other side), so the file was not kept"
    return text
