"""The Colab setup cell: the one place that names the repository address.

Every notebook's first code cell is exactly :func:`setup_cell_source` (a test enforces it,
and ``python tools/run_notebooks.py`` rewrites it). On Colab it installs this package
without touching Colab's own TensorFlow; anywhere else it does nothing.
"""

REPO_URL = "https://github.com/ml-nn-intro/ml-nn-intro-workshop"
BRANCH = "main"


def pip_target() -> str:
    """What ``pip install`` gets on Colab: the package from the repository, no TensorFlow."""
    return f"workshop_utils @ git+{REPO_URL}@{BRANCH}"


def setup_cell_source() -> str:
    """The source of the first code cell of every notebook."""
    return (
        "# Setup, the same in every notebook: on Google Colab, install the workshop's helper\n"
        "# package (Colab already has TensorFlow, which is not reinstalled). Elsewhere: nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install -q "{pip_target()}"'
    )
