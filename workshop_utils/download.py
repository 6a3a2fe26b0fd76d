"""Downloads that are all-or-nothing: a progress bar, clear errors, no half-written files.

:func:`download` streams a URL with ``pooch.HTTPDownloader`` (a timeout, a progress bar) into
:func:`workshop_utils.files.writing`, checks it (the promised length, a published hash with
pooch's ``hash_matches``, a content check) and only then renames it into place. Not
``pooch.retrieve``: its temporaries get random names in folders others share (``~/.keras``), so a
killed kernel's one could never be told apart, and its processors run after the rename, when a
wrong file already has the final name. ``file://`` (a USB stick; no pooch downloader) is copied.
"""

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import pooch

from . import files

USER_AGENT = "workshop_utils (ML-NN intro workshop; pooch)"
DEFAULT_HINT = "Check the address and your internet connection, then try again."


class DataError(RuntimeError):
    """Getting or checking a dataset failed; the message says why and what to do."""


class DownloadError(DataError):
    """The server could not be reached, refused, answered with an error, or sent too little."""


class ChecksumError(DataError):
    """A file's hash differs from the published one: it is corrupt or not the expected file."""


class ArchiveError(DataError):
    """An archive is not a zip, is truncated, or holds an unsafe entry."""


def is_url(source: object) -> bool:
    """True for ``http://``, ``https://`` and ``file://`` addresses."""
    return isinstance(source, str) and re.match(r"^(https?|file)://", source, re.I) is not None


def local_path(url: str) -> Path:
    """The file a ``file://`` address names."""
    return Path(unquote(urlparse(url).path))


def download(url: str, dest: str | Path, *, known_hash: str | None = None,
             check: Callable[[Path], None] | None = None, progress: bool = True,
             timeout: float = 60.0, hint: str = DEFAULT_HINT) -> Path:
    """Download ``url`` (http, https or file) to ``dest`` atomically; return ``dest``.

    ``known_hash``: pooch's ``"sha256:..."``/``"md5:..."``; ``check(tmp)`` may raise DataError;
    ``timeout``: seconds without data; ``hint`` ends every error. A failure leaves nothing.
    """
    with files.writing(dest) as tmp:
        if url.lower().startswith("file://"):
            try:
                shutil.copyfile(local_path(url), tmp)
            except OSError as error:
                raise DownloadError(f"Reading {url} failed: {error.strerror or error}. {hint}") from None
        else:
            _fetch(url, tmp, progress=progress, timeout=timeout, hint=hint)
        if known_hash and not pooch.hashes.hash_matches(str(tmp), known_hash):
            alg, _, expected = known_hash.rpartition(":")
            got = pooch.file_hash(str(tmp), alg=alg or "sha256")
            raise ChecksumError(f"The file from {url} has {alg or 'sha256'} {got}, expected "
                                f"{expected}: it is corrupt or not the expected file, and was not "
                                f"kept. {hint}")
        if check is not None:
            check(tmp)
    return Path(dest)


def _fetch(url: str, tmp: Path, *, progress: bool, timeout: float, hint: str) -> None:
    """Stream ``url`` into ``tmp`` with pooch; DownloadError on any failure."""
    import requests
    from tqdm.auto import tqdm

    # total=1 until pooch sets the length: pooch tests the bar's truth, and tqdm's is its total;
    # delay: no bar at all for a download that fails (or ends) within a second
    bar = tqdm(total=1, unit="B", unit_scale=True, unit_divisor=1024, leave=False, delay=1,
               desc=Path(url.split("?")[0]).name or "download", disable=not progress)
    fetcher = pooch.HTTPDownloader(progressbar=bar if progress else False, chunk_size=1 << 16,
                                   timeout=(min(10.0, timeout), timeout),
                                   headers={"User-Agent": USER_AGENT})
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


def _reason(error: Exception, timeout: float) -> str:
    """What a requests exception means, in words (its text names the socket-level cause)."""
    import requests

    text = f"{type(error).__name__}: {error}"
    if "refused" in text.lower():
        return "could not connect (connection refused: nothing is listening at that address)"
    if "NameResolution" in text or "not known" in text:
        return "could not connect (the host name could not be found: no internet?)"
    if isinstance(error, requests.Timeout) or "timed out" in text.lower():
        return f"the server stopped answering (nothing for {timeout:g} s)"
    if "IncompleteRead" in text or "prematurely" in text:
        return "the connection ended early, so the file is incomplete and was not kept"
    if "reset" in text.lower():
        return "the connection broke (reset by the other side), so the file was not kept"
    return text
