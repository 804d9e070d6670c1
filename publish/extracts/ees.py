"""The DfE open-data (Explore Education Statistics, EES) layout: time and geography columns.

Time: EES gives monthly data a four-digit ``time_period`` (the calendar year) and the month's
name as ``time_identifier`` ("March"); the DfE data screener lists the months among the
four-digit identifiers, beside "Calendar year" and "Reporting year". So period 2025-03 is
``time_period`` 2025, ``time_identifier`` March. Geography: ``geographic_level`` "Regional" or
"Local authority", with country, region and LA codes and names (DfE 3-digit ``old_la_code``,
ONS ``new_la_code``); a regional row leaves the LA columns empty.
"""

from __future__ import annotations

from common.members import Member

COUNTRY_CODE = "E92000001"
COUNTRY_NAME = "England"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"
TIME_COLUMNS = ["time_period", "time_identifier"]
GEOGRAPHY_COLUMNS = [
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]
STANDARD_COLUMNS = TIME_COLUMNS + GEOGRAPHY_COLUMNS
# The columns of an EES metadata file (.meta.csv), in the standard's order: what the partner
# extract writes and the screener requires.
META_COLUMNS = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
)
# Spelled out, not calendar.month_name: that follows the machine's locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# What the standard columns mean, for the data dictionary that travels with every extract.
STANDARD_DESCRIPTIONS = {
    "time_period": "Calendar year of the month (EES monthly convention: YYYY).",
    "time_identifier": "Month the figures are for (snapshot at the month's last day).",
    "geographic_level": "Regional (the MoC region) or Local authority (a member council).",
    "country_code": "ONS country code.",
    "country_name": "Country name.",
    "region_code": "ONS region code.",
    "region_name": "Region name.",
    "old_la_code": "DfE 3-digit local authority code; empty on the regional row.",
    "new_la_code": "ONS (GSS) local authority code; empty on the regional row.",
    "la_name": "Local authority name; empty on the regional row.",
}


def time_columns(period: str) -> list[str]:
    """'2025-03' -> ['2025', 'March']."""
    year, month = period.split("-")
    return [year, MONTHS[int(month) - 1]]


def month_label(period: str) -> str:
    """'2025-03' -> 'March 2025': a month in words (footnotes, About sheets)."""
    return " ".join(reversed(time_columns(period)))


def region_geography(member: Member) -> list[str]:
    return [
        REGIONAL,
        COUNTRY_CODE,
        COUNTRY_NAME,
        member.region_code,
        member.region_name,
        "",
        "",
        "",
    ]


def council_geography(member: Member) -> list[str]:
    return [
        LOCAL_AUTHORITY,
        COUNTRY_CODE,
        COUNTRY_NAME,
        member.region_code,
        member.region_name,
        member.council_code,
        member.ons_code,
        member.council_name,
    ]
