"""fetch_weather end to end on small zips in the real layout, served from 127.0.0.1; the split table."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.conftest import write_zip
from tests.standins import standin_photos, write_table
from tools.make_split_table import table_text
from workshop_utils import config, files
from workshop_utils.download import ArchiveError, ChecksumError, DataError, DownloadError
from workshop_utils.weather import archive as wa
from workshop_utils.weather import photos as wp
from workshop_utils.weather.split import CLASSES, SPLITS, TABLE_PATH, load_table, place

ROOT = Path(__file__).resolve().parents[1]
REAL_ZIP = ROOT.parent / "shared" / "datasets" / "weather" / "dataset2.zip"


def fetch(source, data_dir, table, **kwargs):
    return wp.fetch_weather(source, data_dir, progress=False, table=load_table(table), **kwargs)


def laid_out(folder):
    """{photo name: (split, class)} for every photo in a laid-out folder."""
    return {p.name: (p.parent.parent.name, p.parent.name) for p in Path(folder).glob("*/*/*.*")}


def visible(data_dir):
    """What a user sees in the data folder: no hidden temporaries count."""
    return sorted(str(p.relative_to(data_dir)) for p in Path(data_dir).rglob("*")
                  if not any(part.startswith(".") for part in p.relative_to(data_dir).parts))


def assert_clean(data_dir):
    """After a failure the data folder holds nothing at all (no partial file, no staging)."""
    left = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*")) if data_dir.exists() else []
    assert left in ([], ["downloads"])


@pytest.fixture
def served_zip(http_server, weather_set):
    files_, archive, table = weather_set
    (http_server.root / "weather.zip").write_bytes(archive.read_bytes())
    return http_server, files_, table


def test_fetch_over_http_lays_out_every_good_photo(served_zip, tmp_path, capsys):
    server, files_, table = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, table)
    assert out == tmp_path / "weather-img"
    photos = laid_out(out)
    expected = {n.rsplit(".", 1)[0] + ".jpg" for n in files_} - {"cloudy7.jpg"}  # cloudy7 is corrupt
    assert set(photos) == expected
    assert all(split in SPLITS and label == re.match("[a-z]+", name).group()
               for name, (split, label) in photos.items())
    for path in out.glob("*/*/*.jpg"):
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.mode == "RGB" and max(image.size) <= wp.MAX_SIDE
    report = wp.split_report(out)
    assert report["undecodable"] == ["cloudy7.jpg"] and report["missing"] == 0
    assert report["total"] == len(expected) == sum(sum(r.values()) for r in report["counts"].values())
    converted = report["converted"]
    assert "PNG named .jpg" in converted["cloudy3.jpg"] and "mode RGBA" in converted["shine2.jpg"]
    assert "GIF" in converted["rain4.jpg"] and "3 frames" in converted["rain4.jpg"]
    assert "mode L" in converted["cloudy5.jpg"] and "named .jpeg" in converted["rain2.jpeg"]
    assert "sunrise1.jpg" not in converted and report["n_shrunk"] == 1  # 1200x800, a plain JPEG
    assert report["n_byte_identical_sets"] == 1
    assert (tmp_path / "downloads" / wa.ARCHIVE_NAME).is_file()
    assert wp.status(out) == (True, f"weather-img/ ready: {len(expected)} photos "
                                    + "(" + ", ".join(f"{s} {sum(report['counts'][c][s] for c in CLASSES)}"
                                                      for s in SPLITS) + ")")
    assert "Photos ready in weather-img/" in capsys.readouterr().out


def test_every_photo_goes_where_the_table_says_and_copies_stay_together(served_zip, tmp_path):
    server, _, table = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, table)
    photos, rows = laid_out(out), load_table(table)
    for name, photo in rows.items():
        if photo.split:
            assert photos[Path(name).with_suffix(".jpg").name] == (photo.split, photo.label)
    assert photos["cloudy8.jpg"][0] == photos["cloudy9.jpg"][0]  # resized, re-encoded copy
    assert photos["shine5.jpg"][0] == photos["shine6.jpg"][0]  # byte copy
    groups = {frozenset(p.rsplit("/", 1)[1] for p in g["files"]): g
              for g in wp.split_report(out)["duplicate_groups"]}
    assert groups[frozenset({"shine5.jpg", "shine6.jpg"})]["identical"] is True
    assert groups[frozenset({"cloudy8.jpg", "cloudy9.jpg"})]["identical"] is False
    first, second = wp.example_duplicate_pair(out)
    assert {first.name, second.name} == {"cloudy8.jpg", "cloudy9.jpg"} and first.is_file()


def test_second_call_is_a_no_op(served_zip, tmp_path, capsys):
    server, _, table = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, table)
    stamp = (out / wp.MARKER).stat().st_mtime_ns
    hits = len(server.requests)
    capsys.readouterr()
    assert fetch(server.url("files/weather.zip"), tmp_path, table) == out
    assert "nothing to fetch" in capsys.readouterr().out
    assert (out / wp.MARKER).stat().st_mtime_ns == stamp and len(server.requests) == hits


def test_a_cached_download_is_reused_and_a_damaged_one_fetched_again(served_zip, tmp_path, capsys):
    server, _, table = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, table)
    hits = len(server.requests)
    shutil.rmtree(out)
    fetch(server.url("files/weather.zip"), tmp_path, table)
    assert len(server.requests) == hits  # reused
    cached = tmp_path / "downloads" / wa.ARCHIVE_NAME
    cached.write_bytes(cached.read_bytes()[: cached.stat().st_size // 2])  # truncated on disk
    shutil.rmtree(out)
    capsys.readouterr()
    fetch(server.url("files/weather.zip"), tmp_path, table)
    assert len(server.requests) == hits + 1 and "downloading it again" in capsys.readouterr().out
    assert wp.status(out)[0] and zipfile.is_zipfile(cached)


def test_a_cached_download_with_an_altered_photo_is_dropped_not_reused(served_zip, tmp_path):
    server, files_, table = served_zip
    cached = tmp_path / "downloads" / wa.ARCHIVE_NAME
    cached.parent.mkdir(parents=True)
    write_zip(cached, {**files_, "rain3.jpg": b"something else"})
    with pytest.raises(ChecksumError, match="rain3.jpg"):
        fetch(server.url("files/weather.zip"), tmp_path, table)
    assert not cached.exists()  # the next run downloads a fresh copy
    fetch(server.url("files/weather.zip"), tmp_path, table)
    assert wp.status(tmp_path / "weather-img")[0]


def test_junk_and_unreadable_extras_are_skipped_and_named_escaped(weather_set, tmp_path):
    files_, _, table = weather_set
    archive = write_zip(tmp_path / "flat.zip", files_, top="",
                        extra={"__MACOSX/._cloudy1.jpg": b"junk", "README\x1b[31m.txt": b"hello"})
    with zipfile.ZipFile(archive, "a") as zf:  # an extra the package cannot read: skipped, unread
        info = zipfile.ZipInfo("notes/encrypted.bin")
        info.flag_bits |= 0x1  # encrypted
        zf.writestr(info, b"secret")
        info = zipfile.ZipInfo("notes/odd-compression.bin")
        info.compress_type = zipfile.ZIP_STORED
        zf.writestr(info, b"odd")
    _patch_method(archive, "notes/odd-compression.bin", 99)  # a method Python does not know
    out = fetch(archive, tmp_path / "data", table)
    report = wp.split_report(out)
    assert report["skipped"] == sorted(["README\\x1b[31m.txt", "__MACOSX/._cloudy1.jpg",
                                        "notes/encrypted.bin", "notes/odd-compression.bin"])
    assert "\x1b" not in wp.format_split_report(report)
    assert archive.is_file()  # a local source is never moved or deleted


def _patch_method(archive: Path, name: str, method: int) -> None:
    """Set an entry's compression method in both of its headers, as another zip tool might."""
    data = bytearray(archive.read_bytes())
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(encoded)] == encoded:
                data[start + offset:start + offset + 2] = method.to_bytes(2, "little")
            start += 4
    archive.write_bytes(bytes(data))


def test_photos_missing_from_the_archive_are_reported_not_fatal(weather_set, tmp_path):
    files_, archive, _ = weather_set
    table = write_table(files_ | {"rain137.jpg": b"not in the zip"}, tmp_path / "t.csv")
    out = fetch(archive, tmp_path / "data", table)
    assert wp.split_report(out)["missing"] == 1
    assert "1 photos of the list were not in this archive" in wp.format_split_report(wp.split_report(out))


def test_http_error_says_what_to_do_in_words_for_everyone(http_server, weather_set, tmp_path):
    url = http_server.url("status/404")
    with pytest.raises(DownloadError, match="HTTP 404") as error:
        fetch(url, tmp_path, weather_set[2])
    assert url in str(error.value) and "fetch --source" in str(error.value)
    assert "fetch_weather(" not in str(error.value)  # words for the command line and notebooks alike
    assert_clean(tmp_path)


def test_connection_refused(refused_url, weather_set, tmp_path):
    with pytest.raises(DownloadError, match="connection refused") as error:
        fetch(refused_url, tmp_path, weather_set[2], timeout=5)
    assert refused_url in str(error.value)
    assert_clean(tmp_path)


@pytest.mark.parametrize("mode,error,message", [
    ("truncate", DownloadError, "incomplete"),
    ("truncate-nolength", ArchiveError, "truncated or damaged"),
    ("html", ArchiveError, "HTML page"),
])
def test_bad_bodies_are_rejected_and_not_cached(served_zip, tmp_path, mode, error, message):
    server, _, table = served_zip
    url = server.url(f"{mode}/weather.zip")
    with pytest.raises(error, match=message) as info:
        fetch(url, tmp_path, table)
    assert url in str(info.value) and "fetch --source" in str(info.value)
    assert_clean(tmp_path)


def test_checksum_mismatch_rejects_the_archive_and_drops_the_download(served_zip, tmp_path):
    server, files_, _ = served_zip
    table = write_table({**files_, "rain3.jpg": b"something else"}, tmp_path.parent / f"{tmp_path.name}.csv",
                        unseen=["rain3.jpg"])
    url = server.url("files/weather.zip")
    with pytest.raises(ChecksumError, match="rain3.jpg") as error:
        fetch(url, tmp_path, table)
    assert url in str(error.value) and "sha256" in str(error.value)
    assert_clean(tmp_path)


@pytest.mark.parametrize("entry", ["../evil.jpg", "/tmp/evil.jpg", "dataset2/../../evil.jpg"])
def test_unsafe_entry_rejects_the_archive(weather_set, tmp_path, entry):
    files_, _, table = weather_set
    archive = write_zip(tmp_path / "evil.zip", files_, extra={entry: files_["rain1.jpg"]})
    data = tmp_path / "data"
    with pytest.raises(ArchiveError, match="unsafe entry") as error:
        fetch(archive, data, table)
    assert "evil.zip" in str(error.value)
    assert_clean(data)
    assert not (tmp_path / "evil.jpg").exists() and archive.is_file()


def test_sources_that_are_not_the_zip_say_what_to_give(tmp_path, weather_set):
    bogus = tmp_path / "dataset2.zip"
    bogus.write_text("<!DOCTYPE html><html>login</html>")
    with pytest.raises(ArchiveError, match="HTML page") as error:
        fetch(bogus, tmp_path / "data", weather_set[2])
    assert "fetch --source" in str(error.value)
    with pytest.raises(DataError, match="no weather archive at .*nope.zip.*fetch --source"):
        fetch(tmp_path / "nope.zip", tmp_path / "data", weather_set[2])
    unzipped = tmp_path / "dataset2"
    unzipped.mkdir()
    (unzipped / "rain1.jpg").write_bytes(weather_set[0]["rain1.jpg"])
    with pytest.raises(DataError, match="is a folder: .*zip file itself"):
        fetch(unzipped, tmp_path / "data", weather_set[2])


def test_an_archive_missing_a_class_or_with_one_photo_is_never_ready(weather_set, tmp_path):
    files_, _, table = weather_set
    no_rain = write_zip(tmp_path / "no-rain.zip", {k: v for k, v in files_.items() if not k.startswith("rain")})
    with pytest.raises(ArchiveError, match=r"incomplete: it gave no photos for train/rain, validate/rain, test/rain"):
        fetch(no_rain, tmp_path / "a", table)
    one = write_zip(tmp_path / "one.zip", {"sunrise2.jpg": files_["sunrise2.jpg"]})
    with pytest.raises(ArchiveError, match=r"\(1 usable photos in all\)"):
        fetch(one, tmp_path / "b", table)
    assert not (tmp_path / "a" / "weather-img").exists() and not (tmp_path / "b" / "weather-img").exists()


@pytest.mark.parametrize("damage,reason", [
    (lambda out: (out / "SPLIT.json").unlink(), "SPLIT.json is missing or unreadable"),
    (lambda out: (out / "SPLIT.json").write_text("{not json"), "SPLIT.json is missing or unreadable"),
    (lambda out: shutil.rmtree(out / "test"), "differs from its SPLIT.json"),
    (lambda out: next(out.glob("train/rain/*.jpg")).unlink(), "1 photos missing, 0 not listed"),
    (lambda out: (out / "validate" / "shine" / "mine.jpg").write_bytes(b"x"), "0 photos missing, 1 not listed"),
])
def test_check_fetch_and_the_notebook_agree_on_ready_and_fetch_repairs(weather_set, tmp_path,
                                                                       monkeypatch, damage, reason):
    from workshop_utils.__main__ import main

    files_, archive, table = weather_set
    out = fetch(archive, tmp_path, table)
    before = laid_out(out)
    damage(out)
    ready, message = wp.status(out)
    assert not ready and reason in message and "`python -m workshop_utils fetch`" in message
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    assert main(["check", "--skip-keras"]) == 1  # check says the same
    fetch(archive, tmp_path, table)  # what fetch and weather_images() do: lay it out again
    assert wp.status(out)[0] and laid_out(out) == before


def test_an_entry_far_bigger_than_any_photo_is_refused_without_reading_it(weather_set, tmp_path):
    """A 1.5 GB entry under a photo's name is refused with the peak memory far under 500 MB."""
    files_, _, table = weather_set
    archive = write_zip(tmp_path / "big.zip", {k: v for k, v in files_.items() if k != "rain3.jpg"})
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("dataset2/rain3.jpg", "w", force_zip64=True) as entry:
            block = bytes(1 << 24)
            for _ in range(96):  # 1.5 GiB of zeros, about 1.5 MB compressed
                entry.write(block)
    script = (f"import sys; from workshop_utils.weather import photos, split\n"
              f"try:\n photos.fetch_weather({str(archive)!r}, {str(tmp_path / 'data')!r}, progress=False,"
              f" table=split.load_table({str(table)!r}))\n"
              f"except Exception as error: print(type(error).__name__, error)\n"
              "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)})
    first, peak = done.stdout.strip().splitlines()[-2:]
    assert first.startswith("ChecksumError") and "far bigger than any photo" in first, done.stdout + done.stderr
    assert int(peak.split()[1]) < 500 * 1024, peak  # kB
    assert not (tmp_path / "data" / "weather-img").exists()


# --- the shipped split table -----------------------------------------------------------------


def test_the_shipped_table_lists_every_original_photo_once():
    table = load_table()
    assert len(table) == 1125 and {p.label for p in table.values()} == set(CLASSES)
    unseen = sorted(name for name, p in table.items() if not p.split)
    assert unseen == ["rain137.jpg", "sunrise16.jpg", "sunrise23.jpg", "sunrise7.jpg"]
    assert table["sunrise16.jpg"].sha256 == table["sunrise23.jpg"].sha256  # one file, twice
    assert {p.split for p in table.values() if p.split} == set(SPLITS)


def test_the_table_is_what_the_grouped_split_makes_of_its_own_hashes():
    table = load_table()
    again = table_text([(p.name, p.sha256, p.dhash) for p in table.values()])
    assert again == TABLE_PATH.read_text(), "re-run tools/make_split_table.py, or restore the table"


def test_a_table_that_is_not_one_says_which_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,sha256,split,group,dhash\nrain1.jpg,abc,train,0,ff\n")
    with pytest.raises(ValueError, match="line 2"):
        load_table(path)


def test_a_photo_the_table_never_saw_joins_its_nearest_copy_else_train():
    table = load_table()
    test_photo = next(p for p in table.values() if p.split == "test" and p.label == "sunrise")
    table = {**table, "sunrise7.jpg": table["sunrise7.jpg"]}
    assert place("sunrise7.jpg", test_photo.dhash ^ 0b101, table) == ("test", test_photo.group)
    far = next(h for h in range(1 << 20, 1 << 21) if all(
        bin(h ^ p.dhash).count("1") > 6 for p in table.values() if p.dhash is not None and p.label == "sunrise"))
    assert place("sunrise7.jpg", far, table) == ("train", None)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_dropping_photos_never_moves_the_others(tmp_path_factory, data):
    photos = standin_photos(n_per_class=8, seed=4, size=(48, 36))
    folder = tmp_path_factory.mktemp("drop")
    table = write_table(photos, folder / "t.csv", unseen=["shine8.jpg"])
    everything = laid_out(fetch(write_zip(folder / "all.zip", photos), folder / "all", table))
    keep = data.draw(st.sets(st.sampled_from(sorted(photos)), min_size=20))
    if not all(any(k.startswith(c) for k in keep) for c in CLASSES):
        return
    try:
        some = laid_out(fetch(write_zip(folder / "some.zip", {k: photos[k] for k in keep}), folder / "some", table))
    except ArchiveError as error:  # a split left without a class: refused, never laid out wrong
        assert "incomplete" in str(error)
        return
    assert all(some[name] == everything[name] for name in some)


@pytest.mark.skipif(not REAL_ZIP.is_file(), reason=f"the real photos are not at {REAL_ZIP}")
def test_the_real_archive_without_any_ten_photos_keeps_every_other_photos_split(tmp_path):
    table = load_table()
    with zipfile.ZipFile(REAL_ZIP) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        dropped = set(random.Random(20261204).sample(names, 10))
        smaller = tmp_path / "smaller.zip"
        with zipfile.ZipFile(smaller, "w") as out:
            for name in names:
                if name not in dropped:
                    out.writestr(name, zf.read(name))
    photos = laid_out(wp.fetch_weather(smaller, tmp_path, progress=False))
    assert len(photos) == 1111
    rows = {Path(name).with_suffix(".jpg").name: row for name, row in table.items()}
    assert all((split, label) == (rows[name].split, rows[name].label)
               for name, (split, label) in photos.items())


# --- killed and concurrent fetches (separate processes, as two kernels would be) -------------

# A fetch in its own process. ``pause`` holds it at one moment so the test can act there:
# "report" stops it with every photo laid out in its temporary folder, just before SPLIT.json;
# "swap" makes two fetches rename their finished layouts into place at the same moment.
_FETCH = """
import os, sys, time
from pathlib import Path
from workshop_utils import files
from workshop_utils.weather import photos, split
source, data_dir, table, pause = sys.argv[1:]
signals = Path(data_dir).parent
if pause == "report":
    def _report(*args, **kwargs):
        (signals / "at-report").touch()
        time.sleep(600)
    photos._report = _report
if pause == "swap":
    swap = files._replace_folder
    def _replace_folder(tmp, target):
        (signals / f"ready-{os.getpid()}").touch()
        deadline = time.monotonic() + 60
        while len(list(signals.glob("ready-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        swap(tmp, target)
    files._replace_folder = _replace_folder
photos.fetch_weather(source, data_dir, progress=False, timeout=30, table=split.load_table(table))
"""


def _start_fetch(source, data_dir, table, pause="none"):
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", _FETCH, source, str(data_dir), str(table), pause],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _kill_when(process, condition, what):
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, f"the fetch ended before {what}: {process.stdout.read()}"
        assert time.monotonic() < deadline, f"the fetch never reached {what}"
        time.sleep(0.01)
    process.kill()
    process.wait(timeout=30)


@pytest.mark.parametrize("moment", ["mid-download", "mid-layout"])
def test_a_killed_fetch_leaves_nothing_under_final_names_and_the_next_one_completes(
        served_zip, tmp_path, moment):
    server, files_, table = served_zip
    data = tmp_path / "data"
    if moment == "mid-download":  # the server sends half, then holds the connection open
        child = _start_fetch(server.url("stall/weather.zip"), data, table)
        _kill_when(child, lambda: any(".part" in p.name and p.stat().st_size > 0
                                      for p in (data / "downloads").glob(".*")),
                   "the middle of the download")
        assert not (data / "downloads" / wa.ARCHIVE_NAME).exists()
    else:
        child = _start_fetch(server.url("files/weather.zip"), data, table, pause="report")
        _kill_when(child, (tmp_path / "at-report").exists, "the layout")
    assert not (data / "weather-img").exists()
    out = fetch(server.url("files/weather.zip"), data, table)
    assert len(laid_out(out)) == wp.split_report(out)["total"] == len(files_) - 1  # cloudy7
    assert visible(data)[:2] == ["downloads", f"downloads/{wa.ARCHIVE_NAME}"]
    leftovers = [p for p in data.rglob(".*")]
    assert leftovers  # the killed writer's temporary: it may still belong to a live writer
    old = time.time() - files.STALE_AFTER_S - 60
    for path in leftovers:
        for inner in [path, *path.rglob("*")]:
            os.utime(inner, (old, old))
    shutil.rmtree(out)
    fetch(server.url("files/weather.zip"), data, table)  # the next writer removes old ones
    assert list(data.rglob(".*")) == []


def test_two_fetches_at_once_both_end_with_one_complete_layout(served_zip, tmp_path):
    server, files_, table = served_zip
    data = tmp_path / "data"
    children = [_start_fetch(server.url("slow/weather.zip"), data, table, pause="swap")
                for _ in range(2)]
    for child in children:
        output = child.communicate(timeout=300)[0]
        assert child.returncode == 0, output
        assert "Photos ready in weather-img/" in output
    assert len(list(tmp_path.glob("ready-*"))) == 2  # both reached the rename together
    out = data / "weather-img"
    assert len(laid_out(out)) == wp.split_report(out)["total"] == len(files_) - 1
    assert sorted(p.name for p in out.iterdir()) == sorted([*SPLITS, wp.MARKER])
    assert list(data.rglob(".*")) == [] and wp.status(out)[0]


# --- WORKSHOP_WEATHER_SOURCE: where the normal fetch path gets the photos --------------------


def test_the_archive_variable_is_the_source_of_the_normal_fetch_path(weather_set, tmp_path,
                                                                     monkeypatch, capsys):
    files_, archive, table = weather_set
    monkeypatch.setattr(wp, "load_table", lambda: load_table(table))  # the small zip's table
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(wa.SOURCE_ENV, str(archive))
    assert wa.weather_source() == archive
    out = wp.weather_images()  # what notebook 04 calls
    assert out == tmp_path / "data" / "weather-img"
    report = wp.split_report(out)
    assert report["total"] == len(files_) - 1  # cloudy7 is corrupt
    # the report names the zip, never the machine's path to it (it is a notebook output)
    assert report["source"] == "weather.zip (a local copy)"
    assert str(tmp_path) not in json.dumps(report)


def test_a_relative_archive_variable_counts_from_the_repository(weather_set, tmp_path, monkeypatch):
    _, archive, _ = weather_set
    relative = os.path.relpath(archive, config.REPO_DIR)
    monkeypatch.chdir(tmp_path)  # a notebook kernel runs in notebooks/, CI in the checkout
    monkeypatch.setenv(wa.SOURCE_ENV, relative)
    assert wa.weather_source() == config.REPO_DIR / relative and wa.weather_source().is_file()


def test_an_archive_variable_naming_no_file_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(wa.SOURCE_ENV, str(tmp_path / "nowhere.zip"))
    with pytest.raises(DataError, match="no weather archive at .*nowhere.zip.*WORKSHOP_WEATHER_SOURCE"):
        wp.fetch_weather(progress=False)


def test_status_is_one_line_with_relative_paths(monkeypatch, tmp_path, weather_set):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    ready, message = wp.status()
    assert not ready and "weather-img/ missing" in message and str(tmp_path) not in message
    fetch(weather_set[1], tmp_path, weather_set[2])
    ready, message = wp.status()
    assert ready and message.startswith("weather-img/ ready") and "\n" not in message
    assert str(tmp_path) not in message


def test_the_tree_is_drawn_as_on_the_slides(weather_set, tmp_path, capsys):
    out = fetch(weather_set[1], tmp_path, weather_set[2])
    capsys.readouterr()
    wp.print_tree(out)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "weather-img" and lines[1] == "├── train" and lines[-5] == "└── test"
    assert re.fullmatch(r"│   ├── cloudy +\d+ photos \(cloudy\d+\.jpg, \.\.\.\)", lines[2])


def test_the_report_hashes_nothing_twice_and_matches_its_files(weather_set, tmp_path):
    out = fetch(weather_set[1], tmp_path, weather_set[2])
    report = wp.split_report(out)
    listed = {(s, c, n) for s in SPLITS for c in CLASSES for n in report["files"][s][c]}
    assert listed == {(p.parent.parent.name, p.parent.name, p.name) for p in out.glob("*/*/*.jpg")}
    assert report["n_listed"] == len(weather_set[0])
