"""Ledger statuses have one home (ingest.ledger.LedgerStatus); the sets of them that mean
"accepted" and "received" are derived there, as the plain strings the warehouse holds."""

from __future__ import annotations

from ingest.ledger import ACCEPTED_STATUSES, RECEIVED_STATUSES, STATUSES, LedgerStatus


def test_the_statuses_are_the_strings_the_warehouse_holds():
    assert STATUSES == (
        "accepted",
        "accepted_with_warnings",
        "rejected",
        "duplicate",
        "superseded",
        "failed",
    )
    assert all(type(status) is str for status in (*STATUSES, *RECEIVED_STATUSES))
    assert LedgerStatus("superseded") is LedgerStatus.SUPERSEDED


def test_accepted_and_received_are_derived_from_the_enum():
    assert ACCEPTED_STATUSES == (LedgerStatus.ACCEPTED, LedgerStatus.ACCEPTED_WITH_WARNINGS)
    assert RECEIVED_STATUSES == (*ACCEPTED_STATUSES, LedgerStatus.SUPERSEDED)
    # Interpolated into SQL as `status IN {RECEIVED_STATUSES}`: a valid SQL list of literals.
    assert str(RECEIVED_STATUSES) == "('accepted', 'accepted_with_warnings', 'superseded')"
