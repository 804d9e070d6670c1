"""
### Build marts

Runs `dbt build` (seeds, models, data tests; the unit tests run in the test suite) on the
DuckDB warehouse, then `dbt docs generate`. Triggered whenever `ingest_returns` reports new
rows in any raw table.

DuckDB allows one writer, so the task runs in the one-slot `duckdb_writer` pool; a dbt
failure fails the task with dbt's own output in the task log.

The build is incremental: only the council-months with a new or corrected return, and the
months whose 12-month windows reach them, are recomputed. It runs in full on the first build,
after a change to the dbt project or dbt itself, or when triggered with
`{"full_refresh": true}`. The task log says which, and why; `meta.marts_builds` keeps the
record of every build.

Emits the `moc_marts` asset, which triggers `publish_benchmarks`.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, AssetAny, Param, dag, task

from orchestration.tasks import MARTS_ASSET, RAW_TABLE_ASSETS, task_timeout

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "execution_timeout": task_timeout(),
}


@dag(
    dag_id="build_marts",
    schedule=AssetAny(*(Asset(name) for name in RAW_TABLE_ASSETS.values())),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one dbt build at a time: DuckDB has a single writer
    default_args=DEFAULT_ARGS,
    params={"full_refresh": Param(False, type="boolean", description="rebuild everything")},
    doc_md=__doc__,
    tags=["moc", "dbt"],
)
def build_marts():
    @task(outlets=[Asset(MARTS_ASSET)], pool="duckdb_writer")
    def dbt_build(params=None):
        from orchestration.tasks import build_task

        return build_task(full_refresh=bool((params or {}).get("full_refresh")))

    dbt_build()


build_marts()
