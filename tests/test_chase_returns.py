"""chase_returns: after the deadline, councils without an accepted return get a message in
their feedback folder and the region gets the list; run through the real DAG (dag.test())."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from common.members import load_members
from common.periods import previous_period
from ingest.pipeline import ingest_new_files
from orchestration.chase import councils_without_return, reminder_text
from samples.faults import write_demo_bad_file
from samples.returns import generate_returns
from transform.dbt_runner import UNIT_TESTS_EXCLUDED, run_dbt
from transform.marts_snapshot import publish_marts_snapshot

PERIOD = "2025-03"
SENT = ["821", "822", "919"]  # Luton, Bedford, Hertfordshire


def test_previous_period_crosses_the_year():
    assert previous_period(dt.date(2025, 1, 10)) == "2024-12"
    assert previous_period(dt.date(2025, 4, 30)) == "2025-03"


def test_reminder_names_the_council_folder_and_month():
    member = load_members()[0]
    text = reminder_text(member, PERIOD, dt.date(2025, 4, 10))
    assert member.council_name in text and f"{member.council_slug}/" in text
    assert PERIOD in text and "10 April 2025" in text


@pytest.mark.e2e
@pytest.mark.slow
def test_chase_dag_lists_councils_without_an_accepted_return(airflow_db, data_settings):
    bucket = data_settings.data_dir / "bucket"
    generate_returns(bucket, [PERIOD], seed=3, councils=SENT, tables=["establishment"])
    # A rejected resubmission does not undo Luton's accepted first version.
    write_demo_bad_file(bucket, PERIOD, seed=3)
    # Thurrock sends only a file that cannot be read: it must still be chased.
    (bucket / "thurrock").mkdir()
    (bucket / "thurrock" / f"thurrock_{PERIOD}_establishment.csv").write_bytes(b"")
    ingest_new_files(data_settings)
    # The chase step reads the late councils of the return-submissions mart from the snapshot.
    run_dbt(
        data_settings,
        "build",
        *UNIT_TESTS_EXCLUDED,
        "--select",
        "+fct_return_submissions",
        "--indirect-selection",
        "cautious",
        stream=False,
    )
    publish_marts_snapshot(data_settings)
    missing = {m.council_code for m in councils_without_return(data_settings, PERIOD)}
    assert missing == {m.council_code for m in load_members()} - set(SENT)

    from orchestration.local_airflow import run_dag

    run_dag("chase_returns", {"period": PERIOD})

    listing = bucket / "feedback" / f"missing_returns_{PERIOD}.csv"
    with open(listing, newline="") as handle:
        listed = {row["council_code"] for row in csv.DictReader(handle)}
    assert listed == missing
    essex = bucket / "essex" / "feedback" / f"missing_return_{PERIOD}.txt"
    assert "Essex" in essex.read_text()
    assert not (bucket / "luton" / "feedback" / f"missing_return_{PERIOD}.txt").exists()
