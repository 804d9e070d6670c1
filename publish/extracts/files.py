"""Bytes, checksums, manifests and atomic publication: the same inputs give the same bytes.

A publication is a folder (``<published_dir>/<kind>/<period>``). It is written in full to a
staging folder under ``<published_dir>/.staging/`` (never inside the publication's own folder:
a partner's outbox may be synced as it is), then swapped into place with renames only
(common/atomic.py), so a reader sees the old publication or the new one, never half of one.
The manifest lists every file with its rows, bytes and sha256, the ledger versions that fed it
and the pipeline version; it holds no clock time, so it too is byte-identical on a re-run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd

from common.atomic import remove_hidden_siblings, staged_folder
from common.excel import csv_text
from common.rounding import SYMBOLS

MANIFEST = "manifest.json"
SYMBOL_SUFFIX = "_symbol"  # a typed Parquet copy's companion column of each numeric column


@dataclass(frozen=True)
class Output:
    name: str
    content: bytes
    rows: int  # data rows (CSV and Parquet: table rows; a workbook: the rows of its sheets)


@dataclass
class Publication:
    kind: str
    period: str
    folder: Path
    files: list[Path]


def pipeline_version() -> str:
    return version("moc-workforce")


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """A CSV extract; text Excel would run as a formula is neutralised (common/excel.py)."""
    return csv_text(header, rows).encode("utf-8")


def csv_output(name: str, header: list[str], rows: list[list[str]]) -> Output:
    return Output(name, csv_bytes(header, rows), len(rows))


def parquet_bytes(
    header: list[str], rows: list[list[str]], places: Mapping[str, int] | None = None
) -> bytes:
    """The table as Parquet, written by DuckDB on one thread with fixed row groups, so the
    bytes depend on the content only. ``places``: the numeric columns (indicators) and their
    decimal places, each written as DECIMAL(18, places) followed by ``<column>_symbol``
    (typed_columns); every other column, and every column when ``places`` is None, as text.
    DECIMAL rather than DOUBLE: a published figure is a decimal with the indicator's places,
    which a DECIMAL holds exactly (12.3 has no exact DOUBLE, and 12.0 keeps its place), so the
    Parquet copy reads back as the very figures of the CSV."""
    places = places or {}
    frame = pd.DataFrame(typed_columns(header, rows, places), dtype="string")
    columns = []
    for name in header:
        if name in places:
            columns.append(f'CAST("{name}" AS DECIMAL(18, {places[name]})) AS "{name}"')
            name = f"{name}{SYMBOL_SUFFIX}"
        columns.append(f'CAST("{name}" AS VARCHAR) AS "{name}"')
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "extract.parquet"
        con = duckdb.connect()
        try:
            con.execute("SET threads = 1")
            con.register("extract", frame)
            con.execute(
                f"COPY (SELECT {', '.join(columns)} FROM extract) TO '{path}' "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)"
            )
        finally:
            con.close()
        return path.read_bytes()


def typed_columns(
    header: list[str], rows: list[list[str]], places: Mapping[str, int]
) -> dict[str, list[str | None]]:
    """The published text split for a typed copy: a numeric column keeps its figures (None
    where a symbol is published) and gains ``<column>_symbol``, the symbol (None where a
    figure is published). A figure must have exactly the column's places, so the DECIMAL holds
    it exactly as published; anything else (a symbol outside common.rounding.SYMBOLS, a
    blank, a figure with other places) is refused, never coerced."""
    columns: dict[str, list[str | None]] = {}
    for index, name in enumerate(header):
        texts = [row[index] for row in rows]
        if name not in places:
            columns[name] = texts
            continue
        figure = r"-?\d+" + (rf"\.\d{{{places[name]}}}" if places[name] else "")
        for text in texts:
            if text not in SYMBOLS and re.fullmatch(figure, text) is None:
                raise ValueError(
                    f"{name}: {text!r} is neither a symbol nor a figure with "
                    f"{places[name]} decimal places"
                )
        columns[name] = [None if t in SYMBOLS else t for t in texts]
        columns[f"{name}{SYMBOL_SUFFIX}"] = [t if t in SYMBOLS else None for t in texts]
    return columns


def file_entry(output: Output) -> dict[str, object]:
    return {
        "name": output.name,
        "rows": output.rows,
        "bytes": len(output.content),
        "sha256": hashlib.sha256(output.content).hexdigest(),
    }


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_published(folder: Path, name: str) -> bytes | None:
    """The bytes of file ``name`` of an earlier publication ``folder`` as its manifest lists
    them (same sha256), or None: no such publication or file, a link or anything but a regular
    file (an outbox may be synced: what is there now is not ours unless it checks out), or
    bytes its manifest does not list."""
    manifest = _regular_file(folder / MANIFEST)
    content = _regular_file(folder / name)
    if manifest is None or content is None:
        return None
    try:
        entries = json.loads(manifest)["files"]
        listed = {e["name"]: e["sha256"] for e in entries}
    except (ValueError, KeyError, TypeError):
        return None
    return content if listed.get(name) == hashlib.sha256(content).hexdigest() else None


def _regular_file(path: Path) -> bytes | None:
    if path.parent.is_symlink():
        return None
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None  # not there, or a link (ELOOP)
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return None
        return file.read()


def publish_folder(
    root: Path, target: Path, kind: str, period: str, outputs: list[Output], manifest: dict
) -> Publication:
    """Write ``outputs`` and their manifest in a staging folder under ``root`` (the published
    folder), then swap it into place at ``target``."""
    manifest = {
        **manifest,
        "publication": kind,
        "period": period,
        "pipeline_version": pipeline_version(),
        "files": [file_entry(o) for o in outputs],
    }
    remove_hidden_siblings(target)  # staged there by earlier versions, then killed
    with staged_folder(root, target) as staging:
        for output in outputs:
            (staging / output.name).write_bytes(output.content)
        (staging / MANIFEST).write_bytes(manifest_bytes(manifest))
    names = [o.name for o in outputs] + [MANIFEST]
    return Publication(kind, period, target, [target / n for n in names])
