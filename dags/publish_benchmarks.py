"""
### Publish benchmarks

Writes the members' benchmark for a month (default: the latest month in the marts) with its
manifest to the published area. Runs when `build_marts` has rebuilt the marts; trigger it by
hand with `{"period": "YYYY-MM"}` to republish any past month.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, task

from ingest.orchestration import MARTS_ASSET

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
}


@dag(
    dag_id="publish_benchmarks",
    schedule=[Asset(MARTS_ASSET)],
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"period": Param("", type="string", description="YYYY-MM; blank for the latest")},
    doc_md=__doc__,
    tags=["moc", "publish"],
)
def publish_benchmarks():
    @task
    def publish(params=None):
        from ingest.orchestration import publish_task

        return publish_task((params or {}).get("period"))

    publish()


publish_benchmarks()
