"""The EES screener (publish/extracts/ees_screener.py, issue 14): every partner file the pipeline
publishes passes the DfE's screening rules, each kind of broken file is rejected by the rule
that names its fault, and a partner file that would be rejected fails ``moc publish`` in one
line with nothing written.

Marts are synthetic (support.sample_marts) in a real DuckDB warehouse, so no dbt build runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from support.sample_marts import sample_frames, write_warehouse

from common.members import members_on
from common.periods import period_end
from common.settings import load_settings
from orchestration.cli import main
from publish.extracts import partner
from publish.extracts.ees_screener import (
    CHECKS,
    ScreeningFailed,
    assert_screened,
    screen,
)
from publish.publish_month import publish_month

PERIOD = "2025-03"
MISSING = (("873", PERIOD), ("821", PERIOD))  # two councils without a return: x cells


def _publish(data_dir: Path, missing=()) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOC_DATA_DIR", str(data_dir))
        for name in ("MOC_WAREHOUSE_PATH", "MOC_PUBLISHED_DIR"):
            patch.delenv(name, raising=False)
        settings = load_settings()
        settings.data_dir.mkdir(parents=True)
        members = members_on(period_end(PERIOD))
        frames = sample_frames(PERIOD, members, members_on, seed=3, missing=missing)
        write_warehouse(settings.warehouse_path, frames)
        publish_month(settings, PERIOD)
        return settings.published_dir / "outbox"


@pytest.fixture(scope="module")
def outboxes(tmp_path_factory) -> list[Path]:
    """The outboxes of two publications: every council with a return, and two without."""
    root = tmp_path_factory.mktemp("screener")
    return [_publish(root / "full"), _publish(root / "missing", MISSING)]


def _pairs(outbox: Path) -> list[tuple[Path, Path]]:
    metas = sorted(outbox.glob("*/*/*.meta.csv"))
    return [(m.with_name(m.name.removesuffix(".meta.csv") + ".csv"), m) for m in metas]


def test_every_partner_file_published_passes_the_screener(outboxes):
    pairs = [pair for outbox in outboxes for pair in _pairs(outbox)]
    # dfe, lga and the south east, in both publications: the month's file and the time series
    assert len(pairs) == 12
    assert len([d for d, _ in pairs if "_time_series_to_" in d.name]) == 6
    for data, meta in pairs:
        assert screen(data, meta) == [], data
    symbols = set(pd.read_csv(pairs[-1][0], dtype=str).iloc[:, 10:].stack())
    assert {"c", "x"} <= symbols  # the symbols were screened, not just numbers


@pytest.fixture
def good(outboxes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A published data/meta pair as text, to break one way at a time."""
    data, meta = _pairs(outboxes[1])[0]

    def read(path):
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    return read(data), read(meta)


Frames = tuple[pd.DataFrame, pd.DataFrame]
LA = 1  # the first council row (row 0 is the region)


def _set(frame: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[row, column] = value
    return frame


def _meta_set(meta: pd.DataFrame, col_name: str, column: str, value: str) -> pd.DataFrame:
    meta = meta.copy()
    meta.loc[meta["col_name"] == col_name, column] = value
    return meta


def _rename(data: pd.DataFrame, meta: pd.DataFrame, old: str, new: str) -> Frames:
    return data.rename(columns={old: new}), _meta_set(meta, old, "col_name", new)


def _with_filter(data: pd.DataFrame, meta: pd.DataFrame, levels: list[str], **meta_cells) -> Frames:
    data = data.copy()
    data.insert(10, "social_worker_role", (levels * len(data))[: len(data)])
    row = dict.fromkeys(meta.columns, "")
    row.update(col_name="social_worker_role", col_type="Filter", label="Role", **meta_cells)
    return data, pd.concat([pd.DataFrame([row]), meta], ignore_index=True)


# (id, how the good pair is broken, the check that must name it, words its message must hold)
BROKEN: list[tuple[str, Callable[[pd.DataFrame, pd.DataFrame], Frames], str, tuple[str, ...]]] = [
    (
        "missing required column",
        lambda d, m: (d.drop(columns="country_name"), m),
        "col_req_data",
        ("country_name",),
    ),
    (
        "meta without indicator_dp column",
        lambda d, m: (d, m.drop(columns="indicator_dp")),
        "col_req_meta",
        ("indicator_dp",),
    ),
    (
        "LA row without new_la_code",
        lambda d, m: (_set(d, LA, "new_la_code", ""), m),
        "geog_level_completed",
        ("new_la_code", "Local authority", "line 3"),
    ),
    (
        "LA columns filled on the regional row",
        lambda d, m: (_set(d, 0, "old_la_code", "999"), m),
        "geog_overcompleted_cols",
        ("old_la_code", "line 2", "'999'"),
    ),
    (
        "LA row without its geography columns",
        lambda d, m: (d.drop(columns=["old_la_code", "new_la_code", "la_name"]), m),
        "geog_level_present",
        ("old_la_code", "Local authority"),
    ),
    (
        "bad time_identifier",
        lambda d, m: (_set(d, LA, "time_identifier", "Mar"), m),
        "time_id_valid",
        ("'Mar'", "line 3"),
    ),
    (
        "mixed time identifiers",
        lambda d, m: (_set(d, LA, "time_identifier", "Calendar year"), m),
        "time_id_mix",
        ("Calendar year", "March"),
    ),
    (
        "time_period not a year",
        lambda d, m: (_set(d, LA, "time_period", "2025-03"), m),
        "time_period_num",
        ("'2025-03'",),
    ),
    (
        "time_period of six letters",
        lambda d, m: (_set(d, LA, "time_period", "twenty"), m),
        "time_period_num",
        ("'twenty'",),
    ),
    (
        "six-digit time_period for a month",
        lambda d, m: (d.assign(time_period="202425"), m),
        "time_period_length",
        ("'202425'",),
    ),
    (
        "bad geographic_level",
        lambda d, m: (_set(d, LA, "geographic_level", "County"), m),
        "geog_level",
        ("'County'",),
    ),
    (
        "region code not a GSS code",
        lambda d, m: (_set(d, LA, "region_code", "EE"), m),
        "geog_code_format",
        ("region_code", "'EE'"),
    ),
    (
        "Total as a place",
        lambda d, m: (_set(d, 0, "la_name", "Total"), m),
        "filter_ob_total",
        ("la_name",),
    ),
    (
        "blank indicator cell",
        lambda d, m: (_set(d, LA, "vacancy_rate_fte", ""), m),
        "ind_invalid_entry",
        ("vacancy_rate_fte", "line 3", "''"),
    ),
    (
        "non-GSS symbol N/A",
        lambda d, m: (_set(d, LA, "inpost_fte", "N/A"), m),
        "ind_invalid_entry",
        ("inpost_fte", "'N/A'"),
    ),
    (
        "obsolete symbol :",
        lambda d, m: (_set(d, LA, "cases", ":"), m),
        "ind_invalid_entry",
        ("cases", "':'"),
    ),
    (
        "NA in a geography cell",
        lambda d, m: (_set(d, 0, "la_name", "NA"), m),
        "general_null",
        ("la_name", "'NA'"),
    ),
    (
        "duplicate rows",
        lambda d, m: (pd.concat([d, d.iloc[[LA]]], ignore_index=True), m),
        "general_dupes",
        ("1 duplicate row",),
    ),
    (
        "meta col_type not Filter or Indicator",
        lambda d, m: (d, _meta_set(m, "cases", "col_type", "Measure")),
        "meta_col_type",
        ("cases", "'Measure'"),
    ),
    (
        "bad indicator_unit",
        lambda d, m: (d, _meta_set(m, "vacancy_rate_fte", "indicator_unit", "percent")),
        "meta_ind_unit_validation",
        ("vacancy_rate_fte", "'percent'"),
    ),
    (
        "indicator_dp not an integer",
        lambda d, m: (d, _meta_set(m, "inpost_fte", "indicator_dp", "1.5")),
        "meta_ind_dp_values",
        ("inpost_fte", "'1.5'"),
    ),
    (
        "indicator without indicator_dp",
        lambda d, m: (d, _meta_set(m, "inpost_fte", "indicator_dp", "")),
        "meta_ind_dp_set",
        ("inpost_fte",),
    ),
    (
        "data column missing from meta",
        lambda d, m: (d.assign(extra_fte="1.0"), m),
        "cross_data_to_meta",
        ("extra_fte",),
    ),
    (
        "meta column missing from data",
        lambda d, m: (d.drop(columns="cases"), m),
        "cross_meta_to_data",
        ("cases",),
    ),
    (
        "geography column in meta",
        lambda d, m: (d, _meta_set(m, "cases", "col_name", "la_name")),
        "meta_ob_unit",
        ("la_name",),
    ),
    (
        "col_name twice in meta",
        lambda d, m: (d, pd.concat([m, m.iloc[[0]]], ignore_index=True)),
        "meta_col_name_dupe",
        ("inpost_fte",),
    ),
    (
        "blank label",
        lambda d, m: (d, _meta_set(m, "cases", "label", "")),
        "meta_label",
        ("cases",),
    ),
    (
        "label too long",
        lambda d, m: (d, _meta_set(m, "cases", "label", "Cases " * 14)),
        "api_char_col_label",
        ("cases (84)",),
    ),
    (
        "filter_hint on an indicator",
        lambda d, m: (d, _meta_set(m, "cases", "filter_hint", "Pick one")),
        "meta_filter_hint",
        ("cases",),
    ),
    (
        "column name with a space",
        lambda d, m: _rename(d, m, "inpost_fte", "inpost fte"),
        "col_names_spaces",
        ("'inpost fte'",),
    ),
    (
        "column name not snake_case",
        lambda d, m: _rename(d, m, "inpost_fte", "InPost_FTE"),
        "col_snake_case",
        ("InPost_FTE",),
    ),
    (
        "column name too long",
        lambda d, m: _rename(d, m, "inpost_fte", "inpost_fte" + "_x" * 21),
        "api_char_col_name",
        ("inpost_fte_x_x",),
    ),
    (
        "filter with one level",
        lambda d, m: _with_filter(d, m, ["Total"]),
        "filter_not_singular",
        ("social_worker_role",),
    ),
    (
        "filter with indicator_dp",
        lambda d, m: _with_filter(d, m, ["Total", "Social worker"], indicator_dp="1"),
        "meta_indicator_dp",
        ("social_worker_role",),
    ),
]


def test_the_good_pair_passes(good):
    assert screen(*good) == []


@pytest.mark.parametrize(
    ("break_it", "check", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_each_kind_of_broken_file_is_rejected_by_its_check(good, break_it, check, words):
    failures = screen(*break_it(*good))
    named = {f.check: f.message for f in failures}
    assert check in named, failures
    for word in words:
        assert word in named[check], named[check]
    assert all("\n" not in f.message for f in failures)


def test_the_broken_files_cover_many_checks():
    covered = {b[2] for b in BROKEN}
    assert len(covered) >= 25
    assert covered <= {c.__name__ for c in CHECKS}


def test_assert_screened_raises_one_line_naming_the_first_failure_and_the_rest(good):
    data, meta = good
    data = _set(_set(data, LA, "inpost_fte", ""), LA, "geographic_level", "County")
    with pytest.raises(ScreeningFailed) as failed:
        assert_screened(data, meta, "moc_workforce_2025_03.csv")
    message = str(failed.value)
    assert message.startswith("moc_workforce_2025_03.csv fails the EES screener: geog_level: ")
    assert message.endswith("(and 1 more: ind_invalid_entry)")
    assert "\n" not in message


def test_the_screener_reads_csv_bytes_as_text(good):
    """'NA' in a file stays 'NA' (pandas would read it as missing and hide it)."""
    data, meta = good
    broken = _set(data, LA, "inpost_fte", "NA").to_csv(index=False).encode()
    failures = screen(broken, meta.to_csv(index=False).encode())
    assert {"general_null", "ind_invalid_entry"} <= {f.check for f in failures}


def test_moc_publish_refuses_a_partner_file_the_screener_rejects(
    data_settings, monkeypatch, capsys
):
    data_settings.data_dir.mkdir(parents=True)
    frames = sample_frames(PERIOD, members_on(period_end(PERIOD)), members_on, seed=3)
    write_warehouse(data_settings.warehouse_path, frames)
    meta_rows = partner.meta_rows

    def percent_as_a_word():
        return [[*r[:4], "percent" if r[4] == "%" else r[4], *r[5:]] for r in meta_rows()]

    monkeypatch.setattr(partner, "meta_rows", percent_as_a_word)
    with pytest.raises(SystemExit) as exited:
        main(["publish", "--period", PERIOD])
    captured = capsys.readouterr()
    assert exited.value.code == 1 and captured.out == ""
    line = captured.err.strip()
    assert line.startswith(
        "moc publish: Not published: dfe's extract moc_workforce_2025_03.csv fails the EES "
        "screener: meta_ind_unit_validation: indicator_unit must be one of"
    )
    assert "vacancy_rate_fte ('percent')" in line
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    published = data_settings.published_dir
    assert not [p for p in published.rglob("*") if p.is_file()]  # nothing half-published
