"""``newsclaims check``: verify that a store is whole and consistent.

Every line parses and matches its JSON Schema, ids are unique, and every evidence span, sentence
and entity mention equals the document text at its offsets. A document line commits the claims
written before it: claims at the end of the file whose document line is missing belong to a batch
a killed run did not finish; they are counted as uncommitted (readers skip them), not as damage.
Such claims anywhere else are reported.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .claim_store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE, iter_lines
from .schemas import schema_problem
from .versions import claim_fingerprint, record_fingerprint, record_source_key

MENTION_SLOTS = ("actor", "subject", "person", "org")


@dataclass
class CheckReport:
    """What ``check_store`` found: counts and one line per problem. ``damaged`` repeats the
    problems of lines that cannot be read as a record at all (readers skip them)."""

    documents: int = 0  # current documents (one per article)
    claims: int = 0  # claims of the current documents' current processing
    superseded: int = 0  # document lines of earlier versions or pipelines (kept for history)
    uncommitted: int = 0
    stale_claims: int = 0  # claims of superseded versions or processings (kept for history)
    # ``check --sample N``: (claim lines checked, claim lines in the file); None: all checked
    sampled: tuple[int, int] | None = None
    problems: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    # documents whose claims are missing or broken: id -> (claims stated, claims found intact)
    incomplete: dict[str, tuple[int | None, int]] = field(default_factory=dict)
    # per store file, the line numbers ``extract --repair`` moves aside (unreadable lines,
    # broken claims, later copies of an id); the records they held are made again
    unusable: dict[str, set[int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def content_problems(self) -> list[str]:
        """The problems other than damaged lines: records a reader would take as they are."""
        damaged = set(self.damaged)
        return [p for p in self.problems if p not in damaged]

    def damage(self, problem: str) -> None:
        self.problems.append(problem)
        self.damaged.append(problem)

    def set_aside(self, file: str, number: int) -> None:
        self.unusable.setdefault(file, set()).add(number)


def _records(path: Path, record_type: str, report: CheckReport,
             at: Callable[[str, int], None] | None = None,
             only: set[int] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each line of ``path`` that parses and fits its schema, one at
    a time; every other line is reported, and noted for ``extract --repair`` to set aside.
    With ``at``, it is told each record's id and the byte offset of its line; with ``only``,
    the other line numbers are skipped unread."""
    if not path.exists():
        return
    problem = schema_problem(record_type)
    for number, line, complete, offset in _lines_at(path):
        if only is not None and number not in only:
            continue
        where = f"{path.name}:{number}"
        if line is None:
            report.damage(f"{where}: not UTF-8 text")
            report.set_aside(path.name, number)
            continue
        if not complete:
            report.damage(f"{where}: torn last line (no newline)")
            continue  # the next writer moves it to *.torn
        try:
            record = json.loads(line)
        except ValueError as exc:
            report.damage(f"{where}: not JSON ({exc})")
            report.set_aside(path.name, number)
            continue
        if not isinstance(record, dict):
            report.damage(f"{where}: not a JSON object")
            report.set_aside(path.name, number)
            continue
        error = problem(record)
        if error is not None:
            report.problems.append(f"{where}: schema: {error}")
            if record_type == "claim":  # a claim is made again from its document; others stay
                report.set_aside(path.name, number)
            continue
        if at is not None:
            at(record["id"], offset)
        yield number, record


def _lines_at(path: Path) -> Iterator[tuple[int, str | None, bool, int]]:
    """``iter_lines`` with the byte offset of each line."""
    offset = 0
    for (number, line, complete), size in zip(iter_lines(path), _sizes(path), strict=True):
        yield number, line, complete, offset
        offset += size


def _sizes(path: Path) -> Iterator[int]:
    with path.open("rb") as fh:
        for raw in fh:
            yield len(raw)


SCRATCH_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -4096;
PRAGMA temp_store = FILE;
CREATE TABLE latest (key TEXT PRIMARY KEY, id TEXT NOT NULL, fingerprint TEXT, line INTEGER);
CREATE INDEX latest_by_id ON latest (id, line);
CREATE TABLE lines (position INTEGER PRIMARY KEY, number INTEGER, id TEXT, path TEXT,
                    claim_count INTEGER, fingerprint TEXT);
CREATE TABLE texts (id TEXT PRIMARY KEY, offset INTEGER) WITHOUT ROWID;
CREATE TABLE entity_ids (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE claim_ids (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE intact (id TEXT, fingerprint TEXT, n INTEGER, PRIMARY KEY (id, fingerprint))
    WITHOUT ROWID;
"""
CACHED = 4096  # entries of check's small in-memory caches; the scratch file holds the rest
_MISSING = object()


class _Scratch:
    """What check remembers of a store while it reads it, in a temporary SQLite file, so that
    its memory stays that of one record and a few caches however large the store: per article
    its latest document line, the document lines in order, where each text is, the entity
    ids, the claim ids (when the index cannot say which repeat) and the intact claim counts."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="newsclaims-check-")
        self.db = sqlite3.connect(Path(self._folder.name) / "check.sqlite", isolation_level=None)
        self.db.executescript(SCRATCH_SCHEMA)
        self.db.execute("BEGIN")
        self.lines = 0
        self._entities: dict[str, bool] = {}
        self._current: dict[str, Any] = {}
        self._counts: Counter[tuple[str, str]] = Counter()

    def close(self) -> None:
        self.db.close()
        self._folder.cleanup()

    # -- document lines ------------------------------------------------------------------
    def current_fingerprint(self, doc_id: str) -> Any:
        """The pipeline fingerprint of the current line of text ``doc_id`` (None: made before
        fingerprints), or ``_MISSING`` when the text is no article's latest version."""
        row = self.db.execute("SELECT fingerprint FROM latest WHERE id = ? ORDER BY line DESC "
                              "LIMIT 1", (doc_id,)).fetchone()
        return _MISSING if row is None else row[0]

    def add_line(self, number: int, record: dict[str, Any], key: str,
                 fingerprint: str | None) -> int:
        """Take one more document line that adds a version; its position among them."""
        self.lines += 1
        claim_count = record.get("claim_count")
        self.db.execute("INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?)",
                        (self.lines, number, record["id"], record.get("path"),
                         claim_count if isinstance(claim_count, int) else None, fingerprint))
        self.db.execute("INSERT INTO latest VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                        "id = excluded.id, fingerprint = excluded.fingerprint, "
                        "line = excluded.line", (key, record["id"], fingerprint, self.lines))
        return self.lines

    def text_at(self, doc_id: str, offset: int) -> None:
        """Note where a line holding text ``doc_id`` starts (the first such line counts)."""
        self.db.execute("INSERT OR IGNORE INTO texts VALUES (?, ?)", (doc_id, offset))

    def text_offset(self, doc_id: str) -> int | None:
        row = self.db.execute("SELECT offset FROM texts WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else row[0]

    def documents(self) -> int:
        """Current documents: the texts that are an article's latest version."""
        return self.db.execute("SELECT count(DISTINCT id) FROM latest").fetchone()[0]

    def current_lines(self) -> Iterator[tuple[int, str, str | None, int | None, str | None]]:
        """(line number, id, path, claim count, fingerprint) of each current document's line, in
        file order: of a text that is several articles' latest version, the last line."""
        yield from self.db.execute(
            "SELECT l.number, l.id, l.path, l.claim_count, l.fingerprint FROM lines l JOIN "
            "(SELECT id, max(line) AS line FROM latest GROUP BY id) c "
            "ON c.id = l.id AND c.line = l.position ORDER BY l.position")

    # -- entities and claims ---------------------------------------------------------------
    def add_entity(self, entity_ids: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO entity_ids VALUES (?)",
                            ((i,) for i in entity_ids))

    def has_entity(self, entity_id: str) -> bool:
        known = self._entities.get(entity_id)
        if known is None:
            known = self.db.execute("SELECT 1 FROM entity_ids WHERE id = ?",
                                    (entity_id,)).fetchone() is not None
            if len(self._entities) >= CACHED:
                self._entities.clear()
            self._entities[entity_id] = known
        return known

    def seen_claim(self, claim_id: str) -> bool:
        """Whether ``claim_id`` was met before (it is noted now)."""
        return self.db.execute("INSERT OR IGNORE INTO claim_ids VALUES (?)",
                               (claim_id,)).rowcount == 0

    def is_current_claim(self, claim: dict[str, Any]) -> bool:
        """Whether a claim belongs to the current processing of a current document (the
        claims of one document are written together: the last few answers are kept)."""
        doc_id = claim["evidence"]["doc_id"]
        fingerprint = self._current.get(doc_id, None)
        if doc_id not in self._current:
            fingerprint = self.current_fingerprint(doc_id)
            if len(self._current) >= 8:
                self._current.pop(next(iter(self._current)))
            self._current[doc_id] = fingerprint
        return fingerprint is not _MISSING and claim_fingerprint(claim) == fingerprint

    def count_intact(self, doc_id: str, fingerprint: str | None) -> None:
        self._counts[doc_id, json.dumps(fingerprint)] += 1
        if len(self._counts) >= CACHED:
            self._flush_counts()

    def intact(self, doc_id: str, fingerprint: str | None) -> int:
        self._flush_counts()
        row = self.db.execute("SELECT n FROM intact WHERE id = ? AND fingerprint = ?",
                              (doc_id, json.dumps(fingerprint))).fetchone()
        return 0 if row is None else row[0]

    def _flush_counts(self) -> None:
        if self._counts:
            self.db.executemany(
                "INSERT INTO intact VALUES (?, ?, ?) ON CONFLICT (id, fingerprint) DO UPDATE "
                "SET n = n + excluded.n", ((d, f, n) for (d, f), n in self._counts.items()))
            self._counts.clear()


class _Texts:
    """Document texts read by byte offset when a claim needs one (claims of one document are
    written together, so the last few texts are kept): check holds no store-sized text."""

    def __init__(self, path: Path, offset_of: Callable[[str], int | None]) -> None:
        self.path = path
        self.offset_of = offset_of
        self.recent: dict[str, str] = {}
        self._fh = path.open("rb") if path.exists() else None

    def get(self, doc_id: str) -> str | None:
        if doc_id in self.recent:
            return self.recent[doc_id]
        offset = self.offset_of(doc_id)
        if offset is None or self._fh is None:
            return None
        self._fh.seek(offset)
        text = json.loads(self._fh.readline().decode("utf-8"))["text"]
        if len(self.recent) >= 8:
            self.recent.pop(next(iter(self.recent)))
        self.recent[doc_id] = text
        return text

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def _repeated_claim_ids(root: Path) -> set[str] | None:
    """Claim ids the index holds more than once (None: no index to ask): only these need to
    be remembered to find later copies, not every id of the store."""
    from .index import StoreIndex

    try:
        with StoreIndex.open(root) as index:
            return {i for (i,) in index.db.execute(
                "SELECT id FROM claims GROUP BY id HAVING count(*) > 1")}
    except (OSError, sqlite3.Error):
        return None


def _mentions(claim: dict[str, Any]) -> list[dict[str, Any]]:
    found = [claim[s] for s in MENTION_SLOTS if isinstance(claim.get(s), dict)]
    found.extend(t for t in claim.get("targets") or [] if isinstance(t, dict))
    return found


def check_store(root: str | Path, *, sample: int | None = None, seed: int = 0) -> CheckReport:
    """Check the store at ``root``; never raises for bad content, reports it. The files are
    streamed and what must be remembered across them is kept in a scratch file (``_Scratch``),
    so memory does not grow with the store.

    With ``sample``, documents and entities are checked in full but only ``sample`` claim lines
    drawn at random (``seed``) are read and checked against their documents: a quick look at a
    big store. What needs every claim is then not checked: that each document's claims are all
    there, repeated claim ids, and which claims without a document are an unfinished batch
    (sampled ones are counted in ``uncommitted``, not reported)."""
    root = Path(root)
    report = CheckReport()
    if not root.is_dir():
        report.problems.append(f"{root}: not a store folder")
        return report
    scratch = _Scratch()
    texts = _Texts(root / DOCUMENTS_FILE, scratch.text_offset)
    try:
        _check_documents(root, report, scratch)
        for _, entity in _records(root / ENTITIES_FILE, "entity", report):  # versions: ids repeat
            scratch.add_entity([entity["id"], *entity.get("merged_ids", [])])
        report.documents = scratch.documents()
        report.superseded = scratch.lines - report.documents
        if sample is None:
            _check_claims(root, report, scratch, texts)
        else:
            _check_claim_sample(root, report, scratch, texts, sample, seed)
    finally:
        texts.close()
        scratch.close()
    return report


def _check_documents(root: Path, report: CheckReport, scratch: _Scratch) -> None:
    """Take the document lines that add a version: a new text of an article, a new pipeline's
    processing, or an earlier text made current again. A line repeating a current text and
    its pipeline is a copy no writer makes: set aside and reported per id."""
    copies: Counter[str] = Counter()
    for number, record in _records(root / DOCUMENTS_FILE, "document", report, scratch.text_at):
        fingerprint = record_fingerprint(record)
        if scratch.current_fingerprint(record["id"]) == fingerprint:
            copies[record["id"]] += 1
            report.set_aside(DOCUMENTS_FILE, number)
            continue
        scratch.add_line(number, record, record_source_key(record), fingerprint)
    for record_id, count in copies.items():
        report.problems.append(f"{DOCUMENTS_FILE}: id {record_id} appears {count + 1} times")


def _check_claims(root: Path, report: CheckReport, scratch: _Scratch, texts: _Texts) -> None:
    """Stream the claims: each against its document's text, then the documents' counts."""
    broken: set[str] = set()
    orphans: list[str] = []  # claims without their document since the last committed claim
    claims = _records(root / CLAIMS_FILE, "claim", report)  # streamed: claims are many
    for number, claim in _first_of_each_id(CLAIMS_FILE, claims, report, counted=True,
                                           seen=_seen_ids(_repeated_claim_ids(root), scratch)):
        doc_id = claim["evidence"]["doc_id"]
        where = f"{CLAIMS_FILE}:{number}: claim {claim['id']}"
        text = texts.get(doc_id)
        if text is None:
            orphans.append(f"{where}: document {doc_id} is not in the store")
            continue
        report.problems.extend(orphans)  # a committed claim follows them: they are damage
        orphans.clear()
        faults = _claim_faults(claim, text, scratch.has_entity)
        report.problems.extend(f"{where}: {fault}" for fault in faults)
        if faults:
            broken.add(doc_id)
            report.set_aside(CLAIMS_FILE, number)
        else:
            scratch.count_intact(doc_id, claim_fingerprint(claim))
        if not scratch.is_current_claim(claim):
            report.claims -= 1
            report.stale_claims += 1
    # the last batch was cut off before the document lines that commit it: readers skip these
    # claims and the next extract over the same files completes them
    report.uncommitted = len(orphans)
    for number, doc_id, path, stated, fingerprint in scratch.current_lines():
        found = scratch.intact(doc_id, fingerprint)
        if doc_id in broken or (stated is not None and found < stated):
            report.incomplete[doc_id] = (stated, found)
            of = f" of its {stated}" if stated is not None else ""
            report.problems.append(
                f"{DOCUMENTS_FILE}:{number}: document {doc_id[:12]} ({path}) "
                f"has {found}{of} claims intact (`newsclaims extract --repair` restores them)")


def _check_claim_sample(root: Path, report: CheckReport, scratch: _Scratch, texts: _Texts,
                        size: int, seed: int) -> None:
    """``check --sample``: ``size`` claim lines at random, each parsed, schema-checked and held
    against its document's text and the entity records."""
    path = root / CLAIMS_FILE
    total = sum(1 for _ in _sizes(path)) if path.exists() else 0
    chosen = set(random.Random(seed).sample(range(1, total + 1), min(size, total)))
    report.sampled = (len(chosen), total)
    for number, claim in _records(path, "claim", report, only=chosen):
        report.claims += 1
        text = texts.get(claim["evidence"]["doc_id"])
        if text is None:
            report.uncommitted += 1
            continue
        where = f"{CLAIMS_FILE}:{number}: claim {claim['id']}"
        faults = _claim_faults(claim, text, scratch.has_entity)
        report.problems.extend(f"{where}: {fault}" for fault in faults)
        if faults:
            report.set_aside(CLAIMS_FILE, number)


def _seen_ids(repeated: set[str] | None, scratch: _Scratch) -> Callable[[str], bool]:
    """Whether a claim id was met before: remembered in memory for the ids the index holds more
    than once (``repeated``), in the scratch file for every id when there is no index."""
    if repeated is None:
        return scratch.seen_claim
    met: set[str] = set()

    def seen(claim_id: str) -> bool:
        if claim_id not in repeated:
            return False
        if claim_id in met:
            return True
        met.add(claim_id)
        return False

    return seen


def _first_of_each_id(name: str, records: Iterable[tuple[int, dict[str, Any]]],
                      report: CheckReport, *, counted: bool = False,
                      seen: Callable[[str], bool]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The first record of each id, streamed; later copies are set aside and reported once per
    id at the end. With ``counted``, records are counted in ``report.claims``. ``seen`` says
    whether an id was met before (and notes it)."""
    copies: Counter[str] = Counter()
    for number, record in records:
        if counted:
            report.claims += 1
        if seen(record["id"]):
            copies[record["id"]] += 1
            report.set_aside(name, number)
        else:
            yield number, record
    for record_id, count in copies.items():
        report.problems.append(f"{name}: id {record_id} appears {count + 1} times")


def _claim_faults(claim: dict[str, Any], text: str,
                  has_entity: Callable[[str], bool]) -> list[str]:
    """What in one claim does not match its document's text or the entity records."""
    faults = []
    ev = claim["evidence"]
    if text[ev["start"]:ev["end"]] != ev["text"]:
        faults.append(f"evidence does not match the text at {ev['start']}:{ev['end']}")
    s_start = ev["sentence_start"]
    if text[s_start:s_start + len(ev["sentence"])] != ev["sentence"]:
        faults.append(f"sentence does not match the text at {s_start}")
    for m in _mentions(claim):
        if text[m["start"]:m["end"]] != m["text"]:
            faults.append(f"mention {m['text']!r} does not match the text at "
                          f"{m['start']}:{m['end']}")
    for ref in [claim.get("entity_id"), *(m.get("entity_id") for m in _mentions(claim))]:
        if ref and not has_entity(ref):
            faults.append(f"entity {ref} is not in {ENTITIES_FILE}")
    return faults
