"""Personal data never leaves ingest in clear (DOMAIN.md): SWE numbers and assignment
references become keyed hashes and birth dates become a month, before validation. This test
sends returns and a census XML full of identifiers (and a bad workforce file whose feedback
must point at an identifier, and one whose rows are shifted by a cell, so a SWE number and a
birth date land in other columns), runs ingest, dbt and publish, and searches every output,
the warehouse and the logs for any clear identifier. What holds personal data on disk (the
archive, the warehouse, the marts snapshot, the hash secret) is the owner's only.

The same run sends a file named like a formula with formula text in its cells, exports the
ledger as CSV (``moc ledger --csv``) and takes the dashboard's CSV downloads and the chase
list, then scans every CSV and workbook the pipeline and dashboard wrote for a cell Excel
would run."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import re
import stat
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from common.atomic import write_private_file
from common.members import members_by_code
from common.settings import load_settings
from ingest import warehouse
from ingest.gx_project import exclusive_runs, gx_results_dir
from ingest.pseudonymise import hash_secret, keyed_hash, secret_file
from ingest.redaction import (
    WITHHELD_BIRTH_DATE,
    WITHHELD_PERSONAL,
    WITHHELD_SWE_NUMBER,
    scrub,
    shown,
)
from ingest.return_contract import WORKFORCE
from samples.census import census_sample, write_census
from samples.return_files import write_return
from samples.returns import generate_returns, return_frames

COUNCILS = ["821", "822"]  # Luton sends CSV files, Bedford a workbook
PERIOD = "2025-03"
SEED = 5
SECRET = "test-secret-not-for-production"
SHIFTED_FILE = "bedford_2025-04_workforce.csv"
# Bedford reports the agency rules' fields early (samples.agency): a resubmission whose first
# row's SWE registration number is malformed must be rejected naming the row, not the number.
MALFORMED_SWE_FILE = "bedford_2025-04_agency_assignments.csv"
MALFORMED_SWE_NUMBER = "SW4417X02"
# A file name and cells Excel would run as formulas; every CSV and workbook we write must not.
FORMULA_FILE = '=HYPERLINK("http:x","y")_2025-03_establishment.csv'
FORMULA_TEAM = "=1+2"
EXPORTS = "exports"  # under the data folder: the ledger export and the dashboard downloads


def _clear_identifiers() -> set[str]:
    """Every identifier and full birth date a council sends, as text it could appear as."""
    found: set[str] = set()
    for council in COUNCILS:
        frames = return_frames(council, PERIOD, seed=SEED)
        found |= set(frames["workforce"]["worker_key"].astype(str))
        found |= set(frames["agency_assignments"]["assignment_key"].astype(str))
        if "swe_registration_number" in frames["agency_assignments"]:
            found |= set(frames["agency_assignments"]["swe_registration_number"].astype(str))
        for day in frames["workforce"]["birth_month"].dropna():
            if day.day != 1:  # a birthday on the 1st is indistinguishable from its month
                found |= {day.isoformat(), day.strftime("%d/%m/%Y")}
        for worker in census_sample(council, 2024, seed=SEED).workers:
            found.add(worker["SWENo"])
            if not worker.get("PersonBirthDate", "-01").endswith("-01"):
                found.add(worker["PersonBirthDate"])
    found |= set(_agency_swe_numbers("822", "2025-04")) | {MALFORMED_SWE_NUMBER}
    return {value for value in found if value and value != "nan"}


def _agency_swe_numbers(council: str, period: str) -> list[str]:
    frame = return_frames(council, period, seed=SEED, tables=["agency_assignments"])
    return frame["agency_assignments"]["swe_registration_number"].astype(str).tolist()


def _shift_rows(path: Path) -> dict[str, list[str]]:
    """Shift the CSV's first data row right by one cell and its third left by one, as a slip
    in Excel would: the SWE number lands under 'Agency worker', a birth date under 'FTE'.
    Returns what the shifted rows held (their SWE numbers and birth dates)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    right, left = next(csv.reader([lines[1]])), next(csv.reader([lines[3]]))
    lines[1] = "," + lines[1]
    lines[3] = lines[3].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"swe_numbers": [right[0], left[0]], "birth_dates": [right[3], left[3]]}


def _write_formula_file(bucket: Path) -> None:
    frames = return_frames("821", PERIOD, seed=SEED)
    establishment = frames["establishment"].copy()
    establishment.loc[0, "team"] = FORMULA_TEAM
    write_return(establishment, bucket / "luton" / FORMULA_FILE, "csv", "establishment")


def _exports(settings) -> None:
    """What people take away besides the publications: the ledger as CSV, the dashboard's CSV
    downloads of the Returns page, the chase step's list of late councils."""
    from dashboard import queries
    from dashboard.widgets import csv_bytes
    from orchestration.agency_receipts import write_agency_rules_receipts
    from orchestration.chase import write_reminders
    from orchestration.cli import main as moc
    from transform.marts_snapshot import publish_marts_snapshot

    folder = settings.data_dir / EXPORTS
    folder.mkdir()
    publish_marts_snapshot(settings)  # what `moc build` does after dbt
    write_agency_rules_receipts(settings)  # and then, beside each agency return's receipt
    ledger_csv = io.StringIO()
    with contextlib.redirect_stdout(ledger_csv):
        assert moc(["ledger", "--csv"]) == 0
    (folder / "ledger.csv").write_text(ledger_csv.getvalue(), encoding="utf-8")
    con = queries.connect(queries.snapshot_location())
    try:
        for period in (PERIOD, "2025-04"):
            month = queries.returns_month(con, period, None)
            for name, frame in (("files", month.files), ("late", month.late)):
                (folder / f"{name}_{period}.csv").write_bytes(csv_bytes(frame))
    finally:
        con.close()
    write_reminders(settings, "2025-04", dt.date(2025, 5, 10))


@pytest.fixture(scope="module")
def pipeline_outputs(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("personal") / "data"
    bucket = data_dir / "bucket"
    generate_returns(bucket, [PERIOD], seed=SEED, councils=COUNCILS)
    for council in COUNCILS:
        slug = members_by_code()[council].council_slug
        write_census(bucket, slug, council, 2024, 2024, seed=SEED)
    # A resubmission whose workforce sheet repeats a worker: the feedback must name the row
    # without showing the SWE number.
    frames = return_frames("821", "2025-04", seed=SEED)
    repeated = frames["workforce"]
    repeated.loc[1, "worker_key"] = repeated.loc[0, "worker_key"]
    write_return(repeated, bucket / "luton" / "luton_2025-04_workforce.csv", "csv", "workforce")
    shifted = bucket / "bedford" / SHIFTED_FILE
    write_return(
        return_frames("822", "2025-04", seed=SEED)["workforce"], shifted, "csv", "workforce"
    )
    shifted_values = _shift_rows(shifted)
    agency = return_frames("822", "2025-04", seed=SEED, tables=["agency_assignments"])
    malformed = agency["agency_assignments"]
    malformed.loc[0, "swe_registration_number"] = MALFORMED_SWE_NUMBER
    write_return(malformed, bucket / "bedford" / MALFORMED_SWE_FILE, "csv", "agency_assignments")
    _write_formula_file(bucket)

    started = time.time()
    logger = logging.getLogger()
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = records.append
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    previous_umask = os.umask(0o022)  # the usual umask: files readable by all unless we say not
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MOC_DATA_DIR", str(data_dir))
            patch.setenv("MOC_HASH_SECRET", SECRET)
            from common.settings import load_settings
            from ingest.pipeline import ingest_new_files
            from publish.publish_month import publish_month
            from transform.dbt_runner import UNIT_TESTS_EXCLUDED, run_dbt

            settings = load_settings()
            summary = ingest_new_files(settings)
            dbt_output = run_dbt(settings, "build", *UNIT_TESTS_EXCLUDED, stream=False)
            publish_month(settings)
            _exports(settings)
    finally:
        os.umask(previous_umask)
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    log_text = "\n".join(r.getMessage() for r in records) + dbt_output
    return settings, summary, log_text, started, shifted_values


def test_the_returns_really_carry_identifiers(pipeline_outputs):
    _, summary, _, _, _ = pipeline_outputs
    statuses = {e.file_name: e.status for e in summary.entries}
    assert statuses["luton_2025-04_workforce.csv"] == "rejected"
    assert sum(s.startswith("accepted") for s in statuses.values()) >= 6
    assert len(_clear_identifiers()) > 100


def test_no_clear_identifier_in_the_warehouse(pipeline_outputs):
    settings, _, _, _, _ = pipeline_outputs
    identifiers = _clear_identifiers()
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
        for schema, table in tables:
            frame = con.execute(f'SELECT * FROM "{schema}"."{table}"').df()
            leaked = set(frame.astype(str).to_numpy().ravel()) & identifiers
            assert not leaked, f"{schema}.{table} holds {sorted(leaked)[:3]}"
        birth_days = con.execute(
            "SELECT DISTINCT day(birth_month) FROM raw.workforce WHERE birth_month IS NOT NULL"
        ).fetchall()
        assert birth_days == [(1,)], "only the month of birth is kept"
        keys = con.execute("SELECT worker_key FROM raw.workforce LIMIT 5").fetchall()
        assert all(len(key) == 64 for (key,) in keys)
    finally:
        con.close()


def test_agency_swe_numbers_are_hashed_like_the_census_swe_numbers(pipeline_outputs):
    """One worker, one key in every council's return: the agency assignment's SWE number is
    hashed with the same secret and function as the workforce table's (SWENo)."""
    settings, _, _, _, _ = pipeline_outputs
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        stored = {
            key
            for (key,) in con.execute(
                "SELECT swe_registration_number FROM raw.agency_assignments "
                "WHERE council_code = '822' AND period = ?",
                [PERIOD],
            ).fetchall()
        }
    finally:
        con.close()
    clear = _agency_swe_numbers("822", PERIOD)
    assert stored == {keyed_hash(number, SECRET.encode()) for number in clear}
    assert keyed_hash(clear[0], SECRET.encode()) == keyed_hash(
        clear[0].lower().replace("sw", "sw "), SECRET.encode()
    )


def test_a_malformed_agency_swe_number_is_rejected_naming_the_row_not_the_number(
    pipeline_outputs,
):
    _, summary, _, _, _ = pipeline_outputs
    (entry,) = [e for e in summary.entries if e.file_name == MALFORMED_SWE_FILE]
    assert entry.status == "rejected"
    report = Path(entry.feedback_path).read_text(encoding="utf-8")
    assert "AGY-P01" in report and "Row 2: " in report and "SW followed by digits" in report
    assert MALFORMED_SWE_NUMBER not in report and "4417X02" not in report


def test_the_swe_number_format_is_judged_before_the_number_is_hashed():
    from ingest.checks import format_check
    from ingest.pseudonymise import pseudonymise
    from ingest.readers import parse_rows
    from ingest.return_contract import AGENCY_ASSIGNMENTS

    frame = return_frames("822", PERIOD, seed=SEED, tables=["agency_assignments"])
    rows = frame["agency_assignments"].head(3).astype(object).where(lambda f: f.notna(), "")
    rows.loc[1, "swe_registration_number"] = MALFORMED_SWE_NUMBER
    rows.loc[2, "swe_registration_number"] = ""
    sheet = [AGENCY_ASSIGNMENTS.headers] + [
        [str(row[c]) for c in AGENCY_ASSIGNMENTS.column_names] for _, row in rows.iterrows()
    ]
    parsed = pseudonymise(parse_rows(sheet, AGENCY_ASSIGNMENTS, "s"), b"k")
    column = AGENCY_ASSIGNMENTS.column("swe_registration_number")
    assert parsed.typed[format_check(column)].tolist() == [True, False, True]
    assert parsed.typed["swe_registration_number"].str.len().tolist()[:2] == [64, 64]
    assert MALFORMED_SWE_NUMBER not in parsed.raw.to_numpy().ravel()


def test_keyed_hash_depends_on_the_secret():
    assert keyed_hash("SW123456", b"a") != keyed_hash("SW123456", b"b")
    assert keyed_hash("sw 123456", b"a") == keyed_hash("SW123456", b"a")


def _files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def test_no_clear_identifier_in_any_output_or_log(pipeline_outputs):
    settings, _, log_text, started, _ = pipeline_outputs
    identifiers = _clear_identifiers()
    results_dir = gx_results_dir(settings)
    with exclusive_runs(results_dir):  # no checkpoint run prunes them meanwhile
        gx_results = [p for p in _files_under(results_dir) if p.stat().st_mtime >= started]
        outputs = gx_results + _files_under(
            Path(settings.bucket_url) / "luton" / "feedback",
            Path(settings.bucket_url) / "bedford" / "feedback",
            settings.published_dir,
            settings.data_dir / "dbt" / "target",
        )
        assert any("validations" in p.parts for p in gx_results), "GX results are searched too"
        assert any(p.suffix == ".html" for p in outputs)
        addenda = [p for p in outputs if p.name.endswith(".feedback.agency-rules.csv")]
        assert addenda, "the agency rules' addendum to a receipt is searched too"
        for path in addenda:  # it shows what was linked by keyed hashes, never a hash
            assert not re.search(r"[0-9a-f]{64}", path.read_text(encoding="utf-8-sig"))
        for path in outputs:
            text = path.read_bytes().decode("utf-8", errors="ignore")
            leaked = {value for value in identifiers if value in text}
            assert not leaked, f"{path} shows {sorted(leaked)[:3]}"
    assert not {value for value in identifiers if value in log_text}


def test_feedback_points_at_the_repeated_worker_without_showing_it(pipeline_outputs):
    settings, summary, _, _, _ = pipeline_outputs
    (entry,) = [e for e in summary.entries if e.file_name == "luton_2025-04_workforce.csv"]
    report = Path(entry.feedback_path).read_text(encoding="utf-8")
    assert "WKF-K01" in report
    assert "personal data: not shown" in report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SW100402", WITHHELD_SWE_NUMBER),
        ("sw 1234", WITHHELD_SWE_NUMBER),
        ("1986-11-26", WITHHELD_BIRTH_DATE),
        ("26/11/1986", WITHHELD_BIRTH_DATE),
        ("1986-11-26 00:00:00", WITHHELD_BIRTH_DATE),
        ("14 March 1985", WITHHELD_BIRTH_DATE),
        ("2025-03-31", "2025-03-31"),  # too recent to be a worker's birthday
        ("1986-11", "1986-11"),  # a month is what we keep anyway
        ("33922", "33922"),  # a number, not a date typed out
        ("WBRI", "WBRI"),
        ("", ""),
    ],
)
def test_what_feedback_shows_of_a_cell_in_any_column(text, expected):
    assert shown(text) == expected


def test_a_personal_columns_cell_is_never_shown_and_free_text_keeps_its_words():
    assert shown("No", WORKFORCE.column("worker_key")) == WITHHELD_PERSONAL
    assert shown("", WORKFORCE.column("birth_month")) == ""
    assert scrub("LA code 'SW100402', born 26/11/1986, sent 2025-04-01") == (
        f"LA code '{WITHHELD_SWE_NUMBER}', born {WITHHELD_BIRTH_DATE}, sent 2025-04-01"
    )


def _feedback_texts(entry) -> dict[str, str]:
    """The feedback's three formats as text (the workbook: every cell, tab-separated)."""
    base = entry.feedback_path.removesuffix(".html")
    workbook = load_workbook(f"{base}.xlsx")
    cells = [
        "\t".join("" if v is None else str(v) for v in row)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
    ]
    return {
        "xlsx": "\n".join(cells),
        "html": Path(f"{base}.html").read_text(encoding="utf-8"),
        "csv": Path(f"{base}.csv").read_text(encoding="utf-8-sig"),
    }


def test_feedback_withholds_what_a_shifted_row_puts_in_other_columns(pipeline_outputs):
    settings, summary, _, _, shifted = pipeline_outputs
    (entry,) = [e for e in summary.entries if e.file_name == SHIFTED_FILE]
    assert entry.status == "rejected"
    clear = shifted["swe_numbers"] + shifted["birth_dates"]
    assert all(re.fullmatch(r"SW\d{6}", v) for v in shifted["swe_numbers"])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in shifted["birth_dates"])
    for fmt, text in _feedback_texts(entry).items():
        assert not [v for v in clear if v in text], f"the feedback {fmt} shows {clear}"
        assert WITHHELD_SWE_NUMBER in text and WITHHELD_BIRTH_DATE in text, fmt
    # Each problem still names the rule, the row and the column to look at.
    rows = list(csv.reader(_feedback_texts(entry)["csv"].splitlines()))
    problems = [dict(zip(rows[3], r, strict=True)) for r in rows[4:]]
    (swe,) = [p for p in problems if p["value"] == WITHHELD_SWE_NUMBER]
    assert (swe["row"], swe["column"], swe["rule"]) == ("2", "Agency worker", swe["rule"])
    assert swe["rule"] and WITHHELD_SWE_NUMBER in swe["message"]
    birth = [p for p in problems if p["value"] == WITHHELD_BIRTH_DATE]
    assert ("4", "FTE") in {(p["row"], p["column"]) for p in birth}
    assert all(p["rule"] and WITHHELD_BIRTH_DATE in p["message"] for p in birth)
    # Nor anywhere else: the ledger, the GX results, every feedback file, the logs.
    settings_text = [
        p.read_bytes().decode("utf-8", errors="ignore")
        for p in _files_under(
            settings.data_dir / "gx", Path(settings.bucket_url) / "bedford" / "feedback"
        )
    ]
    assert not [v for v in clear for text in settings_text if v in text]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_what_holds_personal_data_is_the_owners_only(pipeline_outputs):
    """Under the usual umask (022), the archive, the warehouse and the snapshot are 0600 in
    0700 folders: nobody else on the machine can read a return or the marts."""
    settings, _, _, _, _ = pipeline_outputs
    archive = Path(settings.archive_url)
    archived = [p for p in archive.rglob("*") if p.is_file()]
    assert len(archived) >= 8
    assert {_mode(p) for p in archived} == {0o600}
    assert {_mode(p) for p in [archive, *archive.rglob("*")] if p.is_dir()} == {0o700}
    assert _mode(settings.warehouse_path) == 0o600
    assert _mode(settings.marts_snapshot) == 0o600
    assert _mode(settings.marts_snapshot.parent) == 0o700


def test_the_hash_secret_is_created_private_atomically_and_once(tmp_path):
    settings = load_settings({"MOC_DATA_DIR": str(tmp_path / "data")})
    previous = os.umask(0)  # even a umask that lets everyone read and write
    try:
        key = hash_secret(settings)
    finally:
        os.umask(previous)
    path = secret_file(settings)
    assert len(key) == 64
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert hash_secret(settings) == key, "the key is kept, not made again"
    # A second process creating it at the same moment keeps the first one's key.
    assert write_private_file(path, b"another key") is False
    assert path.read_bytes() == key
    assert sorted(p.name for p in path.parent.iterdir()) == ["hash_secret"], "no leftovers"
    # A key file an earlier version left readable by others is tightened.
    path.chmod(0o644)
    assert hash_secret(settings) == key and _mode(path) == 0o600


_FORMULA_START = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def _runs_as_formula(value: object) -> bool:
    text = "" if value is None else str(value)
    return text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text)


def _written_tables(settings) -> list[Path]:
    """Every CSV and workbook the pipeline and dashboard wrote (not the councils' own files,
    nor the archive's copies of them)."""
    bucket = Path(settings.bucket_url)
    found = _files_under(
        *bucket.glob("*/feedback"),
        bucket / "feedback",
        settings.published_dir,
        settings.data_dir / EXPORTS,
        settings.data_dir / "dbt" / "target",
    )
    return [p for p in found if p.suffix in (".csv", ".xlsx")]


def test_no_csv_or_workbook_we_write_holds_a_live_formula(pipeline_outputs):
    settings, summary, _, _, _ = pipeline_outputs
    (entry,) = [e for e in summary.entries if e.file_name == FORMULA_FILE]
    assert entry.status == "rejected"
    written = _written_tables(settings)
    kinds = {p.parent.name if p.suffix == ".csv" else p.suffix for p in written}
    assert {EXPORTS, "feedback", ".xlsx"} <= kinds
    assert any(
        p.parent.parent == settings.published_dir or settings.published_dir in p.parents
        for p in written
    )
    live: list[str] = []
    neutralised = set()
    for path in written:
        if path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8-sig") as handle:
                cells = [c for row in csv.reader(handle) for c in row]
        else:
            workbook = load_workbook(path)
            cells = []
            for sheet in workbook:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            live.append(f"{path.name}!{cell.coordinate}: a formula cell")
                        cells.append(cell.value)
        live += [f"{path.name}: {c!r}" for c in cells if _runs_as_formula(c)]
        neutralised |= {path.name for c in cells if isinstance(c, str) and c.startswith("'=")}
    assert not live, live[:5]
    # The formula texts were there to neutralise: the ledger export, a dashboard download and
    # the feedback (file name and cell) all carry them, as text.
    assert {"ledger.csv", f"files_{PERIOD}.csv"} <= neutralised
    assert any(name.endswith(".xlsx") for name in neutralised)
    assert any(name.endswith(".csv") and "HYPERLINK" in name for name in neutralised)
