"""marts.fct_return_submissions gives the answers the dashboard's returns page and the chase step
compute today from the ledger (dashboard.queries.tables_received and late_councils,
orchestration.chase.councils_without_return), so they can read it instead.

Real files through ingest (GX, ledger, supersede), then a dbt build of the mart and what it
reads, then the published marts snapshot: in 2026-01 Bedford sends a workbook and then a
corrected establishment CSV (the workbook's other tables stay current), Luton's CSVs are
accepted and a corrupt resubmission rejected, Essex sends only a corrupt file, Thurrock nothing.
No council sends anything for 2026-02.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from warehouse_helpers import query

from common.members import members_on
from common.periods import period_end
from common.settings import load_settings
from dashboard import queries
from ingest.pipeline import ingest_new_files
from orchestration.chase import councils_without_return
from samples.returns import establishment_frame, generate_returns, write_return
from transform.dbt_runner import UNIT_TESTS_EXCLUDED, run_dbt
from transform.marts_snapshot import publish_marts_snapshot

PERIOD = "2026-01"
EMPTY_PERIOD = "2026-02"  # nobody has sent anything yet
SENDERS = ["822", "821"]  # Bedford (workbook, then an establishment CSV), Luton
MART = "marts.fct_return_submissions"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("return_submissions") / "data"
    settings = load_settings({"MOC_DATA_DIR": str(data_dir), "MOC_HASH_SECRET": "test-secret"})
    bucket = Path(settings.bucket_url)
    generate_returns(bucket, [PERIOD], councils=SENDERS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOC_HASH_SECRET", "test-secret")
        ingest_new_files(settings)  # the workbooks first: the corrections below are later
        write_return(
            establishment_frame("822", PERIOD, seed=7),
            bucket / "bedford" / f"bedford_{PERIOD}_establishment.csv",
            "csv",
        )
        (bucket / "luton" / f"luton_{PERIOD}_return_v2.xlsx").write_bytes(b"not a workbook")
        (bucket / "essex").mkdir()
        (bucket / "essex" / f"essex_{PERIOD}_return.xlsx").write_bytes(b"not a workbook")
        summary = ingest_new_files(settings)
    statuses = sorted(e.status for e in summary.entries)
    assert statuses[0].startswith("accepted") and statuses[1:] == ["rejected", "rejected"]
    run_dbt(
        settings,
        "build",
        *UNIT_TESTS_EXCLUDED,
        "--select",
        "+fct_return_submissions",
        "+dim_councils",
        # only the tests whose every parent is selected (not the other marts' tests on dims)
        "--indirect-selection",
        "cautious",
        stream=False,
    )
    snapshot = duckdb.connect(str(publish_marts_snapshot(settings)), read_only=True)
    yield settings, snapshot
    snapshot.close()


def _mart(settings, period: str) -> pd.DataFrame:
    return query(settings.warehouse_path, f"SELECT * FROM {MART} WHERE period = ?", [period])


@pytest.mark.parametrize("period", [PERIOD, EMPTY_PERIOD])
def test_every_member_has_a_row_per_return_table_received_or_not(pipeline, period):
    settings, _ = pipeline
    mart = _mart(settings, period)
    members = {m.council_code for m in members_on(period_end(period))}
    assert set(mart.council_code) == members
    assert mart.groupby("council_code").size().nunique() == 1  # every table, every council


@pytest.mark.parametrize("period", [PERIOD, EMPTY_PERIOD])
def test_late_councils_are_the_chase_steps(pipeline, period):
    settings, _ = pipeline
    mart = _mart(settings, period)
    late = set(mart.loc[mart.is_late, "council_code"])
    assert late == {m.council_code for m in councils_without_return(settings, period)}
    assert late.isdisjoint(SENDERS) if period == PERIOD else late == set(mart.council_code)
    assert "881" in late and "883" in late  # Essex sent only a rejected file, Thurrock nothing


@pytest.mark.parametrize("period", [PERIOD, EMPTY_PERIOD])
def test_late_councils_are_the_dashboards_with_their_file_counts(pipeline, period):
    settings, snapshot = pipeline
    mart = _mart(settings, period)
    columns = ["council_name", "council_code", "files_received", "files_rejected"]
    from_mart = (
        mart.loc[mart.is_late, columns]
        .drop_duplicates()
        .sort_values("council_name")
        .reset_index(drop=True)
    )
    dashboard = queries.late_councils(snapshot, period, None)
    pd.testing.assert_frame_equal(from_mart, dashboard[columns], check_dtype=False)


def test_tables_received_are_the_dashboards_current_versions(pipeline):
    settings, snapshot = pipeline
    mart = _mart(settings, PERIOD)
    current = mart[mart.has_current_version]
    from_mart = (
        current[["council_name", "return_table", "row_count"]]
        .rename(columns={"return_table": "table_name", "row_count": "rows_loaded"})
        .sort_values(["council_name", "table_name"])
        .reset_index(drop=True)
    )
    dashboard = queries.tables_received(snapshot, PERIOD, None)
    pd.testing.assert_frame_equal(from_mart, dashboard, check_dtype=False)


def test_a_corrected_table_is_current_from_its_csv_and_the_rest_from_the_workbook(pipeline):
    settings, _ = pipeline
    bedford = _mart(settings, PERIOD).set_index("return_table").query("council_code == '822'")
    assert bedford.loc["establishment", "file_name"] == f"bedford_{PERIOD}_establishment.csv"
    workbook_tables = bedford.drop(index="establishment")
    workbook_tables = workbook_tables[workbook_tables.has_current_version]
    assert set(workbook_tables.file_name) == {f"bedford_{PERIOD}_return.xlsx"}
    assert set(bedford.loc[bedford.has_current_version, "status"]) <= {
        "accepted",
        "accepted_with_warnings",
    }


def test_the_marts_snapshot_carries_the_mart(pipeline):
    settings, snapshot = pipeline
    (rows,) = snapshot.execute(f"SELECT count(*) FROM {MART}").fetchone()
    (built,) = query(settings.warehouse_path, f"SELECT count(*) AS n FROM {MART}")["n"]
    assert rows == built > 0
