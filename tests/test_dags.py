"""Every DAG file imports cleanly and follows the house rules for DAGs."""

from __future__ import annotations

import pytest

from ingest.airflow_local import PIPELINE_DAGS
from ingest.config import DAGS_DIR


@pytest.fixture(scope="module")
def dagbag():
    from airflow.models import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_every_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(PIPELINE_DAGS) <= set(dagbag.dag_ids)


@pytest.mark.parametrize("dag_id", PIPELINE_DAGS)
def test_dag_follows_house_rules(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.tags, "every DAG is tagged"
    assert dag.doc_md and len(dag.doc_md) > 80, "every DAG documents itself"
    assert dag.max_active_runs == 1, "max_active_runs is set on purpose"
    assert dag.timetable is not None and dag.schedule is not None, "explicit schedule"
    for task in dag.tasks:
        assert task.retries >= 1, f"{dag_id}.{task.task_id} retries"
        assert task.retry_exponential_backoff, f"{dag_id}.{task.task_id} backs off"
