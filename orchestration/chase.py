"""Chase the councils that have not sent this month's return.

After the monthly deadline, every member council without an accepted return for the period
gets a message in its feedback folder, the region gets the list, and, when an SMTP connection
and contact addresses are configured, each council's contact gets an email.
"""

from __future__ import annotations

import csv
import datetime as dt
import posixpath
from dataclasses import dataclass
from pathlib import Path

import duckdb

from common.excel import csv_text
from common.members import Member, members_on
from common.periods import period_end
from common.settings import Settings
from ingest.bucket import FEEDBACK_FOLDER, open_bucket
from transform.marts_snapshot import RETURN_SUBMISSIONS, snapshot_path


@dataclass(frozen=True)
class Reminder:
    member: Member
    period: str
    message: str
    path: str  # where the message was written


def councils_without_return(settings: Settings, period: str) -> list[Member]:
    """Members (in membership on the period's last day) with no accepted return for it: the
    late councils of the return-submissions mart (its one home, which the dashboard reads
    too), from the published marts snapshot, so chasing never waits on the warehouse's writer.
    Before the first build there is no snapshot, and nobody's return has been accepted."""
    late = _late_council_codes(settings, period)
    return [m for m in members_on(period_end(period)) if late is None or m.council_code in late]


def _late_council_codes(settings: Settings, period: str) -> set[str] | None:
    """The mart's late councils for the period; None when no snapshot has been published."""
    snapshot = snapshot_path(settings)
    if not snapshot.exists():
        return None
    with duckdb.connect(str(snapshot), read_only=True) as con:
        rows = con.execute(
            f"SELECT DISTINCT council_code FROM {RETURN_SUBMISSIONS} WHERE period = ? AND is_late",
            [period],
        ).fetchall()
    return {code for (code,) in rows}


def reminder_text(member: Member, period: str, deadline: dt.date) -> str:
    return (
        f"Dear colleague at {member.council_name},\n\n"
        f"We have not yet received an accepted workforce return for {period} from "
        f"{member.council_name} (deadline {deadline:%d %B %Y}). Please drop your return into "
        f"your council's folder in the ingest bucket ('{member.council_slug}/'), named like "
        f"'{member.council_slug}_{period}_return.xlsx'. If you sent a file that was rejected, "
        "the feedback report beside this message says what to fix.\n\n"
        "Thank you,\nThe MoC regional workforce team\n"
    )


def write_reminders(settings: Settings, period: str, deadline: dt.date) -> list[Reminder]:
    """Write one message per missing council and the region's list; idempotent per period."""
    fs, root = open_bucket(settings.bucket_url)
    reminders = []
    for member in councils_without_return(settings, period):
        path = posixpath.join(
            root, member.council_slug, FEEDBACK_FOLDER, f"missing_return_{period}.txt"
        )
        fs.makedirs(posixpath.dirname(path), exist_ok=True)
        message = reminder_text(member, period, deadline)
        fs.pipe_file(path, message.encode("utf-8"))
        reminders.append(Reminder(member, period, message, path))
    listing = csv_text(
        ["period", "council_code", "council_name", "deadline"],
        [[period, r.member.council_code, r.member.council_name, deadline] for r in reminders],
    )
    region_path = posixpath.join(root, FEEDBACK_FOLDER, f"missing_returns_{period}.csv")
    fs.makedirs(posixpath.dirname(region_path), exist_ok=True)
    fs.pipe_file(region_path, listing.encode("utf-8"))
    return reminders


def load_contacts(path: Path | str | None) -> dict[str, list[str]]:
    """Council code -> contact addresses, from a CSV kept outside the repository."""
    if not path:
        return {}
    contacts: dict[str, list[str]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            contacts.setdefault(row["council_code"], []).append(row["email"].strip())
    return contacts
