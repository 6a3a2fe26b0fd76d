"""fetch_weather end to end on a small zip in the real layout, served from 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import manifest_of, write_zip
from workshop_utils.download import ArchiveError, ChecksumError, DownloadError
from workshop_utils.weather import dataset as wd
from workshop_utils.weather import make_standin_weather


def fetch(source, data_dir, manifest, **kwargs):
    return wd.fetch_weather(source=source, data_dir=data_dir, manifest=manifest, progress=False,
                            **kwargs)


def laid_out(folder):
    """{photo name: (split, class)} for every photo in a laid-out folder."""
    return {p.name: (p.parent.parent.name, p.parent.name) for p in folder.glob("*/*/*.*")}


def assert_clean(data_dir):
    """After a failure the data folder holds nothing (no partial file, no staging folder)."""
    left = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*")) if data_dir.exists() else []
    assert left == []


@pytest.fixture
def served_zip(http_server, weather_set):
    files, archive, manifest = weather_set
    (http_server.root / "weather.zip").write_bytes(archive.read_bytes())
    return http_server, files, manifest


def test_fetch_over_http_lays_out_every_good_photo(served_zip, tmp_path, capsys):
    server, files, manifest = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, manifest)
    assert out == tmp_path / "weather-img"
    photos = laid_out(out)
    expected = {n.rsplit(".", 1)[0] + ".jpg" for n in files} - {"cloudy7.jpg"}  # cloudy7 is corrupt
    assert set(photos) == expected
    assert all(split in wd.SPLITS and label == re.match("[a-z]+", name).group()
               for name, (split, label) in photos.items())
    for path in out.glob("*/*/*.jpg"):
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
            assert max(image.size) <= wd.MAX_SIDE
    report = wd.split_report(out)
    assert report["undecodable"] == ["cloudy7.jpg"] and report["missing"] == []
    assert report["total"] == len(expected) == sum(sum(r.values()) for r in report["counts"].values())
    converted = report["converted"]
    assert "PNG named .jpg" in converted["cloudy3.jpg"]
    assert "mode RGBA" in converted["shine2.jpg"]
    assert "GIF" in converted["rain4.jpg"] and "3 frames" in converted["rain4.jpg"]
    assert "mode L" in converted["cloudy5.jpg"]
    assert "named .jpeg" in converted["rain2.jpeg"]
    assert "sunrise1.jpg" not in converted and report["n_shrunk"] == 1  # 1200x800, a plain JPEG
    assert report["n_byte_identical_sets"] == 1
    assert (tmp_path / "downloads" / wd.ARCHIVE_NAME).is_file()
    assert "Near-duplicate groups" in capsys.readouterr().out


def test_near_duplicates_stay_in_one_split(served_zip, tmp_path):
    server, _, manifest = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, manifest)
    photos = laid_out(out)
    assert photos["cloudy8.jpg"][0] == photos["cloudy9.jpg"][0]  # resized, re-encoded copy
    assert photos["shine5.jpg"][0] == photos["shine6.jpg"][0]  # byte copy
    groups = {frozenset(p.rsplit("/", 1)[1] for p in g["files"]): g
              for g in wd.split_report(out)["duplicate_groups"]}
    assert groups[frozenset({"shine5.jpg", "shine6.jpg"})]["identical"] is True
    assert groups[frozenset({"cloudy8.jpg", "cloudy9.jpg"})]["identical"] is False
    first, second = wd.example_duplicate_pair(out)
    assert {first.name, second.name} == {"cloudy8.jpg", "cloudy9.jpg"}
    assert first.is_file() and second.is_file()


def test_second_call_is_a_no_op(served_zip, tmp_path, capsys):
    server, _, manifest = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, manifest)
    stamp = (out / wd.MARKER).stat().st_mtime_ns
    hits = len(server.requests)
    capsys.readouterr()
    assert fetch(server.url("files/weather.zip"), tmp_path, manifest) == out
    assert "nothing to do" in capsys.readouterr().out
    assert (out / wd.MARKER).stat().st_mtime_ns == stamp and len(server.requests) == hits


def test_cached_download_is_reused(served_zip, tmp_path):
    server, _, manifest = served_zip
    out = fetch(server.url("files/weather.zip"), tmp_path, manifest)
    hits = len(server.requests)
    shutil.rmtree(out)
    fetch(server.url("files/weather.zip"), tmp_path, manifest)
    assert len(server.requests) == hits


def test_same_seed_same_split_other_seed_other_split(weather_set, tmp_path):
    _, archive, manifest = weather_set
    a = laid_out(fetch(archive, tmp_path / "a", manifest, seed=3))
    b = laid_out(fetch(archive, tmp_path / "b", manifest, seed=3))
    c = laid_out(fetch(archive, tmp_path / "c", manifest, seed=4))
    assert a == b and a != c


def test_local_zip_without_top_folder_and_with_junk(weather_set, tmp_path):
    files, _, manifest = weather_set
    archive = write_zip(tmp_path / "flat.zip", files, top="",
                        extra={"__MACOSX/._cloudy1.jpg": b"junk", "README.txt": b"hello"})
    out = fetch(archive, tmp_path / "data", manifest)
    report = wd.split_report(out)
    assert report["skipped"] == ["README.txt", "__MACOSX/._cloudy1.jpg"]
    assert archive.is_file()  # a local source is never moved or deleted


def test_photos_missing_from_the_archive_are_reported_not_fatal(weather_set, tmp_path):
    files, _, _ = weather_set
    manifest = tmp_path / "m.sha256"
    manifest.write_text(manifest_of(files | {"rain137.jpg": b"not in the zip"}))
    out = fetch(weather_set[1], tmp_path / "data", manifest)
    assert wd.split_report(out)["missing"] == ["rain137.jpg"]


def test_http_error_names_the_source_and_what_to_do(http_server, weather_set, tmp_path):
    url = http_server.url("status/404")
    with pytest.raises(DownloadError, match="HTTP 404") as error:
        fetch(url, tmp_path, weather_set[2])
    assert url in str(error.value) and "fetch_weather(source=" in str(error.value)
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
    server, _, manifest = served_zip
    url = server.url(f"{mode}/weather.zip")
    with pytest.raises(error, match=message) as info:
        fetch(url, tmp_path, manifest)
    assert url in str(info.value) and "fetch_weather(source=" in str(info.value)
    assert_clean(tmp_path)


def test_checksum_mismatch_rejects_the_archive_and_drops_the_download(served_zip, tmp_path):
    server, files, _ = served_zip
    wrong = dict(files)
    wrong["rain3.jpg"] = b"something else"
    manifest = tmp_path.parent / f"{tmp_path.name}-wrong.sha256"
    manifest.write_text(manifest_of(wrong))
    url = server.url("files/weather.zip")
    with pytest.raises(ChecksumError, match="rain3.jpg") as error:
        fetch(url, tmp_path, manifest)
    assert url in str(error.value) and "sha256" in str(error.value)
    assert_clean(tmp_path)


@pytest.mark.parametrize("entry", ["../evil.jpg", "/tmp/evil.jpg", "dataset2/../../evil.jpg"])
def test_unsafe_entry_rejects_the_archive(weather_set, tmp_path, entry):
    files, _, manifest = weather_set
    archive = write_zip(tmp_path / "evil.zip", files, extra={entry: files["rain1.jpg"]})
    data = tmp_path / "data"
    with pytest.raises(ArchiveError, match="unsafe entry") as error:
        fetch(archive, data, manifest)
    assert str(archive) in str(error.value)
    assert_clean(data)
    assert not (tmp_path / "evil.jpg").exists()
    assert archive.is_file()


def test_local_file_that_is_not_a_zip(tmp_path, weather_set):
    bogus = tmp_path / "dataset2.zip"
    bogus.write_text("<!DOCTYPE html><html>login</html>")
    with pytest.raises(ArchiveError, match="HTML page") as error:
        fetch(bogus, tmp_path / "data", weather_set[2])
    assert str(bogus) in str(error.value)
    with pytest.raises(FileNotFoundError, match="No weather archive"):
        fetch(tmp_path / "nope.zip", tmp_path / "data", weather_set[2])


def test_incomplete_folder_is_not_mistaken_for_a_finished_one(weather_set, tmp_path):
    (tmp_path / "weather-img" / "train").mkdir(parents=True)
    with pytest.raises(wd.DataError, match="no SPLIT.json"):
        fetch(weather_set[1], tmp_path, weather_set[2])


# --- killed and concurrent fetches (separate processes, as two kernels would be) -------------

# A fetch in its own process. ``pause`` holds it at one moment so the test can act there:
# "marker" stops it with every photo laid out in the staging folder, just before SPLIT.json;
# "swap" makes two fetches rename their finished layouts into place at the same moment.
_FETCH = """
import os, sys, time
from pathlib import Path
from workshop_utils.weather import dataset as wd
source, data_dir, manifest, pause = sys.argv[1:]
signals = Path(data_dir).parent
if pause == "marker":
    def _write_marker(folder, report):
        (signals / "at-marker").touch()
        time.sleep(600)
    wd._write_marker = _write_marker
if pause == "swap":
    swap = wd._swap_into_place
    def _swap_into_place(staging, dest):
        (signals / f"ready-{os.getpid()}").touch()
        deadline = time.monotonic() + 60
        while len(list(signals.glob("ready-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        swap(staging, dest)
    wd._swap_into_place = _swap_into_place
wd.fetch_weather(source=source, data_dir=data_dir, manifest=manifest, progress=False, timeout=30)
"""


def _start_fetch(source, data_dir, manifest, pause="none"):
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.Popen([sys.executable, "-c", _FETCH, source, str(data_dir), str(manifest),
                             pause], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _kill_when(process, condition, what):
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, f"the fetch ended before {what}: {process.stdout.read()}"
        assert time.monotonic() < deadline, f"the fetch never reached {what}"
        time.sleep(0.01)
    process.kill()
    process.wait(timeout=30)


def _everything(data_dir):
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.iterdir()) + sorted(
        f"downloads/{p.name}" for p in (data_dir / "downloads").iterdir())


@pytest.mark.parametrize("moment", ["mid-download", "mid-layout"])
def test_a_killed_fetch_leaves_nothing_under_final_names_and_the_next_one_completes(
        served_zip, tmp_path, moment):
    server, files, manifest = served_zip
    data = tmp_path / "data"
    if moment == "mid-download":  # the server sends half, then holds the connection open
        child = _start_fetch(server.url("stall/weather.zip"), data, manifest)
        _kill_when(child, lambda: any(p.suffix == ".part" and p.stat().st_size > 0
                                      for p in (data / "downloads").glob(".*")),
                   "the middle of the download")
        assert not (data / "downloads" / wd.ARCHIVE_NAME).exists()
    else:
        child = _start_fetch(server.url("files/weather.zip"), data, manifest, pause="marker")
        _kill_when(child, (tmp_path / "at-marker").exists, "the layout")
        assert any(p.name.startswith(".weather-img.") for p in data.iterdir())  # its staging
    assert not (data / "weather-img").exists()
    out = fetch(server.url("files/weather.zip"), data, manifest)
    assert len(laid_out(out)) == wd.split_report(out)["total"] == len(files) - 1  # cloudy7
    assert _everything(data) == ["downloads", "weather-img", f"downloads/{wd.ARCHIVE_NAME}"]


def test_two_fetches_at_once_both_end_with_one_complete_layout(served_zip, tmp_path):
    server, files, manifest = served_zip
    data = tmp_path / "data"
    children = [_start_fetch(server.url("slow/weather.zip"), data, manifest, pause="swap")
                for _ in range(2)]
    for child in children:
        output = child.communicate(timeout=300)[0]
        assert child.returncode == 0, output
        assert "Photos ready in weather-img/" in output
    assert len(list(tmp_path.glob("ready-*"))) == 2  # both reached the rename together
    out = data / "weather-img"
    assert len(laid_out(out)) == wd.split_report(out)["total"] == len(files) - 1
    assert sorted(p.name for p in out.iterdir()) == sorted([*wd.SPLITS, wd.MARKER])
    assert _everything(data) == ["downloads", "weather-img", f"downloads/{wd.ARCHIVE_NAME}"]


def test_a_layout_another_fetch_renames_into_place_first_is_kept(tmp_path, monkeypatch):
    ours, theirs, dest = (tmp_path / name for name in ("ours", "theirs", "weather-img"))
    for folder in (ours, theirs):
        folder.mkdir()
        (folder / wd.MARKER).write_text(folder.name)
    replace, calls = os.replace, []

    def racing_replace(src, dst):  # the other fetch lands right after we found no dest
        calls.append(src)
        try:
            replace(src, dst)
        finally:
            if len(calls) == 1:
                replace(theirs, dest)

    monkeypatch.setattr(wd.os, "replace", racing_replace)
    wd._swap_into_place(ours, dest)
    assert (dest / wd.MARKER).read_text() == "theirs" and len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ours", "weather-img"]  # ours: the caller's to remove


def test_shipped_manifest_lists_every_original_photo():
    manifest = wd.load_manifest()
    assert len(manifest) == 1125
    assert {re.match("[a-z]+", name).group() for name in manifest} == set(wd.CLASSES)


def test_bad_manifest_line_is_reported(tmp_path):
    path = tmp_path / "m.sha256"
    path.write_text("nothex  dataset2/a.jpg\n")
    with pytest.raises(ValueError, match="line 1"):
        wd.load_manifest(path)


# --- the stand-in ------------------------------------------------------------------------------


def test_standin_layout_note_and_report(tmp_path):
    out = make_standin_weather(tmp_path / "s", n_per_class=20, size=(32, 32))
    assert "STAND-IN" in (out / "STANDIN.txt").read_text()
    photos = laid_out(out)
    assert len(photos) == 80
    assert {(split, label) for split, label in photos.values()} == {
        (s, c) for s in wd.SPLITS for c in wd.CLASSES}
    report = wd.split_report(out)
    assert report["counts"]["rain"] == {"train": 14, "validate": 3, "test": 3}
    for group in report["duplicate_groups"]:
        assert len({f.split("/")[0] for f in group["files"]}) == 1
    assert report["n_duplicate_groups"] >= 8  # two copies per class at least
    assert "Source: synthetic stand-in" in wd.print_split_report(out)


def test_standin_second_call_is_a_no_op_and_new_parameters_rebuild(tmp_path):
    out = make_standin_weather(tmp_path / "s", n_per_class=10, size=(24, 24))
    stamp = (out / wd.MARKER).stat().st_mtime_ns
    assert make_standin_weather(tmp_path / "s", n_per_class=10, size=(24, 24)) == out
    assert (out / wd.MARKER).stat().st_mtime_ns == stamp
    make_standin_weather(tmp_path / "s", n_per_class=12, size=(24, 24))
    assert len(laid_out(out)) == 48
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # no staging folders left


def test_standin_is_repeatable(tmp_path):
    a = make_standin_weather(tmp_path / "a", n_per_class=10, size=(24, 24), seed=5)
    b = make_standin_weather(tmp_path / "b", n_per_class=10, size=(24, 24), seed=5)
    assert laid_out(a) == laid_out(b)
    assert all((a / p).read_bytes() == (b / p).read_bytes()
               for p in (str(q.relative_to(a)) for q in a.glob("*/*/*.png")))


def test_standin_rejects_too_few_pictures(tmp_path):
    with pytest.raises(ValueError, match="n_per_class"):
        make_standin_weather(tmp_path, n_per_class=3)


def test_weather_images_uses_the_standin_in_fast_mode(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    out = wd.weather_images(fast=True)
    assert out == tmp_path / "weather-standin" and (out / "STANDIN.txt").is_file()
    monkeypatch.setenv("WORKSHOP_FAST", "1")
    assert wd.example_duplicate_pair() is not None


def test_status_is_one_line_with_relative_paths(monkeypatch, tmp_path, weather_set):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    ready, message = wd.status()
    assert not ready and "weather-img/ missing" in message and str(tmp_path) not in message
    fetch(weather_set[1], tmp_path, weather_set[2])
    ready, message = wd.status()
    assert ready and message.startswith("weather-img/ ready") and str(tmp_path) not in message
    assert "\n" not in message


def test_data_module_reexports():
    from workshop_utils import data

    assert data.fetch_weather is wd.fetch_weather and data.WEATHER_URL == wd.WEATHER_URL
    assert wd.WEATHER_URL.startswith("https://data.mendeley.com/")


def test_report_is_json_with_the_documented_keys(weather_set, tmp_path):
    out = fetch(weather_set[1], tmp_path, weather_set[2])
    report = json.loads((out / wd.MARKER).read_text())
    for key in ("source", "seed", "fractions", "counts", "total", "duplicate_groups",
                "n_duplicate_groups", "missing", "undecodable", "skipped", "converted"):
        assert key in report
    assert zipfile.is_zipfile(weather_set[1])


def test_split_report_says_how_the_groups_are_spread():
    report = {"source": "x", "counts": {"cloudy": {"train": 3, "validate": 1, "test": 1}},
              "n_duplicate_groups": 2, "n_in_duplicate_groups": 5, "n_byte_identical_sets": 0,
              "max_distance": 6, "fractions": {"train": 0.6, "validate": 0.2, "test": 0.2}, "seed": 0,
              "duplicate_groups": [{"split": "train", "files": ["a", "b", "c"]},
                                   {"split": "test", "files": ["d", "e"]}]}
    text = wd.format_split_report(report)
    assert "photos in groups per split: train 3, validate 0, test 2." in text
    assert "per split" not in wd.format_split_report({**report, "duplicate_groups": []})


# --- WORKSHOP_WEATHER_SOURCE: where the normal fetch path gets the photos --------------------


def test_the_archive_variable_is_the_source_of_the_normal_fetch_path(weather_set, tmp_path,
                                                                     monkeypatch, capsys):
    files, archive, manifest = weather_set
    monkeypatch.setattr(wd, "MANIFEST_PATH", manifest)  # the small test zip's checksums
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(wd.SOURCE_ENV, str(archive))
    assert wd.weather_source() == archive
    out = wd.weather_images(fast=False)  # what notebook 04 calls
    assert out == tmp_path / "data" / "weather-img"
    report = wd.split_report(out)
    assert report["total"] == len(files) - 1  # cloudy7 is corrupt
    # the report names the zip, never the machine's path to it (it is a notebook output)
    assert report["source"] == "weather.zip (a local copy)"
    assert "Source: weather.zip (a local copy)" in capsys.readouterr().out
    assert wd.photos_problem() is None


def test_a_relative_archive_variable_counts_from_the_repository(weather_set, tmp_path, monkeypatch):
    _, archive, _ = weather_set
    relative = os.path.relpath(archive, wd.config.REPO_DIR)
    monkeypatch.chdir(tmp_path)  # a notebook kernel runs in notebooks/, CI in the checkout
    monkeypatch.setenv(wd.SOURCE_ENV, relative)
    assert wd.weather_source() == wd.config.REPO_DIR / relative
    assert wd.weather_source().is_file()


def test_an_archive_variable_naming_no_file_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(wd.SOURCE_ENV, str(tmp_path / "nowhere.zip"))
    with pytest.raises(FileNotFoundError, match="WORKSHOP_WEATHER_SOURCE=.* names no file"):
        wd.fetch_weather(progress=False)
    problem = wd.photos_problem()
    assert "names no file" in problem and "\n" not in problem


def test_no_photos_and_no_internet_is_one_line_that_says_how_to_provide_them(
        tmp_path, monkeypatch, refused_url):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(wd.SOURCE_ENV, raising=False)
    monkeypatch.setattr(wd, "WEATHER_URL", refused_url)  # the public address, unreachable
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(key, raising=False)
    problem = wd.photos_problem(timeout=2)
    assert problem.startswith("no weather photos in weather-img/ of the data folder, and "
                              "127.0.0.1 cannot be reached")
    assert "WORKSHOP_WEATHER_SOURCE" in problem and "fetch --source" in problem
    assert "\n" not in problem


def test_photos_already_laid_out_need_no_source(weather_set, tmp_path, monkeypatch, refused_url):
    _, archive, manifest = weather_set
    fetch(archive, tmp_path, manifest)
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(wd.SOURCE_ENV, refused_url)
    assert wd.photos_problem() is None
