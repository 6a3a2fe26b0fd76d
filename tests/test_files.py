"""The one safe-write idiom: atomic, unique per writer, nothing left on failure, stale by age."""

from __future__ import annotations

import errno
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workshop_utils import files


def test_a_finished_write_replaces_the_target_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    with files.writing(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".json" and tmp.name.startswith(".report.json.")
        tmp.write_text("new")
        assert target.read_text() == "old"  # nothing changes before the block ends
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_failed_write_leaves_the_target_as_it_was_and_no_temporary(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("the old model")
    with pytest.raises(RuntimeError), files.writing(target) as tmp:
        tmp.write_text("half a mod")
        raise RuntimeError("killed halfway")
    assert target.read_text() == "the old model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]


def test_names_are_unique_per_writer_and_say_host_and_process(tmp_path):
    names = {files.temporary_name(tmp_path / "x.npz") for _ in range(50)}
    assert len(names) == 50
    assert all(f"-{os.getpid()}-" in n.name and n.suffix == ".npz" for n in names)


def test_only_old_temporaries_are_removed(tmp_path):
    target = tmp_path / "weights.h5"
    old, fresh = files.temporary_name(target), files.temporary_name(target)
    old.write_text("left by a killed writer")
    fresh.write_text("another container is still writing this one")
    stale_folder = files.temporary_name(tmp_path / "weather-img")
    (stale_folder / "train").mkdir(parents=True)
    hour_ago = time.time() - files.STALE_AFTER_S - 60
    for path in (old, stale_folder, stale_folder / "train"):
        os.utime(path, (hour_ago, hour_ago))
    unrelated = tmp_path / ".weights.h5.notes"
    unrelated.write_text("not ours")
    os.utime(unrelated, (hour_ago, hour_ago))
    assert files.remove_stale(target) == [old]
    assert files.remove_stale(tmp_path / "weather-img") == [stale_folder]
    assert fresh.exists() and unrelated.exists() and not old.exists()


def test_a_folder_with_one_fresh_file_inside_is_not_stale(tmp_path):
    folder = files.temporary_name(tmp_path / "weather-img")
    (folder / "train").mkdir(parents=True)
    hour_ago = time.time() - files.STALE_AFTER_S - 60
    os.utime(folder, (hour_ago, hour_ago))
    (folder / "train" / "a.jpg").write_text("being written now")
    assert files.remove_stale(tmp_path / "weather-img") == []


def test_a_folder_is_replaced_whole(tmp_path):
    target = tmp_path / "layout"
    (target / "old").mkdir(parents=True)
    with files.writing(target, folder=True) as tmp:
        (tmp / "new").mkdir()
    assert [p.name for p in target.iterdir()] == ["new"]
    assert [p.name for p in tmp_path.iterdir()] == ["layout"]


def _fill(path: Path, n: int) -> None:
    for i in range(n):
        files.write_text(path, f"writer {os.getpid()} round {i} " + "x" * 50_000)


def test_concurrent_writers_of_one_target_end_with_one_complete_file(tmp_path):
    target = tmp_path / "shared.txt"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_fill, args=(target, 40)) for _ in range(3)]
    for w in writers:
        w.start()
    seen = 0
    while any(w.is_alive() for w in writers):
        if target.exists():
            text = target.read_text()
            assert text.startswith("writer ") and text.endswith("x" * 50_000)
            seen += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    assert seen > 0
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


FULL_DISK = """
import sys
from pathlib import Path
from workshop_utils import files
target = Path(sys.argv[1]) / "big.txt"
target.write_text("the old file")
try:
    files.write_text(target, "x" * 200_000)
except OSError as error:
    print("refused:", error.strerror)
print(sorted(p.name for p in target.parent.iterdir()), target.read_text())
"""


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    """On a 64 KB tmpfs when this runs as root (in its own mount namespace), else with a patched write."""
    if os.geteuid() == 0 and subprocess.run(["unshare", "--mount", "true"]).returncode == 0:
        small = tmp_path / "small"
        small.mkdir()
        script = tmp_path / "full.py"
        script.write_text(FULL_DISK)
        command = (f"mount -t tmpfs -o size=64k tmpfs {small} && "
                   f"{sys.executable} {script} {small}")
        done = subprocess.run(["unshare", "--mount", "sh", "-c", command], capture_output=True,
                              text=True, timeout=60, cwd=Path(files.__file__).parents[1])
        assert done.returncode == 0, done.stderr
        assert "refused: No space left on device" in done.stdout
        assert done.stdout.strip().endswith("['big.txt'] the old file")
        return
    target = tmp_path / "big.txt"
    target.write_text("the old file")

    def full(self, data, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError, match="No space"):
        files.write_text(target, "x" * 200_000)
    monkeypatch.undo()
    assert target.read_text() == "the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["big.txt"]
