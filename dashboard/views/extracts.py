"""Published extracts: every file the pipeline has published, to download."""

from __future__ import annotations

import streamlit as st

from dashboard import queries
from dashboard.filters import Filters


def render(filters: Filters) -> None:
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
