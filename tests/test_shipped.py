"""The two tables shipped in the package (customers, sales): their generators, their loaders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools import make_tables
from tools.make_tables import SEGMENTS, make_customers
from workshop_utils import config, customers, regression, sales
from workshop_utils.config import shown
from workshop_utils.customers import INCOME, SPEND
from workshop_utils.sales import PRICE, SALES

make_sales = make_tables.make_sales


@pytest.mark.parametrize("path", sorted(make_tables.TABLES), ids=lambda p: p.name)
def test_the_generator_reproduces_the_shipped_file_byte_for_byte(path):
    assert path.read_text(encoding="utf-8") == make_tables.csv_text(make_tables.TABLES[path]())
    assert make_tables.main(["--check"]) == 0


def test_check_says_when_a_shipped_table_differs(monkeypatch, tmp_path, capsys):
    changed = tmp_path / "sales.csv"
    changed.write_text("price,sales\n1.0,2\n")
    monkeypatch.setattr(make_tables, "TABLES", {changed: make_sales})
    assert make_tables.main(["--check"]) == 1 and "sales.csv" in capsys.readouterr().out


@pytest.mark.parametrize("load,make,columns", [
    (customers.load_customers, make_customers, customers.COLUMNS),
    (sales.load_sales, make_sales, sales.COLUMNS),
])
def test_the_loaders_read_the_package_data_wherever_the_data_folder_is(load, make, columns,
                                                                     tmp_path, monkeypatch):
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))  # an empty data folder, as on Colab
    loaded = load()
    assert tuple(loaded.columns) == columns
    pd.testing.assert_frame_equal(loaded, make())


def test_shown_is_relative_to_its_base_or_only_the_name(tmp_path):
    assert shown(customers.FILE) == "workshop_utils/tables/customers.csv"
    assert shown(tmp_path / "models" / "m.keras", tmp_path, "<data folder>") == (
        "<data folder>/models/m.keras")
    assert shown(tmp_path / "elsewhere.csv") == "elsewhere.csv"


# --- the customers (notebook 02) ---------------------------------------------------------


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
    with pytest.raises(ValueError, match="n must be"):
        make_customers(n=1)


def test_groups_are_visible_in_the_default_table():
    table, groups = make_customers(return_groups=True)
    sizes = np.bincount(groups[groups >= 0])
    assert len(sizes) == len(SEGMENTS) and sizes.min() >= 20
    means = table[groups >= 0].groupby(groups[groups >= 0])[[INCOME, SPEND]].mean()
    expected = [[s.income_mean, s.spend_mean] for s in SEGMENTS]
    np.testing.assert_allclose(means.to_numpy(), expected, rtol=0.15)


# --- the sales (notebook 03) -------------------------------------------------------------


def test_the_data_tell_the_story_a_falling_line_near_the_true_one():
    w0, w1 = regression.fit_line(*(sales.load_sales()[c] for c in (PRICE, SALES)))
    assert w0 == pytest.approx(make_tables.TRUE_INTERCEPT, abs=5)
    assert w1 == pytest.approx(make_tables.TRUE_SLOPE, abs=2)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 300), seed=st.integers(0, 2**32 - 1))
def test_any_seed_gives_a_valid_repeatable_table(n, seed):
    table = make_sales(n=n, seed=seed)
    pd.testing.assert_frame_equal(table, make_sales(n=n, seed=seed))
    assert len(table) == n
    assert table[PRICE].between(1.0, 5.0).all()
    assert np.allclose(table[PRICE] * 100, np.round(table[PRICE] * 100))  # whole pence
    assert (table[SALES] >= 0).all() and table[SALES].dtype == np.int64
