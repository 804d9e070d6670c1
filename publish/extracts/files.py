"""Bytes, checksums, manifests and atomic publication: the same inputs give the same bytes.

A publication is a folder (``<published_dir>/<kind>/<period>``). It is written in full to a
hidden sibling folder, then swapped into place with renames only (:func:`swap_into_place`), so
a reader sees the old publication or the new one, never half of one. The manifest lists every
file with its rows, bytes and sha256, the ledger versions that fed it and the pipeline version;
it holds no clock time, so it too is byte-identical on a re-run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd

from common.atomic import swap_into_place

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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


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
    target: Path, kind: str, period: str, outputs: list[Output], manifest: dict
) -> Publication:
    """Write ``outputs`` and their manifest aside, then swap the folder into place."""
    manifest = {
        **manifest,
        "publication": kind,
        "period": period,
        "pipeline_version": pipeline_version(),
        "files": [file_entry(o) for o in outputs],
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it owner-only; readers need to see it
        for output in outputs:
            (staging / output.name).write_bytes(output.content)
        (staging / MANIFEST).write_bytes(manifest_bytes(manifest))
        swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    names = [o.name for o in outputs] + [MANIFEST]
    return Publication(kind, period, target, [target / n for n in names])
