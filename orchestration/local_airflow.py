"""Run the project's Airflow DAGs in this process (``dag.test()``) with embedded defaults.

Used by ``moc demo`` and the end-to-end tests: SQLite metadata under the data folder, the
repository's ``dags/`` folder, no example DAGs. No scheduler or web server is started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from common.settings import DAGS_DIR, DATA_DIR_VARIABLE, Settings
from orchestration.tasks import INGEST_POOL, WRITER_POOL

PIPELINE_DAGS = ("ingest_returns", "build_marts", "publish_benchmarks")
# The pools the DAGs use (docker-compose.yml's airflow-init creates the same).
POOLS = (
    (WRITER_POOL, 1, "DuckDB allows one writer at a time"),
    (INGEST_POOL, 1, "One ingest batch at a time, apart from build and publish"),
)


def airflow_environment(settings: Settings) -> dict[str, str]:
    """Environment for a local, in-process Airflow; values already set by the user win."""
    home = settings.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }


def prepare_airflow(settings: Settings) -> None:
    """Point this process at the local Airflow and create its metadata DB and pools."""
    for key, value in airflow_environment(settings).items():
        os.environ.setdefault(key, value)
    os.environ.setdefault(DATA_DIR_VARIABLE, str(settings.data_dir))  # what the tasks load
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    airflow = str(Path(sys.executable).parent / "airflow")
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True)
    for pool, slots, description in POOLS:
        subprocess.run(
            [airflow, "pools", "set", pool, str(slots), description],
            check=True,
            capture_output=True,
        )


def run_dag(dag_id: str, run_conf: dict | None = None):
    """``dag.test()`` one DAG from the dags folder; raise if the run did not succeed."""
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.dags[dag_id]
    for task in dag.tasks:
        task.retries = 0  # a local run (demo, tests) fails at once; deployments keep retries
    run = dag.test(run_conf=run_conf)
    if str(run.state) not in ("success", "DagRunState.SUCCESS"):
        raise RuntimeError(f"DAG {dag_id} finished in state {run.state}")
    return run


def run_pipeline_dags(run_conf: dict | None = None) -> None:
    for dag_id in PIPELINE_DAGS:
        print(f"== Airflow DAG {dag_id} (dag.test)", flush=True)
        run_dag(dag_id, run_conf if dag_id == "publish_benchmarks" else None)
