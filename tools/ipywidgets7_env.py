"""Run the widget tests under ipywidgets 7.7 (what Colab ships), in a second virtual environment.

    python tools/ipywidgets7_env.py               # from the main environment (.venv), as CI does
    python tools/ipywidgets7_env.py -k upload     # extra arguments go to pytest

The environment ``.venv-ipywidgets7`` holds only the packages pinned in ``.ci/ipywidgets7.txt``
(ipywidgets 7.7 and its companions, a few MB). Everything else, TensorFlow and Keras included,
comes from the main environment through a ``.pth`` file: a path in a ``.pth`` file goes on
``sys.path`` *after* the environment's own site-packages, so its ipywidgets 7.7 wins over the
main environment's 8, and nothing is installed twice. The main environment is never changed
(pip leaves packages outside the environment it installs into alone). The tests then run
``tests/test_widgets_both_versions.py`` with ``WORKSHOP_EXPECT_IPYWIDGETS`` set, so they fail
if the environment imports any other ipywidgets.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
ENV = ROOT / ".venv-ipywidgets7"
PINS = ROOT / ".ci" / "ipywidgets7.txt"
TESTS = ["tests/test_widgets_both_versions.py"]


def pinned() -> dict[str, str]:
    """The pins of ``.ci/ipywidgets7.txt`` as {name: version}."""
    found = {}
    for line in PINS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            [spec] = requirement.specifier
            found[requirement.name] = spec.version
    return found


def env_python() -> Path:
    return ENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _in_env(code: str) -> str:
    return subprocess.run([str(env_python()), "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


def make_env() -> None:
    """Create the environment (once), link the main one's packages, install the pins."""
    if sys.prefix == sys.base_prefix:
        raise SystemExit("run this with the main virtual environment's python (. .venv/bin/activate)")
    if not env_python().is_file():
        venv.EnvBuilder(with_pip=False, clear=True).create(ENV)
    site_packages = Path(_in_env("import sysconfig; print(sysconfig.get_path('purelib'))"))
    main_paths = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site_packages / "main-environment.pth").write_text("".join(f"{p}\n" for p in main_paths))
    versions = _in_env(
        "import importlib.metadata as m, sys\n"
        f"for name in {list(pinned())!r}:\n"
        "    try: d = m.distribution(name)\n"
        "    except m.PackageNotFoundError: print(name, '-'); continue\n"
        "    print(name, d.version if str(d.locate_file('')).startswith(sys.prefix) else '-')"
    )
    have = dict(line.split() for line in versions.splitlines())
    if have != pinned():
        subprocess.run([str(env_python()), "-m", "pip", "install", "-q", "--no-deps",
                        "--disable-pip-version-check", "-r", str(PINS)], check=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    make_env()
    main_site = sysconfig.get_path("purelib")
    env = {**os.environ, "WORKSHOP_EXPECT_IPYWIDGETS": pinned()["ipywidgets"], "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    print(subprocess.run([str(env_python()), "-c", (
        "import os, ipywidgets, keras, tensorflow as tf\n"
        "where = lambda m: os.path.relpath(os.path.dirname(m.__file__))\n"
        "print(f'ipywidgets {ipywidgets.__version__} ({where(ipywidgets)}), TensorFlow {tf.__version__} '\n"
        "      f'and Keras {keras.__version__} ({where(tf)})')")],
        env=env, check=True, capture_output=True, text=True).stdout.strip())
    print(f"main environment keeps ipywidgets {importlib.metadata.version('ipywidgets')} ({main_site})")
    command = [str(env_python()), "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider",
               "-W", "ignore:The `ipykernel.comm.Comm` class has been deprecated:DeprecationWarning",
               *TESTS, *argv]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    raise SystemExit(main())
