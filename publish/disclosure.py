"""Disclosure control for extracts that leave the MoC: primary and secondary suppression.

A table is a set of cells keyed by (row, column). Counts (FTE, headcounts) are additive; rates are
derived from counts. Every figure carries its *support*: the number of workers it rests on.

Rules, applied until nothing changes (a fixed point):

1. Primary. A figure whose support is below the threshold (default 5 workers), or that the caller
   withholds (input flag ``c``, e.g. a council with no data-sharing agreement for this partner),
   is published as ``c``. Other symbols: ``z`` not applicable (input flag, e.g. a zero
   denominator), ``x`` missing, ``u`` low reliability (input flag), ``low`` rounds to zero but is
   not zero. ``c`` wins over ``u`` and ``low``: both still say something about a small group.
2. Secondary, additive groups. A group is ``total = sum(members)``. An equation with exactly one
   unknown gives that unknown away, so in every group the number of ``c`` cells (total and
   members together) must be 0 or at least 2. When it is 1, suppress one more: the published
   member with the smallest absolute value (then support, then key), so as little as possible is
   lost; if no member is published as a figure, the total; failing that, a ``low`` or ``u``
   member. A cell suppressed in one group may leave another group with one unknown, hence the
   fixed point.
2b. Bounds. Counts are never negative, so with a group's total published its ``c`` members lie
   between 0 and their sum. That sum must be at least the protection of each primary member
   (``protection``: what ``threshold`` workers like it would make); when it is not, one more
   member is suppressed (``_widen_groups``).
2c. Bounds across groups. Groups overlap (a council in the members' region and in partners'
   regions over other councils, a month in twelve 12-month windows), so the equations together
   can bound a primary cell more narrowly than any one group does. ``bound_intervals`` solves
   the exact interval (a linear programme per independent block, HiGHS, as a reader would);
   a primary cell narrower than its protection gets one more figure of a group it is in
   suppressed (``_widen_across_groups``), to a fixed point.
3. Derived, rates. A rate lists the count cells it is computed from (``inputs``). If any input is
   ``c``, the rate is ``c``: a published rate and the other inputs would give the input back
   (v = r * p / (1 - r) for a vacancy rate). If the rate is ``c`` and every input is published,
   the rate could be recomputed, so the smallest input is suppressed too. A ``z`` rate whose
   inputs are suppressed becomes ``c``: "zero denominator" would say the inputs are zero.
4. Audit. Groups can overlap (column totals and row totals): each group may then have two
   unknowns while together they still pin a cell (a suppressed cell on a "bridge" between two
   cycles of suppressed cells). ``recoverable_cells`` solves the published equations exactly
   (rational Gaussian elimination); any cell it pins gets the totals of its groups suppressed,
   then rules 2-3 run again. Suppressing totals loses the most useful figures, so it is only the
   last resort; with column totals alone (the DfE layout) the groups do not overlap and the audit
   never fires.

Conservative modelling: every published figure is taken as exact (it is rounded in truth), and
``u`` and ``low`` cells count as known (``low`` is within 0.05 of zero; a ``u`` value may be
published elsewhere), so neither ever protects a ``c``. ``x`` members contribute nothing to a
total (regional totals leave missing councils out) and a total that is ``x`` or ``z`` gives no
equation.

Known open inferences, not closed here: per-cell reasons
(primary or secondary) must stay internal: a partner who knew which ``c`` were primary would know
those rest on fewer than the threshold. Publish ``Disclosure.reason_counts()`` instead.

Deterministic: cells, groups and candidates are processed in sorted key order, so the input order
never changes the output.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from common.rounding import (
    CONFIDENTIAL,
    LOW,
    LOW_RELIABILITY,
    NOT_APPLICABLE,
    UNAVAILABLE,
    publish_figure,
    rounds_to_zero,
)
from common.settings import DEFAULT_DISCLOSURE_THRESHOLD

Key = tuple[str, str]  # (row, column), e.g. ("881", "vacancy_fte")
AdditiveGroup = tuple[Key, Sequence[Key]]  # (total, members): total = sum of members

PRIMARY = "primary"
SECONDARY = "secondary"
DERIVED = "derived"

INPUT_FLAGS = frozenset({CONFIDENTIAL, UNAVAILABLE, NOT_APPLICABLE, LOW_RELIABILITY})
FIGURE = "figure"  # internal status: published as a rounded number
KNOWN = frozenset({FIGURE, LOW, LOW_RELIABILITY})  # statuses an intruder is taken to know
NO_EQUATION = frozenset({UNAVAILABLE, NOT_APPLICABLE})  # a total like this publishes nothing


@dataclass(frozen=True)
class Cell:
    key: Key
    value: float | None
    support: float | None  # workers the figure rests on; required whenever there is a value
    kind: Literal["count", "rate"] = "count"
    flag: str | None = None  # caller's verdict: "u", "z", "x" or "c" (withheld)
    places: int = 1  # FTE, rates, caseloads 1; headcounts 0
    inputs: tuple[Key, ...] = ()  # rates: the count cells the rate is computed from


@dataclass(frozen=True)
class Disclosure:
    published: dict[Key, str]  # the text to publish for every cell
    reasons: dict[Key, str]  # every "c" cell: primary, secondary or derived (internal only)
    status: dict[Key, str] | None = None  # figure/c/x/z/u/low: fixed for later publications

    def reason_counts(self) -> dict[str, int]:
        """How many cells each rule suppressed: safe to put in a partner's manifest."""
        counts = dict.fromkeys((PRIMARY, SECONDARY, DERIVED), 0)
        for reason in self.reasons.values():
            counts[reason] += 1
        return counts


def column_total_groups(
    member_rows: Iterable[str], total_row: str, columns: Iterable[str]
) -> list[AdditiveGroup]:
    """Each column's total row (e.g. the region) is the sum of the member rows (the councils)."""
    rows = sorted(member_rows)
    return [((total_row, column), [(row, column) for row in rows]) for column in sorted(columns)]


def row_total_groups(
    rows: Iterable[str], total_column: str, member_columns: Iterable[str]
) -> list[AdditiveGroup]:
    """Each row's total column is the sum of its member columns (e.g. establishment)."""
    columns = sorted(member_columns)
    return [((row, total_column), [(row, column) for column in columns]) for row in sorted(rows)]


def is_true_zero(cell: Cell) -> bool:
    """A count of nothing resting on nobody (0 leavers, 0 workers): rule 0 publishes it."""
    return cell.kind == "count" and cell.value == 0 and cell.support == 0


def suppress(
    cells: Mapping[Key, Cell] | Iterable[Cell],
    additive_groups: Iterable[AdditiveGroup] = (),
    threshold: float = DEFAULT_DISCLOSURE_THRESHOLD,
    views: Iterable[Iterable[Key]] | None = None,
    fixed: Mapping[Key, str] | None = None,
    aggregates: frozenset[Key] = frozenset(),
) -> Disclosure:
    """Apply primary, secondary and derived suppression; return the text of every cell.

    ``views``: what each audience sees (the cells of the files it receives, over every month);
    a cell outside a view is an unknown to that audience whatever its status, and no view, nor
    all views together, may pin one. None: a single view of every cell (one table).
    ``fixed``: the status (``c``, ``x``, ``z``, ``u``, ``low`` or ``figure``) of cells already
    published: kept as they are; only the other cells are suppressed to protect them.
    ``aggregates``: totals (regional rows) that a file publishes to some audience. An audience
    that does not receive one but can work it out from cells it sees learns nothing those cells
    do not already tell it, so an aggregate a file publishes is protected only where its own
    status is ``c``; every other cell outside a view is protected wherever it is pinned.
    """
    by_key = _index(cells)
    groups = _checked_groups(additive_groups, by_key)
    rates = [by_key[key] for key in sorted(by_key) if by_key[key].kind == "rate"]
    for rate in rates:
        _check_keys(rate.inputs, by_key, f"inputs of rate {rate.key}")
    fixed = dict(fixed or {})
    _check_keys(fixed, by_key, "fixed statuses")

    status = {
        key: fixed.get(key) or _primary_status(by_key[key], threshold) for key in sorted(by_key)
    }
    reasons = {key: PRIMARY for key, s in status.items() if s == CONFIDENTIAL and key not in fixed}
    mutable = frozenset(by_key) - frozenset(fixed)
    if views is None:
        audiences = [frozenset(by_key)]
    else:
        audiences = [frozenset(v) for v in views]
        audiences = [frozenset().union(*audiences), *audiences]  # all files side by side first
    seen = [_View(status, view, aggregates) for view in audiences]
    unfixable: set[tuple[int, Key]] = set()
    bounds: dict = {}  # rule 2c's findings during the run (_widen_across_groups)

    def mark(key: Key, reason: str) -> None:
        status[key] = CONFIDENTIAL
        reasons[key] = reason

    # A group none of whose cells may change was settled when its cells were published: it
    # cannot leave a lone unknown that this run could hide. It still takes part in the audit.
    open_groups = [(t, m) for t, m in groups if t in mutable or any(k in mutable for k in m)]
    while True:
        if any(_close_groups(open_groups, s, by_key, mark, mutable & s.view) for s in seen):
            continue
        if _close_rates(rates, status, by_key, mark, mutable):
            continue
        if _widen_groups(open_groups, seen[0], by_key, mark, mutable, threshold):
            continue
        if _widen_across_groups(groups, seen[0], by_key, mark, mutable, threshold, bounds):
            continue
        changed = False
        for i, view in enumerate(seen):
            pinned = recoverable_cells(view, groups, touching=mutable)
            pinned -= {k for j, k in unfixable if j == i}
            pinned = {k for k in pinned if view.protects(k)}
            if not pinned:
                continue
            if _suppress_around(pinned, groups, view, by_key, mark, mutable):
                changed = True
                break
            # pinned by earlier publications alone: nothing left to hide; audit the other views
            unfixable |= {(i, k) for k in pinned}
        if not changed:
            break  # fixed point (or nothing left that could be suppressed)

    published = {key: published_text(by_key[key], status[key]) for key in sorted(by_key)}
    return Disclosure(
        published=published,
        reasons=dict(sorted(reasons.items())),
        status=dict(sorted(status.items())),
    )


def published_text(cell: Cell, status: str) -> str:
    """What a file shows for ``cell`` with ``status``: its rounded figure, or the symbol."""
    return publish_figure(cell.value, cell.places) if status == FIGURE else status


class _View(Mapping):
    """An audience's knowledge: the live status of the cells it sees; ``c`` for the others."""

    def __init__(self, status: dict[Key, str], view: frozenset[Key], aggregates: frozenset[Key]):
        self.status, self.view, self.aggregates = status, view, aggregates

    def protects(self, key: Key) -> bool:
        """Whether working ``key`` out would give this audience something away: not so for an
        aggregate another file publishes (a sum of cells, see suppress)."""
        return key in self.view or key not in self.aggregates or self.status[key] == CONFIDENTIAL

    def __getitem__(self, key: Key) -> str:
        return self.status[key] if key in self.view else CONFIDENTIAL

    def __iter__(self):
        return iter(self.status)

    def __len__(self) -> int:
        return len(self.status)


def recoverable_cells(
    published: Mapping[Key, str],
    additive_groups: Iterable[AdditiveGroup],
    touching: frozenset[Key] | None = None,
) -> set[Key]:
    """The ``c`` cells whose exact value the groups' equations pin, given every other cell.

    Each group with a total that is not ``x``/``z`` is an equation over its ``c`` cells; a cell is
    pinned when its unit vector lies in the row space of those equations, i.e. when some pivot
    row of the reduced row echelon form has no other non-zero entry.

    ``touching``: solve only the independent blocks holding an equation from a group with one of
    these cells. suppress() passes the cells it may still change: a block made only of groups
    whose every cell is fixed was solved when those cells were published, its equations and
    unknowns are unchanged since, and nothing in it can be changed now, so solving it again
    would only repeat that answer.
    """
    groups = [(total, list(members)) for total, members in additive_groups]
    unknowns = sorted(
        {k for total, members in groups for k in (total, *members) if published[k] == CONFIDENTIAL}
    )
    column = {key: i for i, key in enumerate(unknowns)}
    equations = []
    for total, members in groups:
        if published[total] in NO_EQUATION:
            continue
        row: dict[int, int] = {}
        if published[total] == CONFIDENTIAL:
            row[column[total]] = 1
        for member in members:
            if published[member] == CONFIDENTIAL:
                row[column[member]] = row.get(column[member], 0) - 1
        if any(row.values()):
            live = touching is None or total in touching or any(m in touching for m in members)
            equations.append((row, live))
    pinned: set[Key] = set()
    for part in _independent([row for row, _ in equations]):  # each block on its own
        if not any(equations[i][1] for i in part):
            continue
        rows = [equations[i][0] for i in part]
        pinned |= {unknowns[pivot] for pivot, row in _reduced_rows(rows) if _is_unit(row)}
    return pinned


def bound_intervals(
    published: Mapping[Key, str],
    additive_groups: Iterable[AdditiveGroup],
    cells: Mapping[Key, Cell],
    touching: frozenset[Key] | None = None,
) -> dict[Key, tuple[float, float]]:
    """The least and greatest value of every ``c`` cell with a value, in a group, that the
    published figures, the equations and non-negativity allow (a linear programme per
    independent block, HiGHS): what a reader holding ``published`` can bound each cell to.
    Each published cell's true value stands for its figure (exact, the most favourable
    reader); a ``c`` cell without a value (a month nobody receives) is an unknown too.
    ``touching``: only the blocks holding a group with one of these cells, as in
    ``recoverable_cells``."""
    result: dict[Key, tuple[float, float]] = {}
    for keys, rows, rhs in _bound_blocks(published, additive_groups, cells, touching):
        targets = tuple((k, 0.0, math.inf) for k in keys if cells[k].value is not None)
        for key, low, high in _solve_block(keys, rows, rhs, _truth(keys, cells), targets):
            result[key] = (low, high)
    return dict(sorted(result.items()))


def narrow_cells(
    published: Mapping[Key, str],
    additive_groups: Iterable[AdditiveGroup],
    cells: Mapping[Key, Cell],
    threshold: float,
    touching: frozenset[Key] | None = None,
) -> dict[Key, tuple[float, float, float]]:
    """The primary ``c`` cells a reader can bound (``bound_intervals``) more narrowly than
    their ``protection``: {cell: (least, greatest, protection)}."""
    found = {}
    for part in _narrow_by_block(published, additive_groups, cells, threshold, touching):
        found.update(part)
    return dict(sorted(found.items()))


def _narrow_by_block(
    published, additive_groups, cells, threshold, touching, only=None, settled=None
):
    """``narrow_cells``, one dict per independent block that has any (of the cells ``only``
    names, when given). ``settled``: cells already found wide enough, left out, and added to
    (suppress: within a run a cell only ever becomes unknown, so an interval only widens)."""
    for keys, rows, rhs in _bound_blocks(published, additive_groups, cells, touching):
        targets = tuple(
            (k, abs(cells[k].value), needed)
            for k in keys
            if (only is None or k in only)
            and (settled is None or k not in settled)
            and (needed := protection(cells[k], threshold)) > 0
        )
        if not targets:
            continue
        narrow = {
            key: (low, high, needed)
            for (key, _, needed), (_, low, high) in zip(
                targets, _solve_block(keys, rows, rhs, _truth(keys, cells), targets), strict=True
            )
            if high - low < needed - _TOLERANCE
        }
        if settled is not None:
            settled.update(k for k, _, _ in targets if k not in narrow)
        if narrow:
            yield narrow


_TOLERANCE = 1e-6  # figures have one or two places; HiGHS is exact to far better than this


def _bound_blocks(published, additive_groups, cells, touching):
    """The equations a reader of ``published`` holds, as (unknowns, rows, right-hand sides)
    for each independent block that ``touching`` reaches: each row a tuple of (position of
    an unknown in the block, coefficient), total = sum of members written as
    total - members = 0 with every known figure moved to the right."""
    unknowns: dict[Key, int] = {}
    equations = []
    for total, members in additive_groups:
        if published[total] in NO_EQUATION:
            continue
        row: dict[int, int] = {}
        constant = 0.0
        for key, sign in ((total, 1), *((m, -1) for m in members)):
            text = published[key]
            if text == CONFIDENTIAL:
                column = unknowns.setdefault(key, len(unknowns))
                row[column] = row.get(column, 0) + sign
            elif text not in NO_EQUATION:
                constant -= sign * (cells[key].value or 0.0)
        row = {c: v for c, v in row.items() if v}
        if row:
            live = touching is None or total in touching or any(m in touching for m in members)
            equations.append((row, constant, live))
    keys = sorted(unknowns, key=unknowns.__getitem__)
    for part in _independent([row for row, _, _ in equations]):
        if not any(equations[i][2] for i in part):
            continue
        block = sorted({keys[c] for i in part for c in equations[i][0]})
        local = {unknowns[k]: j for j, k in enumerate(block)}
        rows = sorted(
            (tuple(sorted((local[c], v) for c, v in equations[i][0].items())), equations[i][1])
            for i in part
        )
        yield tuple(block), tuple(r for r, _ in rows), tuple(round(b, 9) for _, b in rows)


def _truth(keys, cells) -> tuple[float, ...]:
    """Each unknown's true value; 0 for one without a value (a month nobody receives): it
    is used only as an amount that can be moved to another unknown, and 0 always can."""
    return tuple(abs(cells[k].value or 0.0) for k in keys)


class _DoNotHold(Exception):
    """The true values do not satisfy a block's equations (the programme is infeasible)."""


@functools.lru_cache(maxsize=1024)
def _solve_block(keys, rows, rhs, truth, targets) -> tuple[tuple[Key, float, float], ...]:
    """``_bounds_of_block``; a block whose equations the true values do not satisfy bounds
    nothing: each target is taken as anywhere from 0 up. That is the case where the marts'
    12-month figure is not the sum of its months (the regional history before the MoC, built
    from the DfE's annual figures, has no monthly leavers that add up to it): a reader's
    equation is then false, so it pins or bounds nothing either, and the exact audit and the
    group rules still apply."""
    try:
        return _bounds_of_block(keys, rows, rhs, truth, targets)
    except _DoNotHold:
        return tuple((key, 0.0, math.inf) for key, _, _ in targets)


def _bounds_of_block(keys, rows, rhs, truth, targets) -> tuple[tuple[Key, float, float], ...]:
    """(cell, least, greatest) for each target (cell, true value, width wanted) of a block:
    exact for a target with an infinite ``wanted`` and for one narrower than ``wanted``; for
    the others an interval inside the exact one and at least ``wanted`` wide. The truth is a
    point the equations allow, and so is every solution of a programme, so the values a
    target took in them lie in its interval: once they span ``wanted``, the target needs no
    programme of its own. Unknowns in exactly the same equations (councils sharing with the
    same partners, in one month's regional totals) can pass their values to one another, so
    each spans at least 0 to their sum without a programme. Sums of open targets that share
    no equation are then made as small and as large as they can be (each programme settles
    many), and each target still open is maximised and, when still short, minimised. A block
    unchanged since an earlier call (later months decided on the same earlier ones) is not
    solved again."""
    import numpy as np  # imported here: only a publication that suppresses pays for scipy
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    position = {key: j for j, key in enumerate(keys)}
    a_eq = np.zeros((len(rows), len(keys)))
    for i, row in enumerate(rows):
        for j, v in row:
            a_eq[i, j] = v
    b_eq = np.array(rhs)
    index = np.array([position[key] for key, _, _ in targets], dtype=int)
    wanted = np.array([w for _, _, w in targets])
    low = np.array([v for _, v, _ in targets], dtype=float)  # the truth is a solution
    high = low.copy()
    alike: dict[bytes, list[int]] = {}
    for t, j in enumerate(index):
        alike.setdefault(a_eq[:, j].tobytes(), []).append(t)
    same = {}
    for j in range(len(keys)):
        same.setdefault(a_eq[:, j].tobytes(), []).append(j)
    for column, members in alike.items():
        if len(same[column]) > 1:
            low[members] = 0.0
            high[members] = np.maximum(high[members], sum(truth[j] for j in same[column]))
    sparse = csr_array(a_eq)

    def solve(chosen, sign: float) -> float | None:
        """The least (sign 1) or greatest (-1) sum of the targets ``chosen``; None when
        unbounded. A greatest is sought only up to where it would settle its targets (a
        bound that keeps every solution one the equations allow, and the answer exact
        whenever it stays below it)."""
        objective = np.zeros(len(keys))
        objective[index[chosen]] = sign
        bounds = np.zeros((len(keys), 2))
        bounds[:, 1] = np.inf
        if sign < 0:
            bounds[index[chosen], 1] = low[chosen] + wanted[chosen]
        result = linprog(objective, A_eq=sparse, b_eq=b_eq, bounds=bounds, method="highs")
        if result.status == 3:
            return None
        if result.status != 0:
            raise _DoNotHold(result.message)
        np.minimum(low, result.x[index], out=low)
        np.maximum(high, result.x[index], out=high)
        return sign * result.fun

    def short() -> np.ndarray:
        return high - low < wanted - _TOLERANCE

    rows_of = [set(np.flatnonzero(a_eq[:, j])) for j in index]

    def apart(mask: np.ndarray) -> list[int]:
        """Targets of ``mask`` no two of which share an equation (greedy, in order): their
        sum can be pushed up or down without one target's gain being another's loss (a
        month's councils add up to the region's figure, so their sum is fixed)."""
        used: set[int] = set()
        chosen = []
        for t in np.flatnonzero(mask):
            if not rows_of[t] & used:
                used |= rows_of[t]
                chosen.append(t)
        return chosen

    if not np.isinf(wanted).all():
        for sign in (1.0, -1.0):
            while (before := int(short().sum())) > 1:
                solve(apart(short()), sign)
                if before == int(short().sum()):
                    break  # sums no longer settle targets: one by one
    out = []
    for t, (key, _, want) in enumerate(targets):
        if not short()[t]:
            out.append((key, float(low[t]), float(high[t])))
            continue
        greatest = solve([t], -1.0)
        greatest = math.inf if greatest is None else greatest
        least = float(low[t])
        if math.isinf(want) or greatest - least < want - _TOLERANCE:
            least = solve([t], 1.0)
        out.append((key, least, greatest))
    return tuple(out)


def _independent(equations: list[dict[int, int]]) -> list[list[int]]:
    """The equations (by position) split into blocks that share no unknown (union-find over
    their columns)."""
    parent: dict[int, int] = {}

    def root(c: int) -> int:
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for row in equations:
        first, *rest = row
        for c in rest:
            parent[root(c)] = root(first)
    blocks: dict[int, list[int]] = {}
    for i, row in enumerate(equations):
        blocks.setdefault(root(next(iter(row))), []).append(i)
    return list(blocks.values())


def _index(cells: Mapping[Key, Cell] | Iterable[Cell]) -> dict[Key, Cell]:
    by_key: dict[Key, Cell] = {}
    for cell in cells.values() if isinstance(cells, Mapping) else cells:
        if cell.key in by_key:
            raise ValueError(f"cell {cell.key} is given twice")
        by_key[cell.key] = cell
    return by_key


def _check_keys(keys: Iterable[Key], by_key: Mapping[Key, Cell], where: str) -> None:
    unknown = sorted(set(keys) - set(by_key))
    if unknown:
        raise ValueError(f"{where} name cells that are not in the table: {unknown}")


def _checked_groups(
    additive_groups: Iterable[AdditiveGroup], by_key: Mapping[Key, Cell]
) -> list[tuple[Key, list[Key]]]:
    groups = []
    for total, members in additive_groups:
        members = sorted(set(members))
        _check_keys([total, *members], by_key, f"additive group {total}")
        rates = [k for k in (total, *members) if by_key[k].kind != "count"]
        if rates:
            raise ValueError(f"additive group {total} holds rates, which do not add up: {rates}")
        groups.append((total, members))
    return sorted(groups)  # the order groups are given in must not change the result


def _primary_status(cell: Cell, threshold: float) -> str:
    if cell.flag is not None and cell.flag not in INPUT_FLAGS:
        raise ValueError(f"cell {cell.key}: unknown flag {cell.flag!r}")
    if cell.flag in (CONFIDENTIAL, NOT_APPLICABLE):
        return cell.flag
    if cell.flag == UNAVAILABLE or cell.value is None or math.isnan(cell.value):
        return UNAVAILABLE
    if cell.support is None or math.isnan(cell.support):
        raise ValueError(f"cell {cell.key} has a value but no support (workers it rests on)")
    if is_true_zero(cell):
        return FIGURE  # rests on nobody: published as 0 (rule 0), never c
    if cell.support < threshold:
        return CONFIDENTIAL
    if cell.flag == LOW_RELIABILITY:
        return LOW_RELIABILITY
    if rounds_to_zero(cell.value, cell.places):
        return LOW
    return FIGURE


def _smallest_first(by_key: Mapping[Key, Cell]):
    # Figures before low/u cells (suppressing those protects little), then the smallest value
    # (least information lost), then support, then key so ties are broken the same way every time.
    def order(key: Key, status: str) -> tuple:
        cell = by_key[key]
        # a true zero hides little (0 <= x <= remainder): the last figure to hide
        return (status != FIGURE, is_true_zero(cell), abs(cell.value), cell.support, key)

    return order


def _close_groups(groups, status, by_key, mark, mutable) -> bool:
    changed = False
    order = _smallest_first(by_key)
    for total, members in groups:
        if status[total] in NO_EQUATION:
            continue
        unknowns = [k for k in (total, *members) if status[k] == CONFIDENTIAL]
        if len(unknowns) != 1 or not any(k in mutable for k in (total, *members)):
            continue  # balanced, or all published earlier: nothing this run can change
        if not status.protects(unknowns[0]):
            continue  # an aggregate published elsewhere: worked out, it tells nothing new
        members = [k for k in members if k in mutable]
        figures = [k for k in members if status[k] == FIGURE]
        if figures:
            choice = min(figures, key=lambda k: order(k, FIGURE))
        elif status[total] in KNOWN and total in mutable:
            choice = total  # nothing else hides the lone unknown: suppress the total instead
        else:
            weak = [k for k in members if status[k] in KNOWN]
            if not weak:
                continue  # the lone unknown is the only cell with a value: nothing to recover it
            choice = min(weak, key=lambda k: order(k, status[k]))
        mark(choice, SECONDARY)
        changed = True
    return changed


def protection(cell: Cell, threshold: float) -> float:
    """How wide the interval a reader can bound a primary ``c`` cell to must stay: what
    ``threshold`` workers like the cell's would make (5 leavers of 0.9 FTE: 4.5 FTE), so the
    bounds say no more than ``c`` itself does ("fewer than the threshold"). 0 for a cell that
    is not primary (secondary cells protect others; their own size is no secret)."""
    if cell.kind != "count" or cell.value is None or not cell.support:
        return 0.0
    if cell.support >= threshold or is_true_zero(cell):
        return 0.0
    return threshold * abs(cell.value) / cell.support


def _widen_groups(groups, status, by_key, mark, mutable, threshold) -> bool:
    """Rule 2b, bounds: counts are not negative, so with a group's total published its ``c``
    members lie between 0 and their sum R. Where R is narrower than the protection of a
    primary member, one more member is suppressed: the smallest published one that closes the
    gap, else the largest (and again, to a fixed point). The exact interval over all the
    equations together is rule 2c's (``_widen_across_groups``)."""
    changed = False
    order = _smallest_first(by_key)
    for total, members in groups:
        if status[total] not in KNOWN:
            continue  # a hidden or missing total bounds nothing from above
        unknowns = [k for k in members if status[k] == CONFIDENTIAL]
        needed = max((protection(by_key[k], threshold) for k in unknowns), default=0.0)
        if not needed:
            continue
        width = sum(abs(by_key[k].value or 0.0) for k in unknowns)
        if width >= needed:
            continue
        figures = [k for k in members if k in mutable and status[k] == FIGURE]
        if not figures:
            if total not in mutable:
                continue  # all published earlier: nothing this run can change
            choice = total  # hiding the total removes the upper bound
        else:
            closing = [k for k in figures if width + abs(by_key[k].value) >= needed]
            choice = (
                min(closing, key=lambda k: order(k, FIGURE))
                if closing
                else max(figures, key=lambda k: (abs(by_key[k].value), k))
            )
        mark(choice, SECONDARY)
        changed = True
    return changed


def _widen_across_groups(groups, status, by_key, mark, mutable, threshold, known) -> bool:
    """Rule 2c, bounds across groups: the groups a cell is in can each leave it a wide enough
    interval and still, together (a council in the members' region and in partners' regions
    over other councils, a month in twelve 12-month windows), bound it more narrowly than its
    protection. ``narrow_cells`` solves the exact interval (a linear programme per block with
    a cell this run may change). In each block with a narrow cell, the first such cell (key
    order) gets one more figure suppressed: one this run may change, in a group the cell is
    in, the smallest that would widen the interval enough (else the largest); failing that,
    a total of those groups; failing that, a figure anywhere in the cell's block. Then the
    rules run again, to a fixed point. A cell that would stay narrow with every cell this run
    may change hidden was narrowed by earlier publications alone: nothing is hidden for it.
    ``known``: what the run has found so far, kept between calls (statuses only ever become
    ``c`` within a run, so a cell found wide enough stays so): the cells found wide enough
    (``settled``) and whether hiding could widen a narrow one (``fixable``)."""
    fixable, settled = known.setdefault("fixable", {}), known.setdefault("settled", set())
    changed = False
    for narrow in _narrow_by_block(status, groups, by_key, threshold, mutable, None, settled):
        for cell in sorted(narrow):
            if cell not in fixable:
                fixable[cell] = _widens_at_all(cell, groups, status, by_key, mutable, threshold)
            low, high, needed = narrow[cell]
            choice = fixable[cell] and _widening_choice(
                cell, high - low, needed, groups, status, by_key, mutable
            )
            if not choice:
                continue
            mark(choice, SECONDARY)
            changed = True
            break  # the block's intervals change: solve it again before the next cell
    return changed


def _widens_at_all(cell, groups, status, by_key, mutable, threshold) -> bool:
    """Whether ``cell`` would be wide enough with every cell this run may change hidden."""
    hidden = {k: CONFIDENTIAL if k in mutable and status[k] in KNOWN else status[k] for k in status}
    only = frozenset({cell})
    return not any(_narrow_by_block(hidden, groups, by_key, threshold, only, only))


def _widening_choice(cell, width, needed, groups, status, by_key, mutable) -> Key | None:
    order = _smallest_first(by_key)

    def pick(keys) -> Key | None:
        figures = sorted({k for k in keys if k in mutable and status[k] == FIGURE} - {cell})
        if not figures:
            return None
        closing = [k for k in figures if width + abs(by_key[k].value) >= needed]
        if closing:
            return min(closing, key=lambda k: order(k, FIGURE))
        return max(figures, key=lambda k: (abs(by_key[k].value), k))

    around = [
        (t, m) for t, m in groups if status[t] not in NO_EQUATION and (cell == t or cell in m)
    ]
    choice = pick(k for _, m in around for k in m)
    if choice is None:
        choice = pick(t for t, _ in around)
    if choice is None:
        choice = pick(k for t, m in _component(cell, groups, status) for k in (t, *m))
    return choice


def _close_rates(rates, status, by_key, mark, mutable) -> bool:
    changed = False
    order = _smallest_first(by_key)
    for rate in rates:
        inputs = sorted(set(rate.inputs))
        if not inputs or rate.key not in mutable:
            continue
        if status[rate.key] not in (CONFIDENTIAL, UNAVAILABLE):
            if any(status[k] == CONFIDENTIAL for k in inputs):
                mark(rate.key, DERIVED)
                changed = True
        elif status[rate.key] == CONFIDENTIAL and all(status[k] in KNOWN for k in inputs):
            mark(min(inputs, key=lambda k: order(k, status[k])), DERIVED)
            changed = True
    return changed


def _suppress_around(pinned, groups, status, by_key, mark, mutable) -> bool:
    """Last resort for overlapping groups: hide the totals of the groups a pinned cell is in;
    failing that (a pin through equations of earlier months), one member of those groups;
    failing that, every cell still published in the groups joined to the pinned cell through
    unknowns (all of them unknown, the new equations say nothing about the old cells)."""
    order = _smallest_first(by_key)

    def open_(keys):
        return sorted(k for k in keys if k in mutable and status[k] in KNOWN)

    for cell in sorted(pinned):
        around = [(t, m) for t, m in groups if cell == t or cell in m]
        totals = open_(t for t, _ in around)
        if totals:
            for total in totals:
                mark(total, SECONDARY)
            return True
        members = open_(k for _, m in around for k in m)
        if members:
            mark(min(members, key=lambda k: order(k, status[k])), SECONDARY)
            return True
    for cell in sorted(pinned):  # the first pinned cell whose component can still be hidden
        component = _component(cell, groups, status)
        cells = open_(k for t, m in component for k in (t, *m))
        for key in cells:
            mark(key, SECONDARY)
        if cells:
            return True
    return False


def _component(start: Key, groups, status) -> list[AdditiveGroup]:
    """The groups joined to ``start`` through cells that are unknown."""
    by_cell: dict[Key, list[int]] = {}
    for i, (t, m) in enumerate(groups):
        for k in (t, *m):
            by_cell.setdefault(k, []).append(i)
    seen_groups: set[int] = set()
    todo = [start]
    seen_cells = {start}
    while todo:
        key = todo.pop()
        for i in by_cell.get(key, []):
            if i in seen_groups:
                continue
            seen_groups.add(i)
            t, m = groups[i]
            for k in (t, *m):
                if status[k] == CONFIDENTIAL and k not in seen_cells:
                    seen_cells.add(k)
                    todo.append(k)
    return [groups[i] for i in sorted(seen_groups)]


def _reduced_rows(rows: list[dict[int, int]]) -> list[tuple[int, dict[int, int]]]:
    """Reduced row echelon form, exactly, over sparse integer rows (column -> non-zero
    coefficient): (pivot column, row) for every non-zero row, each row scaled to whole numbers
    with no common factor. Fraction-free: ``a*row - b*pivot`` rather than division keeps every
    step in Python integers (exact, and several times faster than Fraction), and scaling a row
    never changes which unknowns it pins. Rows are 0/+1/-1 sums and stay sparse."""
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        row = {c: v for c, v in row.items() if v != 0}
        for col in sorted(set(row) & set(pivots)):  # reduce against earlier pivots
            if col in row:
                row = _eliminate(row, pivots[col], col)
        if not row:
            continue
        col = min(row)
        for key, other in pivots.items():  # keep every earlier pivot row reduced
            if col in other:
                pivots[key] = _eliminate(other, row, col)
        pivots[col] = row
    return sorted(pivots.items())


def _eliminate(row: dict[int, int], pivot: dict[int, int], col: int) -> dict[int, int]:
    """``row`` with column ``col`` cleared by a whole-number multiple of ``pivot``, divided by
    the common factor of what is left, sign fixed so the lowest column is positive."""
    scale, factor = pivot[col], row[col]
    result = {c: scale * v for c, v in row.items()}
    for c, v in pivot.items():
        result[c] = result.get(c, 0) - factor * v
    result = {c: v for c, v in result.items() if v != 0}
    if not result:
        return result
    divisor = math.gcd(*result.values())
    if result[min(result)] < 0:
        divisor = -divisor
    return {c: v // divisor for c, v in result.items()}


def _is_unit(row: dict[int, int]) -> bool:
    return len(row) == 1
