"""
### Build marts

Runs `dbt build` (seeds, models, data tests, unit tests) on the DuckDB warehouse, then
`dbt docs generate`. Triggered whenever `ingest_returns` reports new raw data; DuckDB allows
one writer, so the task runs in the one-slot `duckdb_writer` pool.

Emits the `moc_marts` asset, which triggers `publish_benchmarks`.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, task

from ingest.orchestration import MARTS_ASSET, RAW_RETURNS_ASSET

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
}


@dag(
    dag_id="build_marts",
    schedule=[Asset(RAW_RETURNS_ASSET)],
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one dbt build at a time: DuckDB has a single writer
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["moc", "dbt"],
)
def build_marts():
    @task(outlets=[Asset(MARTS_ASSET)], pool="duckdb_writer")
    def dbt_build():
        from ingest.orchestration import build_task

        build_task()

    dbt_build()


build_marts()
