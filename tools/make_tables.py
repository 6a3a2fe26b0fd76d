"""Write the two small tables shipped in ``workshop_utils/tables/`` from their seeded generators.

    python tools/make_tables.py           # rewrites customers.csv and sales.csv
    python tools/make_tables.py --check   # exit 1 unless the generators give the shipped files

Customers: ``workshop_utils.customers.make_customers()`` (notebook 02 also draws bigger tables
with it). Sales: :func:`make_sales` below, prices between £1 and £5 (whole pence), weekly sales
on the line ``120 - 20 * price`` plus normal noise (sd 8 units), rounded, never below 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workshop_utils import customers, sales  # noqa: E402

TRUE_INTERCEPT = 120.0  # units per week at price £0 (the line's w0)
TRUE_SLOPE = -20.0  # units per week lost per extra £1 (the line's w1)


def make_sales(n: int = 40, seed: int = 3) -> pd.DataFrame:
    """A reproducible table of products' prices and weekly sales (the shipped file: the defaults)."""
    rng = np.random.default_rng(seed)
    price = rng.integers(100, 501, size=n) / 100  # exact to the penny, as the CSV reads back
    noise = 8.0 * rng.normal(size=n)
    units = np.clip(np.round(TRUE_INTERCEPT + TRUE_SLOPE * price + noise), 0, None)
    return pd.DataFrame({sales.PRICE: price, sales.SALES: units.astype(np.int64)})


def csv_text(table: pd.DataFrame) -> str:
    """A table's CSV text, the same on every platform (``\\n`` line ends)."""
    return table.to_csv(index=False, lineterminator="\n")


TABLES = {customers.FILE: customers.make_customers, sales.FILE: make_sales}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    differ = []
    for path, make in TABLES.items():
        text = csv_text(make())
        if args.check:
            if path.read_text(encoding="utf-8") != text:
                differ.append(path.name)
        else:
            path.write_text(text, encoding="utf-8", newline="")
            print(f"wrote {path.relative_to(ROOT)}")
    if differ:
        print(f"differ from their generators: {', '.join(differ)}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
