"""Notebook 04's photos: the real weather dataset, or a synthetic stand-in for fast mode.

Real data (:func:`fetch_weather`): Ajayi, Gbeminiyi (2018), "Multi-class Weather Dataset for
Image Classification", Mendeley Data, V1, doi:10.17632/4drtyfjtfy.1, CC BY 4.0. Its zip holds a
flat ``dataset2/`` folder of 1125 photos named ``cloudy1.jpg``, ``sunrise300.jpg``, ...

The path from archive to training folders, each step all-or-nothing:

1. **get** the zip: a local path is read in place; a URL is downloaded atomically (progress
   bar) into ``<data>/downloads/`` and kept only once it is a complete, readable zip;
2. **check** each entry: unsafe names (absolute, ``..``, links) reject the whole archive;
   each photo's sha256 must match the shipped manifest (``manifests/weather.sha256``):
   a mismatch rejects the archive; entries not in the manifest (``__MACOSX``, extras) are
   skipped and reported; manifest photos missing from the archive are reported, not fatal
   (the development copy lacks 4 of 1125);
3. **decode** each photo by content (PNG or GIF named ``.jpg``, RGBA, grayscale) to RGB,
   shrink it so its longest side is at most :data:`MAX_SIDE` pixels, and re-encode it as
   an RGB JPEG, so TensorFlow reads every file the same, fast way; undecodable files are
   reported and left out;
4. **group** near-duplicates by perceptual hash and **split** whole groups, stratified by
   class, with a seed (:data:`FRACTIONS`: 70 / 15 / 15 %);
5. **lay out** ``weather-img/{train,validate,test}/{cloudy,rain,shine,sunrise}/*.jpg`` in a
   hidden staging folder, write ``SPLIT.json`` (the split report) last, and rename the folder
   into place. A failure at any step leaves the data folder as it was.

Photos are read from the zip one at a time, so memory stays flat. Nothing is extracted under
its archive name: only re-encoded copies are written, under names checked against the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import socket
import stat
import urllib.parse
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image
from tqdm.auto import tqdm

from .. import config
from ..download import (
    ArchiveError,
    ChecksumError,
    DataError,
    download,
    is_url,
    local_path,
    remove_stale,
    temporary_name,
)
from .images import ImageDecodeError, decode_image, perceptual_hash, save_rgb
from .split import (
    FRACTIONS,
    MAX_DISTANCE,
    SPLITS,
    counts_table,
    group_near_duplicates,
    grouped_stratified_split,
    tally,
)

CLASSES = ("cloudy", "rain", "shine", "sunrise")
WEATHER_URL = (
    "https://data.mendeley.com/public-files/datasets/4drtyfjtfy/files/"
    "a03e6097-f7fb-4e1a-9c6a-8923c6a0d3e0/file_downloaded"
)
WEATHER_DOI = "10.17632/4drtyfjtfy.1"
CITATION = ('Ajayi, Gbeminiyi (2018), "Multi-class Weather Dataset for Image Classification", '
            f"Mendeley Data, V1, doi:{WEATHER_DOI} (CC BY 4.0)")
#: Longest side, in pixels, of the re-encoded photos (the originals go up to 4752x3168).
MAX_SIDE = 512
#: Folder names inside the data folder.
IMG_DIRNAME = "weather-img"
STANDIN_DIRNAME = "weather-standin"
ARCHIVE_NAME = "weather-dataset2.zip"
#: The file written last: its presence means the layout is complete.
MARKER = "SPLIT.json"
#: Where the photos come from when no source is given: a local zip (a USB stick, a shared drive,
#: CI's ``../shared/datasets/weather/dataset2.zip``) or a mirror URL; unset: :data:`WEATHER_URL`.
SOURCE_ENV = "WORKSHOP_WEATHER_SOURCE"
MANIFEST_PATH = Path(__file__).resolve().parent.parent / "manifests" / "weather.sha256"

__all__ = [
    "CLASSES", "SPLITS", "FRACTIONS", "WEATHER_URL", "CITATION", "MAX_SIDE", "SOURCE_ENV",
    "fetch_weather", "weather_source", "photos_problem", "weather_images", "status",
    "split_report", "print_split_report", "example_duplicate_pair", "load_manifest",
    "DataError",
]

_NAME = re.compile(r"^([a-z]+)(\d+)\.(jpe?g|png|gif)$", re.IGNORECASE)


# --- what the notebook calls ----------------------------------------------------------------


def weather_images(fast: bool | None = None) -> Path:
    """The folder of split photos notebook 04 trains on: the stand-in in fast mode, else real.

    ``fast`` defaults to :func:`workshop_utils.config.fast_mode` (``WORKSHOP_FAST``).
    """
    from .standins import make_standin_weather

    fast = config.fast_mode() if fast is None else fast
    return make_standin_weather() if fast else fetch_weather()


def weather_source() -> str | Path:
    """Where :func:`fetch_weather` gets the photos when given no source.

    ``WORKSHOP_WEATHER_SOURCE`` (a local zip or a URL) if set, else the public address. A relative
    path counts from the repository's folder in a checkout (so ``.ci/run`` and a notebook kernel,
    which runs in ``notebooks/``, mean the same file), else from the working directory.
    """
    value = os.environ.get(SOURCE_ENV, "").strip()
    if not value:
        return WEATHER_URL
    if is_url(value):
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (config.REPO_DIR or Path.cwd()) / path
    return path


def _shown_source(source: str | Path) -> str:
    """The source as the split report shows it: a URL as is, a local zip by its name only (no
    machine path in a notebook's output)."""
    return str(source) if is_url(source) else f"{Path(source).name} (a local copy)"


def photos_problem(timeout: float = 5.0) -> str | None:
    """Why :func:`fetch_weather` cannot get the photos now, in one line; None when it can.

    None when they are laid out already, when the source (:func:`weather_source`) is a local zip
    that exists or a download kept from before, or when the server of its URL (or the proxy)
    accepts a connection. For a long run that needs the photos (notebook 04 under nbval), so that
    "no photos, no internet" is one clear line up front, not a traceback halfway through.
    """
    if _complete(config.data_dir() / IMG_DIRNAME):
        return None
    how = (f"set {SOURCE_ENV} to the dataset's zip (for example a copy on a USB stick, or "
           "../shared/datasets/weather/dataset2.zip beside the checkout), or lay the photos out "
           "once with `python -m workshop_utils fetch --source PATH`")
    missing = f"no weather photos in {IMG_DIRNAME}/ of the data folder"
    source = weather_source()
    if isinstance(source, str) and source.lower().startswith("file://"):
        source = local_path(source)
    if not is_url(source):
        if Path(source).is_file():
            return None
        return f"{missing}, and {SOURCE_ENV} names no file ({source}): {how}."
    if (config.data_dir() / "downloads" / ARCHIVE_NAME).is_file():
        return None
    import requests  # pooch's HTTP library: the same proxy settings (and no_proxy) as the download

    parts = urllib.parse.urlsplit(source)
    proxy = requests.utils.get_environ_proxies(source).get(parts.scheme)
    target = urllib.parse.urlsplit(proxy if "://" in (proxy or "") else f"http://{proxy}") if proxy else parts
    host, port = target.hostname, target.port or (443 if target.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return (f"{missing}, and {host} cannot be reached to download them ({reason}; no "
                f"internet?): {how}.")
    return None


def status() -> tuple[bool, str]:
    """(ready?, one line) for ``python -m workshop_utils check``; paths relative to the data folder."""
    folder = config.data_dir() / IMG_DIRNAME
    marker = folder / MARKER
    if marker.is_file():
        try:
            report = json.loads(marker.read_text())
            per_split = ", ".join(
                f"{split} {sum(row[split] for row in report['counts'].values())}"
                for split in SPLITS
            )
            return True, f"{IMG_DIRNAME}/ ready: {report['total']} photos ({per_split})"
        except (ValueError, KeyError, TypeError):
            return False, f"{IMG_DIRNAME}/{MARKER} is unreadable: delete {IMG_DIRNAME}/ and fetch again"
    if folder.exists():
        return False, (f"{IMG_DIRNAME}/ is incomplete (no {MARKER}): delete it and run "
                       "`python -m workshop_utils fetch`")
    return False, (f"{IMG_DIRNAME}/ missing: run `python -m workshop_utils fetch` "
                   "(about 80 MB; fast mode uses generated stand-in photos instead)")


def split_report(folder: str | Path | None = None) -> dict:
    """The split report (``SPLIT.json``) of a laid-out folder: counts, duplicate groups, seed.

    ``folder`` defaults to the folder :func:`weather_images` would use in the current mode,
    without creating it.
    """
    folder = _default_folder() if folder is None else Path(folder)
    marker = folder / MARKER
    if not marker.is_file():
        raise FileNotFoundError(
            f"{marker} not found: lay the photos out first with weather_images() "
            "(or fetch_weather() / make_standin_weather())."
        )
    return json.loads(marker.read_text())


def format_split_report(report: Mapping) -> str:
    """The split report as a few lines of text: source, counts table, duplicates, seed."""
    lines = [
        f"Source: {report['source']}",
        counts_table(report["counts"]).to_string(),
        f"Near-duplicate groups: {report['n_duplicate_groups']} "
        f"({report['n_in_duplicate_groups']} photos; {report['n_byte_identical_sets']} sets of "
        "byte-identical files among them), each kept inside one split "
        f"(hash distance <= {report['max_distance']} bits){_spread(report)}.",
        "Fractions: " + ", ".join(f"{s} {f:.0%}" for s, f in report["fractions"].items())
        + f"; seed {report['seed']}.",
    ]
    if report.get("converted"):
        lines.append(f"Decoded by content: {len(report['converted'])} files were not plain RGB JPEG "
                     "(" + "; ".join(f"{k}: {v}" for k, v in list(report["converted"].items())[:4])
                     + (" ..." if len(report["converted"]) > 4 else "") + ")")
    for key, what in (("missing", "listed in the manifest but not in the archive"),
                      ("undecodable", "could not be decoded and were left out"),
                      ("skipped", "not in the manifest, skipped")):
        if report.get(key):
            lines.append(f"{len(report[key])} files {what}: {', '.join(report[key][:8])}"
                         + (" ..." if len(report[key]) > 8 else ""))
    return "\n".join(lines)


def _spread(report: Mapping) -> str:
    """", photos in groups per split: train 162, ..." (test photos must not all be loners)."""
    groups = report.get("duplicate_groups") or []
    if not groups:
        return ""
    counts = Counter()
    for group in groups:
        counts[group["split"]] += len(group["files"])
    return "; photos in groups per split: " + ", ".join(f"{s} {counts[s]}" for s in SPLITS)


def print_split_report(folder: str | Path | None = None) -> str:
    """Print the split report of ``folder`` (see :func:`split_report`) and return the text."""
    text = format_split_report(split_report(folder))
    print(text)
    return text


def example_duplicate_pair(folder: str | Path | None = None) -> tuple[Path, Path] | None:
    """Two photos of one near-duplicate group (for the notebook's leakage paragraph), or None.

    Prefers a pair that is not byte-identical (a resized or re-encoded copy), which shows
    why an exact-file check is not enough.
    """
    folder = _default_folder() if folder is None else Path(folder)
    groups = split_report(folder)["duplicate_groups"]
    if not groups:
        return None
    group = next((g for g in groups if not g["identical"]), groups[0])
    return folder / group["files"][0], folder / group["files"][1]


def _default_folder() -> Path:
    """The folder :func:`weather_images` uses in the current mode."""
    name = STANDIN_DIRNAME if config.fast_mode() else IMG_DIRNAME
    return config.data_dir() / name


# --- the real photos -------------------------------------------------------------------------


def _save_record(pool: Path, name: str, label: str, image: Image.Image) -> dict:
    """Save one picture into the pool and describe it for the split."""
    save_rgb(image, pool / name)
    digest = hashlib.sha256(image.tobytes()).hexdigest()
    return {"name": name, "label": label, "hash": perceptual_hash(image), "sha256": digest}


def load_manifest(path: str | Path | None = None) -> dict[str, str]:
    """The shipped ``sha256sum``-format manifest as {file name: sha256}, keyed by base name."""
    path = MANIFEST_PATH if path is None else Path(path)
    manifest = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-fA-F]{64}", parts[0]):
            raise ValueError(f"{path}, line {number}: expected '<sha256>  <path>', got {line!r}")
        manifest[PurePosixPath(parts[1].lstrip("*").strip()).name] = parts[0].lower()
    return manifest


def fetch_weather(source: str | Path | None = None, data_dir: str | Path | None = None, *,
                  seed: int = 0, progress: bool = True,
                  manifest: str | Path | Mapping[str, str] | None = None,
                  max_side: int = MAX_SIDE, fractions=FRACTIONS,
                  max_distance: int = MAX_DISTANCE, timeout: float = 60.0) -> Path:
    """Download (or read), verify, decode and split the weather photos; return ``weather-img``.

    Parameters
    ----------
    source : str or path, optional
        The public address, a mirror URL, or a local zip (for a room served from a USB stick).
        The zip may hold ``dataset2/<photo>`` or bare photos. Default: :func:`weather_source`
        (``WORKSHOP_WEATHER_SOURCE`` if set, else :data:`WEATHER_URL`).
    data_dir : path, optional
        Default :func:`workshop_utils.config.data_dir`. A downloaded zip is kept in
        ``data_dir/downloads/`` so a later call does not download it again.
    seed : int
        Seeds the split.
    progress : bool
        Show progress bars.
    manifest : path or mapping, optional
        sha256 per photo name (default: the shipped manifest).
    max_side, fractions, max_distance :
        Longest side of the saved photos; split fractions; hash distance for near-duplicates.

    Raises
    ------
    DataError
        (DownloadError, ArchiveError, ChecksumError) with what went wrong and what to do; the
        data folder is left as it was, and a bad download is not kept.

    A second call, once ``weather-img/SPLIT.json`` exists, prints that and does nothing.
    """
    root = config.data_dir() if data_dir is None else Path(data_dir)
    out = root / IMG_DIRNAME
    if _complete(out):
        print(f"{IMG_DIRNAME}/ is already complete ({MARKER} present): nothing to do. "
              f"Delete {IMG_DIRNAME}/ to lay it out again.")
        return out
    if out.exists():
        raise DataError(
            f"{out} exists but has no {MARKER}, so it is incomplete or was made by hand: "
            "delete it and run fetch_weather() again."
        )
    expected = load_manifest(manifest) if not isinstance(manifest, Mapping) else dict(manifest)
    if source is None:
        source = weather_source()
        if not is_url(source) and not Path(source).is_file():
            raise FileNotFoundError(
                f"{SOURCE_ENV}={os.environ[SOURCE_ENV]!r} names no file (looked for {source}): "
                "set it to the path of the dataset's zip or to a URL, or unset it to download "
                "from the public address."
            )
    archive, downloaded = _get_archive(source, root, progress=progress, timeout=timeout)
    try:
        return _build(archive, out, source=str(source), expected=expected, seed=seed,
                      progress=progress, max_side=max_side, fractions=fractions,
                      max_distance=max_distance, downloaded=downloaded)
    except (ArchiveError, ChecksumError):
        if downloaded:  # a bad download must not stay in the cache
            archive.unlink(missing_ok=True)
            _remove_if_empty(archive.parent)
        raise


def _get_archive(source: str | Path, root: Path, *, progress: bool,
                 timeout: float) -> tuple[Path, bool]:
    """The zip to read and whether it came from a download (and so may be deleted)."""
    if is_url(source):
        cached = root / "downloads" / ARCHIVE_NAME
        if cached.is_file():
            print(f"Using the archive downloaded earlier: {cached.relative_to(root)}")
            return cached, True
        print(f"Downloading the weather photos (about 80 MB) from {source}")
        hint = _advice(str(source), downloaded=True)
        try:
            download(str(source), cached, progress=progress, timeout=timeout, hint=hint,
                     check=lambda path: check_zip(path, str(source), hint))
        finally:
            _remove_if_empty(cached.parent)
        return cached, True
    path = Path(source).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"No weather archive at {path}: give fetch_weather(source=...) the path of the "
            f"dataset's zip file, or a URL (default {WEATHER_URL})."
        )
    check_zip(path, str(path), _advice(str(path), downloaded=False))
    return path, False


def _advice(source: str, downloaded: bool) -> str:
    """What to do when the archive from ``source`` cannot be used."""
    if downloaded:
        return ("Try again later, or download the zip by hand (in a browser) from "
                f"{WEATHER_URL} or a mirror, and pass its path: fetch_weather(source='dataset2.zip').")
    return (f"Download a fresh copy from {WEATHER_URL} (or a mirror) and pass its path to "
            "fetch_weather(source=...).")


def check_zip(path: Path, source: str, hint: str) -> None:
    """Raise ArchiveError unless ``path`` is a complete zip (not an HTML page, not truncated)."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        sniff = head.lstrip().lower()
        if sniff.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
            what = ("an HTML page, not a zip (the site sent a web page: an error, a login or a "
                    "cookie-consent page)")
        elif not head:
            what = "empty"
        else:
            what = f"not a zip archive (it starts with {head[:8]!r})"
        raise ArchiveError(f"The weather archive from {source} is {what}. {hint}")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()  # reads every entry and checks its CRC
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ArchiveError(
            f"The weather archive from {source} is truncated or damaged ({error}). {hint}"
        ) from None
    if bad is not None:
        raise ArchiveError(f"The weather archive from {source} is damaged: {bad!r} fails its "
                           f"CRC check. {hint}")


def safe_entry_name(info: zipfile.ZipInfo) -> PurePosixPath:
    """The entry's path, or ArchiveError for absolute paths, ``..``, drive letters and links."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    mode = info.external_attr >> 16
    if (path.is_absolute() or ".." in path.parts or re.match(r"^[a-zA-Z]:", name)
            or stat.S_ISLNK(mode)):
        raise ArchiveError(f"unsafe entry {info.filename!r} (absolute path, '..' or a link)")
    return path


def _build(archive: Path, out: Path, *, source: str, expected: dict[str, str], seed: int,
           progress: bool, max_side: int, fractions, max_distance: int, downloaded: bool) -> Path:
    """Verify, decode and split ``archive`` into ``out`` via a staging folder; return ``out``."""
    hint = _advice(source, downloaded)
    remove_stale(out.parent, out.name)
    staging = temporary_name(out, "tmp")
    try:
        pool = staging / "_all"
        pool.mkdir(parents=True)
        records, problems = _decode_archive(archive, pool, source=source, expected=expected,
                                            progress=progress, max_side=max_side, hint=hint)
        if not records:
            raise ArchiveError(f"The weather archive from {source} holds no photo listed in the "
                               f"manifest that could be decoded. {hint}")
        report = _split_and_place(staging, records, seed=seed, fractions=fractions,
                                  max_distance=max_distance, source=_shown_source(source))
        report.update(problems)
        report.update(max_side=max_side, n_shrunk=sum(r.pop("shrunk") for r in records),
                      citation=CITATION)
        _write_marker(staging, report)
        _swap_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(format_split_report(report))
    print(f"Photos ready in {out.name}/ ({report['total']} photos).")
    return out


def _decode_archive(archive: Path, pool: Path, *, source: str, expected: dict[str, str],
                    progress: bool, max_side: int, hint: str) -> tuple[list[dict], dict]:
    """Check, decode and re-encode each photo of the archive into ``pool``, one at a time."""
    records: list[dict] = []
    skipped, undecodable, mismatched, odd = [], [], [], {}
    seen = set()
    with zipfile.ZipFile(archive) as zf:
        infos = [info for info in zf.infolist() if not info.is_dir()]
        try:
            paths = [safe_entry_name(info) for info in infos]
        except ArchiveError as error:
            raise ArchiveError(f"The weather archive from {source} has an {error}; it was not "
                               f"extracted. {hint}") from None
        for info, path in tqdm(list(zip(infos, paths, strict=True)), desc="photos", unit="file",
                               disable=not progress, leave=False):
            name = path.name
            match = _NAME.match(name)
            if (name not in expected or name in seen or match is None
                    or match.group(1).lower() not in CLASSES):
                skipped.append(str(path))
                continue
            data = zf.read(info)
            if hashlib.sha256(data).hexdigest() != expected[name]:
                mismatched.append(name)
                continue
            seen.add(name)
            try:
                image, kind, shrunk = _decode(data, name, max_side)
            except ImageDecodeError:
                undecodable.append(name)
                continue
            if kind:
                odd[name] = kind
            label = match.group(1).lower()
            records.append(_save_record(pool, f"{label}{match.group(2)}.jpg", label, image)
                           | {"sha256": expected[name], "shrunk": shrunk})
    if mismatched:
        raise ChecksumError(
            f"The weather archive from {source} has {len(mismatched)} photo(s) whose sha256 does "
            f"not match the published list ({', '.join(sorted(mismatched)[:5])}): the archive is "
            f"corrupt or altered, and nothing was laid out. {hint}"
        )
    missing = sorted(set(expected) - seen - set(undecodable))
    return records, {"missing": missing, "undecodable": sorted(undecodable),
                     "skipped": sorted(skipped), "converted": dict(sorted(odd.items()))}


def _decode(data: bytes, name: str, max_side: int) -> tuple[Image.Image, str, bool]:
    """Decode one photo; say how it differs from a plain RGB JPEG ("" if not), and if it shrank."""
    image = decode_image(data, max_side=max_side, name=name)  # ImageDecodeError if corrupt
    with Image.open(io.BytesIO(data)) as probe:
        fmt, mode, frames, size = probe.format, probe.mode, getattr(probe, "n_frames", 1), probe.size
    shrunk = max(size) > max_side
    notes = [] if fmt == "JPEG" else [f"{fmt} named {PurePosixPath(name).suffix}"]
    if mode != "RGB":
        notes.append(f"mode {mode}")
    if frames > 1:
        notes.append(f"{frames} frames, first kept")
    if PurePosixPath(name).suffix.lower() == ".jpeg":
        notes.append("named .jpeg")
    return image, "; ".join(notes), shrunk


# --- shared by the stand-in and the real photos ----------------------------------------------


def _split_and_place(staging: Path, records: list[dict], *, seed: int, fractions,
                     max_distance: int, source: str) -> dict:
    """Group, split and move the pool's files into ``split/class/``; return the report."""
    labels = [r["label"] for r in records]
    groups = group_near_duplicates([r["hash"] for r in records], max_distance, labels=labels)
    assignment = grouped_stratified_split(labels, groups, fractions, seed=seed)
    for split in SPLITS:
        for label in CLASSES:
            (staging / split / label).mkdir(parents=True, exist_ok=True)
    for record, split in zip(records, assignment, strict=True):
        record["path"] = f"{SPLITS[split]}/{record['label']}/{record['name']}"
        os.replace(staging / "_all" / record["name"], staging / record["path"])
    (staging / "_all").rmdir()
    members: dict[int, list[dict]] = {}
    for record, group in zip(records, groups, strict=True):
        members.setdefault(int(group), []).append(record)
    duplicates = [
        {"class": g[0]["label"], "split": g[0]["path"].split("/")[0],
         "files": [r["path"] for r in g], "identical": len({r["sha256"] for r in g}) == 1}
        for g in members.values() if len(g) > 1
    ]
    return {
        "source": source,
        "seed": int(seed),
        "fractions": dict(zip(SPLITS, map(float, fractions), strict=True)),
        "max_distance": int(max_distance),
        "total": len(records),
        "counts": tally(labels, [SPLITS[a] for a in assignment], CLASSES, SPLITS),
        "n_groups": len(members),
        "n_duplicate_groups": len(duplicates),
        "n_in_duplicate_groups": sum(len(g["files"]) for g in duplicates),
        "n_identical_groups": sum(g["identical"] for g in duplicates),
        "n_byte_identical_sets": sum(n > 1 for n in Counter(r["sha256"] for r in records).values()),
        "duplicate_groups": duplicates,
    }


def photo_groups(root, paths: Sequence[Path]) -> np.ndarray:
    """Near-duplicate group id per photo, so that copies of a photo are never split apart.

    The groups are the ones :func:`fetch_weather` (or the stand-in) grouped and wrote to
    ``SPLIT.json``; a folder laid out by hand has no report, so its photos are hashed and
    grouped here the same way (:func:`group_near_duplicates`, per class).
    """
    root = Path(root)
    if (root / MARKER).is_file():
        duplicates = split_report(root).get("duplicate_groups", [])
        member = {name: gid for gid, group in enumerate(duplicates) for name in group["files"]}
        keys = [Path(path).relative_to(root).as_posix() for path in paths]
        # a photo in no group is a group of its own, numbered after the duplicate groups
        return np.asarray([member.get(key, len(duplicates) + i) for i, key in enumerate(keys)],
                          dtype=np.int64)
    hashes = [perceptual_hash(decode_image(p)) for p in paths]
    labels = [Path(p).parent.name for p in paths]
    return group_near_duplicates(hashes, labels=labels)


def _write_marker(folder: Path, report: dict) -> None:
    """Write ``SPLIT.json`` (the completion marker) via a temporary file and a rename."""
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps(report, indent=1, sort_keys=False) + "\n")
    os.replace(tmp, folder / MARKER)


def _complete(folder: Path) -> bool:
    """Whether ``folder`` holds a finished layout (its marker exists)."""
    return (folder / MARKER).is_file()


def _swap_into_place(staging: Path, dest: Path) -> None:
    """Rename the finished ``staging`` folder to ``dest``, replacing an older ``dest``.

    When another fetch (a second kernel) renames its finished layout into place first, that
    one is kept: the same archive and seed lay out the same photos.
    """
    old = temporary_name(dest, "old")
    try:
        os.replace(dest, old)
    except FileNotFoundError:
        pass
    try:
        os.replace(staging, dest)
    except OSError:
        if not _complete(dest):
            raise
    shutil.rmtree(old, ignore_errors=True)


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` if nothing is in it (so a failed download leaves no trace)."""
    try:
        folder.rmdir()
    except OSError:
        pass
