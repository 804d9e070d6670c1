"""Publish benchmark: deciding suppression over the whole publication, and a month's publication.

    make demo   # once: a data folder with the demo's marts
    .venv/bin/python benchmarks/publish_benchmark.py [--data-dir data]

On the marts of a data folder (the demo's by default; a copy is published to, so the folder's
own publications and decisions are left as they are), times:

1. ``decide`` from scratch: every month of the marts, oldest first (publish/extracts/
   suppression.py), as on a first publication;
2. ``decide`` on the stored decisions of every month but the last (publish/extracts/
   decision_store.py): only the new month is decided, as on a monthly publication;
3. the whole month's publication (``publish_month``) with no stored decisions, then again with
   them (every file: benchmark, packs, every partner's extract and time series, screened).

It reports seconds and the share of panel cells published as ``c``, and rewrites its table in
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from report import ROOT, commit, machine, markdown_row, upsert_rows

from common.settings import DATA_DIR_VARIABLE, load_settings
from publish.extracts import decision_store, register
from publish.publish_month import decide_suppression, publish_month, read_month

HEADER = "| run | step | seconds | months | panel cells | c cells | machine | date | commit |"
INTRO = """## Publish: one suppression decision for every file (issue 14)

`.venv/bin/python benchmarks/publish_benchmark.py` on the demo's marts (`make demo` first).
*decide* is the publication-wide suppression (every month, every partner's region, every
council); *publish* is the whole month's publication (benchmark, packs, every partner's extract
and time series, EES-screened), timed from no stored decisions and then on them."""


def _timed(step):
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    source = load_settings({DATA_DIR_VARIABLE: str(args.data_dir)})
    if not source.warehouse_path.exists():
        print(f"No warehouse at {source.warehouse_path}: run make demo first.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="moc-publish-bench-") as folder:
        data = Path(folder) / "data"
        data.mkdir()
        shutil.copy2(source.warehouse_path, data / source.warehouse_path.name)
        settings = load_settings({DATA_DIR_VARIABLE: str(data)})
        month = read_month(settings)
        threshold, minimum = settings.disclosure_threshold, settings.min_councils_for_region
        partners, agreements = register.load_partners(), register.load_register()

        def decide(stored=None):
            return decide_suppression(month, threshold, partners, agreements, minimum, stored)

        scratch, scratch_seconds = _timed(decide)
        path = Path(folder) / "decisions.json"
        earlier = decide_suppression(
            read_month(settings, scratch.periods[-2]), threshold, partners, agreements, minimum
        )
        decision_store.save(path, earlier, threshold, minimum)
        stored = decision_store.load(path, threshold, minimum)
        built_on, stored_seconds = _timed(lambda: decide(stored))
        assert built_on.published == scratch.published
        _, publish_first = _timed(lambda: publish_month(settings, month.period))
        _, publish_again = _timed(lambda: publish_month(settings, month.period))
    cells = len(scratch.published)
    hidden = sum(text == "c" for text in scratch.published.values())
    run = f"demo marts to {month.period}"
    common = [str(len(scratch.periods)), f"{cells:,}", f"{hidden:,} ({hidden / cells:.0%})"]
    stamp = [machine(), time.strftime("%Y-%m-%d"), commit()]
    steps = [
        ("decide, from scratch", scratch_seconds),
        ("decide, earlier months stored", stored_seconds),
        ("publish the month, nothing stored", publish_first),
        ("publish the month again, decisions stored", publish_again),
    ]
    rows = [markdown_row([run, step, f"{s:.1f}", *common, *stamp]) for step, s in steps]
    print("\n".join(rows))
    upsert_rows("publish-benchmark", INTRO, HEADER, run, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
