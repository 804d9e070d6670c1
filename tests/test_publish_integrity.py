"""Publishing a month: every file byte-identical on a re-run (CSV, Excel, Parquet, manifests),
manifests that match the files, atomic folders with no debris, one outbox per partner.

Marts are synthetic (support.sample_marts) in a real DuckDB warehouse, so the whole of
publish_month runs without an ingest or a dbt build.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import duckdb
import pytest
from support.sample_marts import sample_frames, write_warehouse

from common.members import members_on
from common.periods import period_end
from common.settings import load_settings
from publish.extracts import register
from publish.publish_month import partner_file_stem, publish_month

PERIOD = "2025-03"
MISSING = "883"
PARTNERS = (
    register.Partner("dfe", "Department for Education", "dfe", "partner"),
    register.Partner("near", "A neighbouring region", "near-region", "partner"),
    register.Partner("board", "Programme board", "board", "members"),
)
SIGNED = ("822", "873", "881", "919", "926")


def _agreements():
    everyone = [m.council_code for m in members_on(period_end(PERIOD))]
    rows = [register.Agreement(c, "dfe", dt.date(2024, 1, 1), None) for c in everyone]
    rows += [register.Agreement(c, "near", dt.date(2024, 1, 1), None) for c in SIGNED]
    rows.append(register.Agreement("821", "near", dt.date(2024, 1, 1), dt.date(2025, 3, 1)))
    rows += [register.Agreement(c, "board", dt.date(2024, 1, 1), None) for c in everyone]
    return tuple(rows)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("integrity") / "data"
    data_dir.mkdir(parents=True)
    settings = load_settings({"MOC_DATA_DIR": str(data_dir)})
    members = members_on(period_end(PERIOD))
    frames = sample_frames(PERIOD, members, members_on, seed=11, missing=[(MISSING, PERIOD)])
    write_warehouse(settings.warehouse_path, frames)
    return settings


def _publish(settings):
    return publish_month(settings, PERIOD, 5, PARTNERS, _agreements())


def _contents(settings) -> dict[str, bytes]:
    root = settings.published_dir
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def first(settings):
    publications = _publish(settings)
    return publications, _contents(settings)


def test_everything_for_the_month_is_published(first):
    publications, contents = first
    kinds = [(p.kind, p.folder.parent.name) for p in publications]
    assert kinds == [
        ("members_benchmark", "members_benchmark"),
        ("council_packs", "council_packs"),
        ("partner_extract", "dfe"),
        ("partner_extract", "near-region"),
        ("members_extract", "board"),
    ]
    stem = partner_file_stem(PERIOD)
    for outbox in ("dfe", "near-region"):
        folder = f"outbox/{outbox}/{PERIOD}"
        assert {n for n in contents if n.startswith(folder)} == {
            f"{folder}/{stem}{suffix}"
            for suffix in (".csv", ".meta.csv", ".data_dictionary.csv", ".parquet")
        } | {f"{folder}/manifest.json"}
    packs = [n for n in contents if n.startswith("council_packs/") and n.endswith(".xlsx")]
    assert len(packs) == len(members_on(period_end(PERIOD)))


def test_publishing_again_gives_the_same_bytes_for_every_file(settings, first):
    _, contents = first
    _publish(settings)
    again = _contents(settings)
    assert sorted(again) == sorted(contents)
    different = [name for name in contents if again[name] != contents[name]]
    assert different == []


def test_every_manifest_matches_its_files(first):
    publications, contents = first
    for publication in publications:
        manifest = json.loads(publication.folder.joinpath("manifest.json").read_bytes())
        assert manifest["period"] == PERIOD and manifest["publication"] == publication.kind
        assert "pipeline_version" in manifest and "inputs" in manifest
        on_disk = {p.name for p in publication.folder.iterdir()} - {"manifest.json"}
        assert {f["name"] for f in manifest["files"]} == on_disk
        for entry in manifest["files"]:
            content = (publication.folder / entry["name"]).read_bytes()
            assert entry["sha256"] == hashlib.sha256(content).hexdigest()
            assert entry["bytes"] == len(content)
            if entry["name"].endswith(".csv"):
                assert entry["rows"] == content.count(b"\n") - 1


def test_a_partner_manifest_names_the_councils_left_out_and_only_counts_reasons(first):
    publications, _ = first
    (near,) = [p for p in publications if p.folder.parent.name == "near-region"]
    manifest = json.loads((near.folder / "manifest.json").read_bytes())
    everyone = {m.council_code for m in members_on(period_end(PERIOD))}
    left_out = {c["council_code"] for c in manifest["councils_left_out"]}
    assert left_out == everyone - set(SIGNED), "an agreement ended before the month end is out"
    assert set(manifest["suppression"]) == {"primary", "secondary", "derived"}
    assert manifest["disclosure_threshold"] == 5
    with open(near.folder / f"{partner_file_stem(PERIOD)}.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["old_la_code"] for r in rows if r["old_la_code"]} == set(SIGNED)


def test_the_parquet_copy_holds_the_csv(first):
    publications, _ = first
    folder = publications[2].folder
    stem = partner_file_stem(PERIOD)
    with open(folder / f"{stem}.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    con = duckdb.connect()
    try:
        relation = con.execute(f"SELECT * FROM '{folder / stem}.parquet'")
        header = [d[0] for d in relation.description]
        parquet = [list(r) for r in relation.fetchall()]
    finally:
        con.close()
    assert [header, *parquet] == rows


def test_the_members_outbox_holds_the_benchmark_of_the_signed_councils(first):
    publications, contents = first
    benchmark = contents[f"members_benchmark/{PERIOD}/members_benchmark_{PERIOD}.csv"]
    board = contents[f"outbox/board/{PERIOD}/members_benchmark_{PERIOD}.csv"]
    assert board == benchmark  # every council has signed with the board


def test_no_temporary_folders_are_left_behind(settings, first):
    leftovers = [
        p
        for p in settings.published_dir.rglob("*")
        if p.name.startswith(".") or "retired" in p.name
    ]
    assert leftovers == []


def test_a_failed_publication_leaves_the_previous_one_in_place(settings, first, monkeypatch):
    _, contents = first
    from common import atomic

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(atomic, "swap_into_place", broken)
    with pytest.raises(RuntimeError):
        _publish(settings)
    assert _contents(settings) == contents
    assert not [p for p in Path(settings.published_dir).rglob(".*")]


def test_members_benchmark_keeps_the_columns_the_e2e_test_reads(first):
    _, contents = first
    text = contents[f"members_benchmark/{PERIOD}/members_benchmark_{PERIOD}.csv"].decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    needed = {"time_period", "geographic_level", "old_la_code", "indicator", "value"}
    assert needed | {"councils_in_regional_figure"} <= set(rows[0])
    for indicator in ("vacancy_rate_fte", "agency_rate_fte"):
        regional = [
            r for r in rows if r["indicator"] == indicator and r["geographic_level"] == "Regional"
        ]
        assert len(regional) == 1
        assert regional[0]["councils_in_regional_figure"] == "10"
