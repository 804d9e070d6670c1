"""Kill and re-run: a ``moc`` command SIGKILLed at any point leaves nothing the next run trips
over or leaves behind, and the end result is what an uninterrupted run gives.

One data folder is run uninterrupted (``moc run``). A copy of the same returns (same bytes, same
modification times, same hash secret) goes through ingest, build and publish, each killed with
SIGKILL at several points first (tests/support/crash_driver.py lets the real code run and kills
the process when a chosen call returns; the dbt build is killed from outside while its dbt child
runs), then run again to the end. Afterwards: no build record ``running``, no dbt left, no staging
folder anywhere under the published folder, and the same raw tables, ledger, marts and published
files as the uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from samples.returns import generate_returns
from transform.build_plan import BUILDS_TABLE

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).resolve().parent / "support" / "crash_driver.py"
PERIODS = ["2025-05", "2025-06"]
COUNCILS = ["873", "821", "874"]  # Cambridgeshire, Luton, Peterborough: a CSV per table
SECRET = "crash-safety-test-secret"
# Published files that hold the clock time of their making (snapshot_info, dbt's generated_at).
TIMESTAMPED = ("marts", "dbt_docs")
# Ledger columns that differ between any two runs: when it ran, where the data folder is.
LEDGER_RUN_COLUMNS = ("processed_at", "feedback_path")


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOC_")}
    env.update({"MOC_DATA_DIR": str(data_dir), "MOC_HASH_SECRET": SECRET})
    return env


def _moc(data_dir: Path, *args: str, kill_after: tuple[str, int] | None = None, contains=None):
    """``moc <args>`` in a subprocess; with ``kill_after``, SIGKILLed when that call returns."""
    command = [sys.executable, str(DRIVER)]
    if kill_after:
        command += ["--kill-after", kill_after[0], str(kill_after[1])]
    if contains:
        command += ["--if-arg-contains", contains]
    log = data_dir.parent / f"{data_dir.name}.log"
    with open(log, "a") as output:
        output.write(f"\n$ moc {' '.join(args)} (kill after {kill_after})\n")
        output.flush()
        result = subprocess.run(
            [*command, "--", *args],
            env=_environment(data_dir),
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=900,
        )
    expected = -signal.SIGKILL if kill_after else 0
    assert result.returncode == expected, log.read_text()[-3000:]


def _processes_of(data_dir: Path) -> list[psutil.Process]:
    """Live processes working on the data folder (dbt names it in --target-path)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(data_dir) in cmdline and process.pid != os.getpid():
            found.append(process)
    return found


def _kill_build_while_dbt_runs(data_dir: Path) -> list[psutil.Process]:
    """Start ``moc build``, SIGKILL it (only it) while its dbt child runs; return the dbt
    processes still alive a while later."""
    parent = subprocess.Popen(
        [sys.executable, str(DRIVER), "--", "build"],
        env=_environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    dbt = []
    while not dbt and time.monotonic() < deadline:
        time.sleep(0.2)
        dbt = [
            child
            for child in psutil.Process(parent.pid).children(recursive=True)
            if "build" in child.cmdline() and any("dbt" in part for part in child.cmdline()[:2])
        ]
    assert dbt, "dbt never started"
    time.sleep(3)  # dbt is into the build: it holds the warehouse
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    _, alive = psutil.wait_procs(dbt, timeout=20)
    for orphan in alive:  # would fail the test below; never leave it running
        orphan.kill()
    return alive


def _hidden_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob(".*"))


def _running_builds(data_dir: Path) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            f"SELECT build_id, pid FROM {BUILDS_TABLE} WHERE status = 'running'"
        ).fetchall()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The uninterrupted data folder, the killed-and-rerun one, and what was seen on the way."""
    root = tmp_path_factory.mktemp("crash")
    uninterrupted, crashed = root / "uninterrupted", root / "crashed"
    generate_returns(uninterrupted / "bucket", PERIODS, seed=11, councils=COUNCILS)
    shutil.copytree(uninterrupted / "bucket", crashed / "bucket")  # copy2: same mtimes
    seen: dict[str, object] = {}

    _moc(uninterrupted, "run")

    # Ingest: killed after one table's GX run, inside a file's load transaction, and after
    # three files were settled; then to the end.
    _moc(crashed, "ingest", kill_after=("ingest.validate:run_checkpoint", 1))
    seen["gx_results_after_kill"] = any((crashed / "gx" / "validations").rglob("*.json"))
    _moc(crashed, "ingest", kill_after=("ingest.warehouse:append_rows", 2))
    _moc(crashed, "ingest", kill_after=("ingest.pipeline:_settle", 3))
    _moc(crashed, "ingest")

    # Build: the parent killed while dbt runs (dbt must die with it); then killed while it
    # stages the dbt docs site, after its dbt build succeeded; then to the end.
    seen["dbt_left_alive"] = _kill_build_while_dbt_runs(crashed)
    seen["running_after_build_kill"] = _running_builds(crashed)
    _moc(crashed, "build", kill_after=("transform.docs_site:without_server_paths", 1))
    seen["staging_after_build_kill"] = _hidden_under(crashed / "published")
    _moc(crashed, "build")

    # Publish: killed half-way through writing a partner's extract, then between the two
    # renames that replace the members' benchmark; then to the end.
    _moc(
        crashed,
        "publish",
        kill_after=("pathlib:Path.write_bytes", 2),
        contains="moc_workforce_",
    )
    seen["staging_after_partner_kill"] = _hidden_under(crashed / "published")
    seen["staged_after_partner_kill"] = [
        sorted(p.name for p in folder.iterdir())
        for folder in (crashed / "published" / ".staging").iterdir()
    ]
    seen["outbox_after_partner_kill"] = sorted((crashed / "published" / "outbox").rglob("*"))
    _moc(crashed, "publish", kill_after=("os:replace", 1), contains="members_benchmark")
    seen["benchmark_after_swap_kill"] = sorted(
        p.name for p in (crashed / "published" / "members_benchmark").iterdir()
    )
    _moc(crashed, "publish")
    return uninterrupted, crashed, seen


def test_each_kill_left_what_it_should_have(runs):
    """The kills happened where they were meant to (else the rest proves little)."""
    _, crashed, seen = runs
    assert seen["gx_results_after_kill"]
    assert len(seen["running_after_build_kill"]) == 1
    assert [p.name for p in seen["staging_after_build_kill"]][:1] == [".staging"]
    assert [p.name for p in seen["staging_after_partner_kill"]] == [".staging"]
    (staged,) = seen["staged_after_partner_kill"]
    assert len(staged) == 2 and all(n.startswith("moc_workforce_") for n in staged)  # of five
    assert seen["benchmark_after_swap_kill"] == []  # the old one retired, the new not yet in


def test_a_killed_partner_extract_never_shows_in_the_outbox(runs):
    _, crashed, seen = runs
    assert not [p for p in seen["outbox_after_partner_kill"] if p.name.startswith(".")]
    assert all(".staging" not in p.parts for p in seen["outbox_after_partner_kill"])


def test_dbt_dies_with_its_killed_parent(runs):
    _, crashed, seen = runs
    assert seen["dbt_left_alive"] == []
    assert _processes_of(crashed) == []


def test_no_build_is_left_running_and_the_killed_ones_are_failed(runs):
    _, crashed, _ = runs
    assert _running_builds(crashed) == []
    with duckdb.connect(str(crashed / "warehouse.duckdb"), read_only=True) as con:
        statuses = con.execute(f"SELECT status FROM {BUILDS_TABLE} ORDER BY build_id").fetchall()
    assert [s for (s,) in statuses] == ["failed", "succeeded", "succeeded"]


def test_no_staging_is_left_anywhere_under_the_published_folder(runs):
    _, crashed, _ = runs
    assert _hidden_under(crashed / "published") == []


def _tables(data_dir: Path, schemas: tuple[str, ...]) -> dict[str, list[tuple]]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        names = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE list_contains(?, "
            "schema_name) ORDER BY ALL",
            [list(schemas)],
        ).fetchall()
        tables = {}
        for schema, table in names:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND "
                    "table_name = ? ORDER BY column_index",
                    [schema, table],
                ).fetchall()
                if (schema, c) not in {("ledger", r) for r in LEDGER_RUN_COLUMNS}
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            tables[f"{schema}.{table}"] = con.execute(
                f'SELECT {select} FROM "{schema}"."{table}" ORDER BY ALL'
            ).fetchall()
        return tables


def test_the_warehouse_equals_an_uninterrupted_run(runs):
    uninterrupted, crashed, _ = runs
    expected = _tables(uninterrupted, ("raw", "ledger", "marts"))
    assert {name for name in expected if name.startswith("marts.")}
    assert _tables(crashed, ("raw", "ledger", "marts")) == expected


def _published(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "published"
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] not in TIMESTAMPED
    }


def test_the_published_files_equal_an_uninterrupted_run(runs):
    uninterrupted, crashed, _ = runs
    expected = _published(uninterrupted)
    assert any(name.startswith("outbox/") for name in expected)
    assert _published(crashed) == expected
    for folder in TIMESTAMPED:  # there too, with the same files
        names = {p.name for p in (crashed / "published" / folder).iterdir()}
        assert names == {p.name for p in (uninterrupted / "published" / folder).iterdir()}
