"""One suppression pattern for everything published, month after month (issue 14).

Suppressing each file on its own did not hold across files: the 12-month leavers minus eleven
published months, two consecutive 12-month figures (L12(m) - L12(m-1) = leavers(m) -
leavers(m-12)), or two partners' files of one month suppressed over different council sets gave
back cells published as ``c``. So every cell (council or region x indicator x month) gets one
status, decided once, and every file shows that status (or leaves the row out):

* the panel: every month in the marts up to the month published, council and regional cells,
  with every equation a reader can assemble: region = sum of the councils (each month, each
  count), a council's 12-month leavers = the sum of its 12 monthly leavers (so differences of
  consecutive 12-month figures too), and rates with the counts they are computed from;
* the views: each audience's knowledge over every month: a partner sees the region and the
  councils sharing with it on each month's last day (register), a council's pack sees the region
  and the council; no view, and not all views side by side, may pin a ``c`` cell or a cell of a
  council an audience does not receive;
* month by month, oldest first, earlier months fixed: a month's cells are decided when it is
  first published, and later months only add suppressions of their own cells, so what was
  published is never contradicted. The decisions are recomputed from the marts on every run
  (deterministic: the same marts give the same decisions), not read back from old manifests.

See docs/disclosure.md for the rules and what is still open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from common.members import Member
from common.periods import month_range, period_end, window_periods
from common.rounding import CONFIDENTIAL
from publish.disclosure import (
    KNOWN,
    NO_EQUATION,
    SECONDARY,
    AdditiveGroup,
    Cell,
    Disclosure,
    Key,
    published_text,
    suppress,
)
from publish.extracts.indicators import PARTNER_INDICATORS
from publish.extracts.partner import REGION_ROW, partner_cells
from publish.extracts.register import Agreement, Partner, councils_sharing_with

LEAVERS, LEAVERS_12 = "leavers_fte", "leavers_12_months_fte"
NAMES = tuple(i.name for i in PARTNER_INDICATORS)


@dataclass(frozen=True)
class Audience:
    """Who receives files, which councils' rows it sees each month, and which regional row:
    a pack's region sums every member with a return (REGION_ROW); a partner's sums only the
    councils sharing with it (its own row, partner_region_row), or is withheld (x, no
    equation) with fewer than ``region_minimum`` of them."""

    name: str
    councils: Callable[[str], set[str]]  # period -> council codes whose rows it receives
    region_row: str = REGION_ROW
    region_minimum: int = 1


def partner_region_row(partner_code: str) -> str:
    """The panel row of a partner's own regional figure (over the councils sharing with it)."""
    return f"{REGION_ROW}:{partner_code}"


def panel_key(period: str, row: str, indicator: str) -> Key:
    return (f"{period}:{row}", indicator)


def _row(key: Key) -> str:
    """The table row of a panel key: a council code, REGION_ROW or a partner's region row."""
    return key[0].split(":", 1)[1]


def audiences(
    partners: Iterable[Partner],
    agreements: tuple[Agreement, ...],
    councils: Iterable[Member],
    min_councils_for_region: int = 1,
) -> list[Audience]:
    """Every partner with a DfE-layout extract (its region over the councils sharing with it,
    withheld below ``min_councils_for_region``), and every council's pack."""
    result = []
    for who in sorted(partners, key=lambda p: p.partner_code):
        if who.extract != "partner":
            continue  # the members' benchmark stays inside the MoC: not suppressed

        def sharing(period: str, code=who.partner_code) -> set[str]:
            return councils_sharing_with(code, period_end(period), agreements)

        result.append(
            Audience(
                f"partner:{who.partner_code}",
                sharing,
                partner_region_row(who.partner_code),
                min_councils_for_region,
            )
        )
    for code in sorted({m.council_code for m in councils}):
        result.append(Audience(f"pack:{code}", lambda period, code=code: {code}))
    return result


@dataclass
class Decisions:
    """The published text of every cell of the panel, and the suppression reasons."""

    periods: list[str]
    members: dict[str, tuple[Member, ...]]
    published: dict[Key, str] = field(default_factory=dict)
    reasons: dict[Key, str] = field(default_factory=dict)
    groups: list[AdditiveGroup] = field(default_factory=list)
    views: dict[str, set[Key]] = field(default_factory=dict)
    status: dict[Key, str] = field(default_factory=dict)  # internal: figure/c/x/z/u/low
    cells: dict[Key, Cell] = field(default_factory=dict)
    revised: list[str] = field(default_factory=list)  # stored months whose figures changed

    def figure(self, period: str, row: str, indicator: str) -> str:
        return self.published[panel_key(period, row, indicator)]

    def month(self, period: str, region_row: str = REGION_ROW) -> Disclosure:
        """The month's cells keyed as a partner table is, (row, indicator), with ``region_row``
        (a partner's own region, or the members' REGION_ROW for a pack) as its REGION_ROW."""
        prefix = f"{period}:"

        def local(row: str) -> str | None:
            if not row.startswith(prefix):
                return None
            row = row.removeprefix(prefix)
            if row == region_row:
                return REGION_ROW
            return None if row.startswith(REGION_ROW) else row  # another audience's region

        published, reasons = {}, {}
        for (row, name), text in self.published.items():
            if (mine := local(row)) is not None:
                published[(mine, name)] = text
        for (row, name), reason in self.reasons.items():
            if (mine := local(row)) is not None:
                reasons[(mine, name)] = reason
        return Disclosure(published=published, reasons=reasons)


def decide(
    council_months: pd.DataFrame,
    period: str,
    members_on_month: Callable[[str], tuple[Member, ...]],
    audiences: list[Audience],
    threshold: float,
    stored: Stored | None = None,
) -> Decisions:
    """Decide every month of the marts up to ``period``, oldest first, earlier months fixed.

    ``stored``: the decisions of earlier publications (publish/extracts/decision_store.py). A
    month whose every cell is as it was when stored keeps its stored statuses without being
    decided again (the cost of a publication is then the new month's, not the history's). A
    month a late or revised return changed is decided again (``_from_store``): the cells it
    published as ``c`` stay ``c``, unchanged figures keep their status, and a figure the
    revision hides takes its totals with it (``_exposed_totals``)."""
    first = min(council_months["period"]) if len(council_months) else period
    periods = month_range(min(first, period), period)
    decisions = Decisions(periods, {})
    cells: dict[Key, Cell] = {}
    status: dict[Key, str] = {}
    views: dict[str, set[Key]] = {a.name: set() for a in audiences}
    offenders: set[Key] = set()  # published once, c after a revision (see below)
    for month in periods:
        before = set(cells)
        members = tuple(sorted(members_on_month(month), key=lambda m: m.council_name))
        decisions.members[month] = members
        if not members:
            continue
        codes = {m.council_code for m in members}
        rows = council_months[council_months["period"] == month]
        month_cells, month_groups = partner_cells(rows, members, codes)
        rename = {key: panel_key(month, *key) for key in month_cells}
        for key, cell in month_cells.items():
            new = rename[key]
            inputs = tuple(rename[k] for k in cell.inputs)
            cells[new] = Cell(
                new, cell.value, cell.support, cell.kind, cell.flag, cell.places, inputs
            )
        groups = [(rename[t], [rename[k] for k in m]) for t, m in month_groups]
        groups += _window_groups(month, codes, cells)
        for audience in audiences:
            if audience.region_row != REGION_ROW:
                groups += _audience_region(month, rows, members, codes, audience, cells)
        decisions.groups += groups
        for audience in audiences:
            seen = (audience.councils(month) & codes) | {audience.region_row}
            views[audience.name] |= {panel_key(month, row, n) for row in seen for n in NAMES}
        new = [k for k in cells if k not in before]
        kept, earlier = _from_store(stored, cells, new)
        if kept is not None:
            status.update(kept)
            decisions.reasons.update({k: stored.reasons[k] for k in new if k in stored.reasons})
            continue
        if earlier:
            decisions.revised.append(month)
        regional = frozenset(k for k in cells if _row(k).startswith(REGION_ROW))
        fixed = {**status, **earlier}
        while True:
            result = suppress(
                cells, decisions.groups, threshold, views.values(), fixed, aggregates=regional
            )
            # A cell a reader saw as a figure, now c: with the old file beside the new one,
            # the change in a total whose other members did not change gives it away. Its
            # totals (this month's and later 12-month windows) are hidden too.
            offenders |= {
                k
                for k in new
                if stored is not None
                and stored.status.get(k) in KNOWN
                and result.status[k] == CONFIDENTIAL
            }
            exposed = _exposed_totals(decisions.groups, offenders, set(new), result.status)
            if not exposed:
                break
            fixed = {**fixed, **dict.fromkeys(exposed, CONFIDENTIAL)}
        status = dict(result.status)
        for key, reason in result.reasons.items():
            decisions.reasons.setdefault(key, reason)
    decisions.views, decisions.status, decisions.cells = views, status, cells
    decisions.published = {k: published_text(cells[k], status[k]) for k in sorted(cells)}
    return decisions


@dataclass(frozen=True)
class Stored:
    """Earlier publications' decisions: each cell's status, reason (``c`` cells) and the
    fingerprint of the cell it was decided on (publish/extracts/decision_store.py)."""

    status: dict[Key, str]
    reasons: dict[Key, str]
    fingerprints: dict[Key, str]


def fingerprint(cell: Cell) -> str:
    """What a decision rests on: the cell's value, support, kind, flag, places and inputs."""
    return repr((cell.value, cell.support, cell.kind, cell.flag, cell.places, cell.inputs))


def _from_store(
    stored: Stored | None, cells: dict[Key, Cell], new: list[Key]
) -> tuple[dict[Key, str] | None, dict[Key, str]]:
    """(every status of a month's ``new`` cells, when each is stored for the same cell, and
    {}; else None and what an earlier publication fixes when the month is decided again:
    a cell it hid stays ``c`` (while it has a value), and a cell it showed that has not changed
    keeps its status, because a reader holds its figure from the earlier file and it can
    protect nothing now)."""
    if stored is None or not new:
        return None, {}
    if all(stored.fingerprints.get(k) == fingerprint(cells[k]) for k in new):
        return {k: stored.status[k] for k in new}, {}
    earlier = {}
    for k in new:
        was = stored.status.get(k)
        if was == CONFIDENTIAL and cells[k].value is not None:
            earlier[k] = CONFIDENTIAL
        elif was in KNOWN and stored.fingerprints.get(k) == fingerprint(cells[k]):
            earlier[k] = was
    return None, earlier


def _exposed_totals(
    groups: list[AdditiveGroup], offenders: set[Key], month: set[Key], status: dict[Key, str]
) -> set[Key]:
    """This month's totals still shown over a cell in ``offenders``."""
    return {
        total
        for total, members in groups
        if total in month
        and status[total] != CONFIDENTIAL
        and status[total] not in NO_EQUATION
        and any(m in offenders for m in members)
    }


def _audience_region(
    month: str,
    rows: pd.DataFrame,
    members: tuple[Member, ...],
    codes: set[str],
    audience: Audience,
    cells: dict[Key, Cell],
) -> list[AdditiveGroup]:
    """A partner's own regional row for the month (the councils sharing with it, summed as
    partner.partner_cells sums them) added to the panel, and its equations: another total
    over the same council cells, so its files and every other file are decided together."""
    sharing = audience.councils(month) & codes
    withheld = len(sharing) < audience.region_minimum
    own_cells, own_groups = partner_cells(rows, members, sharing, sharing, withheld)

    def renamed(key: Key) -> Key:
        row, name = key
        return panel_key(month, audience.region_row if row == REGION_ROW else row, name)

    for key, cell in own_cells.items():
        if key[0] != REGION_ROW:
            continue  # the council cells are the panel's own
        new = renamed(key)
        inputs = tuple(renamed(k) for k in cell.inputs)
        cells[new] = Cell(new, cell.value, cell.support, cell.kind, cell.flag, cell.places, inputs)
    return [(renamed(total), [renamed(k) for k in parts]) for total, parts in own_groups]


def _window_groups(month: str, codes: set[str], cells: dict[Key, Cell]) -> list[AdditiveGroup]:
    """A council's 12-month leavers = the sum of its 12 monthly leavers. A month of the window
    outside the panel (before the marts or before the council was covered) is a cell nobody
    receives: unknown to every reader, but still in the equation."""
    groups = []
    for code in sorted(codes):
        total = panel_key(month, code, LEAVERS_12)
        if cells[total].value is None:
            continue  # x: no equation
        members = []
        for earlier in window_periods(month):
            key = panel_key(earlier, code, LEAVERS)
            if key not in cells:
                cells[key] = Cell(key, None, None, flag=CONFIDENTIAL)
            members.append(key)
        groups.append((total, members))
    return groups


def decide_agency_month(
    cells: dict[Key, Cell], groups: list[AdditiveGroup], threshold: float
) -> Disclosure:
    """A month of the packs' agency figures (publish.extracts.packs.agency_cells): cells keyed
    (row, indicator), a row per member council and REGION_ROW; ``groups``: each additive
    indicator's region = sum of the councils. These cells are outside the panel above: no
    other file publishes agency figures, and no equation ties them to another month or to a
    workforce cell (a month's assignments are a stock; no 12-month sum is published), so each
    month is decided on its own, the same in every pack and every publication.

    The rule (docs/disclosure.md): a council's figure rests on its own support only (primary:
    fewer than ``threshold`` assignments is ``c``; a zero resting on none is 0), so its board
    sees its own figures whatever its neighbours'; a regional total is ``c`` whenever any
    council in it is. Each total is then the only equation over its councils, and holds
    either no unknown or the total itself among its unknowns, so no council's figure, nor any
    sum of them (a small group), can be worked out, whatever files are put side by side.
    A median is in no equation: published on its support alone."""
    primary = suppress(cells, (), threshold)
    status = dict(primary.status or {})
    reasons = dict(primary.reasons)
    for total, members in sorted(groups):
        if status[total] != CONFIDENTIAL and any(status[m] == CONFIDENTIAL for m in members):
            status[total] = CONFIDENTIAL
            reasons[total] = SECONDARY
    # every status fixed: suppress only writes the texts, and its audit finds nothing to pin
    decided = suppress(cells, groups, threshold, fixed=status)
    return Disclosure(decided.published, dict(sorted(reasons.items())), decided.status)
