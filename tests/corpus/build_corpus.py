"""Build the corpus of bad and awkward returns that tests/test_corpus.py feeds to ingest.

Run from the repository root: ``.venv/bin/python tests/corpus/build_corpus.py``. It rewrites
``tests/corpus/bucket/`` and ``tests/corpus/expected.csv`` (both committed). Each case is a
file as a council officer might really send it, with the ledger status it must end in and
key words its message must contain. Cases use distinct months so no case supersedes another.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from common.periods import month_range
from ingest.return_contract import ESTABLISHMENT
from ingest.template import workbook_bytes
from samples.agency import agency_assignments_frame
from samples.census import census_xml_bytes
from samples.establishment import establishment_frame
from samples.pay import pay_scales_frame
from samples.return_files import write_return
from samples.workforce import workforce_frame

HERE = Path(__file__).resolve().parent
CENSUS_FIXTURES = HERE.parent / "fixtures" / "census"
BUCKET = HERE / "bucket"
SEED = 11
FIXED_TIME = dt.datetime(2025, 1, 1)
PERIODS = month_range("2022-01", "2026-12")


@dataclass(frozen=True)
class Case:
    name: str  # what the case is about
    folder: str | None  # council folder; None = bucket root
    file_name: str
    content: bytes
    status: str  # expected ledger status, or "ignored" (never enters the ledger)
    keywords: tuple[str, ...]  # must all appear in the ledger message or the feedback


def frame_for(period: str, council: str = "821") -> pd.DataFrame:
    return establishment_frame(council, period, seed=SEED)


def officer_rows(frame: pd.DataFrame) -> list[list[object]]:
    officer = frame[ESTABLISHMENT.column_names]
    return [ESTABLISHMENT.headers, *officer.astype(object).values.tolist()]


def csv_bytes(rows: list[list[object]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return workbook_bytes(workbook, FIXED_TIME)


def edited(period: str, edit: Callable[[pd.DataFrame], None], council: str = "821") -> bytes:
    frame = frame_for(period, council)
    edit(frame)
    return csv_bytes(officer_rows(frame))


def table_csv(table: str, frame: pd.DataFrame, edit: Callable[[list[list[str]]], None]) -> bytes:
    """A table as the generator writes it for a council, then edited as text (row 1 = header)."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_return(frame, Path(folder) / "x.csv", "csv", table)
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    edit(rows)
    return csv_bytes(rows)


def set_text(row: int, header: str, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[row][rows[0].index(header)] = value

    return edit


def set_cell(row: int, column: str, value: object) -> Callable[[pd.DataFrame], None]:
    def edit(frame: pd.DataFrame) -> None:
        if frame[column].dtype != object:
            frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value

    return edit


def build_cases() -> list[Case]:
    period = iter(PERIODS)
    cases: list[Case] = []

    def add(name, folder, stem, content, status, *keywords, suffix="_establishment.csv"):
        month = next(period)
        file_name = stem if "." in stem else f"{stem}_{month}{suffix}"
        cases.append(Case(name, folder, file_name, content(month), status, keywords))

    # Awkward but acceptable.
    add(
        "title rows above the header",
        "luton",
        "luton",
        lambda m: csv_bytes(
            [
                ["Luton Borough Council workforce return"],
                [f"Month: {m}"],
                [],
                *officer_rows(frame_for(m)),
            ]
        ),
        "accepted",
        "Accepted",
    )
    add(
        "blank rows between data rows",
        "luton",
        "luton",
        lambda m: csv_bytes(
            [
                officer_rows(frame_for(m))[0],
                [],
                *officer_rows(frame_for(m))[1:3],
                [""] * 14,
                *officer_rows(frame_for(m))[3:],
            ]
        ),
        "accepted",
        "Accepted",
    )
    add(
        "trailing spaces in text cells",
        "luton",
        "luton",
        lambda m: edited(m, lambda f: f.update(f[["team", "grade"]].apply(lambda c: c + "  "))),
        "accepted",
        "Accepted",
    )
    add(
        "cp1252 text with a pound sign and an en dash",
        "luton",
        "luton",
        lambda m: csv_bytes(
            [["Return – Luton (£)"], *officer_rows(frame_for(m))], encoding="cp1252"
        ),
        "accepted",
        "Accepted",
    )
    add(
        "UTF-8 with byte-order mark",
        "luton",
        "luton",
        lambda m: b"\xef\xbb\xbf" + csv_bytes(officer_rows(frame_for(m))),
        "accepted",
        "Accepted",
    )
    add(
        "semicolon-separated CSV",
        "luton",
        "luton",
        lambda m: csv_bytes(officer_rows(frame_for(m)), delimiter=";"),
        "accepted",
        "Accepted",
    )
    add(
        "headers in another case and spacing",
        "luton",
        "luton",
        lambda m: csv_bytes(
            [
                [h.upper().replace(" ", "  ") for h in ESTABLISHMENT.headers],
                *officer_rows(frame_for(m))[1:],
            ]
        ),
        "accepted",
        "Accepted",
    )
    add(
        "thousands separator in a count",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "cases_held", "1,0")),
        "accepted",
        "Accepted",
    )
    add(
        "sheet name in capitals, header on row 3",
        "bedford",
        "bedford",
        lambda m: xlsx_bytes(
            {"ESTABLISHMENT": [["Bedford return"], [], *officer_rows(frame_for(m, "822"))]}
        ),
        "accepted",
        "Accepted",
        suffix="_return.xlsx",
    )
    add(
        "LA code column that matches the folder",
        "luton",
        "luton",
        lambda m: csv_bytes(
            [
                ["LA code", *officer_rows(frame_for(m))[0]],
                *[["821", *r] for r in officer_rows(frame_for(m))[1:]],
            ]
        ),
        "accepted",
        "Accepted",
    )
    add(
        "over-establishment is valid",
        "luton",
        "luton",
        lambda m: edited(
            m,
            lambda f: f.update(
                pd.DataFrame(
                    {
                        "permanent_fte": [f.loc[0, "establishment_fte"] + 2.0],
                        "vacancy_fte": [0.0],
                        "agency_vacancy_fte": [0.0],
                    },
                    index=[0],
                )
            ),
        ),
        "accepted",
        "Accepted",
    )
    add(
        "month written as a word",
        "luton",
        "luton_March_2019_establishment.csv",
        lambda m: csv_bytes(officer_rows(frame_for("2019-03"))),
        "accepted",
        "Accepted",
    )

    # Warnings: accepted, with notes.
    add(
        "vacancy does not match posts minus staff",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "vacancy_fte", 9.9)),
        "accepted_with_warnings",
        "EST-W01",
        "does not match",
    )
    add(
        "implausible caseload",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "cases_held", 400)),
        "accepted_with_warnings",
        "EST-W02",
        "per case-holder FTE",
    )

    # Rejected: the file cannot be placed or read.
    add("empty file", "luton", "luton", lambda m: b"", "rejected", "empty")
    add(
        "header only",
        "luton",
        "luton",
        lambda m: csv_bytes(officer_rows(frame_for(m))[:1]),
        "rejected",
        "no rows",
    )
    add(
        "a required column is missing",
        "luton",
        "luton",
        lambda m: csv_bytes([r[:6] + r[7:] for r in officer_rows(frame_for(m))]),
        "rejected",
        "missing column",
        "Vacancy FTE",
    )
    add(
        "not a table at all",
        "luton",
        "luton",
        lambda m: b"Hello,\nthis is a letter\n",
        "rejected",
        "header row",
    )
    add(
        "corrupt workbook",
        "bedford",
        "bedford",
        lambda m: b"PK\x03\x04 this is not a zip",
        "rejected",
        "cannot be opened",
        suffix="_return.xlsx",
    )
    add(
        "password-protected workbook (OLE container)",
        "bedford",
        "bedford",
        lambda m: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        "rejected",
        "password-protected",
        suffix="_return.xlsx",
    )
    add(
        "workbook without any return sheet",
        "bedford",
        "bedford",
        lambda m: xlsx_bytes({"Sheet1": [["nothing", "here"]]}),
        "rejected",
        "none of the return sheets",
        suffix="_return.xlsx",
    )
    add(
        "unsupported file type",
        "luton",
        "luton",
        lambda m: b"notes",
        "rejected",
        "not a file type",
        suffix="_establishment.txt",
    )
    add(
        "no month in the file name",
        "luton",
        "luton_establishment_latest.csv",
        lambda m: csv_bytes(officer_rows(frame_for(m))),
        "rejected",
        "which month",
    )
    add(
        "no table in a CSV name",
        "luton",
        "luton",
        lambda m: csv_bytes(officer_rows(frame_for(m))),
        "rejected",
        "which table",
        suffix="_data.csv",
    )
    add(
        "dropped at the top of the bucket",
        None,
        "luton",
        lambda m: csv_bytes(officer_rows(frame_for(m))),
        "rejected",
        "top of the bucket",
    )
    add(
        "folder of a non-member council",
        "barnet",
        "barnet",
        lambda m: csv_bytes(officer_rows(frame_for(m))),
        "rejected",
        "not a member",
    )
    add(
        "LA code of another council",
        "luton",
        "luton",
        lambda m: csv_bytes(
            [
                ["LA code", *officer_rows(frame_for(m))[0]],
                *[["873", *r] for r in officer_rows(frame_for(m))[1:]],
            ]
        ),
        "rejected",
        "Cambridgeshire",
        "own return",
    )
    add(
        "About sheet gives another month",
        "bedford",
        "bedford",
        lambda m: xlsx_bytes(
            {
                "About": [["LA code", "822"], ["Period", "2020-01"]],
                "establishment": officer_rows(frame_for(m, "822")),
            }
        ),
        "rejected",
        "file itself says 2020-01",
        suffix="_return.xlsx",
    )

    # Rejected: the data break the rules (feedback names row and column).
    add(
        "unmapped grade",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "grade", "Grade 12 Wizard")),
        "rejected",
        "EST-004",
        "Grade 12 Wizard",
    )
    add(
        "unmapped team",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "team", "Team Nowhere")),
        "rejected",
        "EST-005",
        "Team Nowhere",
    )
    add(
        "negative FTE",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(1, "permanent_fte", -3.0)),
        "rejected",
        "between 0",
    )
    add(
        "text in a number cell",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(2, "agency_fte", "two")),
        "rejected",
        "not readable as",
        "two",
    )
    add(
        "blank team",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "team", "")),
        "rejected",
        "EST-001",
    )
    add(
        "the same team and grade twice",
        "luton",
        "luton",
        lambda m: csv_bytes([*officer_rows(frame_for(m)), officer_rows(frame_for(m))[1]]),
        "rejected",
        "EST-003",
        "more than one row",
    )
    add(
        "agency cover above agency FTE",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "agency_vacancy_fte", 50.0)),
        "rejected",
        "EST-006",
    )
    add(
        "formula-like text is neutralised in feedback",
        "luton",
        "luton",
        lambda m: edited(m, set_cell(0, "grade", '=HYPERLINK("x")')),
        "rejected",
        "EST-004",
    )

    # The other tables: dates, money and codes as officers type them, and their rules.
    def agency(month: str, edit: Callable[[list[list[str]]], None]) -> bytes:
        return table_csv("agency_assignments", agency_assignments_frame("821", month, SEED), edit)

    def both(*edits: Callable[[list[list[str]]], None]) -> Callable[[list[list[str]]], None]:
        return lambda rows: [edit(rows) for edit in edits]

    add(
        "Excel date serial, UK text date and pound signs in agency rates",
        "luton",
        "luton",
        lambda m: agency(
            m,
            both(
                set_text(1, "Start date", "44197"),
                set_text(2, "Start date", "1 March 2021"),
                set_text(1, "Pay rate to worker (£)", "£27.50"),
            ),
        ),
        "accepted",
        "Accepted",
        suffix="_agency_assignments.csv",
    )
    add(
        "agency reason outside the code list",
        "luton",
        "luton",
        lambda m: agency(m, set_text(1, "Reason", "Maternity cover")),
        "rejected",
        "Maternity cover",
        "Vacancy cover",
        suffix="_agency_assignments.csv",
    )
    add(
        "agency assignment ends before it starts",
        "luton",
        "luton",
        lambda m: agency(
            m, both(set_text(1, "Start date", "2021-06-01"), set_text(1, "End date", "2021-01-01"))
        ),
        "rejected",
        "End date",
        suffix="_agency_assignments.csv",
    )
    add(
        "unreadable date in an optional column",
        "luton",
        "luton",
        lambda m: agency(m, set_text(1, "End date", "next spring")),
        "rejected",
        "next spring",
        suffix="_agency_assignments.csv",
    )
    add(
        "salaries with pound signs and thousands separators",
        "luton",
        "luton",
        lambda m: table_csv(
            "pay_scales",
            pay_scales_frame("821", m, SEED),
            set_text(1, "Salary minimum (£ a year)", "£30,000.00"),
        ),
        "accepted",
        "Accepted",
        suffix="_pay_scales.csv",
    )
    add(
        "salary maximum below the minimum",
        "luton",
        "luton",
        lambda m: table_csv(
            "pay_scales",
            pay_scales_frame("821", m, SEED),
            both(
                set_text(1, "Salary minimum (£ a year)", "40000"),
                set_text(1, "Salary maximum (£ a year)", "30000"),
            ),
        ),
        "rejected",
        "PAY-",
        suffix="_pay_scales.csv",
    )
    add(
        "worker FTE above 1",
        "luton",
        "luton",
        lambda m: table_csv(
            "workforce", workforce_frame("821", m, SEED), set_text(1, "FTE", "1.5")
        ),
        "rejected",
        "WKF-",
        suffix="_workforce.csv",
    )
    add(
        "leaver without a reason or destination",
        "luton",
        "luton",
        lambda m: table_csv(
            "workforce",
            workforce_frame("821", m, SEED),
            both(
                set_text(1, "Role end date", "2021-12-31"),
                set_text(1, "Reason for leaving", ""),
                set_text(1, "Leaver destination", ""),
            ),
        ),
        "rejected",
        "Reason for leaving",
        suffix="_workforce.csv",
    )

    # The DfE census XML, as a council's system exports it.
    add(
        "census XML (2024 schema) on its own",
        "luton",
        "luton_census_2024.xml",
        lambda m: census_xml_bytes("821", 2024, 2024, seed=SEED),
        "accepted",
        "Accepted",
    )
    add(
        "census XML of another council",
        "luton",
        "luton_census_2023.xml",
        lambda m: (CENSUS_FIXTURES / "csww_2023_small.xml").read_bytes(),
        "rejected",
        "Peterborough",
        "own return",
    )
    add(
        "census XML cut off half way",
        "luton",
        "luton_census_2022.xml",
        lambda m: census_xml_bytes("821", 2022, 2022, seed=SEED)[:1500],
        "rejected",
        "line",
    )
    add(
        "census XML with an entity-expansion attack",
        "bedford",
        "bedford_census_2025.xml",
        lambda m: (CENSUS_FIXTURES / "billion_laughs.xml").read_bytes(),
        "rejected",
        "DOCTYPE",
    )

    # Never enter the ledger: still being written.
    cases.append(
        Case("Excel lock file", "luton", "~$luton_2025-01_return.xlsx", b"lock", "ignored", ())
    )
    cases.append(
        Case(
            "partial upload",
            "luton",
            "luton_2025-01_establishment.csv.part",
            b"Team,Local",
            "ignored",
            (),
        )
    )
    from intent_cases import intent_cases  # issue 13's cases, in their own module

    return [*cases, *intent_cases()]


def main() -> None:
    if BUCKET.exists():
        shutil.rmtree(BUCKET)
    rows = []
    for case in build_cases():
        relative = f"{case.folder}/{case.file_name}" if case.folder else case.file_name
        path = BUCKET / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.content)
        rows.append([relative, case.status, "|".join(case.keywords), case.name])
    with open(HERE / "expected.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["relative_path", "status", "keywords", "case"])
        writer.writerows(rows)
    print(f"Wrote {len(rows)} corpus files to {BUCKET}")


if __name__ == "__main__":
    main()
