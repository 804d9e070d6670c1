"""Publish everything for a month: the members' benchmark, the per-council packs and each
partner's extract, each as a folder with a manifest, swapped into place atomically.

Layout under ``published_dir`` (a local folder today; an object-store prefix would need the
swap replaced by a write-then-pointer scheme, see publish/extracts/files.py):

* ``members_benchmark/<period>/``  CSV (tidy) + Excel workbook + manifest, members only;
* ``council_packs/<period>/``      one workbook per council + manifest, suppressed;
* ``outbox/<outbox>/<period>/``    per partner (partners.csv): the DfE-layout extract (CSV,
  ``.meta.csv``, data dictionary, typed Parquet) with disclosure control and the partner's
  time series to the month (the same files and its footnotes), or for a body inside the MoC
  the members' benchmark CSV; + manifest.

The same inputs give byte-identical files (no clock time anywhere; workbooks stamped with the
period's last day; Parquet written on one thread).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from common.atomic import remove_stale_staging, swap_into_place
from common.members import Member, councils_covered_on, load_members
from common.periods import PERIOD_PATTERN, period_end
from common.run_lock import run_lock
from common.settings import Settings
from ingest import warehouse
from publish.extracts import (
    benchmark,
    coverage,
    decision_store,
    files,
    packs,
    partner,
    register,
    suppression,
    time_series,
    workbooks,
)
from publish.extracts.benchmark import BENCHMARK_COLUMNS
from publish.extracts.ees_screener import ScreeningFailed, assert_screened
from publish.extracts.files import Output, Publication, pipeline_version
from publish.extracts.marts import (
    MartFrames,
    has_marts,
    has_placeholder_caps,
    latest_period,
    ledger_inputs,
    read_marts,
)

__all__ = [
    "BENCHMARK_COLUMNS",
    "INDICATORS",
    "MonthInputs",
    "NothingToPublish",
    "Publication",
    "ScreeningFailed",
    "latest_period",
    "pipeline_version",
    "publish_council_packs",
    "publish_members_benchmark",
    "publish_month",
    "publish_partner",
    "read_month",
    "swap_into_place",
]

# The month's workforce indicators of the members' benchmark: (mart column, name, places).
INDICATORS = tuple((i.source, i.name, i.places) for i in benchmark.WORKFORCE)


class NothingToPublish(ValueError):
    """The month asked for cannot be published: not a month, outside the plausible-period
    window, or no returns in the marts (a month before the MoC with returns is published:
    regional history). Raised before
    anything is written; the message is one line for whoever asked (``moc publish`` prints it
    and exits non-zero, the Airflow task fails with it)."""


@dataclass(frozen=True)
class MonthInputs:
    frames: MartFrames
    inputs: list[dict[str, object]]  # ledger versions of the month and its 12-month window

    @property
    def period(self) -> str:
        return self.frames.period


def read_month(
    settings: Settings, period: str | None = None, today: dt.date | None = None
) -> MonthInputs:
    """The marts and ledger versions of ``period`` (default: the latest month with returns
    in the plausible-period window on ``today``), or NothingToPublish saying why not."""
    window = settings.plausible_window(today)
    if period is not None and PERIOD_PATTERN.fullmatch(period) is None:
        raise NothingToPublish(f"Nothing to publish: '{period}' is not a month; give YYYY-MM.")
    if period is not None and period not in window:
        raise NothingToPublish(
            f"Nothing to publish for {period}: it is outside the months returns can be for "
            f"({window})."
        )
    if not settings.warehouse_path.exists():
        raise NothingToPublish(
            f"Nothing to publish: there is no warehouse at {settings.warehouse_path} yet "
            "(run moc ingest and moc build first)."
        )
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        if not has_marts(con):
            raise NothingToPublish("Nothing to publish: the marts are not built yet (moc build).")
        latest = latest_period(con, window)
        period = period or latest
        if period is None:
            raise NothingToPublish(
                f"Nothing to publish: the marts hold no month with returns in {window}."
            )
        _members(period)
        frames = read_marts(con, period)
        if not (frames.council_months["period"] == period).any():
            raise NothingToPublish(
                f"Nothing to publish for {period}: the marts hold no returns for that month "
                f"(the latest month with returns is {latest or 'none'})."
            )
        return MonthInputs(frames, ledger_inputs(con, period))
    finally:
        con.close()


def _members(period: str) -> tuple[Member, ...]:
    """The councils the month's extracts name: its members, or before the MoC the region's
    councils (common.members.councils_covered_on)."""
    members = _covered(period)
    if not members:
        raise NothingToPublish(f"Nothing to publish for {period}: members.csv lists no council.")
    return members


def _benchmark_outputs(month: MonthInputs) -> tuple[list[list[str]], list[Output]]:
    members = _members(month.period)
    lines = benchmark.benchmark_lines(month.frames, members)
    covered = benchmark.month_coverage(month.frames, members)
    rows = benchmark.benchmark_rows(lines, members, month.period, covered)
    xlsx, xlsx_rows = workbooks.benchmark_workbook(
        lines, members, month.period, covered, has_placeholder_caps(month.frames)
    )
    name = f"members_benchmark_{month.period}"
    return rows, [
        files.csv_output(f"{name}.csv", BENCHMARK_COLUMNS, rows),
        Output(f"{name}.xlsx", xlsx, xlsx_rows),
    ]


def publish_members_benchmark(
    settings: Settings, period: str | None = None, month: MonthInputs | None = None
) -> Publication:
    month = month or read_month(settings, period)
    _, outputs = _benchmark_outputs(month)
    target = settings.published_dir / "members_benchmark" / month.period
    return files.publish_folder(
        settings.published_dir,
        target,
        "members_benchmark",
        month.period,
        outputs,
        {"inputs": month.inputs},
    )


def decide_suppression(
    month: MonthInputs,
    threshold: float,
    partners: tuple[register.Partner, ...] | None = None,
    agreements: tuple[register.Agreement, ...] | None = None,
    min_councils_for_region: int = 1,
    stored: suppression.Stored | None = None,
) -> suppression.Decisions:
    """One suppression pattern for every file (publish/extracts/suppression.py): every month
    of the marts to this one, every partner's extract and every council's pack, building on
    the ``stored`` decisions of earlier publications (publish/extracts/decision_store.py)."""
    partners = register.load_partners() if partners is None else partners
    agreements = register.load_register() if agreements is None else agreements
    return suppression.decide(
        _history(month.frames),
        month.period,
        _covered,
        suppression.audiences(partners, agreements, load_members(), min_councils_for_region),
        threshold,
        stored,
    )


def _stored(settings: Settings, threshold: float) -> suppression.Stored | None:
    """Earlier publications' decisions under these disclosure settings, if any."""
    return decision_store.load(
        settings.suppression_store, threshold, settings.min_councils_for_region
    )


def _covered(period: str) -> tuple[Member, ...]:
    """The councils a month's figures cover (common.members.councils_covered_on)."""
    return councils_covered_on(period_end(period))


def publish_council_packs(
    settings: Settings,
    month: MonthInputs,
    threshold: float | None = None,
    decisions: suppression.Decisions | None = None,
) -> Publication:
    threshold = settings.disclosure_threshold if threshold is None else threshold
    decisions = decisions or decide_suppression(
        month,
        threshold,
        min_councils_for_region=settings.min_councils_for_region,
        stored=_stored(settings, threshold),
    )
    agency = packs.agency_decisions(month.frames, _covered, threshold)  # one for every pack
    placeholder_caps = has_placeholder_caps(month.frames)
    outputs = []
    for council in sorted(_members(month.period), key=lambda m: m.council_slug):
        months, lines, covered = packs.pack_figures(
            month.frames, council, _covered, threshold, decisions, agency
        )
        content, rows = workbooks.pack_workbook(
            council, month.period, months, lines, covered, threshold, placeholder_caps
        )
        outputs.append(Output(f"{council.council_slug}_pack_{month.period}.xlsx", content, rows))
    target = settings.published_dir / "council_packs" / month.period
    manifest = {"inputs": month.inputs, "disclosure_threshold": threshold}
    return files.publish_folder(
        settings.published_dir, target, "council_packs", month.period, outputs, manifest
    )


def partner_file_stem(period: str) -> str:
    return f"moc_workforce_{period.replace('-', '_')}"


def _partner_table(
    council_months: pd.DataFrame,
    period: str,
    who: register.Partner,
    agreements: tuple[register.Agreement, ...],
    threshold: float,
    minimum: int,
    decisions: suppression.Decisions,
) -> partner.PartnerTable:
    """A month's partner table: the councils sharing with the partner on the month's last day,
    every cell as the publication-wide decision has it."""
    shared = register.councils_sharing_with(who.partner_code, period_end(period), agreements)
    return partner.build_partner_table(
        period,
        council_months[council_months["period"] == period],
        _members(period),
        shared,
        threshold,
        covers=coverage.sharing_label(who.partner_name),
        min_councils=minimum,
        withheld_covers=coverage.withheld_label(who.partner_name, minimum),
        decided=decisions.month(period, suppression.partner_region_row(who.partner_code)),
    )


def _ees_outputs(
    stem: str, rows: list[list[str]], dictionary: list[list[str]], who: register.Partner
) -> list[Output]:
    """An EES data file, its metadata, data dictionary and typed Parquet copy; the pair is
    screened as the DfE screens it before an EES upload (ScreeningFailed)."""
    data_csv = files.csv_output(f"{stem}.csv", partner.PARTNER_COLUMNS, rows)
    meta_csv = files.csv_output(f"{stem}.meta.csv", partner.META_COLUMNS, partner.meta_rows())
    assert_screened(
        data_csv.content,
        meta_csv.content,
        f"Not published: {who.partner_code}'s extract {data_csv.name}",
    )
    return [
        data_csv,
        meta_csv,
        files.csv_output(f"{stem}.data_dictionary.csv", partner.DICTIONARY_COLUMNS, dictionary),
        Output(
            f"{stem}.parquet",
            files.parquet_bytes(partner.PARTNER_COLUMNS, rows, partner.COLUMN_PLACES),
            len(rows),
        ),
    ]


def _partner_outputs(
    settings: Settings,
    month: MonthInputs,
    who: register.Partner,
    agreements: tuple[register.Agreement, ...],
    threshold: float,
    minimum: int,
    decisions: suppression.Decisions,
):
    """The month's EES files, then the partner's time series to the month."""
    period = month.period
    table = _partner_table(
        month.frames.council_months, period, who, agreements, threshold, minimum, decisions
    )
    rows = partner.partner_rows(table)
    outputs = _ees_outputs(partner_file_stem(period), rows, partner.dictionary_rows(table), who)
    series, revised = _time_series_outputs(
        settings, month, who, agreements, threshold, minimum, decisions, table
    )
    extra = {
        "disclosure_threshold": threshold,
        "suppression": table.disclosure.reason_counts(),
        "revised_periods": revised,
    }
    return outputs + series, extra


def _time_series_outputs(
    settings: Settings,
    month: MonthInputs,
    who: register.Partner,
    agreements: tuple[register.Agreement, ...],
    threshold: float,
    minimum: int,
    decisions: suppression.Decisions,
    table: partner.PartnerTable,
) -> tuple[list[Output], list[str]]:
    """The time series to the month (publish/extracts/time_series.py): every published month's
    table from the same decision as its monthly file (``table``: this month's), and the months
    revised since their monthly file in this partner's outbox, read from there only."""
    history = _history(month.frames)
    periods = time_series.series_periods(decisions.periods, set(history["period"]), _covered)
    tables = [
        table
        if p == month.period
        else _partner_table(history, p, who, agreements, threshold, minimum, decisions)
        for p in periods
    ]
    rows = {t.period: partner.partner_rows(t) for t in tables}
    outbox = settings.published_dir / "outbox" / who.outbox
    earlier = {  # the month published is not among them: its earlier file is being replaced
        p: files.read_published(outbox / p, f"{partner_file_stem(p)}.csv")
        for p in periods
        if p != month.period
    }
    revised = time_series.revised_periods({p: rows[p] for p in earlier}, earlier)
    stem = time_series.stem(month.period)
    dictionary = partner.dictionary_rows(footnote=time_series.dictionary_footnote(stem))
    outputs = _ees_outputs(stem, [r for p in periods for r in rows[p]], dictionary, who)
    footnotes = time_series.footnote_rows(tables, revised)
    outputs.append(
        files.csv_output(f"{stem}.footnotes.csv", time_series.FOOTNOTE_COLUMNS, footnotes)
    )
    return outputs, revised


def _history(frames: MartFrames) -> pd.DataFrame:
    """Every month of the marts up to the period (the suppression panel's months)."""
    return frames.council_months if frames.council_history is None else frames.council_history


def _members_outbox_outputs(month: MonthInputs, who: register.Partner, shared: set[str]):
    """The members' benchmark CSV of the councils sharing with a members-type partner. When
    every member shares it is the benchmark itself. Otherwise the month's regional figure (the
    region mart's, over every member) would carry the others' figures, so it is not sent:
    the file holds the sharing councils' rows only, the regional spread is over them, and
    every row says so ('MoC councils sharing with <partner>')."""
    members = _members(month.period)
    name = f"members_benchmark_{month.period}.csv"
    if {m.council_code for m in members} <= shared:
        rows, _ = _benchmark_outputs(month)
        return [files.csv_output(name, BENCHMARK_COLUMNS, rows)], {}
    sharing = tuple(m for m in members if m.council_code in shared)
    rows = []
    if sharing:
        lines = benchmark.benchmark_lines(month.frames, sharing)
        covered = coverage.month_coverage(
            month.frames.council_months,
            month.period,
            sharing,
            coverage.sharing_label(who.partner_name),
        )
        rows = benchmark.benchmark_rows(lines, sharing, month.period, covered, False)
    return [files.csv_output(name, BENCHMARK_COLUMNS, rows)], {}


@dataclass(frozen=True)
class PartnerOutbox:
    """A partner's publication, built and screened, not yet written."""

    target: Path
    kind: str
    outputs: list[Output]
    manifest: dict


def prepare_partner(
    settings: Settings,
    month: MonthInputs,
    who: register.Partner,
    agreements: tuple[register.Agreement, ...],
    threshold: float | None = None,
    decisions: suppression.Decisions | None = None,
) -> PartnerOutbox:
    """The partner's files and manifest; ScreeningFailed when its EES pair would be rejected.
    The manifest names only what the partner received: the return versions of the councils
    sharing with it, never a withheld council's files, hashes or name (the extract promises
    no tell either way)."""
    threshold = settings.disclosure_threshold if threshold is None else threshold
    shared = register.councils_sharing_with(who.partner_code, period_end(month.period), agreements)
    if who.extract == "partner":
        minimum = settings.min_councils_for_region
        if decisions is None:  # on its own: decided with every partner we know, this one too
            known = {p.partner_code: p for p in (*register.load_partners(), who)}
            partners = tuple(known.values())
            stored = _stored(settings, threshold)
            decisions = decide_suppression(month, threshold, partners, agreements, minimum, stored)
        outputs, extra = _partner_outputs(
            settings, month, who, agreements, threshold, minimum, decisions
        )
    else:
        outputs, extra = _members_outbox_outputs(month, who, shared)
    manifest = {
        **extra,
        "partner_code": who.partner_code,
        "partner_name": who.partner_name,
        "extract": who.extract,
        "inputs": [i for i in month.inputs if i["council_code"] in shared],
    }
    target = settings.published_dir / "outbox" / who.outbox / month.period
    return PartnerOutbox(target, f"{who.extract}_extract", outputs, manifest)


def _write_outbox(settings: Settings, period: str, outbox: PartnerOutbox) -> Publication:
    return files.publish_folder(
        settings.published_dir, outbox.target, outbox.kind, period, outbox.outputs, outbox.manifest
    )


def publish_partner(
    settings: Settings,
    month: MonthInputs,
    who: register.Partner,
    agreements: tuple[register.Agreement, ...],
    threshold: float | None = None,
    decisions: suppression.Decisions | None = None,
) -> Publication:
    outbox = prepare_partner(settings, month, who, agreements, threshold, decisions)
    return _write_outbox(settings, month.period, outbox)


def publish_month(
    settings: Settings,
    period: str | None = None,
    threshold: float | None = None,
    partners: tuple[register.Partner, ...] | None = None,
    agreements: tuple[register.Agreement, ...] | None = None,
) -> list[Publication]:
    """Everything for the month (default: the latest in the marts), members' benchmark first.
    Holds the data folder's run lock (common/run_lock.py), and so first removes the staging
    folders a killed publication left behind."""
    with run_lock(settings.data_dir, "publish", wait=settings.run_lock_wait):
        remove_stale_staging(settings.published_dir)
        return _publish_month(settings, period, threshold, partners, agreements)


def _publish_month(
    settings: Settings,
    period: str | None,
    threshold: float | None,
    partners: tuple[register.Partner, ...] | None,
    agreements: tuple[register.Agreement, ...] | None,
) -> list[Publication]:
    month = read_month(settings, period)
    threshold = settings.disclosure_threshold if threshold is None else threshold
    partners = register.load_partners() if partners is None else partners
    agreements = register.load_register() if agreements is None else agreements
    minimum = settings.min_councils_for_region
    stored = _stored(settings, threshold)
    decisions = decide_suppression(month, threshold, partners, agreements, minimum, stored)
    # Every partner's files are built and screened first: one that EES would reject fails the
    # month (ScreeningFailed) before any publication is written.
    outboxes = [
        prepare_partner(settings, month, w, agreements, threshold, decisions) for w in partners
    ]
    publications = [
        publish_members_benchmark(settings, month=month),
        publish_council_packs(settings, month, threshold, decisions),
    ]
    publications += [_write_outbox(settings, month.period, o) for o in outboxes]
    # Stored last: a run killed before this point decides the same again from the same marts.
    decision_store.save(settings.suppression_store, decisions, threshold, minimum, stored)
    return publications


def published_files(publications: list[Publication]) -> list[Path]:
    return [path for p in publications for path in p.files]
