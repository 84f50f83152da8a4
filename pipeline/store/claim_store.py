"""The claim store: append-only JSONL files in one folder (default ``outputs/``).

``documents.jsonl`` holds one record per document version, ``claims.jsonl`` one per claim,
``entities.jsonl`` one line per version of an entity record (the last line of an id is current;
earlier versions stay, so nothing is rewritten). A batch is written claims first, then entity
versions, then its documents, each file flushed and fsynced: a document line is the mark that
its claims are complete. Writers hold a file lock; a torn last line left
by a killed process is moved aside to ``*.torn`` when the store is next opened for writing.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..claims import Claim, DocumentRecord
from .entity_lines import fold_into
from .errors import StoreError, check_lock_path, unusable
from .index import IndexedVersions, KnownIds, StoreIndex
from .versions import UNCHANGED, Versions, source_key

DOCUMENTS_FILE = "documents.jsonl"
CLAIMS_FILE = "claims.jsonl"
ENTITIES_FILE = "entities.jsonl"
LOCK_FILE = ".lock"
ID_PREFIX = re.compile(r'^\{"id": ?"([0-9a-f]+)"')
_dumps = functools.partial(json.dumps, ensure_ascii=False)


class StoreLocked(StoreError):
    """Another process is writing to the store."""


class StoreWriteError(RuntimeError):
    """A batch could not be written; the store files were put back as they were before it."""


def encode_line(record: dict[str, Any]) -> bytes:
    """One JSONL line as UTF-8 bytes; raises ``UnicodeEncodeError`` for text that has no UTF-8
    form (a lone surrogate from a JSON escape, a file name that was not UTF-8)."""
    return (_dumps(record) + "\n").encode("utf-8")


def iter_lines(path: Path) -> Iterator[tuple[int, str | None, bool]]:
    """(line number, text or None when the line is not UTF-8, whether it ends in a newline) for
    every line of a store file, read as bytes: one bad byte or a torn multi-byte character
    spoils its own line only."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            complete = raw.endswith(b"\n")
            try:
                text: str | None = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            yield number, text, complete


def _ids(path: Path) -> set[str]:
    """Ids of the records in a JSONL file, read from each line's prefix where possible."""
    ids: set[str] = set()
    for _, line, complete in iter_lines(path):
        if line is None or not complete:
            continue  # a torn last line or a damaged one: its record is not usable
        match = ID_PREFIX.match(line)
        if match:
            ids.add(match.group(1))
        elif line.strip():
            try:
                ids.add(json.loads(line)["id"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn or foreign line: repaired by the next writer
    return ids


def set_aside_lines(path: Path, numbers: set[int]) -> int:
    """Move the lines ``numbers`` (1-based) of a store file to ``<file>.damaged`` and keep the
    rest: the kept lines go to a new file that replaces the old one atomically, so a crash at
    any moment leaves either the old file or the new one. Only ``extract --repair`` calls this,
    under the store lock; it returns how many lines were moved."""
    if not numbers or not path.exists():
        return 0
    kept = path.with_name(path.name + ".repairing")
    moved = 0
    with path.open("rb") as source, kept.open("wb") as out, \
            path.with_name(path.name + ".damaged").open("ab") as aside:
        for number, raw in enumerate(source, start=1):
            if number in numbers:
                aside.write(raw if raw.endswith(b"\n") else raw + b"\n")
                moved += 1
            else:
                out.write(raw)
        for fh in (out, aside):
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(kept, path)
    _fsync_folder(path.parent)
    return moved


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _repair_tail(path: Path) -> int:
    """Move a partial last line (no trailing newline) to ``<file>.torn``; return its size."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with path.open("rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 1))
        if fh.read(1) == b"\n":
            return 0
        block = 1 << 16
        pos = size
        while pos > 0:
            step = min(block, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                pos = pos - step + cut + 1
                break
            pos -= step
        fh.seek(pos)
        torn = fh.read()
        with path.with_suffix(path.suffix + ".torn").open("ab") as aside:
            aside.write(torn + b"\n")
        fh.truncate(pos)
        fh.flush()
        os.fsync(fh.fileno())
        return len(torn)


class ClaimStore:
    """Read access to a store folder, and the door to a locked writer."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.damaged: dict[str, int] = {}  # file name -> damaged lines its last full read skipped

    @property
    def documents_path(self) -> Path:
        return self.root / DOCUMENTS_FILE

    @property
    def claims_path(self) -> Path:
        return self.root / CLAIMS_FILE

    @property
    def entities_path(self) -> Path:
        return self.root / ENTITIES_FILE

    def document_ids(self) -> set[str]:
        """Ids of stored documents, without parsing their text (the fast re-run path)."""
        return _ids(self.documents_path)

    def claim_ids(self) -> set[str]:
        return _ids(self.claims_path)

    def versions(self) -> Versions:
        """Which stored documents and processings are current (see ``versions``), read from
        ``documents.jsonl`` whole."""
        return Versions.from_records(self.iter_records(self.documents_path))

    def index(self) -> StoreIndex | None:
        """The store's index, fresh (see ``index``); None when the store folder does not exist
        or the index cannot be written there (readers then read the JSONL files)."""
        if not self.root.is_dir():
            return None
        try:
            return StoreIndex.open(self.root)
        except (sqlite3.Error, OSError):
            return None

    def current_versions(self) -> Versions | IndexedVersions:
        """``versions()`` answered from the index where there is one (no full read)."""
        index = self.index()
        return IndexedVersions(index) if index is not None else self.versions()

    def iter_records(self, path: Path) -> Iterator[dict[str, Any]]:
        """Every parseable record of one of the store's files; damaged lines (not UTF-8, not
        JSON, torn, not an object) are skipped and counted in ``self.damaged``."""
        damaged = 0
        for _, line, complete in iter_lines(path):
            try:
                record = json.loads(line) if line is not None and complete else None
            except ValueError:
                record = None
            if not isinstance(record, dict):
                damaged += 1
                continue
            yield record
        self.damaged[path.name] = damaged

    def iter_documents(self) -> Iterator[DocumentRecord]:
        for record in self.iter_records(self.documents_path):
            yield DocumentRecord.from_dict(record)

    def iter_claims(self) -> Iterator[Claim]:
        """Committed claims: those whose document line is stored (see ``StoreWriter.flush``)."""
        committed = self.document_ids()
        for record in self.iter_records(self.claims_path):
            if record.get("evidence", {}).get("doc_id") in committed:
                yield Claim.from_dict(record)

    def entity_records(self) -> dict[str, dict[str, Any]]:
        """The current version of every entity record, by id: its lines folded in file order
        (a whole version replaces, a delta adds; see ``entity_lines``)."""
        current: dict[str, dict[str, Any]] = {}
        for record in self.iter_records(self.entities_path):
            if isinstance(record.get("id"), str):
                fold_into(current, record)
        return current

    @contextmanager
    def writer(self, *, lock_timeout: float = -1) -> Iterator[StoreWriter]:
        """Lock the store (wait ``lock_timeout`` s, -1 forever) and open it for appending."""
        lock = FileLock(str(self.root / LOCK_FILE))
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            check_lock_path(self.root / LOCK_FILE)
            lock.acquire(timeout=lock_timeout)
        except Timeout as exc:
            raise StoreLocked(f"{self.root}: another newsclaims process is writing to this "
                              "store") from exc
        except OSError as exc:
            raise unusable(self.root, exc) from exc
        try:
            try:
                for path in (self.claims_path, self.entities_path, self.documents_path):
                    _repair_tail(path)
            except OSError as exc:
                raise unusable(self.root, exc) from exc
            writer = StoreWriter(self)
            try:
                try:
                    yield writer
                except BaseException:
                    writer.discard()  # never append from a cleanup path: the next run redoes it
                    raise
                writer.flush()
            finally:
                writer.close()
        finally:
            lock.release()


class StoreWriter:
    """Buffers records and appends them in batches; skips ids the store already holds.

    Known claim ids and versions come from the store index (``index``), so opening a writer
    does not read the store; after each batch is fsynced the index takes its lines. Without a
    usable index (it cannot be written), they are read from the JSONL files."""

    def __init__(self, store: ClaimStore) -> None:
        self.store = store
        self.index: StoreIndex | None = None
        self.known_claims: set[str] | KnownIds
        self.versions: Versions | IndexedVersions
        self._documents: list[DocumentRecord] = []
        self._claims: list[Claim] = []
        self._entities: dict[str, dict[str, Any]] = {}
        self._open_index()

    def _open_index(self) -> None:
        if self.index is not None:
            self.index.close()
        self.index = self.store.index()
        if self.index is None:
            self.known_claims = self.store.claim_ids()
            self.versions = self.store.versions()
        else:
            self.known_claims = KnownIds(self.index)
            self.versions = IndexedVersions(self.index)

    def close(self) -> None:
        """Close the index (the store lock is released after this)."""
        if self.index is not None:
            self.index.close()
            self.index = None

    def add(self, document: DocumentRecord, claims: Iterable[Claim]) -> int:
        """Queue one document and its claims; return how many claims are new. Nothing is queued
        when that text is current and was made by the same pipeline. The record states how many
        claims it has (``claim_count``), so ``check`` can tell lost ones, and which version of
        its article it supersedes."""
        key = document.source_key or source_key(document.source, document.path)
        if self.versions.decide(document.id, key, document.pipeline.get("fingerprint")) == UNCHANGED:
            return 0
        claims = list(claims)
        new = self.add_claims(claims)
        document = replace(document, claim_count=len({c.id for c in claims}), source_key=key,
                           supersedes=self.versions.superseded_by(document.id, key))
        self.versions.add(document.to_dict())
        self._documents.append(document)
        return new

    def add_claims(self, claims: Iterable[Claim]) -> int:
        """Queue claims the store does not hold (the repair path: their document is stored)."""
        new = 0
        for claim in claims:
            if claim.id not in self.known_claims:
                self.known_claims.add(claim.id)
                self._claims.append(claim)
                new += 1
        return new

    def add_entities(self, records: Iterable[dict[str, Any]]) -> None:
        """Queue new versions of entity records (one per id per batch: the latest wins)."""
        for record in records:
            self._entities[record["id"]] = record

    def reload(self) -> None:
        """Read the stored ids again (after ``set_aside_lines`` moved some records out: the
        index sees the replaced files and is rebuilt)."""
        self._open_index()

    def discard(self) -> None:
        """Forget the queued batch (its documents count as unknown again)."""
        if self._documents:
            if isinstance(self.versions, IndexedVersions):
                self.versions = IndexedVersions(self.versions.index)  # as stored
            else:
                self.versions = self.store.versions()  # as stored: the batch's versions are gone
        for claim in self._claims:
            self.known_claims.discard(claim.id)
        self._claims.clear()
        self._entities.clear()
        self._documents.clear()

    def flush(self) -> None:
        """Append queued claims, entity versions, then documents, each flushed and fsynced, as
        one batch: every record is encoded before anything is written, and a failed write
        truncates the files back to their sizes before the batch (``StoreWriteError``)."""
        if not self._documents and not self._claims and not self._entities:
            return
        try:
            batch = [
                (self.store.claims_path, b"".join(encode_line(c.to_dict()) for c in self._claims)),
                (self.store.entities_path, b"".join(encode_line(r) for r in self._entities.values())),
                (self.store.documents_path, b"".join(encode_line(d.to_dict()) for d in self._documents)),
            ]
        except (UnicodeEncodeError, TypeError, ValueError) as exc:
            self.discard()
            raise StoreWriteError(f"{self.store.root}: a record of this batch cannot be stored as "
                                  f"JSON in UTF-8 ({exc}); nothing of the batch was written") from exc
        sizes = {path: (path.stat().st_size if path.exists() else None) for path, _ in batch}
        try:
            for path, data in batch:
                if data:
                    _append_bytes(path, data)
        except OSError as exc:
            _restore_sizes(sizes)
            self.discard()
            raise StoreWriteError(f"{exc.filename or self.store.root}: cannot write the batch "
                                  f"({exc.strerror or exc}); the store is as it was before it") from exc
        self._claims.clear()
        self._entities.clear()
        self._documents.clear()
        self._index_batch()

    def _index_batch(self) -> None:
        """Let the index take the lines just written. A failure here loses nothing: the next
        open finds the files grew and indexes the new tail."""
        if self.index is None:
            return
        try:
            self.index.refresh()
        except (sqlite3.Error, OSError):
            self.close()
            self.known_claims = self.store.claim_ids()
            self.versions = self.store.versions()
            return
        if isinstance(self.versions, IndexedVersions):
            self.versions = IndexedVersions(self.index)
        if isinstance(self.known_claims, KnownIds):
            self.known_claims = KnownIds(self.index)


def _append_bytes(path: Path, data: bytes) -> None:
    """Append whole lines and fsync them."""
    with path.open("ab") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _restore_sizes(sizes: dict[Path, int | None]) -> None:
    """Truncate each file back to its size before the batch (remove files the batch created)."""
    for path, size in sizes.items():
        try:
            if size is None:
                path.unlink(missing_ok=True)
            elif path.exists() and path.stat().st_size != size:
                with path.open("rb+") as fh:
                    fh.truncate(size)
                    fh.flush()
                    os.fsync(fh.fileno())
        except OSError:
            continue  # the next writer's tail repair still drops a torn line
