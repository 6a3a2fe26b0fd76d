"""Notebook 02's customer table: a shop's customers, their income and what they spent.

Synthetic, shipped as ``workshop_utils/tables/customers.csv``: five groups of customers plus a
few "in-between" ones scattered over the whole range, as real data always has (they make single
linkage chain). ``tools/make_tables.py`` draws it, and a test checks it byte for byte.
"""

from pathlib import Path

import pandas as pd

FILE = Path(__file__).resolve().parent / "tables" / "customers.csv"
ID = "ID"
INCOME = "Annual Income (k£)"
SPEND = "Amount spent (£)"
COLUMNS = (ID, INCOME, SPEND)
FEATURES = (INCOME, SPEND)

#: The slides' five customers, for the first merges by hand: (ID, income in k£, spend in £).
SLIDES_CUSTOMERS = ((1, 30, 5), (2, 25, 10), (3, 80, 250), (4, 32, 12), (5, 110, 150))


def slides_customers() -> pd.DataFrame:
    """The five customers of the slides' worked example, with the shipped table's columns."""
    return pd.DataFrame(list(SLIDES_CUSTOMERS), columns=list(COLUMNS))


def load_customers() -> pd.DataFrame:
    """The shipped customer table."""
    return pd.read_csv(FILE, encoding="utf-8")
