"""The corpus of bad and awkward returns (tests/corpus/): every file ends in the expected ledger
status with a message (or feedback) a council officer can act on, in one ingest batch."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from ingest import ledger, warehouse
from ingest.pipeline import ingest_new_files

CORPUS = Path(__file__).resolve().parent / "corpus"


def _expected() -> list[dict[str, str]]:
    with open(CORPUS / "expected.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("corpus") / "data"
    shutil.copytree(CORPUS / "bucket", data_dir / "bucket")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOC_DATA_DIR", str(data_dir))
        from common.settings import load_settings

        settings = load_settings()
        summary = ingest_new_files(settings)
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        entries = ledger.read_ledger(con).set_index("relative_path")
    finally:
        con.close()
    return settings, summary, entries


def test_corpus_has_at_least_ninety_bad_or_awkward_files():
    assert len(_expected()) >= 90


@pytest.mark.parametrize("case", _expected(), ids=lambda c: c["case"])
def test_corpus_file_ends_as_expected(corpus_run, case):
    settings, _, entries = corpus_run
    path = case["relative_path"]
    if case["status"] == "ignored":
        assert path not in entries.index, "files still being written never enter the ledger"
        return
    entry = entries.loc[path]
    assert entry["status"] == case["status"], entry["message"]
    feedback = Path(entry["feedback_path"]).read_text(encoding="utf-8")
    for keyword in filter(None, case["keywords"].split("|")):
        assert keyword in entry["message"] or keyword in feedback, (keyword, entry["message"])


def test_formula_like_values_are_neutralised_in_feedback(corpus_run):
    settings, _, entries = corpus_run
    (path,) = [p for p in entries.index if p.endswith("2024-12_establishment.csv")]
    csv_feedback = (
        Path(entries.loc[path, "feedback_path"]).with_suffix(".csv").read_text(encoding="utf-8-sig")
    )
    assert "'=HYPERLINK" in csv_feedback
    assert ",=HYPERLINK" not in csv_feedback


def test_every_file_in_the_bucket_is_in_the_ledger_exactly_once(corpus_run):
    settings, _, entries = corpus_run
    from ingest.bucket import list_dropped_files, open_bucket

    fs, root = open_bucket(settings.bucket_url)
    dropped = sorted(d.relative_path for d in list_dropped_files(fs, root))
    assert sorted(entries.index) == dropped
    assert entries.index.is_unique
