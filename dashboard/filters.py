"""The sidebar's filters, which every page receives: period, councils, role, service area."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.cache import query

ALL_ROLES = "All roles"
ALL_AREAS = "All service areas"


@dataclass(frozen=True)
class Filters:
    start: str
    end: str  # the "selected month" of month-level pages
    council_codes: tuple[str, ...]  # empty = every council
    role: str | None
    service_area: str | None


def sidebar_filters() -> Filters:
    months = query("periods")
    council_frame = query("councils")
    role_frame = query("roles")
    area_frame = query("service_areas")
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


def scope_caption(filters: Filters) -> str:
    parts = [f"{filters.start} to {filters.end}"]
    if filters.council_codes:
        parts.append(f"{len(filters.council_codes)} council(s)")
    if filters.role:
        parts.append(f"role {filters.role}")
    if filters.service_area:
        parts.append(f"service area {filters.service_area}")
    return "Showing " + ", ".join(parts) + "."
