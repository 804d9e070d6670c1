"""What the Airflow DAGs call: one function per task, plus the Assets that chain the DAGs.

DAG files stay thin (wiring only); everything here is importable and testable without a
scheduler. Settings are read when a task runs, never when a DAG file is parsed.
"""

from __future__ import annotations

import logging

from ingest.config import load_settings

log = logging.getLogger(__name__)

RAW_RETURNS_ASSET = "moc_raw_returns"  # raw tables changed (new accepted files)
MARTS_ASSET = "moc_marts"  # dbt marts rebuilt


def ingest_task() -> dict[str, object]:
    from ingest.pipeline import ingest_new_files

    summary = ingest_new_files(load_settings())
    for entry in summary.entries:
        log.info("%s: %s - %s", entry.relative_path, entry.status, entry.message)
    return {
        "files": len(summary.entries),
        "accepted": summary.count("accepted") + summary.count("accepted_with_warnings"),
        "rejected": summary.count("rejected"),
        "duplicate": summary.count("duplicate"),
        "changed_tables": sorted(summary.changed_tables),
    }


def build_task() -> None:
    from ingest.transform import build_marts

    build_marts(load_settings())


def publish_task(period: str | None = None) -> list[str]:
    from ingest.publish import publish_members_benchmark

    publication = publish_members_benchmark(load_settings(), period or None)
    return [str(path) for path in publication.files]
