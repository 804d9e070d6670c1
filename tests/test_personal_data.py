"""Personal data never leaves ingest in clear (DOMAIN.md): SWE numbers and assignment
references become keyed hashes and birth dates become a month, before validation. This test
sends returns and a census XML full of identifiers (and a bad workforce file whose feedback
must point at an identifier), runs ingest, dbt and publish, and searches every output, the
warehouse and the logs for any clear identifier."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from common.members import members_by_code
from ingest import warehouse
from ingest.gx_project import exclusive_runs, gx_results_dir
from ingest.pseudonymise import keyed_hash
from samples.census import census_sample, write_census
from samples.return_files import write_return
from samples.returns import generate_returns, return_frames

COUNCILS = ["821", "822"]  # Luton sends CSV files, Bedford a workbook
PERIOD = "2025-03"
SEED = 5
SECRET = "test-secret-not-for-production"


def _clear_identifiers() -> set[str]:
    """Every identifier and full birth date a council sends, as text it could appear as."""
    found: set[str] = set()
    for council in COUNCILS:
        frames = return_frames(council, PERIOD, seed=SEED)
        found |= set(frames["workforce"]["worker_key"].astype(str))
        found |= set(frames["agency_assignments"]["assignment_key"].astype(str))
        for day in frames["workforce"]["birth_month"].dropna():
            if day.day != 1:  # a birthday on the 1st is indistinguishable from its month
                found |= {day.isoformat(), day.strftime("%d/%m/%Y")}
        for worker in census_sample(council, 2024, seed=SEED).workers:
            found.add(worker["SWENo"])
            if not worker.get("PersonBirthDate", "-01").endswith("-01"):
                found.add(worker["PersonBirthDate"])
    return {value for value in found if value and value != "nan"}


@pytest.fixture(scope="module")
def pipeline_outputs(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("personal") / "data"
    bucket = data_dir / "bucket"
    generate_returns(bucket, [PERIOD], seed=SEED, councils=COUNCILS)
    for council in COUNCILS:
        slug = members_by_code()[council].council_slug
        write_census(bucket, slug, council, 2024, 2024, seed=SEED)
    # A resubmission whose workforce sheet repeats a worker: the feedback must name the row
    # without showing the SWE number.
    frames = return_frames("821", "2025-04", seed=SEED)
    repeated = frames["workforce"]
    repeated.loc[1, "worker_key"] = repeated.loc[0, "worker_key"]
    write_return(repeated, bucket / "luton" / "luton_2025-04_workforce.csv", "csv", "workforce")

    started = time.time()
    logger = logging.getLogger()
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = records.append
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MOC_DATA_DIR", str(data_dir))
            patch.setenv("MOC_HASH_SECRET", SECRET)
            from common.settings import load_settings
            from ingest.pipeline import ingest_new_files
            from publish.publish_month import publish_month
            from transform.dbt_runner import UNIT_TESTS_EXCLUDED, run_dbt

            settings = load_settings()
            summary = ingest_new_files(settings)
            dbt_output = run_dbt(settings, "build", *UNIT_TESTS_EXCLUDED, stream=False)
            publish_month(settings)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    log_text = "\n".join(r.getMessage() for r in records) + dbt_output
    return settings, summary, log_text, started


def test_the_returns_really_carry_identifiers(pipeline_outputs):
    _, summary, _, _ = pipeline_outputs
    statuses = {e.file_name: e.status for e in summary.entries}
    assert statuses["luton_2025-04_workforce.csv"] == "rejected"
    assert sum(s.startswith("accepted") for s in statuses.values()) >= 6
    assert len(_clear_identifiers()) > 100


def test_no_clear_identifier_in_the_warehouse(pipeline_outputs):
    settings, _, _, _ = pipeline_outputs
    identifiers = _clear_identifiers()
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
        for schema, table in tables:
            frame = con.execute(f'SELECT * FROM "{schema}"."{table}"').df()
            leaked = set(frame.astype(str).to_numpy().ravel()) & identifiers
            assert not leaked, f"{schema}.{table} holds {sorted(leaked)[:3]}"
        birth_days = con.execute(
            "SELECT DISTINCT day(birth_month) FROM raw.workforce WHERE birth_month IS NOT NULL"
        ).fetchall()
        assert birth_days == [(1,)], "only the month of birth is kept"
        keys = con.execute("SELECT worker_key FROM raw.workforce LIMIT 5").fetchall()
        assert all(len(key) == 64 for (key,) in keys)
    finally:
        con.close()


def test_keyed_hash_depends_on_the_secret():
    assert keyed_hash("SW123456", b"a") != keyed_hash("SW123456", b"b")
    assert keyed_hash("sw 123456", b"a") == keyed_hash("SW123456", b"a")


def _files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def test_no_clear_identifier_in_any_output_or_log(pipeline_outputs):
    settings, _, log_text, started = pipeline_outputs
    identifiers = _clear_identifiers()
    results_dir = gx_results_dir(settings)
    with exclusive_runs(results_dir):  # no checkpoint run prunes them meanwhile
        gx_results = [p for p in _files_under(results_dir) if p.stat().st_mtime >= started]
        outputs = gx_results + _files_under(
            Path(settings.bucket_url) / "luton" / "feedback",
            Path(settings.bucket_url) / "bedford" / "feedback",
            settings.published_dir,
            settings.data_dir / "dbt" / "target",
        )
        assert any("validations" in p.parts for p in gx_results), "GX results are searched too"
        assert any(p.suffix == ".html" for p in outputs)
        for path in outputs:
            text = path.read_bytes().decode("utf-8", errors="ignore")
            leaked = {value for value in identifiers if value in text}
            assert not leaked, f"{path} shows {sorted(leaked)[:3]}"
    assert not {value for value in identifiers if value in log_text}


def test_feedback_points_at_the_repeated_worker_without_showing_it(pipeline_outputs):
    settings, summary, _, _ = pipeline_outputs
    (entry,) = [e for e in summary.entries if e.file_name == "luton_2025-04_workforce.csv"]
    report = Path(entry.feedback_path).read_text(encoding="utf-8")
    assert "WKF-K01" in report
    assert "personal data: not shown" in report
