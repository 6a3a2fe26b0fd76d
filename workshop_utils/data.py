"""The datasets ``python -m workshop_utils check`` and ``fetch`` see, and which ``--source`` is whose.

The customer and sales tables ship inside the package (``tables/``); notebook 04 downloads the
weather photos, and its optional section 9 the pretrained weights.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import pretrained
from .download import is_url

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif")


@dataclass(frozen=True)
class Dataset:
    """One download a notebook needs, as ``check`` and ``fetch`` see it."""

    name: str
    notebook: str
    status: Callable[[], tuple[bool, str]]  # (ready?, one line saying where or what is missing)
    fetch: Callable[..., Path]  # fetch(source=None) -> where it is
    suffix: str  # a --source ending so is for this dataset
    file_name: str  # its usual name, looked for first in a --source folder
    optional: bool = False  # missing: check still passes (the notebook runs without it)


def _weather_status() -> tuple[bool, str]:
    from .weather.photos import status

    return status()


def _fetch_weather(source=None) -> Path:
    from .weather.photos import fetch_weather

    return fetch_weather(source)


DATASETS: tuple[Dataset, ...] = (
    Dataset("weather photos", "04_weather_cnn", _weather_status, _fetch_weather, ".zip",
            "dataset2.zip"),
    Dataset("pretrained weights", "04_weather_cnn", lambda: pretrained.status(),
            lambda source=None: pretrained.fetch_weights(source), ".h5",
            pretrained.BACKBONE.file_name, optional=True),
)


def route_sources(sources: Sequence[str], datasets: Sequence[Dataset] = DATASETS) -> dict[str, str]:
    """Which ``fetch --source`` goes to which dataset, as ``{dataset name: source}``.

    A file or URL goes by its ending (``.h5``: the weights; anything else: the photos, since a
    mirror URL need not end in ``.zip``); a folder (a USB stick) to every dataset whose file it
    holds: the usual name first, else the one file with its ending. ValueError, saying what to
    give instead, for two sources for one dataset, several candidates, or a folder of photos.
    """
    routed: dict[str, str] = {}
    for source in sources:
        folder = None if is_url(source) else Path(source).expanduser()
        if folder is not None and folder.is_dir():
            found = {d.name: _find_in_folder(folder, d) for d in datasets}
            found = {name: path for name, path in found.items() if path is not None}
            if not found and any(p.suffix.lower() in IMAGE_SUFFIXES for p in folder.rglob("*")):
                raise ValueError(f"{source} is a folder of photos: fetch reads the dataset's zip "
                                 "file as downloaded (dataset2.zip); give that file with --source")
            pairs = found.items()
        else:
            name = source.split("?")[0].rstrip("/").lower()
            owner = next((d for d in datasets if name.endswith(d.suffix)), None)
            pairs = [((owner or next(d for d in datasets if d.suffix == ".zip")).name, source)]
        for name, path in pairs:
            if name in routed:
                raise ValueError(f"two --source for the {name}: {routed[name]} and {path}; give one")
            routed[name] = str(path)
    return routed


def _find_in_folder(folder: Path, dataset: Dataset) -> Path | None:
    if (folder / dataset.file_name).is_file():
        return folder / dataset.file_name
    candidates = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(dataset.suffix))
    if len(candidates) > 1:
        raise ValueError(f"{folder} holds several files that could be the {dataset.name} "
                         f"({', '.join(p.name for p in candidates)}): give the one with --source")
    return candidates[0] if candidates else None
