"""Corpus cases of issue 13, "Intent, not accident": files read as returns only as meant.

Strict numbers, implausible dates in rows, folders typed as officers type them, a file naming
another member council, dot names, files in feedback folders, a name too long for feedback,
submission dates in names, hidden and duplicate sheets. Built by build_corpus.py (which calls
:func:`intent_cases`); each case has its own month, from 2018 on, so no case supersedes another
or one of build_corpus's own (2022 on).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from build_corpus import (
    FIXED_TIME,
    SEED,
    Case,
    csv_bytes,
    frame_for,
    officer_rows,
    set_cell,
    set_text,
    table_csv,
    xlsx_bytes,
)
from openpyxl import load_workbook

from common.excel import workbook_bytes
from common.periods import month_range
from samples.agency import agency_assignments_frame
from samples.census import census_xml_bytes
from samples.workforce import workforce_frame

MONTHS = month_range("2018-01", "2021-12")
CODES = {
    "luton": "821",
    "bedford": "822",
    "central-bedfordshire": "823",
    "cambridgeshire": "873",
    "peterborough": "874",
    "essex": "881",
    "southend-on-sea": "882",
    "thurrock": "883",
    "hertfordshire": "919",
    "norfolk": "926",
    "suffolk": "935",
}
LONG_NAME_BYTES = 255


def _edited_csv(month: str, code: str, column: str, value: object) -> bytes:
    frame = frame_for(month, code)
    set_cell(0, column, value)(frame)
    return csv_bytes(officer_rows(frame))


def _hidden_xlsx(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...], state="hidden"):
    """A workbook whose sheets named in ``hidden`` are hidden (or 'veryHidden')."""

    workbook = load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    for title in hidden:
        workbook[title].sheet_state = state
    visible = [s for s in workbook.worksheets if s.sheet_state == "visible"]
    workbook.active = workbook.worksheets.index(visible[0])
    return workbook_bytes(workbook, FIXED_TIME)


def intent_cases() -> list[Case]:
    months = iter(MONTHS)
    cases: list[Case] = []

    def add(name, folder, file_name, content: Callable[[str], bytes], status, *keywords):
        """``file_name`` may hold '{m}', the case's month; ``content`` gets the month."""
        month = next(months)
        cases.append(
            Case(name, folder, file_name.format(m=month), content(month), status, keywords)
        )

    def est(folder: str, council: str | None = None) -> Callable[[str], bytes]:
        code = CODES[council or folder]
        return lambda m: csv_bytes(officer_rows(frame_for(m, code)))

    # Numbers are read strictly: the feedback names the cell and what it holds.
    for name, column, value in [
        ("digit grouping underscore in an FTE", "permanent_fte", "1_0.5"),
        ("digit grouping underscore in a count", "cases_held", "1_000"),
        ("Arabic-Indic digits", "cases_held", "١٢"),
        ("Persian digits", "cases_held", "۱۲"),
        ("Devanagari digits", "agency_fte", "१"),
        ("full-width digits", "establishment_fte", "１２"),
        ("a number with a stray letter", "vacancy_fte", "2O"),
    ]:
        add(
            f"strict numbers: {name}",
            "essex",
            "essex_{m}_establishment.csv",
            lambda m, c=column, v=value: _edited_csv(m, "881", c, v),
            "rejected",
            "EST-",
            value,
        )
    add(
        "a number as Excel writes a large one in CSV (1.2E+01)",
        "essex",
        "essex_{m}_establishment.csv",
        lambda m: _edited_csv(m, "881", "cases_held", "1.2E+01"),
        "accepted",
        "Accepted",
    )

    # Dates inside rows have plausible bounds (suites AGY-X06, AGY-X07, WKF-X05).
    def agency(month: str, header: str, value: str) -> bytes:
        frame = agency_assignments_frame("926", month, SEED)
        return table_csv("agency_assignments", frame, set_text(1, header, value))

    add(
        "agency assignment starting in 1899",
        "norfolk",
        "norfolk_{m}_agency_assignments.csv",
        lambda m: agency(m, "Start date", "1899-12-31"),
        "rejected",
        "AGY-X06",
        "1990",
    )
    add(
        "agency assignment starting in 2099",
        "norfolk",
        "norfolk_{m}_agency_assignments.csv",
        lambda m: agency(m, "Start date", "2099-01-01"),
        "rejected",
        "AGY-X07",
        "after the last day",
    )
    add(
        "agency start date as an Excel serial in Arabic-Indic digits",
        "norfolk",
        "norfolk_{m}_agency_assignments.csv",
        lambda m: agency(m, "Start date", "٤٤١٩٧"),
        "rejected",
        "Start date",
    )
    add(
        "worker born in 2099",
        "norfolk",
        "norfolk_{m}_workforce.csv",
        lambda m: table_csv(
            "workforce", workforce_frame("926", m, SEED), set_text(1, "Date of birth", "2099-05-01")
        ),
        "rejected",
        "WKF-X05",
        "younger than 16",
    )

    # Folders matched as officers type them.
    add(
        "folder typed as the council name with a space",
        "Central Bedfordshire",
        "central_bedfordshire_{m}_establishment.csv",
        est("central-bedfordshire"),
        "accepted",
        "Accepted",
    )
    add(
        "folder typed with underscores",
        "central_bedfordshire",
        "central_bedfordshire_{m}_establishment.csv",
        est("central-bedfordshire"),
        "accepted",
        "Accepted",
    )
    add(
        "folder with spaces for hyphens",
        "Southend on Sea",
        "southend_on_sea_{m}_establishment.csv",
        est("southend-on-sea"),
        "accepted",
        "Accepted",
    )
    add(
        "folder with a trailing space",
        "suffolk ",
        "suffolk_{m}_establishment.csv",
        est("suffolk"),
        "accepted",
        "Accepted",
    )
    add(
        "folder in capitals",
        "THURROCK",
        "thurrock_{m}_establishment.csv",
        est("thurrock"),
        "accepted",
        "Accepted",
    )

    # A file whose name names another member council.
    for folder, file_name, council, named in [
        ("luton", "bedford_{m}_establishment.csv", "bedford", "Bedford"),
        ("essex", "suffolk_{m}_establishment.csv", "suffolk", "Suffolk"),
        (
            "bedford",
            "central_bedfordshire_{m}_establishment.csv",
            "central-bedfordshire",
            "Central Bedfordshire",
        ),
        ("central-bedfordshire", "Bedford {m} establishment.csv", "bedford", "Bedford"),
        ("norfolk", "Peterborough_{m}_establishment.csv", "peterborough", "Peterborough"),
        ("hertfordshire", "herts and essex {m} establishment.csv", "hertfordshire", "Essex"),
    ]:
        add(
            f"{named} named in a file in the {folder} folder",
            folder,
            file_name,
            est(folder, council),
            "rejected",
            f"names {named}",
            "own return",
        )

    # Names that hide a file, and files in feedback folders, still get a ledger row.
    add(
        "name starting with a dot",
        "luton",
        ".luton_{m}_establishment.csv",
        est("luton"),
        "rejected",
        "starts with a dot",
        "rename it",
    )
    add(
        "name starting with two dots",
        "luton",
        "..luton_{m}_establishment.csv",
        est("luton"),
        "rejected",
        "starts with a dot",
    )
    add("hidden name with no month", "essex", ".hidden.csv", est("essex"), "rejected", "dot")
    add(
        "return dropped in the council's feedback folder",
        "luton/feedback",
        "luton_{m}_establishment.csv",
        est("luton"),
        "rejected",
        "feedback",
        "Move it",
    )
    add(
        "return dropped in the bucket's feedback folder",
        "feedback",
        "luton_{m}_establishment.csv",
        est("luton"),
        "rejected",
        "feedback",
        "Move it",
    )
    long_stem = "norfolk_{m}_establishment_"
    padding = LONG_NAME_BYTES - len(long_stem.format(m="2018-01")) - len(".csv")
    add(
        "file name of 255 bytes (feedback name shortened)",
        "norfolk",
        long_stem + "x" * padding + ".csv",
        est("norfolk"),
        "accepted",
        "Accepted",
    )
    for name, file_name in [
        ("LibreOffice lock file", ".~lock.luton_{m}_return.xlsx#"),
        ("rsync temporary copy", ".luton_{m}_return.xlsx.Ab12Cd"),
        ("macOS folder clutter", ".DS_Store"),
    ]:
        add(name, "luton", file_name, lambda m: b"lock", "ignored")

    # A submission date in a name is never the return's month.
    add(
        "submission date in a CSV name",
        "thurrock",
        "thurrock_{m}_establishment (submitted 2022-10-15).csv",
        est("thurrock"),
        "accepted",
        "Accepted",
    )
    add(
        "sent date in UK order in a CSV name",
        "thurrock",
        "thurrock_{m}_establishment sent 15-10-2022.csv",
        est("thurrock"),
        "accepted",
        "Accepted",
    )
    add(
        "census XML with a submission date in its name",
        "thurrock",
        "CSWW 2024 (submitted 2024-10-15).xml",
        lambda m: census_xml_bytes("883", 2024, 2024, seed=SEED),
        "accepted",
        "Accepted",
    )

    # Sheets chosen on purpose: visible only, one per table.
    def rows(month: str, code: str = "873") -> list[list[object]]:
        return officer_rows(frame_for(month, code))

    def stale(code: str = "873") -> list[list[object]]:
        return officer_rows(frame_for("2017-12", code))

    add(
        "hidden stale copy beside the visible sheet",
        "cambridgeshire",
        "cambridgeshire_{m}_return.xlsx",
        lambda m: _hidden_xlsx(
            {"Establishment ": stale(), "establishment": rows(m)}, ("Establishment ",)
        ),
        "accepted_with_warnings",
        "SHEET-W01",
        "Hidden sheet",
    )
    add(
        "very hidden stale copy",
        "cambridgeshire",
        "cambridgeshire_{m}_return.xlsx",
        lambda m: _hidden_xlsx(
            {"ESTABLISHMENT": rows(m), " establishment": stale()}, (" establishment",), "veryHidden"
        ),
        "accepted_with_warnings",
        "SHEET-W01",
    )
    add(
        "hidden sheet that is not a return table",
        "cambridgeshire",
        "cambridgeshire_{m}_return.xlsx",
        lambda m: _hidden_xlsx({"establishment": rows(m), "Lists": [["H9"], ["H10"]]}, ("Lists",)),
        "accepted",
        "Accepted",
    )
    add(
        "only copy of the table hidden",
        "cambridgeshire",
        "cambridgeshire_{m}_return.xlsx",
        lambda m: _hidden_xlsx(
            {"Notes": [["see establishment"]], "establishment": rows(m)}, ("establishment",)
        ),
        "rejected",
        "is hidden",
        "unhide",
    )
    add(
        "two visible sheets for one table",
        "peterborough",
        "peterborough_{m}_return.xlsx",
        lambda m: xlsx_bytes({"Establishment": rows(m, "874"), "establishment ": rows(m, "874")}),
        "rejected",
        "2 sheets for the establishment table",
    )
    add(
        "two visible agency sheets in different spellings",
        "peterborough",
        "peterborough_{m}_return.xlsx",
        lambda m: xlsx_bytes(
            {
                "establishment": rows(m, "874"),
                "Agency Assignments": [["Assignment reference"]],
                "agency_assignments": [["Assignment reference"]],
            }
        ),
        "rejected",
        "2 sheets for the agency_assignments table",
    )
    return cases
