"""The committed GX project: rewriting it from the rules in code changes no file (its ids are
derived, not random), and stored validation runs are pruned to the newest few per table,
results and pages alike; runs keep their results under the data folder, one run at a time."""

from __future__ import annotations

import fcntl
import shutil

import pytest

from common.settings import GX_PROJECT_DIR
from ingest.gx_project import (
    DATA_DOCS_INDEX,
    RUNS_LOCK,
    VALIDATION_RUN_FOLDERS,
    exclusive_runs,
    get_context,
    gx_results_dir,
    prune_validation_runs,
    write_project,
)

RUNS = [f"20261125T0{minute:03d}00.000000Z" for minute in range(5)]  # oldest first


def _store_runs(results_dir, table_name):
    for folder in VALIDATION_RUN_FOLDERS:
        for run in RUNS:
            run_dir = results_dir / folder / table_name / "__none__" / run
            run_dir.mkdir(parents=True)
            (run_dir / f"council_returns-{table_name}.json").write_text("{}")


def _runs_left(results_dir, table_name):
    return [
        sorted(p.name for p in (results_dir / folder / table_name / "__none__").iterdir())
        for folder in VALIDATION_RUN_FOLDERS
    ]


def test_the_newest_runs_of_the_table_are_kept_in_results_and_data_docs(tmp_path):
    _store_runs(tmp_path, "establishment")
    _store_runs(tmp_path, "workforce")
    assert prune_validation_runs("establishment", 2, tmp_path) == 6  # 3 runs x 2 folders
    assert _runs_left(tmp_path, "establishment") == [RUNS[-2:], RUNS[-2:]]
    assert _runs_left(tmp_path, "workforce") == [RUNS, RUNS]  # another table is untouched


def test_pruning_a_table_with_no_stored_runs_does_nothing(tmp_path):
    assert prune_validation_runs("pay_scales", 2, tmp_path) == 0
    (tmp_path / ".ge_store_backend_id").write_text("id")
    _store_runs(tmp_path, "pay_scales")
    assert prune_validation_runs("pay_scales", 10, tmp_path) == 0


def _committed_files(project_dir):
    return {
        path.relative_to(project_dir).as_posix(): path.read_bytes()
        for path in sorted((project_dir / "gx").rglob("*"))
        if path.is_file() and "uncommitted" not in path.relative_to(project_dir).parts
    }


def test_rewriting_the_project_from_the_rules_changes_no_committed_file(tmp_path):
    """`moc gx-suites` on unchanged rules is a no-op for git: the committed project is what
    ingest/suites.py writes, ids included."""
    copy = tmp_path / "expectations"
    shutil.copytree(GX_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("uncommitted"))
    write_project(copy)
    assert _committed_files(copy) == _committed_files(GX_PROJECT_DIR)


def test_runs_hold_the_project_one_at_a_time(tmp_path):
    """Another process (a parallel test worker) waits while a run prunes and rewrites the
    stored results."""
    lock = tmp_path / RUNS_LOCK
    with exclusive_runs(tmp_path):
        with open(lock) as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with open(lock) as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once the run is over


def test_results_and_data_docs_go_to_the_data_folder_not_the_checkout(tmp_path):
    """Two data folders ingesting from one checkout keep (and prune) their own results."""
    from common.settings import load_settings

    settings = load_settings({"MOC_DATA_DIR": str(tmp_path / "data")})
    results_dir = gx_results_dir(settings)
    assert results_dir == settings.data_dir / "gx"
    context = get_context(results_dir)
    store = context.stores["validation_results_store"].store_backend
    assert store.full_base_directory.rstrip("/") == str(results_dir / VALIDATION_RUN_FOLDERS[0])
    (site,) = context.get_docs_sites_urls(only_if_exists=False)
    assert site["site_url"] == (results_dir / DATA_DOCS_INDEX).as_uri()
