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

from pathlib import Path

import numpy as np
import pandas as pd

from .shipped import ShippedTable

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


def _check_n_and_seed(n: object, seed: object) -> None:
    for name, value, low in (("n", n, 2), ("seed", seed, 0)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def make_sales(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Draw a reproducible table of past products' prices and weekly sales (the CSV uses the defaults).

    Parameters
    ----------
    n : number of products (at least 2, since a line needs two points).
    seed : seed of the NumPy generator; the same ``(n, seed)`` always gives the same table.
    """
    _check_n_and_seed(n, seed)
    rng = np.random.default_rng(int(seed))
    low, high = PRICE_RANGE_PENCE
    pence = rng.integers(low, high + 1, size=int(n))
    price = pence / 100  # exact to the penny, the same float the CSV reads back
    noise = NOISE_SD * rng.normal(size=int(n))
    sales = np.clip(np.round(TRUE_INTERCEPT + TRUE_SLOPE * price + noise), 0, None)
    return pd.DataFrame({PRICE: price, SALES: sales.astype(np.int64)})


def to_csv_text(table: pd.DataFrame) -> str:
    """The CSV text of a sales table, the same on every platform (``\\n`` line ends)."""
    return table.to_csv(index=False, lineterminator="\n")


def _check_table(table: pd.DataFrame, source: str) -> pd.DataFrame:
    missing = [column for column in COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(
            f"{source} lacks the column(s) {missing}; it has {list(table.columns)}. "
            "Regenerate it with `python -m workshop_utils.sales`."
        )
    for column in COLUMNS:
        if not pd.api.types.is_numeric_dtype(table[column]):
            raise ValueError(f"{source}: column {column!r} must hold numbers, got {table[column].dtype}")
    return table


def load_sales() -> pd.DataFrame:
    """The sales table: the shipped ``sales.csv``, else the same table regenerated.

    Looks for the file with :func:`workshop_utils.config.find_data_file`; when it is absent
    (for example on Colab after ``pip install``) it calls :func:`make_sales` with the default
    arguments, which reproduce the shipped file exactly.
    """
    return _TABLE.load()


def status() -> tuple[bool, str]:
    """Whether the table is ready, in one line, for ``python -m workshop_utils check``."""
    return _TABLE.status()


def write_sales(path: Path | None = None) -> Path:
    """Write the default table to ``path`` (default: the repository's ``data/sales.csv``)."""
    return _TABLE.write(path)


def main(argv: list[str] | None = None) -> int:
    """``python -m workshop_utils.sales [PATH]``: regenerate the shipped CSV."""
    return _TABLE.main(argv)


_TABLE = ShippedTable(FILE_NAME, "products", make_sales, _check_table, to_csv_text)


if __name__ == "__main__":
    raise SystemExit(main())
