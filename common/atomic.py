"""Replace a published folder in one step, so a reader sees the old folder or the new one, never
half of each. Used by every publication (extracts, the dbt docs site).

A publication is written in full in a staging folder under ``<published root>/.staging/``,
then renamed into place. Staging sits beside the published tree, never inside it: a partner's
outbox (``outbox/<partner>/``) may be synced to the partner as it is, so a half-written extract
must never appear there, not even hidden. The same filesystem as the target, so the renames are
atomic.

A run killed while it writes leaves its staging folder behind; the next publication removes it
(:func:`remove_stale_staging`). That is safe only while no other run can be writing one, so it is
called holding the data folder's run lock (common/run_lock.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING_FOLDER = ".staging"


def staging_area(root: Path) -> Path:
    """Where publications under ``root`` are staged."""
    return Path(root) / STAGING_FOLDER


@contextmanager
def staged_folder(root: Path, target: Path) -> Iterator[Path]:
    """A new, empty staging folder for ``target`` (a folder under ``root``) to write into; when
    the block ends it replaces ``target`` (:func:`swap_into_place`), and when the block raises
    it is removed and ``target`` is left as it was."""
    area = staging_area(root)
    area.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=area))
    try:
        staging.chmod(0o755)  # mkdtemp makes it owner-only; the publication's readers need it
        yield staging
        target.parent.mkdir(parents=True, exist_ok=True)
        swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_if_empty(area)


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames only (same filesystem). The previous
    folder is retired beside ``staging``, so nothing but the two renames happens in the
    target's folder. A kill between them leaves no ``target`` until the next publication of it
    (its previous version waits, retired, in the staging area until then)."""
    retired = staging.with_name(f"{staging.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    if retired.exists():
        shutil.rmtree(retired)


def remove_stale_staging(root: Path) -> list[Path]:
    """Remove the staging folders killed runs left under ``root``; returns them. Call holding
    the data folder's run lock: then no other run is writing one."""
    area = staging_area(root)
    if not area.is_dir():
        return []
    removed = sorted(area.iterdir())
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    _remove_if_empty(area)
    return removed


def remove_hidden_siblings(target: Path) -> list[Path]:
    """Remove ``.<target name>.*`` beside ``target``: what earlier versions of the pipeline,
    which staged there, left when killed. Call holding the run lock, like
    :func:`remove_stale_staging`."""
    if not target.parent.is_dir():
        return []
    removed = sorted(target.parent.glob(f".{target.name}.*"))
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (another publication of this run is staged), or gone
        pass
