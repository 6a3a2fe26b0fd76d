"""Notebook 03's sales table: past products, their price and how many sold per week.

The table is synthetic and shipped as ``data/sales.csv``. It was made by :func:`make_sales`
with its default arguments, and ``python -m workshop_utils.sales`` writes it again byte for
byte (a test checks this). Each product's price is drawn uniformly between £1.00 and £5.00
(whole pence); its weekly sales follow a straight line, ``sales = 120 - 20 * price``, plus
normal noise with a standard deviation of 8 units, rounded to whole units and never below 0.
So the "true" answer a least-squares line should find is close to intercept 120, slope -20.

Columns:

* ``price``: the product's price in pounds (£), to the penny;
* ``sales``: units sold per week, a whole number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .shipped import ShippedTable, check_size_and_seed

FILE_NAME = "sales.csv"
PRICE = "price"
SALES = "sales"
COLUMNS = (PRICE, SALES)
PRICE_LABEL = "price (£)"
SALES_LABEL = "sales (units per week)"

DEFAULT_N = 40
DEFAULT_SEED = 3
TRUE_INTERCEPT = 120.0  # units per week at price £0 (the line's w0)
TRUE_SLOPE = -20.0  # units per week lost per extra £1 (the line's w1)
NOISE_SD = 8.0
PRICE_RANGE_PENCE = (100, 500)


def make_sales(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Draw a reproducible table of past products' prices and weekly sales (the CSV uses the defaults).

    Parameters
    ----------
    n : number of products (at least 2, since a line needs two points).
    seed : seed of the NumPy generator; the same ``(n, seed)`` always gives the same table.
    """
    n, seed = check_size_and_seed(n, seed)
    rng = np.random.default_rng(seed)
    low, high = PRICE_RANGE_PENCE
    pence = rng.integers(low, high + 1, size=n)
    price = pence / 100  # exact to the penny, the same float the CSV reads back
    noise = NOISE_SD * rng.normal(size=n)
    sales = np.clip(np.round(TRUE_INTERCEPT + TRUE_SLOPE * price + noise), 0, None)
    return pd.DataFrame({PRICE: price, SALES: sales.astype(np.int64)})


#: The shipped ``data/sales.csv`` and its generator; ``TABLE.load()`` falls back on
#: :func:`make_sales` where the file is absent (on Colab after ``pip install``).
TABLE = ShippedTable(FILE_NAME, "products", make_sales, COLUMNS, "sales")
load_sales, status, main = TABLE.load, TABLE.status, TABLE.main


if __name__ == "__main__":
    raise SystemExit(main())
