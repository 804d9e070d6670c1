"""The ingest bucket: a local folder or an object-store prefix, read through fsspec.

Layout: ``<bucket>/<council_slug>/<file>``; feedback is written to ``<council_slug>/feedback/``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass

import fsspec

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

    @property
    def name(self) -> str:
        return posixpath.basename(self.relative_path)

    @property
    def folder(self) -> str | None:
        """The top-level folder (the council's), or None for a file at the bucket root."""
        parts = self.relative_path.split("/")
        return parts[0] if len(parts) > 1 else None


def open_bucket(bucket_url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, root = fsspec.core.url_to_fs(bucket_url)
    return fs, root.rstrip("/")


def is_in_progress(name: str) -> bool:
    return name.startswith(IN_PROGRESS_PREFIXES) or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def list_dropped_files(fs: fsspec.AbstractFileSystem, root: str) -> list[DroppedFile]:
    """Every file a council has dropped, skipping feedback folders and unfinished uploads."""
    if not fs.exists(root):
        return []
    found = []
    for path, info in fs.find(root, detail=True).items():
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
    """Where a file's feedback goes, without suffix: the council's own feedback folder."""
    folder = dropped.folder or "_unassigned"
    return posixpath.join(root, folder, FEEDBACK_FOLDER, f"{dropped.name}.feedback")
