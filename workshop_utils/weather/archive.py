"""The weather photos' zip: got once (downloaded or local), opened safely, read photo by photo.

The data (:data:`CITATION`): a flat ``dataset2/`` folder of 1125 photos, ``cloudy1.jpg`` ...
``sunrise357.jpg``. No checksum of the zip is published: each photo is checked against its
sha256 in the shipped table instead.
"""

import hashlib
import os
import re
import stat
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

from .. import config, files
from ..download import ArchiveError, ChecksumError, DataError, download, is_url, local_path
from .split import Photo

WEATHER_URL = ("https://data.mendeley.com/public-files/datasets/4drtyfjtfy/files/"
               "a03e6097-f7fb-4e1a-9c6a-8923c6a0d3e0/file_downloaded")
CITATION = ('Ajayi, Gbeminiyi (2018), "Multi-class Weather Dataset for Image Classification", '
            "Mendeley Data, V1, doi:10.17632/4drtyfjtfy.1 (CC BY 4.0)")
#: Where the photos come from when no source is given: a local zip or a mirror URL.
SOURCE_ENV = "WORKSHOP_WEATHER_SOURCE"
ARCHIVE_NAME = "weather-dataset2.zip"  # the download's name in <data folder>/downloads/
#: The largest photo entry read. The largest original we could measure is 3.9 MB; the four we
#: could not (over 4 MiB each) are 15-megapixel JPEGs, at most about 12 MB. Anything bigger is
#: not one of the photos and is refused before it is read.
MAX_ENTRY_BYTES = 24 * 2**20
HOW = f"give the zip with `python -m workshop_utils fetch --source PATH`, or set {SOURCE_ENV}=PATH"


def shown(name: str) -> str:
    """A name from an archive as it may be printed: control characters escaped."""
    return name.encode("unicode_escape").decode("ascii") if not name.isprintable() else name


def weather_source() -> str | Path:
    """``WORKSHOP_WEATHER_SOURCE`` (a local zip or a URL; relative to the repository in a
    checkout, so a kernel in ``notebooks/`` means the same file), else :data:`WEATHER_URL`."""
    value = os.environ.get(SOURCE_ENV, "").strip()
    if not value:
        return WEATHER_URL
    if is_url(value):
        return local_path(value) if value.lower().startswith("file://") else value
    return config.setting_path(value)


def get_archive(source: str | Path, root: Path, *, progress: bool = True,
                timeout: float = 60.0) -> tuple[Path, bool]:
    """The zip to read, and whether it is our download (a bad one is deleted, never reused)."""
    if not is_url(source):
        path = Path(source).expanduser()
        if path.is_dir():
            raise DataError(f"{path} is a folder: the photos are read from the dataset's zip "
                            f"file itself (dataset2.zip, as downloaded): {HOW}.")
        if not path.is_file():
            raise DataError(f"no weather archive at {path}: {HOW}.")
        check_zip(path, path.name, "Get a fresh copy of the zip from the public address "
                                   f"({WEATHER_URL}) and {HOW}.")
        return path, False
    cached = root / "downloads" / ARCHIVE_NAME
    files.remove_stale(cached)  # what a killed download left, once old
    hint = (f"Try again later, or download the zip in a browser from {WEATHER_URL} (or a "
            f"mirror) and {HOW}.")
    if cached.is_file():
        try:
            check_zip(cached, "the archive downloaded earlier", hint)
            print(f"Using the archive downloaded earlier: {config.shown(cached, root)}")
            return cached, True
        except ArchiveError as error:  # never reused: download it again
            print(f"{error} Deleted it; downloading it again.")
            cached.unlink(missing_ok=True)
    print(f"Downloading the weather photos (about 80 MB) from {source}")
    download(str(source), cached, progress=progress, timeout=timeout, hint=hint,
             check=lambda path: check_zip(path, str(source), hint))
    return cached, True


def check_zip(path: Path, source: str, hint: str) -> None:
    """ArchiveError unless ``path`` opens as a zip (an HTML page or a truncated file does not).

    Each photo's bytes are checked when read (CRC and sha256), so entries the package skips,
    compressed in a way Python cannot read or encrypted, never block the archive.
    """
    with open(path, "rb") as handle:
        head = handle.read(512)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
            what = ("an HTML page, not a zip (the site sent a web page: an error, a login or a "
                    "cookie-consent page)")
        else:
            what = "empty" if not head else f"not a zip archive (it starts with {head[:8]!r})"
        raise ArchiveError(f"The weather archive from {source} is {what}. {hint}")
    try:
        zipfile.ZipFile(path).close()
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ArchiveError(
            f"The weather archive from {source} is truncated or damaged ({error}). {hint}") from None


def safe_entry_name(info: zipfile.ZipInfo) -> PurePosixPath:
    """The entry's path, or ArchiveError for absolute paths, ``..``, drive letters and links."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if (path.is_absolute() or ".." in path.parts or re.match(r"^[a-zA-Z]:", name)
            or stat.S_ISLNK(info.external_attr >> 16)):
        raise ArchiveError(f"unsafe entry {shown(info.filename)!r} (absolute path, '..' or a link)")
    return path


def photos_in(archive: Path, table: Mapping[str, Photo], source: str, skipped: list[str]
              ) -> Iterator[tuple[Photo, bytes]]:
    """Each photo of the table that the archive holds, with its bytes, once verified.

    Entries the table does not list are never read, only named in ``skipped``. A listed entry
    too big to be the photo, or whose sha256 differs, rejects the whole archive (ChecksumError):
    it is corrupt or altered. Reading is streamed, so memory stays at one photo.
    """
    with zipfile.ZipFile(archive) as zf:
        infos = [info for info in zf.infolist() if not info.is_dir()]
        try:
            names = [safe_entry_name(info).name for info in infos]
        except ArchiveError as error:
            raise ArchiveError(f"The weather archive from {source} has an {error}; nothing was "
                               "extracted.") from None
        seen = set()
        for info, name in zip(infos, names, strict=True):
            if name not in table or name in seen:
                skipped.append(shown(info.filename))
                continue
            seen.add(name)
            yield table[name], _read_verified(zf, info, table[name], source)


def _read_verified(zf: zipfile.ZipFile, info: zipfile.ZipInfo, photo: Photo, source: str) -> bytes:
    """The entry's bytes, read in chunks and hashed as they come, or ChecksumError."""
    altered = (f"The weather archive from {source} is corrupt or altered: {shown(info.filename)} "
               "{}; nothing was laid out. Get a fresh copy of the zip.")
    if info.file_size > MAX_ENTRY_BYTES:
        raise ChecksumError(altered.format(f"is {info.file_size:,} bytes, far bigger than any "
                                           "photo of the dataset"))
    digest, chunks = hashlib.sha256(), []
    try:
        with zf.open(info) as entry:
            while chunk := entry.read(1 << 20):
                digest.update(chunk)
                chunks.append(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
        raise ChecksumError(altered.format(f"cannot be read ({error})")) from None
    if digest.hexdigest() != photo.sha256:
        raise ChecksumError(altered.format("does not match its published sha256"))
    return b"".join(chunks)
