"""The dashboard's regional line says what it covers: per month how many councils it holds and
which sent no return, so a month with a council missing is flagged, never read as a fall.
Query level, on sample marts (support.sample_marts), without a dbt build or a browser."""

from __future__ import annotations

import duckdb
import pytest
from support.sample_marts import sample_frames, write_warehouse

from common.members import members_on
from common.periods import period_end
from dashboard import queries

PERIOD = "2025-03"
LATE = "883"  # Thurrock: no return for PERIOD


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("coverage") / "warehouse.duckdb"
    members = members_on(period_end(PERIOD))
    frames = sample_frames(PERIOD, members, members_on, seed=3, missing=[(LATE, PERIOD)])
    write_warehouse(path, frames)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_the_month_with_a_council_missing_is_flagged(con):
    coverage = queries.region_coverage(con, "2025-01", PERIOD)
    assert list(coverage.period) == ["2025-01", "2025-02", PERIOD]
    month = coverage.set_index("period").loc[PERIOD]
    assert bool(month.is_council_missing)
    assert month.councils_missing == "Thurrock"
    assert (month.councils_included, month.councils_covered) == (10, 11)
    earlier = coverage[coverage.period != PERIOD]
    assert not earlier.is_council_missing.any()
    assert set(earlier.councils_missing) == {"none"}
    assert set(earlier.councils_included) == {11}


def test_the_caption_names_the_missing_council_and_the_month(con):
    caption = queries.coverage_caption(queries.region_coverage(con, "2025-01", PERIOD))
    assert f"10 of 11 in {PERIOD}" in caption
    assert f"{PERIOD}: Thurrock" in caption and "not a fall" in caption
    whole = queries.coverage_caption(queries.region_coverage(con, "2025-01", "2025-02"))
    assert "11 of 11" in whole and "missing" not in whole
