"""The shipped tables (customers, sales): generator = shipped CSV, loader fallback, status, rewrite."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils import config, customers, data, regression, sales
from workshop_utils.config import shown
from workshop_utils.customers import INCOME, SEGMENTS, SPEND, make_customers
from workshop_utils.sales import PRICE, SALES, make_sales

TABLES = {"customers": (customers, customers.make_customers, customers.load_customers),
          "sales": (sales, sales.make_sales, sales.load_sales)}


@pytest.fixture(params=sorted(TABLES))
def table(request):
    """(module, generator, loader) of one shipped table."""
    return TABLES[request.param]


def test_generator_reproduces_the_shipped_file_byte_for_byte(table):
    module, make, _ = table
    shipped = config.REPO_DIR / "data" / module.FILE_NAME
    assert shipped.read_bytes() == module.TABLE.to_csv_text(make()).encode("utf-8")


def test_loader_reads_the_shipped_table_with_its_columns(table):
    module, make, load = table
    loaded = load()
    assert tuple(loaded.columns) == module.COLUMNS and len(loaded) == module.DEFAULT_N
    pd.testing.assert_frame_equal(loaded, make())


def test_loader_falls_back_to_the_generator_when_no_file(table, tmp_path, monkeypatch):
    module, make, load = table
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))  # an empty data folder ...
    monkeypatch.setattr(config, "REPO_DIR", None)  # ... and no checkout, as on Colab
    assert config.find_data_file(module.FILE_NAME) is None
    pd.testing.assert_frame_equal(load(), make())
    ready, message = module.status()
    assert ready and f"{make.__name__}()" in message


def test_loader_prefers_an_override_in_the_data_dir(table, tmp_path, monkeypatch):
    module, make, load = table
    make(n=12, seed=3).to_csv(tmp_path / module.FILE_NAME, index=False)
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    assert len(load()) == 12


def test_loader_names_a_broken_file_and_the_fix(table, tmp_path, monkeypatch):
    module, _, load = table
    (tmp_path / module.FILE_NAME).write_text("cost,units\n1,2\n", encoding="utf-8")
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    with pytest.raises(ValueError, match=rf"lacks the column.*python -m {module.__name__}`"):
        load()
    ready, message = module.status()
    assert not ready and "unreadable" in message


def test_a_column_of_text_is_refused(table, tmp_path, monkeypatch):
    module, make, load = table
    broken = make(n=3, seed=0)
    broken[module.COLUMNS[-1]] = "many"
    broken.to_csv(tmp_path / module.FILE_NAME, index=False)
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    with pytest.raises(ValueError, match="must hold numbers"):
        load()


def test_status_names_a_relative_path_and_the_count(table):
    module, _, _ = table
    noun = module.TABLE.noun
    assert module.status() == (True, f"shipped: data/{module.FILE_NAME} ({module.DEFAULT_N} {noun})")


def test_main_writes_the_csv_where_asked(table, tmp_path, capsys):
    module, _, _ = table
    target = tmp_path / "sub" / "copy.csv"
    assert module.main([str(target)]) == 0
    assert target.read_bytes() == (config.REPO_DIR / "data" / module.FILE_NAME).read_bytes()
    assert "wrote copy.csv" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [{"n": 1}, {"n": 2.5}, {"n": True}, {"seed": -1}, {"seed": "a"}])
def test_bad_sizes_and_seeds_say_what_to_pass(table, bad):
    _, make, _ = table
    with pytest.raises(ValueError, match=rf"{next(iter(bad))} must be .*integer.*, got"):
        make(**bad)


def test_data_module_reexports_the_loaders_and_statuses():
    assert data.make_customers is customers.make_customers and data.make_sales is sales.make_sales
    pd.testing.assert_frame_equal(data.load_sales(), sales.make_sales())
    statuses = {d.name: d.status() for d in data.DATASETS}
    assert statuses["customers"] == customers.status() and statuses["sales"] == sales.status()


def test_shown_is_relative_to_its_base_or_only_the_name(tmp_path):
    inside = config.REPO_DIR / "data" / "customers.csv"
    assert shown(inside) == "data/customers.csv"
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


def test_groups_are_visible_in_the_default_table():
    table, groups = make_customers(return_groups=True)
    sizes = np.bincount(groups[groups >= 0])
    assert len(sizes) == len(SEGMENTS) and sizes.min() >= 20
    means = table[groups >= 0].groupby(groups[groups >= 0])[[INCOME, SPEND]].mean()
    expected = [[s.income_mean, s.spend_mean] for s in SEGMENTS]
    np.testing.assert_allclose(means.to_numpy(), expected, rtol=0.15)


# --- the sales (notebook 03) -------------------------------------------------------------


def test_the_data_tell_the_story_a_falling_line_near_the_true_one():
    table = make_sales()
    w0, w1 = regression.fit_line(table[PRICE], table[SALES])
    assert w0 == pytest.approx(sales.TRUE_INTERCEPT, abs=5)
    assert w1 == pytest.approx(sales.TRUE_SLOPE, abs=2)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 300), seed=st.integers(0, 2**32 - 1))
def test_any_seed_gives_a_valid_repeatable_table(n, seed):
    table = make_sales(n=n, seed=seed)
    pd.testing.assert_frame_equal(table, make_sales(n=n, seed=seed))
    assert len(table) == n
    assert table[PRICE].between(1.0, 5.0).all()
    assert np.allclose(table[PRICE] * 100, np.round(table[PRICE] * 100))  # whole pence
    assert (table[SALES] >= 0).all() and table[SALES].dtype == np.int64
