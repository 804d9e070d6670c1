"""Publish dbt's documentation site next to the published marts.

``dbt docs generate`` (run by :func:`ingest.transform.build_marts`) writes a static site into
``<data>/dbt/target``: ``index.html`` reads ``manifest.json`` (models, columns, tests, lineage)
and ``catalog.json`` (the warehouse's tables and types) beside it. Those three files are copied
to ``<published>/dbt_docs/``, written aside and renamed into place like a publication, so a
reader never sees the site of one build with the catalog of another; any static file server
can serve the folder.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ingest.config import Settings
from ingest.publish import swap_into_place

DOCS_SITE_FILES = ("index.html", "manifest.json", "catalog.json")
DOCS_SITE_FOLDER = "dbt_docs"


def dbt_target_dir(settings: Settings) -> Path:
    """Where ingest.transform.run_dbt points dbt's --target-path."""
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
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{DOCS_SITE_FOLDER}.", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it owner-only; the site's readers need to see it
        for name in DOCS_SITE_FILES:
            shutil.copyfile(source / name, staging / name)
        swap_into_place(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target
