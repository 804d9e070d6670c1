"""Publishing the members' benchmark: reproducible bytes, an honest manifest, symbols, no debris.

One ingest and one real dbt build per module: two months of returns, Thurrock missing the
second month, and Essex correcting its second month in a later batch.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from importlib.metadata import version
from pathlib import Path

import pytest
from openpyxl import load_workbook

from common.members import load_members, members_by_code
from common.reference import seed_rows
from common.rounding import round_half_away
from common.settings import load_settings
from ingest import ledger, pipeline, warehouse
from publish.extracts import workbooks
from publish.extracts.indicators import BY_NAME, PARTNER_INDICATORS, RATES, rate_value
from publish.publish_month import (
    BENCHMARK_COLUMNS,
    INDICATORS,
    partner_file_stem,
    publish_members_benchmark,
    publish_month,
)
from samples.establishment import establishment_frame
from samples.return_files import return_filename, write_return
from samples.returns import generate_returns
from transform.dbt_runner import build_marts

PERIODS = ["2025-02", "2025-03"]
PERIOD = PERIODS[-1]
SEED = 5
MISSING = "883"  # Thurrock sends nothing for PERIOD
CORRECTED = "881"  # Essex sends a corrected PERIOD return in a later batch
BASE_TIME = 1_743_500_000
# Indicators every council with a return has as a number (turnover needs 12 months of returns).
ORIGINAL_INDICATORS = (
    "vacancy_rate_fte",
    "agency_rate_fte",
    "vacancy_fte",
    "inpost_fte",
    "agency_fte",
)


def _set_mtime(path: Path, minutes: int) -> None:
    stamp = BASE_TIME + 60 * minutes
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("publish") / "data"
    settings = load_settings({"MOC_DATA_DIR": str(data_dir)})
    bucket = Path(settings.bucket_url)
    codes = [m.council_code for m in load_members()]
    paths = generate_returns(bucket, PERIODS[:1], seed=SEED)
    paths += generate_returns(
        bucket, [PERIOD], seed=SEED, councils=[c for c in codes if c != MISSING]
    )
    for minute, path in enumerate(paths):
        _set_mtime(path, minute)
    pipeline.ingest_new_files(settings)

    slug = "essex"
    corrected = write_return(
        establishment_frame(CORRECTED, PERIOD, seed=SEED + 1),
        bucket / slug / return_filename(slug, PERIOD, "csv").replace(".csv", "_v2.csv"),
        "csv",
    )
    _set_mtime(corrected, 100)
    summary = pipeline.ingest_new_files(settings)
    assert [e.status for e in summary.entries] == ["accepted"]

    build_marts(settings)
    return settings


@pytest.fixture(scope="module")
def first_publication(settings):
    publication = publish_members_benchmark(settings)
    return publication, {p.name: p.read_bytes() for p in publication.files}


def _rows(extract: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(extract.decode("utf-8"))))


def _extract(first_publication) -> bytes:
    _, contents = first_publication
    return contents[f"members_benchmark_{PERIOD}.csv"]


def _manifest(first_publication) -> dict:
    _, contents = first_publication
    return json.loads(contents["manifest.json"])


def test_latest_month_is_published_by_default(settings, first_publication):
    publication, contents = first_publication
    folder = settings.published_dir / "members_benchmark" / PERIOD
    assert publication.period == PERIOD and publication.folder == folder
    assert set(contents) == {
        f"members_benchmark_{PERIOD}.csv",
        f"members_benchmark_{PERIOD}.xlsx",
        "manifest.json",
    }
    assert sorted(p.name for p in folder.iterdir()) == sorted(contents)


def test_publishing_again_gives_the_same_bytes(settings, first_publication):
    _, first = first_publication
    again = publish_members_benchmark(settings, PERIOD)
    assert {p.name: p.read_bytes() for p in again.files} == first


def test_manifest_checksums_and_row_counts_match_the_files(first_publication):
    manifest = _manifest(first_publication)
    extract = _extract(first_publication)
    assert manifest["period"] == PERIOD
    assert manifest["publication"] == "members_benchmark"
    assert manifest["pipeline_version"] == version("moc-workforce")
    (described,) = [f for f in manifest["files"] if f["name"].endswith(".csv")]
    assert described["name"] == f"members_benchmark_{PERIOD}.csv"
    assert described["sha256"] == hashlib.sha256(extract).hexdigest()
    assert described["bytes"] == len(extract)
    rows = _rows(extract)
    assert described["rows"] == len(rows)
    names = {name for _, name, _ in INDICATORS}
    month_rows = [r for r in rows if r["indicator"] in names]
    assert len(month_rows) == len(INDICATORS) * (1 + len(load_members()))


def test_manifest_inputs_are_the_accepted_ledger_versions_of_the_month(settings, first_publication):
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        entries = ledger.read_ledger(con)
    finally:
        con.close()
    window = entries[entries["period"].isin(PERIODS)]  # both months are in the 12-month window
    in_force = window[window["status"].isin(ledger.ACCEPTED_STATUSES)]
    expected = sorted(
        (r.council_code, r.file_name, r.sha256, int(r.version), r.status)
        for r in in_force.itertuples()
    )
    inputs = _manifest(first_publication)["inputs"]
    assert (
        sorted(
            (i["council_code"], i["file_name"], i["sha256"], i["version"], i["status"])
            for i in inputs
        )
        == expected
    )
    councils = {i["council_code"] for i in inputs if i["period"] == PERIOD}
    assert councils == {m.council_code for m in load_members()} - {MISSING}
    corrected = [
        i
        for i in inputs
        if i["council_code"] == CORRECTED
        and i["period"] == PERIOD
        and "establishment" in i["file_name"]
    ]
    assert [(i["file_name"], i["version"]) for i in corrected] == [
        (f"essex_{PERIOD}_establishment_v2.csv", 2)
    ], "the superseded first version is not an input"
    bucket = Path(settings.bucket_url)
    for item in inputs:
        (path,) = bucket.rglob(item["file_name"])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == item["sha256"], item["file_name"]


def test_council_without_a_return_shows_x_and_is_left_out_of_the_region(first_publication):
    rows = _rows(_extract(first_publication))
    assert list(rows[0]) == BENCHMARK_COLUMNS
    for indicator in ORIGINAL_INDICATORS:
        councils = {
            r["old_la_code"]: r
            for r in rows
            if r["indicator"] == indicator and r["geographic_level"] == "Local authority"
        }
        assert set(councils) == {m.council_code for m in load_members()}
        assert councils[MISSING]["value"] == "x"
        assert all(r["value"] not in ("x", "z", "") for c, r in councils.items() if c != MISSING)
        (region,) = [
            r for r in rows if r["indicator"] == indicator and r["geographic_level"] == "Regional"
        ]
        assert region["councils_in_regional_figure"] == str(len(load_members()) - 1)


def test_the_corrected_version_is_the_one_published(first_publication):
    rows = _rows(_extract(first_publication))
    corrected = establishment_frame(CORRECTED, PERIOD, seed=SEED + 1)
    vacancy, permanent = corrected["vacancy_fte"].sum(), corrected["permanent_fte"].sum()
    (essex,) = [
        r for r in rows if r["indicator"] == "vacancy_rate_fte" and r["old_la_code"] == CORRECTED
    ]
    assert essex["value"] == str(round_half_away(100 * vacancy / (vacancy + permanent)))


def test_no_temporary_folders_are_left_behind(settings, first_publication):
    publish_members_benchmark(settings, PERIOD)
    root = settings.published_dir
    leftovers = [p for p in root.rglob("*") if p.name.startswith(".") or p.suffix == ".retired"]
    assert leftovers == []
    assert [p.name for p in (root / "members_benchmark").iterdir()] == [PERIOD]


def test_the_extracts_redo_the_rate_arithmetic_of_the_dbt_macros(settings):
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        council = con.execute("SELECT * FROM marts.fct_vacancies_council_months").df()
    finally:
        con.close()
    counts = {i.name: i.source for i in BY_NAME.values() if i.kind == "count"}
    checked = 0
    for _, row in council.iterrows():
        figures = {name: row[source] for name, source in counts.items()}
        for rate in RATES:
            if rate.name == "turnover_rate_fte":
                continue  # gated on a complete window: the marts hold 2 months here
            value, flag = rate_value(rate, figures)
            if flag is None:
                assert value == pytest.approx(row[rate.source], rel=1e-12), rate.name
                checked += 1
    assert checked > 0


def test_publish_month_publishes_packs_and_partner_extracts(settings):
    publications = publish_month(settings, PERIOD)
    root = settings.published_dir
    assert {p.kind for p in publications} >= {
        "members_benchmark",
        "council_packs",
        "partner_extract",
    }
    dfe = root / "outbox" / "dfe" / PERIOD / f"{partner_file_stem(PERIOD)}.csv"
    rows = _rows(dfe.read_bytes())
    (region,) = [r for r in rows if r["geographic_level"] == "Regional"]
    assert region["time_period"] == PERIOD[:4] and region["time_identifier"] == "March"
    assert region["turnover_rate_fte"] == "x", "two months of returns: no 12-month leavers"
    (thurrock,) = [r for r in rows if r["old_la_code"] == MISSING]
    assert {thurrock[i.name] for i in PARTNER_INDICATORS} == {"x"}
    assert {r["councils_missing_from_regional_figure_count"] for r in rows} == {"1"}
    dictionary = _rows(
        dfe.with_name(f"{partner_file_stem(PERIOD)}.data_dictionary.csv").read_bytes()
    )
    (footnote,) = [
        d["description"] for d in dictionary if d["col_name"] == "councils_in_regional_figure"
    ]
    assert "No return from Thurrock" in footnote
    assert region["councils_in_regional_figure"] == str(len(load_members()) - 1)
    benchmark = _rows(
        (root / "members_benchmark" / PERIOD / f"members_benchmark_{PERIOD}.csv").read_bytes()
    )
    window = [r for r in benchmark if r["indicator"] == "vacancy_rate_fte_12_months"]
    assert {r["value"] for r in window} == {"x"}, "no council has 12 months of returns"


def test_packs_from_the_marts_have_agency_and_pay_sections_and_charts(settings):
    """The packs from a real dbt build: an agency and a pay section beside the workforce,
    a chart each, roles by name, and the same bytes when published again."""
    (packs,) = [p for p in publish_month(settings, PERIOD) if p.kind == "council_packs"]
    first = {path.name: path.read_bytes() for path in packs.files}
    (again,) = [p for p in publish_month(settings, PERIOD) if p.kind == "council_packs"]
    assert {path.name: path.read_bytes() for path in again.files} == first
    roles = {row["role_name"] for row in seed_rows("regional_roles")}
    for name, content in first.items():
        if not name.endswith(".xlsx"):
            continue
        sheet = load_workbook(io.BytesIO(content))[workbooks.PACK_SHEET]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        assert [r[0] for r in rows if r[0] in workbooks.PACK_SECTIONS.values()] == list(
            workbooks.PACK_SECTIONS.values()
        ), name
        assert len(sheet._charts) == 3, name
        assignments = [r for r in rows if r[1] == "agency_assignments"]
        missing = name.startswith(members_by_code()[MISSING].council_slug)
        assert len(assignments) == 2 and (assignments[0][-1] == "x") == missing, name
        pay_roles = {r[3] for r in rows if r[1] == "salary_midpoint"}
        assert pay_roles and pay_roles <= roles, name
