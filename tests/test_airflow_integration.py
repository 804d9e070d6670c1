"""Integration: a real Airflow (scheduler, dag-processor, api-server; LocalExecutor) on the
machine's PostgreSQL runs the pipeline unattended.

Files dropped into the bucket are ingested by a triggered ``ingest_returns`` run; everything
after that happens through assets alone (``build_marts`` on the raw-table assets,
``publish_benchmarks`` on the marts asset). Then a corrected return arrives and the published
benchmark changes. Airflow runs in subprocesses with their own environment (this session's
conftest points the in-process Airflow at SQLite; none of that reaches the services), and
everything is torn down: no process left, the database dropped.
"""

from __future__ import annotations

import csv
import os
import secrets
import time
from decimal import Decimal
from pathlib import Path

import pytest
from support.airflow_services import AirflowServices, free_port, service_environment

from common.members import members_by_code
from common.rounding import round_half_away
from ingest import ledger, warehouse
from orchestration.local_airflow import POOLS
from samples.establishment import establishment_frame
from samples.return_files import write_return
from samples.returns import generate_returns

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PERIOD = "2025-06"
SEED = 7
COUNCILS = ["873", "821", "874"]  # Cambridgeshire, Luton, Peterborough: CSV senders
CORRECTED = "873"
PIPELINE_DAGS = {"ingest_returns", "build_marts", "publish_benchmarks"}
WAIT_SECONDS = 600  # per phase; a phase normally takes one to two minutes
POLL_SECONDS = 5


def _pg_connect(dbname: str):
    import psycopg2

    connection = psycopg2.connect(dbname=dbname, connect_timeout=5, **PG)
    connection.autocommit = True
    return connection


@pytest.fixture
def metadata_db():
    """A fresh PostgreSQL database for Airflow's metadata, dropped afterwards."""
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = _pg_connect("postgres")
    except psycopg2.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable on {PG['host']}:{PG['port']}: {error}")
    name = f"moc_it_{secrets.token_hex(4)}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def airflow_services(tmp_path, metadata_db):
    """Airflow's metadata migrated, the DuckDB pool created, the three services running."""
    api_port = free_port()
    env = service_environment(
        airflow_home=tmp_path / "airflow",
        sql_alchemy_conn=f"postgresql+psycopg2://postgres@127.0.0.1:5432/{metadata_db}",
        api_port=api_port,
        data_dir=tmp_path / "data",
    )
    services = AirflowServices(env, tmp_path / "service-logs")
    try:
        services.airflow("db", "migrate", timeout=300)
        for pool, slots, description in POOLS:
            services.airflow("pools", "set", pool, str(slots), description)
        services.start()
        yield services
    finally:
        leftovers = services.stop(timeout=30)
    assert not leftovers, f"processes left behind: {[(p.pid, p.name()) for p in leftovers]}"
    assert all(p.returncode is not None for p in services.processes.values())


def _query(dbname: str, sql: str, params=()) -> list[tuple]:
    connection = _pg_connect(dbname)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def _read_ledger(warehouse_path: Path):
    """The ledger, or None while the warehouse is missing or locked by a writing task."""
    import duckdb

    if not warehouse_path.exists():
        return None
    try:
        con = warehouse.connect(warehouse_path, read_only=True)
    except duckdb.Error as error:
        if "lock" in str(error).lower():
            return None
        raise
    try:
        return ledger.read_ledger(con) if ledger.has_ledger(con) else None
    finally:
        con.close()


def _published_vacancy_rates(csv_path: Path) -> dict[str, Decimal] | None:
    if not csv_path.exists():
        return None
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Members without a return this month are listed with "x" (not available).
    return {
        r["old_la_code"]: Decimal(r["value"])
        for r in rows
        if r["indicator"] == "vacancy_rate_fte"
        and r["geographic_level"] == "Local authority"
        and r["regional_role"] == "Total"
        and r["value"] != "x"
    }


def _land(path: Path, staging: Path, bucket: Path) -> Path:
    """Move a staged file into the bucket in one step, as an object-store upload appears
    (a scheduled ingest run may be listing the bucket at any moment)."""
    target = bucket / path.relative_to(staging)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    return target


def _vacancy_rate(frame) -> Decimal:
    vacancy, permanent = frame["vacancy_fte"].sum(), frame["permanent_fte"].sum()
    return round_half_away(100 * vacancy / (vacancy + permanent))


def _corrected_frame():
    """The corrected return: 20 more funded posts, all vacant, on the first row (the three
    figures stay consistent, so the file is accepted without warnings)."""
    frame = establishment_frame(CORRECTED, PERIOD, seed=SEED)
    frame.loc[0, "establishment_fte"] += 20
    frame.loc[0, "vacancy_fte"] += 20
    return frame


def _diagnostics(services: AirflowServices, dbname: str, airflow_home: Path) -> str:
    parts = [services.log_tails(60)]
    try:
        runs = _query(
            dbname,
            "SELECT dag_id, run_id, run_type, state FROM dag_run ORDER BY id",
        )
        tis = _query(
            dbname,
            "SELECT dag_id, run_id, task_id, state, try_number FROM task_instance ORDER BY id",
        )
        parts.append("--- dag runs\n" + "\n".join(map(str, runs)))
        parts.append("--- task instances\n" + "\n".join(map(str, tis)))
    except Exception as error:  # diagnostics must not hide the failure
        parts.append(f"(could not query the metadata DB: {error})")
    task_logs = sorted((airflow_home / "logs").rglob("*.log"), key=lambda p: p.stat().st_mtime)
    for path in task_logs[-4:]:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
        parts.append(f"--- {path} (last 40 lines)\n" + "\n".join(text[-40:]))
    return "\n".join(parts)


def test_airflow_runs_the_pipeline_unattended(airflow_services, metadata_db, tmp_path):
    services, dbname = airflow_services, metadata_db
    data_dir = Path(services.env["MOC_DATA_DIR"])
    bucket, warehouse_path = data_dir / "bucket", data_dir / "warehouse.duckdb"
    published = data_dir / "published" / "members_benchmark" / PERIOD
    benchmark_csv = published / f"members_benchmark_{PERIOD}.csv"
    started = time.monotonic()
    try:
        services.wait_healthy(timeout=180)

        def pipeline_dags_parsed():
            rows = _query(dbname, "SELECT dag_id, is_paused FROM dag")
            active = {dag_id for dag_id, paused in rows if not paused}
            return PIPELINE_DAGS <= active

        services.wait_for(pipeline_dags_parsed, 180, "the DAGs to be parsed and unpaused")

        # Phase 1: three councils' returns land; one manual run of ingest_returns.
        staged = generate_returns(
            tmp_path / "staging", [PERIOD], seed=SEED, councils=COUNCILS, tables=["establishment"]
        )
        dropped = [_land(path, tmp_path / "staging", bucket) for path in staged]
        assert len(dropped) == len(COUNCILS)
        services.airflow("dags", "trigger", "ingest_returns")

        expected = {c: _vacancy_rate(establishment_frame(c, PERIOD, seed=SEED)) for c in COUNCILS}

        def first_publication():
            rates = _published_vacancy_rates(benchmark_csv)
            if not rates or set(rates) != set(COUNCILS):  # not yet, or an earlier batch
                return None
            entries = _read_ledger(warehouse_path)
            if entries is None:
                return None
            accepted = entries[entries["status"].isin(ledger.ACCEPTED_STATUSES)]
            if set(accepted["file_name"]) != {p.name for p in dropped}:
                return None
            return rates, entries

        rates, entries = services.wait_for(
            first_publication, WAIT_SECONDS, "the first publication", every=POLL_SECONDS
        )
        assert rates == expected
        assert set(entries["version"]) == {1}
        assert (published / "manifest.json").exists()
        print(f"phase 1 published after {time.monotonic() - started:.0f} s", flush=True)

        # Phase 2: a corrected return (version 2) from one council, landed later.
        slug = members_by_code()[CORRECTED].council_slug
        staged = write_return(
            _corrected_frame(),
            tmp_path / "staging" / slug / f"{slug}_{PERIOD}_establishment_v2.csv",
            "csv",
        )
        later = max(p.stat().st_mtime for p in dropped) + 60
        os.utime(staged, (later, later))
        _land(staged, tmp_path / "staging", bucket)
        services.airflow("dags", "trigger", "ingest_returns")
        corrected_rate = _vacancy_rate(_corrected_frame())
        assert corrected_rate != expected[CORRECTED], "the correction must change the figure"

        def republished():
            rates = _published_vacancy_rates(benchmark_csv)
            return rates if rates and rates.get(CORRECTED) == corrected_rate else None

        rates = services.wait_for(
            republished, WAIT_SECONDS, "the corrected publication", every=POLL_SECONDS
        )
        assert rates == {**expected, CORRECTED: corrected_rate}

        def quiet():
            active = _query(
                dbname, "SELECT count(*) FROM dag_run WHERE state IN ('queued', 'running')"
            )
            return active[0][0] == 0

        services.wait_for(quiet, 300, "the last runs to finish", every=POLL_SECONDS)
        entries = services.wait_for(
            lambda: _read_ledger(warehouse_path), 60, "the ledger", every=POLL_SECONDS
        )
        versions = entries[entries["council_code"] == CORRECTED].set_index("version")["status"]
        assert versions.to_dict() == {1: "superseded", 2: "accepted"}
        others = entries[entries["council_code"] != CORRECTED]
        assert set(others["status"]) == {"accepted"}

        # Only ingest_returns was triggered by hand; the assets did the rest.
        runs = _query(dbname, "SELECT dag_id, run_type, state FROM dag_run")
        by_dag: dict[str, list[tuple[str, str]]] = {}
        for dag_id, run_type, state in runs:
            by_dag.setdefault(dag_id, []).append((run_type, state))
        asset_runs = {
            dag_id: [
                state for run_type, state in by_dag.get(dag_id, []) if run_type == "asset_triggered"
            ]
            for dag_id in ("build_marts", "publish_benchmarks")
        }
        # One build and one publication per batch at least (events queued while a run is
        # active are merged into the next run).
        assert asset_runs["build_marts"].count("success") >= 2, by_dag
        assert asset_runs["publish_benchmarks"].count("success") >= 2, by_dag
        assert {t for t, _ in by_dag["build_marts"]} == {"asset_triggered"}, by_dag
        # publish_benchmarks also has its monthly schedule (its latest tick runs at start-up).
        assert {t for t, _ in by_dag["publish_benchmarks"]} <= {"asset_triggered", "scheduled"}
        assert {t for t, _ in by_dag["ingest_returns"]} <= {"manual", "scheduled"}
        events = _query(
            dbname,
            "SELECT a.name, count(*) FROM asset_event e JOIN asset a ON a.id = e.asset_id "
            "GROUP BY a.name",
        )
        counts = dict(events)
        assert counts.get("moc_raw_establishment", 0) >= 2, counts
        assert counts.get("moc_marts", 0) >= 2, counts
        print(f"phase 2 published after {time.monotonic() - started:.0f} s", flush=True)
    except BaseException:
        print(_diagnostics(services, dbname, Path(services.env["AIRFLOW_HOME"])), flush=True)
        raise
