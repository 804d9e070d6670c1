"""Publishing a month: every file byte-identical on a re-run (CSV, Excel, Parquet, manifests),
manifests that match the files, atomic folders with no debris, one outbox per partner.

Marts are synthetic (support.sample_marts) in a real DuckDB warehouse, so the whole of
publish_month runs without an ingest or a dbt build.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from support.published_files import csv_rows, parquet_as_text
from support.sample_marts import sample_frames, write_warehouse

from common.members import members_on
from common.periods import period_end
from common.settings import load_settings
from publish.extracts import coverage, register, time_series
from publish.extracts.indicators import PARTNER_INDICATORS
from publish.publish_month import partner_file_stem, publish_month, publish_partner, read_month

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
    stem, series = partner_file_stem(PERIOD), time_series.stem(PERIOD)
    suffixes = (".csv", ".meta.csv", ".data_dictionary.csv", ".parquet")
    for outbox in ("dfe", "near-region"):
        folder = f"outbox/{outbox}/{PERIOD}"
        assert {n for n in contents if n.startswith(folder)} == {
            f"{folder}/{name}{suffix}" for name in (stem, series) for suffix in suffixes
        } | {f"{folder}/{series}.footnotes.csv", f"{folder}/manifest.json"}
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


def test_a_partner_manifest_names_only_what_the_partner_received(first):
    """No tell either way: a council that has not signed is neither listed nor counted, and
    the manifest holds no file, hash or name of it; suppression only as counts."""
    publications, _ = first
    (near,) = [p for p in publications if p.folder.parent.name == "near-region"]
    text = (near.folder / "manifest.json").read_text()
    manifest = json.loads(text)
    assert "councils_left_out" not in manifest
    for member in members_on(period_end(PERIOD)):
        if member.council_code not in SIGNED:
            assert member.council_name not in text and member.council_slug not in text
    assert {i["council_code"] for i in manifest["inputs"]} <= set(SIGNED)
    assert set(manifest["suppression"]) == {"primary", "secondary", "derived"}
    assert manifest["disclosure_threshold"] == 5
    with open(near.folder / f"{partner_file_stem(PERIOD)}.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["old_la_code"] for r in rows if r["old_la_code"]} == set(SIGNED)


def test_the_manifest_lists_only_the_return_versions_of_the_sharing_councils(settings, tmp_path):
    """The ledger versions of a withheld council (file names, hashes) never reach a partner."""
    month = read_month(settings, PERIOD)
    everyone = [m.council_code for m in members_on(period_end(PERIOD))]
    inputs = [
        {
            "period": PERIOD,
            "council_code": code,
            "return_type": "workbook",
            "file_name": f"{code}_{PERIOD}.xlsx",
            "sha256": code * 4,
            "version": 1,
            "status": "accepted",
        }
        for code in everyone
    ]
    month = dataclasses.replace(month, inputs=inputs)
    elsewhere = dataclasses.replace(settings, published_dir=tmp_path / "published")
    for who in PARTNERS[1:]:
        publication = publish_partner(elsewhere, month, who, _agreements(), 5)
        text = (publication.folder / "manifest.json").read_text()
        listed = {i["council_code"] for i in json.loads(text)["inputs"]}
        expected = set(SIGNED) if who.partner_code == "near" else set(everyone)
        assert listed == expected
        for code in set(everyone) - expected:
            assert f"{code}_{PERIOD}" not in text and code * 4 not in text


def _frame_of(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_a_month_with_a_council_missing_is_flagged_in_every_file(first):
    """Thurrock sent no return for the month: every published file says the regional figure
    holds the other councils and names it, read back with pandas, openpyxl and pyarrow."""
    publications, _ = first
    by_folder = {p.folder.parent.name: p.folder for p in publications}
    members = members_on(period_end(PERIOD))
    late = next(m for m in members if m.council_code == MISSING)
    stem = partner_file_stem(PERIOD)

    benchmark = by_folder["members_benchmark"] / f"members_benchmark_{PERIOD}.csv"
    frame = _frame_of(benchmark)
    assert set(frame["councils_missing_from_regional_figure"]) == {late.council_name}
    inpost = frame[(frame["indicator"] == "inpost_fte")]
    assert set(inpost["councils_in_regional_figure"]) == {str(len(members) - 1)}
    assert set(inpost["regional_figure_covers"]) == {"MoC members"}

    book = load_workbook(by_folder["members_benchmark"] / f"members_benchmark_{PERIOD}.xlsx")
    sheet = book["Vacancies"]
    header = [c.value for c in sheet[1]]
    column = header.index("Councils missing from regional figure")
    assert {row[column].value for row in sheet.iter_rows(min_row=2)} == {late.council_name}
    about = " ".join(str(c.value) for row in book["About"].iter_rows() for c in row if c.value)
    assert f"No return from {late.council_name}" in about

    for pack in sorted(by_folder["council_packs"].glob("*.xlsx")):
        sheet = load_workbook(pack)["You against the region"]
        (missing,) = [r for r in sheet.iter_rows(min_row=2) if r[1].value == coverage.MISSING]
        assert missing[-1].value == late.council_name, pack.name

    dfe = by_folder["dfe"]
    table = _frame_of(dfe / f"{stem}.csv")
    assert set(table["councils_missing_from_regional_figure_count"]) == {"1"}
    assert set(table["councils_in_regional_figure"]) == {str(len(members) - 1)}
    parquet = pq.read_table(dfe / f"{stem}.parquet")
    counted = parquet.column("councils_missing_from_regional_figure_count")
    assert counted.type == pa.decimal128(18, 0)
    assert [str(v) for v in counted.to_pylist()] == list(
        table["councils_missing_from_regional_figure_count"]
    )
    meta = _frame_of(dfe / f"{stem}.meta.csv").set_index("col_name")
    assert meta.loc["councils_missing_from_regional_figure_count", "col_type"] == "Indicator"
    assert meta.loc["councils_in_regional_figure", "col_type"] == "Indicator"
    dictionary = _frame_of(dfe / f"{stem}.data_dictionary.csv").set_index("col_name")
    footnote = dictionary.loc["councils_in_regional_figure"].iloc[4]
    assert f"No return from {late.council_name}" in footnote
    assert "MoC councils sharing with Department for Education" in footnote

    # the neighbouring region: five councils share, Thurrock is not one of them
    near = _frame_of(by_folder["near-region"] / f"{stem}.csv")
    assert set(near["councils_missing_from_regional_figure_count"]) == {"0"}
    assert set(near["councils_in_regional_figure"]) == {str(len(SIGNED))}
    near_dictionary = _frame_of(by_folder["near-region"] / f"{stem}.data_dictionary.csv").set_index(
        "col_name"
    )
    assert (
        "MoC councils sharing with A neighbouring region"
        in near_dictionary.loc["councils_in_regional_figure"].iloc[4]
    )


def test_the_region_of_a_partner_sums_only_the_councils_sharing_with_it(settings, first):
    publications, _ = first
    (near,) = [p for p in publications if p.folder.parent.name == "near-region"]
    table = _frame_of(near.folder / f"{partner_file_stem(PERIOD)}.csv")
    region = table[table["geographic_level"] == "Regional"].iloc[0]
    month = read_month(settings, PERIOD).frames.council_months
    month = month[(month["period"] == PERIOD) & month["council_code"].isin(SIGNED)]
    assert float(region["inpost_fte"]) == pytest.approx(month["permanent_fte"].sum(), abs=0.05)


def test_a_partner_with_too_few_councils_gets_no_regional_figure(settings, tmp_path):
    month = read_month(settings, PERIOD)
    few = register.Partner("few", "Two councils' partner", "few", "partner")
    agreements = tuple(register.Agreement(c, "few", dt.date(2024, 1, 1), None) for c in SIGNED[:2])
    elsewhere = dataclasses.replace(settings, published_dir=tmp_path / "published")
    publication = publish_partner(elsewhere, month, few, agreements, 5)
    table = _frame_of(publication.folder / f"{partner_file_stem(PERIOD)}.csv")
    region = table[table["geographic_level"] == "Regional"].iloc[0]
    assert {region[i.name] for i in PARTNER_INDICATORS} == {"x"}
    assert region["councils_in_regional_figure"] == "x"
    dictionary = _frame_of(
        publication.folder / f"{partner_file_stem(PERIOD)}.data_dictionary.csv"
    ).set_index("col_name")
    assert (
        "No regional figure: fewer than 3" in dictionary.loc["councils_in_regional_figure"].iloc[4]
    )
    assert set(table["old_la_code"]) - {""} == set(SIGNED[:2])


def test_a_members_partner_not_everyone_signed_for_gets_no_regional_row(settings, tmp_path):
    """Its regional figure would include the councils that have not signed: the file holds
    the sharing councils' rows, the spread over them, and says so on every row."""
    month = read_month(settings, PERIOD)
    board = register.Partner("part", "Part of the board", "part", "members")
    agreements = tuple(register.Agreement(c, "part", dt.date(2024, 1, 1), None) for c in SIGNED)
    elsewhere = dataclasses.replace(settings, published_dir=tmp_path / "published")
    publication = publish_partner(elsewhere, month, board, agreements, 5)
    table = _frame_of(publication.folder / f"members_benchmark_{PERIOD}.csv")
    assert set(table["geographic_level"]) == {"Local authority"}
    assert set(table["old_la_code"]) == set(SIGNED)
    assert set(table["regional_figure_covers"]) == {"MoC councils sharing with Part of the board"}
    assert set(table["councils_missing_from_regional_figure"]) == {"none"}
    inpost = table[table["indicator"] == "inpost_fte"]
    values = inpost["value"].astype(float)
    assert float(inpost["regional_maximum"].iloc[0]) == pytest.approx(values.max(), abs=0.05)


def test_the_parquet_copy_holds_the_csv(first):
    """Typed, the same figures: read back with pyarrow and with DuckDB, every figure and symbol
    is the CSV's text."""
    publications, _ = first
    folder = publications[2].folder
    stem = partner_file_stem(PERIOD)
    rows = csv_rows(folder / f"{stem}.csv")
    assert parquet_as_text(folder / f"{stem}.parquet") == rows
    con = duckdb.connect()
    try:
        path = folder / f"{stem}.parquet"
        relation = con.execute(f"SELECT inpost_fte, inpost_fte_symbol FROM '{path}'")
        assert [str(d[1]) for d in relation.description] == ["DECIMAL(18,1)", "VARCHAR"]
        typed = relation.fetchall()
    finally:
        con.close()
    column = rows[0].index("inpost_fte")
    assert [symbol or str(figure) for figure, symbol in typed] == [r[column] for r in rows[1:]]


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
