"""Write the two small tables shipped in ``workshop_utils/tables/`` from their seeded generators.

    python tools/make_tables.py           # rewrites customers.csv and sales.csv
    python tools/make_tables.py --check   # exit 1 unless the generators give the shipped files

Customers (notebook 02): :func:`make_customers`, five groups (:data:`SEGMENTS`) drawn from
normal distributions plus a few in-between customers scattered uniformly. Sales (notebook 03):
:func:`make_sales`, prices between £1 and £5 (whole pence), weekly sales on the line
``120 - 20 * price`` plus normal noise (sd 8 units), rounded, never below 0.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workshop_utils import customers, sales  # noqa: E402
from workshop_utils.checks import integer  # noqa: E402
from workshop_utils.customers import ID, INCOME, SPEND  # noqa: E402

DEFAULT_N = 200
DEFAULT_SEED = 1
IN_BETWEEN_SHARE = 0.06  # customers who belong to no group


@dataclass(frozen=True)
class Segment:
    """One group of customers: its share of the table and the centre and spread of each column."""

    name: str
    share: float
    income_mean: float
    income_sd: float
    spend_mean: float
    spend_sd: float


#: The hidden groups the generator draws from (the notebook never shows these labels).
SEGMENTS: tuple[Segment, ...] = (
    Segment("careful", 0.20, 26, 6, 600, 250),
    Segment("average", 0.30, 55, 7, 2000, 350),
    Segment("big spenders", 0.20, 88, 9, 3600, 400),
    Segment("savers", 0.17, 88, 9, 650, 250),
    Segment("impulsive", 0.13, 26, 6, 3400, 400),
)


def _group_sizes(n: int) -> np.ndarray:
    """How many customers each segment gets: shares rounded down, leftovers to the largest."""
    shares = np.array([s.share for s in SEGMENTS])
    sizes = np.floor(shares * n).astype(int)
    sizes[np.argsort(-shares, kind="stable")[: n - sizes.sum()]] += 1
    return sizes


def make_customers(
    n: int = DEFAULT_N, seed: int = DEFAULT_SEED, *, return_groups: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """A reproducible customer table (the shipped CSV uses the defaults); with ``return_groups``
    also each customer's hidden group (an index into :data:`SEGMENTS`, -1: in-between)."""
    n, seed = integer(n, "n", low=2), integer(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    groups = rng.permutation(np.repeat(np.arange(len(SEGMENTS)), _group_sizes(n)))
    pick = np.array([[s.income_mean, s.income_sd, s.spend_mean, s.spend_sd] for s in SEGMENTS])[groups]
    income = pick[:, 0] + pick[:, 1] * rng.normal(size=n)
    spend = pick[:, 2] + pick[:, 3] * rng.normal(size=n)

    in_between = rng.choice(n, size=int(round(IN_BETWEEN_SHARE * n)), replace=False)
    income[in_between] = rng.integers(15, 110, size=in_between.size)
    spend[in_between] = 10 * rng.integers(20, 460, size=in_between.size)
    groups[in_between] = -1

    table = pd.DataFrame(
        {
            ID: np.arange(1, n + 1, dtype=np.int64),
            INCOME: np.clip(np.round(income), 10, 150).astype(np.int64),
            SPEND: np.clip(10 * np.round(spend / 10), 20, None).astype(np.int64),
        }
    )
    return (table, groups) if return_groups else table

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


TABLES = {customers.FILE: make_customers, sales.FILE: make_sales}


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
