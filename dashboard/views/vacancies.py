"""Vacancies and agency use: the DfE rates by council against the regional line, and the
selected month's councils ranked."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from common.rounding import UNAVAILABLE
from dashboard import queries
from dashboard.cache import query
from dashboard.figures import figure, rounded
from dashboard.filters import Filters, scope_caption
from dashboard.widgets import chart, csv_download, numbers

REGION_COLOUR = "#000000"
MISSING_COLOUR = "#c92a2a"


def render(filters: Filters) -> None:
    st.header("Vacancies and agency use")
    st.caption(
        "DfE definitions: vacancy rate = vacancy FTE / (vacancy FTE + permanent FTE in post); "
        "agency rate = agency FTE / (agency FTE + permanent FTE in post); turnover = permanent "
        "leavers FTE over 12 months / permanent FTE in post (only with 12 months of returns). "
        "The regional line is computed from summed components, not an average of rates. "
        + scope_caption(filters)
    )
    metric = st.radio(
        "Rate",
        list(queries.VACANCY_METRICS),
        format_func=queries.VACANCY_METRICS.get,
        horizontal=True,
        key="vacancy-metric",
    )
    label = queries.VACANCY_METRICS[metric]
    trend = query(
        "vacancy_trend",
        filters.start,
        filters.end,
        filters.council_codes,
        filters.role,
        filters.service_area,
    )
    series = trend[["area", "is_region", "period", metric]].dropna(subset=[metric])
    if series.empty:
        st.info(f"No {label.lower()} for these filters (turnover needs 12 months of returns).")
    else:
        base = alt.Chart(series).encode(
            x=alt.X("period:O", title="Month"),
            y=alt.Y(f"{metric}:Q", title=label),
            tooltip=["area", "period", alt.Tooltip(f"{metric}:Q", format=".1f")],
        )
        councils_lines = base.transform_filter("!datum.is_region").mark_line(point=True)
        councils_lines = councils_lines.encode(color=alt.Color("area:N", title="Council"))
        region_line = (
            base.transform_filter("datum.is_region")
            .mark_line(color=REGION_COLOUR, strokeWidth=4, strokeDash=[6, 3])
            .encode(detail="area:N")
        )
        coverage = query("region_coverage", filters.start, filters.end)
        gaps = series[series.is_region].merge(coverage, on="period")
        gaps = gaps[gaps.is_council_missing]
        layers = [councils_lines, region_line]
        if len(gaps):
            layers.append(
                alt.Chart(gaps)
                .mark_point(shape="triangle-down", size=160, filled=True, color=MISSING_COLOUR)
                .encode(
                    x="period:O",
                    y=f"{metric}:Q",
                    tooltip=["period", "councils_included", "councils_covered", "councils_missing"],
                )
            )
        chart(alt.layer(*layers))
        st.caption("Black dashed line: the region. " + queries.coverage_caption(coverage))
        wide = series.pivot_table(index="period", columns="area", values=metric).reset_index()
        numbers(rounded(wide), f"{metric}_by_council")

    period = filters.end
    st.subheader(f"{period}: councils ranked")
    latest = query(
        "vacancy_latest", period, filters.council_codes, filters.role, filters.service_area
    )
    table = pd.DataFrame({"Council": latest.council_name})
    for name, title in queries.VACANCY_METRICS.items():
        missing = [UNAVAILABLE if not r else "z" for r in latest.has_return]
        table[title] = [figure(v, 1, m) for v, m in zip(latest[name], missing, strict=True)]
        table[f"Rank ({title.split(' (')[0].lower()})"] = [
            "" if pd.isna(v) else str(int(v)) for v in latest[f"{name}_rank"]
        ]
    st.table(table, hide_index=True)
    st.caption("Rank 1 = the lowest rate among member councils; x = no return, z = no figure.")
    csv_download(
        table, f"Download ranked_{period}.csv", f"vacancies_ranked_{period}.csv", key="csv-ranked"
    )
