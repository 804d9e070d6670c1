"""Agency rates: hourly pay and charge by role against the regional pay cap, and cap breaches
with and without the DCS's sign-off."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.cache import query
from dashboard.figures import rounded
from dashboard.filters import Filters, scope_caption
from dashboard.widgets import chart, numbers, placeholder_caps_warning

CAP_AGREED = "Agreed cap"
CAP_PLACEHOLDER = "Placeholder cap"


def _placeholder(rates: pd.DataFrame, times: int) -> list[bool]:
    """fct_agency_rates.is_placeholder_cap for each row of ``rates``, repeated ``times`` (the
    long frame stacks the rows once per rate)."""
    return [bool(v) for v in rates["is_placeholder_cap"].fillna(False)] * times


def render(filters: Filters) -> None:
    st.header("Agency rates")
    st.caption(
        "Hourly pay to the worker and charge to the council (median, with the quartiles), by "
        "role, against the regional pay cap in force on the assignments' start dates. "
        + scope_caption(filters)
    )
    period = query("latest_period_with", queries.AGENCY_RATES, filters.start, filters.end)
    if period is None:
        st.info("No agency assignments in these months.")
        return
    rates = query("agency_rates", period, period, filters.council_codes, filters.role)
    if query("has_placeholder_caps", filters.start, filters.end):
        placeholder_caps_warning()
    st.subheader(f"Rates against the cap, {period}")
    if rates.empty:
        st.info("No agency assignments for these filters.")
    else:
        long = pd.concat(
            [
                rates.assign(
                    rate="pay",
                    median=rates.hourly_pay_rate_median,
                    p25=rates.hourly_pay_rate_p25,
                    p75=rates.hourly_pay_rate_p75,
                ),
                rates.assign(
                    rate="charge",
                    median=rates.hourly_charge_rate_median,
                    p25=rates.hourly_charge_rate_p25,
                    p75=rates.hourly_charge_rate_p75,
                ),
            ]
        )[["council_name", "role_name", "rate", "median", "p25", "p75", "cap_hourly_pay_max"]]
        long["cap"] = [CAP_PLACEHOLDER if p else CAP_AGREED for p in _placeholder(rates, 2)]
        base = alt.Chart().encode(
            x=alt.X("council_name:N", title=None, axis=alt.Axis(labelAngle=-40, labelOverlap=False))
        )
        bars = base.mark_bar().encode(
            xOffset="rate:N",
            y=alt.Y("median:Q", title="£ per hour"),
            color=alt.Color("rate:N", title="Rate"),
            tooltip=["council_name", "role_name", "rate", "median", "p25", "p75"],
        )
        spread = base.mark_rule().encode(xOffset="rate:N", y="p25:Q", y2="p75:Q")
        cap = base.mark_tick(thickness=3, size=30).encode(
            y="cap_hourly_pay_max:Q",
            color=alt.Color(
                "cap:N",
                scale=alt.Scale(domain=[CAP_AGREED, CAP_PLACEHOLDER], range=["#c92a2a", "#868e96"]),
                title="Cap",
            ),
            tooltip=[
                alt.Tooltip("cap_hourly_pay_max:Q", title="Cap (£/h)"),
                alt.Tooltip("cap:N", title="Cap status"),
            ],
        )
        chart(
            alt.layer(bars, spread, cap, data=long)
            .resolve_scale(color="independent")
            .properties(width=260, height=220)
            .facet(facet=alt.Facet("role_name:N", title=None), columns=2)
        )
        st.caption(
            "Tick: the hourly cap in force (highest, if assignments span a change); red for an "
            "agreed cap, grey for a placeholder cap (not the region's agreed figure)."
        )
        numbers(rounded(rates, 2), f"agency_rates_{period}")

    st.subheader(f"Cap breaches, {filters.start} to {filters.end}")
    breaches = query(
        "agency_breaches",
        filters.start,
        filters.end,
        filters.council_codes,
        filters.role,
        filters.service_area,
    )
    if breaches.empty:
        st.info("No agency assignments for these filters.")
        return
    long = breaches.melt(
        id_vars=["council_name"],
        value_vars=["breaches_signed_off", "breaches_not_signed_off"],
        var_name="breach",
        value_name="assignments_above_cap",
    )
    chart(
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("council_name:N", title=None),
            x=alt.X("assignments_above_cap:Q", title="Assignments above the cap"),
            color=alt.Color(
                "breach:N",
                scale=alt.Scale(
                    domain=["breaches_signed_off", "breaches_not_signed_off"],
                    range=["#f59f00", "#c92a2a"],
                ),
                title=None,
            ),
            tooltip=["council_name", "breach", "assignments_above_cap"],
        )
    )
    numbers(breaches, f"agency_breaches_{filters.start}_{filters.end}")
