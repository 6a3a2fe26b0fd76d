"""The one way the package writes a file or folder: beside the target, then ``os.replace``.

``with writing(target) as tmp:`` yields a name beside ``target``, unique to this writer (host,
process, random), with its suffix. When the block ends without an error the data is flushed and
renamed onto ``target`` in one step: readers see the old file or the whole new one, and two
writers end with one complete file. On an error the temporary goes and ``target`` is as it was.
A writer killed outright leaves its temporary: the next writer removes it once it is older than
:data:`STALE_AFTER_S` (by modification time: a process id means nothing in another container).
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

    ``folder=True``: an empty folder, replacing a ``target`` folder whole (or dropped if another
    writer's complete folder got there first: both came from the same input).
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
