"""Publish the members' benchmark for a month: each council beside the regional figures.

A publication is a folder with the extract and a manifest (inputs, row counts, checksums,
pipeline version). It is written aside and renamed into place, so a reader never sees half
of one, and the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from ingest import warehouse
from ingest.config import Settings
from ingest.members import members_on, period_end
from ingest.rounding import UNAVAILABLE, publish_figure

# Indicators of the members' benchmark: (mart column, published name, decimal places).
INDICATORS = (
    ("vacancy_rate", "vacancy_rate_fte", 1),
    ("agency_rate", "agency_rate_fte", 1),
    ("vacancy_fte", "vacancy_fte", 1),
    ("permanent_fte", "inpost_fte", 1),
    ("agency_fte", "agency_fte", 1),
)
BENCHMARK_COLUMNS = [
    "time_period",
    "geographic_level",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "indicator",
    "value",
    "regional_minimum",
    "regional_lower_quartile",
    "regional_median",
    "regional_upper_quartile",
    "regional_maximum",
    "councils_in_regional_figure",
]


@dataclass
class Publication:
    period: str
    folder: Path
    files: list[Path]


def pipeline_version() -> str:
    return version("moc-workforce")


def latest_period(con) -> str | None:
    row = con.execute("SELECT max(period) FROM marts.fct_vacancies_region_months").fetchone()
    return row[0] if row else None


def _benchmark_rows(con, period: str) -> list[list[str]]:
    council_rows = {
        row[0]: row[1:]
        for row in con.execute(
            f"SELECT council_code, {', '.join(c for c, _, _ in INDICATORS)} "
            "FROM marts.fct_vacancies_council_months WHERE period = ?",
            [period],
        ).fetchall()
    }
    region = con.execute(
        f"SELECT {', '.join(c for c, _, _ in INDICATORS)}, councils_included "
        "FROM marts.fct_vacancies_region_months WHERE period = ?",
        [period],
    ).fetchone()
    members = members_on(period_end(period))
    rows = []
    for position, (_column, indicator, places) in enumerate(INDICATORS):
        values = [r[position] for r in council_rows.values() if r[position] is not None]
        spread = con.execute(
            "SELECT min(v), quantile_cont(v, 0.25), median(v), quantile_cont(v, 0.75), max(v) "
            "FROM (SELECT unnest(?::DOUBLE[]) AS v)",
            [values],
        ).fetchone()
        spread_text = [publish_figure(v, places, UNAVAILABLE) for v in spread]
        region_value = region[position] if region else None
        first = members[0]
        rows.append(
            [
                period,
                "Regional",
                first.region_code,
                first.region_name,
                "",
                "",
                "",
                indicator,
                publish_figure(region_value, places),
                *spread_text,
                str(region[-1] if region else 0),
            ]
        )
        for member in sorted(members, key=lambda m: m.council_name):
            sent = member.council_code in council_rows
            value = council_rows[member.council_code][position] if sent else None
            rows.append(
                [
                    period,
                    "Local authority",
                    member.region_code,
                    member.region_name,
                    member.council_code,
                    member.ons_code,
                    member.council_name,
                    indicator,
                    publish_figure(value, places) if sent else UNAVAILABLE,
                    *spread_text,
                    str(region[-1] if region else 0),
                ]
            )
    return rows


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _inputs(con, period: str) -> list[dict[str, object]]:
    rows = con.execute(
        "SELECT council_code, file_name, sha256, version, status FROM ledger.files "
        "WHERE period = ? AND status IN ('accepted', 'accepted_with_warnings') "
        "ORDER BY council_code, return_type, version",
        [period],
    ).fetchall()
    keys = ("council_code", "file_name", "sha256", "version", "status")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames only (same filesystem)."""
    retired = target.with_name(f".{target.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    if retired.exists():
        shutil.rmtree(retired)


def publish_members_benchmark(settings: Settings, period: str | None = None) -> Publication:
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        period = period or latest_period(con)
        if period is None:
            raise ValueError("Nothing to publish: the marts hold no month yet.")
        extract_name = f"members_benchmark_{period}.csv"
        extract = _csv_bytes(BENCHMARK_COLUMNS, _benchmark_rows(con, period))
        inputs = _inputs(con, period)
    finally:
        con.close()
    manifest = {
        "publication": "members_benchmark",
        "period": period,
        "pipeline_version": pipeline_version(),
        "inputs": inputs,
        "files": [
            {
                "name": extract_name,
                "rows": extract.count(b"\n") - 1,
                "bytes": len(extract),
                "sha256": hashlib.sha256(extract).hexdigest(),
            }
        ],
    }
    target = settings.published_dir / "members_benchmark" / period
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{period}.", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it owner-only; partners' readers need to see it
    (staging / extract_name).write_bytes(extract)
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    (staging / "manifest.json").write_bytes(manifest_bytes)
    swap_into_place(staging, target)
    return Publication(
        period=period, folder=target, files=[target / extract_name, target / "manifest.json"]
    )
