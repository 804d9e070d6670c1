"""How stored values are shown to people, and read back: the labels of codes
('vacancy_cover' -> 'Vacancy cover') and of flags (Yes/No).

One home for what the template's drop-downs offer, the sample files carry, the suites' messages
list and the reader maps back to codes (ingest.cells). Roles and service areas have their names
in the reference seeds (regional_roles.csv, service_areas.csv) instead.
"""

from __future__ import annotations

import re

FLAG_LABELS = ("Yes", "No")  # True, False
# Codes whose label is not the code with its first letter capitalised (an acronym).
SPECIAL_CODE_LABELS = {"paye": "PAYE"}
_NOT_CODE_CHARACTERS = re.compile(r"[^a-z0-9]+")


def code_label(code: str) -> str:
    """How a stored code is shown to the officer: 'vacancy_cover' -> 'Vacancy cover'; '5' -> '5'."""
    if code.isdigit():
        return code
    if code in SPECIAL_CODE_LABELS:
        return SPECIAL_CODE_LABELS[code]
    return code.replace("_", " ").capitalize()


def code_from_label(text: str) -> str:
    """The code a label stands for, however it was typed: 'Vacancy cover', 'VACANCY-COVER ' ->
    'vacancy_cover'. (Whether it is one of a column's codes is the caller's question.)"""
    return _NOT_CODE_CHARACTERS.sub("_", text.strip().lower()).strip("_")


def flag_label(value: bool) -> str:
    return FLAG_LABELS[0] if value else FLAG_LABELS[1]
