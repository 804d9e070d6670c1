"""Run-time settings: every environment variable the pipeline and the dashboard read is read
here, and only here, with the demo's defaults (tests/test_settings.py checks that no other
module names a ``MOC_*`` variable; the README's configuration table lists them all).

A deployment changes behaviour by environment (or Airflow Variables mapped onto it), never by
code. Code that needs a setting takes a :class:`Settings` (built once by :func:`load_settings`
where a run starts: a task, a CLI command, the dashboard); tests pass explicit values.

The bucket and the archive are fsspec URLs: a local folder, ``file://...`` or ``s3://bucket/prefix``.
The endpoint and credentials of an S3-compatible server are never settings here: they come from
the standard environment variables (see :func:`ingest.bucket.storage_options`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.periods import PlausibleWindow, plausible_window

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
GX_PROJECT_DIR = PROJECT_ROOT / "expectations"
DAGS_DIR = PROJECT_ROOT / "dags"

# The variables, by the setting they give (docker-compose.yml provides every MOC_* one).
DATA_DIR_VARIABLE = "MOC_DATA_DIR"
BUCKET_URL_VARIABLE = "MOC_BUCKET_URL"
WAREHOUSE_PATH_VARIABLE = "MOC_WAREHOUSE_PATH"  # dbt's profiles.yml reads it too
ARCHIVE_URL_VARIABLE = "MOC_ARCHIVE_URL"
PUBLISHED_DIR_VARIABLE = "MOC_PUBLISHED_DIR"
MARTS_SNAPSHOT_VARIABLE = "MOC_MARTS_SNAPSHOT"
HASH_SECRET_VARIABLE = "MOC_HASH_SECRET"
DISCLOSURE_THRESHOLD_VARIABLE = "MOC_DISCLOSURE_THRESHOLD"
MIN_COUNCILS_FOR_REGION_VARIABLE = "MOC_MIN_COUNCILS_FOR_REGION"
RETURN_DEADLINE_DAY_VARIABLE = "MOC_RETURN_DEADLINE_DAY"
EARLIEST_PERIOD_VARIABLE = "MOC_EARLIEST_PERIOD"
CONTACTS_FILE_VARIABLE = "MOC_CONTACTS_FILE"
SMTP_CONN_ID_VARIABLE = "MOC_SMTP_CONN_ID"
RUN_LOCK_WAIT_VARIABLE = "MOC_RUN_LOCK_WAIT"
# Limits on what intake reads (ingest/limits.py, ingest/parse_worker.py) and on the tasks.
MAX_FILE_MB_VARIABLE = "MOC_MAX_FILE_MB"
MAX_UNZIPPED_MB_VARIABLE = "MOC_MAX_UNZIPPED_MB"
MAX_ZIP_RATIO_VARIABLE = "MOC_MAX_ZIP_RATIO"
MAX_ROWS_VARIABLE = "MOC_MAX_ROWS"
MAX_COLUMNS_VARIABLE = "MOC_MAX_COLUMNS"
MAX_CELL_CHARS_VARIABLE = "MOC_MAX_CELL_CHARS"
MAX_XML_DEPTH_VARIABLE = "MOC_MAX_XML_DEPTH"
MAX_XML_ELEMENTS_VARIABLE = "MOC_MAX_XML_ELEMENTS"
READER_MEMORY_MB_VARIABLE = "MOC_READER_MEMORY_MB"
READER_TIMEOUT_VARIABLE = "MOC_READER_TIMEOUT"
FEEDBACK_MAX_PER_RULE_VARIABLE = "MOC_FEEDBACK_MAX_PER_RULE"
TASK_TIMEOUT_VARIABLE = "MOC_TASK_TIMEOUT"
AIRFLOW_HOME_VARIABLE = "AIRFLOW_HOME"
DASHBOARD_PORT_VARIABLE = "DASHBOARD_PORT"
DASHBOARD_ADDRESS_VARIABLE = "DASHBOARD_ADDRESS"
VARIABLES = (
    DATA_DIR_VARIABLE,
    BUCKET_URL_VARIABLE,
    WAREHOUSE_PATH_VARIABLE,
    ARCHIVE_URL_VARIABLE,
    PUBLISHED_DIR_VARIABLE,
    MARTS_SNAPSHOT_VARIABLE,
    HASH_SECRET_VARIABLE,
    DISCLOSURE_THRESHOLD_VARIABLE,
    MIN_COUNCILS_FOR_REGION_VARIABLE,
    RETURN_DEADLINE_DAY_VARIABLE,
    EARLIEST_PERIOD_VARIABLE,
    CONTACTS_FILE_VARIABLE,
    SMTP_CONN_ID_VARIABLE,
    RUN_LOCK_WAIT_VARIABLE,
    MAX_FILE_MB_VARIABLE,
    MAX_UNZIPPED_MB_VARIABLE,
    MAX_ZIP_RATIO_VARIABLE,
    MAX_ROWS_VARIABLE,
    MAX_COLUMNS_VARIABLE,
    MAX_CELL_CHARS_VARIABLE,
    MAX_XML_DEPTH_VARIABLE,
    MAX_XML_ELEMENTS_VARIABLE,
    READER_MEMORY_MB_VARIABLE,
    READER_TIMEOUT_VARIABLE,
    FEEDBACK_MAX_PER_RULE_VARIABLE,
    TASK_TIMEOUT_VARIABLE,
    AIRFLOW_HOME_VARIABLE,
    DASHBOARD_PORT_VARIABLE,
    DASHBOARD_ADDRESS_VARIABLE,
)
MOC_VARIABLES = tuple(name for name in VARIABLES if name.startswith("MOC_"))

# Not "marts.duckdb": DuckDB names a file's catalog after its stem, and a catalog "marts" would
# make every `marts.<table>` of the snapshot ambiguous with the schema of the same name.
MARTS_SNAPSHOT_NAME = "marts_snapshot.duckdb"
DEFAULT_DISCLOSURE_THRESHOLD = 5  # workers: the fewest a published partner figure may rest on
# Fewest councils sharing with a partner for its extract to carry a regional figure: with
# fewer, the regional row is withheld (publish.extracts.partner): two councils' sum is not a
# region, and names nobody's figure but theirs.
DEFAULT_MIN_COUNCILS_FOR_REGION = 3
DEFAULT_RETURN_DEADLINE_DAY = 10  # returns are due by this day of the following month
# The first month a return can be for: the DfE's children's social work workforce statistics
# start with the 2017 collection (reference date 30 September 2017), so no council holds
# comparable figures for an earlier month. The window's other end is the month after the
# current one, by the clock (common.periods.plausible_window), so it needs no setting.
DEFAULT_EARLIEST_PERIOD = "2017-09"
DEFAULT_SMTP_CONN_ID = "smtp_default"
# Seconds an Airflow task waits for another run on the same data folder (common/run_lock.py).
DEFAULT_RUN_LOCK_WAIT = 900
# Seconds an Airflow task may run before Airflow stops it (execution_timeout); a batch of
# 10,000 files takes about 8 minutes (BENCHMARKS.md).
DEFAULT_TASK_TIMEOUT = 3600
DEFAULT_DASHBOARD_PORT = 8501
DEFAULT_DASHBOARD_ADDRESS = "127.0.0.1"  # loopback: the dashboard is not published by default


@dataclass(frozen=True)
class ReadLimits:
    """What intake reads of one file, whatever the file holds (ingest/limits.py enforces them
    while streaming, before anything large is held in memory; ingest/parse_worker.py reads
    each file in a child process held to ``memory_mb`` and ``timeout_seconds``). The defaults
    are far above any real return: the regional template has about 20 columns, the largest
    council a few thousand rows a table, and Excel holds 32,767 characters in a cell."""

    max_file_mb: float = 50  # size of the file as dropped
    max_unzipped_mb: float = 200  # an xlsx part, and all parts together, decompressed
    max_zip_ratio: float = 200  # decompressed / compressed size of an xlsx part over 1 MB
    max_rows: int = 100_000  # rows of one table (sheet, CSV, census workers)
    max_columns: int = 200  # columns of one sheet or CSV
    max_cell_chars: int = 32_767  # characters in one cell (Excel's own limit)
    max_xml_depth: int = 64  # nesting of a census XML or an xlsx part
    max_xml_elements: int = 5_000_000  # elements of a census XML or an xlsx part
    memory_mb: int = 1024  # address space of the child process that reads one file
    timeout_seconds: float = 300  # time the child process may take over one file
    feedback_max_per_rule: int = 100  # problems listed per rule in feedback, then a count


@dataclass(frozen=True)
class Settings:
    """Where things live and how the pipeline behaves. Build with :func:`load_settings`."""

    data_dir: Path  # root of everything generated
    bucket_url: str  # the ingest bucket: a folder or an fsspec URL
    warehouse_path: Path  # the DuckDB warehouse
    archive_url: str  # the immutable raw-file archive: a folder or an fsspec URL
    published_dir: Path  # published extracts
    airflow_home: Path  # local Airflow home (SQLite metadata) for ``moc demo``
    # The marts snapshot: written after each build, read by the dashboard (None: the default,
    # ``<published_dir>/marts/marts_snapshot.duckdb``, see MARTS_SNAPSHOT_NAME).
    marts_snapshot: Path | None = None
    # Key for hashing personal identifiers; "" means a random key kept under the data folder
    # (ingest.pseudonymise). Never shown in a repr or a log.
    hash_secret: str = field(default="", repr=False)
    disclosure_threshold: float = DEFAULT_DISCLOSURE_THRESHOLD
    # fewest councils sharing with a partner for its extract to carry a regional figure
    min_councils_for_region: int = DEFAULT_MIN_COUNCILS_FOR_REGION
    return_deadline_day: int = DEFAULT_RETURN_DEADLINE_DAY  # missing returns chased after it
    earliest_period: str = DEFAULT_EARLIEST_PERIOD  # first month a return can be for
    contacts_file: Path | None = None  # CSV council_code,email for reminder emails
    smtp_conn_id: str = DEFAULT_SMTP_CONN_ID  # Airflow connection that emails reminders
    run_lock_wait: float = DEFAULT_RUN_LOCK_WAIT  # seconds a task waits for another run
    dashboard_port: int = DEFAULT_DASHBOARD_PORT
    dashboard_address: str = DEFAULT_DASHBOARD_ADDRESS
    read_limits: ReadLimits = field(default_factory=ReadLimits)
    task_timeout: float = DEFAULT_TASK_TIMEOUT  # seconds an Airflow task may run

    def __post_init__(self) -> None:
        if self.marts_snapshot is None:
            default = self.published_dir / "marts" / MARTS_SNAPSHOT_NAME
            object.__setattr__(self, "marts_snapshot", default)

    def plausible_window(self, today: dt.date | None = None) -> PlausibleWindow:
        """The months a return can be for, on ``today`` (default: the clock's)."""
        return plausible_window(self.earliest_period, today)

    @property
    def suppression_store(self) -> Path:
        """Earlier publications' suppression decisions (publish/extracts/decision_store.py):
        under the data folder, private to the pipeline, never in what is published (the
        published folder may be synced to readers as it is)."""
        return self.data_dir / "publish_state" / "suppression_decisions.json"

    @property
    def bucket_is_local(self) -> bool:
        return is_local_url(self.bucket_url)

    @property
    def archive_is_local(self) -> bool:
        return is_local_url(self.archive_url)


def is_local_url(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def disclosure_threshold(env: Mapping[str, str]) -> float:
    """Fewest workers a published figure may rest on (MOC_DISCLOSURE_THRESHOLD, default 5)."""
    text = env.get(DISCLOSURE_THRESHOLD_VARIABLE, "").strip()
    threshold = float(text) if text else float(DEFAULT_DISCLOSURE_THRESHOLD)
    if threshold < 1:
        raise ValueError(f"{DISCLOSURE_THRESHOLD_VARIABLE} must be at least 1, not {text!r}")
    return threshold


def min_councils_for_region(env: Mapping[str, str]) -> int:
    """Fewest councils sharing with a partner for a regional row (MOC_MIN_COUNCILS_FOR_REGION,
    default 3)."""
    text = env.get(MIN_COUNCILS_FOR_REGION_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MIN_COUNCILS_FOR_REGION
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(
            f"{MIN_COUNCILS_FOR_REGION_VARIABLE} must be a whole number of at least 1, not {text!r}"
        )
    return value


def earliest_period(env: Mapping[str, str]) -> str:
    """First month a return can be for (MOC_EARLIEST_PERIOD, 'YYYY-MM', default 2017-09)."""
    text = env.get(EARLIEST_PERIOD_VARIABLE, "").strip() or DEFAULT_EARLIEST_PERIOD
    try:
        return plausible_window(text).first
    except ValueError:
        raise ValueError(
            f"{EARLIEST_PERIOD_VARIABLE} must be a month 'YYYY-MM', not {text!r}"
        ) from None


def read_limits(env: Mapping[str, str]) -> ReadLimits:
    """The reading limits (MOC_MAX_*, MOC_READER_*, MOC_FEEDBACK_MAX_PER_RULE); unset: default."""
    default = ReadLimits()

    def number(variable: str, name: str, kind=float):
        text = env.get(variable, "").strip()
        if not text:
            return getattr(default, name)
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(f"{variable} must be a positive number, not {text!r}") from None
        if value <= 0:
            raise ValueError(f"{variable} must be a positive number, not {text!r}")
        return value

    return ReadLimits(
        max_file_mb=number(MAX_FILE_MB_VARIABLE, "max_file_mb"),
        max_unzipped_mb=number(MAX_UNZIPPED_MB_VARIABLE, "max_unzipped_mb"),
        max_zip_ratio=number(MAX_ZIP_RATIO_VARIABLE, "max_zip_ratio"),
        max_rows=number(MAX_ROWS_VARIABLE, "max_rows", int),
        max_columns=number(MAX_COLUMNS_VARIABLE, "max_columns", int),
        max_cell_chars=number(MAX_CELL_CHARS_VARIABLE, "max_cell_chars", int),
        max_xml_depth=number(MAX_XML_DEPTH_VARIABLE, "max_xml_depth", int),
        max_xml_elements=number(MAX_XML_ELEMENTS_VARIABLE, "max_xml_elements", int),
        memory_mb=number(READER_MEMORY_MB_VARIABLE, "memory_mb", int),
        timeout_seconds=number(READER_TIMEOUT_VARIABLE, "timeout_seconds"),
        feedback_max_per_rule=number(FEEDBACK_MAX_PER_RULE_VARIABLE, "feedback_max_per_rule", int),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``env`` (default: this process's environment); unset means the default."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get(DATA_DIR_VARIABLE, PROJECT_ROOT / "data")).resolve()
    published_dir = Path(env.get(PUBLISHED_DIR_VARIABLE, data_dir / "published"))
    snapshot = env.get(MARTS_SNAPSHOT_VARIABLE)
    contacts = env.get(CONTACTS_FILE_VARIABLE)
    return Settings(
        data_dir=data_dir,
        bucket_url=env.get(BUCKET_URL_VARIABLE, str(data_dir / "bucket")),
        warehouse_path=Path(env.get(WAREHOUSE_PATH_VARIABLE, data_dir / "warehouse.duckdb")),
        archive_url=env.get(ARCHIVE_URL_VARIABLE, str(data_dir / "archive")),
        published_dir=published_dir,
        airflow_home=Path(env.get(AIRFLOW_HOME_VARIABLE, data_dir / "airflow")),
        marts_snapshot=Path(snapshot) if snapshot else None,
        hash_secret=env.get(HASH_SECRET_VARIABLE, ""),
        disclosure_threshold=disclosure_threshold(env),
        min_councils_for_region=min_councils_for_region(env),
        return_deadline_day=int(
            env.get(RETURN_DEADLINE_DAY_VARIABLE) or DEFAULT_RETURN_DEADLINE_DAY
        ),
        earliest_period=earliest_period(env),
        contacts_file=Path(contacts) if contacts else None,
        smtp_conn_id=env.get(SMTP_CONN_ID_VARIABLE) or DEFAULT_SMTP_CONN_ID,
        run_lock_wait=float(env.get(RUN_LOCK_WAIT_VARIABLE) or DEFAULT_RUN_LOCK_WAIT),
        dashboard_port=int(env.get(DASHBOARD_PORT_VARIABLE) or DEFAULT_DASHBOARD_PORT),
        dashboard_address=env.get(DASHBOARD_ADDRESS_VARIABLE) or DEFAULT_DASHBOARD_ADDRESS,
        read_limits=read_limits(env),
        task_timeout=float(env.get(TASK_TIMEOUT_VARIABLE) or DEFAULT_TASK_TIMEOUT),
    )
