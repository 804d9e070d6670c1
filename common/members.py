"""Member councils, read from the dbt seed that is their one home (members are data, not code)."""

from __future__ import annotations

import datetime as dt
import re
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


def _words(text: str) -> tuple[str, ...]:
    """Lower-case words of ``text``: 'Central Bedfordshire ', 'central-bedfordshire' and
    'CENTRAL_BEDFORDSHIRE' all give ('central', 'bedfordshire')."""
    return tuple(re.findall(r"[a-z0-9]+", text.lower()))


def _member_words() -> dict[tuple[str, ...], Member]:
    words = {}
    for member in load_members():
        words[_words(member.council_slug)] = member
        words[_words(member.council_name)] = member
    return words


def member_for_folder(folder: str) -> Member | None:
    """The member whose folder this is, typed as officers type it: any case, spaces, hyphens
    or underscores between words, spaces around, the slug or the council's name
    ('Central Bedfordshire', 'luton ', 'Southend on Sea'). None for a non-member."""
    return _member_words().get(_words(folder))


def members_named_in(text: str) -> tuple[Member, ...]:
    """The members ``text`` (a file name, a title) names as whole words, by slug or name:
    'bedford_2025-04.csv' names Bedford, 'central_bedfordshire_2025-04.csv' names Central
    Bedfordshire and not Bedford ('bedfordshire' is another word)."""
    words = _words(text)
    found: dict[str, Member] = {}
    for key, member in _member_words().items():
        size = len(key)
        if any(words[i : i + size] == key for i in range(len(words) - size + 1)):
            found[member.council_code] = member
    return tuple(sorted(found.values(), key=lambda m: m.council_name))
