"""Per-council packs: "you against the region" over the 12 months to the month, for the
council's own board. Board papers may be made public, so each month shows the publication-wide
decision (publish/extracts/suppression.py: a pack is the view of an audience that sees only
this council and the region, which sums every member with a return), so neither the council's
small figures nor anyone else's can be derived from the pack, nor from the pack beside any
other file. Each month says how many councils its regional figure holds and which members sent
no return (publish.extracts.coverage), so a missing council is never read as a fall. The
regional spread (quartiles, minimum, maximum) is left out: over unpublished council figures it
would give them away.
"""

from __future__ import annotations

from collections.abc import Callable

from common.members import Member
from common.periods import window_periods
from common.rounding import UNAVAILABLE
from publish.extracts import coverage
from publish.extracts.indicators import PARTNER_INDICATORS
from publish.extracts.marts import MartFrames
from publish.extracts.partner import REGION_ROW, build_partner_table
from publish.extracts.suppression import Decisions

PackFigures = list[tuple[str, str, int, list[str], list[str]]]


def pack_figures(
    frames: MartFrames,
    council: Member,
    members_on_month: Callable[[str], tuple[Member, ...]],
    threshold: float,
    decisions: Decisions | None = None,
) -> tuple[list[str], PackFigures, list[coverage.Coverage | None]]:
    """(months, per indicator: name, label, places, the council's texts, the region's texts,
    and per month what the regional figure covers: None for a month the pack has no figures).
    ``decisions``: the publication-wide suppression (publish/extracts/suppression.py), whose
    region row is the pack's region (every member with a return)."""
    months = window_periods(frames.period)
    covered: list[coverage.Coverage | None] = []
    council_texts: dict[str, list[str]] = {i.name: [] for i in PARTNER_INDICATORS}
    region_texts: dict[str, list[str]] = {i.name: [] for i in PARTNER_INDICATORS}
    for month in months:
        members = members_on_month(month)
        rows = frames.council_months[frames.council_months["period"] == month]
        is_member = any(m.council_code == council.council_code for m in members)
        outside = decisions is not None and month not in decisions.members  # before the marts
        if not members or not is_member or outside:
            for i in PARTNER_INDICATORS:
                council_texts[i.name].append(UNAVAILABLE)
                region_texts[i.name].append(UNAVAILABLE)
            covered.append(None)
            continue
        decided = None if decisions is None else decisions.month(month)
        table = build_partner_table(
            month,
            rows,
            members,
            {council.council_code},
            threshold,
            covers=coverage.region_mart_label(frames.region_months, month),
            region_over={m.council_code for m in members},
            decided=decided,
        )
        covered.append(table.coverage)
        for i in PARTNER_INDICATORS:
            council_texts[i.name].append(table.figure(council.council_code, i.name))
            region_texts[i.name].append(table.figure(REGION_ROW, i.name))
    figures = [
        (i.name, i.label, i.places, council_texts[i.name], region_texts[i.name])
        for i in PARTNER_INDICATORS
    ]
    return months, figures, covered
