"""Queries through the cache: each one on a fresh read-only connection to the snapshot, cached
per snapshot version (its mtime), so a republished snapshot is picked up on the next rerun."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import queries


def _snapshot_mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def query(name: str, *args):
    """Run queries.<name>(con, *args) on the snapshot, through the cache."""
    path = queries.snapshot_location()
    return _cached_query(str(path), _snapshot_mtime(path), name, args)


@st.cache_data(show_spinner=False, ttl=600, max_entries=256)
def _cached_query(path: str, mtime: float, name: str, args: tuple):
    con = queries.connect(Path(path))
    try:
        return getattr(queries, name)(con, *args)
    finally:
        con.close()
