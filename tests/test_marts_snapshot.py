"""The marts snapshot: a separate DuckDB file with the marts, the reference seeds and the
ledger, written aside and renamed into place, readable while the warehouse is locked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from common.settings import load_settings
from transform.marts_snapshot import LEDGER_COLUMNS, publish_marts_snapshot, snapshot_path


@pytest.fixture
def settings(tmp_path):
    return load_settings({"MOC_DATA_DIR": str(tmp_path / "data")})


def _build_warehouse(path: Path, vacancy_rate: float = 25.0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(
        """
        CREATE SCHEMA marts; CREATE SCHEMA reference; CREATE SCHEMA ledger; CREATE SCHEMA raw;
        CREATE SCHEMA staging; CREATE SCHEMA intermediate;
        CREATE TABLE marts.dim_councils (council_code VARCHAR, council_name VARCHAR);
        INSERT INTO marts.dim_councils VALUES ('821', 'Luton'), ('881', 'Essex');
        CREATE TABLE marts.fct_vacancies_council_months (
            council_code VARCHAR, period VARCHAR, vacancy_rate DOUBLE, month_end_date DATE);
        CREATE TABLE reference.members (council_code VARCHAR, joined_on DATE);
        INSERT INTO reference.members VALUES ('821', DATE '2024-01-01');
        CREATE TABLE raw.establishment (ledger_id BIGINT, team VARCHAR, worker_name VARCHAR);
        INSERT INTO raw.establishment VALUES (1, 'MASH', 'A Person'), (1, 'LAC', 'B Person');
        CREATE TABLE raw.pay_scales (ledger_id BIGINT, grade VARCHAR);
        INSERT INTO raw.pay_scales VALUES (1, 'H9'), (2, 'L3');
        CREATE TABLE raw.file_tables (ledger_id BIGINT, table_name VARCHAR,
            council_code VARCHAR, period VARCHAR, row_count INTEGER);
        INSERT INTO raw.file_tables VALUES (1, 'establishment', '821', '2026-06', 2),
            (1, 'pay_scales', '821', '2026-06', 1), (2, 'pay_scales', '821', '2026-06', 1),
            (3, 'agency_assignments', '821', '2026-06', 0);
        CREATE VIEW staging.stg_x AS SELECT * FROM raw.establishment;
        CREATE TABLE intermediate.int_y AS SELECT * FROM raw.establishment;
        """
    )
    con.execute(
        "INSERT INTO marts.fct_vacancies_council_months VALUES ('821', '2026-06', ?, "
        "DATE '2026-06-30')",
        [vacancy_rate],
    )
    columns = ", ".join(f"{c} VARCHAR" for c in LEDGER_COLUMNS)
    con.execute(f"CREATE TABLE ledger.files ({columns}, secret_note VARCHAR)")
    con.execute(
        "INSERT INTO ledger.files (ledger_id, file_name, status, council_code, period, "
        "secret_note) VALUES (1, 'luton_2026-06_return.xlsx', 'accepted', '821', '2026-06', "
        "'not for the dashboard'), (2, 'luton_2026-06_pay_scales.csv', 'rejected', '821', "
        "'2026-06', 'x')"
    )
    con.close()


def _tables(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
    finally:
        con.close()
    return {f"{schema}.{table}" for schema, table in rows}


def test_snapshot_holds_the_marts_reference_and_ledger_and_nothing_raw(settings):
    _build_warehouse(settings.warehouse_path)
    path = publish_marts_snapshot(settings)
    assert (
        path
        == settings.published_dir / "marts" / "marts_snapshot.duckdb"
        == snapshot_path(settings)
    )
    assert _tables(path) == {
        "marts.dim_councils",
        "marts.fct_vacancies_council_months",
        "reference.members",
        "ledger.files",
        "ledger.file_tables",
        "main.snapshot_info",
    }
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute(
            "SELECT council_code, period, vacancy_rate, month_end_date "
            "FROM marts.fct_vacancies_council_months"
        ).fetchall() == [("821", "2026-06", 25.0, dt.date(2026, 6, 30))]
        ledger_columns = [d[0] for d in con.execute("SELECT * FROM ledger.files").description]
        assert ledger_columns == list(LEDGER_COLUMNS)  # the extra column stays behind
        assert con.execute(
            "SELECT ledger_id, table_name, rows_loaded FROM ledger.file_tables"
        ).fetchall() == [
            (1, "establishment", 2),
            (1, "pay_scales", 1),
            (2, "pay_scales", 1),
            (3, "agency_assignments", 0),  # a nil return
        ]
        (info,) = con.execute("SELECT pipeline_version, table_count FROM snapshot_info").fetchall()
        assert info == ("0.1.0", 5)
    finally:
        con.close()
    assert [p.name for p in path.parent.iterdir()] == [
        "marts_snapshot.duckdb"
    ]  # nothing left aside


def test_snapshot_is_readable_while_a_writer_holds_the_warehouse(settings):
    _build_warehouse(settings.warehouse_path)
    path = publish_marts_snapshot(settings)
    writer = duckdb.connect(str(settings.warehouse_path))  # the pipeline writing
    try:
        reader = duckdb.connect(str(path), read_only=True)
        assert reader.execute("SELECT count(*) FROM marts.dim_councils").fetchone() == (2,)
        reader.close()
    finally:
        writer.close()


def test_republishing_replaces_the_file_and_an_open_reader_keeps_its_copy(settings):
    _build_warehouse(settings.warehouse_path, vacancy_rate=25.0)
    path = publish_marts_snapshot(settings)
    reader = duckdb.connect(str(path), read_only=True)
    try:
        settings.warehouse_path.unlink()
        _build_warehouse(settings.warehouse_path, vacancy_rate=30.0)
        publish_marts_snapshot(settings)
        old = reader.execute("SELECT vacancy_rate FROM marts.fct_vacancies_council_months")
        assert old.fetchone() == (25.0,)
    finally:
        reader.close()
    fresh = duckdb.connect(str(path), read_only=True)
    try:
        new = fresh.execute("SELECT vacancy_rate FROM marts.fct_vacancies_council_months")
        assert new.fetchone() == (30.0,)
    finally:
        fresh.close()
    assert [p.name for p in path.parent.iterdir()] == ["marts_snapshot.duckdb"]


def test_a_warehouse_without_a_ledger_gives_an_empty_one(settings):
    settings.warehouse_path.parent.mkdir(parents=True)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.dim_months (period VARCHAR)")
    con.close()
    path = publish_marts_snapshot(settings)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM ledger.files").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM ledger.file_tables").fetchone() == (0,)
    finally:
        con.close()


def test_no_warehouse_publishes_nothing(settings):
    with pytest.raises(FileNotFoundError, match="No warehouse"):
        publish_marts_snapshot(settings)
    assert not snapshot_path(settings).exists()
