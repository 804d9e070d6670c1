"""Sample ledger entries and problems for the feedback tests: one definition, overridable."""

from __future__ import annotations

import datetime as dt

from ingest.ledger import LedgerEntry
from ingest.validate import Problem


def sample_entry(**overrides) -> LedgerEntry:
    values = {
        "relative_path": "luton/luton_2025-03_establishment.csv",
        "file_name": "luton_2025-03_establishment.csv",
        "size_bytes": 1234,
        "sha256": "ab" * 32,
        "received_at": dt.datetime(2025, 4, 2, 9, 30, 15),
        "processed_at": dt.datetime(2025, 4, 2, 9, 31),
        "status": "rejected",
        "message": "Rejected: 2 error(s) must be fixed.",
        "council_code": "821",
        "period": "2025-03",
        "return_type": "establishment",
        "version": 2,
        "error_count": 2,
        "warning_count": 0,
    }
    return LedgerEntry(**{**values, **overrides})


def sample_problem(**overrides) -> Problem:
    values = {
        "severity": "error",
        "rule": "EST-004",
        "sheet": "luton_2025-03_establishment.csv",
        "row_number": 7,
        "column": "Local grade",
        "value": "Grade 99",
        "message": "Local grade 'Grade 99' is not in the region's grade mapping for Luton.",
        "fix": "Check the spelling.",
    }
    return Problem(**{**values, **overrides})
