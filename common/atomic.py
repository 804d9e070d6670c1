"""Replace a published folder in one step, so a reader sees the old folder or the new one, never
half of each. Used by every publication (extracts, the dbt docs site).

A publication is written in full in a staging folder under ``<published root>/.staging/``,
then renamed into place. Staging sits beside the published tree, never inside it: a partner's
outbox (``outbox/<partner>/``) may be synced to the partner as it is, so a half-written extract
must never appear there, not even hidden. The same filesystem as the target, so the renames are
atomic.

A run killed while it writes leaves its staging folder behind; the next publication removes it
(:func:`remove_stale_staging`). That is safe only while no other run can be writing one, so it is
called holding the data folder's run lock (common/run_lock.py).

What holds returns as sent, or could lead back to a person (the raw archive, the warehouse, the
marts snapshot, the hash secret), is private to the pipeline's user: files 0600 and folders
0700 from the moment they exist (:func:`write_private_file`, :func:`private_folder`,
:func:`private_umask` for files another library creates), whatever the process's umask.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING_FOLDER = ".staging"
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
_UMASK_LOCK = threading.Lock()


def staging_area(root: Path) -> Path:
    """Where publications under ``root`` are staged."""
    return Path(root) / STAGING_FOLDER


@contextmanager
def staged_folder(root: Path, target: Path) -> Iterator[Path]:
    """A new, empty staging folder for ``target`` (a folder under ``root``) to write into; when
    the block ends it replaces ``target`` (:func:`swap_into_place`), and when the block raises
    it is removed and ``target`` is left as it was."""
    area = staging_area(root)
    area.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=area))
    try:
        staging.chmod(0o755)  # mkdtemp makes it owner-only; the publication's readers need it
        yield staging
        target.parent.mkdir(parents=True, exist_ok=True)
        swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_if_empty(area)


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames only (same filesystem). The previous
    folder is retired beside ``staging``, so nothing but the two renames happens in the
    target's folder. A kill between them leaves no ``target`` until the next publication of it
    (its previous version waits, retired, in the staging area until then)."""
    retired = staging.with_name(f"{staging.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    if retired.exists():
        shutil.rmtree(retired)


def remove_stale_staging(root: Path) -> list[Path]:
    """Remove the staging folders killed runs left under ``root``; returns them. Call holding
    the data folder's run lock: then no other run is writing one."""
    area = staging_area(root)
    if not area.is_dir():
        return []
    removed = sorted(area.iterdir())
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    _remove_if_empty(area)
    return removed


def remove_hidden_siblings(target: Path) -> list[Path]:
    """Remove ``.<target name>.*`` beside ``target``: what earlier versions of the pipeline,
    which staged there, left when killed. Call holding the run lock, like
    :func:`remove_stale_staging`."""
    if not target.parent.is_dir():
        return []
    removed = sorted(target.parent.glob(f".{target.name}.*"))
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (another publication of this run is staged), or gone
        pass


def private_folder(folder: Path) -> Path:
    """``folder`` (and any missing parent) created 0700; an existing one is made 0700 too."""
    folder = Path(folder)
    folder.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    folder.chmod(PRIVATE_FOLDER_MODE)
    return folder


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created in the block (by DuckDB, say) are the owner's only. The umask
    is the process's: threads of this module take turns; other code may create a file meanwhile
    that is then private too, never less private."""
    with _UMASK_LOCK:
        previous = os.umask(0o077)
        try:
            yield
        finally:
            os.umask(previous)


def make_private(path: Path) -> None:
    """Tighten an existing file to 0600 (one an earlier version created looser). A file that
    is gone, or is another user's (a shared mount), is left as it is."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        Path(path).chmod(PRIVATE_FILE_MODE)


def write_private_file(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data``, 0600, atomically and only if it does not exist yet.

    The bytes go to a new file beside it, created 0600 (O_CREAT | O_EXCL, never readable by
    others, not even while empty), are flushed to disk, then linked into place: a hard link
    fails if the name exists, so two processes racing to create it keep the first one's
    bytes, and a reader sees no file or the whole file. Returns False when ``path`` existed.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.writing")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        _fsync_folder(path.parent)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
