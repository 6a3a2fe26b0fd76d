"""The one way the package writes a file or folder: beside the target, then ``os.replace``.

``with writing(target) as tmp:`` yields a fresh name in the target's folder, unique to this
writer (host, process, random token), with the target's suffix (Keras and NumPy insist on
theirs). Write there; when the block ends without an error the data is flushed to disk and
renamed onto ``target`` in one step, so a reader sees the old file or the whole new one, never
half of one, and two writers of one target end with one complete file. On an error (a full
disk, a killed kernel's exception, a failed check) the temporary is removed and ``target`` is
as it was. A writer killed outright leaves its temporary behind: the next writer in that
folder removes it once nothing has touched it for :data:`STALE_AFTER_S`, by its modification
time, since a process id means nothing on another host or container sharing the folder.
"""

import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds without a change after which a temporary counts as left by a dead writer. Live
#: writers touch theirs continuously (a download) or finish in minutes (a layout, a model).
STALE_AFTER_S = 3600


def temporary_name(target: Path) -> Path:
    """A hidden name beside ``target``, unique to this writer, ending in ``target``'s suffix."""
    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:32] or "host"
    tag = f"{host}-{os.getpid()}-{secrets.token_hex(4)}"
    return target.parent / f".{target.name}.{tag}.part{target.suffix}"


def remove_stale(target: Path, max_age: float = STALE_AFTER_S) -> list[Path]:
    """Remove temporaries of ``target`` that nothing has changed for ``max_age`` seconds."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.[A-Za-z0-9-]+\.part")
    removed = []
    if not target.parent.is_dir():
        return removed
    for path in target.parent.iterdir():
        if pattern.match(path.name) and time.time() - _last_change(path) > max_age:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _last_change(path: Path) -> float:
    """The newest modification time in ``path`` (a folder's files change, not the folder)."""
    try:
        times = [path.stat().st_mtime]
        if path.is_dir():
            times += [p.stat().st_mtime for p in path.rglob("*")]
        return max(times)
    except OSError:  # removed meanwhile by its writer
        return time.time()


@contextmanager
def writing(target: str | Path, *, folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success, put it in place atomically.

    With ``folder=True`` the temporary is an empty folder, and an existing ``target`` folder is
    replaced whole. If another writer put a complete folder in place first, its folder stays
    and ours is dropped (both came from the same input).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target)
    tmp = temporary_name(target)
    try:
        if folder:
            tmp.mkdir()
        yield tmp
        if folder:
            _replace_folder(tmp, target)
        else:
            with open(tmp, "rb+") as handle:  # on disk before the name points at it
                os.fsync(handle.fileno())
            os.replace(tmp, target)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def _replace_folder(tmp: Path, target: Path) -> None:
    """Rename the finished folder ``tmp`` onto ``target``, moving an older ``target`` aside."""
    old = temporary_name(target)
    try:
        os.replace(target, old)
    except FileNotFoundError:
        pass
    try:
        os.replace(tmp, target)
    except OSError:  # another writer's complete folder got there between the two renames
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def write_text(target: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through :func:`writing`; return the path."""
    with writing(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)
