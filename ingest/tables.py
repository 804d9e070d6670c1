"""The return tables a council sends: their columns as the officer sees them and as we store them.

This module is the one home of the column layout. The sample generator writes these headers,
the reader maps them back, the GX suites check them, and dbt sources read the stored names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["text", "fte", "count"]


@dataclass(frozen=True)
class Column:
    name: str  # stored name (snake_case), used by the warehouse and dbt
    header: str  # header in the template, as a council officer sees it in Excel
    kind: ColumnKind
    description: str


@dataclass(frozen=True)
class ReturnTable:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique within one return
    description: str

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def numeric_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind != "text"]


ESTABLISHMENT = ReturnTable(
    name="establishment",
    key=("team", "grade"),
    description="One row per team and local grade, as at the last day of the month.",
    columns=(
        Column("team", "Team", "text", "The council's own team name."),
        Column("grade", "Local grade", "text", "The council's own grade name."),
        Column("establishment_fte", "Establishment FTE", "fte", "Funded posts (FTE)."),
        Column("permanent_fte", "Permanent FTE in post", "fte", "Permanent staff in post (FTE)."),
        Column("agency_fte", "Agency FTE", "fte", "Agency workers in post (FTE)."),
        Column(
            "agency_vacancy_fte",
            "Agency FTE covering vacancies",
            "fte",
            "Agency workers covering a vacant post (FTE).",
        ),
        Column("vacancy_fte", "Vacancy FTE", "fte", "Vacant posts (FTE)."),
        Column("starters_fte", "Permanent starters FTE", "fte", "Permanent starters this month."),
        Column(
            "starters_headcount",
            "Permanent starters headcount",
            "count",
            "Permanent starters this month (people).",
        ),
        Column("leavers_fte", "Permanent leavers FTE", "fte", "Permanent leavers this month."),
        Column(
            "leavers_headcount",
            "Permanent leavers headcount",
            "count",
            "Permanent leavers this month (people).",
        ),
        Column(
            "leavers_to_agency_headcount",
            "Leavers to agency headcount",
            "count",
            "Permanent leavers this month who went to agency work.",
        ),
        Column("cases_held", "Cases held", "count", "Open cases held by the team's case holders."),
        Column("case_holder_fte", "Case-holder FTE", "fte", "FTE of staff holding cases."),
    ),
)

TABLES: dict[str, ReturnTable] = {t.name: t for t in (ESTABLISHMENT,)}
