"""Pretrained ImageNet weights for notebook 04's transfer learning: which file, where, how checked.

The weights are a file Keras itself publishes (``keras.applications``). ``python -m workshop_utils
fetch`` downloads it (or copies it from a USB stick or a mirror with ``--source``), checks it
against the hash Keras publishes for it, and puts it where Keras looks for it:
``$KERAS_HOME/models/<file>`` (``~/.keras/models/`` when ``KERAS_HOME`` is not set), through a
temporary file and an atomic rename, so a wrong, truncated or interrupted file never appears
under the final name. The notebook then builds the backbone with ``weights=<that path>``, so
nothing is downloaded during the workshop.

This module imports neither TensorFlow nor Keras (``check`` and ``fetch`` stay fast), and
``download`` (tqdm) only when it fetches; building the backbone is
:func:`workshop_utils.weather.transfer.backbone`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pooch

#: The first bytes of every HDF5 file (the format of Keras's published weights).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


@dataclass(frozen=True)
class PretrainedWeights:
    """One published weights file of a ``keras.applications`` backbone without its top."""

    application: str  # the keras.applications function, e.g. "EfficientNetB0"
    module: str  # keras.applications.<module>.preprocess_input is its preprocessing
    file_name: str  # the name Keras gives the file in its cache (models/<file_name>)
    url: str  # where Keras downloads it from
    md5: str  # the hash Keras checks it against (get_file(..., file_hash=...))
    hash_source: str  # where that hash is published
    imagenet_top1: float  # published ImageNet top-1 accuracy at 224 px (Keras's documentation)
    size_mb: int  # about how big the file is (its float32 weights), for the messages

    @property
    def label(self) -> str:
        return f"{self.application} ImageNet weights ({self.file_name})"


#: The candidates whose weights Keras verifies with a published hash. (MobileNetV2 is not here:
#: Keras downloads its weights without any hash, so a wrong file could not be told apart.)
REGISTRY: dict[str, PretrainedWeights] = {
    "EfficientNetB0": PretrainedWeights(
        application="EfficientNetB0",
        module="efficientnet",
        file_name="efficientnetb0_notop.h5",
        url="https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
        md5="50bc09e76180e00e4465e1a485ddc09d",
        hash_source="keras/src/applications/efficientnet.py, WEIGHTS_HASHES['b0'][1] "
                    "(Keras 3.15), the hash keras.utils.get_file checks this file against",
        imagenet_top1=0.771,
        size_mb=17,
    ),
    "MobileNetV3Small": PretrainedWeights(
        application="MobileNetV3Small",
        module="mobilenet_v3",
        file_name="weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
        url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
            "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
        md5="d3e8ec802a04aa4fc771ee12a9a9b836",
        hash_source="keras/src/applications/mobilenet_v3.py, "
                    "WEIGHTS_HASHES['small_224_1.0_float'][1] (Keras 3.15), the hash "
                    "keras.utils.get_file checks this file against",
        imagenet_top1=0.681,
        size_mb=4,
    ),
}

#: The backbone notebook 04 uses (README, "Transfer learning": why this one).
BACKBONE: PretrainedWeights = REGISTRY["EfficientNetB0"]


def resolve(weights: PretrainedWeights | None) -> PretrainedWeights:
    """``weights``, or the notebook's :data:`BACKBONE` (looked up now, so a test can swap it)."""
    return BACKBONE if weights is None else weights


def keras_home() -> Path:
    """Keras's own folder, by Keras's rule: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras``
    when the home folder is not writable). Read at call time, without importing Keras."""
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = Path("~").expanduser()
    return (home if os.access(home, os.W_OK) else Path("/tmp")) / ".keras"


def weights_path(weights: PretrainedWeights | None = None) -> Path:
    """Where the weights file goes: ``<keras home>/models/<file>``, where Keras looks for it."""
    weights = resolve(weights)
    return keras_home() / "models" / weights.file_name


def md5_file(path: str | Path) -> str:
    """The md5 of a file (the hash Keras publishes for its weights); pooch reads it in chunks."""
    return pooch.file_hash(str(path), alg="md5")


def verify(path: str | Path, weights: PretrainedWeights | None = None, *, origin: str | None = None) -> None:
    """Raise :class:`ChecksumError` unless ``path`` is exactly the published weights file.

    First a cheap look at the first bytes (an HTML login page or an empty file says so), then
    the md5 that Keras publishes for the file.
    """
    from .download import ChecksumError

    weights = resolve(weights)

    path = Path(path)
    origin = origin or str(path)
    what = f"{weights.file_name} from {origin}"
    again = f"Get it again with `python -m workshop_utils fetch`, or copy the file from {weights.url}."
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(len(HDF5_SIGNATURE))
    if head != HDF5_SIGNATURE:
        start = head[:8].decode("ascii", "replace")
        raise ChecksumError(
            f"{what} is not an HDF5 weights file ({size} bytes, starts with {start!r}): perhaps "
            f"an error or login page, or the wrong file. It was not kept. {again}"
        )
    got = md5_file(path)
    if got != weights.md5:
        raise ChecksumError(
            f"{what} has md5 {got}, expected {weights.md5} (published by Keras: "
            f"{weights.hash_source}): the file ({size} bytes) is truncated, corrupt or a different "
            f"version, and was not kept. {again}"
        )


def status(weights: PretrainedWeights | None = None) -> tuple[bool, str]:
    """(ready?, one line) for ``python -m workshop_utils check``, which prints it after
    "pretrained weights: " (so: "pretrained weights: ready (...)" or "... missing, run fetch")."""
    from .download import ChecksumError

    weights = resolve(weights)

    path = weights_path(weights)
    if not path.is_file():
        return False, (f"missing, run `python -m workshop_utils fetch` ({weights.file_name}, "
                       f"about {weights.size_mb} MB, into {path.parent}; for section 9 only)")
    try:
        verify(path, weights)
    except ChecksumError:
        return False, (f"{path} is not the published file (wrong hash): "
                       "run `python -m workshop_utils fetch` to replace it")
    return True, f"ready ({weights.label} in {path.parent})"


def is_ready(weights: PretrainedWeights | None = None) -> bool:
    """Whether the verified weights file is in place (what notebook 04's section 9 asks)."""
    return status(weights)[0]


def fetch_weights(source: str | Path | None = None, weights: PretrainedWeights | None = None, *,
                  progress: bool = True, timeout: float = 60.0) -> Path:
    """Put the verified weights file in place and return its path; a second call does nothing.

    Parameters
    ----------
    source : str or path, optional
        Default: Keras's own address (``weights.url``). A mirror URL, a local copy of the file
        (from a USB stick), or a folder holding it under its Keras name.

    Raises
    ------
    DataError
        (DownloadError, ChecksumError) saying what was wrong and what to do. Nothing is left
        under the final name or in a temporary file; a file already in place that is wrong is
        replaced only by a verified one.
    """
    from .download import ChecksumError, DataError, is_url

    weights = resolve(weights)

    dest = weights_path(weights)
    if dest.is_file():
        try:
            verify(dest, weights)
            return dest
        except ChecksumError:
            pass  # replaced below, atomically, by a verified file
    source = weights.url if source is None else source
    hint = (f"Check the address and your connection, or copy {weights.file_name} from another "
            f"machine and run `python -m workshop_utils fetch --source <that file>`.")
    if is_url(source):
        return _download_verified(str(source), dest, weights, progress=progress,
                                  timeout=timeout, hint=hint)
    local = Path(source).expanduser()
    if local.is_dir():
        local = local / weights.file_name
    if not local.is_file():
        raise DataError(
            f"{local} does not exist: give the weights file itself ({weights.file_name}) or the "
            f"folder that holds it, e.g. `python -m workshop_utils fetch --source "
            f"/media/usb/{weights.file_name}`."
        )
    return _copy_verified(local, dest, weights)


def _download_verified(url: str, dest: Path, weights: PretrainedWeights, **options) -> Path:
    """``download.download`` (atomic, complete) into a temporary name next to ``dest``, then
    verify and rename: only a verified file ever has the final name."""
    from .download import download, remove_stale, temporary_name

    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest.parent, dest.name)
    tmp = temporary_name(dest, "download")
    try:
        download(url, tmp, **options)
        verify(tmp, weights, origin=url)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _copy_verified(source: Path, dest: Path, weights: PretrainedWeights) -> Path:
    """Copy ``source`` to a temporary file next to ``dest``, verify the copy, rename it."""
    from .download import remove_stale, temporary_name

    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest.parent, dest.name)
    tmp = temporary_name(dest)
    try:
        shutil.copyfile(source, tmp)
        verify(tmp, weights, origin=str(source))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
