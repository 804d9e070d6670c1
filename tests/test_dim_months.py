"""The marts' calendar (dim_months) spans the plausible-period window, the months ingest accepts
a return for, with its ends from the one home of the window (common.periods, via the vars
transform.dbt_runner gives dbt): issue 12's 2099 month could not break the calendar again."""

from __future__ import annotations

import duckdb

from common.periods import month_range
from common.settings import load_settings
from transform.dbt_runner import run_dbt


def test_dim_months_spans_the_plausible_period_window(tmp_path):
    settings = load_settings({"MOC_DATA_DIR": str(tmp_path), "MOC_EARLIEST_PERIOD": "2019-04"})
    run_dbt(settings, "run", "--select", "dim_months", stream=False)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        first, last, months = con.execute(
            "SELECT min(period), max(period), count(DISTINCT period) FROM marts.dim_months"
        ).fetchone()
    window = settings.plausible_window()
    assert (first, last) == (window.first, window.last)
    assert months == len(month_range(window.first, window.last))
