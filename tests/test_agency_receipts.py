"""The agency rules' addendum to an accepted agency return's receipt
(orchestration.agency_receipts).

A small marts snapshot holds what the step reads (the current versions of the returns, the
ledger's feedback paths, the breach register and the cooling-off flags), laid out as the
snapshot lays them out; the step writes beside each current agency return's receipt the
council's own breaches without sign-off and its own cooling-off flags, and nothing of another
council's. The marts themselves are tested in test_agency_pay_marts and test_cooling_off_marts.
"""

from __future__ import annotations

import duckdb
import pytest

from common.settings import load_settings
from ingest.bucket import is_skipped
from orchestration.agency_receipts import write_agency_rules_receipts

ESSEX, NORFOLK = "881", "926"


def _snapshot(path, bucket) -> None:
    feedback = {
        1: f"{bucket}/norfolk/feedback/norfolk_2025-11_return.xlsx.feedback.html",
        2: f"{bucket}/essex/feedback/essex_2025-11_agency_assignments.csv.feedback.html",
        3: f"{bucket}/essex/feedback/essex_2025-10_agency_assignments.csv.feedback.html",
    }
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA ledger")
        con.execute(
            "CREATE TABLE ledger.files "
            "(ledger_id INTEGER, file_name VARCHAR, feedback_path VARCHAR)"
        )
        for ledger_id, html in feedback.items():
            name = html.rsplit("/", 1)[1].removesuffix(".feedback.html")
            con.execute("INSERT INTO ledger.files VALUES (?, ?, ?)", [ledger_id, name, html])
        con.execute(
            "CREATE TABLE marts.fct_return_submissions AS SELECT * FROM (VALUES "
            f"('{NORFOLK}', '2025-11', 'agency_assignments', true, 1), "
            f"('{NORFOLK}', '2025-11', 'establishment', true, 1), "
            f"('{ESSEX}', '2025-11', 'agency_assignments', true, 2), "
            f"('{ESSEX}', '2025-10', 'agency_assignments', true, 3)) "
            "AS t(council_code, period, return_table, has_current_version, ledger_id)"
        )
        con.execute(
            "CREATE TABLE marts.fct_agency_cap_breaches AS SELECT * FROM (VALUES "
            f"('{NORFOLK}', '2025-11', DATE '2025-10-06', 'social_worker', 'pay_plus_on_costs', "
            "38.5, 37.0, 37.0, 1.5, 4.054054054054, true, false), "
            f"('{NORFOLK}', '2025-11', DATE '2025-10-20', 'team_manager', 'pay_against_net_cap', "
            "45.0, 44.0, 55.0, 1.0, 2.272727272727, true, true), "
            f"('{ESSEX}', '2025-10', DATE '2025-09-01', 'social_worker', 'pay_only', "
            "29.0, 28.0, 28.0, 1.0, 3.571428571429, true, false)) "
            "AS t(council_code, period, start_date, agency_job_type, cap_comparison_basis, "
            "cap_comparable_rate, cap_comparable_cap, cap_hourly_pay, excess_hourly, "
            "excess_percentage, is_cap_placeholder, is_signed_off)"
        )
        con.execute(
            "CREATE TABLE marts.fct_cooling_off_flags AS SELECT * FROM (VALUES "
            f"('{NORFOLK}', '2025-10', '2025-11', 4, '{ESSEX}', 'social_worker', '1', false, "
            "NULL, DATE '2025-09-15', DATE '2025-10-25', DATE '2025-12-15', 40), "
            f"('{NORFOLK}', '2025-11', '2025-11', 7, '{ESSEX}', 'social_worker', '3', true, "
            "'redundancy', DATE '2025-10-15', DATE '2025-11-04', DATE '2026-01-15', 20)) "
            "AS t(engaging_council_code, first_period, last_period, last_period_row_number, "
            "leaving_council_code, agency_job_type, leaving_reason_code, is_exception, "
            "exception_reason, leaving_date, start_date, cooling_off_ends_on, days_between)"
        )


@pytest.fixture
def written(tmp_path):
    bucket = tmp_path / "bucket"
    snapshot = tmp_path / "snapshot.duckdb"
    _snapshot(snapshot, bucket)
    settings = load_settings(
        {
            "MOC_DATA_DIR": str(tmp_path),
            "MOC_BUCKET_URL": str(bucket),
            "MOC_MARTS_SNAPSHOT": str(snapshot),
        }
    )
    paths = write_agency_rules_receipts(settings)
    return settings, bucket, paths


def _read(bucket, relative: str) -> str:
    return (bucket / relative).read_text(encoding="utf-8-sig")


def test_each_current_agency_return_gets_an_addendum_beside_its_receipt(written):
    _, bucket, paths = written
    names = sorted(p.rsplit("/", 1)[1] for p in paths)
    assert names == sorted(
        f"{stem}.feedback.agency-rules.{suffix}"
        for stem in (
            "norfolk_2025-11_return.xlsx",
            "essex_2025-11_agency_assignments.csv",
            "essex_2025-10_agency_assignments.csv",
        )
        for suffix in ("html", "csv")
    )
    # ours, so the next ingest run skips them rather than rejecting a file in feedback/
    assert all(is_skipped(p.removeprefix(f"{bucket}/")) for p in paths)


def test_the_council_sees_its_breaches_without_sign_off_and_its_cooling_off_flags(written):
    _, bucket, _ = written
    text = _read(bucket, "norfolk/feedback/norfolk_2025-11_return.xlsx.feedback.agency-rules.csv")
    lines = text.strip().splitlines()
    assert lines[0] == "finding,assignment_start_date,row_in_return,job_type,detail,what_to_do"
    findings = [line.split(",", 1)[0] for line in lines[1:]]
    # the signed-off breach is not listed; the two flags are (one an exception)
    assert findings == [
        "Above the price cap without sign-off",
        "Cooling-off",
        "Cooling-off (exception)",
    ]
    assert "£38.50 an hour against the cap of £37.00: £1.50 (4.1%) above" in text
    assert "PLACEHOLDER" in text
    assert "left a permanent social work post at Essex on 15/09/2025" in text
    assert "40 days before" in text and "ran to 15/12/2025" in text
    assert "An exception: the worker left through redundancy." in text
    # the rows of this return that list the assignments
    assert ",25/10/2025,4,social_worker," in text and ",04/11/2025,7,social_worker," in text


def test_a_return_with_nothing_to_act_on_says_so_and_nothing_of_another_council(written):
    _, bucket, _ = written
    html = _read(
        bucket, "essex/feedback/essex_2025-11_agency_assignments.csv.feedback.agency-rules.html"
    )
    assert "No assignment above the price cap without sign-off and no cooling-off flag" in html
    october = _read(
        bucket, "essex/feedback/essex_2025-10_agency_assignments.csv.feedback.agency-rules.csv"
    )
    assert "Hourly pay £29.00 an hour against the cap of £28.00" in october
    assert "Cooling-off" not in october


def test_a_flag_reported_later_names_its_row_in_the_latest_return(tmp_path):
    """Norfolk's October return lists the 40-day assignment too: its addendum has no row of
    its own for it, and names the row of the latest return (November) instead."""
    bucket = tmp_path / "bucket"
    snapshot = tmp_path / "snapshot.duckdb"
    _snapshot(snapshot, bucket)
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            "INSERT INTO ledger.files VALUES (4, 'norfolk_2025-10_return.xlsx', "
            f"'{bucket}/norfolk/feedback/norfolk_2025-10_return.xlsx.feedback.html')"
        )
        con.execute(
            f"INSERT INTO marts.fct_return_submissions VALUES "
            f"('{NORFOLK}', '2025-10', 'agency_assignments', true, 4)"
        )
    settings = load_settings(
        {
            "MOC_DATA_DIR": str(tmp_path),
            "MOC_BUCKET_URL": str(bucket),
            "MOC_MARTS_SNAPSHOT": str(snapshot),
        }
    )
    write_agency_rules_receipts(settings)
    text = _read(bucket, "norfolk/feedback/norfolk_2025-10_return.xlsx.feedback.agency-rules.csv")
    (flag,) = [line for line in text.splitlines() if line.startswith("Cooling-off")]
    assert flag.startswith("Cooling-off,25/10/2025,,social_worker,")
    assert "It is row 4 of your latest return, for 2025-11." in flag


def test_a_second_run_with_the_same_marts_writes_nothing(written):
    settings, _, paths = written
    assert paths and write_agency_rules_receipts(settings) == []


def test_no_snapshot_no_addendum(tmp_path):
    settings = load_settings({"MOC_DATA_DIR": str(tmp_path)})
    assert write_agency_rules_receipts(settings) == []
