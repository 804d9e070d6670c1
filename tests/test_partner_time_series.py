"""A partner's time series (issue 14): published month by month, each month's publication holds
an EES file with every month to it, cell for cell the monthly files' text (the same decision,
so no new disclosure surface), councils a partner does not receive in a month left out of
that month, screened; typed Parquet copies with the symbols beside the numbers; the same bytes
on a re-run; a month whose marts change after it was published is footnoted as revised.

Marts are synthetic (support.sample_marts) in a real DuckDB warehouse; four months, so each
publication decides a short panel.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.published_files import csv_rows, parquet_as_text
from support.sample_marts import (
    council_months,
    random_records,
    region_months,
    sample_frames,
    write_warehouse,
)

from common.members import members_on
from common.periods import month_range, period_end
from common.rounding import SYMBOLS
from common.settings import load_settings
from publish.extracts import ees, register, time_series
from publish.extracts.ees_screener import screen
from publish.extracts.files import SYMBOL_SUFFIX, csv_bytes, parquet_bytes, read_published
from publish.extracts.marts import MartFrames
from publish.extracts.partner import COLUMN_PLACES, PARTNER_COLUMNS
from publish.publish_month import partner_file_stem, publish_month

PERIODS = month_range("2025-01", "2025-04")
LAST = PERIODS[-1]
MISSING = ("883", "2025-03")  # Thurrock sends nothing for March
PARTNERS = (
    register.Partner("dfe", "Department for Education", "dfe", "partner"),
    register.Partner("near", "A neighbouring region", "near-region", "partner"),
)
SIGNED = ("822", "873", "881", "919", "926")
LEAVES = "821"  # shares with 'near' until 1 March 2025: in January and February only


def _agreements():
    everyone = [m.council_code for m in members_on(period_end(LAST))]
    rows = [register.Agreement(c, "dfe", dt.date(2024, 1, 1), None) for c in everyone]
    rows += [register.Agreement(c, "near", dt.date(2024, 1, 1), None) for c in SIGNED]
    rows.append(register.Agreement(LEAVES, "near", dt.date(2024, 1, 1), dt.date(2025, 3, 1)))
    return tuple(rows)


def _frames(revise: str | None = None):
    """The marts of the four months; ``revise``: that month's biggest council returns 25 FTE
    more in post (a late correction)."""
    members = members_on(period_end(LAST))
    if revise is None:
        return sample_frames(LAST, members, members_on, seed=11, months=4, missing=[MISSING])
    codes = [m.council_code for m in members]
    records = [
        r for r in random_records(PERIODS, codes, 11) if (r["council_code"], r["period"]) != MISSING
    ]
    month = [r for r in records if r["period"] == revise]
    max(month, key=lambda r: r["permanent_fte"])["permanent_fte"] += 25.0
    councils = council_months(records)
    return MartFrames(LAST, councils, region_months(councils, members_on))


def _publish(settings, period):
    return publish_month(settings, period, 5, PARTNERS, _agreements())


def _contents(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("time_series") / "data"
    data_dir.mkdir(parents=True)
    settings = load_settings({"MOC_DATA_DIR": str(data_dir)})
    write_warehouse(settings.warehouse_path, _frames())
    return settings


@pytest.fixture(scope="module")
def published(settings):
    """Every month published in turn, as the monthly runs would; the outboxes afterwards."""
    for period in PERIODS:
        _publish(settings, period)
    return _contents(settings.published_dir)


def _outbox(settings, partner: register.Partner, period: str = LAST) -> Path:
    return settings.published_dir / "outbox" / partner.outbox / period


def _series(settings, partner, period: str = LAST) -> pd.DataFrame:
    path = _outbox(settings, partner, period) / f"{time_series.stem(period)}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("partner", PARTNERS, ids=lambda p: p.partner_code)
def test_the_time_series_has_every_month_in_order(settings, published, partner):
    series = _series(settings, partner)
    months = [f"{y}-{ees.MONTHS.index(m) + 1:02d}" for y, m in series[ees.TIME_COLUMNS].values]
    assert list(dict.fromkeys(months)) == PERIODS
    assert months == sorted(months)
    assert list(series.columns) == PARTNER_COLUMNS


@pytest.mark.parametrize("partner", PARTNERS, ids=lambda p: p.partner_code)
def test_every_cell_is_the_monthly_files_cell(settings, published, partner):
    """Read with Python's csv module: each month's rows of the time series are, in order and
    text for text, the rows of the month's own file published when that month was."""
    (header, *rows) = csv_rows(_outbox(settings, partner) / f"{time_series.stem(LAST)}.csv")
    by_month: dict[tuple[str, str], list[list[str]]] = {}
    for row in rows:
        by_month.setdefault((row[0], row[1]), []).append(row)
    for period in PERIODS:
        monthly = csv_rows(_outbox(settings, partner, period) / f"{partner_file_stem(period)}.csv")
        assert monthly[0] == header
        assert by_month[tuple(ees.time_columns(period))] == monthly[1:], period


def test_a_council_is_in_the_months_it_shares_only(settings, published):
    near = _series(settings, PARTNERS[1])
    councils = near[near["geographic_level"] == ees.LOCAL_AUTHORITY]
    months = {code: set(rows["time_identifier"]) for code, rows in councils.groupby("old_la_code")}
    assert months[LEAVES] == {"January", "February"}
    assert set(months) == {*SIGNED, LEAVES}
    assert all(months[c] == {"January", "February", "March", "April"} for c in SIGNED)


def test_a_missing_council_is_footnoted_for_its_month(settings, published):
    path = _outbox(settings, PARTNERS[0]) / f"{time_series.stem(LAST)}.footnotes.csv"
    notes = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(notes.columns) == time_series.FOOTNOTE_COLUMNS
    (march,) = notes[notes["applies_to"] == "Regional row, March 2025"]["footnote"]
    assert "No return from Thurrock" in march
    assert not notes["applies_to"].str.startswith("All indicators").any(), "nothing revised"
    dictionary = pd.read_csv(
        _outbox(settings, PARTNERS[0]) / f"{time_series.stem(LAST)}.data_dictionary.csv",
        dtype=str,
        keep_default_na=False,
    ).set_index("col_name")
    assert path.name in dictionary.loc["councils_in_regional_figure", "description"]


@pytest.mark.parametrize("partner", PARTNERS, ids=lambda p: p.partner_code)
def test_the_time_series_passes_the_ees_screener(settings, published, partner):
    folder = _outbox(settings, partner)
    stem = time_series.stem(LAST)
    assert screen(folder / f"{stem}.csv", folder / f"{stem}.meta.csv") == []


def test_the_manifest_lists_every_file_of_the_outbox(settings, published):
    for partner in PARTNERS:
        folder = _outbox(settings, partner)
        manifest = json.loads((folder / "manifest.json").read_bytes())
        stem, series = partner_file_stem(LAST), time_series.stem(LAST)
        expected = {f"{stem}{s}" for s in (".csv", ".meta.csv", ".data_dictionary.csv")}
        expected |= {f"{stem}.parquet", f"{series}.parquet", f"{series}.footnotes.csv"}
        expected |= {f"{series}{s}" for s in (".csv", ".meta.csv", ".data_dictionary.csv")}
        assert {f["name"] for f in manifest["files"]} == expected
        assert {p.name for p in folder.iterdir()} == expected | {"manifest.json"}
        assert manifest["revised_periods"] == []


def test_no_council_a_partner_never_received_is_named_in_its_outbox(settings, published):
    root = settings.published_dir / "outbox" / PARTNERS[1].outbox
    text = b"".join(p.read_bytes() for p in root.rglob("*") if p.suffix in (".csv", ".json"))
    for member in members_on(period_end(LAST)):
        if member.council_code not in (*SIGNED, LEAVES):
            assert member.council_name.encode() not in text, member.council_name


@pytest.mark.parametrize("kind", ["monthly", "time series"])
def test_the_parquet_copies_are_typed_with_symbols_beside(settings, published, kind):
    folder = _outbox(settings, PARTNERS[0])
    stem = partner_file_stem(LAST) if kind == "monthly" else time_series.stem(LAST)
    table = pq.read_table(folder / f"{stem}.parquet")
    schema = {f.name: f.type for f in table.schema}
    for name, places in COLUMN_PLACES.items():
        assert schema[name] == pa.decimal128(18, places), name
        assert schema[f"{name}{SYMBOL_SUFFIX}"] == pa.string(), name
    for name in ees.STANDARD_COLUMNS:
        assert schema[name] == pa.string(), name
    # exactly one of figure and symbol on every cell, the symbol one of the DfE's
    for name in COLUMN_PLACES:
        figures = table.column(name).to_pylist()
        symbols = table.column(f"{name}{SYMBOL_SUFFIX}").to_pylist()
        assert all((f is None) != (s is None) for f, s in zip(figures, symbols, strict=True))
        assert {s for s in symbols if s is not None} <= SYMBOLS
        assert all(isinstance(f, Decimal) for f in figures if f is not None)
    assert parquet_as_text(folder / f"{stem}.parquet") == csv_rows(folder / f"{stem}.csv")
    frame = pd.read_parquet(folder / f"{stem}.parquet")  # pandas: Decimal figures, None
    figures = frame["inpost_fte"].dropna()
    assert len(figures) and all(isinstance(v, Decimal) for v in figures)
    assert frame.loc[figures.index, "inpost_fte_symbol"].isna().all()
    assert set(frame.loc[frame["inpost_fte"].isna(), "inpost_fte_symbol"]) <= SYMBOLS


def test_a_figure_that_is_not_exact_is_refused_not_rounded():
    header = ["time_period", "inpost_fte"]
    with pytest.raises(ValueError, match="1 decimal places"):
        parquet_bytes(header, [["2025", "12.34"]], {"inpost_fte": 1})
    with pytest.raises(ValueError, match="neither a symbol"):
        parquet_bytes(header, [["2025", ""]], {"inpost_fte": 1})
    content = parquet_bytes(header, [["2025", "12.3"], ["2025", "c"]], {"inpost_fte": 1})
    assert content == parquet_bytes(header, [["2025", "12.3"], ["2025", "c"]], {"inpost_fte": 1})


def test_publishing_again_gives_the_same_bytes(settings, published):
    _publish(settings, LAST)
    again = _contents(settings.published_dir)
    assert sorted(again) == sorted(published)
    assert [name for name in published if again[name] != published[name]] == []


def test_a_month_revised_after_it_was_published_is_footnoted(settings, published, tmp_path):
    """February's marts change (a late correction from its biggest council) after January to
    April were published: April published again carries February's new figures in its time
    series and footnotes February as revised; the monthly files already published stay."""
    revised = load_settings({"MOC_DATA_DIR": str(tmp_path / "data")})
    shutil.copytree(settings.published_dir, revised.published_dir)
    write_warehouse(revised.warehouse_path, _frames(revise="2025-02"))
    _publish(revised, LAST)
    after = _contents(revised.published_dir)
    for period in PERIODS[:-1]:
        for partner in PARTNERS:
            folder = f"outbox/{partner.outbox}/{period}/"
            assert {n: c for n, c in after.items() if n.startswith(folder)} == {
                n: c for n, c in published.items() if n.startswith(folder)
            }
    folder = _outbox(revised, PARTNERS[0])
    assert json.loads((folder / "manifest.json").read_bytes())["revised_periods"] == ["2025-02"]
    notes = pd.read_csv(
        folder / f"{time_series.stem(LAST)}.footnotes.csv", dtype=str, keep_default_na=False
    )
    (note,) = notes[notes["applies_to"].str.startswith("All indicators")]["footnote"]
    assert note.startswith("Revised: the figures for February 2025 differ")
    assert "January 2025" not in note and "March 2025" not in note
    series = _series(revised, PARTNERS[0])
    february = series[series["time_identifier"] == "February"].reset_index(drop=True)
    monthly = pd.read_csv(
        _outbox(revised, PARTNERS[0], "2025-02") / f"{partner_file_stem('2025-02')}.csv",
        dtype=str,
        keep_default_na=False,
    )
    assert list(february.columns) == list(monthly.columns)
    assert not february.equals(monthly), "the time series carries the revised figures"


def _month_rows(settings, partner, period) -> list[list[str]]:
    return csv_rows(_outbox(settings, partner, period) / f"{partner_file_stem(period)}.csv")


def test_a_revision_is_a_changed_cell_not_a_changed_layout(settings, published):
    (header, *rows) = _month_rows(settings, PARTNERS[0], "2025-02")
    as_published = csv_bytes(header, rows)
    assert time_series.revised_periods({"2025-02": rows}, {"2025-02": as_published}) == []
    changed = [list(r) for r in rows]
    column = header.index("inpost_fte")
    changed[-1][column] = "1.0" if changed[-1][column] == "c" else "c"
    assert time_series.revised_periods({"2025-02": changed}, {"2025-02": as_published}) == [
        "2025-02"
    ]
    fewer = csv_bytes(header[:-1], [r[:-1] for r in rows])  # an earlier pipeline's columns
    assert time_series.revised_periods({"2025-02": rows}, {"2025-02": fewer}) == []
    one_less = csv_bytes(header, rows[:-1])  # a council's row it did not have
    assert time_series.revised_periods({"2025-02": rows}, {"2025-02": one_less}) == ["2025-02"]
    for unreadable in (None, b"\xff\xfe", b"not,a,partner,file\n"):
        assert time_series.revised_periods({"2025-02": changed}, {"2025-02": unreadable}) == []


def test_only_a_file_its_manifest_lists_is_read_back(settings, published, tmp_path):
    source = _outbox(settings, PARTNERS[0], "2025-02")
    name = f"{partner_file_stem('2025-02')}.csv"
    assert read_published(source, name) == (source / name).read_bytes()
    copy = tmp_path / "2025-02"
    shutil.copytree(source, copy)
    (copy / name).write_bytes((source / name).read_bytes() + b"x\n")
    assert read_published(copy, name) is None, "not the bytes its manifest lists"
    (copy / name).unlink()
    (copy / name).symlink_to(source / name)
    assert read_published(copy, name) is None, "a link is not followed"
    linked = tmp_path / "linked"
    linked.symlink_to(source, target_is_directory=True)
    assert read_published(linked, name) is None
    assert read_published(tmp_path / "nowhere", name) is None
