"""The members' benchmark: every council beside the regional figure, median, quartiles, minimum
and maximum, for every mart metric, for the month and the 12 months to it. Named councils, for
members only (inside the MoC): no suppression, but the DfE symbols and rounding.

Figures (one definition each; docs/benchmark_extracts.md says the same):

* The month. Council figures are the marts' own. The regional figure is the region mart's,
  computed from summed components over the member councils with a return (never an average
  of council rates); ``councils_in_regional_figure`` says how many,
  ``regional_figure_covers`` whose: "MoC members", or for a month before the MoC (DfE history)
  "<region> councils", every council of the region with a return; and
  ``councils_missing_from_regional_figure`` which of them sent no return for the month (by
  name, "none"), so a month with a council missing is never read as a fall
  (publish.extracts.coverage).
* The 12 months to the month (indicator name + ``_12_month_mean`` for counts, + ``_12_months``
  for rates): only for a council with a return in every one of the 12 months (otherwise
  ``x``). A count is the mean of its 12 monthly figures; a rate is computed from the components
  summed over the 12 months (so each month weighs by its size, as in a DfE regional figure).
  The regional figure sums the same over the councils with all 12 months. Turnover and the
  12-month leavers are already 12-month figures and have no separate row.
* Agency (per regional role, from fct_agency_rates): the council's figures; the regional
  figure sums the counts and spend, and for the hourly rates is the median over every
  assignment in the region. Agency spend also over the 12 months (``agency_spend_12_months``).
* Pay (per regional role, from fct_pay_rates, the scales in force at the month's end): the
  regional figure is the median of the council figures; no 12-month figure (a pay scale is a
  level, not a flow).
* Minimum, quartiles, median and maximum are over the council figures published as numbers
  (linear interpolation, as DuckDB's quantile_cont), unrounded until published.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from common.members import Member
from common.periods import WINDOW_MONTHS, window_periods
from common.rounding import (
    LOW,
    NOT_APPLICABLE,
    UNAVAILABLE,
    publish_figure,
    rounds_to_zero,
)
from publish.extracts import coverage, ees
from publish.extracts.indicators import (
    AGENCY,
    ALL_ROLES,
    BY_NAME,
    COUNTS,
    PAY,
    WORKFORCE,
    Indicator,
    rate_value,
    window_label,
)
from publish.extracts.marts import MartFrames

BENCHMARK_COLUMNS = [
    *ees.STANDARD_COLUMNS,
    "theme",
    "regional_role",
    "indicator",
    "value",
    "regional_minimum",
    "regional_lower_quartile",
    "regional_median",
    "regional_upper_quartile",
    "regional_maximum",
    *coverage.COLUMNS,
]
SPREAD = ("minimum", "lower_quartile", "median", "upper_quartile", "maximum")
COUNT_WINDOW_SUFFIX = "_12_month_mean"
RATE_WINDOW_SUFFIX = "_12_months"
AGENCY_SPEND = next(i for i in AGENCY if i.name == "agency_spend")
NO_WINDOW = frozenset({"turnover_rate_fte", "leavers_12_months_fte"})
REGION_COUNCILS = {  # region mart column counting the councils in each rate's regional figure
    "turnover_rate_fte": "turnover_councils_included",
    "vacancy_agency_cover_rate_fte": "vacancy_cover_councils_included",
}


@dataclass(frozen=True)
class Figure:
    value: float | None
    symbol: str | None = None  # x, z, u (u keeps its value for the record; published as u)

    @property
    def is_number(self) -> bool:
        return self.symbol is None and self.value is not None

    def text(self, places: int) -> str:
        if self.symbol is not None:
            return self.symbol
        if self.value is None or math.isnan(self.value):
            return UNAVAILABLE
        if rounds_to_zero(self.value, places):
            return LOW
        return publish_figure(self.value, places)


MISSING = Figure(None, UNAVAILABLE)


@dataclass(frozen=True)
class BenchmarkLine:
    """One indicator for the region: its figure, each council's, and the spread."""

    theme: str
    role: str
    indicator: str
    label: str
    places: int
    unit: str
    region: Figure
    councils: dict[str, Figure]  # council_code -> figure, every member
    councils_in_regional_figure: int

    def spread(self) -> list[float | None]:
        values = pd.Series([f.value for f in self.councils.values() if f.is_number], dtype=float)
        if values.empty:
            return [None] * len(SPREAD)
        return [float(v) for v in values.quantile([0, 0.25, 0.5, 0.75, 1.0])]


def _number(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


# --- the month --------------------------------------------------------------------------------


def _counts_of(row: pd.Series) -> dict[str, float | None]:
    return {c.name: _number(row[c.source]) for c in COUNTS}


def _council_month_figure(indicator: Indicator, row: pd.Series | None) -> Figure:
    if row is None:
        return MISSING
    value = _number(row[indicator.source])
    if indicator.kind != "rate":
        return MISSING if value is None else Figure(value)
    if value is not None:
        return Figure(value)
    if indicator.name == "turnover_rate_fte" and row["leavers_window_months"] < WINDOW_MONTHS:
        return MISSING
    recomputed, flag = rate_value(indicator, _counts_of(row))
    return Figure(recomputed, flag or NOT_APPLICABLE)


def _region_month_figure(indicator: Indicator, row: pd.Series | None) -> Figure:
    if row is None:
        return MISSING
    value = _number(row[indicator.source])
    if value is not None:
        return Figure(value)
    return Figure(None, NOT_APPLICABLE if indicator.kind == "rate" else UNAVAILABLE)


def workforce_month_lines(frames: MartFrames, members: Iterable[Member]) -> list[BenchmarkLine]:
    month = frames.council_months[frames.council_months["period"] == frames.period]
    rows = {r.council_code: r for _, r in month.iterrows()}
    regions = frames.region_months[frames.region_months["period"] == frames.period]
    region = None if regions.empty else regions.iloc[0]
    lines = []
    for indicator in WORKFORCE:
        councils = {
            m.council_code: _council_month_figure(indicator, rows.get(m.council_code))
            for m in members
        }
        included = (
            0
            if region is None
            else int(region[REGION_COUNCILS.get(indicator.name, "councils_included")] or 0)
        )
        lines.append(
            _line(indicator, ALL_ROLES, _region_month_figure(indicator, region), councils, included)
        )
    return lines


def _line(indicator, role, region, councils, included, name=None) -> BenchmarkLine:
    """A line of the indicator's month figures, or, with ``name`` (a 12-month indicator name),
    of its figures over the 12 months to the month, labelled as such (window_label)."""
    return BenchmarkLine(
        theme=indicator.theme,
        role=role,
        indicator=name or indicator.name,
        label=window_label(indicator) if name else indicator.label,
        places=indicator.places,
        unit=indicator.unit,
        region=region,
        councils=councils,
        councils_in_regional_figure=included,
    )


# --- the 12 months to the month ---------------------------------------------------------------


def _needed(indicator: Indicator) -> list[Indicator]:
    if indicator.kind == "rate":
        return [BY_NAME[indicator.numerator], *(BY_NAME[n] for n in indicator.denominator)]
    return [indicator]


def _window_sums(window: pd.DataFrame, indicator: Indicator) -> dict[str, float] | None:
    """Summed components of one council over a complete window, or None."""
    if window["period"].nunique() < WINDOW_MONTHS:
        return None
    sums = {}
    for count in _needed(indicator):
        column = window[count.source]
        if column.isna().any():
            return None
        sums[count.name] = float(column.sum())
    return sums


def _window_figure(indicator: Indicator, sums: dict[str, float] | None) -> Figure:
    if sums is None:
        return MISSING
    if indicator.kind == "rate":
        value, flag = rate_value(indicator, sums)
        return Figure(value, flag)
    return Figure(sums[indicator.name] / WINDOW_MONTHS)


def workforce_window_lines(frames: MartFrames, members: Iterable[Member]) -> list[BenchmarkLine]:
    periods = window_periods(frames.period)
    window = frames.council_months[frames.council_months["period"].isin(periods)]
    by_council = {code: group for code, group in window.groupby("council_code", sort=True)}
    lines = []
    for indicator in WORKFORCE:
        if indicator.name in NO_WINDOW:
            continue
        councils, summed, included = {}, {}, 0
        for member in members:
            group = by_council.get(member.council_code)
            sums = None if group is None else _window_sums(group, indicator)
            councils[member.council_code] = _window_figure(indicator, sums)
            if sums is not None:
                included += 1
                for name, value in sums.items():
                    summed[name] = summed.get(name, 0.0) + value
        region = _window_figure(indicator, summed if included else None)
        suffix = RATE_WINDOW_SUFFIX if indicator.kind == "rate" else COUNT_WINDOW_SUFFIX
        lines.append(
            _line(indicator, ALL_ROLES, region, councils, included, indicator.name + suffix)
        )
    return lines


# --- agency and pay, per regional role --------------------------------------------------------


def _median(values: pd.Series) -> float | None:
    values = values.dropna()
    return None if values.empty else float(values.quantile(0.5))


MEDIAN_OF_ASSIGNMENTS = {  # an hourly median's regional figure: over every assignment
    "hourly_pay_rate_median": "hourly_pay_rate",
    "hourly_charge_rate_median": "hourly_charge_rate",
}


def agency_value(
    indicator: Indicator, rows: pd.DataFrame, assignments: pd.DataFrame | None
) -> float | None:
    """An agency indicator over some councils and roles of a month: the regional figure (the
    member councils' rows) or a council's over every role (a pack). ``rows``: their
    fct_agency_rates rows; ``assignments``: their fct_agency_assignment_months rows. Counts
    and spend summed, an hourly median over every assignment, any other value the median of
    the rows."""
    if indicator.kind == "count":
        return float(rows[indicator.source].sum())
    if indicator.source in MEDIAN_OF_ASSIGNMENTS and assignments is not None:
        return _median(assignments[MEDIAN_OF_ASSIGNMENTS[indicator.source]])
    return _median(rows[indicator.source])


def agency_lines(frames: MartFrames, members: Iterable[Member]) -> list[BenchmarkLine]:
    if frames.agency_rates is None:
        return []
    members = list(members)
    window = frames.agency_rates
    month = window[window["period"] == frames.period]
    assignments = frames.agency_assignment_rates
    if assignments is not None:
        assignments = assignments[assignments["period"] == frames.period]
    lines = []
    for role in sorted(month["regional_role"].unique()):
        rows = {r.council_code: r for _, r in month[month["regional_role"] == role].iterrows()}
        for indicator in AGENCY:
            councils = {
                m.council_code: MISSING
                if m.council_code not in rows
                else Figure(_number(rows[m.council_code][indicator.source]))
                for m in members
            }
            present = month[
                (month["regional_role"] == role) & month["council_code"].isin(list(councils))
            ]
            same = None
            if assignments is not None:
                same = assignments[
                    (assignments["regional_role"] == role)
                    & assignments["council_code"].isin(list(councils))
                ]
            region_value = agency_value(indicator, present, same)
            region = MISSING if region_value is None else Figure(region_value)
            lines.append(_line(indicator, role, region, councils, len(present)))
        spend = AGENCY_SPEND
        role_window = window[window["regional_role"] == role]
        totals = role_window.groupby("council_code")["agency_spend"].sum()
        councils = {
            m.council_code: Figure(float(totals[m.council_code]))
            if m.council_code in totals.index
            else MISSING
            for m in members
        }
        in_region = totals[totals.index.isin(list(councils))]
        lines.append(
            _line(
                spend,
                role,
                Figure(float(in_region.sum())),
                councils,
                len(in_region),
                "agency_spend_12_months",
            )
        )
    return lines


def pay_figures(
    rows: pd.DataFrame, members: Iterable[Member], indicator: Indicator
) -> tuple[dict[str, Figure], Figure]:
    """(each member's figure, the regional figure) of a pay indicator from the fct_pay_rates
    ``rows`` of one month and role: the council's own scale (x without one), and the regional
    figure the median of the member councils' figures (x when none has one)."""
    by_council = {r.council_code: r for _, r in rows.iterrows()}
    councils = {}
    for member in members:
        row = by_council.get(member.council_code)
        value = None if row is None else _number(row[indicator.source])
        councils[member.council_code] = MISSING if value is None else Figure(value)
    numbers = pd.Series([f.value for f in councils.values() if f.is_number], dtype=float)
    return councils, MISSING if numbers.empty else Figure(float(numbers.quantile(0.5)))


def pay_lines(frames: MartFrames, members: Iterable[Member]) -> list[BenchmarkLine]:
    if frames.pay_rates is None:
        return []
    members = list(members)
    pay = frames.pay_rates[frames.pay_rates["period"] == frames.period]
    lines = []
    for role in sorted(pay["regional_role"].unique()):
        for indicator in PAY:
            councils, region = pay_figures(pay[pay["regional_role"] == role], members, indicator)
            included = sum(f.is_number for f in councils.values())
            lines.append(_line(indicator, role, region, councils, included))
    return lines


def benchmark_lines(frames: MartFrames, members: Iterable[Member]) -> list[BenchmarkLine]:
    members = sorted(members, key=lambda m: m.council_name)
    return [
        *workforce_month_lines(frames, members),
        *workforce_window_lines(frames, members),
        *agency_lines(frames, members),
        *pay_lines(frames, members),
    ]


def month_coverage(frames: MartFrames, members: Iterable[Member]) -> coverage.Coverage:
    """Which of ``members`` the month's regional figure holds and which sent no return."""
    return coverage.month_coverage(
        frames.council_months,
        frames.period,
        members,
        coverage.region_mart_label(frames.region_months, frames.period),
    )


def benchmark_rows(
    lines: list[BenchmarkLine],
    members: Iterable[Member],
    period: str,
    covered: coverage.Coverage,
    regional_rows: bool = True,
):
    """The tidy CSV rows: per line, the regional row, then each council by name; every row
    says what the regional figure covers (``covered``: how many councils, whose, who is
    missing). Without ``regional_rows`` (a members-type partner that not every member has
    signed for: the regional figure would include them) there is no regional row, the spread
    is over ``members`` and ``councils_in_regional_figure`` counts the councils in it."""
    members = sorted(members, key=lambda m: m.council_name)
    time = ees.time_columns(period)
    rows = []
    for line in lines:
        spread = [
            Figure(v).text(line.places) if v is not None else UNAVAILABLE for v in line.spread()
        ]
        included = line.councils_in_regional_figure
        if not regional_rows:
            included = sum(f.is_number for f in line.councils.values())
        tail = [*spread, str(included), covered.covers, covered.missing_text]
        head = [line.theme, line.role, line.indicator]
        if regional_rows:
            rows.append(
                [
                    *time,
                    *ees.region_geography(members[0]),
                    *head,
                    line.region.text(line.places),
                    *tail,
                ]
            )
        for member in members:
            figure = line.councils[member.council_code]
            rows.append(
                [*time, *ees.council_geography(member), *head, figure.text(line.places), *tail]
            )
    return rows
