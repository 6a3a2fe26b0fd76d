"""The pretrained weights: registry, download -> verify -> place -> load, and ``fetch --source``.

No test touches the internet. The weights file is made here: the same Keras application built
with ``weights=None``, saved in the legacy HDF5 layout Keras publishes its ImageNet weights in,
under the published file name, and served from 127.0.0.1 (``http_server`` in conftest.py).
Its md5 stands in for the published one, which only the real file has.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from workshop_utils import pretrained
from workshop_utils.data import DATASETS, route_sources
from workshop_utils.download import ChecksumError, DataError, DownloadError

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def make_weights_file(folder: Path, weights: pretrained.PretrainedWeights = pretrained.BACKBONE,
                      seed: int = 0):
    """Build ``weights.application`` with random weights, save it as Keras publishes it.

    Returns (path, the model's weights as arrays, a registry entry whose md5 is this file's).
    """
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format  # the writer of Keras's published files

    keras.utils.set_random_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    model = getattr(keras.applications, weights.application)(
        input_shape=(32, 32, 3), include_top=False, weights=None, pooling="avg")
    path = folder / weights.file_name
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)
    arrays = [np.array(w) for w in model.get_weights()]
    keras.backend.clear_session()
    return path, arrays, dataclasses.replace(weights, md5=md5_file(path))


def md5_file(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    return make_weights_file(tmp_path_factory.mktemp("weights"))


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    home = tmp_path / "keras-home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_the_backbone_has_the_hash_and_address_keras_itself_uses():
    from keras.src.applications import efficientnet

    assert pretrained.BACKBONE.md5 == efficientnet.WEIGHTS_HASHES["b0"][1]
    assert pretrained.BACKBONE.url == efficientnet.BASE_WEIGHTS_PATH + pretrained.BACKBONE.file_name


def test_weights_go_where_keras_looks(keras_home):
    assert pretrained.weights_path() == keras_home / "models" / pretrained.BACKBONE.file_name


def test_download_verify_place_load(http_server, weights_file, keras_home):
    import keras

    path, arrays, entry = weights_file
    shutil.copy(path, http_server.root / path.name)
    entry = dataclasses.replace(entry, url=http_server.url(f"files/{path.name}"))
    assert pretrained.status(entry)[0] is False
    placed = pretrained.fetch_weights(weights=entry, progress=False)
    assert placed == keras_home / "models" / path.name and md5_file(placed) == entry.md5
    ready, message = pretrained.status(entry)
    assert ready and message.startswith("ready")
    assert leftovers(keras_home / "models") == [path.name]
    requests = len(http_server.requests)
    assert pretrained.fetch_weights(weights=entry, progress=False) == placed  # second call: no download
    assert len(http_server.requests) == requests
    # as the notebook builds it, at another input size (the weights do not depend on it)
    model = keras.applications.EfficientNetB0(include_top=False, pooling="avg", weights=str(placed),
                                              input_shape=(48, 48, 3))
    loaded = model.get_weights()
    assert len(loaded) == len(arrays)
    assert all(np.array_equal(a, np.asarray(b)) for a, b in zip(arrays, loaded, strict=True))


def test_the_notebook_gets_the_weights_on_first_use_and_a_tampered_file_never(
        http_server, weights_file, keras_home, monkeypatch):
    path, _, entry = weights_file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    (http_server.root / "tampered.h5").write_bytes(bytes(data))
    shutil.copy(path, http_server.root / path.name)
    monkeypatch.setattr(pretrained, "BACKBONE", dataclasses.replace(entry, url=http_server.url("files/tampered.h5")))
    with pytest.raises(ChecksumError, match="published by Keras"):
        pretrained.weights_file(progress=False)  # what section 9 calls
    assert leftovers(keras_home / "models") == []
    monkeypatch.setattr(pretrained, "BACKBONE", dataclasses.replace(entry, url=http_server.url(f"files/{path.name}")))
    placed = pretrained.weights_file(progress=False)
    assert placed == keras_home / "models" / path.name and md5_file(placed) == entry.md5


def test_offline_the_notebook_says_in_one_line_how_to_bring_the_weights(refused_url, keras_home,
                                                                         monkeypatch):
    monkeypatch.setattr(pretrained, "BACKBONE", dataclasses.replace(pretrained.BACKBONE, url=refused_url))
    with pytest.raises(pretrained.WeightsMissing) as error:
        pretrained.weights_file(progress=False)
    message = str(error.value)
    assert "fetch --source" in message and "\n" not in message and str(keras_home) not in message
    assert "could not be downloaded: could not connect (connection refused" in message
    assert leftovers(keras_home / "models") == []


@pytest.mark.parametrize("mode, error, words", [
    ("truncate", DownloadError, "incomplete"),
    ("html", ChecksumError, "not an HDF5"),
    ("status/404", DownloadError, "404"),
])
def test_bad_downloads_are_refused_and_leave_nothing(http_server, weights_file, keras_home,
                                                     mode, error, words):
    path, _, entry = weights_file
    shutil.copy(path, http_server.root / path.name)
    url = http_server.url(mode if mode.startswith("status") else f"{mode}/{path.name}")
    with pytest.raises(error, match=words):
        pretrained.fetch_weights(weights=dataclasses.replace(entry, url=url), progress=False)
    assert leftovers(keras_home / "models") == []


def test_a_tampered_file_is_refused_with_the_published_hash_named(http_server, weights_file,
                                                                   keras_home, tmp_path):
    path, _, entry = weights_file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    (http_server.root / path.name).write_bytes(bytes(data))
    entry = dataclasses.replace(entry, url=http_server.url(f"files/{path.name}"))
    with pytest.raises(ChecksumError, match=f"expected {entry.md5}.*published by Keras"):
        pretrained.fetch_weights(weights=entry, progress=False)
    assert leftovers(keras_home / "models") == []
    # the same from a USB stick, and a truncated copy
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / path.name).write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="truncated, corrupt"):
        pretrained.fetch_weights(stick / path.name, weights=entry)
    (stick / path.name).write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ChecksumError, match="truncated, corrupt"):
        pretrained.fetch_weights(stick, weights=entry)
    assert leftovers(keras_home / "models") == []
    assert (stick / path.name).is_file()  # the source is never touched


def test_a_wrong_file_in_place_is_reported_and_replaced_only_by_a_verified_one(weights_file,
                                                                                 keras_home, tmp_path):
    path, _, entry = weights_file
    dest = pretrained.weights_path(entry)
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    ready, message = pretrained.status(entry)
    assert not ready and "not the published file" in message and "fetch" in message
    with pytest.raises(DataError, match="does not exist"):
        pretrained.fetch_weights(tmp_path / "nowhere.h5", weights=entry)
    assert dest.read_bytes().startswith(b"\x89HDF")  # still the old one, untouched
    assert pretrained.fetch_weights(path, weights=entry) == dest
    assert md5_file(dest) == entry.md5 and pretrained.status(entry)[0]


def test_sources_are_routed_by_name_and_folder(tmp_path):
    name = pretrained.BACKBONE.file_name
    assert route_sources(["/media/usb/dataset2.zip", f"/media/usb/{name}"]) == {
        "weather photos": "/media/usb/dataset2.zip", "pretrained weights": f"/media/usb/{name}"}
    assert route_sources(["https://mirror.example/get?id=7"]) == {
        "weather photos": "https://mirror.example/get?id=7"}
    assert route_sources([f"https://mirror.example/{name}"]) == {
        "pretrained weights": f"https://mirror.example/{name}"}
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "dataset2.zip").write_bytes(b"zip")
    (stick / name).write_bytes(b"h5")
    (stick / "notes.txt").write_text("hello")
    assert route_sources([str(stick)]) == {"weather photos": str(stick / "dataset2.zip"),
                                           "pretrained weights": str(stick / name)}
    with pytest.raises(ValueError, match="two --source for the weather photos"):
        route_sources(["a.zip", "b.zip"])
    (stick / "dataset2.zip").rename(stick / "a.zip")
    (stick / "b.zip").write_bytes(b"zip")
    with pytest.raises(ValueError, match="several files"):
        route_sources([str(stick)])
    photos = tmp_path / "dataset2"  # the zip unpacked: say what to give instead
    photos.mkdir()
    (photos / "rain1.jpg").write_bytes(b"jpg")
    with pytest.raises(ValueError, match="folder of photos: .*dataset2.zip.*--source"):
        route_sources([str(photos)])


def test_weights_are_an_optional_dataset_of_notebook_04():
    (entry,) = [d for d in DATASETS if d.name == "pretrained weights"]
    assert entry.optional and entry.notebook == "04_weather_cnn" and entry.fetch is not None
    assert all(not d.optional for d in DATASETS if d.name != "pretrained weights")


def test_cli_fetch_source_places_the_weights_offline_and_check_says_ready(weights_file, keras_home,
                                                                          tmp_path, monkeypatch, capsys):
    from workshop_utils.__main__ import main

    path, _, entry = weights_file
    monkeypatch.setattr(pretrained, "BACKBONE", entry)
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "data"))
    assert main(["check", "--skip-keras"]) == 1  # the photos are missing (not the weights' fault)
    out = capsys.readouterr().out
    assert "[missing] pretrained weights: missing: notebook 04 section 9 downloads it" in out
    assert main(["fetch", "--source", str(path)]) == 0
    out = capsys.readouterr().out
    assert "pretrained weights: ready in" in out and "weather photos: not fetched, no --source is for it" in out
    assert pretrained.weights_path(entry).is_file()
    main(["check", "--skip-keras"])
    assert "[ok] pretrained weights: ready" in capsys.readouterr().out
    assert main(["fetch", "--source", str(path)]) == 0
    assert "pretrained weights: already present" in capsys.readouterr().out


def test_cli_fetch_source_of_a_wrong_file_fails_in_one_line(weights_file, keras_home, tmp_path,
                                                            monkeypatch, capsys):
    from workshop_utils.__main__ import main

    path, _, entry = weights_file
    monkeypatch.setattr(pretrained, "BACKBONE", entry)
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "data"))
    bad = tmp_path / path.name
    bad.write_bytes(path.read_bytes()[:1000])
    assert main(["fetch", "--source", str(bad)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: pretrained weights:") and "md5" in errors[0]
    assert leftovers(keras_home / "models") == []
