"""Export the store to SQLite, PostgreSQL or Parquet, streaming in batches and upserting.

Targets, read as SQLAlchemy reads them: ``sqlite:///relative.db`` (three slashes: relative to
the current folder), ``sqlite:////abs/path.db`` (four: absolute), ``postgresql://USER@HOST/DB``
(given to the driver as it is) and ``parquet:FOLDER``. Tables: ``documents``, ``entities``,
``entity_aliases``, ``claims``, ``claim_evidence`` and ``schema_version``; primary keys are the
store's stable ids, so exporting again updates rows in place and adds only new ones.

Memory: ``claims.jsonl`` and ``documents.jsonl`` are read line by line and written in batches of
``batch_size`` rows. Two things are held whole, both small next to the claims: the current
version of every entity (a first pass over ``entities.jsonl``, later lines win, ids listed in
``merged_ids`` are redirected to their survivor) and the id and published date of every document
(a claim without its own ``date`` copies it, NULL when unknown: never ``processed_at``; a claim
whose document line is missing is skipped, not exported).
Every value travels as a bound parameter or through COPY, never inside SQL text.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from ..claims import CLAIM_BASE_KEYS, claim_key
from ..dates import published_or_none
from .check import CheckReport, check_store
from .claim_store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE, iter_lines
from .entity_lines import fold_into
from .errors import NoStore, NotAFolder, StoreError, require_store
from .schemas import validator
from .versions import Versions
from .versions import current_entities as entities_of_current_claims

__all__ = ["BadTarget", "ExportError", "NoStore", "NotAFolder", "StoreError", "StoreFailsCheck",
           "export_store", "parse_target", "redact"]

SCHEMA_VERSION = 1
DEFAULT_BATCH_SIZE = 5000
DOCUMENT_BATCH_BYTES = 32_000_000  # document texts are large: cap a batch's total text too
SQLITE_CACHE_KIB = 65_536  # page cache of the export connection: random-id upserts need room
# the slot holding each claim type's main entity (entity claims carry entity_id themselves)
MAIN_SLOT = {"directive": "actor", "percentage": "subject", "role": "person"}
TARGET_FORMS = "sqlite:///PATH.db, postgresql://USER@HOST/DB or parquet:FOLDER"
SQLITE = "sqlite:///"


class ExportError(RuntimeError):
    """The export could not be done (database unreachable, schema of another version...)."""


class BadTarget(ExportError, ValueError):
    """``--to`` is not one of the supported target forms."""


class StoreFailsCheck(ExportError):
    """``newsclaims check`` finds problems other than damaged lines; export refuses (--force)."""


# ---------------------------------------------------------------------------- table layout


@dataclass(frozen=True)
class Column:
    """A column: ``kind`` is text, int, float or json (JSONB on PostgreSQL, text elsewhere)."""

    name: str
    kind: str = "text"
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    """A table: columns, primary key, foreign keys and indexes (same SQL on both dialects).

    An index ``(name, expression, "hash")`` is a hash index on PostgreSQL (equality lookups
    of any length: a btree entry above ~2,700 bytes fails the insert) and a btree on SQLite.
    ``pg_key`` replaces the primary key on PostgreSQL by a unique index on that expression."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    pg_key: str | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _cols(spec: str) -> tuple[Column, ...]:
    """Columns from ``"name:kind!"`` words (``!`` = NOT NULL, kind defaults to text)."""
    columns = []
    for word in spec.split():
        name, _, kind = word.rstrip("!").partition(":")
        columns.append(Column(name, kind or "text", nullable=not word.endswith("!")))
    return tuple(columns)


DOCUMENTS = Table(
    "documents",
    _cols("id! path! url title publisher published format processed_at pipeline_version model "
          "model_version text!"),
    key=("id",),
    indexes=(("documents_published_idx", "published"),
             ("documents_publisher_lookup_idx", "publisher", "hash")))
ENTITIES = Table(
    "entities",
    _cols("id! label! name! mention_count:int! document_count:int! documents:json first_seen "
          "last_seen merged_ids:json"),
    key=("id",),
    indexes=(("entities_label_idx", "label"), ("entities_name_lookup_idx", "name", "hash")))
ENTITY_ALIASES = Table(
    "entity_aliases", _cols("entity_id! alias!"), key=("entity_id", "alias"),
    foreign=("FOREIGN KEY (entity_id) REFERENCES entities (id) ON DELETE CASCADE",),
    indexes=(("entity_aliases_lower_lookup_idx", "LOWER(alias)", "hash"),),
    pg_key="entity_id, md5(alias)")
CLAIMS = Table(
    "claims",
    _cols("id! claim_key! type! document_id! entity_id start_char:int! end_char:int! text! "
          "fields:json! stage rule model model_version score:float published date"),
    key=("id",),
    foreign=("FOREIGN KEY (document_id) REFERENCES documents (id)",
             "FOREIGN KEY (entity_id) REFERENCES entities (id) ON DELETE SET NULL"),
    indexes=(("claims_type_date_idx", "type, date"), ("claims_entity_date_idx", "entity_id, date"),
             ("claims_date_idx", "date"), ("claims_document_idx", "document_id"),
             ("claims_claim_key_idx", "claim_key")))
CLAIM_EVIDENCE = Table(
    "claim_evidence",
    _cols("claim_id! document_id! start_char:int! end_char:int! text! sentence! "
          "sentence_start:int!"),
    key=("claim_id",),
    foreign=("FOREIGN KEY (claim_id) REFERENCES claims (id) ON DELETE CASCADE",
             "FOREIGN KEY (document_id) REFERENCES documents (id)"),
    indexes=(("claim_evidence_document_idx", "document_id"),))
SCHEMA_VERSION_TABLE = Table(
    "schema_version", _cols("version:int! applied_at! newsclaims_version"), key=("version",))
TABLES = (DOCUMENTS, ENTITIES, ENTITY_ALIASES, CLAIMS, CLAIM_EVIDENCE)
# what databases exported by earlier versions hold and this one replaces (btree entries on
# text that may be long): dropped when present, so re-exporting migrates them
RETIRED_SQL = {
    "sqlite": ["DROP INDEX IF EXISTS documents_publisher_idx",
               "DROP INDEX IF EXISTS entities_name_idx",
               "DROP INDEX IF EXISTS entity_aliases_lower_idx"],
    "postgresql": ["DROP INDEX IF EXISTS documents_publisher_idx",
                   "DROP INDEX IF EXISTS entities_name_idx",
                   "DROP INDEX IF EXISTS entity_aliases_lower_idx",
                   "ALTER TABLE entity_aliases DROP CONSTRAINT IF EXISTS entity_aliases_pkey"],
}

SQL_TYPES = {"sqlite": {"text": "TEXT", "int": "INTEGER", "float": "REAL", "json": "TEXT"},
             "postgresql": {"text": "TEXT", "int": "BIGINT", "float": "DOUBLE PRECISION",
                            "json": "JSONB"}}


def _q(name: str) -> str:
    return f'"{name}"'


def create_table_sql(table: Table, dialect: str) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for one table (idempotent)."""
    types = SQL_TYPES[dialect]
    pg_key = table.pg_key if dialect == "postgresql" else None
    parts = [f"{_q(c.name)} {types[c.kind]}{'' if c.nullable else ' NOT NULL'}"
             for c in table.columns]
    if not pg_key:
        parts.append(f"PRIMARY KEY ({', '.join(table.key)})")
    parts.extend(table.foreign)
    statements = [f"CREATE TABLE IF NOT EXISTS {table.name} (\n  " + ",\n  ".join(parts) + "\n)"]
    if pg_key:
        statements.append(f"CREATE UNIQUE INDEX IF NOT EXISTS {table.name}_key_idx "
                          f"ON {table.name} ({pg_key})")
    return statements + secondary_index_sql(table, dialect)


def secondary_index_sql(table: Table, dialect: str) -> list[str]:
    """The CREATE INDEX statements of a table's lookup indexes (not its key): those an export
    into a new table builds after loading it, which is faster than keeping them up to date
    row by row."""
    statements = []
    for name, expr, *method in table.indexes:
        using = " USING hash" if method == ["hash"] and dialect == "postgresql" else ""
        statements.append(f"CREATE INDEX IF NOT EXISTS {name} ON {table.name}{using} ({expr})")
    return statements


def schema_statements(table: Table, dialect: str, exists: bool) -> tuple[list[str], list[str]]:
    """(now, after loading): a table that exists gets every statement now (each is idempotent);
    a new one its table and key now and its lookup indexes once the rows are in."""
    statements = create_table_sql(table, dialect)
    if exists or not table.indexes:
        return statements, []
    later = secondary_index_sql(table, dialect)
    return statements[:-len(later)], later


# ---------------------------------------------------------------------------- reading the store


@dataclass
class ExportSummary:
    """What one export did: rows per table in the store, in the target before and after,
    records skipped by reason and damaged lines skipped per store file."""

    target: str
    store: str
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    damaged: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    validate: bool = False  # check found problems (--force): records are checked on the way

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


RECORD_TYPES = {DOCUMENTS_FILE: "document", CLAIMS_FILE: "claim", ENTITIES_FILE: "entity"}


def _lines(path: Path, summary: ExportSummary) -> Iterator[dict[str, Any]]:
    """Records of a JSONL file, one line at a time; damaged lines (not UTF-8, not JSON, torn)
    are counted in ``summary.damaged``, records failing their schema (checked only when the
    store failed check) in ``summary.skipped``."""
    check = validator(RECORD_TYPES[path.name]) if summary.validate else None
    for _, line, complete in iter_lines(path):
        try:
            record = json.loads(line) if line is not None and complete else None
        except ValueError:
            record = None
        if not isinstance(record, dict):
            summary.damaged[path.name] = summary.damaged.get(path.name, 0) + 1
            continue
        if "id" not in record or (check is not None and not check.is_valid(record)):
            summary.skip(f"records of {path.name} that fail their schema")
            continue
        if "\\u0000" in line:  # PostgreSQL text cannot hold NUL: every target gets U+FFFD
            record = _without_nul(record)
        yield record


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def current_entities(path: Path, summary: ExportSummary) -> tuple[dict[str, dict[str, Any]],
                                                                  dict[str, str]]:
    """The current version of every entity (last line of an id wins), without merged ids,
    and where each merged id now lives (its survivor, chains followed)."""
    latest: dict[str, dict[str, Any]] = {}
    for record in _lines(path, summary):
        fold_into(latest, record)  # an id's lines folded in order (``entity_lines``)
    merged_into = {old: r["id"] for r in latest.values() for old in r.get("merged_ids") or []
                   if old != r["id"]}
    redirects: dict[str, str] = {}
    for old in merged_into:
        seen, survivor = {old}, merged_into[old]
        while survivor in merged_into and survivor not in seen:
            seen.add(survivor)
            survivor = merged_into[survivor]
        redirects[old] = survivor
    current = {k: v for k, v in latest.items() if k not in redirects}
    return current, redirects


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def document_row(record: dict[str, Any]) -> tuple[Any, ...]:
    source = record.get("source") or {}
    pipeline = record.get("pipeline") or {}
    return (record["id"], record.get("path") or "", source.get("url"), source.get("title"),
            source.get("publisher"), source.get("published"), source.get("format"),
            record.get("processed_at"), pipeline.get("version"), pipeline.get("model"),
            pipeline.get("model_version"), record.get("text") or "")


def entity_row(record: dict[str, Any]) -> tuple[Any, ...]:
    documents = list(record.get("documents") or [])
    return (record["id"], record.get("label") or "", record.get("name") or "",
            int(record.get("mention_count") or 0), len(documents), _json(documents),
            record.get("first_seen"), record.get("last_seen"),
            _json(list(record.get("merged_ids") or [])))


def _redirect(fields: dict[str, Any], redirects: dict[str, str]) -> bool:
    """Point mention objects' entity ids at their survivors; True when any changed."""
    changed = False
    for value in fields.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("entity_id") in redirects:
                item["entity_id"] = redirects[item["entity_id"]]
                changed = True
    return changed


def claim_rows(record: dict[str, Any], documents: dict[str, tuple[str | None, str | None]],
               entities: dict[str, Any], redirects: dict[str, str],
               summary: ExportSummary) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """The ``claims`` and ``claim_evidence`` rows of one claim record (None: not exported)."""
    evidence = record.get("evidence")
    if not isinstance(evidence, dict) or "type" not in record:
        summary.skip("malformed claims")
        return None
    doc_id = evidence.get("doc_id")
    if doc_id not in documents:
        summary.skip("claims whose document is not in the store")
        return None
    kind = record["type"]
    fields = {k: v for k, v in record.items()
              if k not in CLAIM_BASE_KEYS and k not in ("claim_key", "entity_id", "date")}
    entity_id = record.get("entity_id")
    changed = entity_id in redirects
    entity_id = redirects.get(entity_id, entity_id)
    changed = _redirect(fields, redirects) or changed
    if kind != "entity":
        main = fields.get(MAIN_SLOT.get(kind, ""))
        entity_id = main.get("entity_id") if isinstance(main, dict) else None
    if entity_id is not None and entity_id not in entities:
        summary.skip("claims whose entity is not in the store (entity_id left NULL)")
        entity_id = None
    key = record.get("claim_key")
    if changed or not key:  # a merge changed the resolved entities: the key follows them
        key = claim_key({**fields, "type": kind, "evidence": evidence,
                         **({"entity_id": entity_id} if kind == "entity" else {})})
    provenance = record.get("provenance") or {}
    published, date = documents[doc_id]
    if "date" in record:  # claims carry their date since it is news time (older ones do not)
        date = record["date"] if isinstance(record["date"], str) else None
    start, end = int(evidence.get("start", 0)), int(evidence.get("end", 0))
    text = evidence.get("text") or ""
    claim = (record["id"], key, kind, doc_id, entity_id, start, end, text, _json(fields),
             provenance.get("stage"), provenance.get("rule"), provenance.get("model"),
             provenance.get("model_version"), provenance.get("score"), published, date)
    ev = (record["id"], doc_id, start, end, text, evidence.get("sentence") or "",
          int(evidence.get("sentence_start", 0)))
    return claim, ev


# ---------------------------------------------------------------------------- targets


class Writer(Protocol):
    """What a target does: upsert batches, keep aliases in step, drop merged entities."""

    def counts(self) -> dict[str, int]: ...

    def upsert(self, table: Table, rows: list[tuple[Any, ...]]) -> None: ...

    def sync_aliases(self, entity_ids: list[str], rows: list[tuple[str, str]]) -> None: ...

    def delete_entities(self, ids: list[str]) -> None: ...

    def delete_rows(self, table: Table, ids: list[str]) -> None: ...

    def close(self, ok: bool) -> None: ...


def _version_row() -> tuple[Any, ...]:
    from .. import __version__

    return (SCHEMA_VERSION, datetime.now(UTC).isoformat(timespec="seconds"), __version__)


def _check_version(found: int | None, where: str) -> None:
    if found is not None and found != SCHEMA_VERSION:
        raise ExportError(f"{where} holds newsclaims schema version {found}; this newsclaims "
                          f"writes version {SCHEMA_VERSION} (export to a new database)")


class SQLiteWriter:
    """SQLite: one transaction, ``INSERT ... ON CONFLICT DO UPDATE`` with bound parameters."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None)
        self._sql: dict[str, str] = {}
        self._after_loading: list[str] = []
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            self.conn.execute("BEGIN IMMEDIATE")
            for table in (*TABLES, SCHEMA_VERSION_TABLE):
                exists = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                           "AND name = ?", (table.name,)).fetchone() is not None
                now, later = schema_statements(table, self.dialect, exists)
                for statement in now:
                    self.conn.execute(statement)
                self._after_loading.extend(later)
            for statement in RETIRED_SQL[self.dialect]:
                self.conn.execute(statement)
            found = self.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            _check_version(found, str(path))
            self.conn.execute("INSERT INTO schema_version VALUES (?, ?, ?) "
                              "ON CONFLICT DO NOTHING", _version_row())
        except BaseException:
            self.close(ok=False)
            raise

    def counts(self) -> dict[str, int]:
        return {t.name: self.conn.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0]
                for t in TABLES}

    def _upsert_sql(self, table: Table) -> str:
        cols = ", ".join(_q(c) for c in table.names)
        rest = [c for c in table.names if c not in table.key]
        sets = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in rest)
        changed = " OR ".join(f"{table.name}.{_q(c)} IS NOT excluded.{_q(c)}" for c in rest)
        return (f"INSERT INTO {table.name} ({cols}) VALUES ({', '.join('?' * len(table.names))}) "
                f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {sets} WHERE {changed}")

    def upsert(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        sql = self._sql.setdefault(table.name, self._upsert_sql(table))
        self.conn.executemany(sql, rows)

    def sync_aliases(self, entity_ids: list[str], rows: list[tuple[str, str]]) -> None:
        wanted: dict[str, list[str]] = {e: [] for e in entity_ids}
        for entity_id, alias in rows:
            wanted[entity_id].append(alias)
        self.conn.executemany(
            "DELETE FROM entity_aliases WHERE entity_id = ? AND alias NOT IN "
            "(SELECT value FROM json_each(?))", [(e, _json(a)) for e, a in wanted.items()])
        self.conn.executemany("INSERT INTO entity_aliases (entity_id, alias) VALUES (?, ?) "
                              "ON CONFLICT DO NOTHING", rows)

    def delete_entities(self, ids: list[str]) -> None:
        self.conn.executemany("DELETE FROM entities WHERE id = ?", [(i,) for i in ids])

    def delete_rows(self, table: Table, ids: list[str]) -> None:
        self.conn.executemany(f"DELETE FROM {table.name} WHERE {table.key[0]} = ?",
                              [(i,) for i in ids])

    def close(self, ok: bool) -> None:
        try:
            if ok:
                for statement in self._after_loading:  # in the same transaction
                    self.conn.execute(statement)
                self.conn.execute("COMMIT")
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        finally:
            self.conn.close()


class PostgresWriter:
    """PostgreSQL: one transaction; each batch is COPYed into a temporary staging table, then
    ``INSERT ... SELECT ... ON CONFLICT DO UPDATE`` (rows left alone when nothing changed)."""

    dialect = "postgresql"
    LOCK_KEY = 0x6E657773  # pg_advisory_xact_lock: one export at a time per database

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self.conn = psycopg.connect(url)
        except psycopg.Error as exc:
            raise ExportError(f"cannot connect to {redact(url)}: {exc}".strip()) from exc
        self._staged: set[str] = set()
        self._after_loading: list[str] = []
        try:
            with self.conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (self.LOCK_KEY,))
                for table in (*TABLES, SCHEMA_VERSION_TABLE):
                    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (table.name,))
                    now, later = schema_statements(table, self.dialect, cur.fetchone()[0])
                    for statement in now:
                        cur.execute(statement)
                    self._after_loading.extend(later)
                for statement in RETIRED_SQL[self.dialect]:
                    cur.execute(statement)
                cur.execute("SELECT MAX(version) FROM schema_version")
                _check_version(cur.fetchone()[0], redact(url))
                cur.execute("INSERT INTO schema_version VALUES (%s, %s, %s) "
                            "ON CONFLICT DO NOTHING", _version_row())
        except BaseException:
            self.close(ok=False)
            raise

    def counts(self) -> dict[str, int]:
        with self.conn.cursor() as cur:
            result = {}
            for table in TABLES:
                cur.execute(f"SELECT COUNT(*) FROM {table.name}")
                result[table.name] = cur.fetchone()[0]
            return result

    def _stage(self, cur: Any, table: Table, rows: Iterable[tuple[Any, ...]]) -> str:
        stage = f"_newsclaims_stage_{table.name}"
        if stage not in self._staged:
            cur.execute(f"CREATE TEMP TABLE {stage} (LIKE {table.name}) ON COMMIT DROP")
            self._staged.add(stage)
        else:
            cur.execute(f"TRUNCATE {stage}")
        cols = ", ".join(_q(c) for c in table.names)
        with cur.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return stage

    def upsert(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        cols = ", ".join(_q(c) for c in table.names)
        rest = [c for c in table.names if c not in table.key]
        sets = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in rest)
        old = ", ".join(f"{table.name}.{_q(c)}" for c in rest)
        new = ", ".join(f"EXCLUDED.{_q(c)}" for c in rest)
        with self.conn.cursor() as cur:
            stage = self._stage(cur, table, rows)
            cur.execute(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {stage} "
                        f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {sets} "
                        f"WHERE ({old}) IS DISTINCT FROM ({new})")

    def sync_aliases(self, entity_ids: list[str], rows: list[tuple[str, str]]) -> None:
        with self.conn.cursor() as cur:
            stage = self._stage(cur, ENTITY_ALIASES, rows)
            cur.execute(f"DELETE FROM entity_aliases a WHERE a.entity_id = ANY(%s) AND NOT EXISTS "
                        f"(SELECT 1 FROM {stage} s WHERE s.entity_id = a.entity_id "
                        f"AND s.alias = a.alias)", (entity_ids,))
            cur.execute(f"INSERT INTO entity_aliases (entity_id, alias) SELECT entity_id, alias "
                        f"FROM {stage} ON CONFLICT DO NOTHING")

    def delete_entities(self, ids: list[str]) -> None:
        with self.conn.cursor() as cur:
            cur.execute("DELETE FROM entities WHERE id = ANY(%s)", (ids,))

    def delete_rows(self, table: Table, ids: list[str]) -> None:
        with self.conn.cursor() as cur:
            cur.execute(f"DELETE FROM {table.name} WHERE {table.key[0]} = ANY(%s)", (ids,))

    def close(self, ok: bool) -> None:
        try:
            if ok:
                with self.conn.cursor() as cur:
                    for statement in self._after_loading:  # in the same transaction
                        cur.execute(statement)
                self.conn.commit()
            else:
                self.conn.rollback()
        finally:
            self.conn.close()


class ParquetWriter:
    """Parquet: one file per table, written row group by row group to ``*.tmp`` files that
    replace the previous export only when every table is complete (the store is append-only,
    so a full rewrite from it is the upsert)."""

    def __init__(self, folder: Path) -> None:
        import pyarrow as pa

        self.pa = pa
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        types = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(),
                 "json": pa.string()}
        meta = {b"newsclaims.schema_version": str(SCHEMA_VERSION).encode()}
        self.schemas = {t.name: pa.schema([pa.field(c.name, types[c.kind], c.nullable)
                                           for c in t.columns], metadata=meta)
                        for t in (*TABLES, SCHEMA_VERSION_TABLE)}
        self.writers: dict[str, Any] = {}
        self.written: dict[str, int] = {t.name: 0 for t in TABLES}
        self.before = self._existing_counts()
        self._asked = False

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.parquet"

    def _existing_counts(self) -> dict[str, int]:
        import pyarrow.parquet as pq

        counts = {}
        for table in TABLES:
            try:
                counts[table.name] = pq.ParquetFile(self.path(table.name)).metadata.num_rows
            except (OSError, ValueError):
                counts[table.name] = 0
        return counts

    def counts(self) -> dict[str, int]:
        """Rows in the files on the first call (before the export), rows written after it."""
        asked, self._asked = self._asked, True
        return dict(self.written) if asked else dict(self.before)

    def _write(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        import pyarrow.parquet as pq

        schema = self.schemas[name]
        if name not in self.writers:
            self.writers[name] = pq.ParquetWriter(str(self.path(name)) + ".tmp", schema,
                                                  compression="zstd")
        if rows:
            columns = list(zip(*rows, strict=True))
            batch = self.pa.record_batch([self.pa.array(col, type=f.type)
                                          for col, f in zip(columns, schema, strict=True)],
                                         schema=schema)
            self.writers[name].write_batch(batch)
        self.written[name] = self.written.get(name, 0) + len(rows)

    def upsert(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        self._write(table.name, rows)

    def sync_aliases(self, entity_ids: list[str], rows: list[tuple[str, str]]) -> None:
        self._write(ENTITY_ALIASES.name, rows)

    def delete_entities(self, ids: list[str]) -> None:
        """Merged entities are never written to a Parquet export: nothing to delete."""

    def delete_rows(self, table: Table, ids: list[str]) -> None:
        """Each export rewrites every file from the current records: nothing to delete."""

    def close(self, ok: bool) -> None:
        if ok:
            for table in TABLES:
                self._write(table.name, [])  # an empty table still gets its file
            self._write(SCHEMA_VERSION_TABLE.name, [_version_row()])
        for writer in self.writers.values():
            writer.close()
        for name in self.writers:
            tmp = Path(str(self.path(name)) + ".tmp")
            if ok:
                os.replace(tmp, self.path(name))
            else:
                tmp.unlink(missing_ok=True)
        self.written.pop(SCHEMA_VERSION_TABLE.name, None)


def redact(url: str) -> str:
    """The target with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return url


def parse_target(target: str) -> tuple[str, str]:
    """``(kind, where)`` of a ``--to`` value; raises BadTarget with the accepted forms.

    A SQLite URL names its file as SQLAlchemy does: what follows ``sqlite:///`` is the path, so
    ``sqlite:///out/c.db`` is ``out/c.db`` in the current folder and ``sqlite:////tmp/c.db`` is
    ``/tmp/c.db``. Forms SQLAlchemy reads as something other than a file are refused: an
    in-memory database (``sqlite://``, ``sqlite:///:memory:``), a host (``sqlite://HOST/x.db``)
    and driver options after ``?`` (SQLAlchemy would not make them part of the name)."""
    if target.startswith(SQLITE):
        where = target[len(SQLITE):]
        if where and where != ":memory:" and "?" not in where:
            return "sqlite", where
        why = "driver options (?...) are not supported" if "?" in where else \
            "an in-memory database would be lost"
        raise BadTarget(f"--to must be {TARGET_FORMS}, not {target!r}: {why}")
    if target.startswith("sqlite:"):
        raise BadTarget(f"--to must be {TARGET_FORMS}, not {target!r}: a SQLite file is "
                        "sqlite:///relative.db or sqlite:////absolute/path.db")
    if re.match(r"^postgres(ql)?://", target):
        return "postgresql", target
    if target.startswith("parquet:"):
        where = target[len("parquet:"):]
        where = where[2:] if where.startswith("//") else where
        if where:
            return "parquet", where
    raise BadTarget(f"--to must be {TARGET_FORMS}, not {target!r}")


def _parsed(target: str | Path) -> tuple[str, str]:
    """``parse_target`` of a URL; a Path is a SQLite file, whatever characters its name has."""
    return ("sqlite", str(target)) if isinstance(target, Path) else parse_target(target)


@contextmanager
def open_target(target: str | Path) -> Iterator[Writer]:
    """A writer for the target, committed (or the Parquet files replaced) on success only."""
    kind, where = _parsed(target)
    writer: Writer
    if kind == "sqlite":
        try:
            writer = SQLiteWriter(Path(where))
        except sqlite3.Error as exc:
            raise ExportError(f"{where}: {exc}") from exc
    elif kind == "postgresql":
        writer = PostgresWriter(where)
    else:
        writer = ParquetWriter(Path(where))
    ok = False
    try:
        yield writer
        ok = True
    finally:
        writer.close(ok)


# ---------------------------------------------------------------------------- the export


def export_store(store: str | Path, target: str | Path, *, batch_size: int = DEFAULT_BATCH_SIZE,
                 force: bool = False) -> ExportSummary:
    """Export the store at ``store`` to ``target`` (a ``--to`` URL, or the Path of a SQLite
    file); exporting again upserts (no duplicates).

    The store is checked first (``check_store``): damaged lines are skipped and counted; any
    other problem raises StoreFailsCheck before the target is touched, unless ``force``, when
    records failing their schema are skipped."""
    started = time.perf_counter()
    _parsed(target)
    root = require_store(store)
    shown = f"{SQLITE}{target}" if isinstance(target, Path) else redact(target)
    summary = ExportSummary(target=shown, store=str(root))
    report = _checked(root, force)
    summary.validate = bool(report.content_problems)
    entities, redirects = current_entities(root / ENTITIES_FILE, summary)
    stored_entities = set(entities)
    # with every claim current (as check counted them), no entity needs recounting
    recount = summary.validate or report.stale_claims > 0 or report.uncommitted > 0
    versions, entities = _current_records(root, entities, redirects, summary, recount=recount)
    try:
        before, after, exported = _export(root, target, batch_size, versions, entities,
                                          redirects, summary, stored_entities)
    except _driver_errors() as exc:
        raise ExportError(f"export to {shown} failed, nothing was committed: "
                          f"{type(exc).__name__}: {exc}".strip()) from exc
    for name in exported:
        summary.tables[name] = {"store": exported[name], "before": before[name],
                                "after": after[name]}
    summary.seconds = time.perf_counter() - started
    return summary


def _checked(root: Path, force: bool) -> CheckReport:
    """Run the store check; raise StoreFailsCheck on problems other than damaged lines unless
    ``force`` (records are then validated as they are exported)."""
    report = check_store(root)
    problems = report.content_problems
    if problems and not force:
        raise StoreFailsCheck(f"{root}: the store fails check ({len(problems)} problems, first: "
                              f"{problems[0]}); run `newsclaims check`, or export anyway with "
                              "--force")
    return report


def _driver_errors() -> tuple[type[BaseException], ...]:
    """Errors of the database drivers that are loaded (OSError covers pyarrow's IO errors)."""
    errors: list[type[BaseException]] = [sqlite3.Error, OSError]
    if "psycopg" in sys.modules:
        errors.append(sys.modules["psycopg"].Error)
    if "pyarrow" in sys.modules:
        errors.append(sys.modules["pyarrow"].ArrowException)
    return tuple(errors)


def _current_records(root: Path, entities: dict[str, dict[str, Any]], redirects: dict[str, str],
                     summary: ExportSummary, *, recount: bool = True
                     ) -> tuple[Versions, dict[str, dict[str, Any]]]:
    """Which document lines are current, and the entities as the current claims show them
    (one pass over the documents and, with ``recount``, one over the claims, before anything
    is written; without it the stored entities are taken as they are)."""
    quiet = ExportSummary(target=summary.target, store=summary.store, validate=summary.validate)
    versions = Versions.from_records(_lines(root / DOCUMENTS_FILE, quiet))
    if not recount:
        return versions, entities

    def mentions(current: bool, of: set[str] | None = None) -> list[dict[str, Any]]:
        """Entity claims of current (or superseded) processings, only what is recounted."""
        found = []
        for record in _lines(root / CLAIMS_FILE, quiet):
            if record.get("type") != "entity" or versions.is_current_claim(record) != current:
                continue
            entity_id = record.get("entity_id")
            entity_id = redirects.get(entity_id, entity_id)
            if of is None or entity_id in of:
                evidence = record.get("evidence") or {}
                found.append({"type": "entity", "entity_id": entity_id, "current": current,
                              "evidence": {"doc_id": evidence.get("doc_id"),
                                           "text": evidence.get("text")}})
        return found

    stale = mentions(False)  # usually few: the rest is recounted only when there are some
    if not stale:
        return versions, entities
    affected = {m["entity_id"] for m in stale}
    dates = {doc_id: (r.get("source") or {}).get("published")
             for doc_id, r in versions.current.items()}
    return versions, entities_of_current_claims(entities, stale + mentions(True, affected), dates)


def _export(root: Path, target: str | Path, batch_size: int, versions: Versions,
            entities: dict[str, dict[str, Any]], redirects: dict[str, str],
            summary: ExportSummary, stored_entities: set[str]
            ) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Write the current records in one transaction, and delete from the target the rows of
    superseded versions; rows per table before, after and exported."""
    exported = {t.name: 0 for t in TABLES}
    stale_documents: set[str] = set()
    stale_claims: list[str] = []
    position = 0

    def current_lines() -> Iterator[dict[str, Any]]:
        nonlocal position
        for record in _lines(root / DOCUMENTS_FILE, summary):
            position += 1
            if versions.current.get(record["id"], {}).get("_line") == position:
                yield record
            else:
                stale_documents.add(record["id"])

    with open_target(target) as writer:
        before = writer.counts()
        documents: dict[str, tuple[str | None, str | None]] = {}
        for batch in _document_batches(current_lines(), batch_size):
            rows = list({r["id"]: document_row(r) for r in batch}.values())
            rows = [r for r in rows if r[0] not in documents]  # a repeated id: first line wins
            for row in rows:
                # a claim's date is news time: the published date (normalised), never
                # processed_at; NULL when unknown
                documents[row[0]] = (row[5], published_or_none(row[5]))
            writer.upsert(DOCUMENTS, rows)
            exported["documents"] += len(rows)
        for batch in _batches(entities.values(), batch_size):
            writer.upsert(ENTITIES, [entity_row(r) for r in batch])
            aliases = [(r["id"], a) for r in batch for a in dict.fromkeys(r.get("aliases") or [])]
            writer.sync_aliases([r["id"] for r in batch], aliases)
            exported["entities"] += len(batch)
            exported["entity_aliases"] += len(aliases)
        for batch in _batches(_lines(root / CLAIMS_FILE, summary), batch_size):
            pairs: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}
            for record in batch:
                if not versions.is_current_claim(record) and versions.holds(record):
                    stale_claims.append(record.get("id"))
                    continue
                pair = claim_rows(record, documents, entities, redirects, summary)
                if pair is not None:
                    pairs[pair[0][0]] = pair
            writer.upsert(CLAIMS, [p[0] for p in pairs.values()])
            writer.upsert(CLAIM_EVIDENCE, [p[1] for p in pairs.values()])
            exported["claims"] += len(pairs)
            exported["claim_evidence"] += len(pairs)
        if redirects:
            writer.delete_entities(sorted(redirects))
        # rows an earlier export wrote for versions and processings now superseded
        stale = sorted({i for i in stale_claims if isinstance(i, str)})
        writer.delete_rows(CLAIM_EVIDENCE, stale)
        writer.delete_rows(CLAIMS, stale)
        writer.delete_rows(DOCUMENTS, sorted(stale_documents - set(documents)))
        # entities only superseded versions mention (and their aliases)
        gone = sorted(stored_entities - set(entities))
        writer.sync_aliases(gone, [])
        writer.delete_rows(ENTITIES, gone)
        after = writer.counts()
    return before, after, exported


def _document_batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict]]:
    """Batches of document records, at most ``size`` and about DOCUMENT_BATCH_BYTES of text."""
    batch: list[dict[str, Any]] = []
    weight = 0
    for record in records:
        batch.append(record)
        weight += len(record.get("text") or "")
        if len(batch) >= size or weight >= DOCUMENT_BATCH_BYTES:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch
