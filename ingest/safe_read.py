"""Only regular files inside the bucket are read.

A local bucket is walked without following links: a symbolic link (to a file or a folder,
inside the bucket or out of it), a named pipe, a socket or a device is listed as it is, with
the reason it will not be read, and gets a ledger row saying so. Opening a named pipe would
block the batch for ever, and following a link would read whatever it points at, outside the
bucket. A file is opened without following links and checked to be a regular file of no more
than :attr:`ReadLimits.max_file_mb` again when it is read, so swapping it between listing and
reading changes nothing. An object store (``s3://``) holds only objects; its listing is
fsspec's own.
"""

from __future__ import annotations

import hashlib
import os
import stat

from common.settings import ReadLimits

__all__ = ["RefusedFile", "find_entries", "read_dropped", "refusal_of"]

_CHUNK = MB = 1024 * 1024


class RefusedFile(Exception):
    """The file is not read; ``str()`` says why, for the officer. ``sha256`` is set when the
    bytes were hashed (a file over the size limit), else empty."""

    def __init__(self, message: str, sha256: str = "") -> None:
        super().__init__(message)
        self.sha256 = sha256


def _is_local(fs) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def find_entries(fs, root: str) -> dict[str, dict]:
    """Path -> info, as ``fs.find(root, detail=True)``; for a local bucket without following
    links, links and special files included (``info["refusal"]`` says why they are not read)."""
    if not _is_local(fs):
        return fs.find(root, detail=True)
    found: dict[str, dict] = {}

    def walk(folder: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                path = entry.path
                if stat.S_ISDIR(info.st_mode):
                    walk(path)
                    continue
                found[path] = {
                    "name": path,
                    "size": info.st_size,
                    "mtime": info.st_mtime,
                    "type": "file" if stat.S_ISREG(info.st_mode) else "other",
                    "refusal": refusal_of(info.st_mode, path),
                }

    if os.path.isdir(root):  # the bucket itself may be a mounted or linked folder
        walk(root)
    return found


def refusal_of(mode: int, path: str) -> str | None:
    """Why an entry of this kind is not read (None: a regular file, read as usual)."""
    name = os.path.basename(path)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        pointed = "a folder" if os.path.isdir(path) else "a file"
        return (
            f"'{name}' is a link (shortcut) to {pointed} elsewhere, not a file in the bucket; "
            "we never follow links. Copy the return itself into your council's folder and send "
            "it again."
        )
    kind = "a named pipe" if stat.S_ISFIFO(mode) else "a socket or device"
    return (
        f"'{name}' is {kind}, not a file; we only read ordinary files. Put the return itself "
        "in your council's folder as a file and send it again."
    )


def read_dropped(fs, dropped, limits: ReadLimits) -> bytes:
    """The bytes of a :class:`ingest.bucket.DroppedFile`, unless it is refused: not a regular
    file, or over the size limit (then hashed a chunk at a time, never held whole)."""
    path, name = dropped.path, dropped.name
    if dropped.refusal:
        raise RefusedFile(dropped.refusal)
    if not _is_local(fs):
        _refuse_large(dropped.size_bytes, limits, name, lambda: fs.open(path, "rb"))
        return fs.cat_file(path)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:  # a link put in its place since it was listed (ELOOP)
        info = os.lstat(path)
        raise RefusedFile(refusal_of(info.st_mode, path) or str(exc)) from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile(refusal_of(info.st_mode, path))
        _refuse_large(info.st_size, limits, name, lambda: os.fdopen(os.dup(descriptor), "rb"))
        return handle.read(int(limits.max_file_mb * MB) + 1)


def _refuse_large(size: int, limits: ReadLimits, name: str, open_file) -> None:
    from ingest.limits import check_size  # not at the top: bucket -> here -> readers -> bucket

    try:
        check_size(size, limits, name)
    except Exception as exc:
        digest = hashlib.sha256()
        with open_file() as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        raise RefusedFile(str(exc), digest.hexdigest()) from None
