"""Every read the dashboard makes, in one place: table and column names of the marts live here
only, so a renamed mart or column is a one-line change.

The dashboard reads the published snapshot of the marts (transform.marts_snapshot), never the
warehouse, and opens it read-only. Functions take an open connection and return pandas frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from common.members import councils_covered_on
from common.periods import WINDOW_MONTHS, period_end
from common.reference import in_force_on
from common.settings import load_settings
from publish.extracts.coverage import NONE_MISSING
from publish.extracts.indicators import mart_rates
from transform.marts_snapshot import RETURN_SUBMISSIONS, snapshot_path

# Tables of the snapshot (schema.table, as in the warehouse).
COUNCIL_MONTHS = "marts.fct_vacancies_council_months"
REGION_MONTHS = "marts.fct_vacancies_region_months"
VACANCY_CELLS = "marts.fct_vacancies"
AGENCY_RATES = "marts.fct_agency_rates"
AGENCY_ASSIGNMENTS = "marts.fct_agency_assignment_months"
CAP_BREACHES = "marts.fct_agency_cap_breaches"
COOLING_OFF_FLAGS = "marts.fct_cooling_off_flags"
RULE_COMPLIANCE = "marts.fct_agency_rule_compliance"
AGENCY_RATE_CAPS = "reference.agency_rate_caps"
PAY_RATES = "marts.fct_pay_rates"
DIM_COUNCILS = "marts.dim_councils"
DIM_ROLES = "marts.dim_regional_roles"
DIM_SERVICE_AREAS = "marts.dim_service_areas"
LEDGER_FILES = "ledger.files"
LEDGER_FILE_TABLES = "ledger.file_tables"
SNAPSHOT_INFO = "main.snapshot_info"
REQUIRED_TABLES = (COUNCIL_MONTHS, REGION_MONTHS, DIM_COUNCILS, RETURN_SUBMISSIONS, LEDGER_FILES)

# The rates of the Vacancies page: mart column -> label. Percentages, as the marts hold them.
VACANCY_METRICS = {
    "vacancy_rate": "Vacancy rate (%)",
    "agency_rate": "Agency rate (%)",
    "turnover_rate": "Turnover rate (%)",
}
REGION_LABEL_SUFFIX = " (region)"


class SnapshotUnavailable(RuntimeError):
    """No snapshot, or one without marts: the page says how to make one."""


def snapshot_location(env: dict[str, str] | None = None) -> Path:
    """The snapshot the pipeline publishes (the ``marts_snapshot`` setting)."""
    return snapshot_path(load_settings(env))


def published_dir(env: dict[str, str] | None = None) -> Path:
    return load_settings(env).published_dir


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the snapshot read-only; SnapshotUnavailable if it is missing or holds no marts."""
    if not path.is_file():
        raise SnapshotUnavailable(f"No marts snapshot at {path}.")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise SnapshotUnavailable(f"Cannot open the marts snapshot {path}: {error}") from error
    present = {
        f"{s}.{t}"
        for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
    }
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        con.close()
        raise SnapshotUnavailable(f"The snapshot {path} has no {', '.join(missing)}.")
    (rows,) = con.execute(f"SELECT count(*) FROM {COUNCIL_MONTHS}").fetchone()
    if not rows:
        con.close()
        raise SnapshotUnavailable(f"The snapshot {path} holds no month of returns yet.")
    return con


def _frame(con, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    return con.execute(sql, list(params or [])).df()


def _in(column: str, values: Sequence[str] | None) -> tuple[str, list]:
    """An optional ``column IN (...)`` filter: (SQL, parameters); no values = no filter."""
    if not values:
        return "TRUE", []
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)


def snapshot_info(con) -> dict[str, object]:
    try:
        frame = _frame(con, f"SELECT * FROM {SNAPSHOT_INFO}")
    except duckdb.Error:
        return {}
    return frame.iloc[0].to_dict() if len(frame) else {}


# --- dimensions and filter options ------------------------------------------------------------


def periods(con) -> list[str]:
    frame = _frame(
        con,
        f"SELECT DISTINCT period FROM {COUNCIL_MONTHS} UNION "
        f"SELECT DISTINCT period FROM {LEDGER_FILES} WHERE period IS NOT NULL ORDER BY period",
    )
    return frame["period"].tolist()


def councils(con) -> pd.DataFrame:
    """council_code, council_name, joined_on, left_on; by name."""
    return _frame(
        con,
        f"SELECT council_code, council_name, joined_on, left_on FROM {DIM_COUNCILS} "
        "ORDER BY council_name",
    )


def roles(con) -> pd.DataFrame:
    return _frame(con, f"SELECT role_code, role_name FROM {DIM_ROLES} ORDER BY sort_order")


def service_areas(con) -> pd.DataFrame:
    return _frame(
        con,
        f"SELECT service_area_code, service_area_name FROM {DIM_SERVICE_AREAS} ORDER BY sort_order",
    )


# --- Returns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnsMonth:
    """What the Returns page shows for a month: the files from the ledger; the current versions,
    late councils and councils with an accepted return from the return-submissions mart, the
    one home of those rules (the chase step reads it too)."""

    files: pd.DataFrame  # every file received, newest first per council (returns_for_period)
    tables: pd.DataFrame  # council x return table: rows of the current version (tables_received)
    late: pd.DataFrame  # member councils without an accepted return (late_councils)
    councils_received: int  # councils with an accepted return


def returns_month(con, period: str, council_codes: Sequence[str] | None) -> ReturnsMonth:
    return ReturnsMonth(
        files=returns_for_period(con, period, council_codes),
        tables=tables_received(con, period, council_codes),
        late=late_councils(con, period, council_codes),
        councils_received=councils_with_accepted_return(con, period, council_codes),
    )


def councils_with_accepted_return(con, period: str, council_codes: Sequence[str] | None) -> int:
    where, params = _in("council_code", council_codes)
    (count,) = con.execute(
        f"SELECT count(DISTINCT council_code) FROM {RETURN_SUBMISSIONS} "
        f"WHERE period = ? AND has_accepted_return AND {where}",
        [period, *params],
    ).fetchone()
    return int(count)


def returns_for_period(con, period: str, council_codes: Sequence[str] | None) -> pd.DataFrame:
    """Every file received for the month, newest first per council, with the tables it loaded."""
    where, params = _in("f.council_code", council_codes)
    return _frame(
        con,
        f"""
        SELECT c.council_name, f.council_code, f.file_name,
               coalesce(t.tables, CASE WHEN f.return_type = 'workbook' THEN 'workbook'
                                       ELSE f.return_type END) AS tables,
               f.version, f.status, f.received_at, f.processed_at, f.rows_loaded,
               f.error_count AS errors, f.warning_count AS warnings, f.message, f.feedback_path
        FROM {LEDGER_FILES} AS f
        LEFT JOIN {DIM_COUNCILS} AS c USING (council_code)
        LEFT JOIN (
            SELECT ledger_id, string_agg(table_name, ', ' ORDER BY table_name) AS tables
            FROM {LEDGER_FILE_TABLES} GROUP BY ledger_id
        ) AS t USING (ledger_id)
        WHERE f.period = ? AND {where}
        ORDER BY c.council_name, f.received_at DESC, f.ledger_id DESC
        """,
        [period, *params],
    )


def tables_received(con, period: str, council_codes: Sequence[str] | None) -> pd.DataFrame:
    """Council x return table: rows of the current version (long format), the latest accepted
    file that delivered the table, as the marts take it (0: a nil return); from the
    return-submissions mart, which holds that rule."""
    where, params = _in("council_code", council_codes)
    return _frame(
        con,
        f"""
        SELECT council_name, return_table AS table_name, row_count::BIGINT AS rows_loaded
        FROM {RETURN_SUBMISSIONS}
        WHERE period = ? AND has_current_version AND {where}
        ORDER BY council_name, table_name
        """,
        [period, *params],
    )


def late_councils(con, period: str, council_codes: Sequence[str] | None) -> pd.DataFrame:
    """Members on the month's last day with no accepted return for it, with the files they
    sent: the return-submissions mart's late rule, which the chase step reads too."""
    where, params = _in("council_code", council_codes)
    return _frame(
        con,
        f"""
        SELECT DISTINCT council_name, council_code, files_received, files_rejected
        FROM {RETURN_SUBMISSIONS}
        WHERE period = ? AND is_late AND {where}
        ORDER BY council_name
        """,
        [period, *params],
    )


# --- Vacancies and agency use ----------------------------------------------------------------


def _rates_from_components(frame: pd.DataFrame) -> pd.DataFrame:
    """The Vacancies page's rates of summed components over a role or service area, by the one
    Python copy of the dbt macros' arithmetic (publish.extracts.indicators, cross-checked with
    the marts); turnover only from a complete 12-month window."""
    gated = frame.assign(
        leavers_fte_12_months=frame.leavers_fte_12_months.where(frame.is_leavers_window_complete)
    )
    rates = mart_rates(gated, VACANCY_METRICS)
    return frame.assign(**{metric: rates[metric] for metric in VACANCY_METRICS})


def _filtered_council_components(
    con, start: str, end: str, role: str | None, service_area: str | None
) -> pd.DataFrame:
    """Components summed per council-month over the cells of a role and/or service area.
    A component missing in any cell (a census month) leaves it NULL, not understated."""
    role_sql, role_params = _in("regional_role", [role] if role else None)
    area_sql, area_params = _in("service_area", [service_area] if service_area else None)

    def summed(column: str) -> str:
        return f"CASE WHEN count({column}) = count(*) THEN sum({column}) END AS {column}"

    return _frame(
        con,
        f"""
        SELECT council_code, period,
               {summed("permanent_fte")}, {summed("vacancy_fte")}, {summed("agency_fte")},
               {summed("leavers_fte_12_months")},
               coalesce(min(leavers_window_months) >= {WINDOW_MONTHS}, false)
                   AS is_leavers_window_complete
        FROM {VACANCY_CELLS}
        WHERE period BETWEEN ? AND ? AND {role_sql} AND {area_sql}
        GROUP BY ALL
        """,
        [start, end, *role_params, *area_params],
    )


def vacancy_trend(
    con,
    start: str,
    end: str,
    council_codes: Sequence[str] | None = None,
    role: str | None = None,
    service_area: str | None = None,
) -> pd.DataFrame:
    """One row per council (and the region) and month: the three rates, in long-ready columns
    (area, is_region, period, vacancy_rate, agency_rate, turnover_rate).

    Without a role or service area the figures are the marts' own; with one, the council and
    regional rates are recomputed from the summed components of those cells (regional: over the
    councils the regional mart includes that month)."""
    names = councils(con).set_index("council_code")["council_name"]
    metrics = list(VACANCY_METRICS)
    if role is None and service_area is None:
        council_rows = _frame(
            con,
            f"SELECT council_code, period, {', '.join(metrics)} FROM {COUNCIL_MONTHS} "
            "WHERE period BETWEEN ? AND ?",
            [start, end],
        )
        region_rows = _frame(
            con,
            f"SELECT region_name, period, {', '.join(metrics)} FROM {REGION_MONTHS} "
            "WHERE period BETWEEN ? AND ?",
            [start, end],
        )
    else:
        cells = _filtered_council_components(con, start, end, role, service_area)
        council_rows = _rates_from_components(cells)
        included = _frame(
            con,
            f"SELECT region_name, period, unnest(string_split(councils_included_codes, ',')) "
            f"AS council_code FROM {REGION_MONTHS} WHERE period BETWEEN ? AND ?",
            [start, end],
        )
        in_region = cells.merge(included, on=["council_code", "period"])
        complete = in_region[in_region.is_leavers_window_complete]
        sums = in_region.groupby(["region_name", "period"], as_index=False)[
            ["permanent_fte", "vacancy_fte", "agency_fte"]
        ].sum(min_count=1)
        turnover = complete.groupby(["region_name", "period"], as_index=False)[
            ["permanent_fte", "leavers_fte_12_months"]
        ].sum(min_count=1)
        turnover = mart_rates(turnover, ["turnover_rate"])  # over the complete windows only
        region_rows = mart_rates(sums, ["vacancy_rate", "agency_rate"]).merge(
            turnover[["region_name", "period", "turnover_rate"]],
            on=["region_name", "period"],
            how="left",
        )
    council_rows = council_rows.assign(
        area=council_rows.council_code.map(names).fillna(council_rows.council_code),
        is_region=False,
    )
    if council_codes:
        council_rows = council_rows[council_rows.council_code.isin(list(council_codes))]
    region_rows = region_rows.assign(
        area=region_rows.region_name + REGION_LABEL_SUFFIX, is_region=True, council_code=None
    )
    columns = ["area", "council_code", "is_region", "period", *metrics]
    both = pd.concat([council_rows[columns], region_rows[columns]], ignore_index=True).sort_values(
        ["is_region", "area", "period"]
    )
    for metric in metrics:
        both[metric] = pd.to_numeric(both[metric], errors="coerce").astype(float)
    return both.reset_index(drop=True)


def region_coverage(con, start: str, end: str) -> pd.DataFrame:
    """Per month of the regional line: how many councils it holds (the region mart's
    councils_included), of how many it covers (the month's members, or before the MoC the
    region's councils: the one membership rule), and which of those sent no return and so are
    left out of it (``councils_missing``, by name, "none"; ``is_council_missing``), so a month
    with a council missing is flagged, never read as a fall."""
    frame = _frame(
        con,
        f"SELECT period, region_name, councils_included, councils_included_codes "
        f"FROM {REGION_MONTHS} WHERE period BETWEEN ? AND ? ORDER BY period",
        [start, end],
    )
    covered, missing = [], []
    for row in frame.itertuples():
        included = set(str(row.councils_included_codes or "").split(","))
        members = councils_covered_on(period_end(row.period))
        covered.append(len(members))
        names = sorted(m.council_name for m in members if m.council_code not in included)
        missing.append("; ".join(names) or NONE_MISSING)
    frame = frame.drop(columns=["councils_included_codes"]).assign(
        councils_included=frame["councils_included"].astype(int),
        councils_covered=pd.Series(covered, index=frame.index, dtype=int),
        councils_missing=pd.Series(missing, index=frame.index, dtype=object),
    )
    frame["is_council_missing"] = frame["councils_missing"] != NONE_MISSING
    return frame


def coverage_caption(coverage: pd.DataFrame) -> str:
    """The regional line's coverage in words: how many councils in the latest month, and each
    month with a council missing."""
    if coverage.empty:
        return ""
    last = coverage.iloc[-1]
    text = (
        f"The regional line holds the councils with a return: {last.councils_included} of "
        f"{last.councils_covered} in {last.period}."
    )
    gaps = coverage[coverage.is_council_missing]
    if len(gaps):
        listed = "; ".join(f"{r.period}: {r.councils_missing}" for r in gaps.itertuples())
        text += (
            f" Council missing (no return, left out of the regional line; marked with a red "
            f"triangle): {listed}. A drop in those months is a missing council, not a fall."
        )
    return text


def vacancy_latest(
    con,
    period: str,
    council_codes: Sequence[str] | None = None,
    role: str | None = None,
    service_area: str | None = None,
) -> pd.DataFrame:
    """The month's rates for every member council with its rank among the councils with a
    figure (1 = lowest rate); councils without a return have no rates (published as x)."""
    trend = vacancy_trend(con, period, period, None, role, service_area)
    members = councils(con)
    # the councils the month's figures cover: its members (before the MoC, the region's
    # councils), by the one membership rule
    covered = {m.council_code for m in councils_covered_on(period_end(period))}
    members = members[members.council_code.isin(covered)]
    councils_only = trend[~trend.is_region]
    table = members[["council_code", "council_name"]].merge(
        councils_only[["council_code", *VACANCY_METRICS]], on="council_code", how="left"
    )
    table["has_return"] = table.council_code.isin(councils_only.council_code)
    for metric in VACANCY_METRICS:
        table[f"{metric}_rank"] = table[metric].rank(method="min").astype("Int64")
    region = trend[trend.is_region]
    if council_codes:
        table = table[table.council_code.isin(list(council_codes))]
    table = table.sort_values(["vacancy_rate", "council_name"], na_position="last")
    if len(region):
        region_row = region.iloc[0]
        extra = {"council_code": "", "council_name": region_row.area, "has_return": True}
        extra |= {m: region_row[m] for m in VACANCY_METRICS}
        table = pd.concat([table, pd.DataFrame([extra])], ignore_index=True)
    return table.reset_index(drop=True)


# --- Agency rates ---------------------------------------------------------------------------


def agency_rates(
    con, start: str, end: str, council_codes: Sequence[str] | None, role: str | None
) -> pd.DataFrame:
    """fct_agency_rates with council and role names, for the months and filters."""
    council_sql, council_params = _in("a.council_code", council_codes)
    role_sql, role_params = _in("a.regional_role", [role] if role else None)
    return _frame(
        con,
        f"""
        SELECT c.council_name, r.role_name, a.council_code, a.period, a.regional_role,
               a.assignment_count, a.hourly_pay_rate_p25, a.hourly_pay_rate_median,
               a.hourly_pay_rate_p75, a.hourly_charge_rate_p25, a.hourly_charge_rate_median,
               a.hourly_charge_rate_p75, a.cap_hourly_pay_min, a.cap_hourly_pay_max,
               a.has_several_caps, a.is_placeholder_cap, a.above_cap_count, a.above_cap_share,
               a.breaches_signed_off, a.breaches_not_signed_off, a.agency_spend
        FROM {AGENCY_RATES} AS a
        LEFT JOIN {DIM_COUNCILS} AS c USING (council_code)
        LEFT JOIN {DIM_ROLES} AS r ON r.role_code = a.regional_role
        WHERE a.period BETWEEN ? AND ? AND {council_sql} AND {role_sql}
        ORDER BY a.period, r.sort_order, c.council_name
        """,
        [start, end, *council_params, *role_params],
    )


def agency_breaches(
    con,
    start: str,
    end: str,
    council_codes: Sequence[str] | None,
    role: str | None,
    service_area: str | None,
) -> pd.DataFrame:
    """Per council: distinct assignments open in the months that were above the cap in force
    on their start date, with and without the DCS's sign-off."""
    council_sql, council_params = _in("a.council_code", council_codes)
    role_sql, role_params = _in("a.regional_role", [role] if role else None)
    area_sql, area_params = _in("a.service_area", [service_area] if service_area else None)
    return _frame(
        con,
        f"""
        SELECT c.council_name, a.council_code,
               count(DISTINCT a.assignment_key) AS assignments,
               count(DISTINCT a.assignment_key) FILTER (WHERE a.cap_hourly_pay IS NOT NULL)
                   AS capped_assignments,
               count(DISTINCT a.assignment_key) FILTER (WHERE a.is_breach_signed_off)
                   AS breaches_signed_off,
               count(DISTINCT a.assignment_key) FILTER (WHERE a.is_breach_not_signed_off)
                   AS breaches_not_signed_off
        FROM {AGENCY_ASSIGNMENTS} AS a
        LEFT JOIN {DIM_COUNCILS} AS c USING (council_code)
        WHERE a.period BETWEEN ? AND ? AND {council_sql} AND {role_sql} AND {area_sql}
        GROUP BY ALL ORDER BY c.council_name
        """,
        [start, end, *council_params, *role_params, *area_params],
    )


# --- Agency rules ---------------------------------------------------------------------------
# The breach register (fct_agency_cap_breaches) and the caps (the agency_rate_caps seed): which
# assignment-months are above the cap in force on their start date, compared as the DfE defines
# it for the engagement model, is the marts' rule (int_agency_assignments_capped,
# macros/agency_caps.sql); these functions only read and count its rows.


def cap_breaches(
    con, period: str, council_codes: Sequence[str] | None, role: str | None
) -> pd.DataFrame:
    """The month's breach register: one row per assignment above the cap in force on its start
    date, with council and role names, never the assignment's key; by council, not signed off
    first, largest excess first."""
    council_sql, council_params = _in("b.council_code", council_codes)
    role_sql, role_params = _in("b.regional_role", [role] if role else None)
    return _frame(
        con,
        f"""
        SELECT c.council_name, b.council_code, b.period, b.agency_job_type, r.role_name,
               b.engagement_model, b.cap_comparison_basis, b.cap_includes, b.start_date,
               b.hourly_pay_rate, b.hourly_on_costs, b.uses_default_on_costs,
               b.cap_comparable_rate, b.cap_hourly_pay, b.cap_comparable_cap,
               b.is_cap_placeholder, b.excess_hourly, b.excess_percentage, b.is_signed_off,
               b.signed_off_by, b.signed_off_on, b.first_breach_period, b.breach_months_to_date
        FROM {CAP_BREACHES} AS b
        LEFT JOIN {DIM_COUNCILS} AS c USING (council_code)
        LEFT JOIN {DIM_ROLES} AS r ON r.role_code = b.regional_role
        WHERE b.period = ? AND {council_sql} AND {role_sql}
        ORDER BY c.council_name, b.is_signed_off, b.excess_percentage DESC, b.start_date,
                 b.assignment_key
        """,
        [period, *council_params, *role_params],
    )


def cap_breaches_by_council(
    con, period: str, council_codes: Sequence[str] | None, role: str | None
) -> pd.DataFrame:
    """Per council with agency assignments in the month: assignments with a cap in force on
    their start date (fct_agency_rates), and of them those above it, with and without the
    DCS's sign-off (rows of fct_agency_cap_breaches)."""
    council_sql, council_params = _in("council_code", council_codes)
    role_sql, role_params = _in("regional_role", [role] if role else None)
    return _frame(
        con,
        f"""
        WITH capped AS (
            SELECT council_code, sum(assignment_count)::BIGINT AS assignments,
                   sum(capped_assignment_count)::BIGINT AS capped_assignments
            FROM {AGENCY_RATES}
            WHERE period = ? AND {council_sql} AND {role_sql}
            GROUP BY council_code
        ), breaches AS (
            SELECT council_code, count(*) AS above_cap,
                   count(*) FILTER (WHERE is_signed_off) AS signed_off,
                   count(*) FILTER (WHERE NOT is_signed_off) AS not_signed_off
            FROM {CAP_BREACHES}
            WHERE period = ? AND {council_sql} AND {role_sql}
            GROUP BY council_code
        )
        SELECT c.council_name, council_code,
               coalesce(capped.assignments, 0)::BIGINT AS assignments,
               coalesce(capped.capped_assignments, 0)::BIGINT AS capped_assignments,
               coalesce(breaches.above_cap, 0)::BIGINT AS above_cap,
               coalesce(breaches.signed_off, 0)::BIGINT AS signed_off,
               coalesce(breaches.not_signed_off, 0)::BIGINT AS not_signed_off
        FROM capped
        FULL JOIN breaches USING (council_code)
        LEFT JOIN {DIM_COUNCILS} AS c USING (council_code)
        ORDER BY not_signed_off DESC, above_cap DESC, c.council_name
        """,
        [period, *council_params, *role_params, period, *council_params, *role_params],
    )


def cap_breach_trend(
    con, start: str, end: str, council_codes: Sequence[str] | None, role: str | None
) -> pd.DataFrame:
    """Per month with agency assignments in [start, end]: assignments above the cap in the
    month, with and without the DCS's sign-off (0 in a month with none above it)."""
    council_sql, council_params = _in("council_code", council_codes)
    role_sql, role_params = _in("regional_role", [role] if role else None)
    return _frame(
        con,
        f"""
        WITH months AS (
            SELECT DISTINCT period FROM {AGENCY_RATES}
            WHERE period BETWEEN ? AND ? AND {council_sql} AND {role_sql}
        ), breaches AS (
            SELECT period, count(*) AS above_cap,
                   count(*) FILTER (WHERE is_signed_off) AS signed_off,
                   count(*) FILTER (WHERE NOT is_signed_off) AS not_signed_off,
                   count(DISTINCT council_code) AS councils
            FROM {CAP_BREACHES}
            WHERE period BETWEEN ? AND ? AND {council_sql} AND {role_sql}
            GROUP BY period
        )
        SELECT period,
               coalesce(breaches.above_cap, 0)::BIGINT AS above_cap,
               coalesce(breaches.signed_off, 0)::BIGINT AS signed_off,
               coalesce(breaches.not_signed_off, 0)::BIGINT AS not_signed_off,
               coalesce(breaches.councils, 0)::BIGINT AS councils
        FROM months FULL JOIN breaches USING (period)
        ORDER BY period
        """,
        [start, end, *council_params, *role_params] * 2,
    )


def caps_in_force(con, period: str) -> pd.DataFrame:
    """The regional price cap per DfE agency job type in force on the month's last day (the
    agency_rate_caps seed, by common.reference's one "in force on a day" rule), with what it
    covers and whether it is a placeholder. An assignment is compared with the cap in force on
    its start date (the register's cap), which for one that started earlier may be another."""
    caps = _frame(
        con,
        f"""
        SELECT k.agency_job_type, k.cap_hourly_pay, k.cap_includes, k.effective_from,
               k.effective_to, k.is_placeholder, k.source_note
        FROM {AGENCY_RATE_CAPS} AS k
        LEFT JOIN (
            SELECT agency_job_type, min(sort_order) AS sort_order FROM {DIM_ROLES}
            GROUP BY agency_job_type
        ) AS r USING (agency_job_type)
        ORDER BY r.sort_order, k.agency_job_type, k.effective_from
        """,
    )
    day = pd.Timestamp(period_end(period))
    starts = pd.to_datetime(caps["effective_from"])
    ends = pd.to_datetime(caps["effective_to"])
    return caps[in_force_on(day, starts, ends)].reset_index(drop=True)


def cooling_off_flags(
    con, period: str, council_codes: Sequence[str] | None, role: str | None
) -> pd.DataFrame:
    """The cooling-off flags of the assignments open in the month (fct_cooling_off_flags: the
    marts match a leaver and an assignment by keyed hash; the mart, and so this, carries no
    hash or identifier), with the engaging and the leaving council's names; a council filter
    keeps a flag where either council is chosen."""
    engaging_sql, engaging_params = _in("f.engaging_council_code", council_codes)
    leaving_sql, leaving_params = _in("f.leaving_council_code", council_codes)
    role_sql, role_params = _in("f.regional_role", [role] if role else None)
    return _frame(
        con,
        f"""
        SELECT e.council_name AS engaging_council_name, l.council_name AS leaving_council_name,
               f.is_same_council, f.leaving_date, f.start_date, f.days_between,
               f.cooling_off_ends_on, f.is_exception, f.exception_reason,
               f.leaving_reason_code, f.agency_name, r.role_name, f.agency_job_type,
               f.first_period, f.last_period, f.last_period_row_number
        FROM {COOLING_OFF_FLAGS} AS f
        LEFT JOIN {DIM_COUNCILS} AS e ON e.council_code = f.engaging_council_code
        LEFT JOIN {DIM_COUNCILS} AS l ON l.council_code = f.leaving_council_code
        LEFT JOIN {DIM_ROLES} AS r ON r.role_code = f.regional_role
        WHERE ? BETWEEN f.first_period AND f.last_period
          AND (({engaging_sql}) OR ({leaving_sql})) AND {role_sql}
        ORDER BY e.council_name, f.start_date, l.council_name, f.last_period_row_number
        """,
        [period, *engaging_params, *leaving_params, *role_params],
    )


def rule_compliance(con, period: str, council_codes: Sequence[str] | None) -> pd.DataFrame:
    """Each council's compliance with the agency rules in the month, as
    fct_agency_rule_compliance holds it (its shares over the assignments whose return gives
    the field), with council names."""
    council_sql, council_params = _in("k.council_code", council_codes)
    return _frame(
        con,
        f"""
        SELECT c.council_name, k.*
        FROM {RULE_COMPLIANCE} AS k
        LEFT JOIN {DIM_COUNCILS} AS c USING (council_code)
        WHERE k.period = ? AND {council_sql}
        ORDER BY c.council_name
        """,
        [period, *council_params],
    )


def rule_compliance_trend(
    con, start: str, end: str, council_codes: Sequence[str] | None
) -> pd.DataFrame:
    """Per month in [start, end]: the counts fct_agency_rule_compliance holds, summed over the
    councils (counts add up; the shares are the mart's, per council, and are not re-derived)."""
    council_sql, council_params = _in("council_code", council_codes)
    return _frame(
        con,
        f"""
        SELECT period, sum(assignment_count)::BIGINT AS assignments,
               sum(breaches_not_signed_off)::BIGINT AS breaches_not_signed_off,
               sum(cooling_off_flag_count)::BIGINT AS cooling_off_flags,
               sum(cooling_off_exception_count)::BIGINT AS cooling_off_exceptions
        FROM {RULE_COMPLIANCE}
        WHERE period BETWEEN ? AND ? AND {council_sql}
        GROUP BY period
        ORDER BY period
        """,
        [start, end, *council_params],
    )


def has_placeholder_caps(con, start: str, end: str) -> bool:
    """Whether any cap in force on an assignment's start date in [start, end] is a placeholder
    (fct_agency_rates.is_placeholder_cap): every display of a cap then says so."""
    (found,) = con.execute(
        f"SELECT coalesce(bool_or(is_placeholder_cap), false) FROM {AGENCY_RATES} "
        "WHERE period BETWEEN ? AND ?",
        [start, end],
    ).fetchone()
    return bool(found)


# --- Pay ------------------------------------------------------------------------------------


def pay_rates(
    con, period: str, council_codes: Sequence[str] | None, role: str | None
) -> pd.DataFrame:
    """fct_pay_rates for the month with council and role names."""
    council_sql, council_params = _in("p.council_code", council_codes)
    role_sql, role_params = _in("p.regional_role", [role] if role else None)
    return _frame(
        con,
        f"""
        SELECT c.council_name, r.role_name, p.council_code, p.period, p.regional_role,
               p.salary_min_at_standard_hours AS salary_min,
               p.salary_midpoint_at_standard_hours AS salary_midpoint,
               p.salary_max_at_standard_hours AS salary_max,
               p.region_salary_midpoint_median, p.market_supplement, p.recruitment_payment,
               p.retention_payment, p.total_reward, p.annualised_agency_cost_at_median,
               p.agency_cost_gap, p.salary_midpoint_rank, p.latest_effective_from
        FROM {PAY_RATES} AS p
        LEFT JOIN {DIM_COUNCILS} AS c USING (council_code)
        LEFT JOIN {DIM_ROLES} AS r ON r.role_code = p.regional_role
        WHERE p.period = ? AND {council_sql} AND {role_sql}
        ORDER BY r.sort_order, c.council_name
        """,
        [period, *council_params, *role_params],
    )


def latest_period_with(con, table: str, start: str, end: str) -> str | None:
    """The latest month in [start, end] for which ``table`` has rows."""
    (period,) = con.execute(
        f"SELECT max(period) FROM {table} WHERE period BETWEEN ? AND ?", [start, end]
    ).fetchone()
    return period


# --- Published extracts ---------------------------------------------------------------------


def published_files(root: Path, skip: Sequence[str] = ("marts",)) -> list[Path]:
    """Files under the published folder, skipping the snapshot and anything being written
    (hidden names: a publication's staging folder)."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or relative.parts[0] in skip:
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue
        found.append(path)
    return found
