"""Every widget the notebooks build, built headless and driven, under whichever ipywidgets is here.

The main suite runs this file under ipywidgets 8; ``.ci/run`` runs it again in Colab's
environment (``.venv-colab``: Colab's versions from ``.ci/colab.txt``, ipywidgets 7.7 among
them, and the package installed from the checkout as Colab's setup cell installs it), and sets
``WORKSHOP_EXPECT_IPYWIDGETS`` so that the first test fails if that environment imports any
other ipywidgets, or the checkout's copy of the package instead of the installed one. Uploads are delivered as the browser's front end delivers them (a state update
in that version's own shape), not by assigning a value the version would not produce.
"""

from __future__ import annotations

import ast
import io
import os
import warnings
from pathlib import Path

import ipywidgets
import matplotlib
import numpy as np
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from packaging.version import Version
from PIL import Image

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAJOR = Version(ipywidgets.__version__).major


def test_this_environment_runs_the_ipywidgets_it_should():
    expected = os.environ.get("WORKSHOP_EXPECT_IPYWIDGETS")
    if expected:  # Colab's environment, .venv-colab (.ci/run)
        import sys

        import workshop_utils

        assert ipywidgets.__version__ == expected, (ipywidgets.__version__, ipywidgets.__file__)
        for module in (ipywidgets, workshop_utils):
            assert module.__file__.startswith(sys.prefix), f"{module.__file__} is not in {sys.prefix}"
    assert Version(ipywidgets.__version__) >= Version("7.7"), "the package declares ipywidgets>=7.7"


# --- uploads, as the front end sends them -------------------------------------------------------

def send_upload(upload: ipywidgets.FileUpload, name: str, data: bytes, mime: str = "image/png") -> None:
    """Deliver one file to ``upload`` as the browser does: a state update in this version's shape."""
    modified = 1767225600000  # ms since the epoch, as browsers send it
    if MAJOR >= 8:
        upload.set_state({"value": [{"name": name, "type": mime, "size": len(data),
                                     "last_modified": modified, "content": memoryview(data)}]})
    else:
        upload.set_state({"metadata": [{"name": name, "type": mime, "size": len(data),
                                        "lastModified": modified}],
                          "data": [memoryview(data)], "_counter": upload._counter + 1})


def png_bytes(seed: int = 0, size: int = 40) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_real_upload_reads_the_same_in_this_version():
    from workshop_utils.uploads import _files, first_upload

    def uploaded_files(value):
        return list(_files(value))

    upload = ipywidgets.FileUpload(accept="image/*", multiple=False)
    assert uploaded_files(upload.value) == []
    with pytest.raises(ValueError, match="nothing was uploaded"):
        first_upload(upload.value)
    data = png_bytes()
    send_upload(upload, "sky.png", data)
    assert isinstance(upload.value, tuple if MAJOR >= 8 else dict)
    [file] = uploaded_files(upload.value)
    assert (file.name, file.type, file.content) == ("sky.png", "image/png", data)


# --- which widgets the notebooks build ----------------------------------------------------------

def notebook_widget_calls() -> set[str]:
    """``module.name`` of every ``workshop_utils.widgets`` callable that a notebook calls."""
    calls = set()
    for path in NOTEBOOKS:
        import nbformat

        nb = nbformat.read(path, as_version=4)
        code = "\n".join(TransformerManager().transform_cell(c.source) for c in nb.cells
                         if c.cell_type == "code")
        tree = ast.parse(code)
        names, modules = {}, {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if node.module.startswith("workshop_utils.widgets."):
                        names[alias.asname or alias.name] = f"{node.module.rsplit('.', 1)[1]}.{alias.name}"
                    elif node.module == "workshop_utils.widgets":
                        modules[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in names:
                calls.add(names[func.id])
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
                calls.add(f"{modules[func.value.id]}.{func.attr}")
    return calls


def descendants(widget: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += descendants(child)
    return found


def assert_front_end_can_show(widget: ipywidgets.Widget) -> None:
    """Every part serialises as a front end would receive it, and the cell's text form is readable."""
    for part in descendants(widget):
        state = part.get_state()
        assert state["_model_name"] and part.model_id, part
    assert repr(widget)


def png(image: ipywidgets.Image) -> bytes:
    value = bytes(image.value)
    assert value.startswith(b"\x89PNG"), value[:8]
    return value


# --- one driver per notebook widget: build it as the notebook does, then use its controls -------

def drive_recall_pad():
    from workshop_utils.widgets.hopfield import RecallPad

    pad = RecallPad(stored="HTX", start="T", noise=0.2)
    yield pad.widget
    before = pad.picture.copy()
    pad.pixels[0].value = not pad.pixels[0].value  # a click on the grid
    assert np.sum(pad.picture != before) == 1
    pad.add_noise()
    recall = next(b for b in descendants(pad.widget) if getattr(b, "description", "") == "Recall")
    recall.click()
    assert pad.trace is not None and pad.plot.outputs, "Recall drew no figure"
    pad.step.value = 0
    assert pad.status.value.startswith("step 0 of")
    pad.mode.value = "sync"
    pad.stored_buttons["L"].value = True
    assert set(pad.stored) == {"H", "L", "T", "X"}


def drive_noise_explorer():
    from workshop_utils.patterns import letter
    from workshop_utils.widgets.hopfield import NoiseExplorer

    explorer = NoiseExplorer(stored="HTX", target="T", fraction=0.2)
    yield explorer.widget
    first = explorer.result
    explorer.fraction.value = 0.48
    assert explorer.result.overlap_noisy < first.overlap_noisy and explorer.out.outputs
    explorer.target.value = "X"
    assert np.array_equal(explorer.result.original, letter("X"))


def drive_segment_explorer():
    from workshop_utils.customers import load_customers
    from workshop_utils.widgets.clustering import segment_explorer

    widget = segment_explorer(load_customers(), n_clusters=5)
    yield widget
    sliders, image, details = widget.children
    segments, method, scale = sliders.children
    first, table = png(image), details.value
    segments.value = 3
    assert png(image) != first and details.value != table and details.value.count("<tr>") < table.count("<tr>")
    method.value = "single"
    scale.value = False
    assert png(image)


def drive_line_explorer():
    from workshop_utils.sales import load_sales
    from workshop_utils.widgets.regression import LineExplorer

    sales = load_sales()
    x, y = sales.iloc[:, 0].to_numpy(float), sales.iloc[:, 1].to_numpy(float)
    explorer = LineExplorer(x, y, w0=40.0, w1=10.0)
    yield explorer.widget
    first, loss = png(explorer.image), explorer.loss.value
    explorer.w1.value = -5.0
    assert png(explorer.image) != first and explorer.loss.value != loss and "MSE" in explorer.loss.value


def drive_augmentation_preview():
    from workshop_utils.widgets import weather as ui

    widget = ui.augmentation_preview(png_bytes(1, 48))
    yield widget
    picture = widget.children[-1]
    rotation = widget.children[0].children[0]
    first = png(picture)
    rotation.value = 0.3
    assert png(picture) != first


def drive_upload_classifier():
    from workshop_utils import weather
    from workshop_utils.widgets import weather as ui

    widget = ui.upload_classifier(weather.build_weather_cnn(32, seed=0))
    yield widget
    upload, message, picture = widget.children
    send_upload(upload, "sky.png", png_bytes(2))
    assert message.value.startswith("Looks like"), message.value
    png(picture)
    send_upload(upload, "notes.txt", b"not a photo", mime="text/plain")
    assert message.value.startswith("Could not classify that file"), message.value


DRIVERS = {
    "hopfield.RecallPad": drive_recall_pad,
    "hopfield.NoiseExplorer": drive_noise_explorer,
    "clustering.segment_explorer": drive_segment_explorer,
    "regression.LineExplorer": drive_line_explorer,
    "weather.augmentation_preview": drive_augmentation_preview,
    "weather.upload_classifier": drive_upload_classifier,
}


def test_every_widget_a_notebook_builds_has_a_driver_here():
    used = notebook_widget_calls()
    assert used, "found no widget calls in the notebooks: has the import style changed?"
    assert used == set(DRIVERS), (
        f"notebooks build {sorted(used - set(DRIVERS))} without a driver here; "
        f"drivers for widgets no notebook builds: {sorted(set(DRIVERS) - used)}"
    )


@pytest.mark.parametrize("name", sorted(DRIVERS))
def test_notebook_widget_builds_and_responds(name):
    if name.startswith("weather."):
        pytest.importorskip("keras")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        driver = DRIVERS[name]()
        widget = next(driver)
    # A keyword this ipywidgets does not know (say 8's description_allow_html under 7) is only
    # warned about by traitlets, and the widget silently looks wrong; a deprecated one warns
    # at our call site. (ipywidgets 7's own warnings about ipykernel are not ours.)
    package = str(ROOT / "workshop_utils")
    stray = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught
             if "unrecognized arguments" in str(w.message) or w.filename.startswith(package)]
    assert not stray, stray
    assert isinstance(widget, ipywidgets.Box)
    assert_front_end_can_show(widget)
    for _ in driver:
        pass
