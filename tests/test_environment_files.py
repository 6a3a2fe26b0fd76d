"""Binder and Colab paths: the environment files agree, and every address names this repository.

``tests/test_notebook_hygiene.py`` already checks that each notebook's first code cell is
``workshop_utils.colab.setup_cell_source()``; this file checks what it does and the rest.
"""

from __future__ import annotations

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

from workshop_utils import colab

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


def compatible(a: SpecifierSet, b: SpecifierSet) -> bool:
    """True when some release satisfies both bounds (tried: every version either names, +0.0.1)."""
    named = {Version(s.version.replace("*", "0")) for s in [*a, *b]}
    candidates = named | {Version(f"{v.major}.{v.minor}.{v.micro + 1}") for v in named}
    if not named:
        return True
    return any(a.contains(v, prereleases=True) and b.contains(v, prereleases=True) for v in candidates)


def test_compatible_bounds_helper():
    assert compatible(SpecifierSet(">=2.16"), SpecifierSet("==2.16.1"))
    assert compatible(SpecifierSet(">1.5"), SpecifierSet("<1.6"))
    assert not compatible(SpecifierSet(">=2.16"), SpecifierSet("<2.10"))
    assert compatible(SpecifierSet(""), SpecifierSet(">=1"))


def test_binder_and_pip_install_the_same_packages_with_compatible_bounds():
    pip_side, _ = requirements_txt()
    binder_side, _ = environment_yml()
    only_pip = sorted(set(pip_side) - set(binder_side))
    only_binder = sorted(set(binder_side) - set(pip_side))
    assert not only_pip and not only_binder, (
        f"requirements.txt only: {only_pip}; environment.yml only: {only_binder}: "
        "list every package in both"
    )
    clashes = [
        f"{name}: requirements.txt {pip_side[name] or 'any'} vs environment.yml "
        f"{binder_side[name] or 'any'}"
        for name in sorted(pip_side) if not compatible(pip_side[name], binder_side[name])
    ]  # fmt: skip
    assert not clashes, "no version satisfies both files:\n" + "\n".join(clashes)


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


def test_colab_installs_the_package_without_tensorflow():
    target = colab.pip_target()
    assert target.startswith("workshop_utils @ git+") and REPO in target
    assert "[" not in target, f"{target!r} asks for extras: Colab's TensorFlow must not be reinstalled"
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    heavy = [d for d in dependencies if _canonical(Requirement(d).name) in {"tensorflow", "keras"}]
    assert not heavy, f"pyproject.toml's base dependencies include {heavy}: keep them in the cnn extra"


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


def test_setup_cell_installs_only_on_colab(monkeypatch):
    assert _run_setup_cell(False, monkeypatch) == []
    [(magic, line)] = _run_setup_cell(True, monkeypatch)
    assert magic == "pip" and line.startswith("install") and colab.pip_target() in line


def test_readme_badges_open_this_repository():
    readme = (ROOT / "README.md").read_text()
    binder = re.findall(r"https://mybinder\.org/v2/gh/([^)\s\"]+)", readme)
    colab_links = re.findall(r"https://colab\.research\.google\.com/github/([^)\s\"]+)", readme)
    assert binder, "README has no Binder badge (https://mybinder.org/v2/gh/...)"
    assert colab_links, "README has no Colab link (https://colab.research.google.com/github/...)"
    for link in binder:
        assert link.startswith(f"{REPO}/{colab.BRANCH}"), f"Binder link {link} is not {REPO}/{colab.BRANCH}"
    for link in colab_links:
        prefix = f"{REPO}/blob/{colab.BRANCH}/"
        assert link.startswith(prefix), f"Colab link {link} does not start with {prefix}"
        assert (ROOT / link.removeprefix(prefix)).is_file(), f"Colab link {link} names no file"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_binder_and_colab_links_in_notebooks_name_this_repository(path):
    text = path.read_text(encoding="utf-8")
    pattern = r"(colab\.research\.google\.com/github|mybinder\.org/v2/gh)/([\w.-]+/[\w.-]+)"
    for host, link in re.findall(pattern, text):
        assert link == REPO, f"{path.name} links to {host}/{link}, not to {REPO}"
