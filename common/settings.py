"""Run-time settings, read from environment variables with embedded defaults for the demo.

Every path the pipeline touches comes from here, so a deployment changes behaviour by
environment (or Airflow Variables mapped onto it), never by code.

The bucket and the archive are fsspec URLs: a local folder, ``file://...`` or ``s3://bucket/prefix``.
The endpoint and credentials of an S3-compatible server are never settings here: they come from
the standard environment variables (see :func:`ingest.bucket.storage_options`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
GX_PROJECT_DIR = PROJECT_ROOT / "expectations"
DAGS_DIR = PROJECT_ROOT / "dags"


@dataclass(frozen=True)
class Settings:
    """Where things live. Build with :func:`load_settings`; tests pass explicit values."""

    data_dir: Path
    bucket_url: str
    warehouse_path: Path
    archive_url: str
    published_dir: Path
    airflow_home: Path

    @property
    def bucket_is_local(self) -> bool:
        return is_local_url(self.bucket_url)

    @property
    def archive_is_local(self) -> bool:
        return is_local_url(self.archive_url)


def is_local_url(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("MOC_DATA_DIR", PROJECT_ROOT / "data")).resolve()
    return Settings(
        data_dir=data_dir,
        bucket_url=env.get("MOC_BUCKET_URL", str(data_dir / "bucket")),
        warehouse_path=Path(env.get("MOC_WAREHOUSE_PATH", data_dir / "warehouse.duckdb")),
        archive_url=env.get("MOC_ARCHIVE_URL", str(data_dir / "archive")),
        published_dir=Path(env.get("MOC_PUBLISHED_DIR", data_dir / "published")),
        airflow_home=Path(env.get("AIRFLOW_HOME", data_dir / "airflow")),
    )
