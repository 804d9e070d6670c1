"""Agency rules: the DfE agency rules' price caps as the region applies them, for the selected
month (the latest month with agency assignments up to the period slider's end): which councils
have assignments above the cap and how many without the DCS's sign-off, the breach register,
breaches month by month over the slider's range, and the caps in force with their placeholder
status.

Then the cooling-off flags of the month (a worker who left a permanent post at a member council
engaged through an agency within three months, matched across councils by keyed hash in the
marts; the page shows no identifier), and each council's compliance with the other rules.

Every figure is a mart's (fct_agency_cap_breaches, fct_agency_rates, fct_cooling_off_flags,
fct_agency_rule_compliance) or the caps seed's: the page counts and labels rows, it never
compares a rate with a cap, or a leaving with a start, itself.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from common.labels import code_label, flag_label
from common.periods import period_end
from common.rounding import publish_figure
from dashboard import queries
from dashboard.cache import query
from dashboard.filters import Filters
from dashboard.widgets import chart, numbers, placeholder_caps_warning, table

SIGNED_OFF = "Signed off by the DCS"
NOT_SIGNED_OFF = "Not signed off"
BREACH_COLOURS = alt.Scale(domain=[SIGNED_OFF, NOT_SIGNED_OFF], range=["#f59f00", "#c92a2a"])
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)  # counts of assignments: whole ticks
PLACEHOLDER, AGREED = "Placeholder", "Agreed"
NOT_STATED = "Not stated"

# What a cap covers and how a rate is compared with it (the seed's and the mart's codes), as
# people read them; the rule itself is macros/agency_caps.sql.
CAP_INCLUDES = {
    "pay": "Worker's hourly pay",
    "pay_employer_ni_holiday_pay": "Pay + employer NI + holiday pay",
}
COMPARISON_BASIS = {
    "pay_only": "Pay against a cap on pay",
    "pay_plus_on_costs": "Pay + on-costs against the cap",
    "pay_against_net_cap": "Pay against the cap net of on-costs (PAYE)",
}

# The breach register as shown and downloaded: label -> mart column.
REGISTER_COLUMNS = {
    "Council": "council_name",
    "DfE job type": "agency_job_type",
    "Regional role": "role_name",
    "Engagement model": "engagement_model",
    "Compared as": "cap_comparison_basis",
    "Assignment started": "start_date",
    "Comparable rate (£/h)": "cap_comparable_rate",
    "Cap compared with (£/h)": "cap_comparable_cap",
    "Cap in force (£/h)": "cap_hourly_pay",
    "Cap status": "is_cap_placeholder",
    "Excess (£/h)": "excess_hourly",
    "Excess (%)": "excess_percentage",
    "Signed off": "is_signed_off",
    "Signed off by": "signed_off_by",
    "Signed off on": "signed_off_on",
    "Above the cap since": "first_breach_period",
    "Months above the cap": "breach_months_to_date",
    "Default on-costs used": "uses_default_on_costs",
}
COUNCIL_COLUMNS = {
    "Council": "council_name",
    "Agency assignments": "assignments",
    "With a cap": "capped_assignments",
    "Above the cap": "above_cap",
    SIGNED_OFF: "signed_off",
    NOT_SIGNED_OFF: "not_signed_off",
}
TREND_COLUMNS = {
    "Month": "period",
    "Above the cap": "above_cap",
    SIGNED_OFF: "signed_off",
    NOT_SIGNED_OFF: "not_signed_off",
    "Councils with a breach": "councils",
}
CAP_COLUMNS = {
    "DfE job type": "agency_job_type",
    "Cap (£/h)": "cap_hourly_pay",
    "Covers": "cap_includes",
    "In force from": "effective_from",
    "In force to": "effective_to",
    "Cap status": "is_placeholder",
    "Source": "source_note",
}


def render(filters: Filters) -> None:
    st.header("Agency rules")
    period = query("latest_period_with", queries.AGENCY_RATES, filters.start, filters.end)
    st.caption(
        "The DfE agency rules' price caps: assignments paid above the regional cap for their "
        "DfE job type in force on their start date, compared as the DfE defines it for the "
        "engagement model (pay + employer NI + holiday pay for an umbrella or limited company "
        "locum, pay against the cap net of those for PAYE, pay alone before October 2025), and "
        "whether the Director of Children's Services signed the exception off; then the "
        "cooling-off flags and each council's compliance with the other rules. "
        + _scope(filters, period)
    )
    if period is None:
        st.info("No agency assignments in these months.")
        return
    if query("has_placeholder_caps", filters.start, filters.end):
        placeholder_caps_warning()
    _councils(filters, period)
    _register(filters, period)
    _trend(filters)
    _caps(period)
    _cooling_off(filters, period)
    _compliance(filters, period)


def _scope(filters: Filters, period: str | None) -> str:
    """What the page shows, in words: the month, the trend's months, the filters that apply
    (councils, role) and the one that cannot (service area: caps are by DfE job type and the
    register has no service area)."""
    parts = []
    if period is not None:
        parts.append(f"month {period} (the latest with agency assignments up to {filters.end})")
    parts.append(f"trend: {filters.start} to {filters.end}")
    if filters.council_codes:
        parts.append(f"{len(filters.council_codes)} council(s)")
    if filters.role:
        parts.append(f"role {code_label(filters.role)}")
    text = "Showing " + "; ".join(parts) + "."
    if filters.service_area:
        text += " The service area filter does not apply here: caps are set per DfE job type."
    return text


def _councils(filters: Filters, period: str) -> None:
    summary = query("cap_breaches_by_council", period, filters.council_codes, filters.role)
    above = summary[summary.above_cap > 0]
    st.subheader(f"Councils with assignments above the cap, {period}")
    columns = st.columns(3)
    columns[0].metric("Councils with assignments above the cap", len(above))
    columns[1].metric("Assignments above the cap", int(summary.above_cap.sum()))
    columns[2].metric("Without DCS sign-off", int(summary.not_signed_off.sum()))
    if above.empty:
        st.info(f"No assignment above the cap in {period} for these filters.")
    else:
        long = (
            above[["council_name", "signed_off", "not_signed_off"]]
            .melt(
                id_vars=["council_name"],
                value_vars=["signed_off", "not_signed_off"],
                var_name="sign_off",
                value_name="assignments",
            )
            .replace({"sign_off": {"signed_off": SIGNED_OFF, "not_signed_off": NOT_SIGNED_OFF}})
        )
        chart(
            alt.Chart(long)
            .mark_bar()
            .encode(
                y=alt.Y("council_name:N", title=None, sort=list(above.council_name)),
                x=alt.X("assignments:Q", title="Assignments above the cap", axis=COUNT_AXIS),
                color=alt.Color("sign_off:N", scale=BREACH_COLOURS, title=None),
                tooltip=[
                    alt.Tooltip("council_name:N", title="Council"),
                    alt.Tooltip("sign_off:N", title="Sign-off"),
                    alt.Tooltip("assignments:Q", title="Assignments"),
                ],
            )
        )
    numbers(_labelled(summary, COUNCIL_COLUMNS), f"agency_cap_breaches_by_council_{period}")


def register_table(register: pd.DataFrame) -> pd.DataFrame:
    """The breach register as the page shows it and its CSV holds it: labels, not codes;
    money to 2 decimal places and percentages to 1, rounded half away from zero; dates as
    ISO dates; the cap's status beside it on every row."""
    shown = _labelled(register, REGISTER_COLUMNS)
    shown["DfE job type"] = shown["DfE job type"].map(code_label)
    shown["Engagement model"] = [
        NOT_STATED if pd.isna(v) else code_label(v) for v in shown["Engagement model"]
    ]
    shown["Compared as"] = shown["Compared as"].map(COMPARISON_BASIS).fillna(shown["Compared as"])
    for column in ("Comparable rate (£/h)", "Cap compared with (£/h)", "Cap in force (£/h)"):
        shown[column] = _figures(shown[column], 2)
    shown["Excess (£/h)"] = _figures(shown["Excess (£/h)"], 2)
    shown["Excess (%)"] = _figures(shown["Excess (%)"], 1)
    shown["Cap status"] = shown["Cap status"].map(_cap_status)
    for column in ("Signed off", "Default on-costs used"):
        shown[column] = [flag_label(bool(v)) if not pd.isna(v) else "" for v in shown[column]]
    for column in ("Assignment started", "Signed off on"):
        shown[column] = _dates(shown[column])
    shown["Signed off by"] = shown["Signed off by"].fillna("")
    shown["Months above the cap"] = shown["Months above the cap"].astype(int)
    return shown


def _register(filters: Filters, period: str) -> None:
    st.subheader(f"Breach register, {period}")
    register = query("cap_breaches", period, filters.council_codes, filters.role)
    if register.empty:
        st.info(f"No assignment above the cap in {period} for these filters.")
        return
    st.caption(
        "One row per assignment above the cap in force on its start date. Comparable rate: "
        "what the DfE compares with the cap for the engagement model; cap compared with: the "
        "cap, or for PAYE the cap net of employer NI and holiday pay. Excess as a percentage "
        "of the cap compared with. Months above the cap: reported above it so far, from the "
        "first month."
    )
    table(register_table(register), f"agency_cap_breaches_{period}")


def _trend(filters: Filters) -> None:
    st.subheader(f"Breaches month by month, {filters.start} to {filters.end}")
    trend = query(
        "cap_breach_trend", filters.start, filters.end, filters.council_codes, filters.role
    )
    if trend.empty:
        st.info("No agency assignments in these months for these filters.")
        return
    long = trend.melt(
        id_vars=["period"],
        value_vars=["signed_off", "not_signed_off"],
        var_name="sign_off",
        value_name="assignments",
    ).replace({"sign_off": {"signed_off": SIGNED_OFF, "not_signed_off": NOT_SIGNED_OFF}})
    chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None),
            y=alt.Y("assignments:Q", title="Assignments above the cap", axis=COUNT_AXIS),
            color=alt.Color("sign_off:N", scale=BREACH_COLOURS, title=None),
            tooltip=[
                alt.Tooltip("period:O", title="Month"),
                alt.Tooltip("sign_off:N", title="Sign-off"),
                alt.Tooltip("assignments:Q", title="Assignments"),
            ],
        )
    )
    st.caption(
        "Each month counts the assignments reported above the cap in that month; an "
        "assignment above it for several months counts in each."
    )
    numbers(_labelled(trend, TREND_COLUMNS), f"agency_cap_breaches_{filters.start}_{filters.end}")


def caps_table(caps: pd.DataFrame) -> pd.DataFrame:
    """The caps in force as the page shows them: labels, the cap to 2 decimal places, its
    status (Placeholder or Agreed) on every row."""
    shown = _labelled(caps, CAP_COLUMNS)
    shown["DfE job type"] = shown["DfE job type"].map(code_label)
    shown["Cap (£/h)"] = _figures(shown["Cap (£/h)"], 2)
    shown["Covers"] = shown["Covers"].map(CAP_INCLUDES).fillna(shown["Covers"])
    shown["Cap status"] = shown["Cap status"].map(_cap_status)
    for column in ("In force from", "In force to"):
        shown[column] = _dates(shown[column])
    return shown


def _caps(period: str) -> None:
    day = period_end(period)
    st.subheader(f"Caps in force on {day.isoformat()}")
    caps = query("caps_in_force", period)
    if caps.empty:
        st.info(f"No agency price cap is in force on {day.isoformat()}.")
        return
    st.caption(
        "The regional hourly price cap per DfE agency job type in force on the month's last "
        "day. An assignment is compared with the cap in force on its start date (the "
        "register's cap), which for one that started earlier can be an earlier cap."
    )
    table(caps_table(caps), f"agency_caps_{period}")


COOLING_OFF_COLUMNS = {
    "Engaging council": "engaging_council_name",
    "Left a permanent post at": "leaving_council_name",
    "Same council": "is_same_council",
    "Left on": "leaving_date",
    "Assignment started": "start_date",
    "Days between": "days_between",
    "Cooling-off ended on": "cooling_off_ends_on",
    "Exception": "exception_reason",
    "Leaving reason (code)": "leaving_reason_code",
    "Agency": "agency_name",
    "Regional role": "role_name",
    "Row in the latest return": "last_period_row_number",
    "Latest return": "last_period",
}
COMPLIANCE_COLUMNS = {
    "Council": "council_name",
    "Agency assignments": "assignment_count",
    "Within the cap (%)": "within_cap_share",
    "Breaches signed off": "breaches_signed_off",
    "Breaches not signed off": "breaches_not_signed_off",
    "Cooling-off flags": "cooling_off_flag_count",
    "of which exceptions": "cooling_off_exception_count",
    "3+ years post-qualifying (%)": "experience_met_share",
    "2+ references (%)": "references_met_share",
    "Notice 4+ weeks (%)": "notice_met_share",
    "Project-team assignments": "project_team_count",
    "Agency spend in the month (£)": "agency_spend",
}
COMPLIANCE_TREND_COLUMNS = {
    "Month": "period",
    "Agency assignments": "assignments",
    "Breaches not signed off": "breaches_not_signed_off",
    "Cooling-off flags": "cooling_off_flags",
    "of which exceptions": "cooling_off_exceptions",
}


def cooling_off_table(flags: pd.DataFrame) -> pd.DataFrame:
    """The month's cooling-off flags as the page shows them: council names, dates as ISO
    dates, the exception named (redundancy, probation) or blank; never an identifier."""
    shown = _labelled(flags, COOLING_OFF_COLUMNS)
    shown["Same council"] = [flag_label(bool(v)) for v in shown["Same council"]]
    for column in ("Left on", "Assignment started", "Cooling-off ended on"):
        shown[column] = _dates(shown[column])
    shown["Exception"] = ["" if pd.isna(v) else code_label(v) for v in shown["Exception"]]
    for column in ("Leaving reason (code)", "Agency"):
        shown[column] = shown[column].fillna("")
    return shown


def _cooling_off(filters: Filters, period: str) -> None:
    st.subheader(f"Cooling-off flags, {period}")
    st.caption(
        "Agency assignments open in the month whose worker left a permanent children's social "
        "work post at a member council (the same or another) less than three months before the "
        "assignment started. Only the region can see this: the marts link a leaver and an "
        "assignment by the keyed hash of the Social Work England number, and no identifier "
        "leaves them. Redundancy and leaving during probation are exceptions, shown, not "
        "dropped. A council filter keeps a flag where the engaging or the leaving council is "
        "chosen."
    )
    flags = query("cooling_off_flags", period, filters.council_codes, filters.role)
    columns = st.columns(2)
    columns[0].metric("Cooling-off flags", len(flags))
    columns[1].metric("of which exceptions", int(flags["is_exception"].sum()) if len(flags) else 0)
    if flags.empty:
        st.info(f"No cooling-off flag in {period} for these filters.")
        return
    table(cooling_off_table(flags), f"agency_cooling_off_flags_{period}")


def compliance_table(compliance: pd.DataFrame) -> pd.DataFrame:
    """Each council's compliance as the mart holds it: shares to 1 decimal place and money to
    the pound, rounded half away from zero, as published."""
    shown = _labelled(compliance, COMPLIANCE_COLUMNS)
    for column in COMPLIANCE_COLUMNS:
        if column.endswith("(%)"):
            shown[column] = _figures(shown[column], 1)
    shown["Agency spend in the month (£)"] = _figures(shown["Agency spend in the month (£)"], 0)
    return shown


def _compliance(filters: Filters, period: str) -> None:
    st.subheader(f"Compliance with the agency rules, {period}")
    st.caption(
        "Per council, over the agency assignments open in the month: the share within the cap, "
        "breaches with and without sign-off, cooling-off flags, and the shares meeting the "
        "other rules (at least 3 years' post-qualifying experience at the start, at least 2 "
        "references, a notice period of at least 4 weeks), each over the assignments whose "
        "return gives that field (returns before October 2025 may not). The role filter does "
        "not apply: compliance is per council."
    )
    compliance = query("rule_compliance", period, filters.council_codes)
    if compliance.empty:
        st.info(f"No agency return in {period} for these councils.")
    else:
        table(compliance_table(compliance), f"agency_rule_compliance_{period}")
    trend = query("rule_compliance_trend", filters.start, filters.end, filters.council_codes)
    if trend.empty:
        return
    long = trend.melt(
        id_vars=["period"],
        value_vars=["breaches_not_signed_off", "cooling_off_flags"],
        var_name="measure",
        value_name="flagged",
    ).replace(
        {
            "measure": {
                "breaches_not_signed_off": "Breaches not signed off",
                "cooling_off_flags": "Cooling-off flags",
            }
        }
    )
    chart(
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title=None),
            y=alt.Y("flagged:Q", title="Assignments", axis=COUNT_AXIS),
            color=alt.Color("measure:N", title=None),
            tooltip=[
                alt.Tooltip("period:O", title="Month"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("flagged:Q", title="Assignments"),
            ],
        )
    )
    numbers(
        _labelled(trend, COMPLIANCE_TREND_COLUMNS),
        f"agency_rule_compliance_{filters.start}_{filters.end}",
    )


def _labelled(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return frame[list(columns.values())].set_axis(list(columns), axis=1).reset_index(drop=True)


def _cap_status(is_placeholder) -> str:
    return PLACEHOLDER if bool(is_placeholder) else AGREED


def _figures(values: pd.Series, places: int) -> list[float | None]:
    """Rounded half away from zero to ``places``, as published (None where missing)."""
    numbers_ = pd.to_numeric(values, errors="coerce").astype(float)
    return [None if pd.isna(v) else float(publish_figure(v, places)) for v in numbers_]


def _dates(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in values]
