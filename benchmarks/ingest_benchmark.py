"""Ingest benchmark: one ``ingest_new_files`` batch over N generated returns.

    .venv/bin/python benchmarks/ingest_benchmark.py --files 10000

Generates N monthly returns (each council in its own format: five send Excel workbooks, six send
CSV) across the 11 member councils over consecutive months from 2000-01, caches that corpus
under ``data/benchmarks/`` (generation is not measured), links it into a fresh bucket, runs one
batch with the committed GX suites and a fresh DuckDB warehouse, and writes files per second,
total seconds and peak memory to ``BENCHMARKS.md`` (the row for the same settings is replaced).

Two experiments, without changing the pipeline (its module-level helpers are wrapped):

- ``--chunk N``: GX validates at most N files per checkpoint run instead of every file of a table.
- ``--batch N``: ``ingest_new_files`` is called repeatedly, each call taking the next N files of
  the listing, until nothing is new: what a ``max_files`` cap per batch would do to time and peak
  memory (every arrival's parsed tables stay in memory until its batch is settled).
``--tracemalloc`` also reports the peak of Python allocations (slows the run noticeably).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import resource
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from report import REPORT, ROOT, commit, machine, markdown_row, upsert_rows

sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / "data" / "benchmarks"
FIRST_PERIOD = "2000-01"  # file names carry the month as 20YY-MM: 11 x 1,200 files at most
HEADER = (
    "| run | files | CSV / xlsx | rows | chunk | batch | seconds | files/s | peak RSS (MiB) "
    "| RSS before (MiB) | tracemalloc peak (MiB) | phases (s) | statuses | machine | date "
    "| commit |"
)


# --- corpus -------------------------------------------------------------------------------


def _plan(files: int) -> list[tuple[str, str]]:
    """(council_code, period) for the first ``files`` council-months, month by month."""
    from common.periods import add_months, month_range
    from samples.councils import COUNCIL_PROFILES

    councils = sorted(COUNCIL_PROFILES)
    months = -(-files // len(councils))
    periods = month_range(FIRST_PERIOD, add_months(FIRST_PERIOD, months - 1))
    if periods[-1] > "2099-12":
        raise SystemExit(f"at most {len(councils) * 1200} files: periods must stay in 20YY")
    return [(c, p) for p in periods for c in councils][:files]


def _write_some(job: tuple[str, list[tuple[str, str]], int]) -> list[str]:
    from common.members import members_by_code
    from samples.councils import COUNCIL_PROFILES
    from samples.establishment import establishment_frame
    from samples.return_files import return_filename, write_return

    folder, pairs, seed = job
    members = members_by_code()
    written = []
    for council, period in pairs:
        fmt = "xlsx" if COUNCIL_PROFILES[council].sends_excel else "csv"
        slug = members[council].council_slug
        path = Path(folder) / slug / return_filename(slug, period, fmt)
        if not path.exists():
            write_return(establishment_frame(council, period, seed), path, fmt)
        written.append(path.relative_to(folder).as_posix())
    return written


def corpus(files: int, seed: int, workers: int) -> tuple[Path, list[str]]:
    """The cached corpus for (files, seed), generated in parallel the first time."""
    folder = BENCH_DIR / f"corpus-n{files}-seed{seed}"
    manifest = folder / "manifest.json"
    if manifest.exists():
        return folder, json.loads(manifest.read_text())["files"]
    plan = _plan(files)
    size = max(1, len(plan) // (workers * 8))
    jobs = [(str(folder), plan[i : i + size], seed) for i in range(0, len(plan), size)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        written = [name for names in pool.map(_write_some, jobs) for name in names]
    manifest.write_text(json.dumps({"seed": seed, "files": written}))
    print(f"generated {len(written)} files in {time.perf_counter() - started:.0f} s -> {folder}")
    return folder, written


def fresh_bucket(corpus_dir: Path, names: list[str], run_dir: Path) -> Path:
    """Hard-link the corpus into an empty bucket (feedback is written into the bucket)."""
    bucket = run_dir / "bucket"
    for index, name in enumerate(names):
        target = bucket / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(corpus_dir / name, target)
        # Arrival order is the order of the plan (months in sequence), not generation order.
        stamp = 1_700_000_000 + index
        os.utime(target, (stamp, stamp))
    return bucket


# --- measurement --------------------------------------------------------------------------


def _rss_mib() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _current_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _rss_mib()


class Phases:
    """Wall time per pipeline phase, by wrapping the pipeline's module-level helpers."""

    def __init__(self, pipeline) -> None:
        self.seconds: dict[str, float] = {}
        self.validate_calls = 0
        for name, phase in (
            ("_receive", "receive"),
            ("validate_files", "validate"),
            ("_feedback", "feedback"),
            ("_settle", "settle"),
        ):
            if hasattr(pipeline, name):
                setattr(pipeline, name, self._timed(getattr(pipeline, name), phase))

    def _timed(self, function, phase: str):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started

        return wrapper


def chunked(validate_files, chunk: int):
    """``validate_files`` run on at most ``chunk`` files at a time, results merged."""

    def wrapper(table, files, results_dir):
        problems = {}
        for start in range(0, max(len(files), 1), chunk):
            problems.update(validate_files(table, files[start : start + chunk], results_dir))
        return problems

    return wrapper


def capped(list_dropped_files, batch: int):
    """The k-th listing returns the first k x ``batch`` files: the ledger has seen all but the
    last ``batch`` of them, so each ``ingest_new_files`` call gets the next ``batch`` files."""
    calls = 0

    def wrapper(fs, root):
        nonlocal calls
        calls += 1
        return list_dropped_files(fs, root)[: calls * batch]

    return wrapper


def run(args: argparse.Namespace) -> dict:
    corpus_dir, names = corpus(args.files, args.seed, args.workers)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir = BENCH_DIR / f"run-{stamp}"
    bucket = fresh_bucket(corpus_dir, names, run_dir)

    from common import settings as variables

    os.environ.update(
        {
            variables.DATA_DIR_VARIABLE: str(run_dir / "data"),
            variables.BUCKET_URL_VARIABLE: str(bucket),
            variables.ARCHIVE_URL_VARIABLE: str(run_dir / "archive"),
            variables.WAREHOUSE_PATH_VARIABLE: str(run_dir / "warehouse.duckdb"),
            # The corpus runs for decades from FIRST_PERIOD: open the plausible-period window
            # there, and end it (by ingesting "on" the last month) after the last file's month.
            variables.EARLIEST_PERIOD_VARIABLE: FIRST_PERIOD,
            "GX_ANALYTICS_ENABLED": "False",
        }
    )
    os.environ.pop(variables.ARCHIVE_URL_VARIABLE, None)
    logging.basicConfig(level=logging.WARNING)

    # Import (and warm up GX) before measuring: a long-running worker pays this once.
    from common.periods import period_start
    from common.settings import load_settings
    from ingest import gx_project, pipeline

    settings = load_settings()
    gx_project.get_context(gx_project.gx_results_dir(settings))
    phases = Phases(pipeline)
    if args.chunk:
        pipeline.validate_files = chunked(pipeline.validate_files, args.chunk)
    if args.batch:
        pipeline.list_dropped_files = capped(pipeline.list_dropped_files, args.batch)
    last_month = period_start(max(period for _, period in _plan(args.files)))

    rss_before = _current_rss_mib()
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    entries = []
    while True:
        found = pipeline.ingest_new_files(settings, today=last_month).entries
        entries += found
        if not args.batch or not found:
            break
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
    tracemalloc.stop()

    statuses: dict[str, int] = {}
    for entry in entries:
        statuses[entry.status] = statuses.get(entry.status, 0) + 1
    xlsx = sum(1 for name in names if name.endswith(".xlsx"))
    result = {
        "files": len(entries),
        "csv": len(names) - xlsx,
        "xlsx": xlsx,
        "rows": sum(e.rows_loaded for e in entries),
        "chunk": args.chunk,
        "batch": args.batch,
        "seconds": seconds,
        "files_per_second": len(entries) / seconds,
        "peak_rss_mib": _rss_mib(),
        "rss_before_mib": rss_before,
        "tracemalloc_peak_mib": traced_peak,
        "phases": {k: round(v, 1) for k, v in phases.seconds.items()},
        "statuses": statuses,
        "machine": machine(),
        "date": dt.date.today().isoformat(),
        "commit": commit(),
    }
    if not args.keep:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)
    return result


# --- report -------------------------------------------------------------------------------


def table_row(result: dict) -> str:
    chunk = result["chunk"] or "all"
    batch = result.get("batch") or "all"
    traced = result["tracemalloc_peak_mib"]
    phases = ", ".join(f"{k} {v}" for k, v in result["phases"].items())
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(result["statuses"].items()))
    cells = [
        run_key(result),
        f"{result['files']:,}",
        f"{result['csv']:,} / {result['xlsx']:,}",
        f"{result['rows']:,}",
        str(chunk),
        str(batch),
        f"{result['seconds']:.1f}",
        f"{result['files_per_second']:.1f}",
        f"{result['peak_rss_mib']:.0f}",
        f"{result['rss_before_mib']:.0f}",
        "-" if traced is None else f"{traced:.0f}",
        phases,
        statuses,
        result["machine"],
        result["date"],
        result["commit"],
    ]
    return markdown_row(cells)


def run_key(result: dict) -> str:
    return (
        f"{result['files']} files, chunk {result['chunk'] or 'all'}, "
        f"batch {result.get('batch') or 'all'}"
    )


def update_report(result: dict, path: Path = REPORT) -> None:
    """Replace the row for the same run (files, chunk, batch) or append one."""
    upsert_rows("ingest-benchmark", INTRO, HEADER, run_key(result), [table_row(result)], path=path)


INTRO = (
    "## Ingest: one batch of generated returns\n\n"
    "`.venv/bin/python benchmarks/ingest_benchmark.py --files N [--chunk C]` "
    "(or `make bench`). Generation is not timed; the batch is one `ingest_new_files` call "
    "(read, hash, archive, identify, pseudonymise, GX validation per table, load into "
    "DuckDB, ledger, feedback for every file). Peak RSS is `ru_maxrss` of the process; "
    "RSS before is after imports and a GX context warm-up."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--chunk", type=int, default=0, help="validate at most N files per GX run")
    parser.add_argument(
        "--batch", type=int, default=0, help="ingest N files per ingest_new_files call"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the run's bucket and warehouse")
    parser.add_argument("--no-report", action="store_true", help="do not touch BENCHMARKS.md")
    args = parser.parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=2))
    print(table_row(result))
    if not args.no_report:
        update_report(result)
        print(f"updated {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
