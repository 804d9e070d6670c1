"""What feedback may show of a cell: never personal data, whatever column it landed in.

Personal columns are masked as soon as a file is read (ingest/pseudonymise.py), but a row
shifted by one cell puts a SWE number under 'Agency worker' and a date of birth under
'Ethnicity', and the rule that fails there would echo it back. So feedback shows no cell text
that:

- sits in a personal column (return_contract ``Column.personal``);
- looks like a SWE number: 'SW' then digits (Social Work England's format; 'sw 123456' too);
- looks like a date of birth: a whole date (with its day) of someone aged 16 to 100 today.

Such a value is replaced by a note saying why (:func:`shown`); the problem still names the
rule, the row and the column, which is all an officer needs to find the cell. Free text that
may quote a cell (a rule's message, a file-level error) has any such run replaced in place
(:func:`scrub`). One rule for every feedback format: the workbook, the HTML page and the CSV.

A date of birth rule is broad on purpose: a role start date in 2005 looks like one and is
withheld too. The officer still sees which cell to check.
"""

from __future__ import annotations

import datetime as dt
import re

from ingest.cells import parse_date
from ingest.return_contract import Column

WITHHELD_PERSONAL = "(personal data: not shown)"
WITHHELD_SWE_NUMBER = "(not shown: looks like a SWE number)"
WITHHELD_BIRTH_DATE = "(not shown: could be a date of birth)"
# Ages (in years, today) of a date that could be someone's date of birth.
BIRTH_AGES = (16, 100)

_SWE_NUMBER = re.compile(r"SW[\s-]?\d{3,}", re.IGNORECASE)
# Whole dates as text: ISO (with an optional time), day-first with / . -, and '14 March 1985'.
_DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d{1,2} [A-Za-z]{3,9} \d{4})\b"
)


def looks_like_swe_number(text: str) -> bool:
    return _SWE_NUMBER.search(text) is not None


def looks_like_birth_date(text: str, today: dt.date | None = None) -> bool:
    """A whole date (not an Excel serial number, not a month) of someone aged 16 to 100."""
    stripped = text.strip()
    if not stripped or stripped.replace(".", "").isdigit():
        return False  # a bare number is a number (a salary, a count), not a date typed out
    day = parse_date(stripped)
    if day is None:
        return False
    year = (today or dt.date.today()).year
    return year - BIRTH_AGES[1] <= day.year <= year - BIRTH_AGES[0]


def withheld_reason(text: str, column: Column | None = None) -> str | None:
    """The note shown instead of ``text``, or None when it may be shown as it is."""
    if not text:
        return None
    if text == WITHHELD_PERSONAL or (column is not None and column.personal):
        return WITHHELD_PERSONAL
    if looks_like_swe_number(text):
        return WITHHELD_SWE_NUMBER
    if looks_like_birth_date(text) or any(looks_like_birth_date(m) for m in _DATE.findall(text)):
        return WITHHELD_BIRTH_DATE
    return None


def shown(text: str, column: Column | None = None) -> str:
    """A cell's text as feedback shows it: itself, or the note saying why it is withheld."""
    return withheld_reason(text, column) or text


def scrub(text: str) -> str:
    """Free text with every run that looks like a SWE number or a date of birth replaced by
    its note; the rest of the sentence stays."""
    if not text:
        return text
    text = _SWE_NUMBER.sub(WITHHELD_SWE_NUMBER, text)
    return _DATE.sub(
        lambda m: WITHHELD_BIRTH_DATE if looks_like_birth_date(m.group(0)) else m.group(0), text
    )
