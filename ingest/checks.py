"""Columns the suites check that are not in the file itself: readability of a cell, mapping
look-ups, whole numbers and cross-field tests.

They are computed here, in one place, and named ``check_*`` so nobody mistakes them for data.
Column-level checks come from the column spec in :mod:`ingest.return_contract` (one function
per kind of check); the few rules that relate several columns of one table have a small
function each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from common.periods import period_end
from common.reference import in_force_on, seed_frame
from ingest.readers import is_unreadable
from ingest.return_contract import NUMERIC_KINDS, Column, ReturnTable

# Kinds whose cells can hold something that cannot be read (text and codes are kept as typed).
READABLE_KINDS = (*NUMERIC_KINDS, "date", "flag")
# The column of each mapping seed that holds the council's own value.
MAPPING_VALUE_COLUMNS = {"grade_role_map": "local_grade", "team_service_area_map": "local_team"}
# The column of a validated frame that holds the return's period, 'YYYY-MM' (ingest.validate
# adds it): a value is mapped if a mapping row is in force on the period's last day.
PERIOD_COLUMN = "period"
# Agency rates: the basis a blank 'Rate basis' stands for.
DEFAULT_RATE_BASIS = "hourly"


def readable_check(column: Column) -> str:
    return f"check_{column.name}_readable"


def whole_check(column: Column) -> str:
    return f"check_{column.name}_is_whole"


def mapped_check(column: Column) -> str:
    return f"check_{column.name}_is_mapped"


def filled_check(column: Column) -> str:
    """Filled wherever the return's month requires it (Column.required_from)."""
    return f"check_{column.name}_filled_when_required"


def format_check(column: Column) -> str:
    """A filled cell has the column's format (Column.pattern)."""
    return f"check_{column.name}_well_formed"


def well_formed(values: pd.Series, column: Column) -> pd.Series:
    """True where a cell is blank or has the column's format (Column.pattern). A personal
    column is judged on its clear values, before they are hashed (ingest/pseudonymise.py
    stores the answer in the typed frame as ``format_check(column)``)."""
    return values.map(
        lambda v: not isinstance(v, str) or not v.strip() or column.is_well_formed(v)
    ).astype(bool)


def optional_readable_columns(table: ReturnTable) -> list[Column]:
    """Optional columns whose cells can be unreadable: these get a readability check."""
    return [c for c in table.columns if not c.required and c.kind in READABLE_KINDS]


def load_mapping(mapping: str) -> pd.DataFrame:
    """The rows of a mapping seed (``grade_role_map`` or ``team_service_area_map``) as
    council_code, value, valid_from and valid_to (inclusive; NaT while still in force)."""
    rows = seed_frame(mapping)
    return pd.DataFrame(
        {
            "council_code": rows["council_code"],
            "value": rows[MAPPING_VALUE_COLUMNS[mapping]],
            "valid_from": pd.to_datetime(rows["valid_from"]),
            "valid_to": pd.to_datetime(rows["valid_to"].replace("", None)),
        }
    )


def _month_ends(frame: pd.DataFrame) -> pd.Series:
    """Each row's return month end (NaT where the frame has no period: any period will do)."""
    if PERIOD_COLUMN not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    ends = frame[PERIOD_COLUMN].map(lambda p: period_end(p) if isinstance(p, str) else None)
    return pd.to_datetime(ends)


def _is_mapped(frame: pd.DataFrame, column: str, mapping: pd.DataFrame) -> pd.Series:
    """True where a mapping row for the council's value is in force on the return's month end
    (any row, when the frame has no period); a blank cell has its own rule."""
    is_text = frame[column].map(lambda v: isinstance(v, str)).astype(bool)
    cells = pd.DataFrame(
        {
            "position": np.arange(len(frame)),
            "council_code": frame["council_code"].to_numpy(),
            "value": frame[column].where(is_text).to_numpy(),
            "month_end": _month_ends(frame).to_numpy(),
        }
    )[is_text.to_numpy()]
    joined = cells.merge(mapping, on=["council_code", "value"])
    in_force = in_force_on(joined["month_end"], joined["valid_from"], joined["valid_to"])
    covered = joined["month_end"].isna() | in_force
    mapped = ~is_text.to_numpy() | np.isin(np.arange(len(frame)), joined.loc[covered, "position"])
    return pd.Series(mapped, index=frame.index, dtype=bool)


def mapping_history_note(mapping: str, council_code: str, value: str, period: str | None) -> str:
    """What to add to the message of a value that is not mapped for the return's period but
    is for another one: when it stopped being mapped, or from when it will be; "" otherwise."""
    if period is None:
        return ""
    rows = load_mapping(mapping)
    rows = rows[(rows["council_code"] == council_code) & (rows["value"] == value)]
    month_end = pd.Timestamp(period_end(period))
    ended = rows.loc[rows["valid_to"] < month_end, "valid_to"]
    if not ended.empty:
        last = ended.max()
        return (
            f"It was mapped until {last:%d/%m/%Y} and is no longer mapped from "
            f"{last + pd.Timedelta(days=1):%d/%m/%Y}."
        )
    starts = rows.loc[rows["valid_from"] > month_end, "valid_from"]
    if not starts.empty:
        return f"It is mapped only from {starts.min():%d/%m/%Y}, after {period}."
    return ""


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    dates = frame[column].map(lambda v: v if isinstance(v, dt.date) else None)
    return pd.to_datetime(dates, errors="coerce")


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    return values.notna() & (values.astype(str).str.strip() != "")


def readability_flags(
    typed: pd.DataFrame, raw: pd.DataFrame | None, table: ReturnTable
) -> pd.DataFrame:
    """``check_<column>_readable`` for every optional column that can hold unreadable cells.

    ``raw`` holds the cells as the officer typed them, row for row with ``typed``. Without it
    nothing can be judged unreadable (every flag is True); validation always passes it.
    """
    flags = pd.DataFrame(index=typed.index)
    for column in optional_readable_columns(table):
        if raw is None:
            flags[readable_check(column)] = True
            continue
        texts = raw[column.name].fillna("").astype(str).set_axis(typed.index)
        flags[readable_check(column)] = ~is_unreadable(texts, typed[column.name])
    return flags


def _filled_when_required(
    frame: pd.DataFrame, raw: pd.DataFrame | None, column: Column
) -> pd.Series:
    """True where the cell is filled, or the row's return month does not require the column
    yet (Column.is_required_for; no period: not required). Filled means the officer typed
    something; a cell that cannot be read has its own rule."""
    if raw is not None:
        filled = raw[column.name].fillna("").astype(str).str.strip().ne("").set_axis(frame.index)
    else:
        filled = frame[column.name].notna()
    if PERIOD_COLUMN not in frame.columns:
        return filled.astype(bool)
    required = frame[PERIOD_COLUMN].map(lambda p: column.is_required_for(p if p else None))
    return (filled | ~required.astype(bool)).astype(bool)


def _column_checks(
    frame: pd.DataFrame, table: ReturnTable, raw: pd.DataFrame | None = None
) -> None:
    for column in table.columns:
        if column.required_from is not None:
            frame[filled_check(column)] = _filled_when_required(frame, raw, column)
        if column.pattern is not None and format_check(column) not in frame.columns:
            # Not pseudonymised (a frame validated directly): the values are still clear.
            frame[format_check(column)] = well_formed(frame[column.name], column)
        if column.kind == "count":
            values = _numbers(frame, column.name)
            frame[whole_check(column)] = values.isna() | np.isclose(values, values.round())
        if column.mapping is not None:
            mapping = load_mapping(column.mapping)
            frame[mapped_check(column)] = _is_mapped(frame, column.name, mapping)


def _end_not_before_start(frame: pd.DataFrame, start: str, end: str) -> pd.Series:
    return ~(_dates(frame, end) < _dates(frame, start))


# Dates inside rows, as numbers the suites bound (the bounds and severities are ingest.suites'):
# NaN where the cell is blank or unreadable (their own rules) or the frame has no period.


def _year(frame: pd.DataFrame, column: str) -> pd.Series:
    return _dates(frame, column).dt.year.astype("float64")


def _days_after_month_end(frame: pd.DataFrame, column: str) -> pd.Series:
    """Days from the return month's last day to the date (0 or less: in or before the month)."""
    return (_dates(frame, column) - _month_ends(frame)).dt.days.astype("float64")


def _age_in_years(frame: pd.DataFrame, birth_month: str) -> pd.Series:
    """Whole years from the birth month to the return month (only the month of birth is kept,
    so a worker counts a year older from the first of their birth month)."""
    born, month_end = _dates(frame, birth_month), _month_ends(frame)
    months = (month_end.dt.year - born.dt.year) * 12 + (month_end.dt.month - born.dt.month)
    return (months // 12).astype("float64")


def _establishment_checks(frame: pd.DataFrame) -> None:
    establishment, permanent = (
        _numbers(frame, "establishment_fte"),
        _numbers(frame, "permanent_fte"),
    )
    expected_vacancy = (establishment - permanent).clip(lower=0)
    frame["check_vacancy_gap_fte"] = (_numbers(frame, "vacancy_fte") - expected_vacancy).abs()
    holders = _numbers(frame, "case_holder_fte")
    holders = holders.where(holders > 0)
    caseload = _numbers(frame, "cases_held") / holders
    frame["check_caseload"] = caseload.replace([np.inf], np.nan)


def _agency_checks(frame: pd.DataFrame) -> None:
    frame["check_end_not_before_start"] = _end_not_before_start(frame, "start_date", "end_date")
    frame["check_start_date_year"] = _year(frame, "start_date")
    frame["check_start_date_days_after_month_end"] = _days_after_month_end(frame, "start_date")
    frame["check_qualified_on_days_after_month_end"] = _days_after_month_end(frame, "qualified_on")
    basis = frame["rate_basis"].where(_present(frame, "rate_basis"), DEFAULT_RATE_BASIS)
    for rate in ("pay_rate", "charge_rate"):
        values = _numbers(frame, rate)
        for name in ("hourly", "daily"):
            frame[f"check_{name}_{rate}"] = values.where(basis == name)
    signed_off = frame["cap_exception_signed_off"].map(
        lambda v: isinstance(v, bool | np.bool_) and bool(v)
    )
    frame["check_sign_off_has_who"] = ~signed_off | _present(frame, "signed_off_by")
    frame["check_sign_off_has_date"] = ~signed_off | _present(frame, "signed_off_on")


def _workforce_checks(frame: pd.DataFrame) -> None:
    started, ended = _present(frame, "role_start_date"), _present(frame, "role_end_date")
    frame["check_start_has_origin"] = ~started | _present(frame, "start_origin")
    frame["check_end_has_reason"] = ~ended | _present(frame, "reason_leave")
    frame["check_end_has_destination"] = ~ended | _present(frame, "leaver_destination")
    frame["check_end_not_before_start"] = _end_not_before_start(
        frame, "role_start_date", "role_end_date"
    )
    frame["check_worker_age_years"] = _age_in_years(frame, "birth_month")
    frame["check_role_start_date_year"] = _year(frame, "role_start_date")
    frame["check_role_start_date_days_after_month_end"] = _days_after_month_end(
        frame, "role_start_date"
    )


TABLE_CHECKS: dict[str, Callable[[pd.DataFrame], None]] = {
    "establishment": _establishment_checks,
    "agency_assignments": _agency_checks,
    "workforce": _workforce_checks,
}


def add_check_columns(
    frame: pd.DataFrame, table: ReturnTable, raw: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return ``frame`` with the ``check_*`` columns its table's suite expects.

    ``frame`` is the typed rows (with ``council_code`` and, for the mapping checks, the
    return's ``period``: without it a value mapped in any period passes); ``raw`` the same
    rows as the officer typed them (``ParsedTable.raw``, same order), used to tell a blank cell
    from one that could not be read.
    """
    checked = frame.copy()
    flags = readability_flags(checked, raw, table)
    for name in flags.columns:
        checked[name] = flags[name]
    _column_checks(checked, table, raw)
    table_checks = TABLE_CHECKS.get(table.name)
    if table_checks is not None:
        table_checks(checked)
    return checked
