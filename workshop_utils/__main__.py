"""Command line: ``python -m workshop_utils check | fetch | student-copy``.

``check`` is what a learner runs before the workshop; ``fetch`` is how an instructor prepares
a room with bad wifi; ``student-copy`` writes notebooks without outputs or solutions.
"""

import argparse
import importlib
import importlib.metadata
import os
import platform
import sys
from pathlib import Path

from . import __version__, config
from .machine import accelerator_line, cpu_model, memory_line
from .tested import TESTED

#: What the notebooks import, as {import name: distribution name}.
REQUIRED = {"numpy": "numpy", "scipy": "scipy", "sklearn": "scikit-learn", "pandas": "pandas",
            "matplotlib": "matplotlib", "ipywidgets": "ipywidgets", "PIL": "pillow",
            "pooch": "pooch", "requests": "requests", "tqdm": "tqdm", "psutil": "psutil"}


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def untested_versions(installed: dict[str, str | None], tested: dict = TESTED) -> str | None:
    """One line naming the installed versions CI never tested (same major.minor), else None.

    ``installed`` maps the names in :data:`workshop_utils.tested.TESTED` (python, tensorflow,
    ...) to versions; a package that is not installed (None) is not compared.
    """
    outside = [
        f"{name} {version} (tested: {', '.join(tested[name])})"
        for name, version in installed.items()
        if version and name in tested and _minor(version) not in {_minor(v) for v in tested[name]}
    ]
    if not outside:
        return None
    return ("note: CI tested the workshop with other versions of " + "; ".join(outside)
            + ". The notebooks may still work; if one fails, `pip install -r requirements.txt` in a fresh venv.")


def _keras_report() -> tuple[list[str], list[str]]:
    """Import Keras for real (a broken TensorFlow install shows up here) and list GPUs."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import keras
        import tensorflow as tf
    except Exception as error:  # any import failure is a broken install for the learner
        return [], [
            f"TensorFlow/Keras cannot be imported ({type(error).__name__}: {error}); "
            "notebooks 03 and 04 need them: `pip install -r requirements.txt`"
        ]
    accelerator = accelerator_line()
    if accelerator.endswith("(no GPU found)"):
        accelerator += ": enough for this workshop"
    lines = [f"TensorFlow {tf.__version__}, Keras {keras.__version__} (backend {keras.backend.backend()})",
             accelerator]
    return lines, []


def check(skip_keras: bool = False) -> int:
    """Print what a learner's machine has; return 1 (with reasons) if a notebook would fail."""
    import psutil

    from .data import DATASETS

    problems: list[str] = []
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"workshop_utils {__version__}")
    for module, dist in REQUIRED.items():
        try:
            importlib.import_module(module)
            print(f"  {dist} {_version(dist)}")
        except ImportError as error:
            problems.append(f"{dist} is missing ({error}): `pip install -r requirements.txt`")
    if not skip_keras:
        lines, keras_problems = _keras_report()
        for line in lines:
            print(line)
        problems += keras_problems
    installed = {"python": platform.python_version(),
                 **{name: _version(name) for name in TESTED if name != "python"}}
    note = untested_versions(installed, TESTED)
    if note:
        print(note)
    memory = psutil.virtual_memory()
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; memory: {memory.total / 10**9:.1f} GB")
    print(memory_line(memory.available))
    print(f"Data folder: {config.data_dir()}  (set WORKSHOP_DATA_DIR to move it)")
    print(f"Fast mode: {'on' if config.fast_mode() else 'off'}")
    optional_missing: list[str] = []
    for dataset in DATASETS:
        try:
            ready, message = dataset.status()
        except Exception as error:  # a broken dataset module must not hide the others
            ready, message = False, f"cannot be checked ({type(error).__name__}: {error})"
        print(f"  [{'ok' if ready else 'missing'}] {dataset.name}: {message} (notebook {dataset.notebook})")
        if ready:
            continue
        what = "`python -m workshop_utils fetch`"
        if dataset.optional:
            optional_missing.append(f"{dataset.name} for notebook {dataset.notebook} (optional): run {what}")
        else:
            problems.append(f"dataset {dataset.name!r} for notebook {dataset.notebook} is not ready: run {what}")
    if problems:
        print("\nNot ready yet:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("\nAll set: every notebook has what it needs.")
    for missing in optional_missing:
        print(f"  Optional, not there: {missing}")
    return 0


def fetch(sources: list[str] | None = None) -> int:
    """Download and verify every dataset that is not shipped; say so when there is nothing to do.

    With ``sources`` (``--source``, repeatable) each dataset is taken from the source meant for
    it (:func:`workshop_utils.data.route_sources`); one with no source is left alone (with a
    line saying so; ``check`` then says what is still missing).
    """
    from .data import DATASETS, route_sources

    routed = route_sources(sources) if sources else {}
    failed = False
    for dataset in DATASETS:
        ready, message = dataset.status()
        if ready:
            print(f"{dataset.name}: already present ({message}); nothing to do")
            continue
        if sources and dataset.name not in routed:
            print(f"{dataset.name}: not fetched, no --source is for it (add --source <its file>, "
                  "or run fetch without --source to download it)")
            continue
        print(f"{dataset.name}: fetching ...", flush=True)
        try:
            path = dataset.fetch(source=routed.get(dataset.name))
        except Exception as error:  # one clear line, not a traceback, for an instructor
            print(f"error: {dataset.name}: {one_line(error)}", file=sys.stderr)
            failed = True
            continue
        print(f"{dataset.name}: ready in {path}")
    return 1 if failed else 0


def student_copy(dest: str, force: bool = False) -> int:
    """Write the notebooks without outputs and solutions, for a room that types along."""
    from .student_copy import make_student_copies

    for path, done in make_student_copies(Path(dest), force=force).items():
        print(f"{path}: {done}")
    return 0


def one_line(error: BaseException) -> str:
    """An error as one line for the terminal: its message, else its type's name."""
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop_utils", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="is this machine ready for the workshop?")
    p_check.add_argument("--skip-keras", action="store_true", help="do not import TensorFlow (faster)")
    p_fetch = sub.add_parser("fetch", help="download and verify every dataset and the pretrained "
                             "weights (a second run does nothing)")
    p_fetch.add_argument("--source", action="append",
                         help="take a dataset from this URL, file or folder instead of its public address; "
                              "repeatable: a .zip (or any other URL) is the weather photos, a .h5 file the "
                              "pretrained weights, a folder (USB stick) gives each the file it holds")
    p_copy = sub.add_parser("student-copy", help="write notebooks without outputs and solutions")
    p_copy.add_argument("dest", help="folder to write the student notebooks into")
    p_copy.add_argument("--force", action="store_true",
                        help="overwrite copies changed since student-copy wrote them (a learner's work)")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return check(skip_keras=args.skip_keras)
        if args.command == "fetch":
            return fetch(sources=args.source)
        return student_copy(args.dest, force=args.force)
    except (ValueError, OSError) as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
