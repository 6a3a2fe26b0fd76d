"""Notebook 03's sales table: past products, their price and how many sold per week.

Synthetic, shipped as ``workshop_utils/tables/sales.csv`` (``tools/make_tables.py`` draws it:
prices between £1 and £5; weekly sales on the line ``120 - 20 * price`` plus noise of 8 units,
so least squares should find a line close to intercept 120 and slope -20).
"""

from pathlib import Path

import pandas as pd

FILE = Path(__file__).resolve().parent / "tables" / "sales.csv"
PRICE = "price"
SALES = "sales"
COLUMNS = (PRICE, SALES)
PRICE_LABEL = "price (£)"
SALES_LABEL = "sales (units per week)"


def load_sales() -> pd.DataFrame:
    """The shipped sales table: ``price`` in pounds, ``sales`` in units per week."""
    return pd.read_csv(FILE, encoding="utf-8")
