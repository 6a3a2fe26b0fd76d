"""Colab and Binder: the one place that names the repository, the version tag and the setup cell.

Every notebook's first code cell is exactly :func:`setup_cell_source`, and its header cell
carries :func:`badge_markdown` under the title (``python tools/run_notebooks.py`` writes both;
tests check them). On Colab the setup cell installs the package at the tag of this version,
without dependencies, and stops the notebook with one line saying why if that fails; anywhere
else it does nothing. The package is not installed when the cell runs, so the cell's logic is
written out in it, not imported. Used by ``tools/run_notebooks.py`` and the tests only.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from workshop_utils import __version__  # noqa: E402  (the one version source)

REPO = "ml-nn-intro/ml-nn-intro-workshop"
REPO_URL = f"https://github.com/{REPO}"
#: The git tag of this version: the install, the Colab badges and the Binder badge all use it,
#: never the moving ``main``, so a notebook opened from a badge gets the package it was written for.
TAG = f"v{__version__}"

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"

#: The setup cell after the line naming the repository and the tag. The install adds no package to Colab's: CI runs every
#: notebook on Colab's versions (.ci/colab.txt) with only this package added, ``--no-deps``.
_SETUP_BODY = '''
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                          f"workshop_utils @ git+{repo}@{tag}"], capture_output=True, text=True)
    error = pip.stderr
    if pip.returncode == 0:
        problem = None
    elif "Could not resolve host" in error or "unable to access" in error:
        problem = "GitHub cannot be reached: check that this runtime is online, then run this cell again"
    elif "did not match any file" in error:
        problem = (f"{repo} has no tag {tag}: open the notebook from the workshop's README "
                   "(a fork must set its own address in tools/colab.py and push the tag)")
    elif any(text in error for text in ("not found", "could not read Username", "repository exists")):
        problem = (f"there is no repository at {repo}: open the notebook from the workshop's README "
                   "(a fork must set its own address in tools/colab.py)")
    else:
        problem = f"pip failed ({(error.strip().splitlines() or ['no message'])[-1]}): run this cell again"
    if problem is None:
        try:
            import workshop_utils
            if workshop_utils.__version__ != tag[1:]:
                problem = (f"version {workshop_utils.__version__} was loaded earlier: "
                           "Runtime > Restart session, then run this cell again")
        except ImportError as failure:
            problem = f"pip installed it, but it does not import ({failure}): run this cell again"
    if problem:
        print(f"Setup failed, workshop_utils {tag} is not ready: {problem}")
        raise RuntimeError("the setup failed: the line above says why")
    print(f"Installed workshop_utils {tag[1:]} (tag {tag}); Colab's own packages are left as they are.")'''


def pip_target() -> str:
    """What ``pip install`` gets on Colab: this version of the package, from its git tag."""
    return f"workshop_utils @ git+{REPO_URL}@{TAG}"


def installed_message() -> str:
    """The one line the setup cell prints on Colab once the package imports at this version."""
    return f"Installed workshop_utils {__version__} (tag {TAG}); Colab's own packages are left as they are."


def setup_cell_source() -> str:
    """The source of the first code cell of every notebook."""
    return (
        "# Setup, the same in every notebook. On Google Colab: install the workshop's helper\n"
        f"# package at the version these notebooks were written for ({TAG}), without its\n"
        "# dependencies, so Colab's own TensorFlow, Keras, NumPy and ipywidgets stay as they are;\n"
        "# if that fails, say why in one line and stop here. Elsewhere: nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        f'    repo, tag = "{REPO_URL}", "{TAG}"'
        + _SETUP_BODY
    )


def colab_url(notebook: str) -> str:
    """The address that opens ``notebooks/<notebook>`` of this version in Colab."""
    return f"https://colab.research.google.com/github/{REPO}/blob/{TAG}/notebooks/{notebook}"


def badge_markdown(notebook: str) -> str:
    """The "Open in Colab" badge for one notebook (a line of Markdown)."""
    return f"[![Open in Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook)})"


def binder_url() -> str:
    """The address that builds this version on Binder and opens JupyterLab in ``notebooks/``."""
    return f"https://mybinder.org/v2/gh/{REPO}/{TAG}?urlpath=lab/tree/notebooks"


def binder_badge_markdown() -> str:
    """The Binder badge for the README."""
    return f"[![Binder]({BINDER_BADGE_IMAGE})]({binder_url()})"
