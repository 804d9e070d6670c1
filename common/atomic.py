"""Replace a published folder in one step, so a reader sees the old folder or the new one, never
half of each. Used by every publication (extracts, the dbt docs site)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames only (same filesystem)."""
    retired = target.with_name(f".{target.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    if retired.exists():
        shutil.rmtree(retired)
