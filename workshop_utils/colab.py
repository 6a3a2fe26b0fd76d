"""Colab and Binder: the one place that names the repository, the version tag and the setup cell.

Every notebook's first code cell is exactly :func:`setup_cell_source`, and its header cell
carries :func:`badge_markdown` under the title (``python tools/run_notebooks.py`` writes both;
tests check them). On Colab the setup cell installs this package, at the tag of this version,
and nothing else; anywhere else it does nothing.
"""

from __future__ import annotations

from . import __version__

REPO = "ml-nn-intro/ml-nn-intro-workshop"
REPO_URL = f"https://github.com/{REPO}"
#: The git tag of this version: the install, the Colab badges and the Binder badge all use it,
#: never the moving ``main``, so a notebook opened from a badge gets the package it was written for.
TAG = f"v{__version__}"

#: Packages that Colab does not ship and that the package imports: none. The package imports
#: numpy, scipy, scikit-learn, pandas, matplotlib, ipywidgets, Pillow, tqdm, psutil, nbformat
#: and (notebooks 03-04) TensorFlow and Keras; Colab's runtime has every one of them (its
#: published `pip freeze`, googlecolab/backend-info, 2026: ipywidgets 7.7.1, TensorFlow 2.19,
#: Keras 3.10, NumPy 2.0). So the install uses ``--no-deps`` and adds nothing: pip never
#: upgrades or downgrades Colab's own stack (an ipywidgets 8 there stops every widget from
#: rendering). Add a name here only for a new import that Colab lacks.
COLAB_EXTRAS: tuple[str, ...] = ()

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"


def pip_target() -> str:
    """What ``pip install`` gets on Colab: this version of the package, from its git tag."""
    return f"workshop_utils @ git+{REPO_URL}@{TAG}"


def install_line() -> str:
    """The ``%pip`` line the setup cell runs on Colab (no dependencies, nothing upgraded)."""
    return " ".join(["%pip install -q --no-deps", f'"{pip_target()}"', *COLAB_EXTRAS])


def installed_message() -> str:
    """The one line the setup cell prints on Colab after installing."""
    extras = f" and {', '.join(COLAB_EXTRAS)}" if COLAB_EXTRAS else ""
    return (f"Installed workshop_utils {__version__} (tag {TAG}){extras}; "
            "Colab's own packages are left as they are.")


def setup_cell_source() -> str:
    """The source of the first code cell of every notebook."""
    return (
        "# Setup, the same in every notebook. On Google Colab: install the workshop's helper\n"
        f"# package at the version these notebooks were written for ({TAG}), without its\n"
        "# dependencies, so Colab's own TensorFlow, Keras, NumPy and ipywidgets stay as they are.\n"
        "# Elsewhere: nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f"    {install_line()}\n"
        f'    print("{installed_message()}")'
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
