"""Member councils, read from the dbt seed that is their one home (members are data, not code)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from common.reference import in_force_on, seed_rows


@dataclass(frozen=True)
class Member:
    council_code: str  # DfE 3-digit LA code
    council_name: str
    council_slug: str  # the council's folder name in the ingest bucket
    ons_code: str
    region_code: str
    region_name: str
    joined_on: dt.date | None = None
    left_on: dt.date | None = None

    def is_member_on(self, day: dt.date) -> bool:
        """Joined on or before ``day`` and not yet left (left_on is the first day outside), as
        dbt's ``is_member_on`` macro."""
        return in_force_on(day, self.joined_on, self.left_on, ends_exclusive=True)


@cache
def load_members() -> tuple[Member, ...]:
    return tuple(
        Member(
            council_code=row["council_code"],
            council_name=row["council_name"],
            council_slug=row["council_slug"],
            ons_code=row["ons_code"],
            region_code=row["region_code"],
            region_name=row["region_name"],
            joined_on=_date_or_none(row.get("joined_on")),
            left_on=_date_or_none(row.get("left_on")),
        )
        for row in seed_rows("members")
    )


def _date_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def members_on(day: dt.date) -> tuple[Member, ...]:
    """Councils in the MoC on ``day`` (membership changes are data, in members.csv)."""
    return tuple(m for m in load_members() if m.is_member_on(day))


def councils_covered_on(day: dt.date) -> tuple[Member, ...]:
    """The councils a month's regional figure and extracts cover: the MoC's members on ``day``;
    on a day before any council was a member (a region publishing its DfE history), every
    council of members.csv, the region's councils. dbt's fct_vacancies_region_months makes the
    same choice (its coverage column); tests/test_regional_history.py keeps the two in step."""
    return members_on(day) or load_members()


def members_by_slug() -> dict[str, Member]:
    return {m.council_slug: m for m in load_members()}


def members_by_code() -> dict[str, Member]:
    return {m.council_code: m for m in load_members()}
