"""Build benchmark: the dbt build of the marts, full and incremental.

    .venv/bin/python benchmarks/build_benchmark.py --months 60

Generates the four monthly tables for every member council over ``--months`` months up to the
last month of the plausible-period window (the month after this one; the window's first month
is set to the first month generated, so dim_months spans them all) and appends them to a fresh
DuckDB warehouse as ingest would (generation is not timed),
then times the pipeline's build (``transform.dbt_runner.run_dbt_build``) through five steps:

1. the first build (full);
2. a build with nothing new (incremental);
3. a new month from every council (incremental);
4. one corrected establishment and agency return, 12 months before the end (incremental);
5. ``--full-refresh`` of the same data, for comparison.

Each step reports wall-clock seconds of the whole ``dbt build`` (seeds, models, data tests and
unit tests: dbt's start-up and the ~500 data tests are the same whatever changed) and the
seconds dbt spent in the models alone (``run_results.json``), which is the part the incremental
path shrinks. The table in ``BENCHMARKS.md`` is rewritten for the same councils and months.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd
from report import ROOT, commit, machine, markdown_row, upsert_rows

from common.members import load_members
from common.periods import add_months, month_range, period_start
from common.settings import (
    DATA_DIR_VARIABLE,
    EARLIEST_PERIOD_VARIABLE,
    WAREHOUSE_PATH_VARIABLE,
    load_settings,
)
from ingest.return_contract import RETURN_TABLES
from ingest.warehouse import RAW_METADATA_COLUMNS, append_rows, ensure_warehouse_tables
from samples.returns import return_frames
from transform.dbt_runner import run_dbt_build

HEADER = (
    "| run | step | mode | council-months changed | build seconds | model seconds "
    "| mart rows | machine | date | commit |"
)
CORRECTION_TABLES = ("establishment", "agency_assignments")


def _file_rows(job: tuple[str, str, int, int, tuple[str, ...]]) -> dict[str, pd.DataFrame]:
    """One file's tables with the metadata ingest adds."""
    code, period, ledger_id, seed, tables = job
    received_at = pd.Timestamp(period_start(add_months(period, 1)))
    frames = {}
    for name, frame in return_frames(code, period, seed=seed, tables=tables).items():
        metadata = {
            "ledger_id": ledger_id,
            "file_sha256": f"{code}-{period}-{ledger_id}".ljust(64, "0"),
            "council_code": code,
            "period": period,
            "received_at": received_at,
            "source_row_number": range(2, len(frame) + 2),
        }
        assert set(metadata) == set(RAW_METADATA_COLUMNS)
        frames[name] = frame.assign(**metadata)
    return frames


def append_files(warehouse: Path, jobs: list, workers: int) -> None:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        files = list(pool.map(_file_rows, jobs, chunksize=8))
    with duckdb.connect(str(warehouse)) as con:
        ensure_warehouse_tables(con)
        for name, table in RETURN_TABLES.items():
            rows = [frames[name] for frames in files if name in frames]
            if rows:
                append_rows(con, table, pd.concat(rows, ignore_index=True))


def model_seconds(data_dir: Path) -> float:
    results = json.loads((data_dir / "dbt" / "target" / "run_results.json").read_text())
    return sum(
        result["execution_time"]
        for result in results["results"]
        if result["unique_id"].startswith("model.")
    )


def mart_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
        return sum(con.execute(f"select count(*) from marts.{t}").fetchone()[0] for (t,) in tables)


def run(args: argparse.Namespace) -> list[dict]:
    councils = [member.council_code for member in load_members()]
    last = load_settings().plausible_window().last
    periods = month_range(add_months(last, -args.months), last)
    history, new_month = periods[:-1], periods[-1]
    corrected = (councils[0], history[-12])

    work = ROOT / "data" / "benchmarks" / "build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "warehouse.duckdb"
    settings = load_settings(
        {
            DATA_DIR_VARIABLE: str(work),
            WAREHOUSE_PATH_VARIABLE: str(warehouse),
            EARLIEST_PERIOD_VARIABLE: periods[0],
        }
    )

    ledger_ids = iter(range(1, 10**9))
    all_tables = tuple(RETURN_TABLES)
    base = [(c, p, next(ledger_ids), 42, all_tables) for c in councils for p in history]
    append_files(warehouse, base, args.workers)

    steps = [
        ("first build", None, False),
        ("nothing new", [], False),
        ("new month", [(c, new_month, 42, all_tables) for c in councils], False),
        ("one correction", [(*corrected, 7, CORRECTION_TABLES)], False),
        ("full refresh", [], True),
    ]
    run_key = f"{len(councils)} councils x {args.months} months"
    results = []
    for step, new_files, full_refresh in steps:
        if new_files:
            jobs = [(c, p, next(ledger_ids), seed, t) for c, p, seed, t in new_files]
            append_files(warehouse, jobs, args.workers)
        started = time.perf_counter()
        plan = run_dbt_build(settings, full_refresh=full_refresh, stream=False)
        seconds = time.perf_counter() - started
        with duckdb.connect(str(warehouse), read_only=True) as con:
            changed = con.execute(
                "select changed_council_months from meta.marts_builds "
                "order by build_id desc limit 1"
            ).fetchone()[0]
        result = {
            "run": run_key,
            "step": step,
            "mode": plan.mode,
            "changed": changed,
            "seconds": round(seconds, 1),
            "model_seconds": round(model_seconds(work), 1),
            "mart_rows": mart_rows(warehouse),
        }
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


def table_row(result: dict, machine_name: str, day: str, head: str) -> str:
    cells = [
        result["run"],
        result["step"],
        result["mode"],
        f"{result['changed']:,}",
        f"{result['seconds']:.1f}",
        f"{result['model_seconds']:.1f}",
        f"{result['mart_rows']:,}",
        machine_name,
        day,
        head,
    ]
    return markdown_row(cells)


def update_report(results: list[dict]) -> None:
    """Replace the rows of the same run (councils x months) with these."""
    day, machine_name, head = dt.date.today().isoformat(), machine(), commit()
    rows = [table_row(result, machine_name, day, head) for result in results]
    upsert_rows("build-benchmark", INTRO, HEADER, results[0]["run"], rows)


INTRO = (
    "## dbt build: full and incremental\n\n"
    "`.venv/bin/python benchmarks/build_benchmark.py --months N` (or `make bench-build`). "
    "Generation is not timed. *Build seconds* is the whole `dbt build` as the pipeline runs "
    "it (seeds, models, ~500 data tests and unit tests); *model seconds* is the time dbt "
    "spent in the models alone (`run_results.json`), the part the incremental path "
    "shrinks."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=60, help="months of history (plus one new)")
    parser.add_argument("--workers", type=int, default=2, help="processes generating returns")
    parser.add_argument("--no-report", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    results = run(args)
    if not args.no_report:
        update_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
