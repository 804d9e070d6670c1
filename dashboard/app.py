"""The regional project leads' dashboard over the marts snapshot (Streamlit + Altair).

Run it with ``make dashboard`` (or ``streamlit run dashboard/app.py``). It reads only the
published, read-only snapshot of the marts (``MOC_MARTS_SNAPSHOT``, default
``<published_dir>/marts/marts_snapshot.duckdb``), so the pipeline can write the warehouse while
people look. All SQL is in dashboard/queries.py.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts dashboard/ on the path, not the project
    sys.path.insert(0, str(ROOT))

from common.rounding import UNAVAILABLE, publish_figure  # noqa: E402
from dashboard import queries  # noqa: E402

REGION_COLOUR = "#000000"
ALL_ROLES = "All roles"
ALL_AREAS = "All service areas"


@dataclass(frozen=True)
class Filters:
    start: str
    end: str  # the "selected month" of month-level pages
    council_codes: tuple[str, ...]  # empty = every council
    role: str | None
    service_area: str | None


# --- helpers ----------------------------------------------------------------------------------


def _snapshot_mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _query(name: str, *args):
    """Run queries.<name>(con, *args) on a fresh read-only connection, cached per snapshot
    version (its mtime), so a republished snapshot is picked up on the next rerun."""
    path = queries.snapshot_location()
    return _cached_query(str(path), _snapshot_mtime(path), name, args)


@st.cache_data(show_spinner=False, ttl=600, max_entries=256)
def _cached_query(path: str, mtime: float, name: str, args: tuple):
    con = queries.connect(Path(path))
    try:
        return getattr(queries, name)(con, *args)
    finally:
        con.close()


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def numbers(frame: pd.DataFrame, name: str, label: str = "Numbers behind the chart") -> None:
    """The figures of a chart as a table, and a CSV download of them."""
    with st.expander(label, expanded=False):
        st.dataframe(frame, hide_index=True)
    csv_download(frame, f"Download {name}.csv", f"{name}.csv", key=f"csv-{name}")


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A download button for a table's figures as CSV (the one way every table is offered)."""
    st.download_button(label, data=_csv(frame), file_name=file_name, mime="text/csv", key=key)


def chart(spec: alt.TopLevelMixin) -> None:
    st.altair_chart(spec, width="stretch")


def figure(value, places: int = 1, missing: str = "z") -> str:
    """A figure as published: rounded half away from zero; DfE symbol when missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return missing
    return publish_figure(float(value), places, missing)


def rounded(frame: pd.DataFrame, places: int = 1) -> pd.DataFrame:
    """Float columns rounded as published (half away from zero), for tables and CSVs."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = [
                None if pd.isna(v) else float(publish_figure(float(v), places)) for v in out[column]
            ]
    return out


def scope_caption(filters: Filters) -> str:
    parts = [f"{filters.start} to {filters.end}"]
    if filters.council_codes:
        parts.append(f"{len(filters.council_codes)} council(s)")
    if filters.role:
        parts.append(f"role {filters.role}")
    if filters.service_area:
        parts.append(f"service area {filters.service_area}")
    return "Showing " + ", ".join(parts) + "."


# --- pages -----------------------------------------------------------------------------------


def page_returns(filters: Filters) -> None:
    period = filters.end
    st.header(f"Returns for {period}")
    st.caption(
        "Which councils sent which tables this month, what became of each file, and who is "
        "late (a member council without an accepted return). Pick the month with the end of "
        "the period filter."
    )
    files = _query("returns_for_period", period, filters.council_codes)
    late = _query("late_councils", period, filters.council_codes)
    received = files[files.status.isin(queries.RECEIVED_STATUSES)].council_code.nunique()
    columns = st.columns(3)
    columns[0].metric("Councils with an accepted return", received)
    columns[1].metric("Late councils", len(late))
    columns[2].metric("Files received", len(files))

    st.subheader("Late: no accepted return")
    if late.empty:
        st.success(f"Every member council has an accepted return for {period}.")
    else:
        st.table(late.rename(columns=lambda c: c.replace("_", " ")), hide_index=True)
        csv_download(
            late, "Download late_councils.csv", f"late_councils_{period}.csv", key="csv-late"
        )

    st.subheader("Rejected files")
    rejected = files[files.status == "rejected"][
        ["council_name", "file_name", "version", "received_at", "errors", "message"]
    ]
    if rejected.empty:
        st.success(f"No file was rejected for {period}.")
    else:
        st.table(rejected.rename(columns=lambda c: c.replace("_", " ")), hide_index=True)
        st.caption("Each council has the feedback report for its file (below).")

    st.subheader("Files by council and status")
    if files.empty:
        st.info(f"No file was received for {period}.")
    else:
        counts = files.groupby(["council_name", "status"], as_index=False).size()
        counts = counts.rename(columns={"size": "files"})
        chart(
            alt.Chart(counts)
            .mark_bar()
            .encode(
                y=alt.Y("council_name:N", title=None),
                x=alt.X("files:Q", title="Files"),
                color=alt.Color(
                    "status:N",
                    scale=alt.Scale(
                        domain=[
                            "accepted",
                            "accepted_with_warnings",
                            "rejected",
                            "superseded",
                            "duplicate",
                        ],
                        range=["#2b8a3e", "#94d82d", "#c92a2a", "#868e96", "#ced4da"],
                    ),
                ),
                tooltip=["council_name", "status", "files"],
            )
        )
        numbers(counts, f"files_by_status_{period}")

    tables = _query("tables_received", period, filters.council_codes)
    st.subheader("Tables received (rows loaded from accepted files)")
    if tables.empty:
        st.info("No accepted table this month.")
    else:
        pivot = tables.pivot_table(
            index="council_name", columns="table_name", values="rows_loaded", aggfunc="sum"
        ).reset_index()
        st.dataframe(pivot, hide_index=True)
        csv_download(
            pivot, "Download tables_received.csv", f"tables_received_{period}.csv", key="csv-tables"
        )

    st.subheader("Files received")
    shown = files.drop(columns=["council_code"])
    st.dataframe(shown, hide_index=True)
    csv_download(
        shown, "Download files_received.csv", f"files_received_{period}.csv", key="csv-files"
    )

    st.subheader("Feedback reports")
    with_feedback = files[files.feedback_path.notna()]
    if with_feedback.empty:
        st.info("No feedback report for this month.")
        return
    labels = {
        f"{r.council_name} - {r.file_name} (v{r.version}, {r.status})": r.feedback_path
        for r in with_feedback.itertuples()
    }
    choice = st.selectbox("Feedback report", list(labels), key="feedback-choice")
    path = Path(str(labels[choice]))
    st.code(str(path), language=None)
    if path.is_file():
        html = path.read_text(encoding="utf-8", errors="replace")
        st.download_button(
            "Download the feedback report (HTML)",
            data=html.encode("utf-8"),
            file_name=path.name,
            mime="text/html",
            key="feedback-download",
        )
        with st.expander("Show the feedback report"):
            components.html(html, height=480, scrolling=True)
    else:
        st.caption("The report is in the ingest bucket (not on this machine): open it there.")


def page_vacancies(filters: Filters) -> None:
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
    trend = _query(
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
        chart(alt.layer(councils_lines, region_line))
        st.caption("Black dashed line: the region.")
        wide = series.pivot_table(index="period", columns="area", values=metric).reset_index()
        numbers(rounded(wide), f"{metric}_by_council")

    period = filters.end
    st.subheader(f"{period}: councils ranked")
    latest = _query(
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


def page_agency(filters: Filters) -> None:
    st.header("Agency rates")
    st.caption(
        "Hourly pay to the worker and charge to the council (median, with the quartiles), by "
        "role, against the regional pay cap in force on the assignments' start dates. "
        + scope_caption(filters)
    )
    period = _query("latest_period_with", queries.AGENCY_RATES, filters.start, filters.end)
    if period is None:
        st.info("No agency assignments in these months.")
        return
    rates = _query("agency_rates", period, period, filters.council_codes, filters.role)
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
    breaches = _query(
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


def page_pay(filters: Filters) -> None:
    st.header("Pay")
    st.caption(
        "Permanent salary ranges at 37 hours a week by regional role, the supplements on top, "
        "and the gap between a year of agency cover (median charge rate) and a permanent post's "
        "total reward. " + scope_caption(filters)
    )
    period = _query("latest_period_with", queries.PAY_RATES, filters.start, filters.end)
    if period is None:
        st.info("No pay scales in these months.")
        return
    pay = _query("pay_rates", period, filters.council_codes, filters.role)
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


def page_extracts(filters: Filters) -> None:
    del filters
    st.header("Published extracts")
    root = queries.published_dir()
    files = queries.published_files(root)
    st.caption(f"Files published by the pipeline under {root}.")
    if not files:
        st.info("Nothing published yet: `moc publish` (or `make demo`) writes the extracts.")
        return
    for index, path in enumerate(files):
        relative = path.relative_to(root)
        left, right = st.columns([4, 1])
        left.write(f"`{relative}` ({path.stat().st_size:,} bytes)")
        right.download_button(
            "Download",
            data=path.read_bytes(),
            file_name=path.name,
            key=f"extract-{index}",
        )


# --- the app ----------------------------------------------------------------------------------


def _no_snapshot(message: str) -> None:
    st.title("MoC workforce dashboard")
    st.error(
        f"{message}\n\nRun `make demo` first (it builds the marts and publishes the snapshot), "
        "or publish one from an existing warehouse with "
        "`.venv/bin/python -m transform.marts_snapshot`."
    )
    st.stop()


def _sidebar_filters() -> Filters:
    months = _query("periods")
    council_frame = _query("councils")
    role_frame = _query("roles")
    area_frame = _query("service_areas")
    names = dict(zip(council_frame.council_code, council_frame.council_name, strict=True))
    role_names = dict(zip(role_frame.role_code, role_frame.role_name, strict=True))
    area_names = dict(zip(area_frame.service_area_code, area_frame.service_area_name, strict=True))
    sidebar = st.sidebar
    sidebar.header("Filters")
    if len(months) > 1:
        start, end = sidebar.select_slider(
            "Period", options=months, value=(months[0], months[-1]), key="period"
        )
    else:
        start = end = months[0]
        sidebar.write(f"Period: {start}")
    chosen = sidebar.multiselect(
        "Councils",
        list(names),
        format_func=names.get,
        placeholder="All councils",
        key="councils",
    )
    role = sidebar.selectbox(
        "Role", [ALL_ROLES, *role_names], format_func=lambda r: role_names.get(r, r), key="role"
    )
    area = sidebar.selectbox(
        "Service area",
        [ALL_AREAS, *area_names],
        format_func=lambda a: area_names.get(a, a),
        key="service_area",
    )
    return Filters(
        start=start,
        end=end,
        council_codes=tuple(chosen),
        role=None if role == ALL_ROLES else role,
        service_area=None if area == ALL_AREAS else area,
    )


def main() -> None:
    st.set_page_config(page_title="MoC workforce dashboard", layout="wide")
    path = queries.snapshot_location()
    try:
        queries.connect(path).close()
    except queries.SnapshotUnavailable as error:
        _no_snapshot(str(error))
    filters = _sidebar_filters()
    info = _query("snapshot_info")
    if info.get("published_at") is not None:
        st.sidebar.caption(f"Snapshot published {info['published_at']} (UTC).")

    def bind(page):
        def run() -> None:
            page(filters)

        return run

    navigation = st.navigation(
        [
            st.Page(bind(page_returns), title="Returns", url_path="returns", default=True),
            st.Page(bind(page_vacancies), title="Vacancies and agency use", url_path="vacancies"),
            st.Page(bind(page_agency), title="Agency rates", url_path="agency"),
            st.Page(bind(page_pay), title="Pay", url_path="pay"),
            st.Page(bind(page_extracts), title="Published extracts", url_path="extracts"),
        ]
    )
    navigation.run()


main()
