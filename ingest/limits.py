"""Limits on what a file may hold, checked while streaming, before any reader holds it whole.

A return is a few hundred rows of about 20 columns. A file far beyond that is a mistake (a
stray keystroke in cell XFD1048576, a sheet formatted to the last row) or an attack (a zip
bomb, one 300 MB string), and a reader given it whole (python-calamine builds a dense grid of
the sheet's stated dimension, so one cell in XFD1048576 asks for 512 GiB) exhausts memory or
time. Each check here reads the file a chunk at a time and stops at the first limit passed,
with a message a council officer can act on. The limits come from configuration
(:class:`common.settings.ReadLimits`); :mod:`ingest.parse_worker` runs these checks and the
reader in a child process held to a memory and time limit as well, for anything they miss.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from io import BytesIO
from xml.parsers import expat

from common.settings import ReadLimits
from ingest.readers import ReadError

__all__ = ["LimitError", "check_csv_text", "check_workbook", "check_xml", "column_number"]

MB = 1024 * 1024
_CHUNK = 1024 * 1024
# A small part compresses well without being a bomb; the ratio counts from this size up.
_RATIO_FLOOR = MB
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_SHEET_ENTRY = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"')
_TEXT_PARTS = re.compile(r"^xl/(sharedStrings|worksheets/[^/]+)\.xml$")


class _Doctype(Exception):
    """A DTD: never expanded here; the reader refuses the file with its own message."""


def _stop_at_doctype(*_args: object) -> None:
    raise _Doctype


class LimitError(ReadError):
    """The file passes one of the configured limits; the message says which and what to do."""


def column_number(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def _mb(size: float) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size / 1024:,.0f} KB"


def check_size(size: int, limits: ReadLimits, name: str) -> None:
    if size > limits.max_file_mb * MB:
        raise LimitError(
            f"'{name}' is {_mb(size)}; we accept files up to {limits.max_file_mb:g} MB. A "
            "monthly return is far smaller: check it holds only the return's tables (no "
            "pictures, no other data), or split it into one CSV per table, and send it again."
        )


# --- xlsx: the zip's central directory, then each XML part streamed --------------------------


def check_workbook(data: bytes, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts are too large or compressed too well (a zip bomb), or
    whose sheets say they hold too many rows, columns or characters in a cell."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: calamine gives the "cannot be opened" message (xls is no zip)
    with archive:
        _check_parts(archive.infolist(), limits)
        for info in archive.infolist():
            if _TEXT_PARTS.match(info.filename):
                _check_part(archive, info, limits)


def _check_parts(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    most = limits.max_unzipped_mb * MB
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > most or total > most:
            raise LimitError(
                f"The workbook unpacks to more than {limits.max_unzipped_mb:g} MB (its part "
                f"'{info.filename}' alone is {_mb(info.file_size)}), far more than a return "
                "holds. Copy just the return's tables into the regional template (paste "
                "values only), save it as .xlsx and send it again."
            )
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_zip_ratio:
            raise LimitError(
                f"The workbook's part '{info.filename}' unpacks to {ratio:,.0f} times its "
                f"packed size (we accept up to {limits.max_zip_ratio:g}), which a real return "
                "never does. Copy just the return's tables into the regional template (paste "
                "values only), save it as .xlsx and send it again."
            )


class _PartScan:
    """Streams one XML part through expat: depth, element count, characters in one element,
    and for a worksheet its stated dimension and the rows and columns its cells use."""

    def __init__(self, part: str, limits: ReadLimits, where: str) -> None:
        self.part, self.limits, self.where = part, limits, where
        self.depth = self.elements = self.text = self.rows = 0
        self.cell = ""
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = _stop_at_doctype  # no entity is ever expanded
        self.stopped = False
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters
        self.parser.buffer_text = False  # a huge string arrives in pieces we count as they come

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.stopped:
            return
        try:
            self.parser.Parse(chunk, final)
        except _Doctype:
            self.stopped = True
        except expat.ExpatError:
            if final or not chunk:
                return  # damaged XML: the reader says so in its own words
            raise

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        self.text = 0
        _check_structure(self.depth, self.elements, self.limits, self.where)
        local = tag.rsplit(":", 1)[-1]
        if local == "c" and "r" in attrs:
            self.cell = attrs["r"]
            match = re.fullmatch(r"([A-Z]{1,3})(\d+)", attrs["r"])
            if match:
                self._reach(match[1], int(match[2]))
        elif local == "row":
            self.rows += 1
            self._reach("", max(self.rows, int(attrs.get("r", "0") or 0)))
        elif local == "dimension" and "ref" in attrs:
            end = attrs["ref"].split(":")[-1]
            match = re.fullmatch(r"([A-Z]{1,3})(\d+)", end)
            if match:
                self._reach(match[1], int(match[2]), stated=True)

    def end(self, _tag: str) -> None:
        self.depth -= 1
        self.text = 0

    def characters(self, text: str) -> None:
        self.text += len(text)
        if self.text > self.limits.max_cell_chars:
            where = f"cell {self.cell} of {self.where}" if self.cell else self.where
            if self.part.endswith("sharedStrings.xml"):
                where = "a text cell of the workbook"
            raise LimitError(
                f"{where[0].upper()}{where[1:]} holds more than "
                f"{self.limits.max_cell_chars:,} characters, the most a cell of a return may "
                "hold (Excel's own limit is 32,767). Find the cell with the long text, shorten "
                "or delete it, and send the return again."
            )

    def _reach(self, letters: str, row: int, stated: bool = False) -> None:
        column = column_number(letters) if letters else 0
        too_far = row > self.limits.max_rows + 100 or column > self.limits.max_columns
        if too_far and letters:
            says = "says it uses" if stated else "has content in"
            raise LimitError(
                f"{self.where[0].upper()}{self.where[1:]} {says} cells up to {letters}{row} "
                f"(row {row:,}, column {column:,}), far beyond any return (at most "
                f"{self.limits.max_rows:,} rows and {self.limits.max_columns:,} columns). "
                "Something was typed or formatted far from the table: delete the rows and "
                "columns below and to the right of the table (select them, right-click, "
                "Delete), save, and send it again."
            )
        if too_far:
            raise LimitError(
                f"{self.where[0].upper()}{self.where[1:]} has {row:,} rows; a return table "
                f"may have at most {self.limits.max_rows:,}. Delete the empty or stray rows "
                "below the table, or send the months as separate returns, and send it again."
            )


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's name as the officer sees it (best effort)."""
    try:
        book = archive.read("xl/workbook.xml")[: 4 * MB]
        rels = archive.read("xl/_rels/workbook.xml.rels")[: 4 * MB]
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = dict(re.findall(rb'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    names = {}
    for name, rid in _SHEET_ENTRY.findall(book):
        target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        names[part] = name.decode("utf-8", "replace")
    return names


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ReadLimits) -> None:
    name = _sheet_names(archive).get(info.filename) if _WORKSHEET.match(info.filename) else None
    where = f"sheet '{name}'" if name else f"the workbook part '{info.filename}'"
    scan = _PartScan(info.filename, limits, where)
    read = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                read += len(chunk)
                if read > limits.max_unzipped_mb * MB:  # the directory may understate sizes
                    _check_parts([_understated(info, read)], limits)
                scan.feed(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        return  # damaged or encrypted: the reader's own message is the right one
    except expat.ExpatError:
        return
    scan.feed(b"", final=True)


def _understated(info: zipfile.ZipInfo, read: int) -> zipfile.ZipInfo:
    actual = zipfile.ZipInfo(info.filename)
    actual.file_size, actual.compress_size = read, info.compress_size
    return actual


# --- census XML --------------------------------------------------------------------------------


def _check_structure(depth: int, elements: int, limits: ReadLimits, where: str) -> None:
    if depth > limits.max_xml_depth:
        raise LimitError(
            f"{where[0].upper()}{where[1:]} nests elements more than {limits.max_xml_depth} "
            "deep; a census file nests them 4 deep. It is not a census file as your system "
            "exports it: export the census XML again and send it unchanged."
        )
    if elements > limits.max_xml_elements:
        raise LimitError(
            f"{where[0].upper()}{where[1:]} has more than {limits.max_xml_elements:,} XML "
            "elements, far more than a census file of a council's workforce holds. Export "
            "the census XML again and send it unchanged."
        )


def check_xml(data: bytes, limits: ReadLimits, name: str) -> None:
    """Refuse XML nested too deep, with too many elements or with an over-long text."""
    scan = _PartScan(name, limits, f"'{name}'")
    for start in range(0, len(data), _CHUNK):
        scan.feed(data[start : start + _CHUNK])
    scan.feed(b"", final=True)


# --- CSV -----------------------------------------------------------------------------------


def check_csv_text(text: str, limits: ReadLimits, name: str) -> None:
    """Refuse a CSV with too many lines; cell length and columns are checked as it is split."""
    lines = text.count("\n") + 1
    if lines > limits.max_rows + 100:  # room for title and blank rows above the table
        raise LimitError(
            f"'{name}' has {lines:,} lines; a return table may have at most "
            f"{limits.max_rows:,} rows. Check it holds just the one table for the month "
            "(delete stray rows below it), and send it again."
        )


def check_csv_rows(rows: list[list[str]], limits: ReadLimits, name: str) -> None:
    widest = max((len(row) for row in rows), default=0)
    if widest > limits.max_columns:
        raise LimitError(
            f"'{name}' has a line with {widest:,} columns; a return table has at most "
            f"{limits.max_columns:,}. Check the separator and delete stray cells to the right "
            "of the table, and send it again."
        )


def cell_too_long(limits: ReadLimits, name: str) -> LimitError:
    return LimitError(
        f"'{name}' has a cell with more than {limits.max_cell_chars:,} characters, the most a "
        'cell of a return may hold; often a quote mark (") opened and never closed, which '
        "runs one cell on to the end of the file. Find the cell, fix or shorten it, and send "
        "the file again."
    )


# --- feedback ------------------------------------------------------------------------------


def bounded_problems(problems: list, most_per_rule: int) -> list:
    """The first ``most_per_rule`` problems of each rule, then one line per rule saying how many
    more there are, so a file with a million bad rows gets a readable report, not a flood.
    (The ledger's error and warning counts are of every problem.)"""
    shown: list = []
    more: dict[str, tuple[object, int]] = {}
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.rule] = counts.get(problem.rule, 0) + 1
        if counts[problem.rule] <= most_per_rule:
            shown.append(problem)
        else:
            first, extra = more.get(problem.rule, (problem, 0))
            more[problem.rule] = (first, extra + 1)
    for rule, (first, extra) in more.items():
        shown.append(
            dataclasses.replace(
                first,
                row_number=None,
                column="",
                value="",
                message=f"... and {extra:,} more problem(s) of rule {rule}, not listed.",
                fix=f"Fix the {most_per_rule:,} listed above the same way; the rest will "
                "show in the next report.",
            )
        )
    return shown
