"""``moc``: the pipeline from the command line, a subcommand per stage.

moc generate   write sample returns into the bucket
moc ingest     ledger, archive, validate and load every new file in the bucket
moc build      dbt build (+ docs) on the warehouse: incremental, or --full-refresh
moc publish    members' benchmark, council packs and partner extracts for a month
moc run        ingest, build and publish, without a scheduler
moc ledger     print the ledger (--csv for machines)
moc demo       sample returns, then the whole pipeline through the Airflow DAGs
moc gx-suites  rewrite the GX project under expectations/ from ingest/suites.py
moc dbt-sources  rewrite the dbt sources of intake's tables from the return contract

ingest, build, publish, run and demo hold the data folder's run lock (common/run_lock.py): when
another run holds it, the command says whose and exits with status 75 (EX_TEMPFAIL: try again).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from common.excel import frame_csv
from common.run_lock import RUN_LOCK_NAME, RunInProgress, run_lock
from common.settings import Settings, load_settings

# Commands that write the warehouse or the published folder: one at a time per data folder.
LOCKED_COMMANDS = ("ingest", "build", "publish", "run", "demo")
EXIT_RUN_IN_PROGRESS = 75  # EX_TEMPFAIL (sysexits.h): another run holds the data folder
DEMO_PERIODS = ("2025-01", "2026-06")  # 18 months of sample returns
DEMO_SEED = 42


def _progress(done: int, total: int, entry) -> None:
    print(f"  [{done}/{total}] {entry.relative_path}: {entry.status}", flush=True)


def cmd_generate(settings: Settings, args: argparse.Namespace) -> None:
    from common.periods import month_range
    from samples.faults import write_demo_bad_file
    from samples.returns import generate_returns

    periods = month_range(args.start, args.end)
    root = _local_bucket(settings)
    paths = generate_returns(root, periods, seed=args.seed)
    if args.with_bad_file:
        paths.append(write_demo_bad_file(root, periods[-1], seed=args.seed))
    print(f"Wrote {len(paths)} sample return files for {len(periods)} month(s) to {root}")


def _local_bucket(settings: Settings) -> Path:
    """Sample files are written to a local bucket; an object store is filled by uploads."""
    if not settings.bucket_is_local:
        raise SystemExit("moc generate writes to a local folder: set MOC_BUCKET_URL to a path.")
    return Path(settings.bucket_url.removeprefix("file://"))


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> None:
    from ingest.ledger import LedgerStatus
    from ingest.pipeline import ingest_new_files

    print(f"Ingesting new files from {settings.bucket_url}", flush=True)
    summary = ingest_new_files(settings, progress=_progress)
    shown = (
        LedgerStatus.ACCEPTED,
        LedgerStatus.ACCEPTED_WITH_WARNINGS,
        LedgerStatus.REJECTED,
        LedgerStatus.DUPLICATE,
        LedgerStatus.FAILED,
    )
    counts = {s: summary.count(s) for s in shown}
    print("Ingest finished: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if summary.failed:  # our bug: the files are read again next run; say so loudly
        print(f"moc ingest: {len(summary.failed)} file(s) failed on our side", file=sys.stderr)
        raise SystemExit(1)


def cmd_build(settings: Settings, args: argparse.Namespace) -> None:
    from orchestration.agency_receipts import write_agency_rules_receipts
    from transform.dbt_runner import build_marts

    plan = build_marts(settings, full_refresh=args.full_refresh)
    print(f"Built the marts ({plan.mode}: {plan.reason})")
    written = write_agency_rules_receipts(settings)
    if written:
        print(f"Wrote {len(written)} agency rules receipt files")


def cmd_publish(settings: Settings, args: argparse.Namespace) -> None:
    from publish.publish_month import NothingToPublish, ScreeningFailed, publish_month

    try:
        publications = publish_month(settings, args.period)
    # One line, no traceback: the month cannot be published, or an extract EES would reject.
    except (NothingToPublish, ScreeningFailed) as refusal:
        print(f"moc publish: {refusal}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"Published {publications[0].period}:")
    for publication in publications:
        print(f"  {publication.kind}: {publication.folder}")
        for path in publication.files:
            print(f"    {path.name}")


def cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    cmd_ingest(settings, args)
    cmd_build(settings, args)
    cmd_publish(settings, args)


def cmd_ledger(settings: Settings, args: argparse.Namespace) -> None:
    from ingest import ledger, warehouse

    if not settings.warehouse_path.exists():
        print("The ledger is empty: nothing has been ingested yet.")
        return
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        frame = ledger.read_ledger(con)
    finally:
        con.close()
    if args.csv:
        sys.stdout.write(frame_csv(frame))  # file names and messages: never a formula
        return
    columns = [
        "ledger_id",
        "relative_path",
        "period",
        "version",
        "status",
        "error_count",
        "warning_count",
        "rows_loaded",
        "message",
    ]
    with_width = frame[columns].to_string(index=False, max_colwidth=70)
    print(with_width)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    from orchestration.local_airflow import prepare_airflow, run_pipeline_dags

    if args.fresh and settings.data_dir.exists():
        _empty_data_folder(settings)
    args.start, args.end = DEMO_PERIODS
    args.seed, args.with_bad_file = DEMO_SEED, True
    cmd_generate(settings, args)
    print("Preparing local Airflow (SQLite metadata under the data folder)...", flush=True)
    prepare_airflow(settings)
    run_pipeline_dags()
    print("\nDemo finished. Files by ledger status:")
    _print_status_counts(settings)
    print(f"  Ledger:      moc ledger   (warehouse {settings.warehouse_path})")
    print(f"  Feedback:    {_local_bucket(settings)}/<council>/feedback/")
    print(f"  Extracts:    {settings.published_dir}")
    for path in sorted(settings.published_dir.rglob("*")):
        if path.is_file():
            print(f"    {path}")


def _empty_data_folder(settings: Settings) -> None:
    """Remove everything generated but the run lock this command holds (removing its file
    would let another run lock a new file of the same name)."""
    for path in settings.data_dir.iterdir():
        if path.name == RUN_LOCK_NAME:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _print_status_counts(settings: Settings) -> None:
    from ingest import ledger, warehouse

    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        counts = ledger.read_ledger(con)["status"].value_counts().sort_index()
    finally:
        con.close()
    for status, count in counts.items():
        print(f"  {status:<24}{count}")


def cmd_gx_suites(settings: Settings, args: argparse.Namespace) -> None:
    from ingest.gx_project import write_project

    print("Wrote GX suites and checkpoints: " + ", ".join(write_project()))


def cmd_dbt_sources(settings: Settings, args: argparse.Namespace) -> None:
    from transform.dbt_sources import write_sources

    for path in write_sources():
        print(f"Wrote {path}")


def cmd_template(settings: Settings, args: argparse.Namespace) -> None:
    from ingest.template import TEMPLATE_FILE_NAME, build_template, write_docs

    if args.docs:
        print(f"Wrote {write_docs()}")
        return
    output = args.output or settings.published_dir / "template" / TEMPLATE_FILE_NAME
    print(f"Wrote the return template to {build_template(output)}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write sample returns into the bucket")
    generate.add_argument("--start", default=DEMO_PERIODS[0], help="first month, YYYY-MM")
    generate.add_argument("--end", default=DEMO_PERIODS[1], help="last month, YYYY-MM")
    generate.add_argument("--seed", type=int, default=DEMO_SEED)
    generate.add_argument(
        "--with-bad-file",
        action="store_true",
        help="add one return with an unmapped grade, to see a rejection",
    )
    generate.set_defaults(func=cmd_generate)

    commands.add_parser("ingest", help="process new files in the bucket").set_defaults(
        func=cmd_ingest
    )
    build = commands.add_parser(
        "build", help="dbt build on the warehouse (incremental when it can be)"
    )
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every incremental model from all returns, not only what changed",
    )
    build.set_defaults(func=cmd_build)
    publish = commands.add_parser(
        "publish", help="publish the members' benchmark, council packs and partner extracts"
    )
    publish.add_argument("--period", help="YYYY-MM (default: latest month in the marts)")
    publish.set_defaults(func=cmd_publish)
    run = commands.add_parser("run", help="ingest, build and publish without a scheduler")
    run.add_argument("--period", help="month to publish (default: latest)")
    run.add_argument("--full-refresh", action="store_true", help="build the marts in full")
    run.set_defaults(func=cmd_run)
    ledger = commands.add_parser("ledger", help="print the ledger")
    ledger.add_argument("--csv", action="store_true", help="CSV on stdout, for machines")
    ledger.set_defaults(func=cmd_ledger)
    demo = commands.add_parser("demo", help="sample data through the Airflow DAGs")
    demo.add_argument(
        "--keep",
        dest="fresh",
        action="store_false",
        help="keep existing data (default: start from an empty data folder)",
    )
    demo.set_defaults(func=cmd_demo)
    commands.add_parser(
        "gx-suites", help="rewrite expectations/ from ingest/suites.py"
    ).set_defaults(func=cmd_gx_suites)
    commands.add_parser(
        "dbt-sources", help="rewrite the dbt sources of intake's tables from the return contract"
    ).set_defaults(func=cmd_dbt_sources)
    template = commands.add_parser("template", help="write the blank return template")
    template.add_argument("--output", type=Path, help="where to write the .xlsx")
    template.add_argument(
        "--docs", action="store_true", help="rewrite docs/return_template.md instead"
    )
    template.set_defaults(func=cmd_template)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        if args.command in LOCKED_COMMANDS:
            with run_lock(settings.data_dir, f"moc {args.command}"):
                args.func(settings, args)
        else:
            args.func(settings, args)
    except RunInProgress as exc:
        print(f"moc {args.command}: {exc}", file=sys.stderr)
        return EXIT_RUN_IN_PROGRESS
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
