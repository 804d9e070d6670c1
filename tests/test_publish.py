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

from ingest import ledger, pipeline, warehouse
from ingest.config import load_settings
from ingest.generate import establishment_frame, generate_returns, return_filename, write_return
from ingest.members import load_members
from ingest.publish import BENCHMARK_COLUMNS, INDICATORS, publish_members_benchmark
from ingest.rounding import round_half_away
from ingest.transform import build_marts

PERIODS = ["2025-02", "2025-03"]
PERIOD = PERIODS[-1]
SEED = 5
MISSING = "883"  # Thurrock sends nothing for PERIOD
CORRECTED = "881"  # Essex sends a corrected PERIOD return in a later batch
BASE_TIME = 1_743_500_000


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
    assert set(contents) == {f"members_benchmark_{PERIOD}.csv", "manifest.json"}
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
    (described,) = manifest["files"]
    assert described["name"] == f"members_benchmark_{PERIOD}.csv"
    assert described["sha256"] == hashlib.sha256(extract).hexdigest()
    assert described["bytes"] == len(extract)
    rows = _rows(extract)
    assert described["rows"] == len(rows) == len(INDICATORS) * (1 + len(load_members()))


def test_manifest_inputs_are_the_accepted_ledger_versions_of_the_month(settings, first_publication):
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        entries = ledger.read_ledger(con)
    finally:
        con.close()
    month = entries[entries["period"] == PERIOD]
    in_force = month[month["status"].isin(ledger.ACCEPTED_STATUSES)]
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
    councils = {i["council_code"] for i in inputs}
    assert councils == {m.council_code for m in load_members()} - {MISSING}
    corrected = [
        i for i in inputs if i["council_code"] == CORRECTED and "establishment" in i["file_name"]
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
    for _, indicator, _ in INDICATORS:
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
