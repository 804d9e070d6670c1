"""
### Ingest council returns

Picks up every new file in the ingest bucket (one folder per council), archives it, records it
in the ledger, validates it with the Great Expectations suites in `expectations/`, loads
accepted rows into the warehouse's raw tables and writes feedback to the council's
`feedback/` folder. All new files are handled in one batch per run; files still being
uploaded are left for the next run.

For each raw table that received accepted rows it emits that table's asset
(`moc_raw_<table>`, through the `moc_raw_tables_changed` alias), which triggers `build_marts`.
A run that accepted nothing emits nothing. A file that fails because of our own bug (not the
file's) is recorded as `failed` and read again next run, and `check_failures` then fails the
run, so alerting and email on failure work; the files that were fine are loaded all the same.

Ingest runs in its own one-slot `moc_ingest` pool, so a long batch never holds the
`duckdb_writer` slot of build and publish, and every task has an `execution_timeout`
(`MOC_TASK_TIMEOUT`).
"""

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, AssetAlias, dag, task

from orchestration.tasks import INGEST_POOL, RAW_CHANGES_ALIAS, RAW_TABLE_ASSETS, task_timeout

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "execution_timeout": task_timeout(),
}


@dag(
    dag_id="ingest_returns",
    schedule="*/10 * * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # batches must not overlap: the ledger decides what is new
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["moc", "ingest"],
)
def ingest_returns():
    @task(outlets=[AssetAlias(RAW_CHANGES_ALIAS)], pool=INGEST_POOL)
    def ingest_new_files(*, outlet_events=None):
        from orchestration.tasks import ingest_task

        result = ingest_task()
        for table in result["changed_tables"]:
            outlet_events[AssetAlias(RAW_CHANGES_ALIAS)].add(Asset(RAW_TABLE_ASSETS[table]))
        return result

    @task
    def check_failures(result: dict):
        from orchestration.tasks import check_failures_task

        check_failures_task(result)

    check_failures(ingest_new_files())


ingest_returns()
