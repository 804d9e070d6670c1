"""The ingest bucket: a local folder or an object-store prefix, read through fsspec.

Layout: ``<bucket>/<council_slug>/<file>``; feedback is written to ``<council_slug>/feedback/``.

:func:`filesystem` is the one place a URL becomes a filesystem, for the bucket, the archive and
(through the bucket's filesystem) the feedback. For ``s3://`` URLs the endpoint of an
S3-compatible server (MinIO, moto) comes from the environment, never from code or settings:
the AWS SDKs' ``AWS_ENDPOINT_URL_S3`` (S3 only), else ``AWS_ENDPOINT_URL`` (every AWS service;
docker-compose sets it to MinIO). fsspec's own ``FSSPEC_S3_ENDPOINT_URL`` also works.
Credentials and region are read by botocore itself from ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_DEFAULT_REGION``, a profile or an
instance role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

import fsspec

from ingest.safe_read import find_entries

FEEDBACK_FOLDER = "feedback"

# Names an upload tool or Excel uses while a file is still being written: Excel's and
# LibreOffice's lock files, and rsync's temporary copy ('.<name>.<6 characters>'). Any other name
# starting with a dot ('.hidden.csv', '..luton.csv') is a council's file like any other: it gets
# a ledger row and feedback (intake rejects it, saying to rename it), never silence.
IN_PROGRESS_PREFIXES = ("~$", ".~lock")
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", "#")
_RSYNC_TEMPORARY = re.compile(r"^\.[^.][^/]*\.[^./]+\.[A-Za-z0-9]{6}$")
# What an operating system leaves in a synced folder; never a return.
SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
# What we write into feedback folders ourselves (ingest.feedback, orchestration.chase, and the
# agency rules' addendum to an agency return's receipt, orchestration.agency_receipts). Anything
# else there was dropped by an officer and gets a ledger row saying to move it.
AGENCY_RULES_FEEDBACK_SUFFIX = ".feedback.agency-rules"
OUR_FEEDBACK_SUFFIXES = (
    ".feedback.xlsx",
    ".feedback.html",
    ".feedback.csv",
    f"{AGENCY_RULES_FEEDBACK_SUFFIX}.html",
    f"{AGENCY_RULES_FEEDBACK_SUFFIX}.csv",
)
OUR_FEEDBACK_PREFIXES = ("missing_return_", "missing_returns_")
# Longest file name (bytes) a local filesystem takes; feedback names are shortened to fit.
MAX_NAME_BYTES = 255


@dataclass(frozen=True)
class DroppedFile:
    path: str  # full path within the filesystem
    relative_path: str  # path relative to the bucket root, e.g. "bedford/2025-03.csv"
    size_bytes: int
    modified_at: dt.datetime  # when it landed in the bucket (UTC, naive)
    # Changes whenever the bytes may have changed (see file_fingerprint); a file whose
    # fingerprint the ledger has seen is not read again. "" = unknown: always read.
    fingerprint: str = ""
    refusal: str | None = None  # why it is not read: a link, a pipe (ingest.safe_read)

    @property
    def name(self) -> str:
        return posixpath.basename(self.relative_path)

    @property
    def folder(self) -> str | None:
        """The top-level folder (the council's), or None for a file at the bucket root."""
        parts = self.relative_path.split("/")
        return parts[0] if len(parts) > 1 else None


# First one set wins: the AWS SDKs' standard names, the service-specific one first.
S3_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")


def storage_options(url: str, env: Mapping[str, str] | None = None) -> dict:
    """fsspec options for ``url`` taken from the environment (empty for local paths)."""
    env = os.environ if env is None else env
    protocol = url.split("://", 1)[0].lower() if "://" in url else "file"
    if protocol not in ("s3", "s3a"):
        return {}
    for name in S3_ENDPOINT_VARIABLES:
        if env.get(name):
            return {"endpoint_url": env[name]}
    return {}


def filesystem(url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem behind ``url`` and the root path within it (no trailing slash)."""
    fs, root = fsspec.core.url_to_fs(url, **storage_options(url))
    return fs, root.rstrip("/")


def open_bucket(bucket_url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    return filesystem(bucket_url)


def is_in_progress(name: str) -> bool:
    return (
        name.startswith(IN_PROGRESS_PREFIXES)
        or name.lower().endswith(IN_PROGRESS_SUFFIXES)
        or bool(_RSYNC_TEMPORARY.match(name))
    )


def is_our_feedback(name: str) -> bool:
    """A file we wrote into a feedback folder (a report or a reminder), not a council's."""
    lowered = name.lower()
    return lowered.endswith(OUR_FEEDBACK_SUFFIXES) or lowered.startswith(OUR_FEEDBACK_PREFIXES)


def in_feedback_folder(relative_path: str) -> bool:
    return FEEDBACK_FOLDER in relative_path.split("/")[:-1]


def is_skipped(relative_path: str) -> bool:
    """Never a council's file: still being written, operating-system clutter, or our own
    feedback. Everything else in the bucket gets a ledger row."""
    name = posixpath.basename(relative_path)
    if is_in_progress(name) or name.lower() in SYSTEM_FILES:
        return True
    return in_feedback_folder(relative_path) and is_our_feedback(name)


def list_dropped_files(fs: fsspec.AbstractFileSystem, root: str) -> list[DroppedFile]:
    """Every file a council has dropped, skipping feedback folders and unfinished uploads;
    links and special files too, marked as refused (links are never followed)."""
    # Object-store filesystems cache listings; a poll must see what arrived since the last one.
    fs.invalidate_cache()
    if not fs.exists(root):
        return []
    found = []
    for path, info in find_entries(fs, root).items():
        relative = posixpath.relpath(path, root)
        if is_skipped(relative):
            continue
        found.append(
            DroppedFile(
                path=path,
                relative_path=relative,
                size_bytes=int(info["size"]),
                modified_at=_modified_at(info),
                fingerprint=file_fingerprint(info),
                refusal=info.get("refusal"),
            )
        )
    # Arrival order decides which version of a return is the latest.
    return sorted(found, key=lambda f: (f.modified_at, f.relative_path))


def file_fingerprint(info: dict) -> str:
    """What says the file's bytes may have changed since we last read them. Size and
    modification time do not: ``cp -p``, ``rsync -t`` and many sync tools keep the time, and a
    corrected file is often the same size. On object storage the ETag (a hash of the content);
    on a local filesystem, also the inode and its change time (ctime), which no tool can set
    back: a rewrite in place or a rename onto the name moves it. Whether it really is a new
    version is then decided by the content's sha256 (ingest.pipeline)."""
    etag = info.get("ETag") or info.get("etag")
    if etag:
        return f"etag:{str(etag).strip(chr(34))}:{info.get('size')}"
    if "ino" in info and "created" in info:
        return f"local:{info.get('size')}:{info.get('mtime')}:{info['created']}:{info['ino']}"
    return ""


def _modified_at(info: dict) -> dt.datetime:
    """Local filesystems report ``mtime`` (epoch seconds); S3 reports ``LastModified``."""
    if "mtime" in info:
        stamp = dt.datetime.fromtimestamp(float(info["mtime"]), tz=dt.UTC)
    elif "LastModified" in info:
        stamp = info["LastModified"]
    else:
        stamp = dt.datetime.now(dt.UTC)
    return stamp.astimezone(dt.UTC).replace(tzinfo=None)


def feedback_base(root: str, dropped: DroppedFile) -> str:
    """Where a file's feedback goes, without suffix: the council's own feedback folder, under
    the same subfolders as the file, so two files of the same name in different subfolders of
    a council (``2024/x.csv`` and ``2025/x.csv``) never share a feedback file."""
    folder = dropped.folder or "_unassigned"
    subfolders = dropped.relative_path.split("/")[1:-1]
    name = feedback_name(dropped.name)
    return posixpath.join(root, folder, FEEDBACK_FOLDER, *subfolders, f"{name}.feedback")


def feedback_name(name: str) -> str:
    """``name``, shortened when '<name>' with the longest of our feedback suffixes would be
    longer than a file name may be (255 bytes): its start, '~', 8 hex digits of a hash of the
    whole name (so two long names with the same start keep apart) and its suffix. The report
    itself gives the full name."""
    longest_suffix = max(map(len, OUR_FEEDBACK_SUFFIXES))
    if len(name.encode("utf-8")) + longest_suffix <= MAX_NAME_BYTES:
        return name
    stem, suffix = posixpath.splitext(name)
    suffix = suffix if len(suffix) <= 10 else ""
    tag = "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    room = MAX_NAME_BYTES - longest_suffix - len(tag) - len(suffix.encode("utf-8"))
    head = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{head}{tag}{suffix}"
