"""Settings shared by every notebook: fast mode and where datasets live.

Both are read from the environment each time they are asked for, so a test or a notebook
can change them with ``os.environ`` and no reload.
"""

import os
from pathlib import Path

FAST_ENV = "WORKSHOP_FAST"
DATA_ENV = "WORKSHOP_DATA_DIR"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

#: The repository checkout this package sits in, or ``None`` when installed from a wheel.
PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").is_file() else None
REPO_DIR: Path | None = _CHECKOUT


def fast_mode() -> bool:
    """True when ``WORKSHOP_FAST`` asks for small data and few epochs (CI); False by default.

    Only notebook 04 shrinks in fast mode; notebooks 01-03 are small enough to run as learners
    run them.
    """
    value = os.environ.get(FAST_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV}={os.environ[FAST_ENV]!r} is not understood: set it to 1 for fast mode "
        "or 0 (or leave it unset) for the full workshop."
    )


def data_dir(create: bool = False) -> Path:
    """The folder where datasets live and downloads are cached.

    ``WORKSHOP_DATA_DIR`` wins (a relative one read by :func:`setting_path`); otherwise the
    checkout's ``data/`` folder, else ``./workshop-data`` (for example on Colab after a pip install).
    """
    override = os.environ.get(DATA_ENV, "").strip()
    if override:
        path = setting_path(override)
    elif REPO_DIR is not None:
        path = REPO_DIR / "data"
    else:
        path = Path.cwd() / "workshop-data"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def setting_path(value: str) -> Path:
    """A path from an environment setting; a relative one counts from the repository's folder in a
    checkout, else from the working directory, so the root and ``notebooks/`` (kernels) agree."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (REPO_DIR or Path.cwd()) / path


def shown(path: str | Path, base: str | Path | None = None, label: str | None = None) -> str:
    """A path as a user (or a stored notebook output) may see it: never an absolute path.

    Relative to ``base`` (default: the repository checkout) when inside it, after ``label/``
    if given ("<data folder>/models/x.keras"); else only the file's name.
    """
    base = REPO_DIR if base is None else Path(base)
    if base is not None:
        try:
            relative = Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
            return f"{label}/{relative}" if label else relative
        except ValueError:
            pass
    return Path(path).name
