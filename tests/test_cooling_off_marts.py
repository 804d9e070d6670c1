"""The cooling-off check of the DfE agency rules across councils, on a real warehouse.

Workers leave permanent posts at Essex (881) on 15 September 2025, as Essex's workforce return
for September reports. Their SWE numbers come back, hashed with the same key as ingest hashes
them, on agency assignments: at Norfolk (926) 40 days later (flagged), at Norfolk 120 days
later (not flagged: the three months end on 15 December), at Essex itself 30 days later
(flagged), and at Norfolk 20 days after a compulsory redundancy (flagged as an exception). One
`dbt build` of the cooling-off and compliance marts (seeds, models and data tests) runs on a
throwaway DuckDB. The identifiers are made and hashed here, never written in clear: no fixture
holds a registration number (tests/test_personal_data.py). A malformed registration number is
rejected naming its row by ingest: tests/test_suites_rules.py (AGY-P01) and
tests/test_personal_data.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from warehouse_helpers import build_warehouse, query, with_file_metadata

from ingest.pseudonymise import keyed_hash
from ingest.return_contract import AGENCY_ASSIGNMENTS, WORKFORCE
from samples.agency import agency_assignments_frame
from samples.cooling_off import COOLING_OFF_CASES
from samples.workforce import workforce_frame

SECRET = b"cooling-off-test-key"
ESSEX, NORFOLK = "881", "926"
LEFT_ON = dt.date(2025, 9, 15)
# worker -> (engaging council, assignment start date, leaving reason): who comes back where
SCENARIO = {
    "forty_days": (NORFOLK, LEFT_ON + dt.timedelta(days=40), "1"),
    "hundred_twenty_days": (NORFOLK, LEFT_ON + dt.timedelta(days=120), "1"),
    "same_council": (ESSEX, LEFT_ON + dt.timedelta(days=30), "1"),
    "after_redundancy": (NORFOLK, LEFT_ON + dt.timedelta(days=20), "3"),
}
DBT_SELECTION = [
    "+fct_cooling_off_flags",
    "+fct_agency_rule_compliance",
    "+fct_agency_rates",
    "+dim_months",
    "+dim_councils",
    "+dim_regional_roles",
    "+dim_service_areas",
]
HASH = re.compile(r"[0-9a-f]{64}")


def _worker_key(worker: str) -> str:
    """The keyed hash of a registration number made for the worker, as ingest stores it; the
    number itself exists only inside this call."""
    return keyed_hash(f"SW{910_000 + list(SCENARIO).index(worker)}", SECRET)


def _as_received(frame: pd.DataFrame, ledger_id: int, council: str, period: str) -> pd.DataFrame:
    """A return table's rows with the metadata ingest adds, received two days into the month
    after its period."""
    return with_file_metadata(
        frame,
        ledger_id=ledger_id,
        file_key=f"{council}-{period}-{ledger_id}",
        council_code=council,
        period=period,
        received_at=pd.Timestamp(f"{period}-01") + pd.DateOffset(months=1, days=2),
    )


def _hashed(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The sample's clear identifiers replaced by keyed hashes, as ingest does on reading."""
    return frame.assign(
        **{c: frame[c].map(lambda v: keyed_hash(str(v), SECRET)) for c in columns if c in frame}
    )


def _period(day: dt.date) -> str:
    return f"{day:%Y-%m}"


@pytest.fixture(scope="module")
def returns() -> dict[str, pd.DataFrame]:
    """Essex's September workforce return with the four leavers, and the agency returns of
    the months the assignments start in, each starting assignment on the return's first row."""
    workforce = _hashed(workforce_frame(ESSEX, "2025-09"), "worker_key")
    workforce["birth_month"] = workforce["birth_month"].map(lambda d: d.replace(day=1))
    template = workforce[~workforce["is_agency_worker"]].iloc[0]
    leavers = [
        template.to_dict()
        | {
            "worker_key": _worker_key(worker),
            "role_start_date": dt.date(2018, 1, 8),
            "role_end_date": LEFT_ON,
            "reason_leave": reason,
            "leaver_destination": "3",
            "fte_30_sept": None,
            "cases_30_sept": None,
        }
        for worker, (_council, _start, reason) in SCENARIO.items()
    ]
    workforce = pd.concat([pd.DataFrame(leavers), workforce], ignore_index=True)

    agency = {}
    for worker, (council, start, _reason) in SCENARIO.items():
        key = (council, _period(start))
        if key not in agency:
            agency[key] = _hashed(
                agency_assignments_frame(council, key[1]),
                "assignment_key",
                "swe_registration_number",
            )
        frame = agency[key]
        row = frame.iloc[0].to_dict() | {
            "assignment_key": keyed_hash(f"cooling-off/{worker}", SECRET),
            "swe_registration_number": _worker_key(worker),
            "start_date": start,
            "end_date": None,
        }
        agency[key] = pd.concat([pd.DataFrame([row]), frame], ignore_index=True)
    return {"workforce": workforce, **{f"{c}/{p}": f for (c, p), f in agency.items()}}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, returns) -> Path:
    raw = []
    for ledger_id, (name, frame) in enumerate(sorted(returns.items()), start=1):
        if name == "workforce":
            table, council, period = WORKFORCE, ESSEX, "2025-09"
        else:
            table = AGENCY_ASSIGNMENTS
            council, period = name.split("/")
        raw.append((table, _as_received(frame, ledger_id, council, period)))
    return build_warehouse(
        tmp_path_factory.mktemp("cooling_off_marts"),
        raw,
        "--select",
        *DBT_SELECTION,
        "--indirect-selection",
        "cautious",
    )


def test_the_returns_carry_no_clear_registration_number(returns):
    for name, frame in returns.items():
        keys = frame["worker_key" if name == "workforce" else "swe_registration_number"]
        assert keys.map(lambda v: bool(HASH.fullmatch(str(v)))).all(), name


def test_flags_starts_within_three_months_of_leaving_a_member_council(warehouse):
    flags = query(
        warehouse,
        "select engaging_council_code, leaving_council_code, is_same_council, leaving_date, "
        "start_date, cooling_off_ends_on, days_between, leaving_reason_code, is_exception, "
        "exception_reason, last_period_row_number from marts.fct_cooling_off_flags "
        "order by days_between",
    )
    got = [
        (
            row.engaging_council_code,
            row.leaving_council_code,
            row.is_same_council,
            row.days_between,
            row.leaving_reason_code,
            row.is_exception,
            None if pd.isna(row.exception_reason) else row.exception_reason,
        )
        for row in flags.itertuples(index=False)
    ]
    assert got == [
        (NORFOLK, ESSEX, False, 20, "3", True, "redundancy"),
        (ESSEX, ESSEX, True, 30, "1", False, None),
        (NORFOLK, ESSEX, False, 40, "1", False, None),
    ]
    assert (pd.to_datetime(flags["leaving_date"]).dt.date == LEFT_ON).all()
    assert (pd.to_datetime(flags["cooling_off_ends_on"]).dt.date == dt.date(2025, 12, 15)).all()
    # the rows of the returns as Excel shows them: each starting assignment was put first, the
    # redundancy one before the 40-day one in Norfolk's October return
    assert flags["last_period_row_number"].tolist() == [2, 2, 3]


def test_the_flags_mart_holds_no_hash_and_no_identifier(warehouse, returns):
    flags = query(warehouse, "select * from marts.fct_cooling_off_flags")
    assert len(flags) == 3
    assert not [c for c in flags.columns if c.endswith("_key") or "swe" in c]
    identifiers = set(returns["workforce"]["worker_key"])
    for name, frame in returns.items():
        if name != "workforce":
            identifiers |= set(frame["assignment_key"]) | set(frame["swe_registration_number"])
    cells = {str(value) for value in flags.to_numpy().ravel()}
    assert not cells & identifiers
    assert not [cell for cell in cells if HASH.search(cell)]


def test_compliance_counts_flags_per_council_month_and_the_month_s_spend(warehouse):
    compliance = query(
        warehouse,
        "select council_code, period, assignment_count, cooling_off_flag_count, "
        "cooling_off_exception_count, agency_spend from marts.fct_agency_rule_compliance",
    ).set_index(["council_code", "period"])
    flags = compliance[["cooling_off_flag_count", "cooling_off_exception_count"]]
    assert flags.loc[(NORFOLK, "2025-10")].tolist() == [2, 1]
    assert flags.loc[(ESSEX, "2025-10")].tolist() == [1, 0]
    assert flags.loc[(NORFOLK, "2026-01")].tolist() == [0, 0]
    rates = query(
        warehouse,
        "select council_code, period, sum(agency_spend) as agency_spend, "
        "sum(assignment_count) as assignment_count from marts.fct_agency_rates "
        "group by council_code, period",
    ).set_index(["council_code", "period"])
    joined = compliance.join(rates, rsuffix="_rates", how="outer")
    assert len(joined) == 3
    assert (joined["agency_spend"] == joined["agency_spend_rates"]).all()
    assert (joined["assignment_count"] == joined["assignment_count_rates"]).all()


def test_compliance_shares_follow_the_rules_thresholds(warehouse, returns):
    """Post-qualifying experience (3 years on the start date), references (2) and notice (4
    weeks), computed here from the returns without the dbt macros."""
    frame = returns[f"{NORFOLK}/2025-10"]
    starts = pd.to_datetime(frame["start_date"])
    qualified = pd.to_datetime(frame["qualified_on"])
    experienced = (qualified + pd.DateOffset(years=3)) <= starts
    mart = query(
        warehouse,
        "select experience_known_count, experience_met_count, references_met_count, "
        "notice_met_count, project_team_count, within_cap_share from "
        "marts.fct_agency_rule_compliance where council_code = ? and period = ?",
        [NORFOLK, "2025-10"],
    ).iloc[0]
    assert mart["experience_known_count"] == qualified.notna().sum() == len(frame)
    assert mart["experience_met_count"] == experienced.sum()
    assert mart["references_met_count"] == (frame["references_received"] >= 2).sum()
    assert mart["notice_met_count"] == (frame["notice_period_weeks"] >= 4).sum()
    assert mart["project_team_count"] == frame["is_project_team"].astype(bool).sum()
    assert 0 <= mart["within_cap_share"] <= 100


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> Path:
    """The sample generator's cooling-off cases (samples.cooling_off) through one build: the
    leaving councils' workforce tables for the months of leaving and the engaging councils'
    agency tables for the months their assignments start, hashed as ingest hashes them."""
    raw = []
    tables = {(WORKFORCE, c.leaving_council, f"{c.left_on:%Y-%m}") for c in COOLING_OFF_CASES}
    tables |= {
        (AGENCY_ASSIGNMENTS, c.engaging_council, f"{c.starts_on:%Y-%m}") for c in COOLING_OFF_CASES
    }
    for ledger_id, (table, council, period) in enumerate(
        sorted(tables, key=lambda t: (t[0].name, t[1], t[2])), start=1
    ):
        if table is WORKFORCE:
            frame = _hashed(workforce_frame(council, period), "worker_key")
            frame["birth_month"] = frame["birth_month"].map(lambda d: d.replace(day=1))
        else:
            frame = _hashed(
                agency_assignments_frame(council, period),
                "assignment_key",
                "swe_registration_number",
            )
        raw.append((table, _as_received(frame, ledger_id, council, period)))
    return build_warehouse(
        tmp_path_factory.mktemp("cooling_off_samples"),
        raw,
        "--select",
        "+fct_cooling_off_flags",
        "+dim_months",
        "+dim_councils",
        "+dim_regional_roles",
        "--indirect-selection",
        "cautious",
    )


def test_the_sample_cases_show_in_the_flags(sample_warehouse):
    """What the demo's flags show: every sample case within the period, and only those."""
    flags = query(
        sample_warehouse,
        "select engaging_council_code, leaving_council_code, start_date, is_exception "
        "from marts.fct_cooling_off_flags",
    )
    got = {
        (r.engaging_council_code, r.leaving_council_code, r.start_date.date(), r.is_exception)
        for r in flags.itertuples(index=False)
    }
    expected = {
        (c.engaging_council, c.leaving_council, c.starts_on, c.reason_leave == "3")
        for c in COOLING_OFF_CASES
        if c.starts_on <= (c.left_on + pd.DateOffset(months=3)).date()
    }
    assert got == expected
    assert len(expected) == 3 and sum(e[3] for e in expected) == 1
