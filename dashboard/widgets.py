"""How every page shows a chart and offers a table's figures: the one way of each."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from common.excel import frame_csv

PLACEHOLDER_CAPS_NOTE = (
    "Placeholder caps: the agency price caps are placeholder figures (the agency rate caps "
    "reference data), not the region's agreed caps, until a project lead replaces them. Every "
    "cap shown here, and every count of assignments above a cap, is measured against those "
    "placeholders."
)


def placeholder_caps_warning() -> None:
    """The one way a page says the caps it shows are placeholders."""
    st.warning(PLACEHOLDER_CAPS_NOTE)


def chart(spec: alt.TopLevelMixin) -> None:
    st.altair_chart(spec, width="stretch")


def numbers(frame: pd.DataFrame, name: str, label: str = "Numbers behind the chart") -> None:
    """The figures of a chart as a table, and a CSV download of them."""
    with st.expander(label, expanded=False):
        st.dataframe(frame, hide_index=True)
    csv_download(frame, f"Download {name}.csv", f"{name}.csv", key=f"csv-{name}")


def table(frame: pd.DataFrame, name: str) -> None:
    """A table that is the figure itself (not behind a chart), on the page, and a CSV
    download of exactly what it shows."""
    st.dataframe(frame, hide_index=True)
    csv_download(frame, f"Download {name}.csv", f"{name}.csv", key=f"csv-{name}")


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A download button for a table's figures as CSV (the one way every table is offered)."""
    st.download_button(label, data=csv_bytes(frame), file_name=file_name, mime="text/csv", key=key)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """What a CSV download holds: text Excel would run as a formula (a file named
    '=HYPERLINK(...)') is neutralised (common/excel.py)."""
    return frame_csv(frame).encode("utf-8")
