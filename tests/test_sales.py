"""The sales table: reproducible generator, shipped CSV, loader fallback, status line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils import config, data, regression, sales
from workshop_utils.sales import COLUMNS, PRICE, SALES, make_sales

SHIPPED = config.REPO_DIR / "data" / sales.FILE_NAME


def test_generator_reproduces_the_shipped_file_byte_for_byte():
    assert SHIPPED.read_bytes() == sales.to_csv_text(make_sales()).encode("utf-8")


def test_loader_reads_the_shipped_table_with_price_and_sales_columns():
    table = sales.load_sales()
    assert tuple(table.columns) == COLUMNS
    assert len(table) == sales.DEFAULT_N
    pd.testing.assert_frame_equal(table, make_sales())


def test_data_module_reexports_the_loader():
    pd.testing.assert_frame_equal(data.load_sales(), make_sales())
    assert data.make_sales is make_sales


def test_loader_falls_back_to_the_generator_when_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))  # an empty data folder ...
    monkeypatch.setattr(config, "REPO_DIR", None)  # ... and no checkout, as on Colab
    assert config.find_data_file(sales.FILE_NAME) is None
    pd.testing.assert_frame_equal(sales.load_sales(), make_sales())
    ready, message = sales.status()
    assert ready and "make_sales" in message


def test_loader_prefers_an_override_in_the_data_dir(tmp_path, monkeypatch):
    make_sales(n=12, seed=5).to_csv(tmp_path / sales.FILE_NAME, index=False)
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    assert len(sales.load_sales()) == 12


def test_loader_names_a_broken_file_and_the_fix(tmp_path, monkeypatch):
    (tmp_path / sales.FILE_NAME).write_text("cost,units\n1,2\n", encoding="utf-8")
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    with pytest.raises(ValueError, match=r"lacks the column.*python -m workshop_utils.sales"):
        sales.load_sales()
    ready, message = sales.status()
    assert not ready and "unreadable" in message


def test_status_shows_a_relative_path_never_an_absolute_one():
    ready, message = sales.status()
    assert ready
    assert "data/sales.csv" in message and "40 products" in message
    assert str(config.REPO_DIR) not in message


def test_main_writes_the_csv_where_asked(tmp_path, capsys):
    target = tmp_path / "copy.csv"
    assert sales.main([str(target)]) == 0
    assert target.read_bytes() == SHIPPED.read_bytes()
    assert "copy.csv" in capsys.readouterr().out


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


@pytest.mark.parametrize("n, seed", [(1, 0), (0, 0), (10, -1), (2.5, 0), (10, "x"), (True, 0)])
def test_bad_arguments_say_what_to_pass(n, seed):
    with pytest.raises(ValueError, match="must be an integer"):
        make_sales(n=n, seed=seed)
