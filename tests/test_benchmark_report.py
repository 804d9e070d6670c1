"""The benchmarks' figures land in BENCHMARKS.md: a rerun replaces its own rows and leaves the
other runs and the other benchmarks' tables alone."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from report import upsert_rows  # noqa: E402

HEADER = "| run | seconds |"


def _table(path: Path, name: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return text.split(f"<!-- {name}:start -->\n")[1].split(f"\n<!-- {name}:end -->")[0].split("\n")


def test_a_new_benchmark_gets_its_section_at_the_end(tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\nHand-written notes.\n", encoding="utf-8")
    upsert_rows(
        "demo", "## Demo\n\nWhat it measures.", HEADER, "small", ["| small | 1.0 |"], report
    )
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nHand-written notes.\n\n## Demo\n\nWhat it measures.")
    assert _table(report, "demo") == [HEADER, "|---|---|", "| small | 1.0 |"]


def test_a_rerun_replaces_only_its_own_rows(tmp_path):
    report = tmp_path / "BENCHMARKS.md"
    upsert_rows("a", "## A", HEADER, "small", ["| small | 1.0 |"], report)
    upsert_rows("a", "## A", HEADER, "large", ["| large | 9.0 |"], report)
    upsert_rows("b", "## B", HEADER, "small", ["| small | 5.0 |"], report)
    upsert_rows("a", "## A", HEADER, "small", ["| small | 2.0 |", "| small | 2.5 |"], report)
    assert _table(report, "a") == [
        HEADER,
        "|---|---|",
        "| large | 9.0 |",
        "| small | 2.0 |",
        "| small | 2.5 |",
    ]
    assert _table(report, "b") == [HEADER, "|---|---|", "| small | 5.0 |"]
