"""Binder and Colab paths: the environment files agree, and every address names this repository.

``tests/test_notebook_hygiene.py`` already checks that each notebook's first code cell is
``workshop_utils.colab.setup_cell_source()``; this file checks what it does, the badges, and
that Binder's lock (environment.yml, from ``tools/lock_binder.py``) agrees with requirements.txt.
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

from workshop_utils import __version__, colab

ROOT = Path(__file__).resolve().parents[1]
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
    """environment.yml's pip packages, each of which must be pinned to one exact version."""
    pip_side, _ = environment_yml()
    loose = [f"{name} {spec or 'any'}" for name, spec in pip_side.items()
             if len(spec) != 1 or next(iter(spec)).operator != "=="]
    assert not loose, f"environment.yml must pin exact versions (`python tools/lock_binder.py`): {loose}"
    return {name: Version(next(iter(spec)).version) for name, spec in pip_side.items()}


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


def test_tested_versions_agree_with_the_lock_and_the_ipywidgets7_pins():
    from workshop_utils.tested import TESTED

    locked = lock()
    for name in ("tensorflow", "keras", "ipywidgets", "jupyterlab"):
        assert Version(TESTED[name][0]) == locked[name], f"{name}: tested.py and environment.yml disagree"
    pins = (ROOT / ".ci" / "ipywidgets7.txt").read_text()
    assert f"ipywidgets=={TESTED['ipywidgets'][1]}" in pins
    _, conda = environment_yml()
    assert f"python={_minor(TESTED['python'][0])}" in conda


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


#: What Colab has and the setup cell must never upgrade, downgrade or reinstall.
COLAB_STACK = {"tensorflow", "keras", "numpy", "ipywidgets", "matplotlib", "pandas", "scikit-learn",
               "pillow", "scipy", "jupyterlab-widgets", "widgetsnbextension"}


def test_colab_installs_this_version_from_its_tag_and_nothing_else():
    assert colab.TAG == f"v{__version__}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__, "pyproject.toml's version differs from workshop_utils.__version__"
    target = colab.pip_target()
    assert target == f"workshop_utils @ git+https://github.com/{REPO}@v{__version__}"
    assert "@main" not in target and "[" not in target
    assert not {_canonical(name) for name in colab.COLAB_EXTRAS} & COLAB_STACK
    heavy = [d for d in project["dependencies"] if _canonical(Requirement(d).name) in {"tensorflow", "keras"}]
    assert not heavy, f"pyproject.toml's base dependencies include {heavy}: keep them in the cnn extra"


def test_declared_ipywidgets_allows_colabs_7_7_and_8():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [ipywidgets] = [Requirement(d) for d in dependencies if Requirement(d).name == "ipywidgets"]
    learners, _ = learner_and_dev_requirements()
    for spec in (ipywidgets.specifier, learners["ipywidgets"]):
        assert spec.contains("7.7.1") and spec.contains("8.1.9"), spec


class _RecordingShell:
    """Stands in for IPython's ``get_ipython()``: records the magics the setup cell runs."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []

    def run_line_magic(self, name: str, line: str, *args) -> None:
        self.calls.append((name, line))


def _run_setup_cell(on_colab: bool, monkeypatch) -> list[tuple[str, str]]:
    """Run the setup cell's Python (magics recorded, not run); return the magics it ran."""
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    shell = _RecordingShell()
    code = TransformerManager().transform_cell(colab.setup_cell_source())
    exec(compile(code, "<setup cell>", "exec"), {"get_ipython": lambda: shell})  # noqa: S102
    return shell.calls


def test_setup_cell_installs_only_on_colab(monkeypatch, capsys):
    assert _run_setup_cell(False, monkeypatch) == []
    assert capsys.readouterr().out == ""
    # The exact command, spelt out: pinned to this version's tag, no dependencies, no extras.
    assert _run_setup_cell(True, monkeypatch) == [
        ("pip", f'install -q --no-deps "workshop_utils @ git+https://github.com/{REPO}@v{__version__}"')
    ]
    assert capsys.readouterr().out == (
        f"Installed workshop_utils {__version__} (tag v{__version__}); Colab's own packages are left as they are.\n"
    )


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
