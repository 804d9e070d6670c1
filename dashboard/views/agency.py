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
from dashboard.widgets import chart, numbers


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
        cap = base.mark_tick(color="#c92a2a", thickness=3, size=30).encode(
            y="cap_hourly_pay_max:Q", tooltip=["cap_hourly_pay_max"]
        )
        chart(
            alt.layer(bars, spread, cap, data=long)
            .properties(width=260, height=220)
            .facet(facet=alt.Facet("role_name:N", title=None), columns=2)
        )
        st.caption("Red tick: the hourly pay cap in force (highest, if assignments span a change).")
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
