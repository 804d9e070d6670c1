"""Read each file in a child process held to a memory and a time limit.

The readers (python-calamine above all, which is native code) can be made to abort the whole
process or to run for hours by what a file holds. So the batch never reads a file itself: a
:class:`ParseWorker` keeps one child process (started with ``spawn``, so it shares nothing
with the parent's DuckDB connection or threads), limits its address space with
``RLIMIT_AS`` (:attr:`ReadLimits.memory_mb`) and gives it each file in turn. The child first
runs the streaming checks of :mod:`ingest.limits`, then the reader, and sends back the parsed
tables. When the child dies (a native abort, memory exhausted) or takes longer than
:attr:`ReadLimits.timeout_seconds`, the parent kills it, the file is rejected with a message
saying what happened, and the next file gets a fresh child: one file fails, the batch goes on.

A file the reader rejects comes back as a :class:`~ingest.readers.ReadError` with the reader's
own message; an unexpected exception in the child (our bug, not the file's) comes back as
:class:`ReaderBug`, which the batch records as a problem on our side.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import multiprocessing
import resource
import signal
import sys
import traceback
import types
from collections.abc import Iterator
from dataclasses import dataclass

from common.settings import ReadLimits
from ingest import limits as checks
from ingest.readers import ReadError

log = logging.getLogger(__name__)

__all__ = ["ParseJob", "ParseWorker", "ReaderBug", "read_in_this_process"]

MB = 1024 * 1024


class ReaderBug(Exception):
    """The reader failed in a way no file should make it: our bug. Carries the child's traceback."""


@dataclass(frozen=True)
class ParseJob:
    file_format: str  # "census_xml", "workbook" or "csv" (ingest.identify)
    data: bytes
    file_name: str
    return_type: str | None = None  # the CSV's table


def read_in_this_process(job: ParseJob, limits: ReadLimits):
    """The checks of ingest.limits, then the reader: a CensusReturn for a census XML, a dict
    of ParsedTable for a workbook, one ParsedTable for a CSV."""
    from ingest.census_xml import read_census
    from ingest.readers import csv_rows, decode_text, parse_rows, read_workbook
    from ingest.return_contract import TABLES

    checks.check_size(len(job.data), limits, job.file_name)
    if job.file_format == "census_xml":
        checks.check_xml(job.data, limits, job.file_name)
        census = read_census(job.data, job.file_name)
        _check_rows(census.tables.values(), limits, job.file_name)
        return census
    if job.file_format == "workbook":
        checks.check_workbook(job.data, limits)
        return read_workbook(job.data)
    table = TABLES[job.return_type]
    if not job.data:
        raise ReadError("The file is empty (0 bytes). Export the return again and re-send it.")
    checks.check_csv_text(decode_text(job.data), limits, job.file_name)
    # csv refuses a field over its limit; one over ours is a cell too long, not a broken file.
    csv.field_size_limit(limits.max_cell_chars)
    try:
        rows = csv_rows(job.data)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise checks.cell_too_long(limits, job.file_name) from None
        raise ReadError(
            f"'{job.file_name}' cannot be read as CSV ({exc}). Save it again from Excel as "
            "CSV UTF-8 and send it again."
        ) from None
    checks.check_csv_rows(rows, limits, job.file_name)
    long_cell = any(len(cell) > limits.max_cell_chars for row in rows for cell in row)
    if long_cell:
        raise checks.cell_too_long(limits, job.file_name)
    return parse_rows(rows, table, job.file_name, allow_no_rows=bool(table.nil_return))


def _check_rows(tables, limits: ReadLimits, name: str) -> None:
    for parsed in tables:
        if len(parsed.raw) > limits.max_rows:
            raise checks.LimitError(
                f"'{name}' has {len(parsed.raw):,} {parsed.table.name} records; a return may "
                f"have at most {limits.max_rows:,}. Export the census file again and send it."
            )


# --- the child ---------------------------------------------------------------------------------


def _limit_memory(memory_mb: int) -> None:
    size = int(memory_mb * MB)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_AS, (size, hard))


def _serve(connection, limits: ReadLimits) -> None:
    """The child's loop: a job in, ("ok", result) / ("read_error", message) / ("bug", text) out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the child stops
    # Imported before the limit: the libraries' own size is not the file's doing.
    import python_calamine  # noqa: F401

    import ingest.census_xml  # noqa: F401
    import ingest.readers  # noqa: F401

    _limit_memory(limits.memory_mb)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            reply = ("ok", read_in_this_process(job, limits))
        except ReadError as exc:
            reply = ("read_error", str(exc))
        except MemoryError:
            reply = ("memory", "")
        except RecursionError:
            reply = ("read_error", _too_complex(job.file_name))
        except Exception:
            reply = ("bug", traceback.format_exc(limit=20))
        try:
            connection.send(reply)
        except MemoryError:
            connection.send(("memory", ""))
        del reply, job


def _too_complex(name: str) -> str:
    return (
        f"'{name}' is structured too deeply for us to read. Export or save it again from your "
        "system, unchanged, and send it again."
    )


# --- the parent --------------------------------------------------------------------------------


@contextlib.contextmanager
def _main_not_rerun() -> Iterator[None]:
    """A 'spawn' child runs the parent's ``__main__`` again from its file, as a script needs.
    The reader needs nothing from it, and a ``__main__`` that is not a plain script (a test
    runner's worker, the Streamlit app, Airflow's task runner) can fail there and kill the
    child before it reads a byte, so the child is started with an empty ``__main__``."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class ParseWorker:
    """One child process that reads files one at a time; restarted after a crash or timeout."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self._context = multiprocessing.get_context("spawn")
        self._process = None
        self._connection = None

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve, args=(child, self.limits), name="moc-parse-worker", daemon=True
        )
        with _main_not_rerun():
            self._process.start()
        child.close()
        self._connection = parent

    def _stop(self) -> int | None:
        process, self._process = self._process, None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(10)
        return process.exitcode

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            try:
                self._connection.send(None)
                self._process.join(5)
            except (OSError, ValueError):
                pass
        self._stop()

    def read(self, job: ParseJob):
        """What :func:`read_in_this_process` returns, read in the child; raises ReadError for
        a file the reader rejects or the limits stop, ReaderBug for our own failures."""
        if self._process is None or not self._process.is_alive():
            self._stop()
            self._start()
        try:
            self._connection.send(job)
            ready = self._connection.poll(self.limits.timeout_seconds)
            reply = self._connection.recv() if ready else None
        except (EOFError, OSError):
            reply = ("died", self._stop())
        if reply is None:
            self._stop()
            raise checks.LimitError(
                f"Reading '{job.file_name}' took longer than "
                f"{self.limits.timeout_seconds:g} seconds, far longer than any return takes, "
                "so we stopped. Check it holds only the return's tables (no stray content far "
                "below or to the right of them, no other data), save it again and send it."
            )
        kind, payload = reply
        if kind == "ok":
            return payload
        if kind == "read_error":
            raise ReadError(payload)
        if kind == "bug":
            raise ReaderBug(f"The reader failed on {job.file_name}:\n{payload}")
        if kind == "memory":
            self._stop()  # a fresh child for the next file
        return self._memory_or_crash(job, kind, payload)

    def _memory_or_crash(self, job: ParseJob, kind: str, exitcode: int | None):
        if kind == "died":
            log.warning("The reader died on %s (exit code %s)", job.file_name, exitcode)
        raise checks.LimitError(
            f"Reading '{job.file_name}' needed more than the {self.limits.memory_mb:,} MB of "
            "memory we allow for one file"
            + ("" if kind == "memory" else f" (the reader stopped, exit code {exitcode})")
            + ", far more than any return needs. Check it holds only the return's tables (no "
            "stray content far below or to the right of them, no pictures or other data), "
            "save it again from Excel and send it again."
        )
