"""``moc publish`` of a month that cannot be published says why in one line and exits non-zero,
with no traceback and nothing written: a month with no returns (before the MoC or since), one
outside the plausible-period window, something that is not a month, and a warehouse
with nothing built yet (issue 12: 2099-09 was published to members, packs and outboxes).

Marts are synthetic (support.sample_marts) in a real DuckDB warehouse, so no dbt build runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from support.sample_marts import sample_frames, write_warehouse

from common.members import members_on
from common.periods import period_end
from orchestration.cli import main
from publish.publish_month import NothingToPublish, read_month

PERIOD = "2025-03"  # the marts hold the 14 months to it (from 2024-02)


@pytest.fixture
def settings(data_settings):
    data_settings.data_dir.mkdir(parents=True)
    frames = sample_frames(PERIOD, members_on(period_end(PERIOD)), members_on, seed=3)
    write_warehouse(data_settings.warehouse_path, frames)
    return data_settings


def _publish(capsys, *args: str) -> tuple[int, str]:
    """Exit code and stderr of ``moc publish`` (stdout must stay empty)."""
    with pytest.raises(SystemExit) as exited:
        main(["publish", *args])
    captured = capsys.readouterr()
    assert captured.out == ""
    return exited.value.code, captured.err


def _refused(settings, capsys, period: str, reason: str) -> None:
    code, output = _publish(capsys, "--period", period)
    assert code == 1, output
    assert output.strip() == f"moc publish: {reason}"
    assert len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert not settings.published_dir.exists()  # nothing half-published


def test_a_month_with_no_returns_is_refused_in_one_line(settings, capsys):
    _refused(
        settings,
        capsys,
        "2025-09",
        "Nothing to publish for 2025-09: the marts hold no returns for that month "
        "(the latest month with returns is 2025-03).",
    )


def test_a_month_before_any_council_was_a_member_without_returns_is_refused(settings, capsys):
    """Before the MoC a month is published when the region's councils sent returns for it
    (regional history: tests/test_regional_history.py); with none, it is refused as any
    month without returns is."""
    _refused(
        settings,
        capsys,
        "2023-06",
        "Nothing to publish for 2023-06: the marts hold no returns for that month "
        "(the latest month with returns is 2025-03).",
    )


def test_a_month_outside_the_plausible_window_is_refused_in_one_line(settings, capsys):
    window = settings.plausible_window()
    _refused(
        settings,
        capsys,
        "2099-09",
        f"Nothing to publish for 2099-09: it is outside the months returns can be for ({window}).",
    )


def test_something_that_is_not_a_month_is_refused_in_one_line(settings, capsys):
    _refused(
        settings, capsys, "2025-13", "Nothing to publish: '2025-13' is not a month; give YYYY-MM."
    )


def test_nothing_built_yet_is_refused_in_one_line(data_settings, capsys):
    code, output = _publish(capsys)
    assert code == 1
    assert output.strip().startswith("moc publish: Nothing to publish: there is no warehouse at")
    assert "Traceback" not in output


def test_the_latest_month_is_read_within_the_window_on_the_day(settings):
    assert read_month(settings).period == PERIOD
    # On 15 January 2025 the window ends in February 2025: the latest month is February's.
    assert read_month(settings, today=dt.date(2025, 1, 15)).period == "2025-02"
    with pytest.raises(NothingToPublish, match="outside the months returns can be for"):
        read_month(settings, PERIOD, today=dt.date(2025, 1, 15))


def test_a_month_with_returns_is_still_published(settings, capsys):
    assert main(["publish", "--period", PERIOD]) == 0
    assert f"Published {PERIOD}:" in capsys.readouterr().out


def test_the_airflow_task_fails_at_once_without_retries_when_there_is_nothing_to_publish(
    settings,
):
    """A scheduled run for a month with no returns: retrying finds the same marts and holds up
    the publications new marts trigger, so the task fails without retries, saying why."""
    from airflow.sdk.exceptions import AirflowFailException

    from orchestration.tasks import publish_task

    with pytest.raises(AirflowFailException, match="no returns for that month"):
        publish_task("2025-09")
    assert not settings.published_dir.exists()
