"""What an adversary holds: every file's cells side by side, for the exact-elimination attacks
of the disclosure tests."""

from __future__ import annotations

from publish.extracts.suppression import panel_key


def knowledge(files: list[dict], groups) -> dict:
    """What the files say together, keyed as the panel is: {(period, row, indicator): text}
    files merged; any cell of an equation that no file shows is unknown (c). Two files never
    disagree on a cell: one shows the text, or both, or one shows c."""
    known: dict = {}
    for file in files:
        for (period, row, name), text in file.items():
            key = panel_key(period, row, name)
            if known.get(key, "c") == "c":
                known[key] = text
            else:
                assert text in ("c", known[key]), (key, text, known[key])  # files never disagree
    for total, members in groups:
        for key in (total, *members):
            known.setdefault(key, "c")
    return known
