"""FileUpload values of ipywidgets 7 and 8, read as plain files (no widget needed).

The shapes below are written out as each version documents them; tests/test_widgets_both_versions.py
makes real ones through the installed version's FileUpload.
"""

import datetime

import pytest

from workshop_utils.uploads import UploadedFile, _files, first_upload, is_upload_value


def uploaded_files(value):
    return list(_files(value))

PNG = b"\x89PNG\r\n\x1a\n..."


def value_8(*files):
    """ipywidgets 8: a tuple of dicts, one per file."""
    return tuple({"name": name, "type": "image/png", "size": len(data), "content": memoryview(data),
                  "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)}
                 for name, data in files)


def value_7(*files):
    """ipywidgets 7: a dict keyed by file name of {'metadata': ..., 'content': ...}."""
    return {name: {"metadata": {"name": name, "type": "image/png", "size": len(data),
                                "lastModified": 1767225600000},
                   "content": data}
            for name, data in files}


@pytest.mark.parametrize("make", [value_7, value_8], ids=["ipywidgets7", "ipywidgets8"])
def test_both_shapes_give_the_same_files(make):
    files = uploaded_files(make(("sky.png", PNG), ("rain.png", b"second")))
    assert files == [UploadedFile("sky.png", PNG, "image/png"), UploadedFile("rain.png", b"second", "image/png")]
    assert first_upload(make(("sky.png", PNG))).content == PNG
    assert is_upload_value(make(("sky.png", PNG)))


@pytest.mark.parametrize("empty", [(), {}, []], ids=["ipywidgets8", "ipywidgets7", "list"])
def test_nothing_uploaded_yet(empty):
    assert uploaded_files(empty) == []
    with pytest.raises(ValueError, match="nothing was uploaded: choose a photo first"):
        first_upload(empty)


def test_one_files_dict_of_either_version_and_memoryview_content():
    [single_8] = value_8(("a.png", PNG))
    single_7 = value_7(("b.png", PNG))["b.png"]
    assert first_upload(single_8) == UploadedFile("a.png", PNG, "image/png")
    assert first_upload(single_7) == UploadedFile("b.png", PNG, "image/png")
    assert first_upload({"content": memoryview(PNG)}) == UploadedFile("your photo", PNG, "")
    # ipywidgets 7 with content but no metadata: the dict key names the file
    assert first_upload({"c.png": {"content": bytearray(PNG)}}).name == "c.png"


def test_bad_values_say_what_is_wrong():
    with pytest.raises(ValueError, match="'content' key"):
        uploaded_files({"name": "sky.jpg"})
    with pytest.raises(ValueError, match="'content' key"):
        uploaded_files(({"name": "sky.jpg"},))
    with pytest.raises(TypeError, match="must be bytes"):
        uploaded_files({"content": "text"})
    with pytest.raises(TypeError, match="expected a FileUpload value"):
        uploaded_files(42)
    assert not is_upload_value(b"bytes") and not is_upload_value("path.png") and not is_upload_value([1, 2])


@pytest.mark.parametrize("make", [value_7, value_8], ids=["ipywidgets7", "ipywidgets8"])
def test_first_upload_reads_only_the_first_file(make):
    """The others are neither copied nor checked: a broken second file does not matter."""
    value = make(("sky.png", PNG), ("broken.png", b""))
    if isinstance(value, dict):
        value["broken.png"]["content"] = "not bytes"
    else:
        value = (value[0], {**value[1], "content": "not bytes"})
    assert first_upload(value) == UploadedFile("sky.png", PNG, "image/png")
    with pytest.raises(TypeError, match="must be bytes"):
        uploaded_files(value)
