"""Settings have one home: common/settings.py reads every MOC_* variable, no other module names
one, and the README's configuration table lists every variable it reads."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from common import settings as settings_module
from common.settings import MOC_VARIABLES, VARIABLES, disclosure_threshold, load_settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = Path(settings_module.__file__).resolve()
# Tests set variables to configure a run; everything else reads settings through common.settings.
NOT_SCANNED = {"tests", "data", "node_modules"}
MOC_NAME = re.compile(r"MOC_[A-Z0-9_]+")


def _python_files() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not any(
            part in NOT_SCANNED or part.startswith(".")
            for part in path.relative_to(ROOT).parts[:-1]
        )
    ]


def _moc_names(path: Path) -> set[str]:
    """MOC_* names a module spells out as a whole string (a variable it reads or sets)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and MOC_NAME.fullmatch(node.value)
    }


def test_the_scan_sees_the_pipeline_packages():
    scanned = {path.relative_to(ROOT).parts[0] for path in _python_files()}
    assert {"common", "ingest", "transform", "publish", "dashboard", "orchestration"} <= scanned
    assert {"dags", "samples", "benchmarks"} <= scanned


def test_no_module_but_settings_reads_a_moc_variable():
    offenders = {
        str(path.relative_to(ROOT)): sorted(names)
        for path in _python_files()
        if path.resolve() != SETTINGS_FILE and (names := _moc_names(path))
    }
    assert not offenders, f"read MOC_* variables through common.settings: {offenders}"


def test_settings_lists_every_moc_variable_it_reads():
    assert _moc_names(SETTINGS_FILE) == set(MOC_VARIABLES)
    assert len(set(VARIABLES)) == len(VARIABLES)


def test_the_readme_configuration_table_lists_every_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    documented = {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}
    assert set(VARIABLES) <= documented, set(VARIABLES) - documented


def test_defaults_are_the_demo_s():
    settings = load_settings({"MOC_DATA_DIR": "/d"})
    assert settings.data_dir == Path("/d").resolve()
    assert settings.published_dir == settings.data_dir / "published"
    assert settings.marts_snapshot == settings.published_dir / "marts" / "marts_snapshot.duckdb"
    assert settings.hash_secret == ""
    assert settings.disclosure_threshold == 5
    assert settings.return_deadline_day == 10
    assert settings.earliest_period == "2017-09"
    assert settings.contacts_file is None
    assert settings.smtp_conn_id == "smtp_default"
    assert settings.run_lock_wait == 900
    assert (settings.dashboard_port, settings.dashboard_address) == (8501, "127.0.0.1")


def test_every_setting_comes_from_its_variable():
    settings = load_settings(
        {
            "MOC_DATA_DIR": "/d",
            "MOC_PUBLISHED_DIR": "/p",
            "MOC_MARTS_SNAPSHOT": "/s/snap.duckdb",
            "MOC_HASH_SECRET": "key",
            "MOC_DISCLOSURE_THRESHOLD": "10",
            "MOC_RETURN_DEADLINE_DAY": "12",
            "MOC_EARLIEST_PERIOD": "2020-04",
            "MOC_CONTACTS_FILE": "/etc/contacts.csv",
            "MOC_SMTP_CONN_ID": "smtp_moc",
            "MOC_RUN_LOCK_WAIT": "60",
            "DASHBOARD_PORT": "8600",
            "DASHBOARD_ADDRESS": "0.0.0.0",
        }
    )
    assert settings.published_dir == Path("/p")
    assert settings.marts_snapshot == Path("/s/snap.duckdb")
    assert settings.hash_secret == "key"
    assert "key" not in repr(settings)  # never in a log line
    assert settings.disclosure_threshold == 10
    assert settings.return_deadline_day == 12
    assert settings.earliest_period == "2020-04"
    assert settings.contacts_file == Path("/etc/contacts.csv")
    assert settings.smtp_conn_id == "smtp_moc"
    assert settings.run_lock_wait == 60
    assert (settings.dashboard_port, settings.dashboard_address) == (8600, "0.0.0.0")


def test_a_threshold_below_one_worker_is_refused():
    with pytest.raises(ValueError, match="MOC_DISCLOSURE_THRESHOLD"):
        disclosure_threshold({"MOC_DISCLOSURE_THRESHOLD": "0.5"})
    with pytest.raises(ValueError):
        load_settings({"MOC_DISCLOSURE_THRESHOLD": "0"})


def test_the_plausible_window_runs_from_the_earliest_period_to_the_month_after_today():
    settings = load_settings({"MOC_EARLIEST_PERIOD": "2020-04"})
    window = settings.plausible_window(today=dt.date(2025, 12, 31))
    assert (window.first, window.last) == ("2020-04", "2026-01")


@pytest.mark.parametrize("text", ["2017", "2017-13", "Sept 2017"])
def test_an_earliest_period_that_is_not_a_month_is_refused(text):
    with pytest.raises(ValueError, match="MOC_EARLIEST_PERIOD"):
        load_settings({"MOC_EARLIEST_PERIOD": text})
