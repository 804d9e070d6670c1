"""dbt's unit tests, once per test session: each one a test here.

A unit test checks one model's SQL against the small inline tables in its YAML; it tests the
code, not the data, so a build of the marts leaves the unit tests out (transform.dbt_runner.
UNIT_TESTS_EXCLUDED) and this module runs them all in one ``dbt build`` of the seeds, the models
(over the raw tables as ingest creates them, empty: dbt reads a unit-tested model's parents for
their column types) and the unit tests, each before its model, as a full build ran them. Every
unit test in the project's YAML is a test here, found from the files, so none goes unrun.
"""

from __future__ import annotations

import json

import pytest
import yaml
from warehouse_helpers import DBT_TIMEOUT_SECONDS, warehouse_with_raw_rows

from common.settings import DBT_PROJECT_DIR
from transform.dbt_runner import DbtError, run_dbt


def _unit_tests() -> list[tuple[str, str]]:
    """(model, unit test name) of every unit test in the models' YAML files."""
    found = []
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [(test["model"], test["name"]) for test in document.get("unit_tests") or []]
    return sorted(found)


UNIT_TESTS = _unit_tests()


@pytest.fixture(scope="module")
def unit_test_results(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """dbt's result of each unit test it ran, by (model, name). A failing unit test makes dbt
    exit non-zero: its result is still read, and the test named for it fails."""
    work_dir = tmp_path_factory.mktemp("dbt_unit_tests")
    settings = warehouse_with_raw_rows(work_dir, [])
    failure = None
    try:
        run_dbt(
            settings,
            "build",
            "--resource-type",
            "seed",
            "model",
            "unit_test",
            stream=False,
            timeout=DBT_TIMEOUT_SECONDS,
        )
    except DbtError as error:
        failure = error
    run_results = work_dir / "dbt" / "target" / "run_results.json"
    if not run_results.exists():
        raise failure or FileNotFoundError(run_results)
    results = {}
    for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]:
        if result["unique_id"].startswith("unit_test."):
            _kind, _project, model, name = result["unique_id"].split(".", 3)
            results[(model, name)] = result
    return results


def test_the_project_has_unit_tests():
    assert UNIT_TESTS, "no unit test found in the models' YAML"


def test_dbt_ran_every_unit_test_in_the_yaml_and_no_other(unit_test_results):
    assert sorted(unit_test_results) == UNIT_TESTS


@pytest.mark.parametrize(
    ("model", "name"), UNIT_TESTS, ids=[f"{model}.{name}" for model, name in UNIT_TESTS]
)
def test_unit_test_passes(unit_test_results, model, name):
    result = unit_test_results.get((model, name))
    assert result is not None, f"dbt did not run the unit test {name} of {model}"
    assert result["status"] == "pass", f"{model}.{name}: {result['status']}\n{result['message']}"
