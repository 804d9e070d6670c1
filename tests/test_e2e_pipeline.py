"""End to end: generated drops (one of them bad) through the real Airflow DAGs (dag.test()),
the committed GX suites, a real dbt build on DuckDB, and the published benchmark; the
published rates are checked against values computed here from the generated inputs."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from common.members import load_members
from common.rounding import round_half_away
from common.settings import PROJECT_ROOT
from ingest import ledger, warehouse
from orchestration.local_airflow import run_dag, run_pipeline_dags
from samples.establishment import establishment_frame
from samples.faults import write_demo_bad_file
from samples.returns import generate_returns
from transform.build_plan import BUILDS_TABLE

PERIODS = ["2025-05", "2025-06"]
SEED = 7

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _expected_rates(period: str) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal]]:
    """DfE definitions computed here in pandas, independently of the dbt models."""
    per_council, totals = {}, {"vacancy": 0.0, "permanent": 0.0, "agency": 0.0}
    for member in load_members():
        frame = establishment_frame(member.council_code, period, seed=SEED)
        vacancy, permanent = frame["vacancy_fte"].sum(), frame["permanent_fte"].sum()
        agency = frame["agency_fte"].sum()
        per_council[member.council_code] = {
            "vacancy_rate_fte": round_half_away(100 * vacancy / (vacancy + permanent)),
            "agency_rate_fte": round_half_away(100 * agency / (agency + permanent)),
        }
        totals["vacancy"] += vacancy
        totals["permanent"] += permanent
        totals["agency"] += agency
    region = {
        "vacancy_rate_fte": round_half_away(
            100 * totals["vacancy"] / (totals["vacancy"] + totals["permanent"])
        ),
        "agency_rate_fte": round_half_away(
            100 * totals["agency"] / (totals["agency"] + totals["permanent"])
        ),
    }
    return per_council, region


def test_pipeline_dags_end_to_end(airflow_db, data_settings):
    bucket = data_settings.data_dir / "bucket"
    good = generate_returns(bucket, PERIODS, seed=SEED)
    bad = write_demo_bad_file(bucket, PERIODS[-1], seed=SEED)
    # Pay scales that did not change: the same bytes, accepted again for the next month.
    luton_pay = bucket / "luton" / "luton_{}_pay_scales.csv"
    luton_pay.with_name(luton_pay.name.format(PERIODS[-1])).write_bytes(
        luton_pay.with_name(luton_pay.name.format(PERIODS[0])).read_bytes()
    )

    run_pipeline_dags()

    con = warehouse.connect(data_settings.warehouse_path, read_only=True)
    try:
        entries = ledger.read_ledger(con)
    finally:
        con.close()
    assert len(entries) == len(good) + 1, "every file is in the ledger exactly once"
    by_name = entries.set_index("file_name")
    assert set(by_name.loc[[p.name for p in good], "status"]) == {"accepted"}
    rejected = by_name.loc[bad.name]
    assert rejected["status"] == "rejected"
    assert rejected["error_count"] >= 1 and "error" in rejected["message"]

    feedback = bad.parent / "feedback" / f"{bad.name}.feedback.html"
    report = feedback.read_text(encoding="utf-8")
    assert "Rejected" in report and "not in the region&#x27;s grade mapping" in report
    assert "EST-004" in report

    period = PERIODS[-1]
    folder = data_settings.published_dir / "members_benchmark" / period
    with open(folder / f"members_benchmark_{period}.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert (folder / "manifest.json").exists()

    expected_councils, expected_region = _expected_rates(period)
    for indicator in ("vacancy_rate_fte", "agency_rate_fte"):
        published = {
            r["old_la_code"]: Decimal(r["value"])
            for r in rows
            if r["indicator"] == indicator and r["geographic_level"] == "Local authority"
        }
        # The bad file was a rejected resubmission: its council keeps its first version.
        assert published == {c: v[indicator] for c, v in expected_councils.items()}
        (region_row,) = [
            r for r in rows if r["indicator"] == indicator and r["geographic_level"] == "Regional"
        ]
        assert Decimal(region_row["value"]) == expected_region[indicator]
        assert region_row["councils_in_regional_figure"] == "11"

    # dbt's docs site is published beside the marts, with no path of this machine in it
    docs = data_settings.published_dir / "dbt_docs"
    manifest = (docs / "manifest.json").read_text(encoding="utf-8")
    assert '"name": "fct_vacancies"' in manifest and (docs / "index.html").is_file()
    for folder in (PROJECT_ROOT, data_settings.data_dir):
        assert str(folder) not in manifest

    # a project lead asks for a full rebuild through the DAG's params
    run_dag("build_marts", {"full_refresh": True})
    con = warehouse.connect(data_settings.warehouse_path, read_only=True)
    try:
        builds = con.execute(f"select mode, reason, status from {BUILDS_TABLE} order by build_id")
        builds = builds.fetchall()
    finally:
        con.close()
    assert builds[-2:] == [
        ("full", "no build has succeeded yet", "succeeded"),
        ("full", "a full rebuild was asked for", "succeeded"),
    ]
