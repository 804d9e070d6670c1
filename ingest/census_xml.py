"""Read the DfE Children's Social Work Workforce (CSWW) census XML a council already produces.

The file is accepted as the council exports it for the DfE (schemas 2021 to 2025)::

    <Message>
      <Header>
        <CollectionDetails><Collection>CSWW</Collection><Year>2024</Year>
          <ReferenceDate>2024-09-30</ReferenceDate></CollectionDetails>
        <Source><SourceLevel>L</SourceLevel><LEA>822</LEA>...</Source>
      </Header>
      <LALevelVacancies>            (2025: <LALevel>, with benefit flags)
        <NumberOfVacancies/><NoAgencyFTE/><NoAgencyHeadcount/>
      </LALevelVacancies>
      <CSWWWorker>...</CSWWWorker>  (one per worker; 2021-23 GenderCurrent, 2024+ Sex,
                                     2025 adds BaseSalary, RRPayments, OtherPayments)
    </Message>

Worker records become the ``workforce`` table and the LA-level record the ``census_la`` table,
typed exactly as a CSV or Excel return would be (``readers.type_column``); each row's
ROW_NUMBER is the line of the file where its element starts, so feedback can point at it.
Fields we do not store (sex and gender above all) are dropped while parsing and never reach a
frame. Files come from outside, so the parser refuses DTDs and entities (no entity expansion,
no external entities) before any of them are read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from xml.parsers import expat

import pandas as pd

from common.periods import period_of
from ingest.cells import parse_date
from ingest.readers import ROW_NUMBER, ParsedTable, ReadError, type_column
from ingest.return_contract import CENSUS_LA, WORKFORCE, ReturnTable

__all__ = ["CensusReturn", "SCHEMA_YEARS", "SHEET", "read_census"]

SHEET = "census XML"  # what feedback shows where a workbook would show a sheet name
SCHEMA_YEARS = (2021, 2022, 2023, 2024, 2025)
ROOT = "Message"
COLLECTION = "CSWW"
WORKER = "CSWWWorker"
LA_RECORD_OLD = "LALevelVacancies"  # 2021-2024
LA_RECORD_2025 = "LALevel"
# Census fields we deliberately do not keep. Sex and gender are not read at all: their text is
# discarded by the parser itself. The rest are not part of the data share.
NEVER_READ = frozenset({"GenderCurrent", "Sex"})
NOT_STORED = NEVER_READ | {
    "QualInst",
    "StepUpGrad",
    "FrontlineGrad",
    "ContractWeeks",
    "CFKSSstatus",
    "RRPayments",
    "OtherPayments",
}
_LEA = re.compile(r"\d{3}")
_YEAR = re.compile(r"\d{4}")


@dataclass
class CensusReturn:
    lea: str  # 3-digit DfE LA code from the header
    census_year: int  # the census year (year ending 30 September)
    reference_date: dt.date  # normally 30 September of census_year
    schema_year: int  # 2021..2025, from the file's structure
    period: str  # YYYY-MM of the reference date
    tables: dict[str, ParsedTable] = field(default_factory=dict)  # "workforce", "census_la"


# --- a small, safe XML tree with source lines ---------------------------------------------


@dataclass
class _Element:
    tag: str
    line: int
    children: list[_Element] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.text_parts).strip()

    def find(self, tag: str) -> _Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[_Element]:
        return [c for c in self.children if c.tag == tag]

    def iter(self, tag: str):
        for child in self.children:
            if child.tag == tag:
                yield child
            yield from child.iter(tag)


class _Forbidden(Exception):
    """The file declares a DTD or entities; refused before anything is expanded."""


def _local(tag: str) -> str:
    # expat with namespace_separator gives "uri}name"; DfE files have no namespace, but a
    # supplier's export may add a default one.
    return tag.rsplit("}", 1)[-1]


def _forbid(*_args: object) -> None:
    raise _Forbidden


def _parse_tree(data: bytes, file_name: str) -> _Element:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.buffer_text = True

    stack: list[_Element] = []
    roots: list[_Element] = []
    # Depth inside an element whose text must never be kept (sex, gender).
    skipping = [0]

    def start(tag: str, _attrs: object) -> None:
        element = _Element(tag=_local(tag), line=parser.CurrentLineNumber)
        if skipping[0] or element.tag in NEVER_READ:
            skipping[0] += 1
        if stack:
            stack[-1].children.append(element)
        else:
            roots.append(element)
        stack.append(element)

    def end(_tag: str) -> None:
        stack.pop()
        if skipping[0]:
            skipping[0] -= 1

    def characters(text: str) -> None:
        if stack and not skipping[0]:
            stack[-1].text_parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(data, True)
    except _Forbidden:
        raise ReadError(
            f"'{file_name}' contains a DOCTYPE or entity declaration. For safety we do not "
            "accept XML with a DTD or entities. Send the census file exactly as exported for "
            "the DfE (DfE census files have no DOCTYPE)."
        ) from None
    except expat.ExpatError as exc:
        raise ReadError(
            f"'{file_name}' is not well-formed XML: {expat.ErrorString(exc.code)} at line "
            f"{exc.lineno}, column {exc.offset + 1}. The file may be damaged or was edited by "
            "hand: export the census file again from your system and send it unchanged."
        ) from None
    return roots[0]


# --- header and schema ---------------------------------------------------------------------


def _first_text(element: _Element, tag: str) -> str:
    found = next(element.iter(tag), None)
    return found.text if found is not None else ""


def _header(root: _Element, file_name: str) -> tuple[str, int, dt.date]:
    header = root.find("Header")
    if header is None:
        raise ReadError(
            f"'{file_name}' has no <Header>, so we cannot tell which council and census year "
            "it is for. Export the census file again with its header."
        )
    collection = _first_text(header, "Collection")
    if collection and collection.upper() != COLLECTION:
        raise ReadError(
            f"'{file_name}' is a '{collection}' collection file, not the Children's Social "
            "Work Workforce census (CSWW). Send the CSWW census XML, or the workforce table."
        )
    lea = _first_text(header, "LEA")
    if not lea:
        raise ReadError(
            f"'{file_name}' has no LA code (<LEA>) in its header. Export the census file "
            "again: the header must give your council's 3-digit DfE code."
        )
    if not _LEA.fullmatch(lea):
        raise ReadError(
            f"The LA code in the header of '{file_name}' is '{lea}'; it must be your "
            "council's 3-digit DfE code (e.g. 822). Export the census file again."
        )
    reference_text = _first_text(header, "ReferenceDate")
    if not reference_text:
        raise ReadError(
            f"'{file_name}' has no <ReferenceDate> in its header, so we cannot tell which "
            "date it describes. Export the census file again with its header."
        )
    reference_date = parse_date(reference_text)
    if reference_date is None:
        raise ReadError(
            f"The <ReferenceDate> in '{file_name}' is '{reference_text}', which is not a date. "
            "It should be the census date, e.g. 2024-09-30."
        )
    year_text = _first_text(header, "Year") or _first_text(header, "CensusYear")
    if not year_text:
        census_year = reference_date.year
    elif not _YEAR.fullmatch(year_text):
        raise ReadError(
            f"The census year in the header of '{file_name}' is '{year_text}'; it must be a "
            "year such as 2024. Export the census file again."
        )
    else:
        census_year = int(year_text)
        if census_year != reference_date.year:
            raise ReadError(
                f"The header of '{file_name}' says census year {census_year} but reference "
                f"date {reference_date.isoformat()}. They must agree (the census year ends on "
                "the reference date): export the census file again."
            )
    return lea, census_year, reference_date


def _schema_year(
    la_record: _Element, workers: list[_Element], census_year: int, file_name: str
) -> int:
    tags = {child.tag for worker in workers for child in worker.children}
    unknown = f"'{file_name}' does not match any DfE CSWW census schema we accept (2021 to 2025)"
    if la_record.tag == LA_RECORD_2025:
        if "GenderCurrent" in tags:
            raise ReadError(
                f"{unknown}: it has the 2025 <LALevel> record but the pre-2024 GenderCurrent "
                "field. Export it again with your system's current census format."
            )
        return 2025
    if "Sex" in tags and "GenderCurrent" in tags:
        raise ReadError(
            f"{unknown}: its worker records mix GenderCurrent (2021-2023) and Sex (2024+). "
            "Export it again with your system's current census format."
        )
    if "BaseSalary" in tags:
        raise ReadError(
            f"{unknown}: it has BaseSalary (2025) with the pre-2025 <LALevelVacancies> record. "
            "Export it again with your system's current census format."
        )
    if "Sex" in tags:
        return 2024
    if census_year < SCHEMA_YEARS[0]:
        raise ReadError(
            f"{unknown}: it is for census year {census_year}; we accept census files from "
            f"{SCHEMA_YEARS[0]} onwards. Send the workforce table instead."
        )
    return min(census_year, 2023)


# --- tables --------------------------------------------------------------------------------


def _parsed(table: ReturnTable, records: list[dict[str, object]], ignored: list[str]):
    raw = pd.DataFrame.from_records(records, columns=[*table.column_names, ROW_NUMBER])
    typed = pd.DataFrame({ROW_NUMBER: raw[ROW_NUMBER].astype("int64")})
    for column in table.columns:
        typed[column.name] = type_column(raw[column.name], column)
    return ParsedTable(table=table, sheet=SHEET, raw=raw, typed=typed, ignored_headers=ignored)


def _by_tag(table: ReturnTable) -> dict[str, str]:
    return {alias: column.name for column in table.columns for alias in column.aliases}


def _record(element: _Element, by_tag: dict[str, str], unknown: set[str]) -> dict[str, object]:
    cells: dict[str, object] = dict.fromkeys(by_tag.values(), "")
    for child in element.children:
        name = by_tag.get(child.tag)
        if name is None:
            if child.tag not in NOT_STORED:
                unknown.add(child.tag)
        elif not cells[name]:  # a repeated field (e.g. Absat30Sept): the first one counts
            cells[name] = child.text
    cells[ROW_NUMBER] = element.line
    return cells


def read_census(data: bytes, file_name: str) -> CensusReturn:
    """Parse a CSWW census XML into its header and the workforce and census_la tables."""
    if not data.strip():
        raise ReadError(f"'{file_name}' is empty. Export the census file again and re-send it.")
    head = data[:64].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"PK"):
        raise ReadError(
            f"'{file_name}' is a zip or Excel file with an .xml name, not a census XML. Send "
            "the XML file your system exports for the DfE census, or the Excel return as .xlsx."
        )
    if not head.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(
            f"'{file_name}' is not an XML file (it does not start with '<'). Send the census "
            "XML exactly as your system exported it for the DfE."
        )
    root = _parse_tree(data, file_name)
    if root.tag != ROOT or (root.find("Header") is None and root.find(WORKER) is None):
        raise ReadError(
            f"'{file_name}' is XML but not a DfE children's social work workforce census file "
            f"(it starts with <{root.tag}>, a census file starts with <{ROOT}> and holds "
            f"<{WORKER}> records). Send the CSWW census XML, or the workforce table."
        )
    lea, census_year, reference_date = _header(root, file_name)

    la_records = root.findall(LA_RECORD_2025) + root.findall(LA_RECORD_OLD)
    if len(la_records) != 1:
        found = "no" if not la_records else "more than one"
        raise ReadError(
            f"'{file_name}' has {found} LA-level record (<{LA_RECORD_OLD}>, or <LALevel> from "
            "2025), so it matches no CSWW census schema we accept. Export the census file again."
        )
    workers = root.findall(WORKER)
    if not workers:
        raise ReadError(
            f"'{file_name}' has no <{WORKER}> records. A census file lists every social worker; "
            "export it again, or send the workforce table."
        )
    schema_year = _schema_year(la_records[0], workers, census_year, file_name)

    unknown: set[str] = set()
    worker_tags = _by_tag(WORKFORCE)
    workforce = _parsed(
        WORKFORCE, [_record(w, worker_tags, unknown) for w in workers], sorted(unknown)
    )
    la_unknown: set[str] = set()
    la_cells = _record(la_records[0], _by_tag(CENSUS_LA), la_unknown)
    # File-level facts stored with the LA record, so the marts know the reference date.
    la_cells["reference_date"] = reference_date.isoformat()
    la_cells["schema_year"] = str(schema_year)
    census_la = _parsed(CENSUS_LA, [la_cells], [])
    return CensusReturn(
        lea=lea,
        census_year=census_year,
        reference_date=reference_date,
        schema_year=schema_year,
        period=period_of(reference_date),
        tables={WORKFORCE.name: workforce, CENSUS_LA.name: census_la},
    )
