"""How every page shows a chart and offers a table's figures: the one way of each."""

from __future__ import annotations

import io

import altair as alt
import pandas as pd
import streamlit as st


def chart(spec: alt.TopLevelMixin) -> None:
    st.altair_chart(spec, width="stretch")


def numbers(frame: pd.DataFrame, name: str, label: str = "Numbers behind the chart") -> None:
    """The figures of a chart as a table, and a CSV download of them."""
    with st.expander(label, expanded=False):
        st.dataframe(frame, hide_index=True)
    csv_download(frame, f"Download {name}.csv", f"{name}.csv", key=f"csv-{name}")


def csv_download(frame: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    """A download button for a table's figures as CSV (the one way every table is offered)."""
    st.download_button(label, data=_csv(frame), file_name=file_name, mime="text/csv", key=key)


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
