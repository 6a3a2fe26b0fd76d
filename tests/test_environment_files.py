"""Binder and Colab paths: the environment files agree, and every address names this repository.

``tests/test_notebook_hygiene.py`` checks that each notebook's first code cell is
``tools/colab.py``'s setup cell, and ``tests/test_colab_and_versions.py`` what it does; this file
checks the badges, that Binder's lock (environment.yml, from ``tools/lock_binder.py``) agrees
with requirements.txt, and that Colab's pins (.ci/colab.txt) cover what the notebooks import.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from workshop_utils import __version__

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402
from lock_binder import BINDER_SWAPS, COLAB_PINS, pins  # noqa: E402

REPO = colab.REPO_URL.removeprefix("https://github.com/")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def requirements_txt() -> tuple[dict[str, SpecifierSet], list[str]]:
    """requirements.txt as {package: bounds}, and its option lines (such as ``-e .``)."""
    packages, options = {}, []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            options.append(" ".join(line.split()))
            continue
        requirement = Requirement(line)
        packages[_canonical(requirement.name)] = requirement.specifier
    return packages, options


def environment_yml() -> tuple[dict[str, SpecifierSet], list[str]]:
    """environment.yml's pip packages as {package: bounds}, and its conda packages as written."""
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], {}
    for entry in spec["dependencies"]:
        if isinstance(entry, dict):
            for line in entry.get("pip", []):
                requirement = Requirement(line)
                pip[_canonical(requirement.name)] = requirement.specifier
        else:
            conda.append(str(entry))
    return pip, conda


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock() -> dict[str, Version]:
    """environment.yml's pip packages, each pinned to one exact version, by the name CI installs
    (``tensorflow`` for Binder's ``tensorflow-cpu``: lock_binder.BINDER_SWAPS)."""
    pip_side, _ = environment_yml()
    loose = [f"{name} {spec or 'any'}" for name, spec in pip_side.items()
             if len(spec) != 1 or next(iter(spec)).operator != "=="]
    assert not loose, f"environment.yml must pin exact versions (`python tools/lock_binder.py`): {loose}"
    ci_name = {_canonical(binder): _canonical(ci) for ci, binder in BINDER_SWAPS.items()}
    return {ci_name.get(name, name): Version(next(iter(spec)).version) for name, spec in pip_side.items()}


def test_binder_gets_tensorflow_cpu_at_the_tested_version():
    pip_side, _ = environment_yml()
    assert "tensorflow" not in pip_side and "tensorflow-cpu" in pip_side, (
        "Binder has no GPU: its lock names tensorflow-cpu (`python tools/lock_binder.py`)")


def learner_and_dev_requirements() -> tuple[dict[str, SpecifierSet], set[str]]:
    """requirements.txt split at its "tests and linting only" marker."""
    learners, dev, seen_marker = {}, set(), False
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        seen_marker = seen_marker or line.startswith("# --- tests and linting only")
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        if seen_marker:
            dev.add(_canonical(requirement.name))
        else:
            learners[_canonical(requirement.name)] = requirement.specifier
    assert seen_marker, "requirements.txt needs its '# --- tests and linting only' line above the test tools"
    return learners, dev


def test_binder_lock_holds_every_learner_package_within_requirements_bounds():
    locked = lock()
    learners, _ = learner_and_dev_requirements()
    missing = sorted(set(learners) - set(locked))
    assert not missing, f"environment.yml lacks {missing}: run `python tools/lock_binder.py`"
    outside = [f"{name} {locked[name]} (requirements.txt: {learners[name]})"
               for name in sorted(learners) if not learners[name].contains(locked[name], prereleases=True)]
    assert not outside, f"the lock is outside requirements.txt's bounds: {outside}"


def test_binder_lock_has_no_test_or_lint_tools():
    _, dev = learner_and_dev_requirements()
    # nbclient runs notebooks for the tests, but JupyterLab needs it too (through nbconvert).
    tools = (dev | {"playwright", "coverage", "pytest-cov"}) - {"nbclient"}
    leaked = sorted(tools & set(lock()))
    assert not leaked, f"environment.yml holds test or lint tools {leaked}: Binder's learners never use them"


def _imported_top_names(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def imports_of_notebooks_and_package() -> set[str]:
    """Top-level names imported by the notebooks' code cells and by workshop_utils."""
    import nbformat

    names = set()
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                names |= _imported_top_names(TransformerManager().transform_cell(cell.source))
    for path in (ROOT / "workshop_utils").rglob("*.py"):
        names |= _imported_top_names(path.read_text(encoding="utf-8"))
    return names - set(sys.stdlib_module_names) - {"workshop_utils", "__future__", "google"}


def test_binder_lock_holds_every_package_the_notebooks_and_package_import():
    names = imports_of_notebooks_and_package()
    assert {"numpy", "keras", "ipywidgets", "PIL"} <= names, names  # the scan sees the real imports
    where = importlib.metadata.packages_distributions()
    locked = set(lock())
    unknown = sorted(name for name in names if name not in where)
    assert not unknown, f"imported but not installed here, so not locked either: {unknown}"
    missing = sorted(f"{name} ({', '.join(where[name])})" for name in names
                     if not {_canonical(d) for d in where[name]} & locked)
    assert not missing, f"imported by a notebook or the package but not in environment.yml: {missing}"


def test_tested_versions_agree_with_the_lock_and_colabs_pins():
    from workshop_utils.tested import TESTED

    locked, colab_pins = lock(), pins(COLAB_PINS)
    for name in ("tensorflow", "keras", "ipywidgets", "jupyterlab"):
        assert Version(TESTED[name][0]) == locked[name], f"{name}: tested.py and environment.yml disagree"
        expected = tuple(dict.fromkeys([TESTED[name][0], colab_pins.get(name, TESTED[name][0])]))
        assert TESTED[name] == expected, f"{name}: tested.py and .ci/colab.txt disagree"
    _, conda = environment_yml()
    assert f"python={_minor(TESTED['python'][0])}" in conda


def test_colab_pins_cover_every_package_the_notebooks_and_package_import():
    """CI's Colab environment holds only these pins (and what they need), so a notebook that
    imports a package Colab lacks fails there; the setup cell installs nothing but the package."""
    where = importlib.metadata.packages_distributions()
    pinned = set(pins(COLAB_PINS))
    missing = sorted(f"{name} ({', '.join(where[name])})" for name in imports_of_notebooks_and_package()
                     if not {_canonical(d) for d in where.get(name, [name])} & pinned)
    assert not missing, f"imported by a notebook or the package but not in .ci/colab.txt: {missing}"
    text = COLAB_PINS.read_text()
    assert "googlecolab/backend-info" in text and re.search(r"\b20\d\d\b", text), (
        ".ci/colab.txt must say where and when its versions come from")


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def test_readme_states_the_tested_versions():
    from workshop_utils.tested import TESTED

    readme = (ROOT / "README.md").read_text()
    line = next((line for line in readme.splitlines() if line.startswith("Tested with")), None)
    assert line, "README needs a line starting 'Tested with' giving workshop_utils/tested.py's versions"
    for name, label in [("python", "Python"), ("tensorflow", "TensorFlow"), ("keras", "Keras"),
                        ("ipywidgets", "ipywidgets"), ("jupyterlab", "JupyterLab")]:
        stated = f"{label} {' and '.join(TESTED[name])}"
        assert stated in line, f"README's tested versions lack {stated!r}: {line}"


def test_binder_python_satisfies_the_package():
    _, conda = environment_yml()
    pythons = [entry for entry in conda if re.match(r"python\s*[=<>!~]", entry)]
    assert pythons, "environment.yml pins no python version (e.g. python=3.11)"
    version = re.split(r"[=<>!~]+", pythons[0], maxsplit=1)[1].strip()
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert SpecifierSet(requires).contains(version.rstrip(".*")), (
        f"Binder's python {version} does not satisfy requires-python {requires}"
    )


def test_both_paths_install_the_workshop_package():
    _, options = requirements_txt()
    assert "-e ." in options, "requirements.txt must install the package itself: add `-e .`"
    lines = (ROOT / "postBuild").read_text().splitlines()
    assert lines and lines[0].startswith("#!"), "postBuild needs a shebang line (#!/usr/bin/env bash)"
    installs = [line for line in lines if re.match(r"\s*(python -m )?pip install\b.*\s\.\s*$", line)]
    assert installs, "postBuild must install the package from the checkout (`pip install -e .`)"


def test_colab_installs_this_version_from_its_tag():
    assert colab.TAG == f"v{__version__}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__, "pyproject.toml's version differs from workshop_utils.__version__"
    target = colab.pip_target()
    assert target == f"workshop_utils @ git+https://github.com/{REPO}@v{__version__}"
    assert "@main" not in target and "[" not in target
    heavy = [d for d in project["dependencies"] if _canonical(Requirement(d).name) in {"tensorflow", "keras"}]
    assert not heavy, f"pyproject.toml's base dependencies include {heavy}: keep them in the cnn extra"


def test_declared_ipywidgets_allows_colabs_7_7_and_8():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [ipywidgets] = [Requirement(d) for d in dependencies if Requirement(d).name == "ipywidgets"]
    learners, _ = learner_and_dev_requirements()
    for spec in (ipywidgets.specifier, learners["ipywidgets"]):
        assert spec.contains("7.7.1") and spec.contains("8.1.9"), spec


def test_readme_badges_open_this_version():
    readme = (ROOT / "README.md").read_text()
    binder = re.findall(r"https://mybinder\.org/v2/gh/([^)\s\"]+)", readme)
    assert binder, "README has no Binder badge (https://mybinder.org/v2/gh/...)"
    assert colab.binder_badge_markdown() in readme, f"README lacks {colab.binder_badge_markdown()}"
    for link in binder:
        assert link.startswith(f"{REPO}/{colab.TAG}"), f"Binder link {link} is not {REPO}/{colab.TAG}"
    for path in NOTEBOOKS:
        assert colab.badge_markdown(path.name) in readme, (
            f"README's table lacks {path.name}'s Colab badge: {colab.badge_markdown(path.name)}")
    prefix = f"{REPO}/blob/{colab.TAG}/"
    for link in re.findall(r"https://colab\.research\.google\.com/github/([^)\s\"]+)", readme):
        assert link.startswith(prefix), f"Colab link {link} does not start with {prefix}"
        assert (ROOT / link.removeprefix(prefix)).is_file(), f"Colab link {link} names no file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_header_holds_its_colab_badge_under_the_title(path):
    header = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
    lines = "".join(header["source"]).splitlines()
    assert header["cell_type"] == "markdown" and lines[0].startswith("# "), lines[:1]
    assert lines[1:2] == [colab.badge_markdown(path.name)], (
        f"{path.name}: the line under the title is not its Colab badge; run `python tools/run_notebooks.py`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_binder_and_colab_links_in_notebooks_name_this_repository(path):
    text = path.read_text(encoding="utf-8")
    pattern = r"(colab\.research\.google\.com/github|mybinder\.org/v2/gh)/([\w.-]+/[\w.-]+)"
    for host, link in re.findall(pattern, text):
        assert link == REPO, f"{path.name} links to {host}/{link}, not to {REPO}"
