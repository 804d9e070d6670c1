"""Ingest one batch: every new file in the bucket ends in the ledger with a status and feedback.

Order per file: read bytes -> hash -> archive -> identify -> duplicate check -> read table.
Then all readable files of a table are validated together in one GX run, accepted rows are
loaded, and the ledger and feedback are written. One bad file never stops the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from common.periods import PlausibleWindow
from common.settings import Settings
from ingest import ledger, warehouse
from ingest.archive import archive_bytes, sha256_of
from ingest.bucket import DroppedFile, feedback_base, list_dropped_files, open_bucket
from ingest.feedback import write_feedback
from ingest.gx_project import gx_results_dir
from ingest.identify import (
    IdentificationError,
    Identity,
    check_declarations,
    check_period_in_window,
    identify,
)
from ingest.ledger import LedgerStatus
from ingest.limits import bounded_problems
from ingest.parse_worker import ParseJob, ParseWorker
from ingest.pseudonymise import hash_secret, pseudonymise
from ingest.readers import ROW_NUMBER, ParsedTable, ReadError, check_columns_for_period
from ingest.return_contract import TABLES
from ingest.safe_read import RefusedFile, read_dropped
from ingest.table_verdicts import judge_tables, not_loaded_message
from ingest.validate import FileToValidate, Problem, table_problems, validate_files

log = logging.getLogger(__name__)

# Files read, validated and loaded together; bounds memory on a large backlog (BENCHMARKS.md).
CHUNK_FILES = 2000

# Called after each file is settled: (files done, files in batch, its ledger entry).
Progress = Callable[[int, int, ledger.LedgerEntry], None]


class StillUploading(Exception):
    """The file grew or shrank while we read it: leave it for the next run, unrecorded."""


class Unchanged(Exception):
    """The file was touched (its fingerprint moved) but holds the bytes we last read at its
    path: not a new version, so no ledger row; only its new fingerprint is remembered."""


@dataclass
class Arrival:
    """One new file on its way through the batch."""

    dropped: DroppedFile
    entry: ledger.LedgerEntry
    identity: Identity | None = None
    tables: dict[str, ParsedTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Tables of an accepted file left out for their errors (table -> errors; table_verdicts).
    not_loaded: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestSummary:
    entries: list[ledger.LedgerEntry]
    changed_tables: set[str]

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def failed(self) -> list[ledger.LedgerEntry]:
        """Files that failed on our side: read again next run; the run must fail loudly."""
        return [e for e in self.entries if e.status == LedgerStatus.FAILED]


@dataclass
class _BatchState:
    """What earlier files in this batch mean for later ones (duplicates, version numbers)."""

    secret: bytes
    window: PlausibleWindow  # the months a return can be for, on the day of the batch
    reader: ParseWorker  # reads each file in a child process with memory and time limits
    sha256_read: dict[str, str] = field(default_factory=dict)  # path -> bytes last read there
    receiving: Arrival | None = None  # the file being received, for a failure on our side
    first_seen: dict[tuple, tuple[str, str, dt.datetime]] = field(default_factory=dict)
    versions: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def earlier_copy(self, con, entry: ledger.LedgerEntry) -> tuple[str, str, dt.datetime] | None:
        return self.first_seen.get(self.copy_key(entry)) or ledger.find_earlier_copy(
            con, entry.sha256, entry.council_code, entry.return_type, entry.period
        )

    @staticmethod
    def copy_key(entry: ledger.LedgerEntry) -> tuple:
        return (entry.sha256, entry.council_code, entry.return_type, entry.period)

    def next_version(self, con, key: tuple[str, str, str]) -> int:
        if key not in self.versions:
            self.versions[key] = ledger.next_version(con, *key) - 1
        self.versions[key] += 1
        return self.versions[key]


def _receive(
    con, settings: Settings, fs, dropped: DroppedFile, now: dt.datetime, batch: _BatchState
) -> Arrival:
    try:
        data = read_dropped(fs, dropped, settings.read_limits)
    except RefusedFile as refused:  # a link, a pipe, a file over the size limit: never read
        return _refused(dropped, now, refused)
    if len(data) != dropped.size_bytes:
        raise StillUploading(dropped.relative_path)
    sha256 = sha256_of(data)
    if batch.sha256_read.get(dropped.relative_path) == sha256:
        raise Unchanged(sha256)
    archive_bytes(settings.archive_url, sha256, dropped.name, data)
    entry = ledger.LedgerEntry(
        relative_path=dropped.relative_path,
        file_name=dropped.name,
        size_bytes=len(data),
        sha256=sha256,
        received_at=dropped.modified_at,
        processed_at=now,
    )
    arrival = batch.receiving = Arrival(dropped=dropped, entry=entry)
    try:
        arrival.identity = identify(dropped, batch.window)
    except IdentificationError as exc:
        entry.message = str(exc)
        entry.error_count = 1
        return arrival
    entry.council_code = arrival.identity.member.council_code
    entry.period = arrival.identity.period
    entry.return_type = arrival.identity.return_type

    earlier = batch.earlier_copy(con, entry)
    if earlier is not None:
        path, status, received = earlier
        entry.status = LedgerStatus.DUPLICATE
        entry.message = (
            f"Identical to '{path}' received {received:%Y-%m-%d %H:%M} (status: {status}); "
            "not processed again."
        )
        return arrival

    batch.first_seen[batch.copy_key(entry)] = (
        dropped.relative_path,
        "received in the same batch",
        now,
    )
    try:
        arrival.tables = _read_tables(arrival, data, batch)
    except (ReadError, IdentificationError) as exc:
        arrival.tables.clear()
        entry.message = str(exc)
        entry.error_count = 1
    if entry.period is not None:
        key = (entry.council_code, entry.period, entry.return_type)
        entry.version = batch.next_version(con, key)
    return arrival


def _read_tables(arrival: Arrival, data: bytes, batch: _BatchState) -> dict[str, ParsedTable]:
    """Read every table the file holds, check what it says about itself, pseudonymise."""
    identity, name, window = arrival.identity, arrival.dropped.name, batch.window
    job = ParseJob(identity.file_format, data, name, identity.return_type)
    if identity.file_format == "census_xml":
        census = batch.reader.read(job)
        # The census header says whose return it is and for which month.
        header = f"The census header (reference date {census.reference_date:%d/%m/%Y})"
        check_period_in_window(census.period, window, header)
        check_declarations(identity, {census.lea}, {census.period}, window)
        arrival.entry.period = census.period
        tables = census.tables
    elif identity.file_format == "workbook":
        tables = batch.reader.read(job)
    else:
        tables = {identity.return_type: batch.reader.read(job)}
    for parsed in tables.values():
        check_declarations(identity, parsed.declared_council_codes, parsed.declared_periods, window)
        check_columns_for_period(parsed, arrival.entry.period)  # columns required from a month
        pseudonymise(parsed, batch.secret)
    return tables


def _decide(arrival: Arrival) -> None:
    entry = arrival.entry
    if entry.status == LedgerStatus.DUPLICATE or not arrival.tables:
        return
    entry.error_count = sum(1 for p in arrival.problems if p.severity == "error")
    entry.warning_count = sum(1 for p in arrival.problems if p.severity == "warning")
    # Errors in a required table reject the whole file; errors only in an optional table of a
    # workbook (the workforce sheet) leave that table out and load the rest (table_verdicts).
    verdicts = judge_tables(entry.return_type, arrival.tables, arrival.problems)
    for name in verdicts.not_loaded:
        del arrival.tables[name]
    arrival.not_loaded = verdicts.not_loaded
    rows = sum(len(parsed.typed) for parsed in arrival.tables.values())
    if verdicts.is_rejected_whole:
        entry.status = LedgerStatus.REJECTED
        entry.message = (
            f"Rejected: {entry.error_count} error(s) must be fixed before this return can be "
            "loaded. See the feedback report for each row and column."
        )
    else:
        entry.status = (
            LedgerStatus.ACCEPTED_WITH_WARNINGS
            if entry.warning_count or entry.error_count
            else LedgerStatus.ACCEPTED
        )
        entry.rows_loaded = rows
        entry.message = f"Accepted: {rows} row(s) loaded" + (
            f", with {entry.warning_count} warning(s) to check." if entry.warning_count else "."
        )
        if verdicts.not_loaded:
            loaded = {name: len(parsed.typed) for name, parsed in arrival.tables.items()}
            entry.message = not_loaded_message(verdicts, loaded, entry.period, entry.warning_count)
        for name, parsed in arrival.tables.items():
            if parsed.typed.empty:
                entry.message += (
                    f" A nil return of {name}: {parsed.table.nil_return}; any {name} rows sent "
                    f"earlier for {entry.period} no longer count."
                )


def _settle(con, arrival: Arrival) -> set[str]:
    """Ledger row, raw rows and supersession of one file, in one transaction."""
    entry = arrival.entry
    accepted = entry.status in ledger.ACCEPTED_STATUSES
    con.execute("BEGIN TRANSACTION")
    try:
        ledger_id = ledger.record(con, entry)
        if accepted:
            for name, parsed in arrival.tables.items():
                if parsed.typed.empty:
                    warehouse.record_nil_return(
                        con, TABLES[name], ledger_id, entry.council_code, entry.period
                    )
                else:
                    rows = _raw_rows(arrival, parsed, ledger_id)
                    warehouse.append_rows(con, TABLES[name], rows)
            ledger.supersede_earlier(con, entry, ledger_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return set(arrival.tables) if accepted else set()


_OUR_SIDE = (
    "We could not process this file because of a problem on our side. The regional team has "
    "been alerted and it will be processed again automatically; you do not need to send it "
    "again."
)


def _fail_on_our_side(entry: ledger.LedgerEntry) -> None:
    """Our bug, not the file's: status FAILED keeps the sha256, is not "seen" (the file is read
    again next run) and makes the run fail once the rest of the batch is done."""
    entry.status, entry.message = LedgerStatus.FAILED, _OUR_SIDE
    entry.error_count, entry.warning_count, entry.rows_loaded = 1, 0, 0


def _unexpected_failure(dropped: DroppedFile, now: dt.datetime, batch: _BatchState) -> Arrival:
    arrival = batch.receiving
    if arrival is None or arrival.dropped is not dropped:  # failed before it was hashed
        entry = ledger.LedgerEntry(
            relative_path=dropped.relative_path,
            file_name=dropped.name,
            size_bytes=dropped.size_bytes,
            sha256="",
            received_at=dropped.modified_at,
            processed_at=now,
        )
        arrival = Arrival(dropped=dropped, entry=entry)
    arrival.tables.clear()
    _fail_on_our_side(arrival.entry)
    return arrival


def _refused(dropped: DroppedFile, now: dt.datetime, refused: RefusedFile) -> Arrival:
    entry = ledger.LedgerEntry(
        relative_path=dropped.relative_path,
        file_name=dropped.name,
        size_bytes=dropped.size_bytes,
        sha256=refused.sha256,
        received_at=dropped.modified_at,
        processed_at=now,
        error_count=1,
        message=str(refused),
    )
    return Arrival(dropped=dropped, entry=entry)


def _feedback(fs, root: str, arrival: Arrival, limits) -> str | None:
    try:
        council = arrival.identity.member.council_name if arrival.identity else None
        accepted = arrival.entry.status in ledger.ACCEPTED_STATUSES
        rows_by_table = {n: len(p.typed) for n, p in arrival.tables.items()} if accepted else None
        return write_feedback(
            fs,
            feedback_base(root, arrival.dropped),
            arrival.entry,
            council,
            bounded_problems(arrival.problems, limits.feedback_max_per_rule),
            rows_by_table=rows_by_table,
            not_loaded=arrival.not_loaded if accepted else None,
        )
    except Exception:  # feedback failing must not lose the ledger row
        log.exception("Could not write feedback for %s", arrival.dropped.relative_path)
        return None


def _raw_rows(arrival: Arrival, parsed: ParsedTable, ledger_id: int) -> pd.DataFrame:
    frame = parsed.typed.rename(columns={ROW_NUMBER: "source_row_number"})
    frame["ledger_id"] = ledger_id
    frame["file_sha256"] = arrival.entry.sha256
    frame["council_code"] = arrival.entry.council_code
    frame["period"] = arrival.entry.period
    frame["received_at"] = arrival.entry.received_at
    return frame


def _receive_all(con, settings: Settings, fs, files, now, batch: _BatchState) -> list[Arrival]:
    arrivals: list[Arrival] = []
    for dropped in files:
        batch.receiving = None
        try:
            arrivals.append(_receive(con, settings, fs, dropped, now, batch))
        except StillUploading:
            log.info("Still uploading, left for the next run: %s", dropped.relative_path)
        except Unchanged as unchanged:
            ledger.remember_read(con, dropped.relative_path, dropped.fingerprint, str(unchanged))
        except Exception:  # one bad file must not stop the batch
            log.exception("Could not receive %s", dropped.relative_path)
            arrivals.append(_unexpected_failure(dropped, now, batch))
    return arrivals


def _validate_all(arrivals: list[Arrival], results_dir: Path) -> None:
    """One GX checkpoint run per table over every readable file; problems back to files."""
    for table in TABLES.values():
        to_validate = [
            FileToValidate(
                file_key=a.dropped.relative_path,
                member=a.identity.member,
                parsed=p,
                period=a.entry.period,
            )
            for a in arrivals
            if a.identity is not None
            for name, p in a.tables.items()
            if name == table.name and not p.typed.empty  # a nil return has no rows to check
        ]
        problems = validate_files(table, to_validate, results_dir)
        for arrival in arrivals:
            arrival.problems.extend(problems.get(arrival.dropped.relative_path, []))
            parsed = arrival.tables.get(table.name)
            arrival.problems.extend(table_problems(parsed) if parsed else [])


def ingest_new_files(
    settings: Settings, progress: Progress | None = None, today: dt.date | None = None
) -> IngestSummary:
    """Process every file in the bucket that the ledger has not seen; return what happened.
    ``today`` (default: the clock's) sets the plausible-period window's last month."""
    fs, root = open_bucket(settings.bucket_url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    window = settings.plausible_window(today or now.date())
    con = warehouse.connect(settings.warehouse_path)
    limits = settings.read_limits
    with contextlib.ExitStack() as stack:
        stack.callback(con.close)
        ledger.ensure_ledger(con)
        warehouse.ensure_warehouse_tables(con)
        # New versions are found by content, not by size and time (a corrected file copied
        # with `cp -p` keeps both): a file whose fingerprint moved is read and hashed.
        read_before = ledger.fingerprints_read(con)
        new_files = [
            d
            for d in list_dropped_files(fs, root)
            if not d.fingerprint or read_before.get(d.relative_path) != d.fingerprint
        ]
        reader = stack.enter_context(ParseWorker(settings.read_limits))
        batch = _BatchState(
            secret=hash_secret(settings),
            window=window,
            reader=reader,
            sha256_read=ledger.latest_sha256_by_path(con),
        )
        entries: list[ledger.LedgerEntry] = []
        changed: set[str] = set()
        # Files are settled in chunks so memory stays flat however large the backlog is:
        # each chunk is read, validated in one GX run per table, loaded and then dropped.
        for start in range(0, len(new_files), CHUNK_FILES):
            chunk = new_files[start : start + CHUNK_FILES]
            arrivals = _receive_all(con, settings, fs, chunk, now, batch)
            _validate_all(arrivals, gx_results_dir(settings))
            for index, arrival in enumerate(arrivals, start=len(entries) + 1):
                _decide(arrival)
                arrival.entry.feedback_path = _feedback(fs, root, arrival, limits)
                try:
                    changed |= _settle(con, arrival)
                except Exception:  # one file failing to load must not stop the batch
                    log.exception("Could not load %s", arrival.dropped.relative_path)
                    _fail_on_our_side(arrival.entry)
                    arrival.entry.feedback_path = _feedback(fs, root, arrival, limits)
                    ledger.record(con, arrival.entry)
                if arrival.entry.status != LedgerStatus.FAILED:  # ours: read it again next run
                    ledger.remember_read(
                        con,
                        arrival.dropped.relative_path,
                        arrival.dropped.fingerprint,
                        arrival.entry.sha256,
                    )
                entries.append(arrival.entry)
                if progress:
                    progress(index, len(new_files), arrival.entry)
        return IngestSummary(entries=entries, changed_tables=changed)
