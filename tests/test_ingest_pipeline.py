"""ingest_new_files on a real bucket folder, with the committed GX suites and a real DuckDB.

GX costs seconds per run, so each test drives a whole batch (or a short series of batches)
and checks everything that batch should show.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from warehouse_helpers import ledger_rows

from ingest import pipeline, warehouse
from samples.census import census_xml_bytes
from samples.establishment import establishment_frame
from samples.faults import UNMAPPED_GRADE, write_demo_bad_file
from samples.return_files import return_filename, write_return
from samples.returns import return_frames

PERIOD = "2025-03"
SEED = 11
BASE_TIME = 1_743_500_000  # 2025-04-01, so arrival order is set by the test, not the clock
IN_PROGRESS = ("~$luton_2025-03_return.xlsx", "luton_2025-03_establishment.csv.part")


def _bucket(settings) -> Path:
    return Path(settings.bucket_url)


def _landed(path: Path, minutes: int) -> Path:
    """Give a dropped file a known arrival time (its mtime)."""
    stamp = BASE_TIME + 60 * minutes
    os.utime(path, (stamp, stamp))
    return path


def _drop(bucket: Path, relative: str, data: bytes, minutes: int) -> Path:
    path = bucket / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return _landed(path, minutes)


def _establishment_return(bucket: Path, code: str, slug: str, fmt: str) -> Path:
    frame = establishment_frame(code, PERIOD, seed=SEED)
    return write_return(frame, bucket / slug / return_filename(slug, PERIOD, fmt), fmt)


def _query(settings, sql: str) -> pd.DataFrame:
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _bucket_files(bucket: Path) -> set[str]:
    """Every file a council dropped: not feedback, not an upload still in progress."""
    return {
        p.relative_to(bucket).as_posix()
        for p in bucket.rglob("*")
        if p.is_file() and "feedback" not in p.relative_to(bucket).parts[:-1]
        if p.name not in IN_PROGRESS
    }


def _problems(feedback_csv: Path) -> list[dict[str, str]]:
    lines = feedback_csv.read_text(encoding="utf-8-sig").splitlines()
    start = lines.index("") + 1
    return list(csv.DictReader(lines[start:]))


@pytest.fixture
def mixed_batch(data_settings, monkeypatch):
    """One batch with clean CSV and Excel returns, a copy, unfinished uploads and bad files."""
    bucket = _bucket(data_settings)
    luton_csv = _landed(_establishment_return(bucket, "821", "luton", "csv"), 0)
    bedford_xlsx = _landed(_establishment_return(bucket, "822", "bedford", "xlsx"), 1)
    copy = bucket / "luton" / "luton_2025-03_establishment (copy).csv"
    shutil.copy(luton_csv, copy)
    _landed(copy, 2)
    for name in IN_PROGRESS:
        _drop(bucket, f"luton/{name}", b"half written", 3)
    damaged = _drop(bucket, "essex/essex_2025-03_return.xlsx", b"PK\x03\x04 not really", 4)
    at_root = _drop(bucket, "suffolk_2025-03_establishment.csv", luton_csv.read_bytes()[:50], 5)
    stranger = _drop(bucket, "barnet/barnet_2025-03_establishment.csv", b"Team\n", 6)
    # A file that breaks on our side (here: identification raises an unexpected error).
    crashing = _drop(bucket, "norfolk/norfolk_2025-03_return.xlsx", b"irrelevant", 7)
    real_identify = pipeline.identify

    def identify(dropped, window):
        if dropped.name == crashing.name:
            raise OSError("simulated storage hiccup")
        return real_identify(dropped, window)

    monkeypatch.setattr(pipeline, "identify", identify)
    summary = pipeline.ingest_new_files(data_settings)
    return {
        "settings": data_settings,
        "bucket": bucket,
        "summary": summary,
        "luton": luton_csv,
        "bedford": bedford_xlsx,
        "copy": copy,
        "damaged": damaged,
        "at_root": at_root,
        "stranger": stranger,
        "crashing": crashing,
    }


def _rel(batch, key: str) -> str:
    return batch[key].relative_to(batch["bucket"]).as_posix()


def test_mixed_batch_statuses(mixed_batch):
    entries = ledger_rows(mixed_batch["settings"])
    status = entries["status"].to_dict()
    assert status[_rel(mixed_batch, "luton")] == "accepted"
    assert status[_rel(mixed_batch, "bedford")] == "accepted"
    assert status[_rel(mixed_batch, "copy")] == "duplicate"
    for key in ("damaged", "at_root", "stranger"):
        assert status[_rel(mixed_batch, key)] == "rejected", key
    # Our bug, not the council's: failed (read again next run), never "rejected".
    assert status[_rel(mixed_batch, "crashing")] == "failed"

    luton = entries.loc[_rel(mixed_batch, "luton")]
    assert (luton["council_code"], luton["period"], luton["version"]) == ("821", PERIOD, 1)
    assert luton["return_type"] == "establishment"
    bedford = entries.loc[_rel(mixed_batch, "bedford")]
    assert (bedford["council_code"], bedford["return_type"]) == ("822", "workbook")

    copy = entries.loc[_rel(mixed_batch, "copy")]
    assert _rel(mixed_batch, "luton") in copy["message"]
    assert copy["sha256"] == luton["sha256"] and pd.isna(copy["version"])
    assert "password-protected, damaged" in entries.loc[_rel(mixed_batch, "damaged"), "message"]
    assert "top of the bucket" in entries.loc[_rel(mixed_batch, "at_root"), "message"]
    assert "not a member council" in entries.loc[_rel(mixed_batch, "stranger"), "message"]
    assert "problem on our side" in entries.loc[_rel(mixed_batch, "crashing"), "message"]

    summary = mixed_batch["summary"]
    assert summary.count("accepted") == 2 and summary.count("duplicate") == 1
    assert [e.relative_path for e in summary.failed] == [_rel(mixed_batch, "crashing")]
    assert summary.changed_tables == {"establishment"}


def test_accepted_rows_are_loaded_into_raw(mixed_batch):
    settings = mixed_batch["settings"]
    entries = ledger_rows(settings)
    loaded = _query(
        settings,
        "select council_code, file_sha256, count(*) as n, sum(permanent_fte) as permanent, "
        "min(source_row_number) as first_row, max(source_row_number) as last_row, "
        "count(distinct period) as periods "
        "from raw.establishment group by all order by council_code",
    ).set_index("council_code")
    assert list(loaded.index) == ["821", "822"], "only accepted files are loaded, each once"
    for code, key in (("821", "luton"), ("822", "bedford")):
        frame = establishment_frame(code, PERIOD, seed=SEED)
        row = loaded.loc[code]
        entry = entries.loc[_rel(mixed_batch, key)]
        assert row["n"] == len(frame) == entry["rows_loaded"]
        assert row["file_sha256"] == entry["sha256"]
        assert row["permanent"] == pytest.approx(frame["permanent_fte"].sum())
        # Row numbers as the officer sees them: header on row 1, data from row 2.
        assert (row["first_row"], row["last_row"]) == (2, len(frame) + 1)
        assert row["periods"] == 1


def test_unfinished_uploads_are_ignored_and_every_other_file_is_in_the_ledger_once(mixed_batch):
    entries = ledger_rows(mixed_batch["settings"])
    assert not entries["file_name"].isin(IN_PROGRESS).any()
    assert entries["relative_path"].is_unique
    assert set(entries["relative_path"]) == _bucket_files(mixed_batch["bucket"])


def test_feedback_is_written_for_every_processed_file(mixed_batch):
    bucket = mixed_batch["bucket"]
    entries = ledger_rows(mixed_batch["settings"])
    for relative, entry in entries.iterrows():
        folder = relative.split("/")[0] if "/" in relative else "_unassigned"
        base = bucket / folder / "feedback" / f"{entry['file_name']}.feedback"
        html = Path(f"{base}.html")
        assert html.is_file() and Path(f"{base}.csv").is_file(), relative
        assert entry["feedback_path"] == html.as_posix()
        assert entry["file_name"] in html.read_text(encoding="utf-8")
    for name in IN_PROGRESS:
        assert not (bucket / "luton" / "feedback" / f"{name}.feedback.html").exists()


def test_raw_bytes_are_archived_by_sha256(mixed_batch):
    settings = mixed_batch["settings"]
    bucket = mixed_batch["bucket"]
    archive = settings.data_dir / "archive"
    assert settings.archive_url == str(archive)
    entries = ledger_rows(settings)
    hashed = entries[entries["sha256"] != ""]
    assert len(hashed) == len(entries), "even the file that broke on our side keeps its hash"
    for relative, entry in hashed.iterrows():
        data = (bucket / relative).read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        assert entry["sha256"] == sha256
        stored = archive / sha256[:2] / f"{sha256}{Path(relative).suffix.lower()}"
        assert stored.read_bytes() == data, relative
    assert not list(archive.rglob("*.writing"))


def test_rerun_finds_nothing_new_but_retries_what_failed_on_our_side(mixed_batch):
    settings = mixed_batch["settings"]
    before = ledger_rows(settings)
    rows_before = _query(settings, "select count(*) as n from raw.establishment")["n"].item()
    summary = pipeline.ingest_new_files(settings)
    crashing = _rel(mixed_batch, "crashing")
    assert [e.relative_path for e in summary.entries] == [crashing]  # still failing: again
    assert summary.changed_tables == set()
    after = _query(settings, "select * from ledger.files order by ledger_id")
    assert len(after) == len(before) + 1 and after["relative_path"].iloc[-1] == crashing
    assert after["sha256"].iloc[-1] == before.loc[crashing, "sha256"] != ""
    assert _query(settings, "select count(*) as n from raw.establishment")["n"].item() == (
        rows_before
    )


def test_versions_supersede_and_a_rejected_resubmission_keeps_the_accepted_one(data_settings):
    settings = data_settings
    bucket = _bucket(settings)
    slug = "luton"
    first = write_return(
        establishment_frame("821", PERIOD, seed=SEED),
        bucket / slug / return_filename(slug, PERIOD, "csv"),
        "csv",
    )
    _landed(first, 0)
    pipeline.ingest_new_files(settings)

    corrected = write_return(
        establishment_frame("821", PERIOD, seed=SEED + 1),
        bucket / slug / f"{slug}_{PERIOD}_establishment_corrected.csv",
        "csv",
    )
    _landed(corrected, 10)
    summary = pipeline.ingest_new_files(settings)
    assert [e.status for e in summary.entries] == ["accepted"]
    entries = ledger_rows(settings)
    first_rel, corrected_rel = f"{slug}/{first.name}", f"{slug}/{corrected.name}"
    assert entries.loc[first_rel, "status"] == "superseded"
    assert "Superseded by version 2" in entries.loc[first_rel, "message"]
    assert (entries.loc[corrected_rel, "status"], entries.loc[corrected_rel, "version"]) == (
        "accepted",
        2,
    )

    bad = _landed(write_demo_bad_file(bucket, PERIOD, seed=SEED), 20)
    summary = pipeline.ingest_new_files(settings)
    assert [e.status for e in summary.entries] == ["rejected"]
    entries = ledger_rows(settings)
    bad_rel = f"{slug}/{bad.name}"
    assert (entries.loc[bad_rel, "status"], entries.loc[bad_rel, "version"]) == ("rejected", 3)
    assert entries.loc[bad_rel, "rows_loaded"] == 0
    assert entries.loc[corrected_rel, "status"] == "accepted", "rejected v3 leaves v2 in force"
    assert entries.loc[first_rel, "status"] == "superseded"

    # Nothing of the rejected file reached raw; both accepted versions did (dbt picks the latest).
    shas = _query(settings, "select distinct file_sha256 from raw.establishment")
    assert set(shas["file_sha256"]) == set(entries.loc[[first_rel, corrected_rel], "sha256"])

    problems = _problems(bucket / slug / "feedback" / f"{bad.name}.feedback.csv")
    by_rule = {(p["rule"], p["row"]): p for p in problems}
    # frame row 0 -> Excel row 2 (grade), frame row 1 -> Excel row 3 (vacancy -2).
    assert by_rule[("EST-004", "2")]["value"] == UNMAPPED_GRADE
    assert by_rule[("EST-004", "2")]["column"] == "Local grade"
    vacancy = by_rule[("EST-R05", "3")]
    assert (vacancy["column"], vacancy["value"], vacancy["severity"]) == (
        "Vacancy FTE",
        "-2.0",
        "error",
    )
    assert all(p["how_to_fix"] for p in problems)


def test_a_file_is_superseded_only_when_every_table_it_delivered_has_a_later_version(
    data_settings,
):
    """The ledger follows dbt's rule, table by table: a corrected establishment CSV replaces
    only the establishment sheet of an earlier workbook, which stays accepted with a note; the
    workbook is superseded once each of its tables has a later version."""
    bucket = _bucket(data_settings)
    slug, code = "bedford", "822"
    tables = ("establishment", "agency_assignments", "pay_scales")
    frames = return_frames(code, PERIOD, seed=SEED, tables=tables)
    workbook = write_return(frames, bucket / slug / return_filename(slug, PERIOD, "xlsx"), "xlsx")
    _landed(workbook, 0)
    pipeline.ingest_new_files(data_settings)

    def send_csv(table: str, minutes: int) -> Path:
        corrected = return_frames(code, PERIOD, seed=SEED + 1, tables=[table])[table]
        path = bucket / slug / return_filename(slug, PERIOD, "csv", table)
        return _landed(write_return(corrected, path, "csv", table), minutes)

    establishment = send_csv("establishment", 10)
    pipeline.ingest_new_files(data_settings)
    entries = ledger_rows(data_settings)
    workbook_rel = f"{slug}/{workbook.name}"
    assert entries.loc[workbook_rel, "status"] == "accepted"
    assert (
        f"Its establishment table(s) replaced by version 1 ({establishment.name}); its other "
        "tables are still current." in entries.loc[workbook_rel, "message"]
    )

    send_csv("agency_assignments", 20)
    pay_scales = send_csv("pay_scales", 30)
    summary = pipeline.ingest_new_files(data_settings)
    assert [e.status for e in summary.entries] == ["accepted", "accepted"]
    entries = ledger_rows(data_settings)
    assert entries.loc[workbook_rel, "status"] == "superseded"
    assert entries.loc[workbook_rel, "message"].endswith(
        f"Superseded by version 1 ({pay_scales.name})."
    )
    assert set(entries.loc[entries["status"] == "accepted", "file_name"]) == {
        f"{slug}_{PERIOD}_{table}.csv" for table in tables
    }


# The plausible-period window, on a day fixed by the test: 2 April 2025 (2017-09 to 2025-05).
WINDOW_TODAY = dt.date(2025, 4, 2)
WINDOW_TEXT = "2017-09 to 2025-05"


def _with_period_column(path: Path, period: str) -> Path:
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    rows = [[*rows[0], "Period"]] + [[*row, period] for row in rows[1:]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def out_of_window_batch(data_settings):
    """One batch: good files at the window's ends, and months outside it in the file name, in
    a Period column and in a census header, as issue 12 saw them."""
    bucket = _bucket(data_settings)
    # A Period column that agrees with the name is fine.
    good = _with_period_column(_establishment_return(bucket, "821", "luton", "csv"), PERIOD)
    frame = establishment_frame("821", PERIOD, seed=SEED)
    files = {"good": good}
    for key, period in (("future", "2099-01"), ("past", "2001-02"), ("next_next", "2025-06")):
        path = bucket / "luton" / f"luton_{period}_establishment.csv"
        files[key] = write_return(frame, path, "csv")
    next_month = establishment_frame("822", "2025-05", seed=SEED)
    path = bucket / "bedford" / "bedford_2025-05_establishment.csv"
    files["next"] = write_return(next_month, path, "csv")
    # The name says 2025-03; a Period column, as some councils' exports add, says 2099-03.
    essex = write_return(frame, bucket / "essex" / "essex_2025-03_establishment.csv", "csv")
    files["column"] = _with_period_column(essex, "2099-03")
    census = census_xml_bytes("883", 2099, 2024)  # header: Year 2099, ReferenceDate 2099-09-30
    files["census"] = _drop(bucket, "thurrock/thurrock_census.xml", census, 0)
    for minutes, path in enumerate(files.values()):
        _landed(path, minutes)
    summary = pipeline.ingest_new_files(data_settings, today=WINDOW_TODAY)
    return {"settings": data_settings, "bucket": bucket, "summary": summary, **files}


def test_months_outside_the_plausible_window_are_rejected_with_the_window_named(
    out_of_window_batch,
):
    batch = out_of_window_batch
    entries = ledger_rows(batch["settings"])
    assert entries.loc[_rel(batch, "good"), "status"] == "accepted"
    assert entries.loc[_rel(batch, "next"), "status"] == "accepted"  # the month after today's
    for key, said in (
        ("future", "The file name says the return is for 2099-01"),
        ("past", "The file name says the return is for 2001-02"),
        ("next_next", "The file name says the return is for 2025-06"),
        ("census", "The census header (reference date 30/09/2099) says the return is for 2099-09"),
    ):
        entry = entries.loc[_rel(batch, key)]
        assert entry["status"] == "rejected", key
        assert said in entry["message"], key
        assert f"outside the months we accept returns for ({WINDOW_TEXT}" in entry["message"]
        assert entry["rows_loaded"] == 0
        feedback = Path(entry["feedback_path"]).with_suffix(".csv")
        assert said in feedback.read_text(encoding="utf-8-sig"), key
    column = entries.loc[_rel(batch, "column")]
    assert column["status"] == "rejected"
    assert (
        "The file name says the return is for 2025-03, but the file itself says 2099-03, "
        f"outside the months we accept ({WINDOW_TEXT})" in column["message"]
    )
    loaded = _query(batch["settings"], "SELECT DISTINCT period FROM raw.establishment ORDER BY 1")
    assert loaded["period"].tolist() == [PERIOD, "2025-05"]
