"""The store index: ``index.sqlite`` beside the JSONL files, so start-up and appends cost what
the new work costs, not what the store holds.

The JSONL files stay the source of truth; the index is derived data and losing it is never data
loss. It records, per file it covers, the byte size it has read up to, the file's inode and the
bytes just before that size. ``StoreIndex.open`` compares them with the files: a missing index,
another inode (a file replaced, as ``--repair`` does), a file shorter than recorded or other tail
bytes (a file truncated or edited) rebuild the index from the JSONL (when only the entity file
changed, as ``compact`` replaces it, just its tables: they derive from it alone); a file that only grew (a
writer that did not update the index, a crash between the JSONL append and the index update)
has just its new lines indexed. Only complete lines (ending in a newline) are indexed. An edit
in the middle of a file that keeps its size and tail is not noticed: ``newsclaims reindex``
rebuilds explicitly.

Tables: ``documents`` (every parseable document line, its byte offset, source key,
fingerprint, the record without its text and whether it is the latest line of its source
key), ``claims`` (id, document id, fingerprint, type, offset; ``claim_entities`` the entity
ids a claim refers to), ``entities`` (id -> offset of its latest line, label, names;
``entity_lines`` the offsets of its lines since its last whole version, which fold to the record:
see ``entity_lines.py``),
``entity_keys`` (the resolver's lookup keys of each record: name keys of its aliases, gazetteer
ids, its anchor, organisation cores and person name tokens) and ``merged`` (old id -> the id of
the record it was merged into). ``claim_counts`` sums the claims per (document id, fingerprint,
type) with the offset of the first, so ``stats`` reads a row per document and type, not one per
claim (an absent fingerprint or type is stored as ""). ``current_docs`` holds the current
document of each id (the last latest line of a source key holding it: what ``Versions.current``
keeps) with its path and publisher, and ``claim_counts.is_current`` whether a row's fingerprint is
that document's, both kept up to date as lines are indexed, so the queries join nothing to know
what is current. ``entities.folded`` is its names casefolded, one per line, for name searches.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .entity_lines import fold_into, is_delta
from .versions import claim_fingerprint, record_fingerprint, record_source_key

INDEX_FILE = "index.sqlite"
SCHEMA = 5  # 3: claim_counts; 4: current_docs, claim_counts.is_current, entities.folded; 5: entity_lines
TAIL = 256  # bytes before the recorded size that must be unchanged for the index to be fresh
FILES = ("documents.jsonl", "claims.jsonl", "entities.jsonl")
ENTITIES_FILE = "entities.jsonl"
MENTION_SLOTS = ("actor", "subject", "person", "org")
_ID_PREFIX = b'{"id": "'

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, size INTEGER, inode INTEGER, tail BLOB,
    lines INTEGER, damaged INTEGER, unfit INTEGER);
CREATE TABLE IF NOT EXISTS documents (offset INTEGER PRIMARY KEY, id TEXT, source_key TEXT,
    fingerprint TEXT, latest INTEGER, record TEXT);
CREATE INDEX IF NOT EXISTS documents_id ON documents (id, latest);
CREATE INDEX IF NOT EXISTS documents_key ON documents (source_key, latest);
CREATE TABLE IF NOT EXISTS claims (offset INTEGER PRIMARY KEY, id TEXT, doc_id TEXT,
    fingerprint TEXT, type TEXT);
CREATE INDEX IF NOT EXISTS claims_id ON claims (id);
CREATE INDEX IF NOT EXISTS claims_doc ON claims (doc_id);
CREATE TABLE IF NOT EXISTS claim_counts (doc_id TEXT, fingerprint TEXT, type TEXT,
    count INTEGER, first INTEGER, is_current INTEGER,
    PRIMARY KEY (doc_id, fingerprint, type)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS current_docs (id TEXT PRIMARY KEY, fingerprint TEXT, offset INTEGER,
    first INTEGER, path TEXT, publisher TEXT);
CREATE INDEX IF NOT EXISTS current_docs_first ON current_docs (first);
CREATE TABLE IF NOT EXISTS claim_entities (offset INTEGER, entity_id TEXT);
CREATE INDEX IF NOT EXISTS claim_entities_id ON claim_entities (entity_id);
CREATE TABLE IF NOT EXISTS entities (id TEXT PRIMARY KEY, offset INTEGER, first INTEGER,
    label TEXT, names TEXT, folded TEXT);
CREATE TABLE IF NOT EXISTS entity_keys (key TEXT, id TEXT);
CREATE INDEX IF NOT EXISTS entity_keys_key ON entity_keys (key);
CREATE INDEX IF NOT EXISTS entity_keys_id ON entity_keys (id);
CREATE TABLE IF NOT EXISTS merged (old TEXT, survivor TEXT, offset INTEGER);
CREATE TABLE IF NOT EXISTS entity_lines (id TEXT, offset INTEGER);
CREATE INDEX IF NOT EXISTS entity_lines_id ON entity_lines (id);
CREATE INDEX IF NOT EXISTS merged_survivor ON merged (survivor);
"""


def _signature() -> str:
    """What the stored lookup keys depend on: the schema and the name lexicon's bytes."""
    from ..resolution.names import LEXICON_PATH

    try:
        lexicon = hashlib.sha256(LEXICON_PATH.read_bytes()).hexdigest()[:16]
    except OSError:
        lexicon = "none"
    return f"{SCHEMA}:{lexicon}"


def entity_ids_of(claim: dict[str, Any]) -> set[str]:
    """Ids of every entity a claim record refers to (its own and its mention slots')."""
    ids = {claim["entity_id"]} if isinstance(claim.get("entity_id"), str) and claim["entity_id"] else set()
    targets = claim.get("targets")
    mentions = [claim.get(s) for s in MENTION_SLOTS] + (list(targets) if isinstance(targets, list) else [])
    ids.update(m["entity_id"] for m in mentions
               if isinstance(m, dict) and isinstance(m.get("entity_id"), str) and m["entity_id"])
    return ids


def lookup_keys(record: dict[str, Any]) -> set[str]:
    """Every key an entity record may be found by (a superset of what ``RecordIndex`` indexes it
    under, whatever alias table is in use): ``k:<name key>`` of each alias, ``a:<anchor>`` of its
    anchor, ``r:<gazetteer id>``, ``c:<organisation core>`` and ``t:<person name token>``."""
    from ..resolution.names import _as_lexicon, _org_core, entity_key

    lexicon = _as_lexicon(None)
    label = record.get("label")
    keys = {"r:" + r for r in record.get("rules") or [] if isinstance(r, str)}
    if isinstance(record.get("key"), str) and record["key"]:
        keys.add("a:" + record["key"])
    for alias in record.get("aliases") or []:
        if not isinstance(alias, str):
            continue
        k = entity_key(alias, label, lexicon)
        keys.add("k:" + k)
        if label == "ORG":
            keys.add("c:" + _org_core(k, lexicon))
        elif label == "PERSON":
            keys.update("t:" + t for t in k.split())
    return keys


def _lines(path: Path, start: int) -> Iterator[tuple[int, bytes]]:
    """(offset, line) for every complete line of a file from byte ``start``."""
    with path.open("rb") as fh:
        fh.seek(start)
        offset = start
        for raw in fh:
            if not raw.endswith(b"\n"):
                return
            yield offset, raw
            offset += len(raw)


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is one
        return None
    return record if isinstance(record, dict) else None


class StoreIndex:
    """An open index of one store folder (see the module docstring)."""

    def __init__(self, root: Path, connection: sqlite3.Connection) -> None:
        self.root = root
        self.db = connection
        self.rebuilt = False  # whether ``open`` had to rebuild it
        self._claim_rows: list[tuple[Any, ...]] = []
        self._mention_rows: list[tuple[int, str]] = []

    # ---- opening and keeping fresh

    @classmethod
    def open(cls, root: str | Path, *, refresh: bool = True) -> StoreIndex:
        """The index of ``root``, made fresh (rebuilt or extended) unless ``refresh`` is False.
        A damaged index file is deleted and rebuilt: it is derived data."""
        root = Path(root)
        path = root / INDEX_FILE
        try:
            index = cls(root, cls._connect(path))
            index._prepare()
        except sqlite3.DatabaseError:
            for suffix in ("", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            index = cls(root, cls._connect(path))
            index._prepare()
        if refresh:
            index.refresh()
        return index

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")  # a lost update is re-read from the JSONL
        return db

    def _prepare(self) -> None:
        self.db.executescript(_TABLES)
        row = self.db.execute("SELECT value FROM meta WHERE key='signature'").fetchone()
        if row is None or row[0] != _signature():
            self.db.execute("BEGIN IMMEDIATE")
            self._clear()
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('signature', ?)", (_signature(),))
            self.db.execute("COMMIT")
            self.rebuilt = True  # a new index, or one of another schema or name lexicon

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> StoreIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _clear(self) -> None:
        for table in ("files", "documents", "claims", "claim_counts", "current_docs",
                      "claim_entities", "entities", "entity_keys", "merged", "entity_lines"):
            self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def _clear_entities(self) -> None:
        """Forget what the index read of the entity file (its tables are derived from it
        alone), so it is read again from the start."""
        for table in ("entities", "entity_keys", "merged", "entity_lines"):
            self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        self.db.execute("DELETE FROM files WHERE name=?", (ENTITIES_FILE,))

    def _recorded(self, name: str) -> tuple[int, int | None, bytes, int, int, int]:
        row = self.db.execute("SELECT size, inode, tail, lines, damaged, unfit FROM files "
                              "WHERE name=?", (name,)).fetchone()
        return (row[0], row[1], row[2], row[3], row[4], row[5]) if row else (0, None, b"", 0, 0, 0)

    def _fresh_prefix(self, name: str) -> bool:
        """Whether a file still starts with what the index read of it."""
        size, inode, tail, _, _, _ = self._recorded(name)
        path = self.root / name
        if size == 0:
            return True
        try:
            stat = path.stat()
        except FileNotFoundError:
            return False
        if stat.st_size < size or (inode is not None and stat.st_ino != inode):
            return False
        with path.open("rb") as fh:
            fh.seek(size - len(tail))
            return fh.read(len(tail)) == tail

    def refresh(self, *, force: bool = False) -> None:
        """Rebuild the index when ``force`` or a file no longer starts with what it read, else
        index the lines appended since (one transaction: a concurrent reader never indexes
        twice)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            stale = [name for name in FILES if not self._fresh_prefix(name)]
            if force or (stale and stale != [ENTITIES_FILE]):
                self._clear()
                self.rebuilt = True
            elif stale:  # only the entity file was replaced (``compact``): its tables alone
                self._clear_entities()
            for name in FILES:
                self._extend(name)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def rebuild(self) -> None:
        """Index every file from the start (``newsclaims reindex``)."""
        self.refresh(force=True)

    def _extend(self, name: str) -> None:
        from .queries import fits  # the queries' field checks (imported late: queries uses this)

        size, _, _, lines, damaged, unfit = self._recorded(name)
        kind = name.split(".")[0]
        path = self.root / name
        end = size
        if path.exists():
            take = {"documents.jsonl": self._document, "claims.jsonl": self._claim,
                    "entities.jsonl": self._entity}[name]
            for offset, raw in _lines(path, size):
                record = _parse(raw)
                lines += 1
                if record is None or not isinstance(record.get("id"), str):
                    damaged += 1
                    if name == "claims.jsonl" and raw.startswith(_ID_PREFIX):
                        self._damaged_claim(offset, raw)
                else:
                    take(offset, record)
                    unfit += not fits(record, kind)
                end = offset + len(raw)
                if len(self._claim_rows) > 2_000:
                    self._write_claims()
            self._write_claims()
        tail = b""
        inode = None
        if end:
            with path.open("rb") as fh:
                fh.seek(max(0, end - TAIL))
                tail = fh.read(end - max(0, end - TAIL))
            inode = path.stat().st_ino
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (name, end, inode, tail, lines, damaged, unfit))

    def _document(self, offset: int, record: dict[str, Any]) -> None:
        key = record_source_key(record)
        changed = {record["id"]} | {i for (i,) in self.db.execute(
            "SELECT id FROM documents WHERE source_key=? AND latest=1", (key,))}
        self.db.execute("UPDATE documents SET latest=0 WHERE source_key=? AND latest=1", (key,))
        kept = {k: v for k, v in record.items() if k != "text"}
        self.db.execute("INSERT INTO documents VALUES (?, ?, ?, ?, 1, ?)",
                        (offset, record["id"], key, record_fingerprint(record),
                         json.dumps(kept, ensure_ascii=False)))
        for doc_id in changed:
            self._set_current(doc_id)

    def _set_current(self, doc_id: str) -> None:
        """Recompute the current document of an id (its latest lines changed) and which of its
        claim counts are current."""
        self.db.execute("DELETE FROM current_docs WHERE id=?", (doc_id,))
        self.db.execute(
            "INSERT INTO current_docs SELECT d.id, d.fingerprint, d.offset, (SELECT min(offset) "
            "FROM documents WHERE id = d.id AND latest = 1), json_extract(d.record, '$.path'), "
            "json_extract(d.record, '$.source.publisher') FROM documents d WHERE d.id = ? AND "
            "d.latest = 1 ORDER BY d.offset DESC LIMIT 1", (doc_id,))
        self.db.execute(
            "UPDATE claim_counts SET is_current = EXISTS(SELECT 1 FROM current_docs c WHERE c.id = "
            "claim_counts.doc_id AND coalesce(c.fingerprint, '') = claim_counts.fingerprint) "
            "WHERE doc_id = ?", (doc_id,))

    def _claim(self, offset: int, record: dict[str, Any]) -> None:
        evidence = record.get("evidence")
        doc_id = evidence.get("doc_id") if isinstance(evidence, dict) else None
        kind = record.get("type")
        self._claim_rows.append((offset, record["id"], doc_id if isinstance(doc_id, str) else None,
                                 claim_fingerprint(record), kind if isinstance(kind, str) else None))
        self._mention_rows.extend((offset, e) for e in entity_ids_of(record))

    def _write_claims(self) -> None:
        """Insert the claim rows gathered so far (in batches: a rebuild reads millions)."""
        self.db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?)", self._claim_rows)
        counts: dict[tuple[str, str, str], list[int]] = {}
        for offset, _, doc_id, fingerprint, kind in self._claim_rows:
            if doc_id is None:
                continue  # never part of a current document
            entry = counts.setdefault((doc_id, fingerprint or "", kind or ""), [0, offset])
            entry[0] += 1
            entry[1] = min(entry[1], offset)
        self.db.executemany(
            "INSERT INTO claim_counts SELECT ?1, ?2, ?3, ?4, ?5, EXISTS(SELECT 1 FROM current_docs "
            "WHERE id = ?1 AND coalesce(fingerprint, '') = ?2) WHERE true ON CONFLICT DO UPDATE "
            "SET count = count + excluded.count, first = min(first, excluded.first)",
            [(*key, n, first) for key, (n, first) in counts.items()])
        self.db.executemany("INSERT INTO claim_entities VALUES (?, ?)", self._mention_rows)
        self._claim_rows.clear()
        self._mention_rows.clear()

    def _damaged_claim(self, offset: int, raw: bytes) -> None:
        """A damaged line whose id prefix is readable still counts as a known id (as
        ``ClaimStore.claim_ids`` reads it), with no document."""
        end = raw.find(b'"', len(_ID_PREFIX))
        if end > len(_ID_PREFIX):
            claim_id = raw[len(_ID_PREFIX):end].decode("ascii", "replace")
            self.db.execute("INSERT INTO claims VALUES (?, ?, NULL, NULL, NULL)", (offset, claim_id))

    def _entity(self, offset: int, record: dict[str, Any]) -> None:
        entity_id = record["id"]
        label = record.get("label")
        names = [record.get("name"), *(record.get("aliases") or [])] \
            if isinstance(record.get("aliases") or [], list) else [record.get("name")]
        names = [n for n in names if isinstance(n, str)]
        whole = not is_delta(record)
        if not whole:  # a delta: its names join those the id's earlier lines gave
            row = self.db.execute("SELECT names FROM entities WHERE id=?", (entity_id,)).fetchone()
            earlier = json.loads(row[0]) if row else []
            names = list(dict.fromkeys([*names[:1], *earlier[1:], *names[1:]]))
        else:
            self.db.execute("DELETE FROM entity_lines WHERE id=?", (entity_id,))
        self.db.execute("INSERT INTO entity_lines VALUES (?, ?)", (entity_id, offset))
        self.db.execute(
            "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "offset=excluded.offset, label=excluded.label, names=excluded.names, "
            "folded=excluded.folded",
            (entity_id, offset, offset, label if isinstance(label, str) else None,
             json.dumps(names, ensure_ascii=False), "\n".join(n.casefold() for n in names)))
        if whole:
            self.db.execute("DELETE FROM entity_keys WHERE id=?", (entity_id,))
        try:
            keys = lookup_keys(record)  # a delta's keys: those of what it adds (same label)
        except (TypeError, AttributeError, ValueError):
            keys = set()
        self.db.executemany("INSERT INTO entity_keys VALUES (?, ?)", [(k, entity_id) for k in keys])
        if whole:
            self.db.execute("DELETE FROM merged WHERE survivor=?", (entity_id,))
        self.db.executemany("INSERT INTO merged VALUES (?, ?, ?)",
                            [(old, entity_id, offset) for old in record.get("merged_ids") or []
                             if isinstance(old, str)])

    # ---- reading

    def file_stats(self) -> dict[str, tuple[int, int]]:
        """File name -> (complete lines indexed, damaged lines among them)."""
        return {name: (lines, damaged) for name, lines, damaged in
                self.db.execute("SELECT name, lines, damaged FROM files")}

    def clean(self) -> bool:
        """Whether every indexed line parses and has the fields queries read (then queries
        can answer from the index; otherwise they read the files and warn as before)."""
        row = self.db.execute("SELECT sum(damaged) + sum(unfit) FROM files").fetchone()
        if row[0]:
            return False
        for name in FILES:  # a torn last line is not indexed, and readers count it as damaged
            path = self.root / name
            if path.exists() and path.stat().st_size != self._recorded(name)[0]:
                return False
        return True

    def has_claim(self, claim_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM claims WHERE id=? LIMIT 1",
                               (claim_id,)).fetchone() is not None

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id=? LIMIT 1",
                               (doc_id,)).fetchone() is not None

    def current_record(self, doc_id: str) -> dict[str, Any] | None:
        """The current line of a text (the latest line of a source key, the last such)."""
        row = self.db.execute("SELECT record, offset FROM documents WHERE id=? AND latest=1 "
                              "ORDER BY offset DESC LIMIT 1", (doc_id,)).fetchone()
        return {**json.loads(row[0]), "_line": row[1]} if row else None

    def latest_of_key(self, key: str) -> dict[str, Any] | None:
        """The last document line of a source key (None for a key with no UTF-8 form: such a
        key can never have been stored)."""
        try:
            row = self.db.execute("SELECT record, offset FROM documents WHERE source_key=? AND "
                                  "latest=1", (key,)).fetchone()
        except UnicodeEncodeError:
            return None
        return {**json.loads(row[0]), "_line": row[1]} if row else None

    def current_lines_of(self, doc_id: str) -> list[tuple[str, dict[str, Any]]]:
        """(source key, record) of each latest line of a source key that holds this text, in
        file order."""
        return [(k, {**json.loads(r), "_line": o}) for k, r, o in self.db.execute(
            "SELECT source_key, record, offset FROM documents WHERE id=? AND latest=1 "
            "ORDER BY offset", (doc_id,))]

    def iter_current(self) -> Iterator[dict[str, Any]]:
        """Current document records (the latest line of each source key) in file order."""
        for record, offset in self.db.execute(
                "SELECT record, offset FROM documents WHERE latest=1 ORDER BY offset"):
            yield {**json.loads(record), "_line": offset}

    def redirects(self) -> dict[str, str]:
        """Old entity id -> the record it was merged into (as a full read sets them: records in
        the order of their first lines, a later one wins)."""
        return dict(self.db.execute("SELECT m.old, m.survivor FROM merged m JOIN entities e ON "
                                    "e.id = m.survivor ORDER BY e.first"))

    def entity_ids_by_keys(self, keys: Iterable[str]) -> set[str]:
        """Ids of the entity records with any of these lookup keys (``T:<tokens>``: with at
        least two of these person name tokens)."""
        keys = list(set(keys))
        found: set[str] = set()
        for group in (k for k in keys if k.startswith("T:")):
            tokens = ["t:" + t for t in group[2:].split()]
            marks = ",".join("?" * len(tokens))
            found.update(r for (r,) in self.db.execute(
                f"SELECT id FROM entity_keys WHERE key IN ({marks}) GROUP BY id "  # noqa: S608
                f"HAVING count(*) >= 2", tokens))
        keys = [k for k in keys if not k.startswith("T:")]
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            marks = ",".join("?" * len(part))
            found.update(r for (r,) in self.db.execute(
                f"SELECT id FROM entity_keys WHERE key IN ({marks})", part))  # noqa: S608
        return found

    def entity_offsets(self, ids: Iterable[str]) -> list[tuple[str, int]]:
        """(id, offset of its latest line) of the stored records among ``ids``, in the order of
        their first lines (the order a full read meets them)."""
        ids = list(set(ids))
        rows: list[tuple[str, int, int]] = []
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            marks = ",".join("?" * len(part))
            rows += self.db.execute(
                f"SELECT id, offset, first FROM entities WHERE id IN ({marks})", part).fetchall()  # noqa: S608
        return [(r[0], r[1]) for r in sorted(rows, key=lambda r: r[2])]

    def entity_records(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored records among ``ids``, each folded from its lines since its last whole
        version (``entity_lines``), in the order of their first lines."""
        order = [entity_id for entity_id, _ in self.entity_offsets(ids)]
        offsets: list[int] = []
        for i in range(0, len(order), 500):
            part = order[i:i + 500]
            marks = ",".join("?" * len(part))
            offsets += [o for (o,) in self.db.execute(
                f"SELECT offset FROM entity_lines WHERE id IN ({marks})", part)]  # noqa: S608
        folded: dict[str, dict[str, Any]] = {}
        for _, line in read_at(self.root / ENTITIES_FILE, offsets):
            if isinstance(line.get("id"), str):
                fold_into(folded, line)
        return {i: folded[i] for i in order if i in folded}


def read_at(path: Path, offsets: Iterable[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(offset, record) of the lines of ``path`` at these byte offsets, read in file order."""
    wanted = sorted(set(offsets))
    if not wanted:
        return
    with path.open("rb") as fh:
        for offset in wanted:
            fh.seek(offset)
            record = _parse(fh.readline())
            if record is not None:
                yield offset, record


class IndexedVersions:
    """``Versions`` answered from the index plus the lines this process added since (the
    writer's queued batch): the same decisions without reading ``documents.jsonl``."""

    def __init__(self, index: StoreIndex) -> None:
        from .versions import Versions

        self.index = index
        self.added = Versions()

    @property
    def current(self) -> _Current:
        """Document id -> its current record (made per use: no reference cycle keeps the
        index connection open)."""
        return _Current(self)

    def _current_record(self, doc_id: str) -> dict[str, Any] | None:
        record = self.added.current.get(doc_id)
        if record is not None:
            return record
        lines = [r for k, r in self.index.current_lines_of(doc_id) if k not in self.added.latest]
        return lines[-1] if lines else None

    def _latest(self, key: str) -> dict[str, Any] | None:
        return self.added.latest.get(key) or self.index.latest_of_key(key)

    def add(self, record: dict[str, Any]) -> None:
        """Take one more document line (queued, not yet indexed)."""
        self.added.add(record)

    def current_fingerprint(self, doc_id: str) -> str | None:
        record = self._current_record(doc_id)
        return record_fingerprint(record) if record is not None else None

    def decide(self, doc_id: str, key: str, fingerprint: str | None) -> str:
        """As ``Versions.decide``."""
        from .versions import CHANGED_PIPELINE, NEW, NEW_VERSION, UNCHANGED

        record = self._current_record(doc_id)
        if record is not None:
            return UNCHANGED if record_fingerprint(record) == fingerprint else CHANGED_PIPELINE
        return NEW_VERSION if self._latest(key) is not None else NEW

    def superseded_by(self, doc_id: str, key: str) -> str | None:
        """As ``Versions.superseded_by``."""
        record = self._latest(key)
        return record["id"] if record is not None and record["id"] != doc_id else None


class _Current:
    """Document id -> current record, looked up one id at a time."""

    def __init__(self, versions: IndexedVersions) -> None:
        self.versions = versions

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.versions._current_record(doc_id) is not None

    def __getitem__(self, doc_id: str) -> dict[str, Any]:
        record = self.versions._current_record(doc_id)
        if record is None:
            raise KeyError(doc_id)
        return record

    def get(self, doc_id: str, default: Any = None) -> Any:
        record = self.versions._current_record(doc_id)
        return default if record is None else record


class KnownIds:
    """Claim ids the store holds (looked up in the index) and those queued since."""

    def __init__(self, index: StoreIndex) -> None:
        self.index = index
        self.added: set[str] = set()

    def __contains__(self, claim_id: object) -> bool:
        return isinstance(claim_id, str) and (claim_id in self.added or self.index.has_claim(claim_id))

    def add(self, claim_id: str) -> None:
        self.added.add(claim_id)

    def discard(self, claim_id: str) -> None:
        self.added.discard(claim_id)
