"""The regional project leads' dashboard over the marts snapshot (Streamlit + Altair).

Run it with ``make dashboard`` (or ``streamlit run dashboard/app.py``). It reads only the
published, read-only snapshot of the marts (``MOC_MARTS_SNAPSHOT``, default
``<published_dir>/marts/marts_snapshot.duckdb``), so the pipeline can write the warehouse while
people look. This file is the entry point only: it checks the snapshot, draws the sidebar's
filters and wires the pages (dashboard/views/, one module per page) into the navigation. All
SQL is in dashboard/queries.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts dashboard/ on the path, not the project
    sys.path.insert(0, str(ROOT))

from dashboard import queries  # noqa: E402
from dashboard.cache import query  # noqa: E402
from dashboard.filters import sidebar_filters  # noqa: E402
from dashboard.views import agency, agency_rules, extracts, pay, returns, vacancies  # noqa: E402


def _no_snapshot(message: str) -> None:
    st.title("MoC workforce dashboard")
    st.error(
        f"{message}\n\nRun `make demo` first (it builds the marts and publishes the snapshot), "
        "or publish one from an existing warehouse with "
        "`.venv/bin/python -m transform.marts_snapshot`."
    )
    st.stop()


def main() -> None:
    st.set_page_config(page_title="MoC workforce dashboard", layout="wide")
    path = queries.snapshot_location()
    try:
        queries.connect(path).close()
    except queries.SnapshotUnavailable as error:
        _no_snapshot(str(error))
    filters = sidebar_filters()
    info = query("snapshot_info")
    if info.get("published_at") is not None:
        st.sidebar.caption(f"Snapshot published {info['published_at']} (UTC).")

    def bind(page):
        def run() -> None:
            page(filters)

        return run

    navigation = st.navigation(
        [
            st.Page(bind(returns.render), title="Returns", url_path="returns", default=True),
            st.Page(bind(vacancies.render), title="Vacancies and agency use", url_path="vacancies"),
            st.Page(bind(agency.render), title="Agency rates", url_path="agency"),
            st.Page(bind(agency_rules.render), title="Agency rules", url_path="agency-rules"),
            st.Page(bind(pay.render), title="Pay", url_path="pay"),
            st.Page(bind(extracts.render), title="Published extracts", url_path="extracts"),
        ]
    )
    navigation.run()


main()
