"""The published return template and its docs page, read back with real Excel readers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from common.labels import code_label
from ingest.cells import parse_code, parse_flag
from ingest.readers import about_sheet_declarations, read_workbook
from ingest.return_contract import NUMERIC_KINDS, RETURN_TABLES
from ingest.template import (
    ABOUT_SHEET,
    DOCS_PATH,
    LA_CODE_LABEL,
    LAST_TEMPLATE_ROW,
    PERIOD_LABEL,
    TEMPLATE_TIMESTAMP,
    allowed_labels,
    build_template,
    render_columns_markdown,
    template_workbook,
    workbook_bytes,
)
from orchestration.cli import main

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [(t, c) for t in RETURN_TABLES.values() for c in t.columns]


@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    return build_template(tmp_path_factory.mktemp("template") / "moc_return_template.xlsx")


@pytest.fixture(scope="module")
def book(template_path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template_path)


def _validation_for(sheet, letter: str):
    """The data validation covering rows 2..LAST_TEMPLATE_ROW of a column, if any."""
    wanted = f"{letter}2:{letter}{LAST_TEMPLATE_ROW}"
    found = [dv for dv in sheet.data_validations.dataValidation if str(dv.sqref) == wanted]
    return found[0] if found else None


def test_sheets_are_about_then_the_return_tables_in_order(book, template_path):
    assert book.sheetnames == [ABOUT_SHEET, *RETURN_TABLES]
    assert CalamineWorkbook.from_path(str(template_path)).sheet_names == book.sheetnames


@pytest.mark.parametrize("table", RETURN_TABLES.values(), ids=list(RETURN_TABLES))
def test_headers_are_row_one_bold_and_frozen(book, template_path, table):
    sheet = book[table.name]
    assert [cell.value for cell in sheet[1]] == table.headers
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[c.column_letter].width >= 10 for c in sheet[1])
    rows = CalamineWorkbook.from_path(str(template_path)).get_sheet_by_name(table.name).to_python()
    assert rows == [table.headers], "a blank template: headers only"


@pytest.mark.parametrize(
    ("table", "column"), COLUMNS, ids=[f"{t.name}.{c.name}" for t, c in COLUMNS]
)
def test_every_header_has_a_note(book, table, column):
    cell = book[table.name].cell(row=1, column=table.columns.index(column) + 1)
    assert cell.comment is not None
    note = cell.comment.text
    assert column.description in note
    if column.required_from:
        assert f"Required in returns for {column.required_from} onwards" in note
    else:
        assert ("Required." if column.required else "Optional.") in note
    assert "Allowed values:" in note
    for label in allowed_labels(column):
        assert label in note
    if column.personal:
        assert "Personal data" in note


@pytest.mark.parametrize(
    ("table", "column"), COLUMNS, ids=[f"{t.name}.{c.name}" for t, c in COLUMNS]
)
def test_columns_have_the_right_checks(book, table, column):
    letter = openpyxl.utils.get_column_letter(table.columns.index(column) + 1)
    check = _validation_for(book[table.name], letter)
    if column.kind in ("code", "flag"):
        assert check is not None and check.type == "list"
        assert check.formula1 == '"' + ",".join(allowed_labels(column)) + '"'
        assert check.showErrorMessage and check.allow_blank
    elif column.kind == "date":
        assert check is not None and check.type == "date"
    elif column.kind in NUMERIC_KINDS:
        assert check is not None and check.type == "decimal"
        assert (check.operator, check.formula1) == ("greaterThanOrEqual", "0")
    else:
        assert check is None


def test_drop_down_labels_read_back_as_the_stored_codes():
    assert code_label("vacancy_cover") == "Vacancy cover"
    assert code_label("5") == "5"
    for _, column in COLUMNS:
        if column.kind == "code":
            assert [parse_code(label, column.codes) for label in allowed_labels(column)] == list(
                column.codes
            )
        if column.kind == "flag":
            assert [parse_flag(label) for label in allowed_labels(column)] == [True, False]


def test_numeric_codes_are_offered_as_numbers(book):
    role = RETURN_TABLES["workforce"].column("org_role")
    assert allowed_labels(role) == ("1", "2", "3", "4", "5", "6")


def test_about_sheet_has_la_code_and_period_in_a_key_value_layout(book, template_path):
    about = book[ABOUT_SHEET]
    labels = {row[0].value: row for row in about.iter_rows() if row[0].value}
    for label in (LA_CODE_LABEL, PERIOD_LABEL):
        key, value = labels[label][:2]
        assert key.column_letter == "A" and value.column_letter == "B"
        assert value.value is None, "left for the officer to fill in"
        assert value.number_format == "@", "text, so Excel keeps 2025-03 as typed"
    text = " ".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    assert "<council folder>/<council>_<YYYY-MM>_return.xlsx" in text


def test_the_reader_finds_la_code_and_period_once_filled_in():
    book = template_workbook()
    about = book[ABOUT_SHEET]
    for row in about.iter_rows():
        if row[0].value == LA_CODE_LABEL:
            row[1].value = "821"
        if row[0].value == PERIOD_LABEL:
            row[1].value = "2025-03"
    data = workbook_bytes(book, TEMPLATE_TIMESTAMP)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data))
    codes, periods = about_sheet_declarations(rows.get_sheet_by_name(ABOUT_SHEET).to_python())
    assert (codes, periods) == ({"821"}, {"2025-03"})


def test_a_template_with_only_establishment_filled_in_is_readable():
    book = template_workbook()
    book["establishment"].append(["MASH", "H9", 10, 8, 1, 1, 1, 0, 0, 0, 0, 0, 50, 8])
    parsed = read_workbook(workbook_bytes(book, TEMPLATE_TIMESTAMP))
    assert list(parsed) == ["establishment"]


def test_template_bytes_are_the_same_on_every_build(tmp_path, template_path):
    again = build_template(tmp_path / "again.xlsx")
    assert again.read_bytes() == template_path.read_bytes()
    # And across processes, whatever the hash seed (set ordering must not leak into the file).
    script = "import sys; from ingest.template import build_template; build_template(sys.argv[1])"
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.xlsx"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(out)], cwd=ROOT, env=env, check=True)
        assert out.read_bytes() == template_path.read_bytes()


def test_workbook_properties_carry_the_fixed_date(book):
    assert book.properties.created == TEMPLATE_TIMESTAMP
    assert book.properties.modified == TEMPLATE_TIMESTAMP


def test_moc_template_writes_the_workbook(tmp_path, capsys):
    target = tmp_path / "out" / "template.xlsx"
    assert main(["template", "--output", str(target)]) == 0
    assert openpyxl.load_workbook(target).sheetnames == [ABOUT_SHEET, *RETURN_TABLES]
    assert str(target) in capsys.readouterr().out


def test_docs_page_is_in_sync_with_tables_py():
    assert DOCS_PATH.read_text(encoding="utf-8") == render_columns_markdown(), (
        "docs/return_template.md is out of date: run `moc template --docs` and commit it."
    )


def test_docs_page_describes_every_column():
    page = render_columns_markdown()
    for table, column in COLUMNS:
        assert f"## `{table.name}`" in page
        assert table.description in page
        assert f"| {column.header} | `{column.name}` |" in page
    assert "Vacancy cover (`vacancy_cover`)" in page
    assert "keyed hash" in page
    assert "| From 2025-10 |" in page, "a column required from a month says from when"
    assert "PAYE (`paye`)" in page
