"""
### Chase missing returns

After the monthly deadline (day `MOC_RETURN_DEADLINE_DAY`, default 10), lists the member
councils without an accepted return for the previous month, writes a message to each one's
`feedback/` folder and the list to the bucket's `feedback/missing_returns_<YYYY-MM>.csv`, and
emails each council's contacts (`MOC_CONTACTS_FILE`, a CSV of council_code,email kept out of
the repository) through the Airflow SMTP connection `MOC_SMTP_CONN_ID` (default
`smtp_default`) when one is configured. Re-running rewrites the same files.
"""

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from orchestration.tasks import deadline_day, task_timeout

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "execution_timeout": task_timeout(),
}


@dag(
    dag_id="chase_returns",
    schedule=CronTriggerTimetable(f"0 7 {deadline_day()} * *", timezone="Europe/London"),
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"period": Param("", type="string", description="YYYY-MM; blank for last month")},
    doc_md=__doc__,
    tags=["moc", "chase"],
)
def chase_returns():
    @task
    def chase_missing_returns(params=None, logical_date=None):
        from orchestration.tasks import chase_task

        return chase_task(logical_date, (params or {}).get("period") or None)

    chase_missing_returns()


chase_returns()
