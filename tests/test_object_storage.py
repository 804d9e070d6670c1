"""The S3 path: bucket, archive and feedback on an S3-compatible server, with real GX and DuckDB.

moto in server mode speaks the S3 protocol on loopback (MinIO cannot be installed here). The
pipeline only sees ``s3://`` URLs and the standard environment variables for the endpoint and
credentials, as a deployment against MinIO or AWS would.
"""

from __future__ import annotations

import hashlib
import posixpath

import pytest
from warehouse_helpers import ledger_rows

from common.settings import load_settings
from ingest import ledger, pipeline, warehouse
from ingest.bucket import filesystem, storage_options
from samples.faults import write_demo_bad_file
from samples.returns import generate_returns

moto_server = pytest.importorskip("moto.server")

DROP_BUCKET = "moc-drop"
DROP_PREFIX = "incoming"
ARCHIVE_BUCKET = "moc-archive"
ARCHIVE_PREFIX = "raw"
PERIODS = ["2025-01", "2025-02"]
COUNCILS = ["822", "821"]  # Bedford sends Excel, Luton CSV
SEED = 7


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3_run(s3_endpoint, tmp_path_factory):
    """Upload two months of returns for two councils plus a bad file, then ingest once."""
    tmp = tmp_path_factory.mktemp("s3")
    with pytest.MonkeyPatch.context() as mp:
        # Only the environment points the code at the server, as in a deployment.
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "MOC_ARCHIVE_URL", "MOC_WAREHOUSE_PATH"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        mp.setenv("MOC_DATA_DIR", str(tmp / "data"))
        mp.setenv("MOC_BUCKET_URL", f"s3://{DROP_BUCKET}/{DROP_PREFIX}")
        mp.setenv("MOC_ARCHIVE_URL", f"s3://{ARCHIVE_BUCKET}/{ARCHIVE_PREFIX}")

        settings = load_settings()
        fs, drop_root = filesystem(settings.bucket_url)
        fs.mkdir(DROP_BUCKET)
        fs.mkdir(ARCHIVE_BUCKET)

        local = tmp / "upload"
        good = generate_returns(local, PERIODS, seed=SEED, councils=COUNCILS)
        bad = write_demo_bad_file(local, PERIODS[-1], seed=SEED)
        uploaded = {}
        for path in [*good, bad]:
            relative = path.relative_to(local).as_posix()
            fs.put_file(str(path), f"{drop_root}/{relative}")
            uploaded[relative] = path.read_bytes()

        first = pipeline.ingest_new_files(settings)
        second = pipeline.ingest_new_files(settings)
        yield {
            "settings": settings,
            "fs": fs,
            "drop_root": drop_root,
            "uploaded": uploaded,
            "good": {p.relative_to(local).as_posix() for p in good},
            "bad": bad.relative_to(local).as_posix(),
            "first": first,
            "second": second,
            "local": local,
        }


def test_endpoint_comes_from_the_environment():
    env = {"AWS_ENDPOINT_URL": "http://aws-wide:9000", "AWS_ENDPOINT_URL_S3": "http://s3:9000"}
    assert storage_options("s3://b/p", env) == {"endpoint_url": "http://s3:9000"}
    assert storage_options("s3://b/p", {"AWS_ENDPOINT_URL": "http://aws-wide:9000"}) == {
        "endpoint_url": "http://aws-wide:9000"
    }
    assert storage_options("s3://b/p", {}) == {}
    assert storage_options("/srv/bucket", env) == {}
    assert storage_options("file:///srv/bucket", env) == {}


def test_archive_url_setting():
    s3 = load_settings({"MOC_DATA_DIR": "/d", "MOC_ARCHIVE_URL": "s3://a/raw"})
    assert s3.archive_url == "s3://a/raw" and not s3.archive_is_local
    local = load_settings({"MOC_DATA_DIR": "/d"})
    assert local.archive_is_local and local.archive_url == "/d/archive"


def test_every_uploaded_file_has_one_ledger_row_with_its_status(s3_run):
    entries = ledger_rows(s3_run["settings"])
    assert sorted(entries.index) == sorted(s3_run["uploaded"])
    assert entries.index.is_unique
    for relative in s3_run["good"]:
        assert entries.loc[relative, "status"] in ledger.ACCEPTED_STATUSES, relative
        assert entries.loc[relative, "rows_loaded"] > 0
    bad = entries.loc[s3_run["bad"]]
    assert bad["status"] == "rejected"
    assert bad["error_count"] >= 2 and bad["version"] == 2
    assert s3_run["first"].count("rejected") == 1
    assert len(s3_run["first"].entries) == len(s3_run["uploaded"])


def test_accepted_rows_reach_the_warehouse(s3_run):
    settings = s3_run["settings"]
    con = warehouse.connect(settings.warehouse_path, read_only=True)
    try:
        loaded = con.execute(
            "select council_code, period, count(*) from raw.establishment group by all"
        ).fetchall()
    finally:
        con.close()
    assert {(c, p) for c, p, n in loaded if n} == {(c, p) for c in COUNCILS for p in PERIODS}


def test_feedback_is_written_in_the_councils_feedback_folder_in_s3(s3_run):
    fs, root = s3_run["fs"], s3_run["drop_root"]
    entries = ledger_rows(s3_run["settings"])
    for relative, entry in entries.iterrows():
        council, name = relative.split("/")
        base = f"{root}/{council}/feedback/{name}.feedback"
        assert entry["feedback_path"] == f"{base}.html"
        assert name in fs.cat_file(f"{base}.html").decode("utf-8")
        assert fs.exists(f"{base}.csv"), relative
    bad_csv = fs.cat_file(f"{root}/luton/feedback/{posixpath.basename(s3_run['bad'])}.feedback.csv")
    assert "Grade 99 Social Worker (new)" in bad_csv.decode("utf-8-sig")


def test_raw_bytes_are_archived_in_s3_by_sha256(s3_run):
    fs = s3_run["fs"]
    entries = ledger_rows(s3_run["settings"])
    archived = fs.find(f"{ARCHIVE_BUCKET}/{ARCHIVE_PREFIX}")
    assert len(archived) == len(s3_run["uploaded"])
    assert not [path for path in archived if path.endswith(".writing")]
    for relative, data in s3_run["uploaded"].items():
        sha256 = hashlib.sha256(data).hexdigest()
        assert entries.loc[relative, "sha256"] == sha256
        suffix = posixpath.splitext(relative)[1]
        stored = f"{ARCHIVE_BUCKET}/{ARCHIVE_PREFIX}/{sha256[:2]}/{sha256}{suffix}"
        assert fs.cat_file(stored) == data, relative


def test_second_run_finds_nothing_new_and_a_later_upload_is_picked_up(s3_run):
    assert s3_run["second"].entries == []
    settings, fs, root = s3_run["settings"], s3_run["fs"], s3_run["drop_root"]
    later = generate_returns(s3_run["local"] / "later", ["2025-03"], seed=SEED, councils=["821"])
    fs.put_file(str(later[0]), f"{root}/luton/{later[0].name}")
    third = pipeline.ingest_new_files(settings)
    assert [e.relative_path for e in third.entries] == [f"luton/{later[0].name}"]
    assert third.entries[0].status in ledger.ACCEPTED_STATUSES
    assert len(ledger_rows(settings)) == len(s3_run["uploaded"]) + 1
