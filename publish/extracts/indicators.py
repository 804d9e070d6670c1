"""The one home of the published indicators: names, labels, units, places and what they rest on.

Names follow the DfE Children's Social Work Workforce open data (``inpost_fte``,
``vacancy_rate_fte``, ``agency_cover_rate_fte``, ...). Rates are percentages (0-100) except the
caseload, a plain ratio. The dbt macros (``macros/workforce_rates.sql``) are the definition of
every rate; ``rate_values`` is the one Python copy of that arithmetic, for rates of components
the marts do not sum: an extract's regional figure built from the published council cells or
its 12-month figure (``rate_value``, one figure at a time), and the dashboard's rates over a role
or service area (``mart_rates``, whole columns). Tests check it agrees with the marts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from common.reference import dbt_project_var
from common.rounding import LOW_RELIABILITY, NOT_APPLICABLE, UNAVAILABLE

Theme = Literal["vacancies", "agency", "pay"]
THEMES: tuple[Theme, ...] = ("vacancies", "agency", "pay")
ALL_ROLES = "Total"  # EES: the filter value of a figure over every role
RATE_DECIMAL_PLACES: int = dbt_project_var("rate_decimal_places")  # as the marts hold a rate


@dataclass(frozen=True)
class Indicator:
    name: str  # published column or indicator name
    label: str
    source: str  # mart column
    kind: Literal["count", "rate", "value"]  # value: neither additive nor a ratio (pay, medians)
    places: int = 1
    unit: str = ""  # EES indicator_unit: "", "%", "£"
    theme: Theme = "vacancies"
    # mart column counting what the figure rests on (workers; agency: assignments), summed
    # over the rows a figure sums; None: ceil(FTE)
    support: str | None = None
    numerator: str | None = None  # rates: the count indicators they are computed from
    denominator: tuple[str, ...] = ()
    scale: float = 100.0
    description: str = ""


def _count(name, label, source, places=1, support=None, description=""):
    return Indicator(name, label, source, "count", places, support=support, description=description)


def _rate(name, label, source, numerator, denominator, unit="%", scale=100.0, description=""):
    return Indicator(
        name,
        label,
        source,
        "rate",
        1,
        unit,
        numerator=numerator,
        denominator=denominator,
        scale=scale,
        description=description,
    )


# Workforce counts: additive over councils. support=None: the FTE rounded up (a worker is at
# most 1 FTE, so ceil(FTE) never overstates the workers a figure rests on).
COUNTS = (
    _count(
        "establishment_fte",
        "Establishment (FTE)",
        "establishment_fte",
        description="Funded posts, full-time equivalent.",
    ),
    _count(
        "inpost_fte",
        "Permanent social workers in post (FTE)",
        "permanent_fte",
        description="Permanent staff in post at the month's last day, FTE.",
    ),
    _count(
        "agency_fte",
        "Agency workers (FTE)",
        "agency_fte",
        description="Agency workers in post at the month's last day, FTE.",
    ),
    _count(
        "agency_cover_fte",
        "Agency workers covering vacancies (FTE)",
        "agency_vacancy_fte",
        description="Agency workers covering a vacant post, FTE.",
    ),
    _count(
        "vacancy_fte",
        "Vacancies (FTE)",
        "vacancy_fte",
        description="Vacant posts at the month's last day, FTE (0 when over establishment).",
    ),
    _count(
        "starters_fte",
        "Permanent starters in the month (FTE)",
        "starters_fte",
        support="starters_headcount",
        description="Permanent starters in the month, FTE.",
    ),
    _count(
        "starters_headcount",
        "Permanent starters in the month (headcount)",
        "starters_headcount",
        places=0,
        support="starters_headcount",
        description="Permanent starters in the month, people.",
    ),
    _count(
        "leavers_fte",
        "Permanent leavers in the month (FTE)",
        "leavers_fte",
        support="leavers_headcount",
        description="Permanent leavers in the month, FTE.",
    ),
    _count(
        "leavers_headcount",
        "Permanent leavers in the month (headcount)",
        "leavers_headcount",
        places=0,
        support="leavers_headcount",
        description="Permanent leavers in the month, people.",
    ),
    _count(
        "leavers_12_months_fte",
        "Permanent leavers in the 12 months to the month (FTE)",
        "leavers_fte_12_months",
        support="leavers_headcount_12_months",
        description="Permanent leavers in the 12 months to and including the month, FTE; "
        "x unless every one of the 12 months has a return. The turnover numerator.",
    ),
    _count(
        "leavers_to_agency_headcount",
        "Leavers who went to agency work (headcount)",
        "leavers_to_agency_headcount",
        places=0,
        support="leavers_to_agency_headcount",
        description="Permanent leavers in the month who went to agency work, people.",
    ),
    _count(
        "case_holders_fte",
        "Case holders (FTE)",
        "case_holder_fte",
        description="FTE of staff holding cases.",
    ),
    _count(
        "cases",
        "Cases held",
        "cases_held",
        places=0,
        support="case_holder_fte",
        description="Open cases held at the month's last day. Rests on the case holders.",
    ),
)

RATES = (
    _rate(
        "vacancy_rate_fte",
        "Vacancy rate (FTE)",
        "vacancy_rate",
        "vacancy_fte",
        ("vacancy_fte", "inpost_fte"),
        description="Vacancies / (vacancies + permanent in post), FTE, percent.",
    ),
    _rate(
        "agency_rate_fte",
        "Agency rate (FTE)",
        "agency_rate",
        "agency_fte",
        ("agency_fte", "inpost_fte"),
        description="Agency workers / (agency workers + permanent in post), FTE, percent.",
    ),
    _rate(
        "agency_cover_rate_fte",
        "Agency workers covering vacancies (% of agency FTE)",
        "agency_cover_rate",
        "agency_cover_fte",
        ("agency_fte",),
        description="Agency workers covering vacancies / agency workers, FTE, percent.",
    ),
    _rate(
        "vacancy_agency_cover_rate_fte",
        "Vacancies covered by agency workers (%)",
        "vacancy_cover_rate",
        "agency_cover_fte",
        ("vacancy_fte",),
        description="Agency workers covering vacancies / vacancies, FTE, percent; u when "
        "more agency FTE covers vacancies than there are vacancies.",
    ),
    _rate(
        "turnover_rate_fte",
        "Turnover rate (FTE)",
        "turnover_rate",
        "leavers_12_months_fte",
        ("inpost_fte",),
        description="Permanent leavers in the 12 months to the month / permanent in post "
        "now, FTE, percent; x unless every one of the 12 months has a return.",
    ),
    _rate(
        "caseload_fte",
        "Caseload (cases per case-holder FTE)",
        "caseload",
        "cases",
        ("case_holders_fte",),
        unit="",
        scale=1.0,
        description="Cases held / case-holder FTE.",
    ),
    _rate(
        "permanent_share_fte",
        "Permanent share of the workforce (FTE)",
        "permanent_fte_share",
        "inpost_fte",
        ("inpost_fte", "agency_fte"),
        description="Permanent in post / (permanent in post + agency workers), FTE, percent.",
    ),
)
WORKFORCE = COUNTS + RATES
BY_NAME = {i.name: i for i in WORKFORCE}
RATES_BY_SOURCE = {r.source: r for r in RATES}  # mart rate column -> its indicator

# The partner extract: the DfE indicators, all rebuilt from council cells (never per agency).
PARTNER_COUNTS = tuple(
    BY_NAME[n]
    for n in (
        "inpost_fte",
        "agency_fte",
        "agency_cover_fte",
        "vacancy_fte",
        "leavers_fte",
        "leavers_12_months_fte",
        "case_holders_fte",
        "cases",
    )
)
PARTNER_RATES = tuple(r for r in RATES if r.name != "permanent_share_fte")
PARTNER_INDICATORS = PARTNER_COUNTS + PARTNER_RATES

# Agency (fct_agency_rates) and pay (fct_pay_rates), per council and regional role: members only.
AGENCY = (
    Indicator(
        "agency_assignments",
        "Agency assignments open",
        "assignment_count",
        "count",
        0,
        theme="agency",
        support="assignment_count",
        description="Agency assignments open in the month.",
    ),
    Indicator(
        "agency_hourly_pay_median",
        "Agency hourly pay to the worker, median (£)",
        "hourly_pay_rate_median",
        "value",
        2,
        "£",
        "agency",
        support="assignment_count",
        description="Median hourly pay rate to the worker; the regional figure is the "
        "median over every assignment in the region.",
    ),
    Indicator(
        "agency_hourly_charge_median",
        "Agency hourly charge to the council, median (£)",
        "hourly_charge_rate_median",
        "value",
        2,
        "£",
        "agency",
        support="assignment_count",
        description="Median hourly charge rate; the regional figure is the median over "
        "every assignment in the region.",
    ),
    Indicator(
        "agency_above_cap",
        "Assignments above the pay cap",
        "above_cap_count",
        "count",
        0,
        theme="agency",
        support="above_cap_count",
        description="Assignments paid above the cap in force.",
    ),
    Indicator(
        "agency_breaches_not_signed_off",
        "Breaches without DCS sign-off",
        "breaches_not_signed_off",
        "count",
        0,
        theme="agency",
        support="breaches_not_signed_off",
        description="Assignments above the cap without the DCS's sign-off.",
    ),
    Indicator(
        "agency_spend",
        "Agency spend in the month (£)",
        "agency_spend",
        "count",
        0,
        "£",
        "agency",
        support="assignment_count",
        description="Hours x hourly charge rate, pounds.",
    ),
    Indicator(
        "agency_annualised_cost",
        "Annualised agency cost at the median charge (£)",
        "annualised_agency_cost_at_median",
        "value",
        0,
        "£",
        "agency",
        support="assignment_count",
        description="Median charge rate x 37 hours x 52.143 weeks, pounds.",
    ),
)
PAY = (
    Indicator(
        "salary_minimum",
        "Salary scale minimum at 37 hours (£)",
        "salary_min_at_standard_hours",
        "value",
        0,
        "£",
        "pay",
        description="The lowest point of the pay scale of the role's grades, a year, full time at"
        " 37 hours a week; the regional figure is the median of the member councils' "
        "figures.",
    ),
    Indicator(
        "salary_maximum",
        "Salary scale maximum at 37 hours (£)",
        "salary_max_at_standard_hours",
        "value",
        0,
        "£",
        "pay",
        description="The highest point of the pay scale of the role's grades, a year, full time "
        "at 37 hours a week; the regional figure is the median of the member "
        "councils' figures.",
    ),
    Indicator(
        "salary_midpoint",
        "Salary scale midpoint at 37 hours (£)",
        "salary_midpoint_at_standard_hours",
        "value",
        0,
        "£",
        "pay",
        description="Halfway between the scale's minimum and maximum, a year, full time at 37 "
        "hours a week; the regional figure is the median of the member councils' "
        "figures.",
    ),
    Indicator(
        "total_reward",
        "Total reward: midpoint + supplements (£)",
        "total_reward",
        "value",
        0,
        "£",
        "pay",
        description="The salary midpoint plus the market supplement and retention payment; the "
        "regional figure is the median of the member councils' figures.",
    ),
    Indicator(
        "agency_cost_gap",
        "Annualised agency cost minus total reward (£)",
        "agency_cost_gap",
        "value",
        0,
        "£",
        "pay",
        description="Annualised agency cost at the median charge minus total reward: what an "
        "agency worker costs a year more than a permanent one.",
    ),
)


# The agency indicators measured against the price caps: while any cap they rest on is a
# placeholder (fct_agency_rates.is_placeholder_cap), every file that shows them says so
# (publish/extracts/workbooks.py: their label and the About sheet).
CAP_INDICATORS = ("agency_above_cap", "agency_breaches_not_signed_off")
PLACEHOLDER_CAPS_LABEL = " (against placeholder caps)"
PLACEHOLDER_CAPS_NOTE = (
    "The agency price caps that the counts of assignments above the cap and of breaches "
    "without sign-off are measured against are placeholder figures, not the region's agreed "
    "caps, until a project lead replaces them (the agency_rate_caps reference data): read "
    "those counts as illustrative."
)

AGENCY_BY_NAME = {i.name: i for i in AGENCY}
PAY_BY_NAME = {i.name: i for i in PAY}
# A council's pack (may be public): its agency figures over every role (counts and spend rest
# on the assignments, medians on the assignments they are taken over; suppressed as
# suppression.decide_agency_month says), and its pay scales per role (council pay policy,
# published as they are).
PACK_AGENCY = tuple(
    AGENCY_BY_NAME[n]
    for n in (
        "agency_assignments",
        "agency_above_cap",
        "agency_breaches_not_signed_off",
        "agency_spend",
        "agency_hourly_pay_median",
        "agency_hourly_charge_median",
    )
)
PACK_PAY = tuple(PAY_BY_NAME[n] for n in ("salary_minimum", "salary_midpoint", "salary_maximum"))


def ceil_support(fte: float) -> int:
    """Workers an FTE figure rests on, at least: a worker is at most 1 FTE."""
    return math.ceil(round(float(fte), 6))


def window_label(indicator: Indicator) -> str:
    """The label of an indicator's figure over the 12 months to the month (the members'
    benchmark's ``<count>_12_month_mean``, ``<rate>_12_months`` and ``agency_spend_12_months``
    rows), distinct from the month's own label."""
    label = indicator.label.replace(" in the month", "")
    if indicator.kind == "rate":
        return f"{label}, over the 12 months to the month"
    if indicator.name == "agency_spend":
        return f"{label}, total over the 12 months to the month"
    return f"{label}, mean of the 12 months to the month"


def rate_values(
    indicator: Indicator, counts: Mapping[str, object]
) -> tuple[np.ndarray, np.ndarray]:
    """(values, flags) of a rate, element by element, from arrays of the counts it is computed
    from, keyed by count indicator name (the dbt macros' arithmetic: divide, then scale).

    A missing count is None, NaN or pandas' NA. flag: ``x`` when an input is missing (value
    NaN), ``z`` for a zero denominator (value NaN), ``u`` for a vacancy cover rate with more
    agency cover than vacancies (value kept), else None.
    """
    numerator = _floats(counts[indicator.numerator])
    first, *rest = indicator.denominator
    denominator = _floats(counts[first])
    for name in rest:
        denominator = denominator + _floats(counts[name])
    missing = np.isnan(numerator) | np.isnan(denominator)
    zero = ~missing & (denominator == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # rounded as the marts round a rate (dbt's rounded_rate): away goes the division's and
        # the float sums' noise, so 21.6 / (21.6 + 93.6) is 18.75 here as there
        values = np.round(indicator.scale * (numerator / denominator), RATE_DECIMAL_PLACES)
    values[missing | zero] = np.nan
    flags = np.full(values.shape, None, dtype=object)
    flags[missing] = UNAVAILABLE
    flags[zero] = NOT_APPLICABLE
    if indicator.name == "vacancy_agency_cover_rate_fte":
        flags[~missing & ~zero & (numerator > denominator)] = LOW_RELIABILITY
    return values, flags


def rate_value(
    indicator: Indicator, figures: dict[str, float | None]
) -> tuple[float | None, str | None]:
    """(value, flag) of one rate from the counts it is computed from: ``rate_values`` for one
    figure. value is None when flagged ``x`` or ``z``."""
    counts = {name: [_missing_as_none(figures.get(name))] for name in _inputs(indicator)}
    values, flags = rate_values(indicator, counts)
    value = float(values[0])
    return (None if math.isnan(value) else value), flags[0]


def mart_rates(frame: pd.DataFrame, rate_columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with the named mart rate columns (``vacancy_rate``, ``agency_rate``,
    ...) computed from its mart count columns (``vacancy_fte``, ``permanent_fte``, ...) as the
    marts hold them: NaN wherever ``rate_values`` flags the figure. Turnover's 12-month window
    is the caller's gate: pass missing 12-month leavers for an incomplete window."""
    out = frame.copy()
    for column in rate_columns:
        rate = RATES_BY_SOURCE[column]
        values, flags = rate_values(rate, {n: frame[BY_NAME[n].source] for n in _inputs(rate)})
        out[column] = np.where(pd.isna(flags), values, np.nan)
    return out


def _inputs(rate: Indicator) -> tuple[str, ...]:
    return (rate.numerator, *rate.denominator)


def _floats(values) -> np.ndarray:
    """Counts as float64, NaN where missing (None, NaN, or NA in a pandas column)."""
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.array(values, dtype="float64")  # None -> NaN


def _missing_as_none(figure):
    return None if figure is None or pd.isna(figure) else figure
