"""The reference seeds (``dbt_project/seeds/*.csv``: members, mappings, roles, partners...) as
Python reads them, and the one Python definition of "in force on a day" for their
effective-dated rows.

The seeds are the one home of this reference data: dbt loads them into the warehouse, and the
few Python steps that need them before or beside dbt (ingest's mapping checks, membership, the
data-sharing register, the sample generator) read them here. dbt has the same rule as macros
(``in_force_on`` for the mappings and caps, ``is_member_on`` for membership), since SQL cannot
import Python; tests keep the two in step through the marts.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from common.settings import DBT_PROJECT_DIR, SEEDS_DIR


@cache
def dbt_project_var(name: str):
    """A var of ``dbt_project/dbt_project.yml``: the one home of a constant that both the dbt
    models and Python use (e.g. ``rate_decimal_places``)."""
    with open(DBT_PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"][name]


def seed_path(name: str) -> Path:
    """``grade_role_map`` -> ``dbt_project/seeds/grade_role_map.csv``."""
    return SEEDS_DIR / f"{name}.csv"


def read_rows(path: Path) -> tuple[dict[str, str], ...]:
    """A seed's rows as text (a blank cell is "")."""
    with open(path, newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """The named seed's rows as text, read once per process (seeds change with the code)."""
    return read_rows(seed_path(name))


def seed_frame(name: str) -> pd.DataFrame:
    """The named seed as a frame of text columns (a blank cell is ""), a fresh copy each call."""
    return pd.read_csv(seed_path(name), dtype=str, keep_default_na=False)


def _is_open(end: object) -> bool:
    return end is None or end == "" or (not isinstance(end, pd.Series) and pd.isna(end))


def in_force_on(day, starts, ends, *, ends_exclusive: bool = False):
    """Whether a row effective from ``starts`` to ``ends`` is in force on ``day``.

    ``ends`` is the row's last day (the mappings' ``valid_to``, the caps' ``effective_to``), or
    with ``ends_exclusive`` the first day it no longer holds (members' ``left_on``, the
    register's ``ended_on``); a blank end (None, "", NaT) means still in force, a blank start
    (None) in force from the beginning. Days are dates or ISO date text; given pandas Series,
    the answer is a boolean Series, element by element.
    """
    if any(isinstance(value, pd.Series) for value in (day, starts, ends)):
        open_ended = ends.isna() if isinstance(ends, pd.Series) else _is_open(ends)
        before_end = (day < ends) if ends_exclusive else (day <= ends)
        return (starts <= day) & (open_ended | before_end)
    started = _is_open(starts) or starts <= day
    if _is_open(ends):
        return started
    return started and (day < ends if ends_exclusive else day <= ends)


def rows_in_force_on(
    rows: tuple[dict[str, str], ...],
    day: dt.date,
    starts: str = "valid_from",
    ends: str = "valid_to",
) -> tuple[dict[str, str], ...]:
    """The seed rows in force on ``day`` (by default the mappings' valid_from and valid_to)."""
    text = day.isoformat()
    return tuple(row for row in rows if in_force_on(text, row[starts], row[ends]))
