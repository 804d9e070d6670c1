"""The DfE's screening of an EES data/metadata pair, run on every partner extract before it leaves.

EES will not take a data file the DfE's screener (dfe-analytical-services/eesyscreener, the R
package behind the upload screener) fails, so we run the same rules first and refuse to publish
a file that breaks one. The rules come from that package and from the analysts' guide
(https://dfe-analytical-services.github.io/analysts-guide/statistics-production/ud.html and
api-data-standards.html). Each rule is one small function named after the screener's check
(``time_id_valid``, ``meta_ind_unit_validation``, ...), so a failure can be looked up there.

Where the screener only warns we fail, because our own files have no reason to trip it: column
names not in snake_case, an indicator without ``indicator_dp``, legacy symbols (``N/A``, ``-``,
``..``), a data column missing from the metadata, and the API's character limits. Stricter
still: every indicator cell must be a number or one of the guide's symbols (the screener only
rejects blanks and the obsolete ``:`` and ``~``), and a local authority row needs its
``new_la_code`` (the screener lets a former LA without an ONS code leave it blank; ours are all
current councils). Not screened: the location lookups (a region's or council's code against
its name), harmonised variables, and file names; filter rules run but our extract has no
filters yet.

``screen(data, meta)`` returns the failures (empty: the pair passes); ``assert_screened`` raises
``ScreeningFailed`` with a one-line message, which ``moc publish`` prints as it prints a refusal.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from publish.extracts.ees import META_COLUMNS, MONTHS  # MONTHS: the one spelling of the months

# What the screener expects of the two files -------------------------------------------------

REQUIRED_DATA_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
)
REQUIRED_META_COLUMNS = META_COLUMNS
OPTIONAL_META_COLUMNS = ("filter_default", "parent_filter")
COL_TYPES = ("Filter", "Indicator")
INDICATOR_UNITS = ("", "%", "pp", "£", "£m", "numberstring")

# Time: identifiers that may share a file are in one group; the length of time_period they take.
TERMS = ("Spring term", "Autumn term", "Summer term")
WEEKS = tuple(f"Week {n}" for n in range(1, 53))
FINANCIAL_QUARTERS = tuple(f"Financial year Q{n}" for n in range(1, 5))
FINANCIAL_HALVES = ("Part 1 (April to September)", "Part 2 (October to March)")
TIME_IDENTIFIER_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Autumn and spring term",),
    ("Calendar year",),
    ("Financial year",),
    ("Academic year",),
    ("Tax year",),
    ("Reporting year",),
    TERMS,
    WEEKS,
    MONTHS,
    FINANCIAL_QUARTERS,
    FINANCIAL_HALVES,
)
TIME_IDENTIFIERS = frozenset(t for group in TIME_IDENTIFIER_GROUPS for t in group)
FOUR_DIGIT_IDENTIFIERS = frozenset(("Calendar year", "Reporting year", *WEEKS, *MONTHS))

# Geography: each level with its code, name and secondary code columns (None: the level has
# none), as the screener's geography table has them.
GEOGRAPHY_LEVELS: dict[str, tuple[str | None, str, str | None]] = {
    "National": ("country_code", "country_name", None),
    "Regional": ("region_code", "region_name", None),
    "Local authority": ("new_la_code", "la_name", "old_la_code"),
    "Local authority district": ("lad_code", "lad_name", None),
    "RSC region": (None, "rsc_region_lead_name", None),
    "Parliamentary constituency": ("pcon_code", "pcon_name", None),
    "Local skills improvement plan area": ("lsip_code", "lsip_name", None),
    "Local enterprise partnership": (
        "local_enterprise_partnership_code",
        "local_enterprise_partnership_name",
        None,
    ),
    "English devolved area": ("english_devolved_area_code", "english_devolved_area_name", None),
    "Opportunity area": ("opportunity_area_code", "opportunity_area_name", None),
    "Ward": ("ward_code", "ward_name", None),
    "MAT": ("trust_id", "trust_name", None),
    "Sponsor": ("sponsor_id", "sponsor_name", None),
    "School": ("school_urn", "school_name", "school_laestab"),
    "Provider": ("provider_ukprn", "provider_name", None),
    "Institution": ("institution_id", "institution_name", None),
    "Planning area": ("planning_area_code", "planning_area_name", None),
    "Police force area": ("pfa_code", "pfa_name", None),
}
# Rows of a level may fill the columns of the levels above them in this map, never the
# reverse: a Regional row leaves the LA columns empty, a National row the region's too.
_LOW = ("School", "Provider", "Institution")
MAY_FILL: dict[str, tuple[str, ...]] = {
    "Regional": (
        "Regional",
        "Local skills improvement plan area",
        "Local authority",
        "Local enterprise partnership",
        "Opportunity area",
        "Local authority district",
        "Parliamentary constituency",
        "English devolved area",
        "Ward",
        *_LOW,
        "Planning area",
        "Police force area",
    ),
    "Local authority": (
        "Local authority",
        "Parliamentary constituency",
        "Local authority district",
        "Ward",
        *_LOW,
        "Planning area",
        "Police force area",
    ),
    "Local authority district": ("Local authority district", "Ward", *_LOW, "Police force area"),
}
TIME_COLUMNS = ("time_period", "time_identifier")
OBSERVATIONAL_UNITS = frozenset(
    {
        *TIME_COLUMNS,
        "geographic_level",
        *(c for cols in GEOGRAPHY_LEVELS.values() for c in cols if c is not None),
    }
)
# GSS codes of the geography columns we publish, and their names where there is one answer.
CODE_FORMATS = {
    "country_code": re.compile(r"[EKNSW]92000\d{3}"),
    "region_code": re.compile(r"E12\d{6}"),
    "new_la_code": re.compile(r"E(06|08|09|10)\d{6}"),
    "old_la_code": re.compile(r"\d{3}"),
}
COUNTRY_NAMES = {
    "E92000001": "England",
    "K02000001": "United Kingdom",
    "K03000001": "Great Britain",
    "K04000001": "England and Wales",
    "N92000002": "Northern Ireland",
    "S92000003": "Scotland",
    "W92000004": "Wales",
}

# Cells: the guide's symbols (GSS): z not applicable, x unavailable, c confidential, low / k
# rounds to zero, u low reliability. Blank, null words and the obsolete ones are refused.
SYMBOLS = frozenset({"c", "x", "z", "low", "k", "u"})
NULL_WORDS = frozenset({"NULL", "Null", "null", "NA", "na"})
LEGACY_SYMBOLS = frozenset({"N/A", "n/a", ".", "..", "-", ":", "~"})
NUMBER = re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?")
TOTAL_WORDS = frozenset({"Total", "total", "All", "all"})

# The API data standards' character limits.
COLUMN_NAME_LIMIT = 50
LABEL_LIMIT = 80
LOCATION_CODE_LIMIT = 30
ITEM_LIMIT = 120  # filter items and location names

EXAMPLES = 5  # how many offending values a message names before "and N more"


@dataclass(frozen=True)
class ScreenFailure:
    check: str  # the screener's name for the rule
    message: str  # one line naming the column, row and value

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


class ScreeningFailed(ValueError):
    """A data/metadata pair the DfE's screener would reject; raised before anything is
    written. The message is one line (``moc publish`` prints it and exits non-zero)."""

    def __init__(self, name: str, failures: list[ScreenFailure]):
        self.name = name
        self.failures = failures
        first = failures[0]
        rest = failures[1:]
        more = ""
        if rest:
            others = ", ".join(dict.fromkeys(f.check for f in rest))
            more = f" (and {len(rest)} more: {others})"
        super().__init__(f"{name} fails the EES screener: {first}{more}")


@dataclass(frozen=True)
class Pair:
    """The two files as text, every cell a string ('' for an empty cell)."""

    data: pd.DataFrame
    meta: pd.DataFrame

    def meta_rows(self, col_type: str) -> pd.DataFrame:
        if "col_type" not in self.meta.columns:
            return self.meta.iloc[0:0]
        return self.meta[self.meta["col_type"] == col_type]

    def meta_names(self, col_type: str) -> list[str]:
        if "col_name" not in self.meta.columns:
            return []
        return list(self.meta_rows(col_type)["col_name"])

    @property
    def indicators(self) -> list[str]:
        return [c for c in self.meta_names("Indicator") if self._described(c)]

    @property
    def filters(self) -> list[str]:
        return [c for c in self.meta_names("Filter") if self._described(c)]

    @property
    def filter_groups(self) -> list[str]:
        if "filter_grouping_column" not in self.meta.columns:
            return []
        groups = self.meta_rows("Filter")["filter_grouping_column"]
        return [g for g in dict.fromkeys(groups) if g.strip() and g in self.data.columns]

    def _described(self, column: str) -> bool:
        """A data column the metadata may describe (time and geography are meta_ob_unit's)."""
        return column in self.data.columns and column not in OBSERVATIONAL_UNITS

    def has(self, *columns: str) -> bool:
        return all(c in self.data.columns for c in columns)


Check = Callable[[Pair], Iterable[ScreenFailure]]
CHECKS: list[Check] = []


def check(function: Callable[[Pair], str | None]) -> Check:
    """Register a rule: it returns the message of its failure, or None when the pair passes."""

    def run(pair: Pair) -> list[ScreenFailure]:
        message = function(pair)
        return [] if message is None else [ScreenFailure(function.__name__, message)]

    run.__name__ = function.__name__
    CHECKS.append(run)
    return run


def _quote(values: Iterable[object]) -> str:
    values = list(values)
    shown = ", ".join(f"'{v}'" for v in values[:EXAMPLES])
    return shown + (f" and {len(values) - EXAMPLES} more" if len(values) > EXAMPLES else "")


def _line(index: int) -> int:
    """The CSV line of the data row at position ``index`` (the header is line 1)."""
    return index + 2


def _cells(frame: pd.DataFrame, rows: pd.Series, column: str) -> str:
    """'line 3 ('N/A'), line 7 ('')' for the rows of ``frame`` where ``rows`` holds."""
    positions = [i for i, hit in enumerate(rows.to_numpy()) if hit]
    shown = ", ".join(f"line {_line(i)} ('{frame[column].iloc[i]}')" for i in positions[:EXAMPLES])
    more = len(positions) - EXAMPLES
    return shown + (f" and {more} more" if more > 0 else "")


# Columns -----------------------------------------------------------------------------------


@check
def col_req_data(pair: Pair) -> str | None:
    missing = [c for c in REQUIRED_DATA_COLUMNS if c not in pair.data.columns]
    if missing:
        return f"the data file has no {_quote(missing)} column (every EES data file needs one)."
    return None


@check
def col_req_meta(pair: Pair) -> str | None:
    missing = [c for c in REQUIRED_META_COLUMNS if c not in pair.meta.columns]
    if missing:
        return f"the metadata file has no {_quote(missing)} column."
    return None


@check
def col_invalid_meta(pair: Pair) -> str | None:
    allowed = (*REQUIRED_META_COLUMNS, *OPTIONAL_META_COLUMNS)
    extra = [c for c in pair.meta.columns if c not in allowed]
    if extra:
        return f"the metadata file has columns EES does not know: {_quote(extra)}."
    return None


@check
def col_names_spaces(pair: Pair) -> str | None:
    spaced = [c for c in pair.data.columns if re.search(r"\s", c)]
    if spaced:
        return f"data column names with a space: {_quote(spaced)}."
    return None


@check
def col_snake_case(pair: Pair) -> str | None:
    odd = [c for c in pair.data.columns if re.fullmatch(r"[a-z][a-z0-9_]*", c) is None]
    if odd:
        return (
            f"data column names not in snake_case (lower-case letters, digits and _, starting "
            f"with a letter): {_quote(odd)}."
        )
    return None


@check
def api_char_col_name(pair: Pair) -> str | None:
    long = [c for c in pair.data.columns if len(c) > COLUMN_NAME_LIMIT]
    if long:
        return f"data column names longer than {COLUMN_NAME_LIMIT} characters: {_quote(long)}."
    return None


@check
def cross_meta_to_data(pair: Pair) -> str | None:
    if "col_name" not in pair.meta.columns:
        return None
    named = list(pair.meta["col_name"])
    if "filter_grouping_column" in pair.meta.columns:
        named += [g for g in pair.meta["filter_grouping_column"] if g.strip()]
    missing = [c for c in dict.fromkeys(named) if c.strip() and c not in pair.data.columns]
    if missing:
        return f"the metadata names columns the data file does not have: {_quote(missing)}."
    return None


@check
def cross_data_to_meta(pair: Pair) -> str | None:
    if "col_name" not in pair.meta.columns:
        return None
    described = set(pair.meta["col_name"])
    if "filter_grouping_column" in pair.meta.columns:
        described |= set(pair.meta["filter_grouping_column"])
    missing = [c for c in pair.data.columns if c not in OBSERVATIONAL_UNITS | described]
    if missing:
        return (
            f"data columns that are neither time nor geography and are not in the metadata: "
            f"{_quote(missing)}."
        )
    return None


# Metadata ----------------------------------------------------------------------------------


@check
def meta_ob_unit(pair: Pair) -> str | None:
    if "col_name" not in pair.meta.columns:
        return None
    units = [c for c in pair.meta["col_name"] if c in OBSERVATIONAL_UNITS]
    if units:
        return (
            f"time and geography columns must not be in the metadata (EES knows them): "
            f"{_quote(units)}."
        )
    return None


@check
def meta_col_type(pair: Pair) -> str | None:
    if not {"col_name", "col_type"} <= set(pair.meta.columns):
        return None
    bad = pair.meta[~pair.meta["col_type"].isin(COL_TYPES)]
    if len(bad):
        found = [f"{r.col_name} ('{r.col_type}')" for r in bad.itertuples()]
        return f"col_type must be Filter or Indicator; not so for {', '.join(found[:EXAMPLES])}."
    return None


@check
def meta_col_name(pair: Pair) -> str | None:
    if "col_name" not in pair.meta.columns:
        return None
    blank = pair.meta["col_name"].str.strip() == ""
    if blank.any():
        return f"metadata rows without a col_name: {_cells(pair.meta, blank, 'col_name')}."
    return None


@check
def meta_col_name_dupe(pair: Pair) -> str | None:
    if "col_name" not in pair.meta.columns:
        return None
    names = pair.meta["col_name"]
    dupes = list(dict.fromkeys(names[names.duplicated()]))
    if dupes:
        return f"col_name values listed more than once in the metadata: {_quote(dupes)}."
    return None


@check
def meta_label(pair: Pair) -> str | None:
    if not {"col_name", "label"} <= set(pair.meta.columns):
        return None
    blank = pair.meta[pair.meta["label"].str.strip() == ""]
    if len(blank):
        return f"columns without a label in the metadata: {_quote(blank['col_name'])}."
    return None


@check
def meta_dupe_label(pair: Pair) -> str | None:
    if "label" not in pair.meta.columns:
        return None
    labels = pair.meta["label"]
    dupes = list(dict.fromkeys(labels[labels.duplicated() & (labels.str.strip() != "")]))
    if dupes:
        return f"labels used by more than one column in the metadata: {_quote(dupes)}."
    return None


@check
def api_char_col_label(pair: Pair) -> str | None:
    if not {"col_name", "label"} <= set(pair.meta.columns):
        return None
    long = pair.meta[pair.meta["label"].str.len() > LABEL_LIMIT]
    if len(long):
        found = [f"{r.col_name} ({len(r.label)})" for r in long.itertuples()]
        return f"labels longer than {LABEL_LIMIT} characters: {', '.join(found[:EXAMPLES])}."
    return None


def _filled_for(pair: Pair, col_type: str, column: str) -> list[str]:
    if not {"col_name", "col_type", column} <= set(pair.meta.columns):
        return []
    rows = pair.meta_rows(col_type)
    return list(rows[rows[column].str.strip() != ""]["col_name"])


@check
def meta_indicator_grouping(pair: Pair) -> str | None:
    found = _filled_for(pair, "Filter", "indicator_grouping")
    if found:
        return f"filters must leave indicator_grouping blank: {_quote(found)}."
    return None


@check
def meta_ind_unit(pair: Pair) -> str | None:
    found = _filled_for(pair, "Filter", "indicator_unit")
    if found:
        return f"filters must leave indicator_unit blank: {_quote(found)}."
    return None


@check
def meta_indicator_dp(pair: Pair) -> str | None:
    found = _filled_for(pair, "Filter", "indicator_dp")
    if found:
        return f"filters must leave indicator_dp blank: {_quote(found)}."
    return None


@check
def meta_filter_hint(pair: Pair) -> str | None:
    found = _filled_for(pair, "Indicator", "filter_hint")
    if found:
        return f"indicators must leave filter_hint blank: {_quote(found)}."
    return None


@check
def meta_fil_grp(pair: Pair) -> str | None:
    found = _filled_for(pair, "Indicator", "filter_grouping_column")
    if found:
        return f"indicators must leave filter_grouping_column blank: {_quote(found)}."
    return None


@check
def meta_ind_unit_validation(pair: Pair) -> str | None:
    if not {"col_name", "col_type", "indicator_unit"} <= set(pair.meta.columns):
        return None
    rows = pair.meta_rows("Indicator")
    bad = rows[~rows["indicator_unit"].isin(INDICATOR_UNITS)]
    if len(bad):
        found = [f"{r.col_name} ('{r.indicator_unit}')" for r in bad.itertuples()]
        allowed = ", ".join(f"'{u}'" for u in INDICATOR_UNITS)
        return f"indicator_unit must be one of {allowed}; not so for {', '.join(found)}."
    return None


@check
def meta_ind_dp_values(pair: Pair) -> str | None:
    if not {"col_name", "indicator_dp"} <= set(pair.meta.columns):
        return None
    dp = pair.meta["indicator_dp"].str.strip()
    bad = pair.meta[(dp != "") & ~dp.str.fullmatch(r"\d+")]
    if len(bad):
        found = [f"{r.col_name} ('{r.indicator_dp}')" for r in bad.itertuples()]
        return f"indicator_dp must be blank or a whole number from 0: {', '.join(found)}."
    return None


@check
def meta_ind_dp_set(pair: Pair) -> str | None:
    if "indicator_dp" not in pair.meta.columns:
        return None
    filled = set(_filled_for(pair, "Indicator", "indicator_dp"))
    found = [n for n in pair.meta_names("Indicator") if n not in filled]
    if found:
        return f"indicators without indicator_dp (say how many decimal places): {_quote(found)}."
    return None


# Time --------------------------------------------------------------------------------------


@check
def time_period_num(pair: Pair) -> str | None:
    if not pair.has("time_period"):
        return None
    bad = ~pair.data["time_period"].str.fullmatch(r"\d{4}(\d{2})?")
    if bad.any():
        return f"time_period must be 4 or 6 digits: {_cells(pair.data, bad, 'time_period')}."
    return None


@check
def time_id_valid(pair: Pair) -> str | None:
    if not pair.has("time_identifier"):
        return None
    bad = ~pair.data["time_identifier"].isin(TIME_IDENTIFIERS)
    if bad.any():
        return f"time_identifier not one EES accepts: {_cells(pair.data, bad, 'time_identifier')}."
    return None


def _time_group(identifier: str) -> tuple[str, ...] | None:
    return next((g for g in TIME_IDENTIFIER_GROUPS if identifier in g), None)


@check
def time_id_mix(pair: Pair) -> str | None:
    if not pair.has("time_identifier") or pair.data.empty:
        return None
    found = list(dict.fromkeys(pair.data["time_identifier"]))
    groups = {_time_group(t) for t in found if t in TIME_IDENTIFIERS}
    if len(groups) > 1:
        return f"one kind of time_identifier per file; this one mixes {_quote(found)}."
    return None


@check
def time_period_length(pair: Pair) -> str | None:
    """A four-digit identifier (a year, a month, a week) takes a 4-digit time_period; the
    others (academic and financial years, terms, quarters) a 6-digit one of two consecutive
    years (202425)."""
    if not pair.has("time_period", "time_identifier"):
        return None
    period, identifier = pair.data["time_period"], pair.data["time_identifier"]
    known = identifier.isin(TIME_IDENTIFIERS) & period.str.fullmatch(r"\d{4}(\d{2})?")
    four = identifier.isin(FOUR_DIGIT_IDENTIFIERS)
    six_ok = period.str.len().eq(6) & period.apply(
        lambda p: len(p) == 6 and p.isdigit() and (int(p[:4]) + 1) % 100 == int(p[4:])
    )
    bad = known & ((four & period.str.len().ne(4)) | (~four & ~six_ok))
    if bad.any():
        return (
            f"time_period does not fit its time_identifier (4 digits for years, months and "
            f"weeks; 6 digits of consecutive years otherwise): "
            f"{_cells(pair.data, bad, 'time_period')}."
        )
    return None


# Geography ---------------------------------------------------------------------------------


@check
def geog_level(pair: Pair) -> str | None:
    if not pair.has("geographic_level"):
        return None
    bad = ~pair.data["geographic_level"].isin(GEOGRAPHY_LEVELS)
    if bad.any():
        return (
            f"geographic_level not one EES accepts: {_cells(pair.data, bad, 'geographic_level')}."
        )
    return None


def _level_columns(level: str) -> list[str]:
    return [c for c in GEOGRAPHY_LEVELS[level] if c is not None]


@check
def geog_level_present(pair: Pair) -> str | None:
    if not pair.has("geographic_level"):
        return None
    levels = [lv for lv in dict.fromkeys(pair.data["geographic_level"]) if lv in GEOGRAPHY_LEVELS]
    missing = {c: lv for lv in levels for c in _level_columns(lv) if c not in pair.data.columns}
    if missing:
        found = [f"{c} (for {lv} rows)" for c, lv in missing.items()]
        return f"geography columns missing from the data file: {', '.join(found)}."
    return None


@check
def geog_level_completed(pair: Pair) -> str | None:
    if not pair.has("geographic_level"):
        return None
    level = pair.data["geographic_level"]
    problems = []
    for name in dict.fromkeys(level):
        if name not in GEOGRAPHY_LEVELS or name == "Planning area":
            continue
        for column in _level_columns(name):
            if column not in pair.data.columns:
                continue
            blank = (level == name) & (pair.data[column].str.strip() == "")
            if blank.any():
                lines = [str(_line(i)) for i, hit in enumerate(blank.to_numpy()) if hit]
                problems.append(f"{column} on {name} rows (line {', '.join(lines[:EXAMPLES])})")
    if problems:
        return f"geography left blank where the row's level needs it: {'; '.join(problems)}."
    return None


@check
def geog_overcompleted_cols(pair: Pair) -> str | None:
    if not pair.has("geographic_level"):
        return None
    level = pair.data["geographic_level"]
    problems = []
    for name, may_fill in MAY_FILL.items():
        for column in _level_columns(name):
            if column not in pair.data.columns:
                continue
            # rows of an unknown level are geog_level's; here they would only repeat it
            higher = level.isin(GEOGRAPHY_LEVELS) & ~level.isin(may_fill)
            filled = higher & (pair.data[column].str.strip() != "")
            if filled.any():
                problems.append(f"{column} {_cells(pair.data, filled, column)}")
    if problems:
        return (
            f"geography filled on rows of a higher level, where it must be blank: "
            f"{'; '.join(problems)}."
        )
    return None


@check
def geog_code_format(pair: Pair) -> str | None:
    """The codes we publish are GSS codes (country E92, region E12, LA E06/E08/E09/E10, the
    DfE's 3-digit LA number), no longer than the API's 30 characters; a country's name is its
    code's."""
    problems = []
    for column, pattern in CODE_FORMATS.items():
        if not pair.has(column):
            continue
        values = pair.data[column]
        bad = (values != "") & ~values.str.fullmatch(pattern.pattern)
        bad |= values.str.len() > LOCATION_CODE_LIMIT
        if bad.any():
            problems.append(f"{column} {_cells(pair.data, bad, column)}")
    if pair.has("country_code", "country_name"):
        expected = pair.data["country_code"].map(COUNTRY_NAMES)
        bad = expected.notna() & (expected != pair.data["country_name"])
        if bad.any():
            problems.append(f"country_name {_cells(pair.data, bad, 'country_name')}")
    if problems:
        return f"geography codes that are not GSS codes of their kind: {'; '.join(problems)}."
    return None


@check
def api_char_location_names(pair: Pair) -> str | None:
    names = [GEOGRAPHY_LEVELS[lv][1] for lv in GEOGRAPHY_LEVELS]
    long = [v for c in names if pair.has(c) for v in pair.data[c].unique() if len(v) > ITEM_LIMIT]
    if long:
        return f"location names longer than {ITEM_LIMIT} characters: {_quote(long)}."
    return None


@check
def filter_ob_total(pair: Pair) -> str | None:
    """Totals belong in filters; a geography column holding 'Total' or 'All' is a sum dressed
    as a place (the region's row is a Regional row, not an LA called 'Total')."""
    units = [c for c in pair.data.columns if c in OBSERVATIONAL_UNITS and c not in TIME_COLUMNS]
    found = [c for c in units if pair.data[c].isin(TOTAL_WORDS).any()]
    if found:
        return f"'Total' or 'All' in geography columns (leave them blank): {_quote(found)}."
    return None


# Filters -----------------------------------------------------------------------------------


@check
def filter_blanks(pair: Pair) -> str | None:
    columns = [*pair.filters, *pair.filter_groups]
    blank = [c for c in columns if (pair.data[c].str.strip() == "").any()]
    if blank:
        return f"filter columns with blank cells (every cell needs a value): {_quote(blank)}."
    return None


@check
def filter_not_singular(pair: Pair) -> str | None:
    single = [c for c in pair.filters if pair.data[c].nunique() < 2]
    if single:
        return f"filters with fewer than two levels (drop them from the meta): {_quote(single)}."
    return None


@check
def filter_whitespace(pair: Pair) -> str | None:
    found = [v for c in pair.filters for v in pair.data[c].unique() if v != v.strip() and v.strip()]
    if found:
        return f"filter items with leading or trailing spaces: {_quote(found)}."
    return None


@check
def api_char_filter_items(pair: Pair) -> str | None:
    long = [v for c in pair.filters for v in pair.data[c].unique() if len(v) > ITEM_LIMIT]
    if long:
        return f"filter items longer than {ITEM_LIMIT} characters: {_quote(long)}."
    return None


# Rows and cells ----------------------------------------------------------------------------


@check
def general_dupes(pair: Pair) -> str | None:
    """One row per time, place and combination of filters (the screener leaves school,
    provider, institution and planning area rows out)."""
    keys = [c for c in pair.data.columns if c in OBSERVATIONAL_UNITS]
    keys += [c for c in [*pair.filters, *pair.filter_groups] if c not in keys]
    if not keys or not pair.has("geographic_level"):
        return None
    rows = pair.data[~pair.data["geographic_level"].isin((*_LOW, "Planning area"))]
    dupes = rows.duplicated(subset=keys, keep="first")
    if dupes.any():
        lines = [str(_line(pair.data.index.get_loc(i))) for i in rows.index[dupes]]
        first = rows.index[dupes][0]
        where = ", ".join(f"{c}='{rows.at[first, c]}'" for c in keys if rows.at[first, c])
        return (
            f"{int(dupes.sum())} duplicate row(s) over the time, geography and filter columns "
            f"(line {', '.join(lines[:EXAMPLES])}; {where})."
        )
    return None


@check
def general_null(pair: Pair) -> str | None:
    """Null words and obsolete symbols in any cell, data or metadata (the guide's symbols
    replace them)."""
    refused = NULL_WORDS | LEGACY_SYMBOLS
    problems = []
    for label, frame in (("data", pair.data), ("metadata", pair.meta)):
        for column in frame.columns:
            hits = frame[column].isin(refused)
            if hits.any():
                problems.append(f"{label} {column} {_cells(frame, hits, column)}")
    if problems:
        return (
            f"null or obsolete symbols (use c, x, z, low, k or u): "
            f"{'; '.join(problems[:EXAMPLES])}."
        )
    return None


@check
def ind_invalid_entry(pair: Pair) -> str | None:
    """Every indicator cell is a number or one of the guide's symbols; never blank."""
    problems = []
    for column in pair.indicators:
        values = pair.data[column]
        ok = values.isin(SYMBOLS) | values.apply(lambda v: NUMBER.fullmatch(v) is not None)
        if not ok.all():
            problems.append(f"{column} {_cells(pair.data, ~ok, column)}")
    if problems:
        return (
            f"indicator cells that are neither a number nor a symbol (c, x, z, low, k, u): "
            f"{'; '.join(problems[:EXAMPLES])}."
        )
    return None


# Entry points ------------------------------------------------------------------------------

Source = pd.DataFrame | str | Path | bytes


def _text_frame(source: Source) -> pd.DataFrame:
    """Every cell as the text in the file ('' for empty; 'NA' stays 'NA')."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).astype(object)
        frame = frame.where(frame.notna(), "").astype(str)
        frame.columns = [str(c) for c in frame.columns]
        return frame
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return pd.read_csv(source, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")


def screen(data: Source, meta: Source) -> list[ScreenFailure]:
    """Every rule the pair breaks (empty: EES would take it). ``data`` and ``meta`` are frames
    or CSV files (a path or their bytes), read as text so nothing is reinterpreted."""
    pair = Pair(_text_frame(data), _text_frame(meta))
    return [failure for rule in CHECKS for failure in rule(pair)]


def assert_screened(data: Source, meta: Source, name: str = "the data file") -> None:
    """Raise ScreeningFailed (one line: the first failure, then the names of the others)
    when the pair breaks any rule."""
    failures = screen(data, meta)
    if failures:
        raise ScreeningFailed(name, failures)
