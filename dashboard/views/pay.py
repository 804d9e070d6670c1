"""Pay: permanent salary ranges by role, the supplements on top, and the gap between a year of
agency cover and a permanent post's total reward."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import queries
from dashboard.cache import query
from dashboard.figures import rounded
from dashboard.filters import Filters, scope_caption
from dashboard.widgets import chart, numbers


def render(filters: Filters) -> None:
    st.header("Pay")
    st.caption(
        "Permanent salary ranges at 37 hours a week by regional role, the supplements on top, "
        "and the gap between a year of agency cover (median charge rate) and a permanent post's "
        "total reward. " + scope_caption(filters)
    )
    period = query("latest_period_with", queries.PAY_RATES, filters.start, filters.end)
    if period is None:
        st.info("No pay scales in these months.")
        return
    pay = query("pay_rates", period, filters.council_codes, filters.role)
    if pay.empty:
        st.info("No pay scales for these filters.")
        return
    st.subheader(f"Salary ranges, {period}")
    base = alt.Chart().encode(
        y=alt.Y("council_name:N", title=None, axis=alt.Axis(labelOverlap=False))
    )
    ranges = base.mark_bar(height=10).encode(
        x=alt.X("salary_min:Q", title="£ a year at 37 hours", scale=alt.Scale(zero=False)),
        x2="salary_max:Q",
        tooltip=["council_name", "role_name", "salary_min", "salary_midpoint", "salary_max"],
    )
    mid = base.mark_tick(color="#000000", thickness=2).encode(x="salary_midpoint:Q")
    median = (
        alt.Chart()
        .mark_rule(color="#c92a2a", strokeDash=[4, 2])
        .encode(x="region_salary_midpoint_median:Q")
    )
    chart(
        alt.layer(ranges, mid, median, data=pay)
        .properties(width=300, height=alt.Step(22))
        .facet(facet=alt.Facet("role_name:N", title=None), columns=2)
        .resolve_scale(x="independent")
    )
    st.caption("Bar: minimum to maximum; black tick: midpoint; red line: the regional median.")
    numbers(
        pay[
            [
                "council_name",
                "role_name",
                "salary_min",
                "salary_midpoint",
                "salary_max",
                "region_salary_midpoint_median",
                "salary_midpoint_rank",
            ]
        ],
        f"salary_ranges_{period}",
    )

    st.subheader("Supplements")
    supplements = pay.melt(
        id_vars=["council_name", "role_name"],
        value_vars=["market_supplement", "recruitment_payment", "retention_payment"],
        var_name="payment",
        value_name="amount",
    ).dropna(subset=["amount"])
    chart(
        alt.Chart(supplements)
        .mark_bar()
        .encode(
            y=alt.Y("council_name:N", title=None),
            x=alt.X("sum(amount):Q", title="£ a year"),
            color=alt.Color("payment:N", title=None),
            row=alt.Row("role_name:N", title=None),
            tooltip=["council_name", "role_name", "payment", "amount"],
        )
    )
    numbers(
        pay[
            [
                "council_name",
                "role_name",
                "market_supplement",
                "recruitment_payment",
                "retention_payment",
                "total_reward",
            ]
        ],
        f"supplements_{period}",
    )

    st.subheader("Agency versus permanent cost")
    gap = pay[
        [
            "council_name",
            "role_name",
            "total_reward",
            "annualised_agency_cost_at_median",
            "agency_cost_gap",
        ]
    ].dropna(subset=["agency_cost_gap"])
    if gap.empty:
        st.info("No agency cost to compare for these filters.")
        return
    chart(
        alt.Chart(gap)
        .mark_bar()
        .encode(
            y=alt.Y("council_name:N", title=None),
            x=alt.X("agency_cost_gap:Q", title="Agency cost above permanent, £ a year"),
            row=alt.Row("role_name:N", title=None),
            tooltip=["council_name", "role_name", "agency_cost_gap"],
        )
    )
    st.caption("No employer on-costs on the permanent side: the gap is an upper bound.")
    numbers(rounded(gap, 0), f"agency_cost_gap_{period}")
