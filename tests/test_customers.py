"""The customer table: reproducible generator, shipped CSV, loader fallback, status line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils import config, customers
from workshop_utils.customers import COLUMNS, INCOME, SEGMENTS, SPEND, make_customers

SHIPPED = config.REPO_DIR / "data" / customers.FILE_NAME


def test_generator_reproduces_the_shipped_file_byte_for_byte():
    assert SHIPPED.read_bytes() == customers.to_csv_text(make_customers()).encode("utf-8")


def test_loader_reads_the_shipped_table_with_the_slide_columns():
    table = customers.load_customers()
    assert tuple(table.columns) == COLUMNS
    assert len(table) == customers.DEFAULT_N
    pd.testing.assert_frame_equal(table, make_customers())


def test_loader_falls_back_to_the_generator_when_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))  # an empty data folder ...
    monkeypatch.setattr(config, "REPO_DIR", None)  # ... and no checkout, as on Colab
    assert config.find_data_file(customers.FILE_NAME) is None
    pd.testing.assert_frame_equal(customers.load_customers(), make_customers())
    ready, message = customers.status()
    assert ready and "make_customers" in message


def test_loader_prefers_an_override_in_the_data_dir(tmp_path, monkeypatch):
    make_customers(n=12, seed=3).to_csv(tmp_path / "customers.csv", index=False)
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    assert len(customers.load_customers()) == 12


def test_loader_says_what_is_wrong_with_a_broken_file(tmp_path, monkeypatch):
    (tmp_path / "customers.csv").write_text("ID,Income\n1,20\n", encoding="utf-8")
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    with pytest.raises(ValueError, match="lacks the column"):
        customers.load_customers()
    ready, message = customers.status()
    assert not ready and "unreadable" in message


def test_status_names_a_relative_path_and_the_count():
    ready, message = customers.status()
    assert ready
    assert message == f"shipped: data/customers.csv ({customers.DEFAULT_N} customers)"


def test_write_customers_regenerates_the_file(tmp_path, capsys):
    target = tmp_path / "sub" / "customers.csv"
    assert customers.main([str(target)]) == 0
    assert target.read_bytes() == SHIPPED.read_bytes()
    assert "wrote" in capsys.readouterr().out


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 400), seed=st.integers(0, 2**32 - 1))
def test_any_size_and_seed_gives_a_plausible_table(n, seed):
    table, groups = make_customers(n=n, seed=seed, return_groups=True)
    assert list(table["ID"]) == list(range(1, n + 1))
    assert table[INCOME].between(10, 150).all() and (table[SPEND] >= 20).all()
    assert (table[SPEND] % 10 == 0).all()
    assert groups.shape == (n,) and set(groups) <= set(range(-1, len(SEGMENTS)))
    pd.testing.assert_frame_equal(table, make_customers(n=n, seed=seed))  # same seed, same table


def test_different_seeds_give_different_tables():
    assert not make_customers(seed=1).equals(make_customers(seed=2))


def test_groups_are_visible_in_the_default_table():
    table, groups = make_customers(return_groups=True)
    sizes = np.bincount(groups[groups >= 0])
    assert len(sizes) == len(SEGMENTS) and sizes.min() >= 20
    means = table[groups >= 0].groupby(groups[groups >= 0])[[INCOME, SPEND]].mean()
    expected = [[s.income_mean, s.spend_mean] for s in SEGMENTS]
    np.testing.assert_allclose(means.to_numpy(), expected, rtol=0.15)


@pytest.mark.parametrize("bad", [{"n": 1}, {"n": 2.5}, {"n": True}, {"seed": -1}, {"seed": "a"}])
def test_bad_arguments_are_refused_clearly(bad):
    with pytest.raises(ValueError, match="must be an integer"):
        make_customers(**bad)


def test_data_module_reexports_the_loaders():
    from workshop_utils import data

    assert data.load_customers is customers.load_customers
    assert data.make_customers is customers.make_customers
    status = {d.name: d for d in data.DATASETS}["customers"].status()
    assert status == customers.status()
