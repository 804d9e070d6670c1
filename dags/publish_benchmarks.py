"""
### Publish benchmarks

Writes the members' benchmark for a month with its manifest to the published area.

- When `build_marts` has rebuilt the marts: the latest month.
- On the monthly schedule (06:00 on the 15th) and in backfills: the month before the run's
  logical date, so `airflow dags backfill publish_benchmarks --start-date ...` republishes
  past months.
- Triggered by hand with `{"period": "YYYY-MM"}`: that month.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

from orchestration.tasks import MARTS_ASSET, task_timeout

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "execution_timeout": task_timeout(),
}


@dag(
    dag_id="publish_benchmarks",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 15 * *", timezone="Europe/London"),
        assets=Asset(MARTS_ASSET),
    ),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # publications of the same month must not race
    default_args=DEFAULT_ARGS,
    params={"period": Param("", type="string", description="YYYY-MM; blank for the default")},
    doc_md=__doc__,
    tags=["moc", "publish"],
)
def publish_benchmarks():
    # In the writer pool: it reads the warehouse, which a running ingest or dbt build locks.
    @task(pool="duckdb_writer")
    def publish(params=None, dag_run=None, logical_date=None):
        from orchestration.tasks import period_to_publish, publish_task

        run_type = getattr(dag_run.run_type, "value", dag_run.run_type) if dag_run else None
        scheduled = run_type in ("scheduled", "backfill")
        period = period_to_publish((params or {}).get("period"), logical_date, scheduled)
        return publish_task(period)

    publish()


publish_benchmarks()
