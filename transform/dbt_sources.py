"""The dbt sources that intake fills, written from intake's own definitions of them.

``moc dbt-sources`` (``make dbt-sources``) writes, as ``moc gx-suites`` writes the GX project
from ``ingest/suites.py``:

- ``models/staging/returns/_returns__sources.yml``: every raw return table with the columns of
  the return contract (``ingest/return_contract.py``: stored names, descriptions, data types of
  their kinds), the file metadata every raw table carries (``ingest/warehouse.py``
  RAW_METADATA_COLUMNS) and ``raw.file_tables`` (FILE_TABLES_COLUMNS);
- ``models/staging/ledger/_ledger__sources.yml``: the ledger columns dbt reads, with the types of
  intake's own DDL (``ingest/ledger.py``) and the ledger statuses (``ledger.STATUSES``);
- ``macros/return_tables.sql``: the return tables' names, in the contract's order.

Change the contract, then rewrite these files; tests/test_dbt_sources.py checks the committed
files are exactly what this module writes. The pipeline never runs this module.

What intake's definitions do not say and dbt needs lives here: the descriptions of sources and
of the metadata and ledger columns, and the data tests (not_null on a table's key columns and
on the metadata columns the warehouse declares NOT NULL, every row's council a member, the
values raw.file_tables and the ledger's status may hold).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import duckdb
import yaml

from common.settings import DBT_PROJECT_DIR
from ingest import ledger
from ingest.return_contract import TABLES, Column, ReturnTable
from ingest.warehouse import (
    FILE_TABLES,
    FILE_TABLES_COLUMNS,
    RAW_METADATA_COLUMNS,
    RAW_SCHEMA,
    SQL_TYPES,
)

STAGING_DIR = DBT_PROJECT_DIR / "models" / "staging"
RETURNS_SOURCES_PATH = STAGING_DIR / "returns" / "_returns__sources.yml"
LEDGER_SOURCES_PATH = STAGING_DIR / "ledger" / "_ledger__sources.yml"
RETURN_TABLES_MACRO_PATH = DBT_PROJECT_DIR / "macros" / "return_tables.sql"
WRITTEN_BY = "Written by `moc dbt-sources` (transform/dbt_sources.py) from {inputs}"
LINE_LENGTH = 100

RETURNS_DESCRIPTION = (
    "Councils' monthly returns as ingest stores them after validation. Ingest appends the rows "
    "of every accepted file version, so a council that resubmits a period has several versions "
    "here; the current one of each table is chosen downstream (int_return_versions_current)."
)
# What each file-metadata column of a raw table means (names and types: RAW_METADATA_COLUMNS).
METADATA_DESCRIPTIONS = {
    "ledger_id": (
        "The file's row in the ledger; a higher ledger_id is a later version of the council's "
        "return (ledger order, not file times). Picks the current version of each table."
    ),
    "file_sha256": "SHA-256 of the accepted file the row came from; identifies the file version.",
    "council_code": "DfE code of the council that sent the file.",
    "period": "Month the return describes, as 'YYYY-MM' (snapshot at its last day).",
    "received_at": "When the file arrived in the bucket.",
    "source_row_number": "Row number in the file as the officer sees it in Excel.",
}
FILE_TABLES_DESCRIPTION = (
    "Which tables each accepted file delivered, with how many rows (ingest's raw.file_tables). "
    "A file's version of a table exists even with no rows: a nil return (a council's agency "
    "CSV with its header only: no assignments were open in the month) replaces the rows of "
    "earlier versions. The current version of each table is taken from here, not from the rows."
)
FILE_TABLES_DESCRIPTIONS = {
    "ledger_id": "The file's row in the ledger; a higher ledger_id is a later version.",
    "table_name": "The raw table the file delivered (ingest/return_contract.py).",
    "council_code": "DfE code of the council that sent the file.",
    "period": "Month the return describes, as 'YYYY-MM'.",
    "row_count": "Rows of the table the file delivered; 0 for a nil return.",
}
LEDGER_DESCRIPTION = (
    "What intake recorded about every file that arrived in the bucket (ingest/ledger.py), "
    "whatever became of it: accepted, with warnings, rejected, a duplicate, or superseded by a "
    "later version. The returns' received and late councils are read from here."
)
FILES_DESCRIPTION = (
    "One row per file version that arrived, with its council, month, status and counts. The "
    "columns dbt reads; the ledger holds more (paths, checksums, messages, feedback)."
)
# The ledger columns dbt reads and what they mean; their types are the ledger's DDL's.
LEDGER_DESCRIPTIONS = {
    "ledger_id": "The file's row in the ledger, in arrival order: a later id is a later version.",
    "file_name": "The file's name as the council sent it.",
    "council_code": "DfE code of the council the file came from; empty when not identified.",
    "period": "Month the file's return describes, 'YYYY-MM'; empty when not identified.",
    "return_type": (
        "What the file is: workbook, census (a census XML) or the table of a CSV; empty when "
        "not identified."
    ),
    "version": "The file's version number among the council's files of its kind for the month.",
    "status": (
        "What became of the file: accepted, accepted_with_warnings, rejected, duplicate (the "
        "same bytes again) or superseded (accepted, then every table it delivered replaced)."
    ),
    "received_at": "When the file arrived in the bucket.",
}
MEMBER_COUNCIL = {"relationships": {"arguments": {"to": "ref('members')", "field": "council_code"}}}


# --- the returns source -----------------------------------------------------------------------


def _data_type(sql_type: str) -> str:
    """'BIGINT NOT NULL' -> 'bigint': the column's type as dbt documents it."""
    return sql_type.split()[0].lower()


def _is_not_null(sql_type: str) -> bool:
    return "NOT NULL" in sql_type.upper()


def _column(name: str, description: str, data_type: str, tests: list) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "description": description, "data_type": data_type}
    if tests:
        entry["data_tests"] = tests
    return entry


def _contract_column(table: ReturnTable, column: Column) -> dict[str, Any]:
    tests = ["not_null"] if column.name in table.key else []
    return _column(column.name, column.description, SQL_TYPES[column.kind].lower(), tests)


def _metadata_column(name: str, sql_type: str) -> dict[str, Any]:
    tests: list = ["not_null"] if _is_not_null(sql_type) else []
    if name == "council_code":
        tests.append(MEMBER_COUNCIL)
    return _column(name, METADATA_DESCRIPTIONS[name], _data_type(sql_type), tests)


def table_description(table: ReturnTable) -> str:
    """The contract's description of the table, then how ingest stores it."""
    parts = [
        table.description,
        "Rows of every accepted file version, under the stored column names of",
        "ingest/return_contract.py, plus the file metadata of ingest/warehouse.py.",
    ]
    if any(c.personal == "hash" for c in table.columns):
        parts.append("Identifiers are keyed hashes.")
    parts.append(
        "Ingest stores every numeric column as double (counts included); staging types them."
    )
    return " ".join(parts)


def return_table_source(table: ReturnTable) -> dict[str, Any]:
    columns = [_contract_column(table, c) for c in table.columns]
    columns += [_metadata_column(n, t) for n, t in RAW_METADATA_COLUMNS.items()]
    return {"name": table.name, "description": table_description(table), "columns": columns}


def file_tables_source() -> dict[str, Any]:
    columns = []
    for name, sql_type in FILE_TABLES_COLUMNS.items():
        tests: list = ["not_null"] if _is_not_null(sql_type) else []
        if name == "table_name":
            tests.append({"accepted_values": {"arguments": {"values": list(TABLES)}}})
        columns.append(_column(name, FILE_TABLES_DESCRIPTIONS[name], _data_type(sql_type), tests))
    schema, name = FILE_TABLES.split(".")
    assert schema == RAW_SCHEMA
    return {"name": name, "description": FILE_TABLES_DESCRIPTION, "columns": columns}


def returns_sources() -> dict[str, Any]:
    """The returns source (schema raw) as dbt's YAML holds it."""
    tables = [return_table_source(t) for t in TABLES.values()]
    source = {
        "name": "returns",
        "description": RETURNS_DESCRIPTION,
        "schema": RAW_SCHEMA,
        "tables": [*tables, file_tables_source()],
    }
    return {"version": 2, "sources": [source]}


# --- the ledger source ------------------------------------------------------------------------


def ledger_column_types() -> dict[str, str]:
    """Column -> DuckDB type of the ledger table, from intake's own DDL run on an empty
    in-memory database."""
    con = duckdb.connect(":memory:")
    try:
        ledger.ensure_ledger(con)
        schema, table = ledger.LEDGER_TABLE.split(".")
        rows = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
    finally:
        con.close()
    return {name: data_type.lower() for name, data_type in rows}


def ledger_sources() -> dict[str, Any]:
    """The ledger source (schema ledger, table files) as dbt's YAML holds it."""
    types = ledger_column_types()
    tests: dict[str, list] = {
        "ledger_id": ["not_null"],
        "status": [
            "not_null",
            {"accepted_values": {"arguments": {"values": list(ledger.STATUSES)}}},
        ],
    }
    columns = [
        _column(name, LEDGER_DESCRIPTIONS[name], types[name], tests.get(name, []))
        for name in types
        if name in LEDGER_DESCRIPTIONS
    ]
    missing = set(LEDGER_DESCRIPTIONS) - set(types)
    if missing:
        raise ValueError(f"described ledger columns the ledger does not have: {sorted(missing)}")
    schema, table = ledger.LEDGER_TABLE.split(".")
    files = {"name": table, "description": FILES_DESCRIPTION, "columns": columns}
    source = {
        "name": schema,
        "description": LEDGER_DESCRIPTION,
        "schema": schema,
        "tables": [files],
    }
    return {"version": 2, "sources": [source]}


# --- the return tables macro ------------------------------------------------------------------


def return_tables_macro() -> str:
    names = ", ".join(f"'{name}'" for name in TABLES)
    return (
        "{#-\n"
        f"    {WRITTEN_BY.format(inputs='ingest/return_contract.py')}.\n"
        "    Edit what it is written from, never this file.\n"
        "-#}\n\n"
        "{#- The return tables, by their names in the return contract, in its order. -#}\n"
        "{% macro return_tables() -%}\n"
        f"    {{{{ return([{names}]) }}}}\n"
        "{%- endmacro %}\n"
    )


# --- writing ------------------------------------------------------------------------------------


def generated_files() -> dict[Path, str]:
    """Each file ``moc dbt-sources`` writes, with its text."""
    return {
        RETURNS_SOURCES_PATH: render_yaml(
            returns_sources(), "ingest/return_contract.py and ingest/warehouse.py"
        ),
        LEDGER_SOURCES_PATH: render_yaml(ledger_sources(), "ingest/ledger.py"),
        RETURN_TABLES_MACRO_PATH: return_tables_macro(),
    }


def write_sources() -> list[Path]:
    """(Re)write every generated file; returns their paths."""
    written = []
    for path, text in generated_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def render_yaml(document: dict[str, Any], inputs: str) -> str:
    """The document as YAML in the layout of the project's hand-written files (two-space
    indents, lists under their key, a text too long for its key's line folded at LINE_LENGTH),
    under a header naming what it is written from. Raises if it would not read back as the
    document."""
    header = textwrap.wrap(
        WRITTEN_BY.format(inputs=inputs) + ". Edit what it is written from, never this file.",
        LINE_LENGTH - 2,
    )
    text = "".join(f"# {line}\n" for line in header) + "\n".join(_lines(document, 0)) + "\n"
    if yaml.safe_load(text) != document:  # pragma: no cover - a value this writer cannot hold
        raise ValueError("the YAML written does not read back as the document")
    return text


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                lines += [f"{pad}{key}:", *_lines(item, indent + 2)]
            else:
                lines += _scalar_lines(f"{pad}{key}:", item, indent + 2)
        return lines
    for item in value:
        if isinstance(item, dict | list):
            first, *rest = _lines(item, indent + 2)
            lines += [f"{pad}- {first.lstrip()}", *rest]
        else:
            lines += _scalar_lines(f"{pad}-", item, indent + 2)
    return lines


def _scalar_lines(prefix: str, value: Any, indent: int) -> list[str]:
    """``prefix value`` when it fits and reads back as itself, else a folded block."""
    plain = f"{prefix} {value}"
    if len(plain) <= LINE_LENGTH and _reads_back_plain(value):
        return [plain]
    wrapped = textwrap.wrap(str(value), LINE_LENGTH - indent, break_on_hyphens=False)
    return [f"{prefix} >-", *(" " * indent + line for line in wrapped)]


def _reads_back_plain(value: Any) -> bool:
    try:
        return yaml.safe_load(f"x: {value}") == {"x": value}
    except yaml.YAMLError:
        return False
