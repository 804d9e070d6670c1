"""The suppression decisions of earlier publications, kept so later ones build on them.

publish/extracts/suppression.py decides every month of the panel oldest first, earlier months
fixed. Recomputing that history on every publication cost time growing with the months, and a
late or revised return for an earlier month could change the recomputed pattern of a month
already published, so a figure once shown as ``c`` could appear later. The store holds, for
every cell decided, its status, its suppression reason (internal: never published) and the
fingerprint of the cell it was decided on. A month whose cells are unchanged is taken from the
store as it is; a changed month is decided again with its stored ``c`` cells kept hidden.

The store lives under the data folder (``Settings.suppression_store``), never in the published
folder (which may be synced to readers), private to the pipeline's user, and is replaced whole
(written beside, then renamed). It is only read back under the same disclosure settings:
decisions taken with another threshold or regional minimum are not this publication's, and are
set aside.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from common.atomic import private_folder, write_private_file
from publish.extracts.suppression import Decisions, Stored, fingerprint

FORMAT = 1


def load(path: Path, threshold: float, min_councils_for_region: int) -> Stored | None:
    """The stored decisions, or None when there are none under these settings."""
    if not path.exists():
        return None
    content = json.loads(path.read_text(encoding="utf-8"))
    settings = {"threshold": threshold, "min_councils_for_region": min_councils_for_region}
    if content.get("format") != FORMAT or content.get("settings") != settings:
        return None
    status, reasons, fingerprints = {}, {}, {}
    for row, indicator, cell_status, reason, cell_fingerprint in content["cells"]:
        key = (row, indicator)
        status[key], fingerprints[key] = cell_status, cell_fingerprint
        if reason is not None:
            reasons[key] = reason
    return Stored(status, reasons, fingerprints)


def save(
    path: Path,
    decisions: Decisions,
    threshold: float,
    min_councils_for_region: int,
    earlier: Stored | None = None,
) -> None:
    """Store ``decisions`` over ``earlier`` (months decided later than this publication's
    stay as they were), replacing the file whole."""
    status = dict(earlier.status) if earlier else {}
    reasons = dict(earlier.reasons) if earlier else {}
    fingerprints = dict(earlier.fingerprints) if earlier else {}
    for key, cell in decisions.cells.items():
        status[key], fingerprints[key] = decisions.status[key], fingerprint(cell)
        reasons.pop(key, None)
        if key in decisions.reasons:
            reasons[key] = decisions.reasons[key]
    content = {
        "format": FORMAT,
        "settings": {"threshold": threshold, "min_councils_for_region": min_councils_for_region},
        "cells": [
            [*key, status[key], reasons.get(key), fingerprints[key]] for key in sorted(status)
        ],
    }
    data = (json.dumps(content, separators=(",", ":")) + "\n").encode("utf-8")
    private_folder(path.parent)
    beside = path.with_name(f".{path.name}.{os.getpid()}.new")
    beside.unlink(missing_ok=True)
    write_private_file(beside, data)
    os.replace(beside, path)
