"""Intent, not accident (issue 13): a file is read as a return only as its sender meant it.

Hidden and duplicate sheets, strict numbers, folders typed as officers type them, a file naming
another member council, dot names, files in feedback folders, names too long for feedback,
submission dates in names, and corrected files with the same size and time. Hostile files are
built here; one ingest batch checks every ledger status and message and that the rest loaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from pathlib import Path

import pytest
from openpyxl import Workbook
from warehouse_helpers import ledger_rows

from common.members import member_for_folder, members_named_in
from ingest import ledger, pipeline, warehouse
from ingest.bucket import MAX_NAME_BYTES, feedback_name, is_skipped
from ingest.cells import parse_date, parse_number
from ingest.identify import period_from_name
from ingest.readers import ReadError, read_workbook
from ingest.return_contract import ESTABLISHMENT
from samples.establishment import establishment_frame

SEED = 11
BASE_TIME = 1_743_500_000  # 2025-04-01


# Unit level: the rules on their own.


@pytest.mark.parametrize(
    "text", ["1_0.5", "1_000", "١٢", "१२", "１２", "12e", "inf", "nan", "0x1A"]
)
def test_numbers_are_parsed_strictly(text):
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize(("text", "value"), [("1.2E+06", 1_200_000.0), ("-.5", -0.5), ("7.", 7.0)])
def test_numbers_as_excel_writes_them_still_read(text, value):
    assert parse_number(text) == value


def test_dates_in_non_ascii_digits_are_not_excel_serials():
    assert parse_date("٤٤١٩٧") is None
    assert parse_date("44197") == dt.date(2021, 1, 1)


@pytest.mark.parametrize(
    ("folder", "slug"),
    [
        ("Central Bedfordshire", "central-bedfordshire"),
        ("central_bedfordshire", "central-bedfordshire"),
        ("luton ", "luton"),
        ("LUTON", "luton"),
        ("Southend on Sea", "southend-on-sea"),
        (" Southend-On-Sea ", "southend-on-sea"),
    ],
)
def test_folders_are_matched_as_officers_type_them(folder, slug):
    assert member_for_folder(folder).council_slug == slug


@pytest.mark.parametrize("folder", ["barnet", "bedfordshire", "luton2", "feedback"])
def test_other_folders_are_not_members(folder):
    assert member_for_folder(folder) is None


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("bedford_2025-04_establishment.csv", ["Bedford"]),
        ("Central Bedfordshire 2025-04 return.xlsx", ["Central Bedfordshire"]),
        ("central-bedfordshire_2025-04_return.xlsx", ["Central Bedfordshire"]),
        ("southend_on_sea_2025-04.csv", ["Southend-on-Sea"]),
        ("Essex and Suffolk 2025-04.csv", ["Essex", "Suffolk"]),
        ("sussex_2025-04.csv", []),
        ("bedfordshire_2025-04.csv", []),
    ],
)
def test_member_councils_named_in_a_file_name(name, named):
    assert [m.council_name for m in members_named_in(name)] == named


@pytest.mark.parametrize(
    ("name", "period"),
    [
        ("CSWW_2025 (submitted 2025-10-15).xml", None),
        ("luton_2025-09_establishment (submitted 2025-10-15).csv", "2025-09"),
        ("luton_2025-09_establishment sent 15-10-2025.csv", "2025-09"),
        ("luton establishment (exported 2025-10-15) 2025-09.csv", "2025-09"),
        ("luton_establishment_2025-09-30.csv", "2025-09"),
        ("luton_establishment_2025-10-15_2025-09.csv", "2025-09"),
    ],
)
def test_a_submission_date_in_a_name_is_never_the_month(name, period):
    assert period_from_name(name) == period


@pytest.mark.parametrize(
    ("path", "skipped"),
    [
        ("luton/~$luton_2025-03_return.xlsx", True),
        ("luton/.~lock.luton_2025-03_return.xlsx#", True),
        ("luton/.luton_2025-03_return.xlsx.Ab12Cd", True),  # rsync's temporary copy
        ("luton/.DS_Store", True),
        ("luton/feedback/luton_2025-03_return.xlsx.feedback.html", True),
        ("feedback/missing_returns_2025-03.csv", True),
        ("luton/.luton_2025-03_establishment.csv", False),
        ("luton/..luton_2025-03_establishment.csv", False),
        ("luton/feedback/luton_2025-03_establishment.csv", False),
    ],
)
def test_only_unfinished_uploads_clutter_and_our_own_feedback_are_skipped(path, skipped):
    assert is_skipped(path) is skipped


def test_feedback_names_are_shortened_to_fit_and_stay_distinct():
    long_a = "luton_2025-03_establishment_" + "a" * 220 + "_1.csv"
    long_b = "luton_2025-03_establishment_" + "a" * 220 + "_2.csv"
    short_a, short_b = feedback_name(long_a), feedback_name(long_b)
    assert len(f"{short_a}.feedback.html".encode()) <= MAX_NAME_BYTES
    assert short_a != short_b and short_a.endswith(".csv")
    assert feedback_name("luton_2025-03_establishment.csv") == "luton_2025-03_establishment.csv"
    accented = "é" * 200 + ".csv"  # two bytes a character: cut on a character boundary
    assert len(f"{feedback_name(accented)}.feedback.xlsx".encode()) <= MAX_NAME_BYTES


def _rows(period: str, council: str = "821") -> list[list[object]]:
    frame = establishment_frame(council, period, seed=SEED)
    return [
        ESTABLISHMENT.headers,
        *frame[ESTABLISHMENT.column_names].astype(object).values.tolist(),
    ]


def _xlsx(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    if all(title in hidden for title in sheets):
        workbook.create_sheet("Notes").append(["see the other sheets"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_hidden_copy_is_ignored_with_a_note_and_the_visible_sheet_read():
    stale = [ESTABLISHMENT.headers, ["Old team", "Old grade", *[1] * 12]]
    data = _xlsx(
        {"Establishment ": stale, "establishment": _rows("2025-03")}, hidden=("Establishment ",)
    )
    parsed = read_workbook(data)["establishment"]
    assert parsed.sheet == "establishment" and "Old team" not in set(parsed.raw["team"])
    (note,) = parsed.notes
    assert note.rule == "SHEET-W01" and "Hidden sheet 'Establishment '" in note.message


def test_two_visible_sheets_for_one_table_are_ambiguous():
    data = _xlsx({"Establishment": _rows("2025-03"), "establishment ": _rows("2025-02")})
    with pytest.raises(ReadError, match="2 sheets for the establishment table"):
        read_workbook(data)


def test_a_table_whose_only_sheet_is_hidden_is_refused():
    data = _xlsx({"establishment": _rows("2025-03")}, hidden=("establishment",))
    with pytest.raises(ReadError, match="is hidden"):
        read_workbook(data)


def test_a_council_named_on_the_about_sheet_is_checked_against_the_folder():
    data = _xlsx({"About": [["Council", "Bedford"]], "establishment": _rows("2025-03")})
    assert read_workbook(data)["establishment"].declared_council_codes == {"822"}
    unknown = _xlsx({"About": [["Council", "Our council"]], "establishment": _rows("2025-03")})
    assert read_workbook(unknown)["establishment"].declared_council_codes == set()


# One batch: every hostile file ends in the ledger as intended, and the others load.


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _with_cell(period: str, column: str, value: str) -> bytes:
    rows = _rows(period)
    rows[1][ESTABLISHMENT.column_names.index(column)] = value
    return _csv(rows)


LONG_NAME = "luton_2024-10_establishment_" + "x" * (MAX_NAME_BYTES - 32) + ".csv"

# relative path -> (bytes, expected status, words the message or feedback must hold)
BATCH = {
    "luton/luton_2025-03_establishment.csv": (_csv(_rows("2025-03")), "accepted", ()),
    "Central Bedfordshire/central_bedfordshire_2025-03_establishment.csv": (
        _csv(_rows("2025-03", "823")),
        "accepted",
        (),
    ),
    "luton /luton_2025-02_establishment.csv": (_csv(_rows("2025-02")), "accepted", ()),
    "luton/bedford_2025-04_establishment.csv": (
        _csv(_rows("2025-04", "822")),
        "rejected",
        ("names Bedford", "Luton's folder"),
    ),
    "luton/.luton_2025-01_establishment.csv": (
        _csv(_rows("2025-01")),
        "rejected",
        ("starts with a dot", "rename it"),
    ),
    "luton/..luton_2024-12_establishment.csv": (
        _csv(_rows("2024-12")),
        "rejected",
        ("starts with a dot",),
    ),
    "luton/feedback/luton_2024-11_establishment.csv": (
        _csv(_rows("2024-11")),
        "rejected",
        ("'feedback' folder", "Move it"),
    ),
    f"luton/{LONG_NAME}": (_csv(_rows("2024-10")), "accepted", ()),
    "luton/luton_2024-09_establishment (submitted 2024-10-15).csv": (
        _csv(_rows("2024-09")),
        "accepted",
        (),
    ),
    "luton/luton_2024-08_return.xlsx": (
        _xlsx(
            {"Establishment ": _rows("2023-01"), "establishment": _rows("2024-08")},
            hidden=("Establishment ",),
        ),
        "accepted_with_warnings",
        ("SHEET-W01", "Hidden sheet", "was ignored"),
    ),
    "luton/luton_2024-07_return.xlsx": (
        _xlsx({"Establishment": _rows("2024-07"), "establishment ": _rows("2024-07")}),
        "rejected",
        ("2 sheets for the establishment table", "'Establishment' and 'establishment '"),
    ),
    "luton/luton_2024-06_return.xlsx": (
        _xlsx({"establishment": _rows("2024-06")}, hidden=("establishment",)),
        "rejected",
        ("is hidden", "unhide"),
    ),
    "luton/luton_2024-05_establishment.csv": (
        _with_cell("2024-05", "permanent_fte", "1_0.5"),
        "rejected",
        ("Permanent FTE in post", "1_0.5"),
    ),
    "luton/luton_2024-03_return.xlsx": (
        _xlsx({"About": [["Council name", "Bedford"]], "establishment": _rows("2024-03")}),
        "rejected",
        ("Bedford (822)", "Luton's folder"),
    ),
    "luton/luton_2024-04_establishment.csv": (
        _with_cell("2024-04", "cases_held", "١٢"),
        "rejected",
        ("١٢",),
    ),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("intent") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOC_DATA_DIR", str(data_dir))
        for name in ("MOC_BUCKET_URL", "MOC_WAREHOUSE_PATH", "MOC_ARCHIVE_URL"):
            patch.delenv(name, raising=False)
        from common.settings import load_settings

        settings = load_settings()
        bucket = Path(settings.bucket_url)
        for minutes, (relative, (data, _, _)) in enumerate(BATCH.items()):
            path = bucket / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.utime(path, (BASE_TIME + 60 * minutes, BASE_TIME + 60 * minutes))
        pipeline.ingest_new_files(settings, today=dt.date(2025, 6, 1))
        yield settings, ledger_rows(settings)


@pytest.mark.parametrize("relative", list(BATCH), ids=lambda p: p[:60])
def test_every_hostile_file_ends_as_intended(batch, relative):
    _, entries = batch
    _, status, words = BATCH[relative]
    entry = entries.loc[relative]
    assert entry["status"] == status, entry["message"]
    assert entry["feedback_path"], "every file gets feedback"
    feedback = Path(entry["feedback_path"]).read_text(encoding="utf-8")
    for word in words:
        assert word in entry["message"] or word in feedback, (word, entry["message"])


def test_the_other_files_of_the_batch_loaded(batch):
    settings, entries = batch
    accepted = entries[entries["status"].isin(ledger.ACCEPTED_STATUSES)]
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        loaded = con.execute(
            "select ledger_id, count(*) from raw.establishment group by ledger_id"
        ).fetchall()
    finally:
        con.close()
    assert {ledger_id for ledger_id, _ in loaded} == set(accepted["ledger_id"])
    assert (
        accepted.loc["Central Bedfordshire/central_bedfordshire_2025-03_establishment.csv"][
            "council_code"
        ]
        == "823"
    )
    assert (
        accepted.loc["luton/luton_2024-09_establishment (submitted 2024-10-15).csv"]["period"]
        == "2024-09"
    )


def test_a_name_too_long_for_feedback_gets_a_shortened_feedback_name(batch):
    _, entries = batch
    feedback = Path(entries.loc[f"luton/{LONG_NAME}", "feedback_path"])
    assert feedback.is_file() and len(feedback.name.encode()) <= MAX_NAME_BYTES
    assert LONG_NAME in feedback.read_text(encoding="utf-8")  # the report gives the full name


def test_a_corrected_file_with_the_same_size_and_time_is_a_new_version(batch):
    settings, before = batch
    bucket = Path(settings.bucket_url)
    corrected = bucket / "luton/luton_2025-03_establishment.csv"
    stat = corrected.stat()
    data = corrected.read_bytes()
    last_digit = max(i for i, byte in enumerate(data) if chr(byte).isdigit())
    fixed = data[:last_digit] + (b"7" if data[last_digit : last_digit + 1] != b"7" else b"8")
    fixed += data[last_digit + 1 :]
    assert len(fixed) == len(data) and fixed != data
    corrected.write_bytes(fixed)
    os.utime(corrected, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `cp -p` leaves it
    touched = bucket / "luton /luton_2025-02_establishment.csv"
    os.utime(touched, (BASE_TIME + 9_999, BASE_TIME + 9_999))  # same bytes, a new time

    summary = pipeline.ingest_new_files(settings, today=dt.date(2025, 6, 1))

    assert [e.relative_path for e in summary.entries] == ["luton/luton_2025-03_establishment.csv"]
    (entry,) = summary.entries
    assert entry.version == 2 and entry.sha256 != before.loc[entry.relative_path, "sha256"]
    after = ledger_rows(settings)
    assert len(after) == len(before) + 1
    # Nothing changed since: the next poll reads nothing.
    assert pipeline.ingest_new_files(settings, today=dt.date(2025, 6, 1)).entries == []
