"""The Great Expectations project under ``expectations/``: write it from the rules, run it.

Runtime only *reads* the committed project (suites, validation definitions, checkpoints);
``write_project`` regenerates it from :mod:`ingest.suites` when rules change.

What runs produce (validation results, Data Docs) is data, and lives under the data folder
(:func:`gx_results_dir`: ``<data>/gx/``), never in the checkout: two data folders ingesting
from one checkout each keep their own results and prune only their own. The committed
``great_expectations.yml`` names the folder as the config variable ``${gx_results_dir}``, which
:func:`get_context` fills in for each run (GX's ``runtime_environment``).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from common.settings import GX_PROJECT_DIR, Settings
from ingest.readers import ROW_NUMBER
from ingest.return_contract import TABLES
from ingest.suites import FILE_KEY, RULES_BY_TABLE

DATASOURCE = "council_returns"
BATCH_DEFINITION = "whole_batch"
INDEX_COLUMNS = [FILE_KEY, ROW_NUMBER]
# Validation results and their Data Docs pages kept per table. GX keeps every run, and its
# UpdateDataDocsAction re-reads them all, so without a limit each run is slower than the last.
# The ledger and the feedback files are the lasting record; these are for looking into a run.
KEEP_VALIDATION_RUNS = 50
# Namespace of the ids written into the committed project (stabilise_ids).
PROJECT_ID_NAMESPACE = uuid.UUID("5f0b3a52-6d1e-4c53-9a53-6f6d6f635f67")
# The config variable of great_expectations.yml that holds the results folder.
RESULTS_DIR_VARIABLE = "gx_results_dir"
# Where GX keeps run results and their pages, under the results folder (great_expectations.yml).
VALIDATION_RUN_FOLDERS = (
    Path("validations"),
    Path("data_docs", "local_site", "validations"),
)
DATA_DOCS_INDEX = Path("data_docs", "local_site", "index.html")
RUNS_LOCK = "runs.lock"


def gx_results_dir(settings: Settings) -> Path:
    """Where GX's validation results, Data Docs and run lock live for these settings."""
    return settings.data_dir / "gx"


def _quiet_gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    for name in ("great_expectations", "great_expectations._docs_decorators"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import great_expectations as gx

    return gx


def get_context(results_dir: Path, project_dir: Path = GX_PROJECT_DIR):
    """The committed project, its runs' results going to ``results_dir``."""
    gx = _quiet_gx()
    return gx.get_context(
        mode="file",
        project_root_dir=str(project_dir),
        runtime_environment={RESULTS_DIR_VARIABLE: str(Path(results_dir).resolve())},
    )


def write_project(project_dir: Path = GX_PROJECT_DIR) -> list[str]:
    """(Re)write datasource, suites, validation definitions and checkpoints. Returns names."""
    gx = _quiet_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # Writing runs nothing: the results folder is never written (the yml keeps the variable).
    context = get_context(Path(project_dir) / "gx" / "uncommitted", project_dir)
    # Progress bars would print hundreds of lines into Airflow task logs per batch.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.variables.save()
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE)
    written = []
    for table_name, rules in RULES_BY_TABLE.items():
        table = TABLES[table_name]
        try:
            asset = datasource.get_asset(table_name)
        except LookupError:
            asset = datasource.add_dataframe_asset(table_name)
        try:
            batch_definition = asset.get_batch_definition(BATCH_DEFINITION)
        except (KeyError, LookupError):
            batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
        suite = gx.ExpectationSuite(name=table_name, meta={"table": table_name})
        for rule in rules:
            expectation_class = getattr(gx.expectations, rule.expectation)
            suite.add_expectation(expectation_class(**rule.kwargs, meta=rule.to_meta(table)))
        suite = context.suites.add_or_update(suite)
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=table_name, data=batch_definition, suite=suite)
        )
        context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=table_name,
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": INDEX_COLUMNS,
                },
            )
        )
        written.append(table_name)
    stabilise_ids(Path(project_dir) / "gx")
    return written


def stabilise_ids(gx_dir: Path) -> int:
    """Give every object of the committed project an id derived from what it is (a suite's
    name, an expectation's rule code...), in every file that names it, instead of the random
    UUID GX gives it on each rewrite: rewriting unchanged rules changes no file, and a changed
    rule shows in review as itself. Returns how many ids were replaced."""
    yml = gx_dir / "great_expectations.yml"
    stable: dict[str, str] = {}  # current id -> stable id

    def keep(current: str | None, *what: str) -> None:
        if current:
            stable[current] = str(uuid.uuid5(PROJECT_ID_NAMESPACE, "/".join(what)))

    config = yaml.safe_load(yml.read_text(encoding="utf-8"))
    for source_name, source in (config.get("fluent_datasources") or {}).items():
        keep(source.get("id"), "datasource", source_name)
        for asset_name, asset in (source.get("assets") or {}).items():
            keep(asset.get("id"), "asset", source_name, asset_name)
            for batch_name, batch in (asset.get("batch_definitions") or {}).items():
                keep(batch.get("id"), "batch_definition", source_name, asset_name, batch_name)
    for path in sorted((gx_dir / "expectations").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        keep(suite.get("id"), "suite", suite["name"])
        for expectation in suite["expectations"]:
            keep(expectation.get("id"), "expectation", suite["name"], expectation["meta"]["rule"])
    for kind in ("validation_definitions", "checkpoints"):
        for path in sorted((gx_dir / kind).glob("*.json")):
            item = json.loads(path.read_text(encoding="utf-8"))
            keep(item.get("id"), kind, item["name"])
    replaced = 0
    for path in [yml, *sorted(gx_dir.glob("*/*.json"))]:
        if path.parts[-2] == "uncommitted":
            continue
        text = original = path.read_text(encoding="utf-8")
        for current, new in stable.items():
            if current != new and current in text:
                text = text.replace(current, new)
                replaced += 1
        if text != original:
            path.write_text(text, encoding="utf-8")
    return replaced


@contextmanager
def exclusive_runs(results_dir: Path) -> Iterator[None]:
    """Hold a results folder for one process. GX's file context is not safe for two runs at
    once: a run prunes old results and re-reads every stored one for Data Docs, so another run
    can delete or half-write files under it. A data folder's run lock (common/run_lock.py)
    already keeps its ingests apart; this covers callers that validate without one (tests)."""
    lock_path = Path(results_dir) / RUNS_LOCK
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes
        yield


def run_checkpoint(
    table_name: str, frame: pd.DataFrame, results_dir: Path, project_dir: Path = GX_PROJECT_DIR
):
    """Run the committed checkpoint for ``table_name`` on one batch (rows of many files),
    keeping its results and Data Docs in ``results_dir``."""
    with exclusive_runs(results_dir):
        prune_validation_runs(table_name, KEEP_VALIDATION_RUNS - 1, results_dir)
        context = get_context(results_dir, project_dir)
        checkpoint = context.checkpoints.get(table_name)
        return checkpoint.run(batch_parameters={"dataframe": frame})


def prune_validation_runs(table_name: str, keep: int, results_dir: Path) -> int:
    """Delete all but the newest ``keep`` stored runs of the table's suite (results and Data
    Docs pages; run folders are named by their UTC start time, so names sort by age). Returns
    how many run folders were deleted."""
    deleted = 0
    for folder in VALIDATION_RUN_FOLDERS:
        suite_dir = Path(results_dir) / folder / table_name
        if not suite_dir.is_dir():
            continue
        for run_name_dir in suite_dir.iterdir():  # "__none__": runs without a run name
            if not run_name_dir.is_dir():
                continue
            runs = sorted(path for path in run_name_dir.iterdir() if path.is_dir())
            for old_run in runs[: max(len(runs) - keep, 0)]:
                shutil.rmtree(old_run)
                deleted += 1
    return deleted


def failing_rows(checkpoint_result) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(expectation meta, failing index rows) for every failed expectation of a checkpoint run."""
    failures = []
    for validation in checkpoint_result.run_results.values():
        for result in validation.results:
            if result.success:
                continue
            meta = dict(result.expectation_config.meta or {})
            index_rows = result.result.get("unexpected_index_list") or []
            if not index_rows and result.exception_info.get("raised_exception"):
                meta["exception"] = result.exception_info.get("exception_message")
            failures.append((meta, index_rows))
    return failures
