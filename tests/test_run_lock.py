"""One run at a time per data folder (common/run_lock.py): another process is told who holds the
folder, a killed holder frees it, one process may take it again (moc demo's dag.test()), and a
second ``moc`` command exits with one clear line instead of DuckDB's lock traceback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from common.run_lock import RunInProgress, holds_run_lock, run_lock

DRIVER = Path(__file__).resolve().parent / "support" / "crash_driver.py"


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOC_")}
    env["MOC_DATA_DIR"] = str(data_dir)
    return env


@pytest.fixture
def holder(tmp_path):
    """Another process holding the data folder's run lock as ``moc ingest`` would."""
    data_dir = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), "--hold-lock", str(data_dir), "moc ingest"],
        env=_environment(data_dir),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    yield data_dir, process
    process.kill()
    process.wait()


def test_another_process_is_told_who_holds_the_data_folder(holder):
    data_dir, process = holder
    started = time.time()
    with pytest.raises(RunInProgress) as caught, run_lock(data_dir, "moc build"):
        pass
    assert time.time() - started < 2  # no wait asked for: at once
    message = str(caught.value)
    assert re.fullmatch(
        rf"another run \(moc ingest\) started at \d\d:\d\d \(pid {process.pid}\) is in progress "
        rf"on {re.escape(str(data_dir.resolve()))}; try again when it has finished",
        message,
    ), message


def test_a_killed_holder_frees_the_folder(holder):
    data_dir, process = holder
    process.send_signal(signal.SIGKILL)
    process.wait()
    with run_lock(data_dir, "moc build"):
        assert holds_run_lock(data_dir)


def test_a_run_waits_for_the_holder_when_asked(holder):
    data_dir, process = holder
    killer = subprocess.Popen(["sh", "-c", f"sleep 1; kill -9 {process.pid}"])
    started = time.time()
    with run_lock(data_dir, "moc build", wait=30):
        waited = time.time() - started
    killer.wait()
    assert 0.5 < waited < 10


def test_waiting_gives_up_after_the_wait(holder):
    data_dir, _ = holder
    started = time.time()
    with pytest.raises(RunInProgress, match="pid"), run_lock(data_dir, "Airflow", wait=1):
        pass
    assert 1 <= time.time() - started < 5


def test_one_process_takes_it_again_and_lets_go_at_the_outermost_end(tmp_path):
    data_dir = tmp_path / "data"
    with run_lock(data_dir, "moc demo"):
        with run_lock(data_dir, "Airflow DAG ingest_returns"):  # dag.test() in the demo
            assert holds_run_lock(data_dir)
        assert holds_run_lock(data_dir)
        other = subprocess.run(
            [sys.executable, "-c", _TRY_LOCK, str(data_dir)], capture_output=True, text=True
        )
        assert "another run (moc demo)" in other.stdout
    assert not holds_run_lock(data_dir)
    other = subprocess.run(
        [sys.executable, "-c", _TRY_LOCK, str(data_dir)], capture_output=True, text=True
    )
    assert other.stdout.strip() == "taken"


_TRY_LOCK = """
import sys
from pathlib import Path
from common.run_lock import RunInProgress, run_lock
try:
    with run_lock(Path(sys.argv[1]), "probe"):
        print("taken")
except RunInProgress as exc:
    print(exc)
"""


@pytest.mark.parametrize("command", ["ingest", "build", "publish", "run", "demo"])
def test_a_second_command_exits_with_one_clear_line(holder, command):
    data_dir, process = holder
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", command],
        env=_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 75  # EX_TEMPFAIL: try again later
    assert "Traceback" not in result.stderr + result.stdout
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(
        rf"moc {command}: another run \(moc ingest\) started at \d\d:\d\d \(pid {process.pid}\) "
        r"is in progress on .+; try again when it has finished",
        line,
    ), line
    assert sorted(p.name for p in data_dir.iterdir()) == ["run.lock"]  # nothing was touched
