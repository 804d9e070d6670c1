"""Member councils, read from the dbt seed that is their one home (members are data, not code)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.config import SEEDS_DIR


@dataclass(frozen=True)
class Member:
    council_code: str  # DfE 3-digit LA code
    council_name: str
    council_slug: str  # the council's folder name in the ingest bucket
    ons_code: str
    region_code: str
    region_name: str


@cache
def load_members(path: Path = SEEDS_DIR / "members.csv") -> tuple[Member, ...]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Member(
            council_code=row["council_code"],
            council_name=row["council_name"],
            council_slug=row["council_slug"],
            ons_code=row["ons_code"],
            region_code=row["region_code"],
            region_name=row["region_name"],
        )
        for row in rows
        if not row.get("left_on")
    )


def members_by_slug() -> dict[str, Member]:
    return {m.council_slug: m for m in load_members()}


def members_by_code() -> dict[str, Member]:
    return {m.council_code: m for m in load_members()}
