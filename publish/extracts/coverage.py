"""What a regional figure covers: the one home of the coverage columns every regional row
carries (members' benchmark, partner extract, council packs) and of the words that say it.

A regional figure sums the councils it covers that sent a return for the month; a council
without one is left out of the sums, so the regional totals drop that month. That drop is a
missing council, not a fall in the workforce, and every file says so: how many councils the
figure holds (``councils_in_regional_figure``), whose figure it is (``regional_figure_covers``:
"MoC members", "MoC councils sharing with <partner>", or before the MoC "<region> councils")
and which councils of that group it misses (``councils_missing_from_regional_figure``, by
name, "none" when it misses none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from common.members import Member
from common.rounding import UNAVAILABLE
from publish.extracts import ees

COUNCILS_IN = "councils_in_regional_figure"
COVERS = "regional_figure_covers"
MISSING = "councils_missing_from_regional_figure"
# The partner extract's form of MISSING: a count (an EES file for one month cannot carry a
# filter with a single level; the names go in its footnote).
MISSING_COUNT = "councils_missing_from_regional_figure_count"
NONE_MISSING = "none"
MOC_MEMBERS_LABEL = "MoC members"
MISSING_DESCRIPTION = (
    "Councils of the group the regional figure covers that sent no return for the month, by "
    "name ('none' when every one did). They are left out of the regional sums, so the regional "
    "counts drop in such a month: a missing council, not a fall in the workforce."
)


def region_mart_label(region_months: pd.DataFrame, period: str) -> str:
    """What ``period``'s regional figure covers, as the region mart labels it: 'MoC members',
    or before the MoC '<region> councils' (fct_vacancies_region_months.coverage_label); a
    month with no regional row still has members."""
    regions = region_months[region_months["period"] == period]
    return MOC_MEMBERS_LABEL if regions.empty else str(regions["coverage_label"].iloc[0])


def sharing_label(partner_name: str) -> str:
    """What a partner's regional figure covers: only the councils that signed for it."""
    return f"MoC councils sharing with {partner_name}"


def withheld_label(partner_name: str, minimum: int) -> str:
    return (
        f"No regional figure: fewer than {minimum} MoC councils share with {partner_name} "
        "(MOC_MIN_COUNCILS_FOR_REGION)"
    )


@dataclass(frozen=True)
class Coverage:
    """The councils a month's regional figure covers: those with a return, those without."""

    period: str
    covers: str  # regional_figure_covers
    included: tuple[Member, ...]  # with a return for the month, by name
    missing: tuple[Member, ...]  # without one, by name
    withheld: bool = False  # no regional figure is published (too few councils share)

    @property
    def councils_in_text(self) -> str:
        return UNAVAILABLE if self.withheld else str(len(self.included))

    @property
    def missing_text(self) -> str:
        return "; ".join(m.council_name for m in self.missing) or NONE_MISSING

    @property
    def missing_count_text(self) -> str:
        return UNAVAILABLE if self.withheld else str(len(self.missing))

    def columns(self) -> list[str]:
        """The coverage cells of a row: councils in, covers, missing (COLUMNS order)."""
        return [self.councils_in_text, self.covers, self.missing_text]

    def sentence(self) -> str:
        """In words, for an About sheet or a footnote."""
        month = ees.month_label(self.period)
        if self.withheld:
            return f"{month}: {self.covers}; the regional row is x."
        total = len(self.included) + len(self.missing)
        text = (
            f"{month}: the regional figure covers {len(self.included)} of the {total} councils "
            f"of '{self.covers}' (the councils with a return for the month)."
        )
        if self.missing:
            names = ", ".join(m.council_name for m in self.missing)
            text += (
                f" No return from {names}: left out of the regional figure, so the regional "
                "counts are lower this month because a council is missing, not because the "
                "workforce fell."
            )
        return text


COLUMNS = (COUNCILS_IN, COVERS, MISSING)


def month_coverage(
    council_months: pd.DataFrame,
    period: str,
    councils: Iterable[Member],
    covers: str,
    withheld: bool = False,
) -> Coverage:
    """Coverage of ``period``'s regional figure over ``councils`` (a council is in it when
    fct_vacancies_council_months has its row for the month)."""
    present = set()
    if len(council_months):  # an empty frame (no council sent a return) may have no columns
        present = set(council_months.loc[council_months["period"] == period, "council_code"])
    councils = sorted(councils, key=lambda m: m.council_name)
    return Coverage(
        period,
        covers,
        tuple(m for m in councils if m.council_code in present),
        tuple(m for m in councils if m.council_code not in present),
        withheld,
    )
