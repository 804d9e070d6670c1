"""Every DAG file imports cleanly and follows the house rules for DAGs."""

from __future__ import annotations

import pytest

from common.settings import DAGS_DIR
from orchestration.local_airflow import PIPELINE_DAGS

ALL_DAGS = (*PIPELINE_DAGS, "chase_returns")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.models import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_every_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == set(ALL_DAGS)


@pytest.mark.parametrize("dag_id", ALL_DAGS)
def test_dag_follows_house_rules(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.tags, "every DAG is tagged"
    assert dag.doc_md and len(dag.doc_md) > 80, "every DAG documents itself"
    assert dag.max_active_runs == 1, "max_active_runs is set on purpose"
    assert dag.timetable is not None and dag.schedule is not None, "explicit schedule"
    assert len(dag.topological_sort()) == len(dag.tasks), "no cycles"
    for task in dag.tasks:
        assert task.retries >= 1, f"{dag_id}.{task.task_id} retries"
        assert task.retry_exponential_backoff, f"{dag_id}.{task.task_id} backs off"


def test_dags_are_chained_by_assets(dagbag):
    from orchestration.tasks import MARTS_ASSET, RAW_TABLE_ASSETS

    build = dagbag.dags["build_marts"]
    triggers = {asset.name for asset in build.timetable.asset_condition.objects}
    assert triggers == set(RAW_TABLE_ASSETS.values())
    publish = dagbag.dags["publish_benchmarks"]
    condition = publish.timetable.asset_condition
    publish_triggers = getattr(condition, "objects", [condition])
    assert {asset.name for asset in publish_triggers} == {MARTS_ASSET}
    assert publish.timetable.can_be_scheduled, "publish also runs monthly"


def test_every_task_has_a_timeout_and_ingest_does_not_hold_the_writer_slot(dagbag):
    from orchestration.tasks import INGEST_POOL, WRITER_POOL

    for dag_id in ALL_DAGS:
        for task in dagbag.dags[dag_id].tasks:
            assert task.execution_timeout is not None, f"{dag_id}.{task.task_id}"
    ingest = dagbag.dags["ingest_returns"].get_task("ingest_new_files")
    assert ingest.pool == INGEST_POOL != WRITER_POOL
    assert dagbag.dags["build_marts"].get_task("dbt_build").pool == WRITER_POOL


def test_ingest_fails_loudly_after_files_failed_on_our_side():
    from orchestration.tasks import FilesFailedOnOurSide, check_failures_task

    check_failures_task({"failed": []})
    with pytest.raises(FilesFailedOnOurSide, match="luton/x.csv"):
        check_failures_task({"failed": ["luton/x.csv"]})
