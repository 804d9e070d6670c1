"""Turn one cell, as an officer typed it, into a typed value; None/NaN when it cannot be read.

A value that cannot be read is not an error here: the suites report it with the cell's text.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from common.labels import code_from_label, flag_label

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, allowing for its 1900 leap-year bug
# Excel serial numbers we accept as dates in a text file: 1954-10-14 .. 2119-01-08.
EXCEL_SERIAL_RANGE = (20_000, 80_000)
_TEXT_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y/%m/%d",
)
_TRUE = {"yes", "y", "true", "1", "t"}
_FALSE = {"no", "n", "false", "0", "f"}
_NUMBER_NOISE = re.compile(r"[£,\s]")
# What a number may be once money signs, thousands separators and spaces are gone: ASCII digits,
# one decimal point, a sign, an exponent as Excel writes large numbers in CSV (1.2E+06). Python's
# float() is more generous than an officer means: it reads '1_0.5' as 10.5 (digit grouping in
# code) and Arabic-Indic, Devanagari or full-width digits as numbers, so a cell holding a typing
# slip or text pasted from another system would load silently. Those cells stay unreadable, and
# the suites name the cell and what it holds.
_STRICT_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def cell_text(value: object) -> str:
    """A cell as the officer would read it, for feedback and for parsing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return flag_label(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_number(text: str) -> float:
    """'£1,234.50' -> 1234.5; '12%' -> 0.12; '' -> NaN; 'abc', '1_0.5', '١٢' -> NaN."""
    cleaned = _NUMBER_NOISE.sub("", text)
    if not cleaned:
        return math.nan
    scale = 1.0
    if cleaned.endswith("%"):
        cleaned, scale = cleaned[:-1], 0.01
    if not _STRICT_NUMBER.fullmatch(cleaned):
        return math.nan
    try:
        number = float(cleaned) * scale
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


def parse_date(text: str) -> dt.date | None:
    """ISO dates, UK day-first dates, '1 March 2025', and Excel serial numbers."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.0+)?", text, re.ASCII):  # not Arabic-Indic or other digits
        serial = int(float(text))
        if EXCEL_SERIAL_RANGE[0] <= serial <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
        return None
    candidate = text[:10] if re.match(r"\d{4}-\d{2}-\d{2}[ T]", text) else text
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    return None


def parse_flag(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def parse_code(text: str, codes: tuple[str, ...]) -> str | None:
    """'Vacancy cover' -> 'vacancy_cover'; '5.0' -> '5'. Unknown codes are kept for the suite
    to report; only a blank cell gives None."""
    stripped = text.strip()
    if not stripped:
        return None
    if re.fullmatch(r"\d+\.0+", stripped):
        stripped = stripped.split(".")[0]
    normalised = code_from_label(stripped)
    return normalised if normalised in codes else stripped
