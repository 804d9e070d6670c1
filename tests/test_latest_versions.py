"""The current version of each return table is its latest file in ledger order, table by table.

Raw rows as ingest appends them (stored columns plus file metadata, ledger_id included), then
one `dbt build`. Bedford's 2024-05 workbook carries three tables; a later establishment CSV
replaces the workbook's establishment sheet only, although its file time (received_at) is
older. Essex resubmits 2024-05 with an older file time too: the ledger order still wins.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from warehouse_helpers import build_warehouse, council_month, query, with_file_metadata

from ingest.return_contract import TABLES
from samples.returns import return_frames

PERIOD = "2024-05"
WORKBOOK_TABLES = ("establishment", "agency_assignments", "pay_scales")
# (council, ledger_id, received_at, seed, tables): ledger order is not file-time order.
FILES = [
    ("822", 5, "2024-06-10 09:00", 42, WORKBOOK_TABLES),  # Bedford's workbook
    ("822", 9, "2024-06-03 09:00", 7, ("establishment",)),  # a later CSV, older file time
    ("881", 6, "2024-06-12 09:00", 42, ("establishment",)),  # Essex's first version
    ("881", 8, "2024-06-01 09:00", 7, ("establishment",)),  # its resubmission
]


def _frames(code: str, seed: int, tables) -> dict[str, pd.DataFrame]:
    return return_frames(code, PERIOD, seed=seed, tables=tables)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    raw_rows = [
        (
            TABLES[name],
            with_file_metadata(
                frame,
                ledger_id=ledger_id,
                file_key=f"{code}-{ledger_id}",
                council_code=code,
                period=PERIOD,
                received_at=pd.Timestamp(received_at),
            ),
        )
        for code, ledger_id, received_at, seed, tables in FILES
        for name, frame in _frames(code, seed, tables).items()
    ]
    return build_warehouse(tmp_path_factory.mktemp("latest_versions"), raw_rows)


def _ledger_ids(warehouse_path: Path, model: str, council_code: str) -> set[int]:
    rows = query(
        warehouse_path,
        f"select distinct ledger_id from intermediate.{model} "
        "where council_code = ? and period = ?",
        [council_code, PERIOD],
    )
    return set(rows["ledger_id"].tolist())


def test_later_ledger_id_wins_even_with_an_older_file_time(warehouse):
    assert _ledger_ids(warehouse, "int_establishment_latest", "881") == {8}
    latest = _frames("881", 7, ("establishment",))["establishment"]
    first = _frames("881", 42, ("establishment",))["establishment"]
    assert latest["permanent_fte"].sum() != pytest.approx(first["permanent_fte"].sum())
    row = council_month(warehouse, "881", PERIOD)
    assert row["permanent_fte"] == pytest.approx(latest["permanent_fte"].sum())
    assert row["vacancy_fte"] == pytest.approx(latest["vacancy_fte"].sum())


def test_later_csv_replaces_only_the_workbooks_establishment_sheet(warehouse):
    assert _ledger_ids(warehouse, "int_establishment_latest", "822") == {9}
    assert _ledger_ids(warehouse, "int_agency_assignments_latest", "822") == {5}
    assert _ledger_ids(warehouse, "int_pay_scales_latest", "822") == {5}
    csv = _frames("822", 7, ("establishment",))["establishment"]
    sheet = _frames("822", 42, ("establishment",))["establishment"]
    assert csv["permanent_fte"].sum() != pytest.approx(sheet["permanent_fte"].sum())
    assert council_month(warehouse, "822", PERIOD)["permanent_fte"] == pytest.approx(
        csv["permanent_fte"].sum()
    )
