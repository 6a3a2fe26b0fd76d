"""Settings for the one pytest run that tests the package and every notebook.

Environment set here reaches the notebook kernels that nbval starts, because they inherit
this process's environment.

Notebook 04 runs under nbval in **full mode**, on the real photos, because its stored outputs
come from a full run. The photos come from the normal fetch path: already laid out in the data
folder, the zip that ``WORKSHOP_WEATHER_SOURCE`` names (CI: ``.ci/run`` sets it), or the public
download. When none of those can work, or ``WORKSHOP_FAST=1`` is set, the notebook's cells are
replaced by one test that fails with one line saying what to do: never skipped, never run on
stand-in pictures against outputs that came from the real ones.
"""

import os

import pytest

# Keep TensorFlow's C++ start-up chatter out of the streams nbval compares.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: The notebook whose full mode needs the real photos.
PHOTO_NOTEBOOK = "04_weather_cnn.ipynb"


class NotebookCannotRun(pytest.Item):
    """Stands in for a notebook's cells when it cannot run here; fails with one line."""

    def __init__(self, *, problem: str, **kwargs):
        super().__init__(**kwargs)
        self.problem = problem

    def runtest(self):
        pytest.fail(self.problem, pytrace=False)

    def reportinfo(self):
        return self.path, None, self.name


def photo_notebook_problem() -> str | None:
    """Why notebook 04 cannot run under nbval here, in one line, or None when it can."""
    from workshop_utils import config
    from workshop_utils.weather import dataset

    if config.fast_mode():
        return (f"{PHOTO_NOTEBOOK}: its stored outputs come from full mode, but WORKSHOP_FAST=1 "
                "is set: unset it to check the notebook under nbval (fast mode is for quick runs "
                f"and the browser test), or leave it out with --deselect notebooks/{PHOTO_NOTEBOOK}")
    problem = dataset.photos_problem()
    return None if problem is None else f"{PHOTO_NOTEBOOK} cannot run: {problem}"


@pytest.hookimpl(trylast=True)  # after -k and --deselect have had their say
def pytest_collection_modifyitems(session, config, items):
    cells = [item for item in items
             if item.path.name == PHOTO_NOTEBOOK and type(item).__name__ == "IPyNbCell"]
    if not cells:
        return
    problem = photo_notebook_problem()
    if problem is None:
        return
    first = items.index(cells[0])
    config.hook.pytest_deselected(items=cells)
    items[:] = [item for item in items if item not in cells]
    # A child of the session, not of the notebook's collector: no kernel starts for it.
    parent = cells[0].parent
    items.insert(first, NotebookCannotRun.from_parent(
        session, name="photos", path=parent.path, nodeid=f"{parent.nodeid}::photos",
        problem=problem))
