"""The dbt project follows dbt Labs' structure conventions: our stand-in for dbt-project-evaluator.

dbt-project-evaluator cannot be installed here (no dbt hub), so its rules that matter to us are
checked in Python against the manifest of one ``dbt parse``. Rule names are the evaluator's
where a rule is the evaluator's (``fct_model_naming_conventions``, ``fct_test_coverage``...);
the rules it does not have are ours and say so in their docstrings (see RULES).

A violation is a (rule, resource) pair; the resource is a model, source (``returns.workforce``),
seed, macro or folder name, or ``<model>.<column>`` for column rules. A violation passes only
if tests/dbt_project_evaluator_exceptions.csv lists its (rule, resource) with a reason, and an
exception that matches no violation fails too, so the list never outlives its reasons.

The exceptions live under tests/, not in a seed as the evaluator keeps them: the evaluator's
rules are SQL models that join to that seed in the warehouse, ours run in pytest, and a seed
would be loaded into the production warehouse and the published docs site on every
``dbt build`` as if it were reference data (STYLE.md: seeds are for lookups).

Error rules fail the build; warn rules (fan-out, joins, chained views) only warn.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from common.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from transform.dbt_runner import dbt_executable

MODELS_DIR = DBT_PROJECT_DIR / "models"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
EXCEPTIONS_CSV = Path(__file__).resolve().parent / "dbt_project_evaluator_exceptions.csv"
EXCEPTION_COLUMNS = ["rule", "resource", "reason"]

# Layers in DAG order: a model may read its own layer or an upstream one, never downstream.
LAYERS = ("staging", "intermediate", "marts")
LAYER_PREFIXES = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_")}
LAYER_MATERIALIZATIONS = {"staging": {"view"}, "marts": {"table", "incremental"}}
# Prefix of a folder's models YAML name per layer (models_yaml_name): the model prefix, none in
# marts, so staging/returns, intermediate/returns and marts/returns have three distinct names.
YAML_NAME_PREFIXES = {"staging": "stg_", "intermediate": "int_"}
# The Python packages that read the warehouse's models after a build (fct_models_without_consumers).
CONSUMER_PACKAGES = ("transform", "publish", "dashboard", "orchestration")
# Folders of the dbt project whose YAML files must have names no other has.
PROJECT_YAML_FOLDERS = ("models", "seeds", "macros", "tests")
STAGING_NAME = re.compile(r"^stg_(?P<source>[a-z0-9]+(?:_[a-z0-9]+)*)__(?P<entity>[a-z0-9_]+)$")

# Warn thresholds: the evaluator's defaults (models_fanout_threshold, too_many_joins_threshold,
# chained_views_threshold).
FANOUT_THRESHOLD = 3
TOO_MANY_JOINS_THRESHOLD = 7
CHAINED_VIEWS_THRESHOLD = 5

# Models and seeds as files, so tests can be parametrised per model before dbt has parsed.
MODEL_NAMES = sorted(path.stem for path in MODELS_DIR.rglob("*.sql"))


# --- the manifest ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """``dbt parse`` once, into a throwaway target folder; no warehouse is opened."""
    scratch = tmp_path_factory.mktemp("dbt_parse")
    env = dict(os.environ)
    env["MOC_WAREHOUSE_PATH"] = str(scratch / "x.duckdb")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    command = [
        dbt_executable(),
        "--no-use-colors",
        "parse",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(scratch / "target"),
        "--log-path",
        str(scratch / "logs"),
    ]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"dbt parse failed:\n{result.stdout[-4000:]}{result.stderr}"
    return json.loads((scratch / "target" / "manifest.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Project:
    """The parts of the manifest the rules read, keyed by plain names."""

    manifest: dict

    def _own(self, resource_type: str) -> dict[str, dict]:
        project = self.manifest["metadata"]["project_name"]
        return {
            node["name"]: node
            for node in self.manifest["nodes"].values()
            if node["resource_type"] == resource_type and node["package_name"] == project
        }

    @property
    def models(self) -> dict[str, dict]:
        return self._own("model")

    @property
    def seeds(self) -> dict[str, dict]:
        return self._own("seed")

    @property
    def sources(self) -> dict[str, dict]:
        project = self.manifest["metadata"]["project_name"]
        return {
            f"{s['source_name']}.{s['name']}": s
            for s in self.manifest["sources"].values()
            if s["package_name"] == project
        }

    @property
    def macros(self) -> dict[str, dict]:
        project = self.manifest["metadata"]["project_name"]
        return {
            m["name"]: m for m in self.manifest["macros"].values() if m["package_name"] == project
        }

    @property
    def data_tests(self) -> list[dict]:
        return [n for n in self.manifest["nodes"].values() if n["resource_type"] == "test"]

    def parents(self, node: dict) -> list[dict]:
        """Direct parents: models, seeds and sources, each as its manifest entry."""
        found = []
        for unique_id in node["depends_on"]["nodes"]:
            entry = self.manifest["nodes"].get(unique_id) or self.manifest["sources"].get(unique_id)
            if entry is not None:
                found.append(entry)
        return found

    def child_models(self, node: dict) -> list[dict]:
        children = self.manifest["child_map"].get(node["unique_id"], [])
        return [
            self.manifest["nodes"][c]
            for c in children
            if c in self.manifest["nodes"] and self.manifest["nodes"][c]["resource_type"] == "model"
        ]

    def tests_on(self, node: dict) -> list[dict]:
        """Data tests of the node: generic tests attached to it or its columns, and singular
        tests (tests/*.sql, attached to nothing) that read it."""
        uid = node["unique_id"]
        return [
            t
            for t in self.data_tests
            if t.get("attached_node") == uid
            or (t.get("attached_node") is None and uid in t["depends_on"]["nodes"])
        ]


def layer_of(model: dict) -> str | None:
    """The model's layer: the first folder under models/ (None when it is none of ours)."""
    parts = Path(model["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[1] in LAYERS else None


def source_label(source: dict) -> str:
    return f"{source['source_name']}.{source['name']}"


def patch_file(node: dict) -> str | None:
    """Project-relative path of the YAML file that documents the node."""
    patch = node.get("patch_path")
    return patch.split("://", 1)[1] if patch else None


def described(entry: dict) -> bool:
    return bool((entry.get("description") or "").strip())


# --- rules ----------------------------------------------------------------------------------

Violations = Iterator[tuple[str, str]]  # (resource, what is wrong)


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[Project], Violations]
    scope: str  # "model": resources are models or <model>.<column>; "project": anything else
    severity: str = "error"  # or "warn"

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())


RULES: dict[str, Rule] = {}


def rule(name: str, scope: str, severity: str = "error"):
    def register(check: Callable[[Project], Violations]) -> Callable[[Project], Violations]:
        RULES[name] = Rule(name, check, scope, severity)
        return check

    return register


# Modeling


@rule("fct_staging_not_exactly_one_source", "model")
def staging_reads_one_source(project: Project) -> Violations:
    """Ours (covers the evaluator's fct_multiple_sources_joined, fct_direct_join_to_source,
    fct_staging_dependent_on_staging and fct_staging_dependent_on_marts_or_intermediate for
    staging): a staging model selects from exactly one source and refs nothing."""
    for name, model in project.models.items():
        if layer_of(model) != "staging":
            continue
        parents = project.parents(model)
        sources = [p for p in parents if p["resource_type"] == "source"]
        refs = [p["name"] for p in parents if p["resource_type"] != "source"]
        if len(sources) != 1 or refs:
            yield name, f"reads sources {[source_label(s) for s in sources]} and refs {refs}"


@rule("fct_marts_or_intermediate_dependent_on_source", "model")
def downstream_reads_source(project: Project) -> Violations:
    """Evaluator: only staging models read sources."""
    for name, model in project.models.items():
        if layer_of(model) in ("intermediate", "marts"):
            for parent in project.parents(model):
                if parent["resource_type"] == "source":
                    yield name, f"reads source {source_label(parent)} directly"


@rule("fct_model_dependent_on_downstream_layer", "model")
def reads_downstream_layer(project: Project) -> Violations:
    """Ours: data flows staging -> intermediate -> marts; no model reads a later layer."""
    for name, model in project.models.items():
        layer = layer_of(model)
        if layer is None:
            continue
        for parent in project.parents(model):
            parent_layer = layer_of(parent) if parent["resource_type"] == "model" else None
            if parent_layer and LAYERS.index(parent_layer) > LAYERS.index(layer):
                yield name, f"{layer} model reads {parent_layer} model {parent['name']}"


@rule("fct_marts_dependent_on_marts", "model")
def mart_reads_mart(project: Project) -> Violations:
    """Ours: a mart reads another mart only where an exception allows that pair; the resource
    is '<mart> -> <parent mart>' and the reason says why (a fact reading its own roll-up...)."""
    for name, model in project.models.items():
        if layer_of(model) != "marts":
            continue
        for parent in project.parents(model):
            if parent["resource_type"] == "model" and layer_of(parent) == "marts":
                yield f"{name} -> {parent['name']}", "mart reads another mart"


@rule("fct_root_models", "model")
def root_models(project: Project) -> Violations:
    """Evaluator: every model reads a source, model or seed (no hard-coded data)."""
    for name, model in project.models.items():
        if not project.parents(model):
            yield name, "has no parents"


# "from|join schema.table" outside Jinja, comments and functions that take a FROM keyword
# (extract(year from t.col), trim(leading '0' from t.code)...).
HARD_CODED = re.compile(
    r"\b(?:from|join)\s+((?:\"?[a-z_][\w$]*\"?\.){1,2}\"?[a-z_][\w$]*\"?)", re.I
)
FROM_KEYWORD_FUNCTIONS = re.compile(
    r"\b(?:extract|trim|substring|overlay|position)\s*\([^()]*\)", re.I
)


def _without_jinja_and_comments(sql: str) -> str:
    sql = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", sql, flags=re.S)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r"--[^\n]*", " ", sql)
    return FROM_KEYWORD_FUNCTIONS.sub(" ", sql)


@rule("fct_hard_coded_references", "model")
def hard_coded_references(project: Project) -> Violations:
    """Evaluator: relations are read through ref() or source(), never by schema.table."""
    for name, model in project.models.items():
        for reference in HARD_CODED.findall(_without_jinja_and_comments(model["raw_code"])):
            yield name, f"reads {reference} without ref() or source()"


@rule("fct_models_without_consumers", "model")
def models_without_consumers(project: Project) -> Violations:
    """Ours (the evaluator's fct_unused_sources for models): every model is read by another
    model or named by the pipeline's code that reads the warehouse (CONSUMER_PACKAGES: the
    build plan, extracts, dashboard, chase); a model nothing reads is dead weight on every
    build, or waits for a feature and says so in an exception. Tests do not count."""
    consumer_code = consumer_source_code()
    for name, model in project.models.items():
        if project.child_models(model):
            continue
        if not re.search(rf"\b{re.escape(name)}\b", consumer_code):
            yield name, "no model reads it and no pipeline code names it"


def consumer_source_code(root: Path = PROJECT_ROOT) -> str:
    """The Python of the packages that read the warehouse after dbt, as one text."""
    return "\n".join(
        path.read_text(encoding="utf-8")
        for package in CONSUMER_PACKAGES
        for path in sorted((root / package).rglob("*.py"))
    )


@rule("fct_unused_sources", "project")
def unused_sources(project: Project) -> Violations:
    """Evaluator: every source table is read by a model."""
    for label, source in project.sources.items():
        if not project.child_models(source):
            yield label, "no model reads it"


@rule("fct_source_fanout", "project")
def source_fanout(project: Project) -> Violations:
    """Evaluator: a source table is read by one staging model only."""
    for label, source in project.sources.items():
        children = sorted(c["name"] for c in project.child_models(source))
        if len(children) > 1:
            yield label, f"read by {children}"


# Structure


@rule("fct_model_naming_conventions", "model")
def model_naming(project: Project) -> Violations:
    """Evaluator: stg_<source>__<entity> in staging, int_ in intermediate, fct_/dim_ in marts.
    Ours too: a staging model's entity is the name of the source table it reads, so a table
    keeps one name from source to mart (stg_returns__establishment, int_establishment_latest)."""
    for name, model in project.models.items():
        layer = layer_of(model)
        if layer is None:
            continue  # fct_model_directories reports it
        if not name.startswith(LAYER_PREFIXES[layer]):
            yield name, f"{layer} model names start with {' or '.join(LAYER_PREFIXES[layer])}"
        elif layer == "staging":
            match = STAGING_NAME.match(name)
            parents = [p for p in project.parents(model) if "source_name" in p]
            sources = {p["source_name"] for p in parents}
            tables = {p["name"] for p in parents}
            if not match:
                yield name, "staging model names are stg_<source>__<entity>"
            elif sources and match["source"] not in sources:
                yield name, f"named for source {match['source']!r}, reads {sorted(sources)}"
            elif tables and match["entity"] not in tables:
                yield name, f"named for entity {match['entity']!r}, reads table {sorted(tables)}"


@rule("fct_model_directories", "model")
def model_directories(project: Project) -> Violations:
    """Evaluator: models sit in models/<layer>/<folder>/; a staging folder is named after the
    source its models read (models/staging/<source>/)."""
    for name, model in project.models.items():
        parts = Path(model["original_file_path"]).parts
        if len(parts) != 4 or parts[1] not in LAYERS:
            yield name, f"{model['original_file_path']} is not models/<layer>/<folder>/<model>.sql"
        elif parts[1] == "staging":
            sources = {p["source_name"] for p in project.parents(model) if "source_name" in p}
            if sources and sources != {parts[2]}:
                yield name, f"in staging/{parts[2]}/ but reads source {sorted(sources)}"


@rule("fct_source_directories", "project")
def source_directories(project: Project) -> Violations:
    """Evaluator, with our file name: source <s> is declared in
    models/staging/<s>/_<s>__sources.yml."""
    for label, source in project.sources.items():
        name = source["source_name"]
        expected = f"models/staging/{name}/_{name}__sources.yml"
        if source["original_file_path"] != expected:
            yield label, f"declared in {source['original_file_path']}, expected {expected}"


def models_yaml_name(folder: Path) -> str:
    """The one models YAML of a model folder, named so no two folders share a name (dbt's
    guide): _stg_<source>__models.yml in staging, _int_<area>__models.yml in intermediate,
    _<area>__models.yml in marts."""
    return f"_{YAML_NAME_PREFIXES.get(folder.parent.name, '')}{folder.name}__models.yml"


@rule("fct_model_yaml_files", "model")
def model_yaml_files(project: Project) -> Violations:
    """Ours: a model is documented in the one models YAML of its own folder
    (models_yaml_name: _int_agency__models.yml for intermediate/agency...)."""
    for name, model in project.models.items():
        folder = Path(model["original_file_path"]).parent
        expected = (folder / models_yaml_name(folder)).as_posix()
        if patch_file(model) != expected:
            yield name, f"documented in {patch_file(model)}, expected {expected}"


@rule("fct_yaml_file_naming", "project")
def yaml_file_naming(project: Project) -> Violations:
    """Ours: every model folder holds exactly one models YAML (models_yaml_name), plus
    _<folder>__sources.yml in a staging folder; no other YAML."""
    folders = {p.parent for p in MODELS_DIR.rglob("*") if p.suffix in (".sql", ".yml", ".yaml")}
    for folder in sorted(folders):
        label = folder.relative_to(DBT_PROJECT_DIR).as_posix()
        allowed = {models_yaml_name(folder)}
        if folder.parent.name == "staging":
            allowed.add(f"_{folder.name}__sources.yml")
        present = {p.name for p in folder.iterdir() if p.suffix in (".yml", ".yaml")}
        if models_yaml_name(folder) not in present:
            yield label, f"has no {models_yaml_name(folder)}"
        if present - allowed:
            yield label, f"has other YAML files {sorted(present - allowed)}"


@rule("fct_duplicate_yaml_file_names", "project")
def duplicate_yaml_file_names(project: Project) -> Violations:
    """Ours (dbt's guide): no two YAML files of the project (models, sources, seeds, macros)
    share a file name, so a name found in an editor or a log says which file it is."""
    for name, paths in yaml_files_sharing_a_name(DBT_PROJECT_DIR).items():
        yield name, f"is the name of {paths}"


def yaml_files_sharing_a_name(project_dir: Path) -> dict[str, list[str]]:
    """File name -> the project's YAML files (under models/, seeds/, macros/, tests/) that
    have it, for the names more than one file has."""
    by_name: dict[str, list[str]] = {}
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if path.suffix in (".yml", ".yaml") and relative.parts[0] in PROJECT_YAML_FOLDERS:
            by_name.setdefault(path.name, []).append(relative.as_posix())
    return {name: paths for name, paths in by_name.items() if len(paths) > 1}


@rule("fct_model_materializations", "model")
def model_materializations(project: Project) -> Violations:
    """Ours: staging models are views; marts are tables (or incremental)."""
    for name, model in project.models.items():
        allowed = LAYER_MATERIALIZATIONS.get(layer_of(model) or "")
        materialized = model["config"]["materialized"]
        if allowed and materialized not in allowed:
            yield name, f"materialised as {materialized}, expected {' or '.join(sorted(allowed))}"


# Testing


@rule("fct_test_coverage", "model")
def models_without_tests(project: Project) -> Violations:
    """Evaluator (at 100%): every model has at least one data test."""
    for name, model in project.models.items():
        if not project.tests_on(model):
            yield name, "has no data test"


@rule("fct_missing_primary_key_tests", "model")
def missing_primary_key_tests(project: Project) -> Violations:
    """Evaluator, on marts: unique and not_null on one column, or a
    unique_combination_of_columns test."""
    for name, model in project.models.items():
        if layer_of(model) != "marts":
            continue
        by_column: dict[str | None, set[str]] = {}
        for test in project.tests_on(model):
            kind = (test.get("test_metadata") or {}).get("name")
            by_column.setdefault(test.get("column_name"), set()).add(kind)
        combination = any("unique_combination_of_columns" in kinds for kinds in by_column.values())
        single = any({"unique", "not_null"} <= kinds for c, kinds in by_column.items() if c)
        if not (combination or single):
            yield name, "no unique + not_null column and no unique_combination_of_columns test"


@rule("fct_untested_seeds", "project")
def untested_seeds(project: Project) -> Violations:
    """Ours: every seed has at least one data test."""
    for name, seed in project.seeds.items():
        if not project.tests_on(seed):
            yield name, "has no data test"


# Documentation


@rule("fct_undocumented_models", "model")
def undocumented_models(project: Project) -> Violations:
    """Evaluator: every model has a description."""
    for name, model in project.models.items():
        if not described(model):
            yield name, "has no description"


@rule("fct_undocumented_mart_columns", "model")
def undocumented_mart_columns(project: Project) -> Violations:
    """Ours: every column of every mart is declared and described (with the contract enforced,
    the declared columns are exactly the columns the mart builds)."""
    for name, model in project.models.items():
        if layer_of(model) != "marts":
            continue
        if not model["columns"]:
            yield name, "declares no columns"
        for column, entry in model["columns"].items():
            if not described(entry):
                yield f"{name}.{column}", "has no description"


@rule("fct_undocumented_sources", "project")
def undocumented_sources(project: Project) -> Violations:
    """Evaluator: every source has a description."""
    for name in sorted({s["source_name"] for s in project.sources.values()}):
        entries = [s for s in project.sources.values() if s["source_name"] == name]
        if not any((s.get("source_description") or "").strip() for s in entries):
            yield name, "has no description"


@rule("fct_undocumented_source_tables", "project")
def undocumented_source_tables(project: Project) -> Violations:
    """Evaluator: every source table has a description."""
    for label, source in project.sources.items():
        if not described(source):
            yield label, "has no description"


def seed_header(seed: dict) -> list[str]:
    with open(DBT_PROJECT_DIR / seed["original_file_path"], newline="", encoding="utf-8") as f:
        return next(csv.reader(f), [])


@rule("fct_undocumented_seeds", "project")
def undocumented_seeds(project: Project) -> Violations:
    """Ours: every seed has a description and every column of its CSV one too."""
    for name, seed in project.seeds.items():
        if not described(seed):
            yield name, "has no description"
        for column in seed_header(seed):
            if not described(seed["columns"].get(column, {})):
                yield f"{name}.{column}", "has no description"


@rule("fct_undocumented_macros", "project")
def undocumented_macros(project: Project) -> Violations:
    """Ours: every macro of the project (formulas, generic tests, overrides) has a description,
    and every argument of its signature is documented with a description."""
    for name, macro in project.macros.items():
        if not described(macro):
            yield name, f"{macro['original_file_path']}: has no description"
        documented = {a["name"]: a for a in macro.get("arguments", [])}
        for argument in macro_signature(macro):
            if not described(documented.get(argument, {})):
                yield f"{name}.{argument}", "argument has no description"


def macro_signature(macro: dict) -> list[str]:
    """Argument names of ``{% macro name(a, b=1) %}`` (a generic test's ``test name``)."""
    match = re.search(r"\{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%\}", macro["macro_sql"], re.S)
    if not match:
        return []
    return [a.split("=")[0].strip() for a in match[1].split(",") if a.strip() and "*" not in a]


# Governance


@rule("fct_public_models_without_contract", "model")
def marts_without_contract(project: Project) -> Violations:
    """Evaluator, with marts as our public models: every mart enforces its contract."""
    for name, model in project.models.items():
        if layer_of(model) == "marts" and not model["config"]["contract"]["enforced"]:
            yield name, "contract not enforced"


@rule("fct_mart_columns_without_data_type", "model")
def mart_columns_without_data_type(project: Project) -> Violations:
    """Ours: every column of every mart declares its data_type."""
    for name, model in project.models.items():
        if layer_of(model) != "marts":
            continue
        for column, entry in model["columns"].items():
            if not (entry.get("data_type") or "").strip():
                yield f"{name}.{column}", "has no data_type"


# Performance and fan-out: warnings


@rule("fct_model_fanout", "model", severity="warn")
def model_fanout(project: Project) -> Violations:
    """Evaluator: a model feeds at most FANOUT_THRESHOLD leaf models directly (more suggests
    logic that belongs upstream)."""
    for name, model in project.models.items():
        leaves = [c["name"] for c in project.child_models(model) if not project.child_models(c)]
        if len(leaves) > FANOUT_THRESHOLD:
            yield name, f"{len(leaves)} direct leaf children: {sorted(leaves)}"


@rule("fct_too_many_joins", "model", severity="warn")
def too_many_joins(project: Project) -> Violations:
    """Evaluator: a model reads at most TOO_MANY_JOINS_THRESHOLD relations directly."""
    for name, model in project.models.items():
        parents = project.parents(model)
        if len(parents) > TOO_MANY_JOINS_THRESHOLD:
            yield name, f"reads {len(parents)} relations"


@rule("fct_chained_views_dependencies", "model", severity="warn")
def chained_views(project: Project) -> Violations:
    """Evaluator: a model sits on at most CHAINED_VIEWS_THRESHOLD views in a row (each query
    re-runs the whole chain)."""
    memo: dict[str, int] = {}

    def views_above(model: dict) -> int:
        """Longest run of view/ephemeral models directly upstream of the model."""
        if model["unique_id"] not in memo:
            runs = [
                1 + views_above(p)
                for p in project.parents(model)
                if p["resource_type"] == "model"
                and p["config"]["materialized"] in ("view", "ephemeral")
            ]
            memo[model["unique_id"]] = max(runs, default=0)
        return memo[model["unique_id"]]

    for name, model in project.models.items():
        if views_above(model) > CHAINED_VIEWS_THRESHOLD:
            yield name, f"sits on {views_above(model)} views in a row"


# --- exceptions -----------------------------------------------------------------------------


def read_exceptions(path: Path = EXCEPTIONS_CSV) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == EXCEPTION_COLUMNS, f"{path.name} columns: {reader.fieldnames}"
        return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def excepted(exceptions: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(e["rule"], e["resource"]) for e in exceptions if e["reason"]}


def all_violations(project: Project) -> dict[tuple[str, str], str]:
    """Every (rule, resource) that breaks a rule, error and warn, with what is wrong."""
    found: dict[tuple[str, str], str] = {}
    for name, entry in RULES.items():
        for resource, message in entry.check(project):
            key = (name, resource)
            found[key] = f"{found[key]}; {message}" if key in found else message
    return found


def belongs_to(resource: str, model: str) -> bool:
    return resource == model or resource.startswith((f"{model}.", f"{model} -> "))


def unexcepted(
    violations: dict[tuple[str, str], str], exceptions: list[dict[str, str]]
) -> dict[tuple[str, str], str]:
    allowed = excepted(exceptions)
    return {key: message for key, message in violations.items() if key not in allowed}


def stale(
    violations: dict[tuple[str, str], str], exceptions: list[dict[str, str]]
) -> list[tuple[str, str]]:
    return [
        (e["rule"], e["resource"])
        for e in exceptions
        if (e["rule"], e["resource"]) not in violations
    ]


def report(failures: dict[tuple[str, str], str]) -> str:
    lines = [
        f"  {rule_name} {resource}: {message}"
        for (rule_name, resource), message in sorted(failures.items())
    ]
    docs = {rule_name: RULES[rule_name].doc for rule_name, _ in failures}
    return "\n".join([*lines, "rules:", *(f"  {r}: {d}" for r, d in sorted(docs.items()))])


@pytest.fixture(scope="module")
def violations(manifest) -> dict[tuple[str, str], str]:
    return all_violations(Project(manifest))


@pytest.fixture(scope="module")
def exceptions() -> list[dict[str, str]]:
    return read_exceptions()


# --- tests ----------------------------------------------------------------------------------

MODEL_RULES = sorted(n for n, r in RULES.items() if r.scope == "model" and r.severity == "error")
PROJECT_RULES = sorted(
    n for n, r in RULES.items() if r.scope == "project" and r.severity == "error"
)
WARN_RULES = sorted(n for n, r in RULES.items() if r.severity == "warn")


def test_every_model_file_was_parsed(manifest):
    parsed = set(Project(manifest).models)
    assert set(MODEL_NAMES) <= parsed, (
        f"not in the manifest (disabled?): {set(MODEL_NAMES) - parsed}"
    )


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_model_follows_conventions(model, violations, exceptions):
    failures = {
        key: message
        for key, message in unexcepted(violations, exceptions).items()
        if key[0] in MODEL_RULES and belongs_to(key[1], model)
    }
    assert not failures, f"{model} breaks:\n{report(failures)}"


@pytest.mark.parametrize("rule_name", PROJECT_RULES)
def test_project_rule(rule_name, violations, exceptions):
    failures = {k: m for k, m in unexcepted(violations, exceptions).items() if k[0] == rule_name}
    assert not failures, f"{rule_name}:\n{report(failures)}"


def test_model_rules_only_name_models(violations):
    """A model rule's resource names a model, so test_model_follows_conventions reports it."""
    orphans = [
        key
        for key in violations
        if key[0] in MODEL_RULES and not any(belongs_to(key[1], m) for m in MODEL_NAMES)
    ]
    assert not orphans, orphans


@pytest.mark.parametrize("rule_name", WARN_RULES)
def test_warn_rule(rule_name, violations, exceptions):
    for (name, resource), message in unexcepted(violations, exceptions).items():
        if name == rule_name:
            warnings.warn(f"{rule_name} {resource}: {message}", stacklevel=1)


def test_exceptions_are_well_formed(exceptions):
    keys = [(e["rule"], e["resource"]) for e in exceptions]
    assert not [e for e in exceptions if not e["reason"]], "every exception needs a reason"
    assert not [k for k in keys if k[0] not in RULES], f"unknown rules; known: {sorted(RULES)}"
    assert len(keys) == len(set(keys)), "an exception is listed twice"


def test_every_exception_still_matches_a_violation(violations, exceptions):
    """An exception that no longer excuses anything is removed, so the list stays honest."""
    assert not stale(violations, exceptions), (
        f"remove from {EXCEPTIONS_CSV.name}: {stale(violations, exceptions)}"
    )


# --- the checker checked, on a hand-made manifest -------------------------------------------


def _node(kind: str, name: str, path: str, parents=(), **extra) -> dict:
    node = {
        "resource_type": kind,
        "package_name": "p",
        "name": name,
        "unique_id": f"{kind}.p.{name}",
        "original_file_path": path,
        "depends_on": {"nodes": list(parents)},
        "config": {"materialized": "table", "contract": {"enforced": True}},
        "description": "d",
        "columns": {},
        "raw_code": "",
    }
    node.update(extra)
    return node


def test_rules_catch_a_mart_reading_a_source_and_a_badly_named_staging_model():
    source = {
        "resource_type": "source",
        "package_name": "p",
        "source_name": "returns",
        "name": "t",
        "unique_id": "source.p.returns.t",
    }
    staging = _node("model", "stg_t", "models/staging/returns/stg_t.sql", [source["unique_id"]])
    renamed = _node(  # the entity is not the source table's name
        "model",
        "stg_returns__ts",
        "models/staging/returns/stg_returns__ts.sql",
        [source["unique_id"]],
    )
    named = _node(
        "model",
        "stg_returns__t",
        "models/staging/returns/stg_returns__t.sql",
        [source["unique_id"]],
    )
    mart = _node(
        "model",
        "fct_t",
        "models/marts/core/fct_t.sql",
        [source["unique_id"], staging["unique_id"]],
        raw_code="select * from raw.t",
    )
    manifest = {
        "metadata": {"project_name": "p"},
        "nodes": {n["unique_id"]: n for n in (staging, renamed, named, mart)},
        "sources": {source["unique_id"]: source},
        "child_map": {},
    }
    project = Project(manifest)
    found = {
        (r, resource)
        for r in (
            "fct_marts_or_intermediate_dependent_on_source",
            "fct_model_naming_conventions",
            "fct_hard_coded_references",
            "fct_undocumented_mart_columns",
        )
        for resource, _ in RULES[r].check(project)
    }
    assert found == {
        ("fct_marts_or_intermediate_dependent_on_source", "fct_t"),
        ("fct_model_naming_conventions", "stg_t"),
        ("fct_model_naming_conventions", "stg_returns__ts"),
        ("fct_hard_coded_references", "fct_t"),
        ("fct_undocumented_mart_columns", "fct_t"),
    }


def test_exception_passes_a_violation_and_a_stale_exception_is_caught():
    violations = {("fct_test_coverage", "int_a"): "has no data test"}
    exceptions = [
        {"rule": "fct_test_coverage", "resource": "int_a", "reason": "pending fix: add a test"},
        {"rule": "fct_test_coverage", "resource": "int_gone", "reason": "pending fix: x"},
    ]
    assert unexcepted(violations, exceptions) == {}
    assert stale(violations, exceptions) == [("fct_test_coverage", "int_gone")]
    no_reason = [{"rule": "fct_test_coverage", "resource": "int_a", "reason": ""}]
    assert unexcepted(violations, no_reason) == violations


def test_yaml_files_sharing_a_name_are_caught_and_the_layer_prefixes_keep_names_apart(tmp_path):
    for folder in ("staging/returns", "intermediate/returns", "marts/returns"):
        (tmp_path / "models" / folder).mkdir(parents=True)
        (tmp_path / "models" / folder / "_returns__models.yml").write_text("version: 2\n")
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "_macros.yml").write_text("version: 2\n")
    assert yaml_files_sharing_a_name(tmp_path) == {
        "_returns__models.yml": [
            "models/intermediate/returns/_returns__models.yml",
            "models/marts/returns/_returns__models.yml",
            "models/staging/returns/_returns__models.yml",
        ]
    }
    names = {
        models_yaml_name(tmp_path / "models" / f)
        for f in ("staging/returns", "intermediate/returns", "marts/returns")
    }
    assert names == {"_stg_returns__models.yml", "_int_returns__models.yml", "_returns__models.yml"}


def _version_bounds(specifiers: list[str]) -> set[tuple[str, tuple[int, ...]]]:
    """('>=', (1, 11)) for '>=1.11.0' or '>=1.11': operator and release, trailing zeros cut."""
    bounds = set()
    for specifier in specifiers:
        operator, release = re.fullmatch(r"\s*([<>=!~]=?)\s*([\d.]+)\s*", specifier).groups()
        numbers = [int(n) for n in release.split(".")]
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()
        bounds.add((operator, tuple(numbers)))
    return bounds


def test_require_dbt_version_is_the_dbt_core_range_of_requirements_in():
    """dbt_project.yml's require-dbt-version and requirements.in pin the same dbt-core range,
    so the project refuses the dbt versions we do not install."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    required = project["require-dbt-version"]
    requirement = next(
        line.split("#")[0].strip()
        for line in (PROJECT_ROOT / "requirements.in").read_text(encoding="utf-8").splitlines()
        if re.match(r"dbt-core\s*[<>=!~]", line)
    )
    pinned = requirement.removeprefix("dbt-core").split(",")
    assert _version_bounds(required) == _version_bounds(pinned)


def test_a_model_nothing_reads_is_caught_and_a_read_one_is_not():
    parent = _node("model", "int_read_by_a_model", "models/intermediate/a/int_read_by_a_model.sql")
    child = _node(
        "model", "int_read_by_nothing", "models/intermediate/a/int_read_by_nothing.sql", ["x"]
    )
    named = _node("model", "fct_vacancies", "models/marts/vacancies/fct_vacancies.sql")
    manifest = {
        "metadata": {"project_name": "p"},
        "nodes": {n["unique_id"]: n for n in (parent, child, named)},
        "sources": {},
        "child_map": {parent["unique_id"]: [child["unique_id"]]},
    }
    found = {resource for resource, _ in models_without_consumers(Project(manifest))}
    assert found == {"int_read_by_nothing"}  # fct_vacancies: the extracts and dashboard name it
