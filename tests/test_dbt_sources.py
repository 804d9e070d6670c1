"""The dbt sources of intake's tables are written from intake's definitions (transform.dbt_sources,
``moc dbt-sources``): the committed files are exactly what the code writes, and they declare the
columns and types of the tables intake really creates."""

from __future__ import annotations

import duckdb
import pytest
import yaml

from common.settings import DBT_PROJECT_DIR
from ingest.return_contract import TABLES
from ingest.warehouse import RAW_METADATA_COLUMNS, RAW_SCHEMA, ensure_warehouse_tables
from transform.dbt_sources import generated_files


@pytest.mark.parametrize(
    "path", list(generated_files()), ids=lambda p: p.relative_to(DBT_PROJECT_DIR).as_posix()
)
def test_the_committed_file_is_what_moc_dbt_sources_writes(path):
    """Run `moc dbt-sources` (make dbt-sources) after changing the return contract or the
    ledger, and commit what it writes."""
    assert path.read_text(encoding="utf-8") == generated_files()[path]


def _declared(path) -> dict[str, dict[str, str]]:
    """table -> column -> data_type, as the sources YAML declares them."""
    (source,) = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    return {
        table["name"]: {column["name"]: column["data_type"] for column in table["columns"]}
        for table in source["tables"]
    }


def _created(con, schema: str) -> dict[str, dict[str, str]]:
    rows = con.execute(
        "SELECT table_name, column_name, lower(data_type) FROM information_schema.columns "
        "WHERE table_schema = ? ORDER BY table_name, ordinal_position",
        [schema],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, {})[column] = data_type
    return tables


def test_the_returns_source_is_every_raw_table_intake_creates_column_for_column():
    path = next(p for p in generated_files() if p.name == "_returns__sources.yml")
    con = duckdb.connect(":memory:")
    ensure_warehouse_tables(con)
    assert _declared(path) == _created(con, RAW_SCHEMA)
    for name, table in TABLES.items():
        assert list(_declared(path)[name]) == [*table.column_names, *RAW_METADATA_COLUMNS]


def test_the_ledger_source_declares_ledger_columns_with_their_types():
    path = next(p for p in generated_files() if p.name == "_ledger__sources.yml")
    from ingest.ledger import ensure_ledger

    con = duckdb.connect(":memory:")
    ensure_ledger(con)
    created = _created(con, "ledger")["files"]
    declared = _declared(path)["files"]
    assert {name: created[name] for name in declared} == declared


def test_every_contract_description_reaches_the_sources():
    path = next(p for p in generated_files() if p.name == "_returns__sources.yml")
    (source,) = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    described = {
        (table["name"], column["name"]): column["description"]
        for table in source["tables"]
        for column in table["columns"]
    }
    for name, table in TABLES.items():
        for column in table.columns:
            assert described[name, column.name] == column.description


def test_moc_dbt_sources_writes_them():
    from orchestration.cli import build_parser, cmd_dbt_sources

    assert build_parser().parse_args(["dbt-sources"]).func is cmd_dbt_sources
