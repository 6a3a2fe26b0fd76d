"""Fast mode, data folder, seeding and the cheap import."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import workshop_utils
from workshop_utils import config


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("0", False), ("", False)])
def test_fast_mode_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("WORKSHOP_FAST", value)
    assert workshop_utils.fast_mode() is expected


def test_fast_mode_default_is_full(monkeypatch):
    monkeypatch.delenv("WORKSHOP_FAST", raising=False)
    assert workshop_utils.fast_mode() is False


def test_fast_mode_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("WORKSHOP_FAST", "maybe")
    with pytest.raises(ValueError, match="WORKSHOP_FAST"):
        workshop_utils.fast_mode()


def test_data_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_DATA_DIR", str(tmp_path / "d"))
    assert workshop_utils.data_dir() == tmp_path / "d"
    assert not (tmp_path / "d").exists()
    assert workshop_utils.data_dir(create=True).is_dir()


def test_a_relative_data_dir_means_one_folder_from_the_root_and_from_notebooks(monkeypatch, tmp_path):
    """Kernels run in notebooks/, a terminal in the root: as for WORKSHOP_WEATHER_SOURCE, both agree."""
    monkeypatch.setenv("WORKSHOP_DATA_DIR", "shared-data")
    seen = set()
    for folder in (config.REPO_DIR, config.REPO_DIR / "notebooks"):
        monkeypatch.chdir(folder)
        seen.add(workshop_utils.data_dir())
    assert seen == {config.REPO_DIR / "shared-data"}
    monkeypatch.setattr(config, "REPO_DIR", None)  # installed from a wheel: the working directory
    monkeypatch.chdir(tmp_path)
    assert workshop_utils.data_dir() == tmp_path / "shared-data"
    monkeypatch.setenv("WORKSHOP_DATA_DIR", "~/elsewhere")
    assert workshop_utils.data_dir() == Path.home() / "elsewhere"


def test_data_dir_default_is_the_repository_data_folder(monkeypatch):
    monkeypatch.delenv("WORKSHOP_DATA_DIR", raising=False)
    assert config.REPO_DIR is not None
    assert workshop_utils.data_dir() == config.REPO_DIR / "data"


def test_seed_everything_repeats_python_and_numpy():
    rng = workshop_utils.seed_everything(7)
    first = (random.random(), np.random.rand(), rng.random())
    rng = workshop_utils.seed_everything(7)
    assert (random.random(), np.random.rand(), rng.random()) == first


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        workshop_utils.seed_everything(bad)


def test_no_module_of_the_package_imports_tensorflow():
    # The one check of the rule: every module, imported in a fresh interpreter, leaves
    # TensorFlow and Keras unimported (the modules that train import Keras inside functions).
    code = (
        "import importlib, pkgutil, sys, workshop_utils\n"
        "names = [m.name for m in pkgutil.walk_packages(workshop_utils.__path__, 'workshop_utils.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "    heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "    assert not heavy, f'importing {name} imported {heavy}'\n"
        "print(len(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 30  # every module was reached, not just a few
