"""Work out whose file it is, which month it covers and what it holds, or say why we cannot."""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.members import (
    Member,
    load_members,
    member_for_folder,
    members_by_code,
    members_named_in,
)
from common.periods import PlausibleWindow, format_period
from ingest.bucket import FEEDBACK_FOLDER, DroppedFile, in_feedback_folder
from ingest.return_contract import RETURN_TABLES

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
CENSUS_SUFFIXES = (".xml",)
CENSUS_RETURN = "census"  # the DfE CSWW census XML: workforce and census_la tables

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_NUMERIC_PERIOD = re.compile(r"(?<!\d)(20\d{2})[-_ .]?(0[1-9]|1[0-2])(?!\d)")
# A day after the month ('2025-10-15'): a date, which says a month only when nothing else does.
_DAY_AFTER = re.compile(r"[-_ .]\d{1,2}(?!\d)")
# A date the name says the file was sent or made on ('... (submitted 2025-10-15).xml'): when it
# was sent, never the month it describes, so it is taken out before the month is looked for.
_SUBMISSION_DATE = re.compile(
    r"(?<![a-z])(?:re-?)?(?:submitted|sent|received|uploaded|exported|extracted|created|saved"
    r"|updated|amended|produced|generated|run)(?:[\s_-]+on)?[\s:_-]*"
    r"(?:\d{4}[-_./]\d{1,2}[-_./]\d{1,2}|\d{1,2}[-_./]\d{1,2}[-_./]\d{2,4})",
    re.IGNORECASE,
)
# A month's name or its abbreviation as a whole word ("Mar", "March", "Sept"), not any word that
# starts like one ("market", "decision").
_MONTH_WORD = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_NAMED_PERIOD = re.compile(
    rf"(?<![a-z])({_MONTH_WORD})(?![a-z])[-_ .]*(20\d{{2}})(?!\d)",
    re.IGNORECASE,
)


class IdentificationError(ValueError):
    """The file cannot be placed; the message tells the council officer what to do."""


@dataclass(frozen=True)
class Identity:
    member: Member
    period: str | None  # YYYY-MM; None for a census XML until its header is read
    file_format: str  # "csv" | "workbook" | "census_xml"
    return_type: str  # a table name for a CSV, "workbook" for Excel, "census" for census XML


def period_from_name(name: str) -> str | None:
    """The month a file name gives: 'YYYY-MM' (or 'YYYY_MM', 'YYYYMM'), else a month's name and
    year, else the month of a full date in it. A date it says it was submitted, sent or made on
    is never the month."""
    name = _SUBMISSION_DATE.sub(" ", name)
    dates = []
    for match in _NUMERIC_PERIOD.finditer(name):
        period = format_period(int(match.group(1)), int(match.group(2)))
        if not _DAY_AFTER.match(name, match.end()):
            return period
        dates.append(period)
    match = _NAMED_PERIOD.search(name)
    if match:
        return format_period(int(match.group(2)), _MONTHS[match.group(1).lower()[:3]])
    return dates[0] if dates else None


def table_from_name(name: str) -> str | None:
    lowered = name.lower()
    found = [table for table in RETURN_TABLES if table in lowered]
    return found[0] if len(found) == 1 else None


def check_period_in_window(period: str, window: PlausibleWindow, said_by: str) -> None:
    """A return's month must be one we can take (the plausible-period window): a month
    outside it is almost always a typing slip (2099 for 2025, 2001 for 2021), and would break
    the marts' calendar and be published as the latest month. ``said_by`` is what gave the
    month ("The file name"), so the officer knows what to correct."""
    if period in window:
        return
    raise IdentificationError(
        f"{said_by} says the return is for {period}, which is outside the months we accept "
        f"returns for ({window}: from the DfE's first workforce collection to next month). "
        "Check the month: it is probably a typing slip. Correct it to the month the return "
        "describes (YYYY-MM) and send the file again."
    )


def identify(dropped: DroppedFile, window: PlausibleWindow) -> Identity:
    """Whose file it is (its folder), which month (its name, within ``window``) and what it
    holds (its name and type); IdentificationError with what to do when we cannot tell."""
    if dropped.folder is None:
        raise IdentificationError(
            f"'{dropped.name}' was dropped at the top of the bucket. Move it into your "
            "council's own folder so we know whose return it is."
        )
    member = _folder_member(dropped)
    _check_name_intended(dropped, member)
    name = dropped.name
    lowered = name.lower()
    if lowered.endswith(WORKBOOK_SUFFIXES):
        file_format, return_type = "workbook", "workbook"
    elif lowered.endswith(CENSUS_SUFFIXES):
        # The census header holds the reference date; a month in the name is only checked.
        period = period_from_name(name)
        if period is not None:
            check_period_in_window(period, window, "The file name")
        return Identity(member, period, "census_xml", CENSUS_RETURN)
    elif lowered.endswith(CSV_SUFFIXES):
        file_format = "csv"
        table = table_from_name(name)
        if table is None:
            raise IdentificationError(
                f"Cannot tell which table '{name}' holds. Put the table name in the file name, "
                f"e.g. '{member.council_slug}_2025-03_establishment.csv' "
                f"(tables: {', '.join(RETURN_TABLES)})."
            )
        return_type = table
    else:
        raise IdentificationError(
            f"'{name}' is not a file type we accept. Send an Excel workbook (.xlsx), CSV files, "
            "or the DfE census XML."
        )
    period = period_from_name(name)
    if period is None:
        raise IdentificationError(
            f"Cannot tell which month '{name}' covers. Put the month in the file name as "
            "YYYY-MM, e.g. '2025-03'."
        )
    check_period_in_window(period, window, "The file name")
    return Identity(member=member, period=period, file_format=file_format, return_type=return_type)


def _folder_member(dropped: DroppedFile) -> Member:
    """The member council whose folder the file is in, however the folder's name is typed."""
    member = member_for_folder(dropped.folder)
    if member is not None:
        return member
    if in_feedback_folder(dropped.relative_path):
        raise IdentificationError(
            f"'{dropped.name}' was dropped in the '{FEEDBACK_FOLDER}' folder, where we write our "
            "replies; files there are not read as returns. Move it into your council's own "
            "folder."
        )
    slugs = sorted(m.council_slug for m in load_members())
    raise IdentificationError(
        f"Folder '{dropped.folder}' is not a member council of the MoC data share. "
        f"Member folders are: {', '.join(slugs)}."
    )


def _check_name_intended(dropped: DroppedFile, member: Member) -> None:
    """A file read as a return must have been meant as one, for this council: not in a
    feedback folder, not a hidden name, not naming another member council."""
    name = dropped.name
    if in_feedback_folder(dropped.relative_path):
        raise IdentificationError(
            f"'{name}' was dropped in your '{FEEDBACK_FOLDER}' folder, where we write our "
            "replies; files there are not read as returns. Move it into your council's own "
            f"folder ('{member.council_slug}/') to send it."
        )
    if name.startswith("."):
        raise IdentificationError(
            f"'{name}' starts with a dot, which hides a file on most computers, so it may not "
            "have been meant for us. If it is your return, rename it without the leading "
            f"dot(s), e.g. '{member.council_slug}_2025-03_return.xlsx', and send it again."
        )
    others = [m for m in members_named_in(name) if m != member]
    if others:
        named = ", ".join(m.council_name for m in others)
        raise IdentificationError(
            f"The file name '{name}' names {named}, but it was dropped in "
            f"{member.council_name}'s folder. A council can only send its own return: if this "
            f"is {named}'s return, it belongs in their folder; if it is yours, rename it."
        )


def check_declarations(
    identity: Identity, codes: set[str], periods: set[str], window: PlausibleWindow
) -> None:
    """What a file says about itself must agree with where it was dropped and its name, and
    any month it states must be in the plausible-period window.

    A council must never be able to write another council's data, so a file whose LA code
    is not the folder's council is rejected, whoever it claims to be for.
    """
    member = identity.member
    for code in sorted(codes - {member.council_code}):
        claimed = members_by_code().get(code)
        who = f"{claimed.council_name} ({code})" if claimed else f"'{code}', not a member council"
        raise IdentificationError(
            f"This file gives its LA code as {who}, but it was dropped in "
            f"{member.council_name}'s folder ({member.council_code}). A council can only send "
            "its own return: correct the LA code, or drop the file in the right folder."
        )
    for period in sorted(periods - {identity.period}) if identity.period else []:
        outside = "" if period in window else f", outside the months we accept ({window})"
        raise IdentificationError(
            f"The file name says the return is for {identity.period}, but the file itself "
            f"says {period}{outside}. Correct one of them and send the file again."
        )
    for period in sorted(periods):  # a file without a month in its name (a census XML)
        check_period_in_window(period, window, "The file itself")
