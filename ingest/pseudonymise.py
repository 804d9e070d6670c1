"""Personal data never leaves ingest in clear: identifiers become keyed hashes and birth dates
become a month, as soon as a file has been read (before validation, so GX results and Data
Docs never see them either).

The key is the ``hash_secret`` setting (``MOC_HASH_SECRET``). Without one (the demo, a laptop), a
random key is created once in the data folder, outside the repository, so hashes stay stable
between runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from pathlib import Path

from common.atomic import make_private, private_folder, write_private_file
from common.settings import Settings
from ingest.checks import format_check, well_formed
from ingest.readers import ParsedTable
from ingest.redaction import WITHHELD_PERSONAL

HIDDEN = WITHHELD_PERSONAL  # what feedback shows of a personal column's cell


def secret_file(settings: Settings) -> Path:
    """Where the random key is kept when no ``hash_secret`` is set."""
    return settings.data_dir / "secrets" / "hash_secret"


def hash_secret(settings: Settings) -> bytes:
    """The key: the setting, else the data folder's key file, created on first use 0600 in a
    0700 folder, atomically (no moment where it is readable by others or half-written; two
    processes creating it at once both use the first one's key)."""
    if settings.hash_secret:
        return settings.hash_secret.encode("utf-8")
    key_file = secret_file(settings)
    private_folder(key_file.parent)
    if not key_file.exists():
        write_private_file(key_file, secrets.token_hex(32).encode("utf-8"))
    make_private(key_file)  # one an earlier version created looser
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


def keyed_hash(value: str, secret: bytes) -> str:
    """HMAC-SHA256 of the identifier, normalised so 'ab 123 ' and 'AB123' match."""
    normalised = "".join(value.split()).upper()
    return hmac.new(secret, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def month_start(value: object) -> dt.date | None:
    return value.replace(day=1) if isinstance(value, dt.date) else None


def pseudonymise(parsed: ParsedTable, secret: bytes) -> ParsedTable:
    """Replace personal columns in place, in both the typed and the officer-text frames.

    A personal column with a format (Column.pattern, e.g. a SWE number) is checked first, on
    its clear values: the typed frame keeps only the answer (``format_check(column)``, True
    or False per row) for its rule in ingest/suites.py, so validation, GX results and
    feedback never see the value.
    """
    for column in parsed.table.columns:
        if column.personal is None:
            continue
        typed = parsed.typed[column.name]
        if column.pattern is not None:
            parsed.typed[format_check(column)] = well_formed(typed, column)
        if column.personal == "hash":
            parsed.typed[column.name] = typed.map(
                lambda v: keyed_hash(v, secret) if isinstance(v, str) and v else None
            )
        else:
            parsed.typed[column.name] = typed.map(month_start).astype("object")
        raw = parsed.raw[column.name]
        parsed.raw[column.name] = raw.where(raw == "", HIDDEN)
    return parsed
