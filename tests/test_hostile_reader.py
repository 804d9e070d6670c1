"""Hostile and awkward files (issue 13): each one ends in the ledger with a status and a message
an officer can act on, the normal files of the same batch are loaded, and nothing hangs or takes
the batch down. Every hostile file is built here, in the test; every test runs under an alarm.

One batch holds one of each case (GX costs seconds a batch), with limits set low through the
settings so the files stay small: 500 rows, 2 MB a file, 20 MB unzipped, 20,000 XML elements.
"""

from __future__ import annotations

import io
import os
import random
import signal
import string
import subprocess
import sys
import textwrap
import types
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from warehouse_helpers import ledger_rows

from common.settings import load_settings
from ingest import pipeline, warehouse
from samples.census import census_file_name, census_xml_bytes
from samples.establishment import establishment_frame
from samples.return_files import return_filename, write_return

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PERIOD = "2025-03"
SEED = 11
TEST_SECONDS = 240
LOW_LIMITS = {
    "MOC_MAX_ROWS": "500",
    "MOC_MAX_FILE_MB": "2",
    "MOC_MAX_UNZIPPED_MB": "20",
    "MOC_MAX_XML_ELEMENTS": "20000",
}


@pytest.fixture(autouse=True)
def no_hang():
    """Each test fails, rather than hangs, after TEST_SECONDS (no pytest-timeout in the lock)."""

    def expire(*_args):
        raise TimeoutError(f"test ran over {TEST_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _settings(root: Path, **env: str):
    return load_settings({"MOC_DATA_DIR": str(root / "data"), **env})


def _drop(bucket: Path, relative: str, data: bytes) -> Path:
    path = bucket / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _frame(code: str) -> pd.DataFrame:
    return establishment_frame(code, PERIOD, seed=SEED)


def _csv_return(bucket: Path, code: str, slug: str) -> Path:
    path = bucket / slug / return_filename(slug, PERIOD, "csv")
    return write_return(_frame(code), path, "csv")


def _workbook_bytes(code: str, tmp: Path, edit=None) -> bytes:
    """An establishment return as a real workbook; ``edit(sheet)`` adds the hostile part."""
    path = write_return(_frame(code), tmp / f"{code}.xlsx", "xlsx")
    if edit is not None:
        book = openpyxl.load_workbook(path)
        edit(book.worksheets[0])
        book.save(path)
    return path.read_bytes()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more part in its zip (a zip bomb's padding)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _nested_census(depth: int) -> bytes:
    census = census_xml_bytes("883", 2024, 2024)
    nest = b"<Note>" * depth + b"x" + b"</Note>" * depth
    return census.replace(b"</Message>", nest + b"</Message>")


def _many_elements_census(count: int) -> bytes:
    census = census_xml_bytes("822", 2024, 2024)
    return census.replace(b"</Message>", b"<Note/>" * count + b"</Message>")


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    settings = _settings(root, **LOW_LIMITS)
    bucket = Path(settings.bucket_url)
    outside = root / "outside"  # not in the bucket
    outside.mkdir()
    files: dict[str, str] = {}

    def put(key: str, relative: str, data: bytes) -> None:
        _drop(bucket, relative, data)
        files[key] = relative

    files["normal_csv"] = _csv_return(bucket, "821", "luton").relative_to(bucket).as_posix()
    put("normal_xlsx", "bedford/bedford_2025-03_return.xlsx", _workbook_bytes("822", root))

    def stray(sheet):
        sheet["XFD1048576"] = " "

    put("stray_cell", "essex/essex_2025-03_return.xlsx", _workbook_bytes("881", root, stray))
    bomb = _with_part(_workbook_bytes("919", root), "xl/media/padding.bin", b"\0" * 40 * 2**20)
    put("zip_bomb", "hertfordshire/hertfordshire_2025-03_return.xlsx", bomb)

    letters = "".join(random.Random(1).choices(string.ascii_letters, k=300_000))
    shared = (
        f'<sst xmlns="{SPREADSHEET_NS}" count="1" uniqueCount="1"><si><t>{letters}</t></si></sst>'
    )
    put(
        "huge_shared_string",
        "cambridgeshire/cambridgeshire_2025-03_return.xlsx",
        _with_part(_workbook_bytes("873", root), "xl/sharedStrings.xml", shared.encode()),
    )
    lines = _csv_return(root / "scratch", "926", "norfolk").read_text().splitlines()
    many = "\n".join([lines[0], *(lines[1:] * (1200 // (len(lines) - 1) + 1))]) + "\n"
    put("too_many_rows", "norfolk/norfolk_2025-03_establishment.csv", many.encode())
    long_cell = lines[0] + "\n" + lines[1].replace(",", "," + "y" * 200_000 + ",", 1) + "\n"
    put("huge_cell", "suffolk/suffolk_2025-03_establishment.csv", long_cell.encode())
    put("too_large", "peterborough/peterborough_2025-02_establishment.csv", b"a,b\n" * 800_000)
    put("deep_xml", f"thurrock/{census_file_name('thurrock', 2024)}", _nested_census(5000))
    put(
        "many_elements",
        f"bedford/{census_file_name('bedford', 2024)}",
        _many_elements_census(30_000),
    )
    utf16 = _csv_return(root / "scratch", "823", "central-bedfordshire").read_text()
    put(
        "utf16_csv",
        "central-bedfordshire/central-bedfordshire_2025-03_establishment.csv",
        utf16.replace(",", "\t").encode("utf-16"),
    )

    fifo = bucket / "peterborough" / "peterborough_2025-03_establishment.csv"
    os.mkfifo(fifo)
    files["fifo"] = fifo.relative_to(bucket).as_posix()
    secret = _csv_return(outside, "882", "southend-on-sea")
    link = bucket / "southend-on-sea" / secret.name
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    files["file_link"] = link.relative_to(bucket).as_posix()
    _csv_return(outside / "elsewhere", "883", "thurrock")
    (bucket / "thurrock" / "2025").symlink_to(outside / "elsewhere", target_is_directory=True)
    files["folder_link"] = "thurrock/2025"

    summary = pipeline.ingest_new_files(settings)
    return {"settings": settings, "files": files, "summary": summary, "outside": outside}


def _entry(batch, key: str) -> pd.Series:
    return ledger_rows(batch["settings"]).loc[batch["files"][key]]


def _assert_rejected(batch, key: str, *words: str) -> None:
    entry = _entry(batch, key)
    assert entry["status"] == "rejected", (key, entry["message"])
    for word in words:
        assert word in entry["message"], (key, word, entry["message"])
    assert "our side" not in entry["message"]


def test_the_normal_files_of_the_batch_are_loaded(hostile_batch):
    for key in ("normal_csv", "normal_xlsx"):
        assert _entry(hostile_batch, key)["status"] == "accepted", key
    assert hostile_batch["summary"].failed == []
    every = set(ledger_rows(hostile_batch["settings"])["relative_path"])
    assert set(hostile_batch["files"].values()) == every, "every file has one ledger row"
    assert hostile_batch["outside"].joinpath("southend-on-sea").is_dir(), "left alone"


def test_a_stray_cell_in_xfd1048576_is_rejected_before_calamine_reads_it(hostile_batch):
    _assert_rejected(hostile_batch, "stray_cell", "XFD1048576", "delete the rows and columns")


def test_a_zip_bomb_is_rejected_from_its_central_directory(hostile_batch):
    _assert_rejected(hostile_batch, "zip_bomb", "unpacks to", "padding.bin", "20 MB")


def test_a_huge_shared_string_is_rejected_while_streaming(hostile_batch):
    _assert_rejected(hostile_batch, "huge_shared_string", "32,767 characters", "shorten")


def test_a_csv_over_the_row_limit_is_rejected(hostile_batch):
    _assert_rejected(hostile_batch, "too_many_rows", "at most 500 rows")


def test_a_csv_cell_over_the_cell_limit_is_rejected(hostile_batch):
    _assert_rejected(hostile_batch, "huge_cell", "more than 32,767 characters", "quote mark")


def test_a_file_over_the_size_limit_is_rejected_with_its_hash(hostile_batch):
    _assert_rejected(hostile_batch, "too_large", "3 MB", "up to 2 MB")
    entry = _entry(hostile_batch, "too_large")
    assert len(entry["sha256"]) == 64


def test_a_named_pipe_is_never_opened(hostile_batch):
    _assert_rejected(hostile_batch, "fifo", "named pipe", "ordinary files")


def test_a_link_to_a_file_outside_the_bucket_is_not_followed(hostile_batch):
    _assert_rejected(hostile_batch, "file_link", "link", "never follow links")
    assert _entry(hostile_batch, "file_link")["sha256"] == "", "its target was never read"


def test_a_linked_folder_is_not_followed(hostile_batch):
    _assert_rejected(hostile_batch, "folder_link", "link (shortcut) to a folder")
    assert not any(
        "elsewhere" in p for p in ledger_rows(hostile_batch["settings"])["relative_path"]
    )


def test_a_utf16_csv_is_accepted(hostile_batch):
    entry = _entry(hostile_batch, "utf16_csv")
    assert entry["status"] == "accepted", entry["message"]
    assert entry["rows_loaded"] == len(_frame("823"))


def test_xml_nested_5000_deep_is_rejected(hostile_batch):
    _assert_rejected(hostile_batch, "deep_xml", "more than 64 deep", "export the census XML")


def test_xml_with_too_many_elements_is_rejected(hostile_batch):
    _assert_rejected(hostile_batch, "many_elements", "more than 20,000 XML elements")


def test_feedback_lists_the_first_problems_of_a_rule_then_a_count():
    from ingest.limits import bounded_problems
    from ingest.validate import Problem

    problems = [Problem("error", "EST-01", "s", n, "c", "v", "m", "f") for n in range(250)]
    problems.append(Problem("warning", "EST-W1", "s", 1, "c", "v", "m", "f"))
    shown = bounded_problems(problems, 100)
    assert len(shown) == 102
    assert shown[-1].rule == "EST-01" and "150 more" in shown[-1].message


# --- the child process: a native abort or a runaway file fails that file alone -------------------


def test_a_reader_that_dies_or_runs_out_of_memory_fails_only_its_file(tmp_path):
    # Limits high enough that calamine really tries the XFD1048576 workbook: the child's
    # address space limit stops it, the file is rejected, and the batch goes on.
    settings = _settings(
        tmp_path, MOC_MAX_ROWS="2000000", MOC_MAX_COLUMNS="20000", MOC_READER_MEMORY_MB="900"
    )
    bucket = Path(settings.bucket_url)

    def stray(sheet):
        sheet["XFD1048576"] = " "

    bad = _drop(bucket, "essex/essex_2025-03_return.xlsx", _workbook_bytes("881", tmp_path, stray))
    good = _csv_return(bucket, "821", "luton")
    pipeline.ingest_new_files(settings)
    entries = ledger_rows(settings)
    bad_entry = entries.loc[bad.relative_to(bucket).as_posix()]
    assert bad_entry["status"] == "rejected"
    assert "900 MB of memory" in bad_entry["message"], bad_entry["message"]
    assert entries.loc[good.relative_to(bucket).as_posix(), "status"] == "accepted"


def test_the_reader_starts_whatever_main_module_the_process_has(tmp_path, monkeypatch):
    """A 'spawn' child re-runs the parent's __main__ from its file: a __main__ that fails when
    run (a test worker after the dashboard's tests, the Streamlit app) killed every reader
    child, and every file was rejected as too big. The reader starts without it."""
    script = tmp_path / "not_a_reader.py"
    script.write_text("raise SystemExit('a __main__ the reader must not run')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    settings = _settings(tmp_path)
    bucket = Path(settings.bucket_url)
    good = _csv_return(bucket, "821", "luton")
    pipeline.ingest_new_files(settings)
    assert ledger_rows(settings).loc[good.relative_to(bucket).as_posix(), "status"] == "accepted"


def test_a_reader_that_runs_too_long_is_stopped(tmp_path):
    settings = _settings(tmp_path, MOC_READER_TIMEOUT="0.2")  # less than the child's start-up
    bucket = Path(settings.bucket_url)
    slow = _csv_return(bucket, "821", "luton")
    pipeline.ingest_new_files(settings)
    entry = ledger_rows(settings).loc[slow.relative_to(bucket).as_posix()]
    assert entry["status"] == "rejected"
    assert "took longer than 0.2 seconds" in entry["message"]


def test_a_bug_on_our_side_keeps_the_hash_is_retried_and_is_not_the_council_s_fault(
    tmp_path, monkeypatch
):
    settings = _settings(tmp_path)
    bucket = Path(settings.bucket_url)
    victim = _csv_return(bucket, "821", "luton")
    other = _csv_return(bucket, "822", "bedford")
    from ingest import parse_worker

    real = parse_worker.ParseWorker.read

    def buggy(self, job):
        if job.file_name == victim.name:
            raise parse_worker.ReaderBug("simulated bug")
        return real(self, job)

    monkeypatch.setattr(parse_worker.ParseWorker, "read", buggy)
    first = pipeline.ingest_new_files(settings)
    assert [e.relative_path for e in first.failed] == [victim.relative_to(bucket).as_posix()]
    entries = ledger_rows(settings)
    failed = entries.loc[victim.relative_to(bucket).as_posix()]
    assert failed["status"] == "failed" and len(failed["sha256"]) == 64
    assert "problem on our side" in failed["message"]
    assert entries.loc[other.relative_to(bucket).as_posix(), "status"] == "accepted"

    monkeypatch.setattr(parse_worker.ParseWorker, "read", real)  # the bug is fixed
    second = pipeline.ingest_new_files(settings)
    assert [(e.relative_path, e.status) for e in second.entries] == [
        (victim.relative_to(bucket).as_posix(), "accepted")
    ]
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        versions = con.execute(
            "select status, version from ledger.files where file_name = ? order by ledger_id",
            [victim.name],
        ).fetchall()
    finally:
        con.close()
    assert versions == [("failed", None), ("accepted", 1)], "a failure is not a version"


# --- peak memory of a whole batch, measured on a subprocess -------------------------------------

PEAK_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from common.settings import load_settings
    from ingest.pipeline import ingest_new_files

    summary = ingest_new_files(load_settings({"MOC_DATA_DIR": sys.argv[1]}))
    print(sorted((str(e.status), e.relative_path) for e in summary.entries))
    # KiB: this process, and the largest of its reader children (reaped, so counted).
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    readers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"PEAK {own} {readers}")
    """
)


def test_peak_memory_of_a_hostile_batch_stays_under_the_bound(tmp_path):
    """Default limits (1 GB a reader), a hostile batch of the kinds above at full size: the
    largest resident set of the ingest process and of its reader children stays under 1 GB."""
    data = tmp_path / "data"
    bucket = data / "bucket"

    def stray(sheet):
        sheet["XFD1048576"] = " "

    _drop(bucket, "essex/essex_2025-03_return.xlsx", _workbook_bytes("881", tmp_path, stray))
    bomb = _with_part(_workbook_bytes("919", tmp_path), "xl/media/p.bin", b"\0" * 300 * 2**20)
    _drop(bucket, "hertfordshire/hertfordshire_2025-03_return.xlsx", bomb)
    _drop(bucket, "norfolk/norfolk_2025-03_establishment.csv", b"a,b\n" * 12_000_000)
    _drop(bucket, f"thurrock/{census_file_name('thurrock', 2024)}", _nested_census(5000))
    _csv_return(bucket, "821", "luton")
    run = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(data)],
        capture_output=True,
        text=True,
        timeout=TEST_SECONDS - 20,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    own, readers = (int(n) for n in run.stdout.split("PEAK ")[1].split())
    peak_kib = max(own, readers)
    print(f"peak RSS: ingest {own / 1024:.0f} MiB, largest reader {readers / 1024:.0f} MiB")
    assert "('accepted', 'luton/" in run.stdout
    assert run.stdout.count("'rejected'") == 4, run.stdout
    assert peak_kib < 1024 * 1024, f"{peak_kib / 1024:.0f} MiB"
