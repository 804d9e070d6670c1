"""Earlier publications' suppression decisions, stored and built on (issue 14): a month that
has not changed is not decided again (cost), a month a late return revised keeps hidden what
was hidden (no contradiction of a published c), and the store stays private to the pipeline.

Marts are synthetic (support.sample_marts) over the demo's register and members.
"""

from __future__ import annotations

import stat

import pytest
from support.sample_marts import council_months, random_records

from common.members import councils_covered_on, load_members
from common.periods import month_range, period_end
from common.rounding import CONFIDENTIAL
from publish.disclosure import recoverable_cells
from publish.extracts import decision_store, register, suppression
from publish.extracts.suppression import audiences, decide

PERIODS = month_range("2025-01", "2025-12")
MEMBERS = load_members()
THRESHOLD, MINIMUM = 5, 3


def covered(period: str):
    return councils_covered_on(period_end(period))


@pytest.fixture(scope="module")
def history():
    codes = [m.council_code for m in MEMBERS]
    return council_months(random_records(PERIODS, codes, seed=5, small=0.3))


@pytest.fixture(scope="module")
def audience():
    return audiences(register.load_partners(), register.load_register(), MEMBERS, MINIMUM)


def _store(tmp_path, decisions):
    path = tmp_path / ".state" / "suppression_decisions.json"
    decision_store.save(path, decisions, THRESHOLD, MINIMUM)
    return path, decision_store.load(path, THRESHOLD, MINIMUM)


def _count_suppress_calls(monkeypatch) -> list:
    calls = []
    real = suppression.suppress

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(suppression, "suppress", counted)
    return calls


def test_stored_months_are_taken_as_they_are_and_only_new_ones_decided(
    tmp_path, monkeypatch, history, audience
):
    earlier = decide(history, "2025-10", covered, audience, THRESHOLD)
    _, stored = _store(tmp_path, earlier)
    from_scratch = decide(history, "2025-12", covered, audience, THRESHOLD)
    calls = _count_suppress_calls(monkeypatch)
    built_on = decide(history, "2025-12", covered, audience, THRESHOLD, stored)
    assert len(calls) == 2  # 2025-11 and 2025-12: the ten stored months are not decided again
    assert built_on.published == from_scratch.published
    assert built_on.reasons == from_scratch.reasons
    assert built_on.revised == []


def test_a_revised_month_keeps_hidden_what_it_hid_and_says_it_was_revised(
    tmp_path, history, audience
):
    earlier = decide(history, "2025-12", covered, audience, THRESHOLD)
    _, stored = _store(tmp_path, earlier)
    revised = history.copy()
    late = (revised["period"] == "2025-06") & (revised["council_code"] == MEMBERS[0].council_code)
    revised.loc[late, ["leavers_fte", "leavers_headcount", "vacancy_fte"]] = [7.2, 8, 55.5]
    again = decide(revised, "2025-12", covered, audience, THRESHOLD, stored)
    assert "2025-06" in again.revised
    hidden = [k for k, s in stored.status.items() if s == CONFIDENTIAL and k in again.cells]
    hidden = [k for k in hidden if again.cells[k].value is not None]
    assert hidden
    assert all(again.published[k] == CONFIDENTIAL for k in hidden)
    # months before the revised one are as first published
    for key, text in earlier.published.items():
        if key[0] < "2025-06":
            assert again.published[key] == text, key
    # and the revised publication still pins nothing the files hide
    assert recoverable_cells(again.published, again.groups) <= {
        k for k in again.cells if again.cells[k].value is None
    }


def test_the_store_is_private_and_read_only_under_the_same_settings(tmp_path, history, audience):
    decisions = decide(history, "2025-03", covered, audience, THRESHOLD)
    path, stored = _store(tmp_path, decisions)
    assert stored is not None and stored.status == decisions.status
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert decision_store.load(path, THRESHOLD + 1, MINIMUM) is None
    assert decision_store.load(path, THRESHOLD, MINIMUM + 1) is None
    assert decision_store.load(tmp_path / "none.json", THRESHOLD, MINIMUM) is None


def test_saving_an_earlier_month_keeps_the_later_months_stored(tmp_path, history, audience):
    later = decide(history, "2025-06", covered, audience, THRESHOLD)
    path, stored = _store(tmp_path, later)
    earlier = decide(history, "2025-03", covered, audience, THRESHOLD, stored)
    decision_store.save(path, earlier, THRESHOLD, MINIMUM, stored)
    again = decision_store.load(path, THRESHOLD, MINIMUM)
    assert again.status == stored.status


def test_a_figure_a_revision_hides_takes_its_totals_with_it(tmp_path, history, audience):
    """A reader holds the earlier file: a council's vacancy FTE published there, and hidden
    after a late correction, would come back as the change in the regional totals (the other
    councils' figures did not change). So every total over it is hidden in the revised month,
    and what the earlier file showed unchanged stays as it was."""
    earlier = decide(history, "2025-12", covered, audience, THRESHOLD)
    code = next(
        m.council_code
        for m in MEMBERS
        if earlier.published[(f"2025-06:{m.council_code}", "vacancy_fte")] not in ("c", "x")
    )
    key = (f"2025-06:{code}", "vacancy_fte")
    _, stored = _store(tmp_path, earlier)
    revised = history.copy()
    late = (revised["period"] == "2025-06") & (revised["council_code"] == code)
    revised.loc[late, "vacancy_fte"] = 2.2  # on 3 workers: below the threshold
    again = decide(revised, "2025-12", covered, audience, THRESHOLD, stored)
    assert again.published[key] == CONFIDENTIAL
    totals = [t for t, members in again.groups if key in members]
    assert totals
    assert all(again.published[t] in (CONFIDENTIAL, "x") for t in totals), {
        t: again.published[t] for t in totals
    }
    unchanged = [
        k
        for k, cell in again.cells.items()
        if k[0].startswith("2025-06:")
        and stored.status.get(k) not in (None, CONFIDENTIAL)
        and stored.fingerprints.get(k) == suppression.fingerprint(cell)
    ]
    assert unchanged
    assert all(again.published[k] == earlier.published[k] for k in unchanged)
