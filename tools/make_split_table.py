"""Make the shipped split table, ``workshop_utils/manifests/weather.csv``, once, from the real photos.

    python tools/make_split_table.py --archive ../shared/datasets/weather/dataset2.zip
    python tools/make_split_table.py --check     # the table re-made from its own hashes, byte for byte

Every original photo gets one row: name, sha256, split, near-duplicate group and difference hash.
The photos of the archive are decoded as ``fetch_weather`` decodes them, hashed, grouped
(``group_near_duplicates``, per class) and split (``grouped_stratified_split``, seed 0, 70/15/15)
in the archive's order; photos of the list that the archive lacks keep a blank split, group and
hash, and ``fetch_weather`` places them by their nearest copy when it meets them. The names and
sha256s come from the table itself (or ``--names`` in ``sha256sum`` format for the first run).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workshop_utils.weather.images import decode_image, perceptual_hash  # noqa: E402
from workshop_utils.weather.split import (  # noqa: E402
    FRACTIONS,
    MAX_DISTANCE,
    SPLITS,
    TABLE_COLUMNS,
    TABLE_PATH,
    Photo,
    group_near_duplicates,
    grouped_stratified_split,
    load_table,
)

MAX_SIDE = 512  # as fetch_weather lays the photos out
SEED = 0


def table_text(rows: list[tuple[str, str, int | None]]) -> str:
    """The table as CSV text from (name, sha256, dhash or None) rows, in the archive's order."""
    seen = [(name, sha, dhash) for name, sha, dhash in rows if dhash is not None]
    labels = [Photo(name, sha, "", None, None).label for name, sha, _ in seen]
    groups = group_near_duplicates([dhash for *_, dhash in seen], MAX_DISTANCE, labels=labels)
    split = grouped_stratified_split(labels, groups, FRACTIONS, seed=SEED)
    placed = {name: (SPLITS[s], str(g)) for (name, *_), s, g in zip(seen, split, groups, strict=True)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    for name, sha, dhash in rows:
        where = placed.get(name, ("", ""))
        writer.writerow([name, sha, *where, "" if dhash is None else f"{dhash:032x}"])
    return out.getvalue()


def rows_from_archive(archive: Path, names: dict[str, str]) -> list[tuple[str, str, int | None]]:
    """(name, sha256, dhash) of every listed photo: the archive's, in its order, then the rest."""
    rows = []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = PurePosixPath(info.filename).name
            if info.is_dir() or name not in names or any(r[0] == name for r in rows):
                continue
            data = zf.read(info)
            if hashlib.sha256(data).hexdigest() != names[name]:
                raise SystemExit(f"{info.filename}: sha256 differs from the list")
            rows.append((name, names[name], perceptual_hash(decode_image(data, max_side=MAX_SIDE))))
    found = {r[0] for r in rows}
    return rows + [(name, sha, None) for name, sha in names.items() if name not in found]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="the dataset's zip")
    parser.add_argument("--names", type=Path, help="a sha256sum-format list of the photos "
                        "(default: the names and sha256s of the shipped table)")
    parser.add_argument("--check", action="store_true",
                        help="re-make the table from its own hashes and compare it byte for byte")
    args = parser.parse_args(argv)
    if args.check:
        table = load_table()
        same = table_text([(p.name, p.sha256, p.dhash) for p in table.values()]) == TABLE_PATH.read_text()
        print("the table re-makes itself byte for byte" if same else "the table differs when re-made")
        return 0 if same else 1
    if args.archive is None:
        parser.error("give --archive (or --check)")
    if args.names:
        names = {PurePosixPath(line.split(maxsplit=1)[1].strip()).name: line.split()[0].lower()
                 for line in args.names.read_text().splitlines() if line.strip()}
    else:
        names = {p.name: p.sha256 for p in load_table().values()}
    TABLE_PATH.write_text(table_text(rows_from_archive(args.archive, names)))
    print(f"wrote {TABLE_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
