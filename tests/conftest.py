"""Test session set-up. Airflow reads its configuration when first imported, so its
environment is fixed here, before any test module imports it: a throwaway AIRFLOW_HOME with
a SQLite metadata DB, this repository's dags/ folder, and no example DAGs. Each process has
its own, so each worker of a parallel run (`make test`: pytest-xdist, one module at a time
per worker) has its own Airflow."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="moc-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parent.parent / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}"
os.environ["AIRFLOW__CORE__PARALLELISM"] = "4"
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def pytest_collection_modifyitems(config, items):
    """Modules with a slow test first, in collection order otherwise: the workers of a
    parallel run take modules in this order, so the long ones start at once and the quick
    ones fill in around them rather than one long module starting last."""

    def module(item) -> str:
        return item.nodeid.split("::", 1)[0]

    slow_modules = {module(item) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: module(item) not in slow_modules)


@pytest.fixture
def data_settings(tmp_path, monkeypatch):
    """Settings for a fresh data folder; tasks read MOC_DATA_DIR when they run."""
    from common.settings import load_settings

    monkeypatch.setenv("MOC_DATA_DIR", str(tmp_path / "data"))
    for name in ("MOC_BUCKET_URL", "MOC_WAREHOUSE_PATH", "MOC_ARCHIVE_URL", "MOC_PUBLISHED_DIR"):
        monkeypatch.delenv(name, raising=False)
    return load_settings()


@pytest.fixture(scope="session")
def airflow_db():
    """Create the session's Airflow metadata DB once (``airflow db migrate``) and the pool."""
    from common.settings import load_settings
    from orchestration.local_airflow import prepare_airflow

    prepare_airflow(
        load_settings(
            {"MOC_DATA_DIR": str(_AIRFLOW_HOME / "data"), "AIRFLOW_HOME": str(_AIRFLOW_HOME)}
        )
    )
    return _AIRFLOW_HOME
