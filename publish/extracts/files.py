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
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd

from common.atomic import remove_hidden_siblings, staged_folder
from common.excel import csv_text

MANIFEST = "manifest.json"


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


def parquet_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """Every column as text (the symbols c, x, z, low, u stay as published), written by DuckDB
    on one thread with fixed row groups, so the bytes depend on the content only."""
    frame = pd.DataFrame(rows, columns=header, dtype="string")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "extract.parquet"
        con = duckdb.connect()
        try:
            con.execute("SET threads = 1")
            con.register("extract", frame)
            columns = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in header)
            con.execute(
                f"COPY (SELECT {columns} FROM extract) TO '{path}' "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)"
            )
        finally:
            con.close()
        return path.read_bytes()


def file_entry(output: Output) -> dict[str, object]:
    return {
        "name": output.name,
        "rows": output.rows,
        "bytes": len(output.content),
        "sha256": hashlib.sha256(output.content).hexdigest(),
    }


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")


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
