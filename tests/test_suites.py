"""The rules in ingest/suites.py and the committed GX project under expectations/ agree.

Runtime runs the committed suites, so a rule changed in code but not regenerated
(`moc gx-suites`) would silently not apply. The JSON is compared directly; GX is not imported
and nothing is rewritten.
"""

from __future__ import annotations

import json
import re
import string

import pandas as pd
import pytest

from common.settings import GX_PROJECT_DIR
from ingest.checks import add_check_columns
from ingest.gx_project import INDEX_COLUMNS
from ingest.return_contract import TABLES
from ingest.suites import FILE_KEY, RULES_BY_TABLE

GX_DIR = GX_PROJECT_DIR / "gx"
ALL_RULES = [(table, rule) for table, rules in RULES_BY_TABLE.items() for rule in rules]
RULE_IDS = [rule.code for _, rule in ALL_RULES]
TEMPLATE_FIELDS = {"value", "header", "council", "row"}  # ingest.validate fills them


def _snake(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def _load(kind: str, name: str) -> dict:
    return json.loads((GX_DIR / kind / f"{name}.json").read_text(encoding="utf-8"))


def test_snake_case_of_expectation_class_names():
    assert (
        _snake("ExpectColumnPairValuesAToBeGreaterThanB")
        == "expect_column_pair_values_a_to_be_greater_than_b"
    )


@pytest.mark.parametrize("table_name", sorted(RULES_BY_TABLE))
def test_committed_suite_matches_the_rules_in_code(table_name):
    table = TABLES[table_name]
    suite = _load("expectations", table_name)
    assert suite["name"] == table_name
    committed = [
        {"type": e["type"], "kwargs": e["kwargs"], "meta": e["meta"]} for e in suite["expectations"]
    ]
    in_code = [
        {"type": _snake(r.expectation), "kwargs": r.kwargs, "meta": r.to_meta(table)}
        for r in RULES_BY_TABLE[table_name]
    ]
    committed_codes = [e["meta"]["rule"] for e in committed]
    code_codes = [e["meta"]["rule"] for e in in_code]
    assert committed_codes == code_codes, "run `moc gx-suites` and commit the result"
    for in_json, wanted in zip(committed, in_code, strict=True):
        assert in_json == wanted, f"{wanted['meta']['rule']}: run `moc gx-suites`"


def test_every_suite_in_the_project_has_rules_in_code():
    committed = {p.stem for p in (GX_DIR / "expectations").glob("*.json")}
    assert committed == set(RULES_BY_TABLE)


@pytest.mark.parametrize("table_name", sorted(RULES_BY_TABLE))
def test_checkpoint_reports_failing_rows_by_file_and_row(table_name):
    checkpoint = _load("checkpoints", table_name)
    assert checkpoint["result_format"] == {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": INDEX_COLUMNS,
    }
    assert [d["name"] for d in checkpoint["validation_definitions"]] == [table_name]
    definition = _load("validation_definitions", table_name)
    assert definition["suite"]["name"] == table_name


def test_rule_codes_are_unique():
    assert len(RULE_IDS) == len(set(RULE_IDS))


@pytest.mark.parametrize(("table_name", "rule"), ALL_RULES, ids=RULE_IDS)
def test_rule_is_complete_and_actionable(table_name, rule):
    table = TABLES[table_name]
    assert rule.severity in ("error", "warning")
    assert rule.message.strip() and rule.fix.strip()
    assert rule.column in table.column_names, "feedback points the officer at a real column"
    fields = {f for _, f, _, _ in string.Formatter().parse(rule.message) if f is not None}
    assert fields <= TEMPLATE_FIELDS
    rule.message.format(value="3", header="Vacancy FTE", council="Luton", row=7)
    assert rule.code.startswith(("EST-",)) or table_name != "establishment"


def _one_row_frame(table_name: str) -> pd.DataFrame:
    table = TABLES[table_name]
    row = {c.name: ("A" if c.kind not in ("fte", "count") else 1.0) for c in table.columns}
    return pd.DataFrame([{**row, FILE_KEY: "f", "_row_number": 2, "council_code": "821"}])


@pytest.mark.parametrize("table_name", sorted(RULES_BY_TABLE))
def test_every_column_a_rule_checks_exists_in_the_validated_frame(table_name):
    frame = add_check_columns(_one_row_frame(table_name), TABLES[table_name])
    for rule in RULES_BY_TABLE[table_name]:
        kwargs = rule.kwargs
        columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
        columns += kwargs.get("column_list", [])
        assert set(columns) <= set(frame.columns), rule.code
