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
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402
from scipy.sparse.csgraph import connected_components  # noqa: E402
from scipy.spatial.distance import pdist, squareform  # noqa: E402

from workshop_utils.checks import integer  # noqa: E402
from workshop_utils.weather.images import decode_image, perceptual_hash  # noqa: E402
from workshop_utils.weather.split import (  # noqa: E402
    MAX_DISTANCE,
    SPLITS,
    TABLE_COLUMNS,
    TABLE_PATH,
    Photo,
    load_table,
)

MAX_SIDE = 512  # as fetch_weather lays the photos out
SEED = 0
#: Share of each class's photos in train, validate and test: 70 % / 15 % / 15 %.
FRACTIONS = (0.70, 0.15, 0.15)


def group_near_duplicates(hashes: Sequence[int], max_distance: int = MAX_DISTANCE,
                          labels: Sequence[object] | None = None) -> np.ndarray:
    """Group id per item: items whose hashes are within ``max_distance`` bits share a group.

    The groups are the connected components of the graph of near pairs (so grouping is
    transitive); with ``labels``, only items of one label are grouped. Ids count from 0 in
    order of each group's first item.
    """
    max_distance = integer(max_distance, "max_distance", low=0)
    values = [int(h) for h in hashes]
    if any(h < 0 for h in values):
        raise ValueError(f"hashes must be non-negative integers, got {min(values)}")
    n = len(values)
    if labels is not None and len(labels) != n:
        raise ValueError(f"got {n} hashes but {len(labels)} labels; give one label per hash")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    width = max(1, *((h.bit_length() + 7) // 8 for h in values))
    bits = np.unpackbits(np.frombuffer(b"".join(h.to_bytes(width, "big") for h in values),
                                       dtype=np.uint8).reshape(n, width), axis=1)
    # pdist's "hamming" is the share of differing bits; times the bit count, a whole number
    near = squareform(np.rint(pdist(bits, "hamming") * bits.shape[1]) <= max_distance)
    if labels is not None:
        names = np.asarray(labels, dtype=object).astype(str)
        near &= names[:, None] == names[None, :]
    _, component = connected_components(csr_matrix(near), directed=False)
    _, first, ids = np.unique(component, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[ids].astype(np.int64)  # numbered by first item


def grouped_stratified_split(labels: Sequence[object], groups: Sequence[int],
                             fractions: Sequence[float] = FRACTIONS, seed: int = 0) -> np.ndarray:
    """Split index per item (0 = train, 1 = validate, 2 = test): groups whole, classes in proportion.

    For each class, its groups are shuffled with ``seed`` and placed largest first, each into
    the split that would be least full relative to its target share. Relative fullness spreads
    the near-duplicate groups over the splits in proportion, so the test photos are a fair
    sample (a rule on absolute shortfall would pour every group into train).
    """
    shares = np.asarray(fractions, dtype=np.float64)
    if shares.ndim != 1 or len(shares) < 1 or (shares < 0).any() or abs(shares.sum() - 1) > 1e-6:
        raise ValueError(
            f"fractions must be non-negative and add up to 1 (one per split), got {tuple(fractions)}")
    labels_arr = np.asarray(labels, dtype=object).astype(str)
    groups_arr = np.asarray(groups, dtype=np.int64)
    if len(labels_arr) != len(groups_arr):
        raise ValueError(f"got {len(labels_arr)} labels but {len(groups_arr)} group ids")
    rng = np.random.default_rng(seed)
    assignment = np.full(len(labels_arr), -1, dtype=np.int64)
    group_split: dict[int, int] = {}
    for label in sorted(set(labels_arr.tolist())):
        members = np.flatnonzero(labels_arr == label)
        ids, sizes = np.unique(groups_arr[members], return_counts=True)
        order = rng.permutation(len(ids))
        order = order[np.argsort(-sizes[order], kind="stable")]  # big groups first
        targets = shares * len(members)
        counts = np.zeros(len(shares))
        for k in order:
            gid = int(ids[k])
            if gid not in group_split:  # else the group also holds items of another label
                with np.errstate(divide="ignore"):  # a zero share never gets a group
                    fullness = np.where(targets > 0, (counts + sizes[k]) / targets, np.inf)
                group_split[gid] = int(np.argmin(fullness))
            counts[group_split[gid]] += sizes[k]
            assignment[members[groups_arr[members] == gid]] = group_split[gid]
    return assignment



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
