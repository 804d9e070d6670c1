"""Publish dbt's documentation site next to the published marts.

``dbt docs generate`` (run by :func:`transform.dbt_runner.build_marts`) writes a static site into
``<data>/dbt/target``: ``index.html`` reads ``manifest.json`` (models, columns, tests, lineage)
and ``catalog.json`` (the warehouse's tables and types) beside it. Those three files are copied
to ``<published>/dbt_docs/``, staged and renamed into place like a publication
(common/atomic.py), so a
reader never sees the site of one build with the catalog of another; any static file server
can serve the folder. dbt writes the server's absolute paths into ``manifest.json`` (each
node's ``root_path`` and ``compiled_path``); the published copy says them relative to the
project, so the site tells its readers nothing about the server it was built on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from common.atomic import remove_hidden_siblings, staged_folder
from common.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings

DOCS_SITE_FILES = ("index.html", "manifest.json", "catalog.json")
DOCS_SITE_FOLDER = "dbt_docs"


def dbt_target_dir(settings: Settings) -> Path:
    """Where transform.dbt_runner.run_dbt points dbt's --target-path."""
    return settings.data_dir / "dbt" / "target"


def publish_docs_site(settings: Settings) -> Path:
    """Copy dbt's docs site to ``<published_dir>/dbt_docs`` atomically; return that folder.

    Raises FileNotFoundError, publishing nothing, when ``dbt docs generate`` has not written
    one of the files.
    """
    source = dbt_target_dir(settings)
    missing = [name for name in DOCS_SITE_FILES if not (source / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"No dbt docs site to publish: {', '.join(missing)} missing from {source} "
            "(run `dbt docs generate` first)."
        )
    target = settings.published_dir / DOCS_SITE_FOLDER
    remove_hidden_siblings(target)  # staged there by earlier versions, then killed
    with staged_folder(settings.published_dir, target) as staging:
        for name in DOCS_SITE_FILES:
            if name.endswith(".json"):
                text = (source / name).read_text(encoding="utf-8")
                (staging / name).write_text(without_server_paths(text, settings), encoding="utf-8")
            else:
                shutil.copyfile(source / name, staging / name)
    return target


def without_server_paths(json_text: str, settings: Settings) -> str:
    """JSON text with the absolute paths of this server made relative: dbt's target folder
    becomes ``target``, the dbt project ``dbt_project``, the data folder ``data`` and the
    repository ``.``; the innermost folder is replaced first."""
    folders = {
        dbt_target_dir(settings): "target",
        DBT_PROJECT_DIR: "dbt_project",
        settings.data_dir: "data",
        PROJECT_ROOT: ".",
    }
    for folder in sorted(folders, key=lambda f: len(str(f)), reverse=True):
        escaped = json.dumps(str(folder))[1:-1]  # as the path is written inside a JSON string
        json_text = json_text.replace(escaped, folders[folder])
    return json_text
