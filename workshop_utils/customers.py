"""Notebook 02's customer table: a shop's customers, their income and what they spent.

The table is synthetic and shipped as ``data/customers.csv``. It was made by
:func:`make_customers` with its default arguments, and ``python -m workshop_utils.customers``
writes it again byte for byte (a test checks this). Five groups of customers are drawn from
normal distributions (see :data:`SEGMENTS`), and a few "in-between" customers are scattered
uniformly over the whole range, as real data always has some; they make single linkage chain.

Columns (as on the slides):

* ``ID``: 1, 2, ... in row order;
* ``Annual Income (k£)``: yearly income in thousands of pounds, a whole number;
* ``Amount spent (£)``: what the customer spent at the shop last year, rounded to £10.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .shipped import ShippedTable, check_size_and_seed

FILE_NAME = "customers.csv"
ID = "ID"
INCOME = "Annual Income (k£)"
SPEND = "Amount spent (£)"
COLUMNS = (ID, INCOME, SPEND)
FEATURES = (INCOME, SPEND)

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


#: The slides' five customers, for the first merges by hand: (ID, income in k£, spend in £).
SLIDES_CUSTOMERS = ((1, 30, 5), (2, 25, 10), (3, 80, 250), (4, 32, 12), (5, 110, 150))


def slides_customers() -> pd.DataFrame:
    """The five customers of the slides' worked example, with the shipped table's columns."""
    return pd.DataFrame(list(SLIDES_CUSTOMERS), columns=list(COLUMNS))


def _group_sizes(n: int) -> np.ndarray:
    """How many customers each segment gets: shares rounded down, leftovers to the largest."""
    shares = np.array([s.share for s in SEGMENTS])
    sizes = np.floor(shares * n).astype(int)
    sizes[np.argsort(-shares, kind="stable")[: n - sizes.sum()]] += 1
    return sizes


def make_customers(
    n: int = DEFAULT_N, seed: int = DEFAULT_SEED, *, return_groups: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """Draw a reproducible customer table with visible groups (the shipped CSV uses the defaults).

    Parameters
    ----------
    n : number of customers (at least 2).
    seed : seed of the NumPy generator; the same ``(n, seed)`` always gives the same table.
    return_groups : also return the hidden group of each customer (an index into
        :data:`SEGMENTS`, or -1 for an in-between customer), for checking a clustering.
    """
    n, seed = check_size_and_seed(n, seed)
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


#: The shipped ``data/customers.csv`` and its generator; ``TABLE.load()`` falls back on
#: :func:`make_customers` where the file is absent (on Colab after ``pip install``).
TABLE = ShippedTable(FILE_NAME, "customers", make_customers, COLUMNS, "customers")
load_customers, status, main = TABLE.load, TABLE.status, TABLE.main


if __name__ == "__main__":
    raise SystemExit(main())
