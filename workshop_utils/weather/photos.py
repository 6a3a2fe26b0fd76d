"""Notebook 04's photos, ready to train on: ``weather-img/{train,validate,test}/{class}/*.jpg``.

:func:`fetch_weather` checks each photo of the zip against the shipped table, decodes it by
content, shrinks it to :data:`MAX_SIDE` and writes it as an RGB JPEG into the table's split, in a
folder renamed into place whole with ``SPLIT.json``. :func:`status` is the one "ready" that check,
fetch and the notebook share: every split holds every class, and the disk matches ``SPLIT.json``.
"""

import io
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from PIL import Image
from tqdm.auto import tqdm

from .. import config, files
from ..download import ArchiveError, ChecksumError, DataError
from .archive import CITATION, get_archive, photos_in, shown, weather_source
from .images import ImageDecodeError, decode_image, perceptual_hash
from .split import CLASSES, MAX_DISTANCE, SPLITS, counts_table, load_table, place, tally

IMG_DIRNAME = "weather-img"
MARKER = "SPLIT.json"
#: Longest side, in pixels, of the laid-out photos (the originals go up to 4752x3168).
MAX_SIDE = 512


def weather_images() -> Path:
    """The folder notebook 04 trains on, laid out the first time (see :func:`fetch_weather`)."""
    return fetch_weather()


def status(folder: str | Path | None = None) -> tuple[bool, str]:
    """(ready?, one line saying what is there or what is wrong), for check, fetch and the notebook."""
    folder = config.data_dir() / IMG_DIRNAME if folder is None else Path(folder)
    fix = "run `python -m workshop_utils fetch` (it lays the photos out again)"
    if not folder.exists():
        return False, f"{IMG_DIRNAME}/ missing: run `python -m workshop_utils fetch` (about 80 MB)"
    try:
        listed = json.loads((folder / MARKER).read_text())["files"]
        wanted = {(s, c, n) for s in SPLITS for c in CLASSES for n in listed[s][c]}
    except (OSError, ValueError, KeyError, TypeError):
        return False, f"{IMG_DIRNAME}/{MARKER} is missing or unreadable: {fix}"
    empty = [f"{s}/{c}" for s in SPLITS for c in CLASSES if not listed[s][c]]
    if empty:
        return False, f"{IMG_DIRNAME}/ has no photos in {', '.join(empty)}: {fix}"
    on_disk = {(s, c, p.name) for s in SPLITS for c in CLASSES if (folder / s / c).is_dir()
               for p in (folder / s / c).iterdir() if not p.name.startswith(".")}
    if on_disk != wanted:
        lost, extra = len(wanted - on_disk), len(on_disk - wanted)
        return False, (f"{IMG_DIRNAME}/ differs from its {MARKER} ({lost} photos missing, "
                       f"{extra} not listed): {fix}")
    counts = ", ".join(f"{s} {sum(len(listed[s][c]) for c in CLASSES)}" for s in SPLITS)
    return True, f"{IMG_DIRNAME}/ ready: {len(wanted)} photos ({counts})"


def fetch_weather(source: str | Path | None = None, data_dir: str | Path | None = None, *,
                  progress: bool = True, timeout: float = 60.0, table: Mapping | None = None) -> Path:
    """Lay out the weather photos in ``<data folder>/weather-img/`` (once) and return that folder.

    ``source``: the dataset's zip, a local path or a URL; default ``WORKSHOP_WEATHER_SOURCE``,
    else the public address. A download is kept in ``<data folder>/downloads/``. ``table``:
    the split table (default: the shipped one; tests pass their own). Raises :class:`DataError`
    saying what was wrong and what to do; the data folder is then as it was.
    """
    root = config.data_dir() if data_dir is None else Path(data_dir)
    out = root / IMG_DIRNAME
    ready, message = status(out)
    if ready:
        print(f"Photos ready in {IMG_DIRNAME}/: nothing to fetch.")
        return out
    if out.exists():
        print(f"{message.split(': run')[0]}: laying the photos out again.")
    table = load_table() if table is None else table
    source = weather_source() if source is None else source
    archive, downloaded = get_archive(source, root, progress=progress, timeout=timeout)
    shown_source = str(source) if isinstance(source, str) else f"{Path(source).name} (a local copy)"
    try:
        with files.writing(out, folder=True) as staging:
            report = _lay_out(archive, staging, table, shown_source, progress)
            (staging / MARKER).write_text(json.dumps(report, indent=1) + "\n")
    except (ArchiveError, ChecksumError):
        if downloaded:  # a bad download never stays in the cache
            archive.unlink(missing_ok=True)
        raise
    print(f"Photos ready in {IMG_DIRNAME}/: {report['total']} photos.")
    return out


def _lay_out(archive: Path, staging: Path, table: Mapping, source: str, progress: bool) -> dict:
    """Verify, decode and place every photo into ``staging``; return the report."""
    skipped, undecodable, converted, records = [], [], {}, []
    for split in SPLITS:
        for label in CLASSES:
            (staging / split / label).mkdir(parents=True)
    photos = photos_in(archive, table, source, skipped)
    for photo, data in tqdm(photos, desc="photos", unit="photo", total=len(table),
                            disable=not progress, leave=False):
        try:
            image, note = decode_image(data, max_side=MAX_SIDE, name=photo.name), _oddity(data, photo.name)
        except ImageDecodeError:
            undecodable.append(photo.name)
            continue
        split, group = photo.split, photo.group
        if not split:  # listed, but never seen when the table was made
            split, group = place(photo.name, perceptual_hash(image), table)
        name = Path(photo.name).with_suffix(".jpg").name
        image.save(staging / split / photo.label / name, format="JPEG", quality=92)
        records.append({"name": name, "label": photo.label, "split": split, "group": group,
                        "sha256": photo.sha256, "shrunk": max(image.size) < max(note[1])})
        if note[0]:
            converted[photo.name] = note[0]
    empty = [f"{s}/{c}" for s in SPLITS for c in CLASSES
             if not any(r["split"] == s and r["label"] == c for r in records)]
    if empty:
        raise ArchiveError(
            f"The weather archive from {source} is incomplete: it gave no photos for "
            f"{', '.join(empty)} ({len(records)} usable photos in all). Get a complete copy of "
            "the dataset's zip (1125 photos).")
    return _report(records, source, skipped, undecodable, converted, len(table))


def _oddity(data: bytes, name: str) -> tuple[str, tuple[int, int]]:
    """How a photo differs from a plain RGB JPEG ("" if it does not), and its original size."""
    with Image.open(io.BytesIO(data)) as probe:
        fmt, mode, frames, size = probe.format, probe.mode, getattr(probe, "n_frames", 1), probe.size
    suffix = Path(name).suffix
    notes = [] if fmt == "JPEG" else [f"{fmt} named {suffix}"]
    notes += [f"mode {mode}"] if mode != "RGB" else []
    notes += [f"{frames} frames, first kept"] if frames > 1 else []
    notes += ["named .jpeg"] if suffix.lower() == ".jpeg" else []
    return "; ".join(notes), size


def _report(records: list[dict], source: str, skipped: list[str], undecodable: list[str],
            converted: dict[str, str], n_listed: int) -> dict:
    """The split report that ``SPLIT.json`` holds (and :func:`format_split_report` prints)."""
    by_group: dict[object, list[dict]] = {}
    for i, r in enumerate(records):
        by_group.setdefault(r["group"] if r["group"] is not None else f"alone{i}", []).append(r)
    duplicates = [{"class": g[0]["label"], "split": g[0]["split"],
                   "files": [f"{r['split']}/{r['label']}/{r['name']}" for r in g],
                   "identical": len({r["sha256"] for r in g}) == 1}
                  for g in by_group.values() if len(g) > 1]
    seen = {r["name"] for r in records} | {Path(n).with_suffix(".jpg").name for n in undecodable}
    return {
        "source": source, "total": len(records), "n_listed": n_listed,
        "counts": tally([r["label"] for r in records], [r["split"] for r in records], CLASSES, SPLITS),
        "files": {s: {c: sorted(r["name"] for r in records if r["split"] == s and r["label"] == c)
                      for c in CLASSES} for s in SPLITS},
        "max_distance": MAX_DISTANCE, "max_side": MAX_SIDE,
        "n_shrunk": sum(r["shrunk"] for r in records),
        "n_duplicate_groups": len(duplicates),
        "n_in_duplicate_groups": sum(len(g["files"]) for g in duplicates),
        "n_byte_identical_sets": sum(n > 1 for n in Counter(r["sha256"] for r in records).values()),
        "duplicate_groups": duplicates,
        "missing": n_listed - len(seen), "undecodable": sorted(undecodable),
        "skipped": sorted(skipped), "converted": dict(sorted(converted.items())),
        "citation": CITATION,
    }


def split_report(folder: str | Path | None = None) -> dict:
    """The split report (``SPLIT.json``) of a laid-out folder."""
    folder = config.data_dir() / IMG_DIRNAME if folder is None else Path(folder)
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        raise DataError(f"no readable {MARKER} in {shown(folder.name)}/: lay the photos out first "
                        "(weather.weather_images(), or `python -m workshop_utils fetch`)") from None


def format_split_report(report: Mapping) -> str:
    """The split report as text: source, counts, near-duplicates, odd files."""
    spread = Counter()
    for group in report["duplicate_groups"]:
        spread[group["split"]] += len(group["files"])
    lines = [
        f"Source: {report['source']}: {report['total']} photos laid out, of the "
        f"{report['n_listed']} in the dataset's list.",
        counts_table(report["counts"]).to_string(),
        f"Near-duplicate groups: {report['n_duplicate_groups']} ({report['n_in_duplicate_groups']} "
        f"photos; {report['n_byte_identical_sets']} sets of byte-identical files among them), each "
        f"kept inside one split (hash distance <= {report['max_distance']} bits); photos in groups "
        "per split: " + ", ".join(f"{s} {spread[s]}" for s in SPLITS) + ".",
    ]
    if report["converted"]:
        items = list(report["converted"].items())
        lines.append(f"Decoded by content: {len(items)} files were not plain RGB JPEG ("
                     + "; ".join(f"{k}: {v}" for k, v in items[:4]) + (" ..." if len(items) > 4 else "") + ")")
    if report["missing"]:
        lines.append(f"{report['missing']} photos of the list were not in this archive.")
    for key, what in (("undecodable", "could not be decoded and were left out"),
                      ("skipped", "are not photos of the dataset, skipped")):
        if report[key]:
            lines.append(f"{len(report[key])} files {what}: {', '.join(report[key][:8])}"
                         + (" ..." if len(report[key]) > 8 else ""))
    return "\n".join(lines)


def print_split_report(folder: str | Path | None = None) -> dict:
    """Print the split report of ``folder`` and return it."""
    report = split_report(folder)
    print(format_split_report(report))
    return report


def example_duplicate_pair(folder: str | Path | None = None) -> tuple[Path, Path] | None:
    """Two photos of one near-duplicate group, preferring a pair that is not byte-identical."""
    folder = config.data_dir() / IMG_DIRNAME if folder is None else Path(folder)
    groups = split_report(folder)["duplicate_groups"]
    group = next((g for g in groups if not g["identical"]), groups[0] if groups else None)
    return None if group is None else (folder / group["files"][0], folder / group["files"][1])


def class_counts(folder: str | Path | None = None) -> dict[str, dict[str, int]]:
    """How many photos each split holds per class, ``{split: {class: n}}``, from ``SPLIT.json``."""
    counts = split_report(folder)["counts"]
    return {s: {c: counts[c][s] for c in CLASSES} for s in SPLITS}


def print_tree(folder: str | Path | None = None) -> None:
    """The photo folders as the slides draw them, with how many photos each class folder holds."""
    folder = config.data_dir() / IMG_DIRNAME if folder is None else Path(folder)
    counts = class_counts(folder)
    print(folder.name)
    for i, split in enumerate(SPLITS):
        last_split = i == len(SPLITS) - 1
        print(("└── " if last_split else "├── ") + split)
        for j, label in enumerate(CLASSES):
            first = min((p.name for p in (folder / split / label).iterdir()), default="")
            print(("    " if last_split else "│   ") + ("└── " if j == len(CLASSES) - 1 else "├── ")
                  + f"{label:<8} {counts[split][label]:>3} photos ({first}, ...)")
