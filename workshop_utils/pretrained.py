"""The pretrained ImageNet weights of notebook 04's transfer learning: which file, where, checked.

Keras publishes the file and its md5; it is checked and placed where Keras looks
(``$KERAS_HOME/models/``). :func:`weights_file` gets it the first time it is needed;
``python -m workshop_utils fetch`` gets it in advance (``--source``: from a USB stick).
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pooch

from .download import ChecksumError, DataError, DownloadError, download, is_url

#: The first bytes of every HDF5 file (the format of Keras's published weights).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


@dataclass(frozen=True)
class PretrainedWeights:
    """One published weights file of a ``keras.applications`` backbone without its top."""

    application: str  # the keras.applications function, e.g. "EfficientNetB0"
    module: str  # keras.applications.<module>.preprocess_input is its preprocessing
    file_name: str  # the name Keras gives the file in its cache (models/<file_name>)
    url: str  # where Keras downloads it from
    md5: str  # the hash Keras checks it against (keras.utils.get_file(..., file_hash=...))
    size_mb: int  # about how big the file is, for the messages


#: Notebook 04's backbone (README, "Transfer learning": why this one). Its md5 is Keras's own:
#: keras/src/applications/efficientnet.py, WEIGHTS_HASHES["b0"][1]; a test compares them.
BACKBONE = PretrainedWeights(
    "EfficientNetB0", "efficientnet", "efficientnetb0_notop.h5",
    "https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
    "50bc09e76180e00e4465e1a485ddc09d", 17)


class WeightsMissing(DataError):
    """The pretrained weights are not here and cannot be downloaded; the message says what to do."""


def keras_home() -> Path:
    """Keras's folder by Keras's rule: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` when
    the home folder is not writable). Read at call time, without importing Keras."""
    if "KERAS_HOME" in os.environ:
        return Path(os.environ["KERAS_HOME"]).expanduser()
    home = Path("~").expanduser()
    return (home if os.access(home, os.W_OK) else Path("/tmp")) / ".keras"


def weights_path(weights: PretrainedWeights | None = None) -> Path:
    """Where the weights file goes: ``<keras home>/models/<file>``, where Keras looks for it."""
    return keras_home() / "models" / (weights or BACKBONE).file_name


def verify(path: str | Path, weights: PretrainedWeights | None = None, origin: str = "") -> None:
    """ChecksumError unless ``path`` is exactly the published file (HDF5, then Keras's md5)."""
    path, weights = Path(path), weights or BACKBONE
    what = f"{weights.file_name} from {origin or path}"
    again = (f"Get it again with `python -m workshop_utils fetch`, or copy it from {weights.url} "
             "and run `python -m workshop_utils fetch --source <that file>`.")
    with open(path, "rb") as handle:
        head = handle.read(len(HDF5_SIGNATURE))
    if head != HDF5_SIGNATURE:
        raise ChecksumError(f"{what} is not an HDF5 weights file ({path.stat().st_size} bytes, "
                            f"starts with {head[:8]!r}): perhaps an error or login page. It was not "
                            f"kept. {again}")
    if (got := pooch.file_hash(str(path), alg="md5")) != weights.md5:
        raise ChecksumError(f"{what} has md5 {got}, expected {weights.md5} (published by Keras): "
                            f"it is truncated, corrupt or another version, and was not kept. {again}")


def status(weights: PretrainedWeights | None = None) -> tuple[bool, str]:
    """(ready?, one line) for ``python -m workshop_utils check``."""
    weights = weights or BACKBONE
    path = weights_path(weights)
    if not path.is_file():
        return False, (f"missing: notebook 04 section 9 downloads it the first time (about "
                       f"{weights.size_mb} MB); offline, run `python -m workshop_utils fetch "
                       f"--source <{weights.file_name}>`")
    try:
        verify(path, weights)
    except ChecksumError:
        return False, f"{path} is not the published file: run `python -m workshop_utils fetch`"
    return True, f"ready ({weights.application} ImageNet weights in {path.parent})"


def fetch_weights(source: str | Path | None = None, weights: PretrainedWeights | None = None, *,
                  progress: bool = True, timeout: float = 60.0) -> Path:
    """Put the verified weights file in place (a second call only checks it); return its path.

    ``source``: Keras's address by default, or a mirror URL, a copy of the file, or a folder
    holding it. Raises DataError saying what was wrong and what to do; nothing wrong is kept.
    """
    weights = weights or BACKBONE
    dest = weights_path(weights)
    if dest.is_file():
        try:
            verify(dest, weights)
            return dest
        except ChecksumError:
            pass  # replaced below, atomically, by a verified file
    source = weights.url if source is None else source
    if not is_url(source):
        local = Path(source).expanduser()
        local = local / weights.file_name if local.is_dir() else local
        if not local.is_file():
            raise DataError(f"{local} does not exist: give the weights file itself "
                            f"({weights.file_name}) or the folder that holds it: "
                            f"`python -m workshop_utils fetch --source /media/usb/{weights.file_name}`.")
        source = local.resolve().as_uri()
    hint = (f"Check the address and your connection, or copy {weights.file_name} from another "
            "machine and run `python -m workshop_utils fetch --source <that file>`.")
    return download(str(source), dest, known_hash=None, progress=progress, timeout=timeout,
                    hint=hint, check=lambda tmp: verify(tmp, weights, origin=str(source)))


def weights_file(weights: PretrainedWeights | None = None, *, progress: bool = True) -> Path:
    """The verified weights file, downloaded the first time; WeightsMissing (one line, no path)
    when it is not here and cannot be downloaded."""
    weights = weights or BACKBONE
    try:
        return fetch_weights(weights=weights, progress=progress)
    except DownloadError as error:
        reason = str(error).split(" failed", 1)[-1].lstrip(": ").split(". ")[0]
        raise WeightsMissing(
            f"the pretrained weights ({weights.file_name}, about {weights.size_mb} MB) are not on "
            f"this machine and could not be downloaded: {reason}. With internet, run this cell "
            "again; offline, copy the file from a machine that has it and run "
            "`python -m workshop_utils fetch --source <that file>`") from None
