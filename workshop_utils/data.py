"""Every dataset the notebooks use: where it lives, whether it is present, how to get it.

The loaders live in small modules of their own and are imported only when first used, so
``import workshop_utils.data`` stays cheap:

* ``load_customers()``: notebook 02's customer table (shipped in ``data/``);
* ``load_sales()``: notebook 03's price/sales table (shipped in ``data/``);
* ``fetch_weather()``: notebook 04's photos (downloaded, verified, split).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

_LOADERS = {
    "load_customers": "customers",
    "make_customers": "customers",
    "load_sales": "sales",
    "make_sales": "sales",
    "fetch_weather": "weather.dataset",
    "WEATHER_URL": "weather.dataset",
}

__all__ = sorted(_LOADERS) + ["DATASETS", "Dataset"]


def __getattr__(name: str):
    module = _LOADERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


@dataclass(frozen=True)
class Dataset:
    """One dataset a notebook needs, as ``python -m workshop_utils check/fetch`` see it."""

    name: str
    notebook: str
    description: str
    status: Callable[[], tuple[bool, str]]  # (ready?, one line saying where or what is missing)
    fetch: Callable[..., object] | None  # None: shipped with the repository


def _status_of(module: str) -> Callable[[], tuple[bool, str]]:
    """Each dataset module has ``status() -> (ready, message)``; call it lazily."""
    return lambda: importlib.import_module(f"{__package__}.{module}").status()


def _fetch_weather(**kwargs):
    return importlib.import_module(f"{__package__}.weather.dataset").fetch_weather(**kwargs)


DATASETS: tuple[Dataset, ...] = (
    Dataset("customers", "02_clustering", "customer incomes and spending (shipped)",
            _status_of("customers"), None),
    Dataset("sales", "03_regression", "product prices and sales (shipped)",
            _status_of("sales"), None),
    Dataset("weather", "04_weather_cnn", "weather photos, 4 classes (downloaded)",
            _status_of("weather.dataset"), _fetch_weather),
)
