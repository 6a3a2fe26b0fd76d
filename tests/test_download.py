"""Atomic downloads: success, every way a download fails, and nothing half-written left behind."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from workshop_utils import files
from workshop_utils.download import ChecksumError, DataError, DownloadError, download, is_url

BODY = bytes(range(256)) * 4096  # 1 MiB, so the body arrives in several chunks


@pytest.fixture
def served(http_server):
    (http_server.root / "blob.bin").write_bytes(BODY)
    return http_server


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_writes_the_file_and_checks_its_sha256(served, tmp_path):
    dest = tmp_path / "out" / "blob.bin"
    got = download(served.url("files/blob.bin"), dest,
                   known_hash=f"sha256:{hashlib.sha256(BODY).hexdigest()}", progress=True)
    assert got == dest and dest.read_bytes() == BODY
    assert _leftovers(dest.parent) == ["blob.bin"]


@pytest.mark.parametrize("alg", ["sha256", "md5"])
def test_a_hash_mismatch_keeps_nothing_and_names_both_hashes(served, tmp_path, alg):
    dest = tmp_path / "blob.bin"
    with pytest.raises(ChecksumError, match=alg) as error:
        download(served.url("files/blob.bin"), dest, known_hash=f"{alg}:{'0' * 32}", progress=False)
    assert served.url("files/blob.bin") in str(error.value)
    assert hashlib.new(alg, BODY).hexdigest() in str(error.value)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("code", [404, 500, 503])
def test_http_error_names_code_and_address(served, tmp_path, code):
    url = served.url(f"status/{code}")
    with pytest.raises(DownloadError, match=f"HTTP {code}") as error:
        download(url, tmp_path / "blob.bin", progress=False, hint="Do this instead.")
    assert url in str(error.value) and "Do this instead." in str(error.value)
    assert _leftovers(tmp_path) == []


def test_connection_refused(refused_url, tmp_path):
    with pytest.raises(DownloadError, match="connection refused") as error:
        download(refused_url, tmp_path / "blob.bin", progress=False, timeout=5)
    assert refused_url in str(error.value)
    assert _leftovers(tmp_path) == []


def test_truncated_body_with_length_is_rejected(served, tmp_path):
    with pytest.raises(DownloadError, match="incomplete"):
        download(served.url("truncate/blob.bin"), tmp_path / "blob.bin", progress=False)
    assert _leftovers(tmp_path) == []


def test_truncated_body_without_length_is_caught_by_the_check(served, tmp_path):
    def must_be_whole(path):
        if path.stat().st_size != len(BODY):
            raise DataError("short file")

    with pytest.raises(DataError, match="short file"):
        download(served.url("truncate-nolength/blob.bin"), tmp_path / "blob.bin",
                 check=must_be_whole, progress=False)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("mode,message", [
    ("stall", "stopped answering"),          # headers and half the body, then nothing
    ("stall-headers", "stopped answering"),  # connected, never answers
    ("drop", "connection broke"),            # half the body, then a reset
])
def test_stalled_or_dropped_connection_fails_clearly_within_the_timeout(served, tmp_path, mode,
                                                                         message):
    started = time.monotonic()
    with pytest.raises(DownloadError, match=message) as error:
        download(served.url(f"{mode}/blob.bin"), tmp_path / "blob.bin", progress=True, timeout=1)
    assert time.monotonic() - started < 10  # 1 s of silence, plus a slow machine's margin
    assert served.url(f"{mode}/blob.bin") in str(error.value) and "try again" in str(error.value)
    assert _leftovers(tmp_path) == []


def test_slow_but_steady_server_is_not_a_stall(served, tmp_path):
    dest = download(served.url("slow/blob.bin"), tmp_path / "blob.bin", progress=False, timeout=2)
    assert dest.read_bytes() == BODY


def test_file_address_is_copied_and_checked(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(BODY)
    dest = download(source.as_uri(), tmp_path / "out" / "blob.bin",
                    known_hash=f"sha256:{hashlib.sha256(BODY).hexdigest()}")
    assert dest.read_bytes() == BODY
    with pytest.raises(DownloadError, match="No such file"):
        download((tmp_path / "absent.bin").as_uri(), tmp_path / "out" / "other.bin")
    assert _leftovers(tmp_path / "out") == ["blob.bin"]


def test_failed_download_does_not_replace_a_good_file(served, tmp_path):
    dest = tmp_path / "blob.bin"
    dest.write_bytes(b"the good copy")
    with pytest.raises(DownloadError):
        download(served.url("status/500"), dest, progress=False)
    assert dest.read_bytes() == b"the good copy"
    assert _leftovers(tmp_path) == ["blob.bin"]


def test_an_old_temporary_of_a_killed_download_is_removed_by_the_next_one(served, tmp_path):
    dest = tmp_path / "blob.bin"
    killed, live = files.temporary_name(dest), files.temporary_name(dest)
    killed.write_bytes(b"half")
    live.write_bytes(b"another container is writing")
    old = time.time() - files.STALE_AFTER_S - 60
    os.utime(killed, (old, old))
    download(served.url("files/blob.bin"), dest, progress=False)
    assert _leftovers(tmp_path) == sorted(["blob.bin", live.name])


@pytest.mark.parametrize("source,expected", [
    ("https://example.org/x.zip", True), ("HTTP://x", True), ("file:///tmp/x.zip", True),
    ("/tmp/x.zip", False), ("dataset2.zip", False),
])
def test_is_url(source, expected):
    assert is_url(source) is expected
