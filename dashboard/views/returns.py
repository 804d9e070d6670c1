"""Returns: which councils sent which tables for the month, what became of each file, who is
late, and each file's feedback report."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import streamlit as st
import streamlit.components.v1 as components

from dashboard.cache import query
from dashboard.filters import Filters
from dashboard.widgets import chart, csv_download, numbers
from ingest.ledger import LedgerStatus


def render(filters: Filters) -> None:
    period = filters.end
    st.header(f"Returns for {period}")
    st.caption(
        "Which councils sent which tables this month, what became of each file, and who is "
        "late (a member council without an accepted return). Pick the month with the end of "
        "the period filter."
    )
    month = query("returns_month", period, filters.council_codes)
    files, late = month.files, month.late
    columns = st.columns(3)
    columns[0].metric("Councils with an accepted return", month.councils_received)
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
    rejected = files[files.status == LedgerStatus.REJECTED][
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
                            LedgerStatus.ACCEPTED,
                            LedgerStatus.ACCEPTED_WITH_WARNINGS,
                            LedgerStatus.REJECTED,
                            LedgerStatus.SUPERSEDED,
                            LedgerStatus.DUPLICATE,
                        ],
                        range=["#2b8a3e", "#94d82d", "#c92a2a", "#868e96", "#ced4da"],
                    ),
                ),
                tooltip=["council_name", "status", "files"],
            )
        )
        numbers(counts, f"files_by_status_{period}")

    tables = month.tables
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
