"""Notebook 02's customer table: a shop's customers, their income and what they spent.

Synthetic, shipped as ``workshop_utils/tables/customers.csv``: :func:`make_customers` with its
defaults draws it (``tools/make_tables.py`` writes it; a test checks it byte for byte). Five
groups of customers (:data:`SEGMENTS`) plus a few "in-between" customers scattered over the
whole range, as real data always has; they make single linkage chain. The notebook also draws
bigger tables with it, to time the clustering.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .checks import integer

FILE = Path(__file__).resolve().parent / "tables" / "customers.csv"
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


def load_customers() -> pd.DataFrame:
    """The shipped customer table."""
    return pd.read_csv(FILE, encoding="utf-8")
