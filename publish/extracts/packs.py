"""Per-council packs: "you against the region" over the 12 months to the month, for the
council's own board. Board papers may be made public, so nothing in a pack, nor in every pack
and partner file side by side, may give away a council's small figure or anyone else's.

Three sections, each the council and the region month by month:

* **Workforce** (the partner indicators): each month shows the publication-wide decision
  (publish/extracts/suppression.py: a pack is the view of an audience that sees only this
  council and the region, which sums every member with a return).
* **Agency** (every role together, from fct_agency_rates and the assignments' hourly rates):
  assignments, assignments above the cap, breaches without sign-off, spend, and the median
  hourly pay and charge. A council's figure rests on its assignments; the region sums the
  members with assignments in the month (the medians: over all their assignments). Decided
  month by month by suppression.decide_agency_month, the same in every pack.
* **Pay** (per regional role, from fct_pay_rates): the council's pay scale in force at each
  month's end, beside the median of the member councils'. A pay scale is council pay policy,
  not a person's pay: published as it is.

Each month says how many councils its regional figure holds and which members sent no return
(publish.extracts.coverage), so a missing council is never read as a fall. The regional spread
(quartiles, minimum, maximum) is left out: over unpublished council figures it would give them
away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from common.members import Member
from common.periods import window_periods
from common.reference import seed_rows
from common.rounding import UNAVAILABLE
from publish.disclosure import AdditiveGroup, Cell, Disclosure, Key, column_total_groups
from publish.extracts import benchmark, coverage
from publish.extracts.indicators import (
    ALL_ROLES,
    PACK_AGENCY,
    PACK_PAY,
    PARTNER_INDICATORS,
    Indicator,
    Theme,
)
from publish.extracts.marts import MartFrames
from publish.extracts.partner import REGION_ROW, build_partner_table
from publish.extracts.suppression import Decisions, decide_agency_month

AgencyDecisions = dict[str, Disclosure]  # period -> the month's agency cells, decided


@dataclass(frozen=True)
class PackLine:
    """One indicator of a pack: the council's and the region's published text, month by month."""

    theme: Theme  # the pack's section
    role: str  # regional role code; ALL_ROLES: every role
    name: str
    label: str
    places: int
    unit: str
    council: list[str]
    region: list[str]


def pack_figures(
    frames: MartFrames,
    council: Member,
    members_on_month: Callable[[str], tuple[Member, ...]],
    threshold: float,
    decisions: Decisions | None = None,
    agency: AgencyDecisions | None = None,
) -> tuple[list[str], list[PackLine], list[coverage.Coverage | None]]:
    """(months, the pack's lines: workforce, then agency and pay when the marts hold them,
    and per month what the regional figure covers: None for a month the pack has no figures).
    ``decisions``: the publication-wide suppression (publish/extracts/suppression.py), whose
    region row is the pack's region (every member with a return); None: each month's
    workforce table suppressed on its own. ``agency``: the agency months decided once for
    every pack (agency_decisions); None: decided here, to the same result."""
    months = window_periods(frames.period)
    members = {month: members_on_month(month) for month in months}
    shown = {
        month: _shown(council, members[month], decisions is None or month in decisions.members)
        for month in months
    }
    workforce, covered = _workforce_lines(
        frames, council, months, members, shown, threshold, decisions
    )
    lines = [
        *workforce,
        *_agency_lines(frames, council, months, members_on_month, shown, threshold, agency),
        *_pay_lines(frames, council, months, members, shown),
    ]
    return months, lines, covered


def _shown(council: Member, members: tuple[Member, ...], in_panel: bool) -> bool:
    """Whether a month has figures in the council's pack: the council is a member then (and
    the month is in the marts the decisions were taken over)."""
    return in_panel and any(m.council_code == council.council_code for m in members)


def _line(indicator: Indicator, role: str, council: list[str], region: list[str]) -> PackLine:
    return PackLine(
        indicator.theme,
        role,
        indicator.name,
        indicator.label,
        indicator.places,
        indicator.unit,
        council,
        region,
    )


# --- workforce --------------------------------------------------------------------------------


def _workforce_lines(frames, council, months, members, shown, threshold, decisions):
    covered: list[coverage.Coverage | None] = []
    council_texts: dict[str, list[str]] = {i.name: [] for i in PARTNER_INDICATORS}
    region_texts: dict[str, list[str]] = {i.name: [] for i in PARTNER_INDICATORS}
    for month in months:
        if not shown[month]:
            for i in PARTNER_INDICATORS:
                council_texts[i.name].append(UNAVAILABLE)
                region_texts[i.name].append(UNAVAILABLE)
            covered.append(None)
            continue
        rows = frames.council_months[frames.council_months["period"] == month]
        table = build_partner_table(
            month,
            rows,
            members[month],
            {council.council_code},
            threshold,
            covers=coverage.region_mart_label(frames.region_months, month),
            region_over={m.council_code for m in members[month]},
            decided=None if decisions is None else decisions.month(month),
        )
        covered.append(table.coverage)
        for i in PARTNER_INDICATORS:
            council_texts[i.name].append(table.figure(council.council_code, i.name))
            region_texts[i.name].append(table.figure(REGION_ROW, i.name))
    lines = [
        _line(i, ALL_ROLES, council_texts[i.name], region_texts[i.name]) for i in PARTNER_INDICATORS
    ]
    return lines, covered


# --- agency -----------------------------------------------------------------------------------


def agency_cells(
    rates: pd.DataFrame, assignments: pd.DataFrame | None, members: tuple[Member, ...]
) -> tuple[dict[Key, Cell], list[AdditiveGroup]]:
    """A month's agency cells, every role together: a row per member council and REGION_ROW
    (the members with assignments), each indicator of PACK_AGENCY with its support (the
    assignments it rests on, indicators.Indicator.support, summed over the roles); and each
    additive indicator's region = sum of the councils. ``rates``: the month's
    fct_agency_rates rows; ``assignments``: its fct_agency_assignment_months rows (None: no
    medians). A council with no rows has no agency figures for the month (``x``)."""
    codes = sorted(m.council_code for m in members)
    rates = rates[rates["council_code"].isin(codes)]
    rates_of = dict(tuple(rates.groupby("council_code")))
    assignments_of = {}
    if assignments is not None:
        assignments = assignments[assignments["council_code"].isin(codes)]
        assignments_of = dict(tuple(assignments.groupby("council_code")))
    cells: dict[Key, Cell] = {}
    for indicator in PACK_AGENCY:
        for code in codes:
            key = (code, indicator.name)
            mine = None if assignments is None else assignments_of.get(code, assignments[:0])
            cells[key] = _agency_cell(indicator, rates_of.get(code, rates[:0]), mine, key)
        key = (REGION_ROW, indicator.name)
        cells[key] = _agency_cell(indicator, rates, assignments, key)
    additive = [i.name for i in PACK_AGENCY if i.kind == "count"]
    return cells, column_total_groups(codes, REGION_ROW, additive)


def _agency_cell(
    indicator: Indicator, rates: pd.DataFrame, assignments: pd.DataFrame | None, key: Key
) -> Cell:
    is_median = indicator.source in benchmark.MEDIAN_OF_ASSIGNMENTS
    if rates.empty or (is_median and assignments is None):
        return Cell(key, None, None)
    value = benchmark.agency_value(indicator, rates, assignments)
    if value is None or pd.isna(value):
        return Cell(key, None, None)
    support = float(rates[indicator.support].sum())
    return Cell(key, float(value), support, places=indicator.places)


def agency_decisions(
    frames: MartFrames, members_on_month: Callable[[str], tuple[Member, ...]], threshold: float
) -> AgencyDecisions:
    """Every month of the window with members, its agency cells (agency_cells) decided by
    suppression.decide_agency_month: the one decision every pack shows. Empty without the
    agency marts."""
    if frames.agency_rates is None:
        return {}
    rates, assignments = frames.agency_rates, frames.agency_assignment_rates
    decided = {}
    for month in window_periods(frames.period):
        members = members_on_month(month)
        if not members:
            continue
        of_month = None if assignments is None else assignments[assignments["period"] == month]
        cells, groups = agency_cells(rates[rates["period"] == month], of_month, members)
        decided[month] = decide_agency_month(cells, groups, threshold)
    return decided


def _agency_lines(frames, council, months, members_on_month, shown, threshold, agency):
    if frames.agency_rates is None:
        return []
    if agency is None:
        agency = agency_decisions(frames, members_on_month, threshold)
    council_texts: dict[str, list[str]] = {i.name: [] for i in PACK_AGENCY}
    region_texts: dict[str, list[str]] = {i.name: [] for i in PACK_AGENCY}
    for month in months:
        decided = agency.get(month) if shown[month] else None
        for i in PACK_AGENCY:
            mine = None if decided is None else decided.published[(council.council_code, i.name)]
            region = None if decided is None else decided.published[(REGION_ROW, i.name)]
            council_texts[i.name].append(mine or UNAVAILABLE)
            region_texts[i.name].append(region or UNAVAILABLE)
    return [_line(i, ALL_ROLES, council_texts[i.name], region_texts[i.name]) for i in PACK_AGENCY]


# --- pay --------------------------------------------------------------------------------------


def _role_order() -> dict[str, int]:
    return {row["role_code"]: int(row["sort_order"]) for row in seed_rows("regional_roles")}


def _pay_lines(frames, council, months, members, shown) -> list[PackLine]:
    """Per regional role the council has a scale for in the 12 months (in the seed's order):
    its scale's minimum, midpoint and maximum beside the median of the member councils'
    (benchmark.pay_figures, as in the members' benchmark). Not suppressed: pay policy."""
    if frames.pay_rates is None:
        return []
    pay = frames.pay_rates[frames.pay_rates["period"].isin(months)]
    own = pay[pay["council_code"] == council.council_code]
    order = _role_order()
    roles = sorted(set(own["regional_role"]), key=lambda r: (order.get(r, len(order)), r))
    by_month_role = {key: rows for key, rows in pay.groupby(["period", "regional_role"])}
    empty = pay.iloc[0:0]
    lines = []
    for role in roles:
        for indicator in PACK_PAY:
            mine, region = [], []
            for month in months:
                if not shown[month]:
                    mine.append(UNAVAILABLE)
                    region.append(UNAVAILABLE)
                    continue
                rows = by_month_role.get((month, role), empty)
                councils, figure = benchmark.pay_figures(rows, members[month], indicator)
                mine.append(councils[council.council_code].text(indicator.places))
                region.append(figure.text(indicator.places))
            lines.append(_line(indicator, role, mine, region))
    return lines
