"""What the Airflow DAGs call: one function per task, and the names of the Assets that chain
the DAGs.

DAG files stay thin (wiring only); everything here is importable and testable without a
scheduler. Settings are read when a task runs, never when a DAG file is parsed. The tasks that
write the warehouse or the published folder hold the data folder's run lock, waiting up to
``MOC_RUN_LOCK_WAIT`` seconds for another run (common/run_lock.py says why they wait).
"""

from __future__ import annotations

import datetime as dt
import logging

from common.periods import previous_period
from common.run_lock import run_lock
from common.settings import Settings, load_settings
from ingest.return_contract import TABLES

log = logging.getLogger(__name__)

# One Asset per raw table: ingest emits an event for each table that received accepted rows.
RAW_TABLE_ASSETS = {table: f"moc_raw_{table}" for table in TABLES}
RAW_CHANGES_ALIAS = "moc_raw_tables_changed"
MARTS_ASSET = "moc_marts"  # dbt marts rebuilt and tested


# Ingest has a pool of its own: a slow or stuck batch must not hold the `duckdb_writer` slot
# that build and publish wait for (the run lock still keeps one writer at a time, and a task
# that waits too long for it fails and is retried).
INGEST_POOL = "moc_ingest"
WRITER_POOL = "duckdb_writer"


class FilesFailedOnOurSide(RuntimeError):
    """Some files of the batch failed because of our bug: fail the task, so alerting works."""


def task_timeout() -> dt.timedelta:
    """How long any task may run (MOC_TASK_TIMEOUT), for the DAGs' execution_timeout."""
    return dt.timedelta(seconds=load_settings().task_timeout)


def deadline_day() -> int:
    """Day of the month after which missing returns are chased (the chase DAG's schedule)."""
    return load_settings().return_deadline_day


def _run_lock(settings: Settings, dag_id: str):
    return run_lock(settings.data_dir, f"Airflow DAG {dag_id}", wait=settings.run_lock_wait)


def ingest_task() -> dict[str, object]:
    from ingest.ledger import ACCEPTED_STATUSES, LedgerStatus
    from ingest.pipeline import ingest_new_files

    settings = load_settings()
    with _run_lock(settings, "ingest_returns"):
        summary = ingest_new_files(settings)
    for entry in summary.entries:
        log.info("%s: %s - %s", entry.relative_path, entry.status, entry.message)
    return {
        "files": len(summary.entries),
        "accepted": sum(summary.count(status) for status in ACCEPTED_STATUSES),
        "rejected": summary.count(LedgerStatus.REJECTED),
        "duplicate": summary.count(LedgerStatus.DUPLICATE),
        "failed": [entry.relative_path for entry in summary.failed],
        "changed_tables": sorted(summary.changed_tables),
    }


def check_failures_task(result: dict[str, object]) -> None:
    """Fail loudly after a batch in which files failed on our side: they are in the ledger as
    'failed' with their sha256 and are read again on the next run, and the rest of the batch
    was loaded (and its assets emitted by the task before this one)."""
    failed = result.get("failed") or []
    if failed:
        raise FilesFailedOnOurSide(
            f"{len(failed)} file(s) failed because of a problem on our side (see the ingest "
            f"task's log for the traceback); they will be read again next run: {failed}"
        )


def build_task(full_refresh: bool = False) -> dict[str, str]:
    from orchestration.agency_receipts import write_agency_rules_receipts
    from transform.dbt_runner import build_marts

    settings = load_settings()
    with _run_lock(settings, "build_marts"):
        plan = build_marts(settings, full_refresh=full_refresh)
        write_agency_rules_receipts(settings)
    log.info("dbt build was %s: %s", plan.mode, plan.reason)
    return {"mode": plan.mode, "reason": plan.reason}


def period_to_publish(requested: str | None, logical_date: dt.datetime | None, scheduled: bool):
    """An explicit period wins; a monthly (or backfill) run publishes the month before its
    logical date; a run triggered by new marts publishes the latest month."""
    if requested:
        return requested
    if scheduled and logical_date is not None:
        return previous_period(logical_date.date())
    return None


def publish_task(period: str | None = None) -> list[str]:
    """Publish the month. A month that cannot be published (no returns for it yet, outside
    the window) fails the task at once, with its one-line reason and no retries: retrying
    minutes later finds the same marts, and a run retrying holds up the publications that new
    marts trigger (one run of the DAG at a time)."""
    from airflow.sdk.exceptions import AirflowFailException

    from publish.publish_month import NothingToPublish, publish_month, published_files

    settings = load_settings()
    with _run_lock(settings, "publish_benchmarks"):
        try:
            publications = publish_month(settings, period or None)
        except NothingToPublish as nothing:
            raise AirflowFailException(str(nothing)) from nothing
    return [str(path) for path in published_files(publications)]


def chase_task(logical_date: dt.datetime, period: str | None = None) -> list[str]:
    """Write reminders for the period (default: the month before the logical date) and email
    them when an SMTP connection and a contacts file are configured."""
    from orchestration.chase import load_contacts, write_reminders

    settings = load_settings()
    period = period or previous_period(logical_date.date())
    deadline = logical_date.date().replace(day=settings.return_deadline_day)
    reminders = write_reminders(settings, period, deadline)
    log.info("%d council(s) without an accepted return for %s", len(reminders), period)
    contacts = load_contacts(settings.contacts_file)
    if reminders and contacts:
        _email_reminders(reminders, contacts, settings.smtp_conn_id)
    return [r.member.council_code for r in reminders]


def _email_reminders(reminders, contacts: dict[str, list[str]], conn_id: str) -> None:
    try:
        from airflow.providers.smtp.hooks.smtp import SmtpHook
        from airflow.sdk import Connection

        Connection.get(conn_id)
    except Exception:  # no SMTP connection configured: the reminders on file are enough
        log.info("No SMTP connection '%s': reminders written, not emailed", conn_id)
        return
    with SmtpHook(smtp_conn_id=conn_id) as smtp:
        for reminder in reminders:
            for address in contacts.get(reminder.member.council_code, []):
                smtp.send_email_smtp(
                    to=address,
                    subject=f"Workforce return for {reminder.period} not yet received",
                    html_content=f"<pre>{reminder.message}</pre>",
                )
