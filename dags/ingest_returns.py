"""
### Ingest council returns

Picks up every new file in the ingest bucket (one folder per council), archives it, records it
in the ledger, validates it with the Great Expectations suites in `expectations/`, loads
accepted rows into the warehouse's raw tables and writes feedback to the council's
`feedback/` folder. All new files are handled in one batch per run.

Emits the `moc_raw_returns` asset when anything was accepted, which triggers `build_marts`.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, task

from ingest.orchestration import RAW_RETURNS_ASSET

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
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
    @task(outlets=[Asset(RAW_RETURNS_ASSET)], pool="duckdb_writer")
    def ingest_new_files():
        from ingest.orchestration import ingest_task

        return ingest_task()

    ingest_new_files()


ingest_returns()
