"""Immutable archive of every file's raw bytes, addressed by content hash."""

from __future__ import annotations

import hashlib
import posixpath

import fsspec


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_bytes(archive_url: str, sha256: str, file_name: str, data: bytes) -> str:
    """Store ``data`` once under its hash; never overwrite. Returns the archive path."""
    fs, root = fsspec.core.url_to_fs(archive_url)
    suffix = posixpath.splitext(file_name)[1].lower()
    path = posixpath.join(root, sha256[:2], f"{sha256}{suffix}")
    if not fs.exists(path):
        fs.makedirs(posixpath.dirname(path), exist_ok=True)
        temporary = f"{path}.writing"
        with fs.open(temporary, "wb") as handle:
            handle.write(data)
        fs.mv(temporary, path)
    return path
