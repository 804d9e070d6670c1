"""Immutable archive of every file's raw bytes, addressed by content hash.

The archive is a URL like the bucket (a local folder or ``s3://bucket/prefix``), opened through
:func:`ingest.bucket.filesystem`, so endpoint and credentials come from the environment.

It holds returns as councils sent them, personal data in the clear: a local archive's files are
0600 and its folders 0700 from the moment they exist (common/atomic.py). An object store's
access is its bucket policy's.
"""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path

from common.atomic import private_folder, write_private_file
from common.settings import is_local_url
from ingest.bucket import filesystem


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_bytes(archive_url: str, sha256: str, file_name: str, data: bytes) -> str:
    """Store ``data`` once under its hash; never overwrite. Returns the archive path."""
    fs, root = filesystem(archive_url)
    path = archive_path(root, sha256, file_name)
    if fs.exists(path):
        return path
    if is_local_url(archive_url):
        # Written aside 0600, then linked into place: a crash never leaves a half-written
        # file under the hash, and no one else can read it at any moment.
        private_folder(Path(root))
        private_folder(Path(path).parent)
        write_private_file(Path(path), data)
    else:
        # An object-store PUT is atomic already; a copy-and-delete "rename" would double the cost.
        fs.pipe_file(path, data)
    return path


def archive_path(root: str, sha256: str, file_name: str) -> str:
    """``<root>/<first two hex digits>/<sha256><original suffix, lower case>``."""
    suffix = posixpath.splitext(file_name)[1].lower()
    return posixpath.join(root, sha256[:2], f"{sha256}{suffix}")
