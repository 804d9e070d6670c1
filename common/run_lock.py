"""One run at a time per data folder: the run lock.

Everything that writes the warehouse or the published folder (``moc ingest``, ``build``,
``publish``, ``run``, ``demo`` and the Airflow tasks that do the same) holds
``<data_dir>/run.lock`` while it works. DuckDB has one writer, and the clean-up of what a killed
run left behind (a build record still ``running``, a publication's staging folder) is safe only
when no other run can be the one that left it: holding this lock, nothing else is running, so
anything "in progress" belongs to a process that is gone.

The lock is ``fcntl.flock`` on the file: the kernel releases it when the holder's process ends,
however it ends (SIGKILL included), so a crash never leaves a stale lock to clear by hand. The
holder writes its pid, start time and command into the file, for the message another run gets:
"another run (moc build) started at 14:02 (pid 4242) is in progress on /srv/moc/data".

Who waits and who fails (decided here, so callers only say how long):

- ``moc`` commands fail at once with that one-line message: a person at a terminal can run
  the command again, and a command that silently waits looks hung.
- Airflow tasks wait up to ``Settings.run_lock_wait`` seconds (``MOC_RUN_LOCK_WAIT``), then
  fail with the message and Airflow retries them. Within Airflow the ``duckdb_writer`` pool
  already runs one writer task at a time; the wait covers a ``moc`` command started by hand, and
  executors (Local, Celery) whose task processes are separate processes.

Re-entrant within a process: ``moc demo`` holds the lock and runs the DAGs in process with
``dag.test()``, whose tasks take it again; the stage functions whose clean-up relies on it take it
too, so they are safe when called directly (tests, benchmarks). A nested hold only counts up.
The lock belongs to the process that took it: a forked child does not inherit the hold and must
take the lock itself (it then waits for its parent like any other process).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

RUN_LOCK_NAME = "run.lock"
POLL_SECONDS = 0.5  # how often a waiting run tries again


class RunInProgress(RuntimeError):
    """Another process holds the data folder's run lock."""


@dataclass
class _Hold:
    pid: int  # the process that took it (a forked child is not a holder)
    fd: int
    depth: int


_holds: dict[Path, _Hold] = {}
_holds_guard = threading.Lock()


def run_lock_path(data_dir: Path) -> Path:
    return Path(data_dir).resolve() / RUN_LOCK_NAME


def holds_run_lock(data_dir: Path) -> bool:
    """Whether this process holds the data folder's run lock."""
    hold = _holds.get(run_lock_path(data_dir))
    return hold is not None and hold.pid == os.getpid()


@contextmanager
def run_lock(data_dir: Path, command: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the data folder's run lock for the ``with`` block, taking it if this process does
    not hold it yet. ``command`` says what runs (shown to the run that finds it taken). Waits up
    to ``wait`` seconds for another run to finish, then raises :class:`RunInProgress`."""
    path = run_lock_path(data_dir)
    with _holds_guard:
        hold = _holds.get(path)
        if hold is not None and hold.pid == os.getpid():
            hold.depth += 1
        else:
            _holds[path] = hold = _Hold(os.getpid(), _acquire(path, command, wait), 1)
    try:
        yield
    finally:
        with _holds_guard:
            hold.depth -= 1
            if hold.depth == 0:
                del _holds[path]
                os.close(hold.fd)  # closing the file releases the lock


def _acquire(path: Path, command: str, wait: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                os.close(fd)
                raise RunInProgress(_in_progress_message(holder, path.parent)) from None
            time.sleep(POLL_SECONDS)
    holder = {
        "pid": os.getpid(),
        "started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command,
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode(), 0)
    return fd


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:  # caught while the holder was writing it
        return {}


def _in_progress_message(holder: dict, data_dir: Path) -> str:
    what = f" ({holder['command']})" if holder.get("command") else ""
    when = ""
    if holder.get("started_at"):
        started = dt.datetime.fromisoformat(holder["started_at"])
        today = dt.datetime.now(started.tzinfo).date()
        when = (
            f" started at {started:%H:%M}"
            if started.date() == today
            else (f" started at {started:%Y-%m-%d %H:%M}")
        )
    pid = f" (pid {holder['pid']})" if holder.get("pid") else ""
    return (
        f"another run{what}{when}{pid} is in progress on {data_dir}; try again when it has finished"
    )
