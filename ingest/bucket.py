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
import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

import fsspec

from ingest.safe_read import find_entries

FEEDBACK_FOLDER = "feedback"

# Names an upload tool or Excel uses while a file is still being written.
IN_PROGRESS_PREFIXES = ("~$", ".~lock", ".")
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", "#")


@dataclass(frozen=True)
class DroppedFile:
    path: str  # full path within the filesystem
    relative_path: str  # path relative to the bucket root, e.g. "bedford/2025-03.csv"
    size_bytes: int
    modified_at: dt.datetime  # when it landed in the bucket (UTC, naive)
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
    return name.startswith(IN_PROGRESS_PREFIXES) or name.lower().endswith(IN_PROGRESS_SUFFIXES)


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
        parts = relative.split("/")
        if FEEDBACK_FOLDER in parts[:-1] or is_in_progress(parts[-1]):
            continue
        found.append(
            DroppedFile(
                path=path,
                relative_path=relative,
                size_bytes=int(info["size"]),
                modified_at=_modified_at(info),
                refusal=info.get("refusal"),
            )
        )
    # Arrival order decides which version of a return is the latest.
    return sorted(found, key=lambda f: (f.modified_at, f.relative_path))


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
    return posixpath.join(root, folder, FEEDBACK_FOLDER, *subfolders, f"{dropped.name}.feedback")
