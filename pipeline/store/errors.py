"""Store errors, each one line naming the path and the reason, and the up-front checks that
raise them before any work: the command line maps them to exit code 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

STORE_FILES = ("documents.jsonl", "claims.jsonl", "entities.jsonl")
LOCK_NAME = ".lock"


class StoreError(RuntimeError):
    """The store cannot be used as asked (one line: the path and why)."""


class NoStore(StoreError):
    """The folder holds no newsclaims store (or does not exist)."""


class NotAFolder(StoreError):
    """``--store`` names something that is not a folder."""


class StoreUnusable(StoreError):
    """The store cannot be read or written: permissions, a lock path that is not a file."""


def allowed(path: Path, mode: int) -> bool:
    """``os.access`` (a seam: tests running as root stand in for a permission denied)."""
    return os.access(path, mode)


def require_store(root: str | Path) -> Path:
    """The store folder, readable; raises NotAFolder, NoStore or StoreUnusable."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise NotAFolder(f"{root}: not a folder")
    if not any((root / name).exists() for name in STORE_FILES):
        raise NoStore(f"{root}: no store here (no {STORE_FILES[0]})")
    for path in (root, *(root / name for name in STORE_FILES if (root / name).exists())):
        if not allowed(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            raise StoreUnusable(f"{path}: store is not readable (permission denied)")
    return root


def require_writable(root: str | Path) -> Path:
    """The store folder (maybe not yet there) can be created, locked and appended to."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise NotAFolder(f"{root}: not a folder")
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.is_dir() and not allowed(existing, os.W_OK | os.X_OK):
        raise StoreUnusable(f"{existing}: store is not writable (permission denied)")
    if root.is_dir():
        check_lock_path(root / LOCK_NAME)
        for path in (root / name for name in (*STORE_FILES, LOCK_NAME)):
            if path.exists() and not allowed(path, os.W_OK):
                raise StoreUnusable(f"{path}: store is not writable (permission denied)")
    return root


def check_lock_path(path: Path) -> None:
    """Raise StoreUnusable unless the lock path is absent or a regular file (not a symlink,
    folder or FIFO, which a lock would hang on, follow or misread)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise StoreUnusable(f"{path}: the store's lock is not a regular file (remove it)")


def unusable(root: Path, exc: OSError) -> StoreUnusable:
    """The one-line error for an OSError met while opening the store for writing."""
    where = exc.filename or root
    if isinstance(exc, PermissionError):
        return StoreUnusable(f"{where}: store is not writable (permission denied)")
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return StoreUnusable(f"{where}: not a folder")
    return StoreUnusable(f"{where}: cannot open the store ({exc.strerror or exc})")
