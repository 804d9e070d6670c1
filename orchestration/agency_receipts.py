"""The agency rules' addendum to an accepted agency return's receipt.

Intake writes a file's receipt as soon as the file is read, before dbt has built anything, and
must not reach into the marts (a stage never imports a later one), while a cap breach or a
cooling-off flag is only known after the build (a cooling-off flag even needs another
council's leavers). So after each build this step, which spans stages, writes beside the
receipt of the current version of each council-month's agency return
(``<file>.feedback.agency-rules.html`` and ``.csv``, in the council's own feedback folder):
the council's own assignments in the month above the price cap without the DCS's sign-off
(fct_agency_cap_breaches), and its own cooling-off flags (fct_cooling_off_flags: assignments
open in the month that started within the cooling-off period after their worker left a
permanent post at a member council), so the officer can act the same day. A return with
neither says so. Read from the published marts snapshot, as the dashboard and the chase step
read it, so it never waits on the warehouse's writer. Nothing in it identifies a worker: the
flags carry no hash, the assignment is named by its start date, its job type and, for the
month it was last reported, its row in the return.

Rewritten only when its content changes, so a build that changes nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
from dataclasses import dataclass

import duckdb

from common.excel import csv_text
from common.members import members_by_code
from common.settings import Settings
from ingest.bucket import AGENCY_RULES_FEEDBACK_SUFFIX, open_bucket
from transform.marts_snapshot import RETURN_SUBMISSIONS, snapshot_path

CAP_BREACHES = "marts.fct_agency_cap_breaches"
COOLING_OFF_FLAGS = "marts.fct_cooling_off_flags"
COLUMNS = ["finding", "assignment_start_date", "row_in_return", "job_type", "detail", "what_to_do"]
HEADINGS = [
    "Finding",
    "Assignment start date",
    "Row in this return",
    "Job type",
    "Detail",
    "What to do",
]
BREACH = "Above the price cap without sign-off"
COOLING_OFF = "Cooling-off"
COOLING_OFF_EXCEPTION = "Cooling-off (exception)"


@dataclass(frozen=True)
class AgencyReturn:
    council_code: str
    period: str
    file_name: str
    feedback_path: str  # the receipt's HTML path in the bucket


def write_agency_rules_receipts(settings: Settings) -> list[str]:
    """Write the addendum of every current agency return; returns the paths written."""
    snapshot = snapshot_path(settings)
    if not snapshot.exists():
        return []
    with duckdb.connect(str(snapshot), read_only=True) as con:
        returns = _current_agency_returns(con)
        breaches = _breaches(con)
        flags = _flags(con)
    fs, _root = open_bucket(settings.bucket_url)
    written = []
    for agency_return in returns:
        key = (agency_return.council_code, agency_return.period)
        rows = breaches.get(key, []) + _flags_in(flags, *key)
        base = agency_return.feedback_path.removesuffix(".html").removesuffix(".feedback")
        base += AGENCY_RULES_FEEDBACK_SUFFIX
        outputs = {
            f"{base}.html": render_html(agency_return, rows).encode("utf-8"),
            f"{base}.csv": csv_text(COLUMNS, rows).encode("utf-8-sig"),
        }
        fs.makedirs(posixpath.dirname(base), exist_ok=True)
        for path, data in outputs.items():
            if fs.exists(path) and fs.cat_file(path) == data:
                continue
            fs.pipe_file(path, data)
            written.append(path)
    return written


def _current_agency_returns(con: duckdb.DuckDBPyConnection) -> list[AgencyReturn]:
    rows = con.execute(
        f"SELECT s.council_code, s.period, f.file_name, f.feedback_path "
        f"FROM {RETURN_SUBMISSIONS} AS s JOIN ledger.files AS f USING (ledger_id) "
        "WHERE s.return_table = 'agency_assignments' AND s.has_current_version "
        "AND f.feedback_path IS NOT NULL ORDER BY s.council_code, s.period"
    ).fetchall()
    return [AgencyReturn(*row) for row in rows]


def _money(value: object) -> str:
    return f"£{float(value):,.2f}"


def _day(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


def _breaches(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[list[object]]]:
    found: dict[tuple[str, str], list[list[object]]] = {}
    for row in con.execute(
        f"SELECT council_code, period, start_date, agency_job_type, cap_comparison_basis, "
        f"cap_comparable_rate, cap_comparable_cap, cap_hourly_pay, excess_hourly, "
        f"excess_percentage, is_cap_placeholder FROM {CAP_BREACHES} WHERE NOT is_signed_off "
        "ORDER BY council_code, period, start_date, agency_job_type, excess_hourly DESC"
    ).fetchall():
        code, period, start, job, basis, rate, cap, cap_itself, excess, percent, placeholder = row
        compared = {
            "pay_only": "Hourly pay",
            "pay_plus_on_costs": "Pay + employer NI + holiday pay",
            "pay_against_net_cap": "Hourly pay (PAYE, against the cap net of on-costs)",
        }[basis]
        cap_text = f"{_money(cap)}" + (
            f" ({_money(cap_itself)} less on-costs)" if cap != cap_itself else ""
        )
        detail = (
            f"{compared} {_money(rate)} an hour against the cap of {cap_text}: "
            f"{_money(excess)} ({float(percent):.1f}%) above it"
            + (
                " (the cap is a PLACEHOLDER until the region agrees its figure)"
                if placeholder
                else ""
            )
        )
        found.setdefault((code, period), []).append(
            [
                BREACH,
                _day(start),
                "",
                job,
                detail,
                "Record the Director of Children's Services' sign-off (by whom, when) in the "
                "return, or bring the rate within the cap.",
            ]
        )
    return found


def _flags(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        f"SELECT engaging_council_code, first_period, last_period, last_period_row_number, "
        f"leaving_council_code, agency_job_type, leaving_reason_code, is_exception, "
        f"exception_reason, leaving_date, start_date, cooling_off_ends_on, days_between "
        f"FROM {COOLING_OFF_FLAGS} ORDER BY start_date, leaving_date"
    ).fetchall()


def _flags_in(flags: list[tuple], council_code: str, period: str) -> list[list[object]]:
    """The council's flags on assignments its return for the period reports."""
    members = members_by_code()
    rows = []
    for flag in flags:
        (engaging, first, last, row_number, leaving, job, reason, is_exception, why) = flag[:9]
        left_on, start, ends_on, days = flag[9:]
        if engaging != council_code or not first <= period <= last:
            continue
        where = "this council" if leaving == engaging else members[leaving].council_name
        detail = (
            f"The worker left a permanent social work post at {where} on {_day(left_on)} "
            f"(DfE leaving reason {reason}), {days} days before this assignment started; the "
            f"cooling-off period ran to {_day(ends_on)}."
        )
        if last != period and row_number is not None:
            detail += f" It is row {row_number} of your latest return, for {last}."
        if is_exception:
            detail += f" An exception: the worker left through {why}."
            action = "Keep the reason for the engagement on file; no change needed if it stands."
        else:
            action = (
                "Check the engagement against the agency rules' cooling-off period and tell "
                "the region why it went ahead."
            )
        rows.append(
            [
                COOLING_OFF_EXCEPTION if is_exception else COOLING_OFF,
                _day(start),
                row_number if last == period else "",
                job or "",
                detail,
                action,
            ]
        )
    return rows


def render_html(agency_return: AgencyReturn, rows: list[list[object]]) -> str:
    council = members_by_code()[agency_return.council_code].council_name
    title = f"Agency rules: {council}, {agency_return.period}"
    intro = (
        f"Checked after the regional build, for the agency assignments of "
        f"{html.escape(agency_return.file_name)} (the current return for the month)."
    )
    if not rows:
        body = "<p>No assignment above the price cap without sign-off and no cooling-off flag.</p>"
    else:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADINGS)
        lines = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
            for row in rows
        )
        body = f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{intro}</p>{body}</body></html>\n"
    )
