"""Sample cooling-off cases (DOMAIN.md, Agency rules): social workers who leave a permanent post
at one member council and come back through an agency, so the demo's cooling-off flags show
each case. The same clear SWE number is in the leaving council's workforce return and in the
engaging council's agency return, as the councils would send them; ingest hashes both with the
same key, and only the region can link them.

A case is applied where the generator would otherwise draw a row: the leaving council's
workforce table for the month of leaving gives its first permanent leaver the case's number,
leaving day and reason; the engaging council's agency table gives its first assignment the
case's reference, number and start date in every month the assignment is open (from
AGENCY_RULES_RETURNS_FROM, when the return carries the number). So every table still adds up
to the establishment table. A council-month with no permanent leaver (another seed) leaves
that case without its leaver.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from common.periods import period_end, period_start


@dataclass(frozen=True)
class CoolingOffCase:
    swe_number: str  # clear, as both councils send it; outside the generator's other ranges
    leaving_council: str
    left_on: dt.date
    reason_leave: str  # DfE CSWW ReasonLeave code
    engaging_council: str
    starts_on: dt.date
    reference: str  # the engaging council's assignment reference
    weeks: int = 26  # how long the assignment runs

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(weeks=self.weeks)


# What each case shows in fct_cooling_off_flags (3-month cooling-off period):
COOLING_OFF_CASES = (
    # left Norfolk, agency at Essex 59 days later: flagged
    CoolingOffCase(
        "SW200101", "926", dt.date(2025, 11, 14), "1", "881", dt.date(2026, 1, 12), "AGY-2026-9101"
    ),
    # compulsory redundancy at Hertfordshire, agency at Cambridgeshire 38 days later: flagged
    # as an exception
    CoolingOffCase(
        "SW200102", "919", dt.date(2026, 1, 16), "3", "873", dt.date(2026, 2, 23), "AGY-2026-9102"
    ),
    # left Suffolk, agency at Suffolk itself 59 days later: flagged
    CoolingOffCase(
        "SW200103", "935", dt.date(2025, 12, 5), "1", "935", dt.date(2026, 2, 2), "AGY-2026-9103"
    ),
    # left Essex, agency at Peterborough 136 days later: past the period, not flagged
    CoolingOffCase(
        "SW200104", "881", dt.date(2025, 10, 17), "1", "874", dt.date(2026, 3, 2), "AGY-2026-9104"
    ),
)


def with_cooling_off_leavers(frame: pd.DataFrame, council_code: str, period: str) -> pd.DataFrame:
    """The workforce table with the cases that left the council in the month as its first
    permanent leavers (their number, leaving day and reason, a role of four years)."""
    first_day, last_day = period_start(period), period_end(period)
    cases = [
        c
        for c in COOLING_OFF_CASES
        if c.leaving_council == council_code and first_day <= c.left_on <= last_day
    ]
    leavers = frame.index[frame["role_end_date"].notna() & ~frame["is_agency_worker"]]
    if not cases or not len(leavers):
        return frame
    frame = frame.copy()
    for case, index in zip(cases, leavers, strict=False):
        frame.loc[index, "worker_key"] = case.swe_number
        frame.loc[index, "role_start_date"] = case.left_on - dt.timedelta(days=4 * 365)
        frame.loc[index, "role_end_date"] = case.left_on
        frame.loc[index, "reason_leave"] = case.reason_leave
    return frame


def with_cooling_off_assignments(
    frame: pd.DataFrame, council_code: str, period: str
) -> pd.DataFrame:
    """The agency table with the council's cases open in the month as its first assignments
    (their reference, number, start and end dates, qualified ten years before)."""
    if "swe_registration_number" not in frame.columns or frame.empty:
        return frame
    first_day, last_day = period_start(period), period_end(period)
    cases = [
        c
        for c in COOLING_OFF_CASES
        if c.engaging_council == council_code and c.starts_on <= last_day and c.ends_on >= first_day
    ]
    if not cases:
        return frame
    frame = frame.copy()
    for case, index in zip(cases, frame.index, strict=False):
        frame.loc[index, "assignment_key"] = case.reference
        frame.loc[index, "swe_registration_number"] = case.swe_number
        frame.loc[index, "start_date"] = case.starts_on
        frame.loc[index, "end_date"] = case.ends_on if case.ends_on <= last_day else None
        frame.loc[index, "qualified_on"] = case.starts_on - dt.timedelta(days=10 * 365)
        if frame.loc[index, "cap_exception_signed_off"]:
            frame.loc[index, "signed_off_on"] = case.starts_on  # signed off on the first day
    return frame
