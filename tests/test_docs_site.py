"""Publishing dbt's docs site: the three files land next to the marts, replacing the last
site whole, and nothing is published when dbt has not generated one."""

from __future__ import annotations

import json

import pytest

from common.settings import DBT_PROJECT_DIR, PROJECT_ROOT, load_settings
from transform.docs_site import DOCS_SITE_FILES, dbt_target_dir, publish_docs_site


@pytest.fixture
def settings(tmp_path):
    return load_settings({"MOC_DATA_DIR": str(tmp_path / "data")})


def _fake_docs_target(settings, build: str) -> None:
    target = dbt_target_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    for name in DOCS_SITE_FILES:
        (target / name).write_text(f"{name} of build {build}", encoding="utf-8")
    (target / "run_results.json").write_text("{}", encoding="utf-8")  # not part of the site


def test_publishes_the_docs_site_next_to_the_marts(settings):
    _fake_docs_target(settings, "1")
    folder = publish_docs_site(settings)
    assert folder == settings.published_dir / "dbt_docs"
    assert sorted(p.name for p in folder.iterdir()) == sorted(DOCS_SITE_FILES)
    assert (folder / "catalog.json").read_text(encoding="utf-8") == "catalog.json of build 1"
    assert folder.stat().st_mode & 0o755 == 0o755


def test_a_new_site_replaces_the_old_one_whole_and_leaves_no_debris(settings):
    _fake_docs_target(settings, "1")
    folder = publish_docs_site(settings)
    (folder / "stale.html").write_text("left from an old site", encoding="utf-8")
    _fake_docs_target(settings, "2")
    publish_docs_site(settings)
    assert sorted(p.name for p in folder.iterdir()) == sorted(DOCS_SITE_FILES)
    assert {(folder / n).read_text(encoding="utf-8") for n in DOCS_SITE_FILES} == {
        f"{n} of build 2" for n in DOCS_SITE_FILES
    }
    assert [p.name for p in settings.published_dir.iterdir()] == ["dbt_docs"]


def test_publishes_nothing_without_a_generated_site(settings):
    _fake_docs_target(settings, "1")
    (dbt_target_dir(settings) / "catalog.json").unlink()
    with pytest.raises(FileNotFoundError, match="catalog.json"):
        publish_docs_site(settings)
    assert not (settings.published_dir / "dbt_docs").exists()
    assert not settings.published_dir.exists() or not any(settings.published_dir.iterdir())


def test_the_published_manifest_names_no_server_path(settings):
    """dbt writes absolute paths into manifest.json; the published site has them relative."""
    target = dbt_target_dir(settings)
    _fake_docs_target(settings, "1")
    manifest = {
        "root_path": str(DBT_PROJECT_DIR),
        "compiled_path": str(target / "compiled" / "moc_workforce" / "models" / "x.sql"),
        "profile": str(settings.data_dir / "warehouse.duckdb"),
        "readme": str(PROJECT_ROOT / "README.md"),
        "original_file_path": "models/x.sql",
    }
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    published = publish_docs_site(settings) / "manifest.json"
    assert json.loads(published.read_text(encoding="utf-8")) == {
        "root_path": "dbt_project",
        "compiled_path": "target/compiled/moc_workforce/models/x.sql",
        "profile": "data/warehouse.duckdb",
        "readme": "./README.md",
        "original_file_path": "models/x.sql",
    }
