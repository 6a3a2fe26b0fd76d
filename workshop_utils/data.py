"""Every dataset the notebooks use: where it lives, whether it is present, how to get it.

The loaders live in small modules of their own and are imported only when first used, so
``import workshop_utils.data`` stays cheap:

* ``load_customers()``: notebook 02's customer table (shipped in ``data/``);
* ``load_sales()``: notebook 03's price/sales table (shipped in ``data/``);
* ``fetch_weather()``: notebook 04's photos (downloaded, verified, split);
* ``pretrained.fetch_weights()``: the ImageNet weights of notebook 04's optional transfer
  learning (downloaded, verified, placed where Keras looks).

:func:`route_sources` decides which ``fetch --source`` goes to which of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import pretrained

_LOADERS = {
    "load_customers": "customers",
    "make_customers": "customers",
    "load_sales": "sales",
    "make_sales": "sales",
    "fetch_weather": "weather.dataset",
    "WEATHER_URL": "weather.dataset",
}

__all__ = sorted(_LOADERS) + ["DATASETS", "Dataset", "route_sources"]


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
    optional: bool = False  # missing: check still passes (the notebook runs without it)
    source_suffixes: tuple[str, ...] = ()  # a --source ending so is for this dataset
    source_name: str | None = None  # its file's usual name, looked for first in a --source folder


def _status_of(module: str) -> Callable[[], tuple[bool, str]]:
    """Each dataset module has ``status() -> (ready, message)``; call it lazily."""
    return lambda: importlib.import_module(f"{__package__}.{module}").status()


def _fetch_weather(**kwargs):
    return importlib.import_module(f"{__package__}.weather.dataset").fetch_weather(**kwargs)


def _fetch_weights(**kwargs):
    return pretrained.fetch_weights(**kwargs)


DATASETS: tuple[Dataset, ...] = (
    Dataset("customers", "02_clustering", "customer incomes and spending (shipped)",
            _status_of("customers"), None),
    Dataset("sales", "03_regression", "product prices and sales (shipped)",
            _status_of("sales"), None),
    Dataset("weather", "04_weather_cnn", "weather photos, 4 classes (downloaded)",
            _status_of("weather.dataset"), _fetch_weather, source_suffixes=(".zip",),
            source_name="dataset2.zip"),
    Dataset("pretrained weights", "04_weather_cnn",
            f"{pretrained.BACKBONE.label} for the optional transfer learning (downloaded)",
            pretrained.status, _fetch_weights, optional=True, source_suffixes=(".h5",),
            source_name=pretrained.BACKBONE.file_name),
)


def route_sources(sources: Sequence[str], datasets: Sequence[Dataset] = DATASETS) -> dict[str, str]:
    """Which ``fetch --source`` goes to which dataset, as ``{dataset name: source}``.

    A file or URL goes by how its name ends (``.h5``: the pretrained weights, ``.zip``: the
    photos); anything else is taken for the photos (a mirror URL need not end in ``.zip``).
    A folder (a USB stick) goes to every dataset that finds its file in it: the usual name
    first (``dataset2.zip``, ``efficientnetb0_notop.h5``), else the one file with its ending.
    Raises ValueError for two sources for one dataset, or a folder with several candidates.
    """
    from .download import is_url

    fetchable = [d for d in datasets if d.fetch is not None]
    routed: dict[str, str] = {}

    def assign(dataset: Dataset, source: str) -> None:
        if dataset.name in routed:
            raise ValueError(f"two --source for {dataset.name}: {routed[dataset.name]} and "
                             f"{source}; give one")
        routed[dataset.name] = source

    for source in sources:
        folder = None if is_url(source) else Path(source).expanduser()
        if folder is not None and folder.is_dir():
            for dataset in fetchable:
                found = _find_in_folder(folder, dataset)
                if found is not None:
                    assign(dataset, str(found))
            continue
        name = source.split("?")[0].rstrip("/").lower()
        owner = next((d for d in fetchable if d.source_suffixes and name.endswith(d.source_suffixes)),
                     fetchable[0] if fetchable else None)
        if owner is None:
            raise ValueError("there is no dataset to fetch")
        assign(owner, source)
    return routed


def _find_in_folder(folder: Path, dataset: Dataset) -> Path | None:
    if dataset.source_name and (folder / dataset.source_name).is_file():
        return folder / dataset.source_name
    if not dataset.source_suffixes:
        return None
    candidates = sorted(p for p in folder.iterdir()
                        if p.is_file() and p.name.lower().endswith(dataset.source_suffixes))
    if len(candidates) > 1:
        raise ValueError(f"{folder} holds several files that could be {dataset.name} "
                         f"({', '.join(p.name for p in candidates)}): give the one with --source")
    return candidates[0] if candidates else None
