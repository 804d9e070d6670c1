"""Effective-dated mappings: a council that re-grades changes its regional figures from the date.

Southend-on-Sea (882) folded its Practice Lead posts into SW Level 3 from 1 April 2025
(``grade_role_map.csv``): SW Level 3 is a senior social worker grade until 31 March 2025 and an
advanced practitioner grade from 1 April, and Practice Lead is no longer mapped. Generated
returns for March and April go through the real ingest and a real ``dbt build``; the regional
role of SW Level 3 changes at the date in ``fct_vacancies``. A May return that still uses
Practice Lead is rejected, and the message names the grade and the date it stopped.
"""

from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pytest

from common.members import members_by_code
from common.settings import SEEDS_DIR, load_settings
from ingest.checks import add_check_columns, load_mapping
from ingest.pipeline import ingest_new_files
from ingest.return_contract import AGENCY_ASSIGNMENTS, ESTABLISHMENT, PAY_SCALES
from samples.establishment import establishment_frame
from samples.return_files import write_return
from samples.returns import generate_returns
from transform.dbt_runner import UNIT_TESTS_EXCLUDED, run_dbt

SOUTHEND = "882"
REGRADED, RETIRED = "SW Level 3", "Practice Lead"
BEFORE, AFTER, LATE = "2025-03", "2025-04", "2025-05"
TABLES = (ESTABLISHMENT.name, AGENCY_ASSIGNMENTS.name, PAY_SCALES.name)


def _seed_rows(council_code: str, grade: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / "grade_role_map.csv").open(newline="", encoding="utf-8") as handle:
        return [
            row
            for row in csv.DictReader(handle)
            if row["council_code"] == council_code and row["local_grade"] == grade
        ]


def test_the_demo_data_holds_the_regrade():
    regraded = sorted(_seed_rows(SOUTHEND, REGRADED), key=lambda row: row["valid_from"])
    assert [(r["regional_role"], r["valid_from"], r["valid_to"]) for r in regraded] == [
        ("senior_social_worker", "2000-01-01", "2025-03-31"),
        ("advanced_practitioner", "2025-04-01", ""),
    ]
    (retired,) = _seed_rows(SOUTHEND, RETIRED)
    assert retired["valid_to"] == "2025-03-31"


def test_the_generator_uses_the_vocabulary_in_force_on_the_month_end():
    assert RETIRED in set(establishment_frame(SOUTHEND, BEFORE)["grade"])
    assert RETIRED not in set(establishment_frame(SOUTHEND, AFTER)["grade"])
    assert REGRADED in set(establishment_frame(SOUTHEND, AFTER)["grade"])


def test_the_mapping_check_is_period_aware():
    frame = pd.DataFrame(
        {
            "council_code": [SOUTHEND] * 4 + ["821"],
            "period": [BEFORE, AFTER, BEFORE, AFTER, AFTER],
            "grade": [RETIRED, RETIRED, REGRADED, REGRADED, RETIRED],
            "team": ["First Contact"] * 4 + ["MASH"],
        }
    )
    checked = add_check_columns(
        frame.reindex(columns=[*ESTABLISHMENT.column_names, "council_code", "period"]),
        ESTABLISHMENT,
    )
    assert checked["check_grade_is_mapped"].tolist() == [True, False, True, True, False]
    assert checked["check_team_is_mapped"].all()
    # Without a period (not known), a value mapped in any period passes.
    undated = add_check_columns(
        frame.drop(columns="period").reindex(columns=[*ESTABLISHMENT.column_names, "council_code"]),
        ESTABLISHMENT,
    )
    assert undated["check_grade_is_mapped"].tolist() == [True, True, True, True, False]
    mapping = load_mapping("grade_role_map")
    assert mapping["valid_to"].isna().any() and mapping["valid_from"].notna().all()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("mapping_history")
    settings = load_settings({"MOC_DATA_DIR": str(data_dir), "MOC_HASH_SECRET": "test-secret"})
    bucket = data_dir / "bucket"
    slug = members_by_code()[SOUTHEND].council_slug
    generate_returns(bucket, [BEFORE, AFTER], councils=[SOUTHEND], tables=TABLES)
    # May's return still uses the retired grade on one row (a copy of an SW Level 3 row).
    late = establishment_frame(SOUTHEND, LATE)
    stale = late[late["grade"] == REGRADED].iloc[[0]].assign(grade=RETIRED)
    late = pd.concat([late, stale], ignore_index=True)
    late_file = write_return(late, bucket / slug / f"{slug}_{LATE}_establishment.csv", "csv")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOC_HASH_SECRET", "test-secret")
        summary = ingest_new_files(settings)
    statuses = {e.file_name: (e.status, e.message) for e in summary.entries}
    run_dbt(settings, "build", *UNIT_TESTS_EXCLUDED, stream=False)
    return settings, bucket / slug, late_file.name, statuses


def test_returns_before_and_after_the_change_are_accepted_and_the_stale_one_rejected(ingested):
    _, _, late_name, statuses = ingested
    assert {name: status for name, (status, _) in statuses.items()} == {
        f"southend-on-sea_{BEFORE}_return.xlsx": "accepted",
        f"southend-on-sea_{AFTER}_return.xlsx": "accepted",
        late_name: "rejected",
    }, statuses


def test_the_rejection_names_the_grade_and_when_it_stopped_being_mapped(ingested):
    _, folder, late_name, _ = ingested
    lines = (folder / "feedback" / f"{late_name}.feedback.csv").read_text("utf-8-sig")
    rows = list(csv.DictReader(lines.splitlines()[lines.splitlines().index("") + 1 :]))
    (problem,) = [row for row in rows if row["rule"] == "EST-004"]
    assert problem["value"] == RETIRED
    assert f"'{RETIRED}'" in problem["message"]
    assert "no longer mapped from 01/04/2025" in problem["message"], problem["message"]
    assert "grade mapping" in problem["how_to_fix"]


def _vacancies(warehouse_path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        return connection.execute(
            "select period, regional_role, sum(establishment_fte) as establishment_fte, "
            "sum(permanent_fte) as permanent_fte from marts.fct_vacancies "
            "where council_code = ? group by period, regional_role",
            [SOUTHEND],
        ).df()


@pytest.mark.parametrize(
    ("period", "grades_by_role"),
    [
        (BEFORE, {"senior_social_worker": [REGRADED], "advanced_practitioner": [RETIRED]}),
        (AFTER, {"senior_social_worker": [], "advanced_practitioner": [REGRADED]}),
    ],
)
def test_the_regional_role_of_the_regraded_grade_changes_at_the_date(
    ingested, period, grades_by_role
):
    settings = ingested[0]
    mart = _vacancies(settings.warehouse_path)
    mart = mart[mart["period"] == period].set_index("regional_role")
    frame = establishment_frame(SOUTHEND, period)
    for role, grades in grades_by_role.items():
        rows = frame[frame["grade"].isin(grades)]
        if not grades:
            assert role not in mart.index, f"no grade of {SOUTHEND} maps to {role} in {period}"
            continue
        assert len(rows) > 0
        for column in ("establishment_fte", "permanent_fte"):
            assert mart.loc[role, column] == pytest.approx(rows[column].sum()), (role, column)


def test_an_assignment_is_counted_in_the_role_its_grade_has_in_the_month_reported(ingested):
    settings = ingested[0]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        roles = connection.execute(
            "select period, regional_role, count(*) "
            "from intermediate.int_agency_assignments_harmonised "
            "where council_code = ? and local_grade = ? group by all order by period",
            [SOUTHEND, REGRADED],
        ).fetchall()
    assert [(period, role) for period, role, _ in roles] == [
        (BEFORE, "senior_social_worker"),
        (AFTER, "advanced_practitioner"),
    ]
