"""What an ipywidgets ``FileUpload`` holds, in either version's shape, as plain files.

ipywidgets 8 (JupyterLab): a tuple of dicts with ``name``, ``type`` and ``content``; ipywidgets
7.7 (Colab): a dict keyed by file name, each entry with ``metadata`` and ``content``.
:func:`first_upload` reads both, so nothing else asks which version is installed.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

_BYTES = (bytes, bytearray, memoryview)


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file: its name, MIME type (may be empty) and content."""

    name: str
    content: bytes
    type: str = ""


def is_upload_value(value) -> bool:
    """True for what a ``FileUpload.value`` (or one of its file dicts) can look like."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray) and (
        not value or isinstance(value[0], Mapping)
    )


def _file(entry: Mapping, fallback_name: str = "your photo") -> UploadedFile:
    if "content" not in entry:
        raise ValueError(
            "an uploaded-file dict must have a 'content' key (use FileUpload.value): "
            f"got keys {sorted(entry)}"
        )
    content = entry["content"]
    if not isinstance(content, _BYTES):
        raise TypeError(f"an uploaded file's 'content' must be bytes, got {type(content).__name__}")
    metadata = entry.get("metadata")
    info = metadata if isinstance(metadata, Mapping) else entry  # ipywidgets 7 : 8
    return UploadedFile(name=str(info.get("name", fallback_name)), content=bytes(content),
                        type=str(info.get("type", "")))


def _files(value) -> Iterator[UploadedFile]:
    """Each file of a ``FileUpload.value``, in upload order, copied only when reached."""
    if isinstance(value, Mapping):
        if ("content" in value and isinstance(value["content"], _BYTES)) or not all(
                isinstance(entry, Mapping) for entry in value.values()):
            yield _file(value)  # a single file's dict (either version), or say which key is missing
        else:
            yield from (_file(entry, fallback_name=str(name)) for name, entry in value.items())  # 7
    elif is_upload_value(value):
        yield from (_file(entry) for entry in value)  # 8
    else:
        raise TypeError(f"expected a FileUpload value (a tuple of file dicts, or a dict of them), "
                        f"got {type(value).__name__}")


def first_upload(value) -> UploadedFile:
    """The first uploaded file (the others are not copied); a clear error when there is none."""
    first = next(_files(value), None)
    if first is None:
        raise ValueError("nothing was uploaded: choose a photo first")
    return first
