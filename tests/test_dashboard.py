"""The project leads' dashboard, driven in a real headless Chromium.

Generated returns for four councils over three months (plus one corrupt resubmission from
Luton) go through ingest, a real `dbt build` and publish_marts_snapshot; the dashboard then runs
on loopback in its own process, reading only that snapshot, and Playwright drives Debian's
chromium (`executable_path`, never `playwright install`). Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from common.periods import month_range
from common.rounding import publish_figure
from common.settings import load_settings
from samples.returns import generate_returns

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import queries  # noqa: E402
from dashboard.run import main as run_main  # noqa: E402
from dashboard.run import streamlit_command, streamlit_environment  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
COUNCILS = ["821", "822", "881", "883"]  # Luton, Bedford, Essex, Thurrock
LUTON = "821"
PERIODS = month_range("2025-11", "2026-01")
LATEST = PERIODS[-1]
# (url path, heading, charts at least)
PAGES = [
    ("", "Returns for", 1),
    ("vacancies", "Vacancies and agency use", 1),
    ("agency", "Agency rates", 2),
    ("agency-rules", "Agency rules", 2),
    ("pay", "Pay", 3),
    ("extracts", "Published extracts", 0),
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def snapshot_env(tmp_path_factory) -> dict[str, str]:
    """A data folder with ingested returns, the dbt marts and the published snapshot."""
    from ingest.pipeline import ingest_new_files
    from transform.dbt_runner import run_dbt_build
    from transform.marts_snapshot import publish_marts_snapshot

    data_dir = tmp_path_factory.mktemp("dashboard") / "data"
    env = {"MOC_DATA_DIR": str(data_dir)}
    settings = load_settings(env)
    bucket = Path(settings.bucket_url)
    generate_returns(bucket, PERIODS, councils=COUNCILS)
    # A corrupt resubmission: rejected, while Luton's first version stays in the marts.
    (bucket / "luton" / f"luton_{LATEST}_return_v2.xlsx").write_bytes(b"not a workbook")
    ingest_new_files(settings)
    run_dbt_build(settings, stream=False)  # as the pipeline builds (creates the build state)
    publish_marts_snapshot(settings)
    extract = settings.published_dir / "members_benchmark" / LATEST
    extract.mkdir(parents=True)
    (extract / f"members_benchmark_{LATEST}.csv").write_text("time_period\n2026-01\n")
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(snapshot_env, tmp_path_factory):
    """The dashboard on a free loopback port; stopped (and waited for) in teardown."""
    port = _free_port()
    env = streamlit_environment({**os.environ, **snapshot_env})
    for name in ("MOC_MARTS_SNAPSHOT", "MOC_PUBLISHED_DIR", "MOC_WAREHOUSE_PATH"):
        env.pop(name, None)
    log_path = tmp_path_factory.mktemp("dashboard-log") / "streamlit.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            streamlit_command(port, "127.0.0.1"),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The dashboard did not start:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium): `make test` installs it "
            "as root, or run `apt-get install -y --no-install-recommends chromium`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def _open(page, url: str, heading: str):
    page.goto(url)
    page.get_by_role("heading", name=heading).first.wait_for()
    _settle(page)


def _settle(page) -> None:
    """Wait until Streamlit has finished the script run (its status widget is gone)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def _no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.all_inner_texts()


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard_{name}.png"), full_page=True)


def _mart_value(env: dict[str, str], sql: str, params: list) -> float:
    con = duckdb.connect(str(queries.snapshot_location(env)), read_only=True)
    try:
        (value,) = con.execute(sql, params).fetchone()
    finally:
        con.close()
    return value


def _ranked_rows(page):
    """The rows of the Vacancies page's ranked table, once it is on the page."""
    page.get_by_role("heading", name="councils ranked").wait_for()
    table = page.locator('[data-testid="stTable"]').last
    table.locator("tbody tr").first.wait_for()
    return table.locator("tbody tr")


def _ranked_row(page, council: str) -> list[str]:
    row = _ranked_rows(page).filter(has_text=council).first
    return [text.strip() for text in row.locator("td, th").all_inner_texts()]


def _first_column(table) -> list[str]:
    table.locator("tbody tr").first.wait_for()
    return [t.strip() for t in table.locator("tbody tr > :first-child").all_inner_texts()]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "heading", "charts"), PAGES)
def test_every_page_loads_without_error_and_its_charts_render(server, page, path, heading, charts):
    _open(page, f"{server}/{path}", heading)
    _no_exception(page)
    if charts:
        page.locator(".vega-embed canvas, .vega-embed svg").nth(charts - 1).wait_for()
        assert page.locator(".vega-embed canvas, .vega-embed svg").count() >= charts
    # Download buttons can appear a second after the script run ends (seen on the extracts page).
    page.get_by_role("button", name="Download").first.wait_for()
    assert page.get_by_role("button", name="Download").count() >= 1  # CSVs or extracts
    _screenshot(page, path or "returns")


@pytest.mark.slow
def test_returns_page_shows_the_rejected_file_and_the_late_councils(server, page):
    _open(page, server, f"Returns for {LATEST}")
    page.get_by_role("heading", name="Rejected files").wait_for()
    tables = page.locator('[data-testid="stTable"]')
    late, rejected = _first_column(tables.nth(0)), tables.nth(1).inner_text()
    assert f"luton_{LATEST}_return_v2.xlsx" in rejected and "Luton" in rejected
    assert {"Cambridgeshire", "Norfolk", "Suffolk"} <= set(late)  # members that sent nothing
    assert not {"Luton", "Bedford", "Essex", "Thurrock"} & set(late)
    assert len(late) == 11 - len(COUNCILS)


@pytest.mark.slow
def test_latest_vacancy_rate_on_the_page_equals_the_mart(server, page, snapshot_env):
    _open(page, f"{server}/vacancies", "Vacancies and agency use")
    page.get_by_role("heading", name=f"{LATEST}: councils ranked").wait_for()
    row = _ranked_row(page, "Luton")
    mart = _mart_value(
        snapshot_env,
        f"SELECT vacancy_rate FROM {queries.COUNCIL_MONTHS} WHERE council_code = ? AND period = ?",
        [LUTON, LATEST],
    )
    assert row[0] == "Luton"
    assert row[1] == publish_figure(mart, 1)
    region = _mart_value(
        snapshot_env,
        f"SELECT agency_rate FROM {queries.REGION_MONTHS} WHERE period = ?",
        [LATEST],
    )
    assert _ranked_row(page, "(region)")[3] == publish_figure(region, 1)
    # the regional line says what it holds: 4 of the 11 members send returns in this sample,
    # so every month is flagged with the others missing
    caption = page.get_by_text("The regional line holds the councils with a return").first
    assert f"{len(COUNCILS)} of 11 in {LATEST}" in caption.inner_text()
    assert "not a fall" in caption.inner_text()


@pytest.mark.slow
def test_council_filter_changes_what_is_shown(server, page):
    _open(page, f"{server}/vacancies", "Vacancies and agency use")
    rows = _ranked_rows(page)
    assert rows.count() == 11 + 1  # every member council and the region
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').click()
    page.keyboard.type("Luton")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stTable\"] tbody tr').length === 2",
        timeout=TIMEOUT_MS,
    )
    _settle(page)
    _no_exception(page)
    texts = rows.all_inner_texts()
    assert "Luton" in texts[0] and "(region)" in texts[1]
    _screenshot(page, "vacancies_filtered_luton")


@pytest.mark.slow
def test_role_filter_recomputes_the_rates_from_the_role_cells(server, page, snapshot_env):
    _open(page, f"{server}/vacancies", "Vacancies and agency use")
    before = _ranked_row(page, "Luton")[1]
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Team manager").click()
    _settle(page)
    page.wait_for_function(
        "([before]) => { const rows = [...document.querySelectorAll("
        "'[data-testid=\"stTable\"] tbody tr')].filter(r => r.innerText.includes('Luton'));"
        " return rows.length && !rows[0].innerText.includes(before); }",
        arg=[before],
        timeout=TIMEOUT_MS,
    )
    _no_exception(page)
    components = _mart_value(
        snapshot_env,
        f"SELECT 100 * sum(vacancy_fte) / (sum(vacancy_fte) + sum(permanent_fte)) "
        f"FROM {queries.VACANCY_CELLS} WHERE council_code = ? AND period = ? "
        "AND regional_role = 'team_manager'",
        [LUTON, LATEST],
    )
    assert _ranked_row(page, "Luton")[1] == publish_figure(components, 1)
    _screenshot(page, "vacancies_team_managers")


def test_filtered_recomputation_uses_the_dbt_definitions(snapshot_env):
    """The dashboard recomputes rates for a role or service area filter in Python, with the
    extracts' rate arithmetic (publish.extracts.indicators): filtered to a single cell it must
    give the mart's own rates, which come from the dbt macros."""
    con = queries.connect(queries.snapshot_location(snapshot_env))
    try:
        metrics = ", ".join(queries.VACANCY_METRICS)
        cells = con.execute(
            f"SELECT council_code, regional_role, service_area, {metrics}"
            f" FROM {queries.VACANCY_CELLS} WHERE period = ? ORDER BY ALL",
            [LATEST],
        ).df()
        checked = 0
        for (role, area), expected in cells.groupby(["regional_role", "service_area"]):
            shown = queries.vacancy_trend(con, LATEST, LATEST, role=role, service_area=area)
            councils = shown[~shown.is_region].set_index("council_code")
            for row in expected.itertuples():
                for metric in queries.VACANCY_METRICS:
                    want, got = getattr(row, metric), councils.loc[row.council_code, metric]
                    assert (pd.isna(want) and pd.isna(got)) or got == pytest.approx(want), (
                        role,
                        area,
                        row.council_code,
                        metric,
                    )
                    checked += 1
    finally:
        con.close()
    assert checked > 100


@pytest.mark.slow
def test_published_extracts_can_be_downloaded(server, page):
    _open(page, f"{server}/extracts", "Published extracts")
    assert page.get_by_text(f"members_benchmark_{LATEST}.csv").count() >= 1
    assert "marts_snapshot" not in page.locator("body").inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").first.click()
    assert download.value.suggested_filename == f"members_benchmark_{LATEST}.csv"


def test_missing_snapshot_says_run_make_demo(tmp_path, monkeypatch, capsys):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("MOC_MARTS_SNAPSHOT", str(tmp_path / "nowhere.duckdb"))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=30).run()
    assert not app.exception
    assert "make demo" in app.error[0].value
    assert run_main(["--port", "1"]) == 1
    assert "make demo" in capsys.readouterr().err


def test_empty_snapshot_says_run_make_demo(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("MOC_MARTS_SNAPSHOT", str(empty))
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=30).run()
    assert not app.exception
    assert "make demo" in app.error[0].value


def test_tables_received_counts_each_tables_current_version_only():
    """A workbook, then a corrected establishment CSV and a nil agency return: the page shows
    the rows of each table's latest accepted file, as the marts take them, not their sum. The
    rule is the mart's (int_return_versions_current, whose dbt unit test plays this very case);
    the page shows the mart's current versions, a nil return as 0, and no table never sent."""
    con = duckdb.connect()
    con.execute(
        """
        CREATE SCHEMA marts;
        CREATE TABLE marts.fct_return_submissions AS SELECT * FROM (VALUES
            ('822', 'Bedford', '2026-01', 'establishment', true, 12),
            ('822', 'Bedford', '2026-01', 'pay_scales', true, 3),
            ('822', 'Bedford', '2026-01', 'agency_assignments', true, 0),
            ('822', 'Bedford', '2026-01', 'workforce', false, NULL),
            ('822', 'Bedford', '2025-12', 'establishment', true, 10))
            t(council_code, council_name, period, return_table, has_current_version, row_count);
        """
    )
    received = queries.tables_received(con, "2026-01", None)
    assert received.values.tolist() == [
        ["Bedford", "agency_assignments", 0],
        ["Bedford", "establishment", 12],
        ["Bedford", "pay_scales", 3],
    ]


# --- Agency rules ---------------------------------------------------------------------------

SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def _register_rows(env: dict[str, str], period: str) -> pd.DataFrame:
    """The mart's breach register for the month, with council names."""
    con = duckdb.connect(str(queries.snapshot_location(env)), read_only=True)
    try:
        return con.execute(
            f"SELECT b.*, c.council_name FROM {queries.CAP_BREACHES} AS b "
            f"JOIN {queries.DIM_COUNCILS} AS c USING (council_code) WHERE b.period = ?",
            [period],
        ).df()
    finally:
        con.close()


def _agency_rules_page(start: str, end: str, councils: tuple[str, ...] = ()) -> None:
    """The Agency rules page alone, for every role (AppTest.from_function)."""
    from dashboard.filters import Filters
    from dashboard.views import agency_rules

    agency_rules.render(Filters(start, end, councils, None, None))


def test_the_snapshot_holds_the_breach_register_and_the_caps(snapshot_env):
    con = queries.connect(queries.snapshot_location(snapshot_env))
    try:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables()"
            ).fetchall()
        }
    finally:
        con.close()
    assert {queries.CAP_BREACHES, queries.AGENCY_RATE_CAPS, queries.AGENCY_RATES} <= tables


def test_agency_rules_page_shows_the_marts_breaches_by_name_with_placeholder_caps(
    snapshot_env, monkeypatch
):
    """The page's counts, register and caps are the marts' rows, councils by name, labels not
    codes, every cap marked a placeholder (every cap of the seed is one), and the register's
    CSV holds exactly the table on the page."""
    from streamlit.testing.v1 import AppTest

    from dashboard.views import agency_rules
    from dashboard.widgets import PLACEHOLDER_CAPS_NOTE, csv_bytes

    for name, value in snapshot_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MOC_MARTS_SNAPSHOT", raising=False)
    expected = _register_rows(snapshot_env, LATEST)
    assert len(expected), "the sample returns should give breaches in the month"
    app = AppTest.from_function(
        _agency_rules_page, args=(PERIODS[0], LATEST), default_timeout=60
    ).run()
    assert not app.exception
    assert app.header[0].value == "Agency rules"
    assert PLACEHOLDER_CAPS_NOTE in [w.value for w in app.warning]
    metrics = {m.label: int(m.value) for m in app.metric}
    breach_metrics = (
        "Councils with assignments above the cap",
        "Assignments above the cap",
        "Without DCS sign-off",
    )
    assert {k: metrics[k] for k in breach_metrics} == {
        "Councils with assignments above the cap": expected.council_code.nunique(),
        "Assignments above the cap": len(expected),
        "Without DCS sign-off": int((~expected.is_signed_off).sum()),
    }
    by_council, register, trend, caps, *_ = (frame.value for frame in app.dataframe)
    # the register: one row per breach of the month, councils by name, labelled columns
    assert len(register) == len(expected)
    assert sorted(register["Council"]) == sorted(expected.council_name)
    assert not set(register["Council"]) & set(COUNCILS)
    assert not [c for t in app.dataframe for c in t.value.columns if SNAKE_CASE.match(c)]
    assert set(register["Cap status"]) == {agency_rules.PLACEHOLDER}
    assert set(register["DfE job type"]) <= {
        "Social worker",
        "Senior social worker",
        "Advanced practitioner",
        "Team manager",
        "Independent reviewing officer",
    }
    assert sorted(register["Excess (%)"]) == sorted(
        float(publish_figure(v, 1)) for v in expected.excess_percentage
    )
    assert (register["Signed off"] == "No").sum() == metrics["Without DCS sign-off"]
    # the councils' summary and the trend agree with the register for the month
    above = by_council.set_index("Council")
    assert above["Above the cap"].sum() == len(expected)
    assert above["Not signed off"].sum() == metrics["Without DCS sign-off"]
    assert trend.set_index("Month").loc[LATEST, "Above the cap"] == len(expected)
    assert list(trend["Month"]) == PERIODS
    # the caps in force at the month's end: one per DfE job type, each a placeholder
    assert len(caps) == 5 and set(caps["Cap status"]) == {agency_rules.PLACEHOLDER}
    assert "Team manager" in set(caps["DfE job type"])
    # the CSV download is the table on the page
    con = queries.connect(queries.snapshot_location(snapshot_env))
    try:
        shown = agency_rules.register_table(queries.cap_breaches(con, LATEST, (), None))
    finally:
        con.close()
    downloaded = pd.read_csv(io.BytesIO(csv_bytes(shown)), keep_default_na=False)
    assert list(downloaded.columns) == list(register.columns)
    assert downloaded.astype(str).values.tolist() == register.fillna("").astype(str).values.tolist()


@pytest.mark.slow
def test_agency_rules_page_in_the_browser_downloads_the_register_it_shows(
    server, page, snapshot_env
):
    from dashboard.views import agency_rules
    from dashboard.widgets import PLACEHOLDER_CAPS_NOTE, csv_bytes

    _open(page, f"{server}/agency-rules", "Agency rules")
    _no_exception(page)
    page.get_by_text("Placeholder caps:").first.wait_for()
    assert PLACEHOLDER_CAPS_NOTE in page.locator("body").inner_text()
    page.get_by_role("heading", name=f"Breach register, {LATEST}").wait_for()
    name = f"agency_cap_breaches_{LATEST}.csv"
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download {name}").click()
    assert download.value.suggested_filename == name
    content = Path(download.value.path()).read_bytes()
    con = queries.connect(queries.snapshot_location(snapshot_env))
    try:
        shown = agency_rules.register_table(queries.cap_breaches(con, LATEST, (), None))
    finally:
        con.close()
    assert content == csv_bytes(shown)
    table = pd.read_csv(io.BytesIO(content))
    expected = _register_rows(snapshot_env, LATEST)
    assert sorted(table["Council"]) == sorted(expected.council_name)
    assert set(table["Cap status"]) == {"Placeholder"}
    _screenshot(page, "agency_rules")
    # the agency rates chart's cap is marked a placeholder too
    _open(page, f"{server}/agency", "Agency rates")
    assert PLACEHOLDER_CAPS_NOTE in page.locator("body").inner_text()


def test_agency_rules_page_shows_the_cooling_off_flags_and_compliance_of_the_marts(
    snapshot_env, monkeypatch
):
    """The cooling-off flags and each council's compliance are the marts' rows for the month,
    councils by name, shares as published, and nothing on the page looks like an identifier
    (a keyed hash is 64 hex characters; a clear SWE number is SW and digits)."""
    from streamlit.testing.v1 import AppTest

    from dashboard.views import agency_rules

    for name, value in snapshot_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MOC_MARTS_SNAPSHOT", raising=False)
    con = queries.connect(queries.snapshot_location(snapshot_env))
    try:
        flags = queries.cooling_off_flags(con, LATEST, (), None)
        compliance = queries.rule_compliance(con, LATEST, ())
    finally:
        con.close()
    assert len(compliance), "the sample returns should give a compliance row per council"
    app = AppTest.from_function(
        _agency_rules_page, args=(PERIODS[0], LATEST), default_timeout=60
    ).run()
    assert not app.exception
    metrics = {m.label: int(m.value) for m in app.metric}
    assert metrics["Cooling-off flags"] == len(flags)
    assert metrics["of which exceptions"] == int(flags["is_exception"].sum())
    frames = {tuple(frame.value.columns): frame.value for frame in app.dataframe}
    shown = frames[tuple(agency_rules.COMPLIANCE_COLUMNS)]
    assert sorted(shown["Council"]) == sorted(compliance.council_name)
    assert sorted(shown["Agency assignments"]) == sorted(compliance.assignment_count)
    expected_shares = sorted(
        -1.0 if pd.isna(v) else float(publish_figure(v, 1)) for v in compliance.within_cap_share
    )
    assert sorted(shown["Within the cap (%)"].fillna(-1.0)) == expected_shares
    if len(flags):
        table = frames[tuple(agency_rules.COOLING_OFF_COLUMNS)]
        assert len(table) == len(flags)
        assert not set(table["Engaging council"]) & set(COUNCILS)
    identifier = re.compile(r"^(?:[0-9a-f]{64}|SW\d+)$", re.IGNORECASE)
    for frame in app.dataframe:
        for value in frame.value.astype(str).values.ravel():
            assert not identifier.match(value), value


def test_agency_rules_page_shows_only_the_chosen_councils(snapshot_env, monkeypatch):
    from streamlit.testing.v1 import AppTest

    for name, value in snapshot_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MOC_MARTS_SNAPSHOT", raising=False)
    expected = _register_rows(snapshot_env, LATEST)
    chosen = expected.council_code.iloc[0]
    name = expected.council_name.iloc[0]
    app = AppTest.from_function(
        _agency_rules_page, args=(PERIODS[0], LATEST, (chosen,)), default_timeout=60
    ).run()
    assert not app.exception
    by_council, register, trend, *_ = (frame.value for frame in app.dataframe)
    assert set(register["Council"]) == set(by_council["Council"]) == {name}
    assert len(register) == (expected.council_code == chosen).sum()
    assert trend.set_index("Month").loc[LATEST, "Above the cap"] == len(register)
