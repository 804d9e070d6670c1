"""Code and flag labels have one home, common.labels: every code of the return contract reads
back from its label, and so does every flag."""

from __future__ import annotations

from common.labels import FLAG_LABELS, code_from_label, code_label, flag_label
from ingest.cells import parse_flag
from ingest.return_contract import RETURN_TABLES

CODES = sorted({code for t in RETURN_TABLES.values() for c in t.columns for code in c.codes})


def test_every_code_reads_back_from_its_label():
    assert CODES
    for code in CODES:
        assert code_from_label(code_label(code)) == code


def test_labels_are_what_an_officer_reads():
    assert code_label("vacancy_cover") == "Vacancy cover"
    assert code_label("10") == "10"
    assert code_from_label("  VACANCY-cover ") == "vacancy_cover"


def test_flags_read_back_from_their_labels():
    assert [flag_label(True), flag_label(False)] == list(FLAG_LABELS)
    assert [parse_flag(label) for label in FLAG_LABELS] == [True, False]
