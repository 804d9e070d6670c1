"""Reading published partner files back as a partner would, with the real readers (csv and
pyarrow), for tests that compare them."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from publish.extracts.files import SYMBOL_SUFFIX


def csv_rows(path: Path) -> list[list[str]]:
    """Header and rows, as Python's csv module reads them."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def parquet_as_text(path: Path) -> list[list[str]]:
    """A typed Parquet copy turned back into the CSV's text, read with pyarrow: a numeric
    column's figure as its decimal text, or where it is null the symbol of its
    ``<column>_symbol``; the companion columns themselves are dropped."""
    table = pq.read_table(path)
    columns = [c for c in table.column_names if not c.endswith(SYMBOL_SUFFIX)]
    values = {c: table.column(c).to_pylist() for c in table.column_names}
    rows = []
    for index in range(table.num_rows):
        row = []
        for column in columns:
            value = values[column][index]
            symbol = values.get(f"{column}{SYMBOL_SUFFIX}", [None] * table.num_rows)[index]
            row.append(symbol if value is None and symbol is not None else str(value))
        rows.append(row)
    return [columns, *rows]
