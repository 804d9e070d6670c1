"""The layout shows the flow, and the imports follow it.

Data flows one way: bucket -> intake (``ingest``) -> dbt marts (``transform``) -> extracts
(``publish``) -> ``dashboard``, with ``common`` (settings, members, rounding, the Excel writer)
under all of them. A stage may import its own package, an earlier stage and ``common``; never a
later stage. ``orchestration`` (Airflow task bodies, the CLI, chasing) and ``samples`` (sample
returns for the demo and the tests) span stages: orchestration may import any stage, samples only
``common`` and ``ingest`` (they write what a council sends), and no stage imports either. Nothing
outside ``tests/`` imports test code, and DAG files are wiring: they import only orchestration.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from common.settings import PROJECT_ROOT

STAGES = ("common", "ingest", "transform", "publish", "dashboard")
SPANNING = {
    "orchestration": frozenset(STAGES) | {"orchestration", "samples"},
    "samples": frozenset({"common", "ingest", "samples"}),
}
# Modules that live under tests/ (tests/ is on sys.path, so they import by these names).
TEST_CODE = frozenset(
    {"tests", "support", "conftest", "warehouse_helpers", "feedback_samples", "corpus"}
    | {path.stem for path in (PROJECT_ROOT / "tests").glob("test_*.py")}
)
PROJECT_PACKAGES = frozenset(STAGES) | frozenset(SPANNING)


def allowed_imports(package: str) -> frozenset[str]:
    if package in SPANNING:
        return SPANNING[package]
    return frozenset(STAGES[: STAGES.index(package) + 1])


def imported_top_levels(path: Path) -> set[str]:
    """Every top-level name the module imports, at module level or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules_of(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


def test_every_package_is_a_stage_or_spans_stages():
    on_disk = {p.parent.name for p in PROJECT_ROOT.glob("*/__init__.py")}
    assert on_disk == PROJECT_PACKAGES


@pytest.mark.parametrize("package", [*STAGES, *SPANNING])
def test_no_module_imports_a_later_stage_or_test_code(package):
    allowed = allowed_imports(package)
    wrong = {}
    for path in modules_of(package):
        imported = imported_top_levels(path)
        bad = (imported & PROJECT_PACKAGES - allowed) | (imported & TEST_CODE)
        if bad:
            wrong[str(path.relative_to(PROJECT_ROOT))] = sorted(bad)
    assert wrong == {}, f"imports against the flow ({package} may import {sorted(allowed)})"


def test_intake_imports_nothing_downstream():
    """The issue's own check, spelled out: intake knows nothing of dbt, publishing, the
    dashboard, the Airflow task bodies, the sample generators or the tests."""
    downstream = {"transform", "publish", "dashboard", "orchestration", "samples"} | TEST_CODE
    for path in modules_of("ingest"):
        assert imported_top_levels(path).isdisjoint(downstream), path


def test_dag_files_are_wiring_only():
    for path in sorted((PROJECT_ROOT / "dags").glob("*.py")):
        project_imports = imported_top_levels(path) & (PROJECT_PACKAGES | TEST_CODE)
        assert project_imports <= {"orchestration"}, (path.name, project_imports)


def test_benchmarks_import_no_test_code():
    for path in sorted((PROJECT_ROOT / "benchmarks").glob("*.py")):
        assert imported_top_levels(path).isdisjoint(TEST_CODE), path
