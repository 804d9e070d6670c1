"""What every benchmark writes to ``BENCHMARKS.md``: its own table between two markers, one row
per run key (a rerun with the same settings replaces its rows), each row saying on which machine,
on which day and at which commit the figures were taken."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"


def machine() -> str:
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} CPU, {memory}, Python {platform.python_version()}"


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{head}-dirty" if git("status", "--porcelain", "--untracked-files=no") else head


def markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def upsert_rows(
    name: str, intro: str, header: str, run_key: str, rows: list[str], path: Path = REPORT
) -> None:
    """Put ``rows`` in the benchmark ``name``'s table in place of the rows of the same run key
    (the first cell), adding the section (``intro``, then the table) at the end if it is new."""
    start_mark, end_mark = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start_mark not in text:
        section = f"{intro}\n\n{start_mark}\n{end_mark}"
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    head, rest = text.split(start_mark, 1)
    body, tail = rest.split(end_mark, 1)
    kept = [
        line
        for line in body.strip().splitlines()
        if line.startswith("| ")
        and line != header
        and "---" not in line
        and line.split("|")[1].strip() != run_key
    ]
    separator = "|" + "---|" * (header.count("|") - 1)
    table = "\n".join([header, separator, *kept, *rows])
    path.write_text(f"{head}{start_mark}\n{table}\n{end_mark}{tail}", encoding="utf-8")
