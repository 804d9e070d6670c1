"""Disclosure across the whole publication (issue 14): an adversary holding every partner's
extract and every council's pack over consecutive months, who writes down every equation they
can (region = sum of councils, 12-month leavers = sum of the 12 monthly leavers, so differences
of consecutive 12-month figures too) and solves them exactly (rational Gaussian elimination),
pins no cell published as ``c`` and no cell of a council a file leaves out.

Marts are synthetic (support.sample_marts), the months and register the demo's.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.disclosure_attack import knowledge
from support.sample_marts import council_months, random_records

from common.members import councils_covered_on, load_members
from common.periods import month_range, period_end, window_periods
from common.settings import min_councils_for_region
from publish.disclosure import recoverable_cells
from publish.extracts import register
from publish.extracts.indicators import PARTNER_COUNTS, PARTNER_INDICATORS, PARTNER_RATES
from publish.extracts.marts import MartFrames
from publish.extracts.packs import pack_figures
from publish.extracts.partner import REGION_ROW, build_partner_table
from publish.extracts.suppression import audiences, decide, panel_key, partner_region_row

PERIODS = month_range("2025-01", "2026-06")  # the demo's 18 months
pytestmark = pytest.mark.slow  # 18 months of every partner and pack, attacked exactly

MEMBERS = load_members()
MIN_COUNCILS = min_councils_for_region({})  # MOC_MIN_COUNCILS_FOR_REGION's default
NAMES = [i.name for i in PARTNER_INDICATORS]


def covered(period: str):
    return councils_covered_on(period_end(period))


def _sharing(who, period: str, agreements) -> set[str]:
    return register.councils_sharing_with(who.partner_code, period_end(period), agreements)


def _published_files(history, periods, members_on, partners, agreements, decided=True):
    """Every file an outsider may hold: {file name: {(period, row, indicator): text}}. A
    partner's regional row is its own (the councils sharing with it), keyed as such."""
    decisions = None
    if decided:
        everyone = {m.council_code: m for p in periods for m in members_on(p)}.values()
        aud = audiences(partners, agreements, everyone, MIN_COUNCILS)
        decisions = decide(history, periods[-1], members_on, aud, 5)
    out: dict[str, dict] = {}
    for period in periods:
        members = members_on(period)
        rows = history[history["period"] == period]
        for who in partners:
            if who.extract != "partner":
                continue  # the members' benchmark stays inside the MoC: not suppressed
            shared = _sharing(who, period, agreements)
            own_region = partner_region_row(who.partner_code)
            month = None if decisions is None else decisions.month(period, own_region)
            table = build_partner_table(
                period, rows, members, shared, 5, min_councils=MIN_COUNCILS, decided=month
            )
            file = out.setdefault(f"partner:{who.partner_code}", {})
            for row in [REGION_ROW, *(m.council_code for m in table.shared)]:
                for name in NAMES:
                    file[(period, own_region if row == REGION_ROW else row, name)] = table.figure(
                        row, name
                    )
        window = history[history["period"].isin(window_periods(period))]
        frames = MartFrames(period, window, pd.DataFrame({"period": [], "coverage_label": []}))
        for council in members:
            months, lines, _ = pack_figures(frames, council, members_on, 5, decisions)
            file = out.setdefault(f"pack:{council.council_code}", {})
            for line in lines:  # the workforce section: no agency or pay marts here
                for month, a, b in zip(months, line.council, line.region, strict=True):
                    file[(month, council.council_code, line.name)] = a
                    file[(month, REGION_ROW, line.name)] = b
    return out


def _equations(history, periods, members_on, partners=(), agreements=()):
    """Every equation an adversary can write: keys are (period:row, indicator). Each partner's
    region (unless withheld) is another total over the councils sharing with it."""
    groups = []
    for period in periods:
        codes = sorted(m.council_code for m in members_on(period))
        for count in PARTNER_COUNTS:
            total = panel_key(period, REGION_ROW, count.name)
            groups.append((total, [panel_key(period, c, count.name) for c in codes]))
        for who in partners:
            if who.extract != "partner":
                continue
            sharing = sorted(_sharing(who, period, agreements) & set(codes))
            if len(sharing) < MIN_COUNCILS:
                continue  # withheld: every regional cell x, no equation
            own = partner_region_row(who.partner_code)
            for count in PARTNER_COUNTS:
                total = panel_key(period, own, count.name)
                groups.append((total, [panel_key(period, c, count.name) for c in sharing]))
        for code in codes:
            window = [panel_key(p, code, "leavers_fte") for p in window_periods(period)]
            groups.append((panel_key(period, code, "leavers_12_months_fte"), window))
    return groups


def attack(files: list[dict], groups, everything: list[dict] | None = None) -> set:
    """Cells the files published as c (or left out: a council not sharing with that partner)
    that the equations pin exactly: council cells, and regional cells no file of the whole
    publication (``everything``, default ``files``) shows as a number. A regional total a file
    merely leaves out (another partner's region, the members' region in a partner's file) and
    another file publishes is a sum of council cells, known anyway."""
    known = knowledge(files, groups)
    published = knowledge(everything or files, groups)
    # a 12-month total that is x says nothing; an x month inside a window makes the total x
    return {
        key
        for key in recoverable_cells(known, groups)
        if not _is_regional(key) or published[key] == "c"
    }


def _is_regional(key) -> bool:
    row = key[0].split(":", 1)[1]
    return row == REGION_ROW or row.startswith(f"{REGION_ROW}:")


def _rates_hold(file: dict) -> None:
    for (period, row, name), text in file.items():
        rate = next((r for r in PARTNER_RATES if r.name == name), None)
        if rate is None or text in ("c", "x", "z"):
            continue
        for n in (rate.numerator, *rate.denominator):
            assert file.get((period, row, n)) != "c", (period, row, name)


@pytest.fixture(scope="module")
def demo_history():
    codes = [m.council_code for m in MEMBERS]
    return council_months(random_records(PERIODS, codes, seed=11, small=0.2))


@pytest.fixture(scope="module")
def demo_files(demo_history):
    return _published_files(
        demo_history, PERIODS, covered, register.load_partners(), register.load_register()
    )


def test_every_file_of_18_months_together_recovers_nothing(demo_history, demo_files):
    groups = _equations(
        demo_history, PERIODS, covered, register.load_partners(), register.load_register()
    )
    assert attack(list(demo_files.values()), groups) == set()
    for name, file in demo_files.items():  # and no file on its own (a pack may go public)
        assert attack([file], groups, list(demo_files.values())) == set(), name
        _rates_hold(file)


def test_table_by_table_suppression_gave_cells_away(demo_history):
    """The attack is real: the same files suppressed month by month, as before issue 14."""
    files = _published_files(
        demo_history,
        PERIODS,
        covered,
        register.load_partners(),
        register.load_register(),
        decided=False,
    )
    groups = _equations(
        demo_history, PERIODS, covered, register.load_partners(), register.load_register()
    )
    assert attack([files["partner:dfe"]], groups)


def test_two_partners_side_by_side_recover_nothing(demo_history):
    """Replay: the same month to two partners sharing different councils."""
    period = "2026-06"
    partners = tuple(p for p in register.load_partners() if p.extract == "partner")
    agreements = register.load_register()
    files = _published_files(demo_history, [period], covered, partners, agreements)
    groups = _equations(demo_history, [period], covered, partners, agreements)
    a, b = files["partner:dfe"], files["partner:south_east_region"]
    # regional figures other files publish (the members' region in the packs, the LGA's
    # region) are sums the two can work out from their councils: not a recovery
    assert attack([a, b], groups, list(files.values())) == set()
    shared = {k: v for k, v in a.items() if k in b}
    assert all(b[k] == v for k, v in shared.items())  # one decision per cell


def test_a_month_once_published_is_never_contradicted(demo_history):
    """Deciding up to a later month leaves every earlier month's figures as they were."""
    partners, agreements = register.load_partners(), register.load_register()
    aud = audiences(partners, agreements, MEMBERS, MIN_COUNCILS)
    earlier = decide(demo_history, "2025-08", covered, aud, 5)
    later = decide(demo_history, "2025-10", covered, aud, 5)
    for key, text in earlier.published.items():
        assert later.published[key] == text, key


# ---------------------------------------------------------------------------------------------
# Random marts, registers and consecutive months


@st.composite
def publications(draw):
    size = draw(st.integers(2, 5))
    members = tuple(MEMBERS[:size])
    codes = [m.council_code for m in members]
    months = draw(st.integers(12, 15))
    periods = month_range("2024-01", "2025-03")[:months]
    seed = draw(st.integers(0, 10_000))
    small = draw(st.sampled_from([0.0, 0.5, 1.0]))
    history = council_months(random_records(periods, codes, seed=seed, small=small))
    partners = (
        register.Partner("p1", "P1", "p1", "partner"),
        register.Partner("p2", "P2", "p2", "partner"),
    )
    agreements = []
    for partner in ("p1", "p2"):
        for code in codes:
            if draw(st.booleans()):
                signed = dt.date.fromisoformat(draw(st.sampled_from(periods)) + "-01")
                agreements.append(register.Agreement(code, partner, signed, None))
    return history, periods, (lambda p: members), partners, tuple(agreements)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(publications())
def test_no_set_of_files_pins_a_cell_over_random_publications(publication):
    history, periods, members_on, partners, agreements = publication
    files = _published_files(history, periods, members_on, partners, agreements)
    groups = _equations(history, periods, members_on, partners, agreements)
    assert attack(list(files.values()), groups) == set()
    for name, file in files.items():
        assert attack([file], groups, list(files.values())) == set(), name
        _rates_hold(file)


def test_audience_names_are_unique():
    names = [a.name for a in audiences(register.load_partners(), register.load_register(), MEMBERS)]
    assert len(names) == len(set(names))
