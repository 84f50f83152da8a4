"""``newsclaims check``: verify that a store is whole and consistent.

Every line parses and matches its JSON Schema, ids are unique, and every evidence span, sentence
and entity mention equals the document text at its offsets. A document line commits the claims
written before it: claims at the end of the file whose document line is missing belong to a batch
a killed run did not finish; they are counted as uncommitted (readers skip them), not as damage.
Such claims anywhere else are reported.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .claim_store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE, iter_lines
from .schemas import validator
from .versions import UNCHANGED, Versions, claim_fingerprint, record_fingerprint, record_source_key

MENTION_SLOTS = ("actor", "subject", "person", "org")


@dataclass
class CheckReport:
    """What ``check_store`` found: counts and one line per problem. ``damaged`` repeats the
    problems of lines that cannot be read as a record at all (readers skip them)."""

    documents: int = 0  # current documents (one per article)
    claims: int = 0  # claims of the current documents' current processing
    superseded: int = 0  # document lines of earlier versions or pipelines (kept for history)
    uncommitted: int = 0
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


def _read(path: Path, record_type: str, report: CheckReport) -> list[tuple[int, dict[str, Any]]]:
    return list(_records(path, record_type, report))


def _records(path: Path, record_type: str, report: CheckReport,
             offsets: dict[str, int] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each line of ``path`` that parses and fits its schema, one at
    a time; every other line is reported, and noted for ``extract --repair`` to set aside.
    With ``offsets``, the byte offset of each record's line is noted under its id."""
    if not path.exists():
        return
    check = validator(record_type)
    for number, line, complete, offset in _lines_at(path):
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
        errors = sorted(check.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            report.problems.append(f"{where}: schema: {errors[0].message}")
            if record_type == "claim":  # a claim is made again from its document; others stay
                report.set_aside(path.name, number)
            continue
        if offsets is not None:
            offsets.setdefault(record["id"], offset)
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


class _Texts:
    """Document texts read by byte offset when a claim needs one (claims of one document are
    written together, so the last few texts are kept): check holds no store-sized text."""

    def __init__(self, path: Path, offsets: dict[str, int]) -> None:
        self.path = path
        self.offsets = offsets
        self.recent: dict[str, str] = {}
        self._fh = path.open("rb") if path.exists() else None

    def get(self, doc_id: str) -> str | None:
        if doc_id in self.recent:
            return self.recent[doc_id]
        offset = self.offsets.get(doc_id)
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


def check_store(root: str | Path) -> CheckReport:
    """Check the store at ``root``; never raises for bad content, reports it."""
    root = Path(root)
    report = CheckReport()
    if not root.is_dir():
        report.problems.append(f"{root}: not a store folder")
        return report
    versions = Versions()
    offsets: dict[str, int] = {}  # document id -> byte offset of a line holding its text
    documents = [(number, _slim(record), position) for number, record, position in _new_versions(
        _records(root / DOCUMENTS_FILE, "document", report, offsets), versions, report)]
    entity_ids: set[str] = set()
    for _, entity in _records(root / ENTITIES_FILE, "entity", report):  # versions: ids repeat
        entity_ids.add(entity["id"])
        entity_ids.update(entity.get("merged_ids", []))
    report.documents = len(versions.current)
    report.superseded = len(documents) - len(versions.current)
    texts = _Texts(root / DOCUMENTS_FILE, offsets)
    try:
        _check_claims(root, report, versions, documents, texts, entity_ids)
    finally:
        texts.close()
    return report


def _slim(record: dict[str, Any]) -> dict[str, Any]:
    """What check keeps of a document line (never its text)."""
    return {"id": record["id"], "path": record.get("path"),
            "claim_count": record.get("claim_count"),
            "pipeline": {"fingerprint": record_fingerprint(record)}}


def _check_claims(root: Path, report: CheckReport, versions: Versions,
                  documents: list[tuple[int, dict[str, Any], int]], texts: _Texts,
                  entity_ids: set[str]) -> None:
    """Stream the claims: each against its document's text, then the documents' counts."""
    intact: Counter[tuple[str, str | None]] = Counter()  # per (document, pipeline)
    broken: set[str] = set()
    orphans: list[str] = []  # claims without their document since the last committed claim
    claims = _records(root / CLAIMS_FILE, "claim", report)  # streamed: claims are many
    repeated = _repeated_claim_ids(root)
    for number, claim in _first_of_each_id(CLAIMS_FILE, claims, report, counted=True,
                                           repeated=repeated):
        doc_id = claim["evidence"]["doc_id"]
        where = f"{CLAIMS_FILE}:{number}: claim {claim['id']}"
        text = texts.get(doc_id)
        if text is None:
            orphans.append(f"{where}: document {doc_id} is not in the store")
            continue
        report.problems.extend(orphans)  # a committed claim follows them: they are damage
        orphans.clear()
        faults = _claim_faults(claim, text, entity_ids)
        report.problems.extend(f"{where}: {fault}" for fault in faults)
        if faults:
            broken.add(doc_id)
            report.set_aside(CLAIMS_FILE, number)
        else:
            intact[doc_id, claim_fingerprint(claim)] += 1
        report.claims -= not versions.is_current_claim(claim)
    # the last batch was cut off before the document lines that commit it: readers skip these
    # claims and the next extract over the same files completes them
    report.uncommitted = len(orphans)
    for number, document, position in documents:
        if versions.current.get(document["id"], {}).get("_line") != position:
            continue  # an earlier version or pipeline: readers do not use its claims
        stated = document.get("claim_count")
        found = intact[document["id"], record_fingerprint(document)]
        if document["id"] in broken or (stated is not None and found < stated):
            report.incomplete[document["id"]] = (stated, found)
            of = f" of its {stated}" if stated is not None else ""
            report.problems.append(
                f"{DOCUMENTS_FILE}:{number}: document {document['id'][:12]} ({document['path']}) "
                f"has {found}{of} claims intact (`newsclaims extract --repair` restores them)")


def _new_versions(records: Iterable[tuple[int, dict[str, Any]]], versions: Versions,
                  report: CheckReport) -> Iterator[tuple[int, dict[str, Any], int]]:
    """(line number, record, position in ``versions``) of the document lines that add a
    version: a new text of an article, a new pipeline's processing, or an earlier text made
    current again. A line repeating a current text and its pipeline is a copy no writer
    makes: set aside and reported per id."""
    copies: Counter[str] = Counter()
    for number, record in records:
        key = record_source_key(record)
        if versions.decide(record["id"], key, record_fingerprint(record)) == UNCHANGED:
            copies[record["id"]] += 1
            report.set_aside(DOCUMENTS_FILE, number)
            continue
        versions.add({"id": record["id"], "source_key": key,  # no text: check holds no store
                      "pipeline": {"fingerprint": record_fingerprint(record)}})
        yield number, record, versions.count
    for record_id, count in copies.items():
        report.problems.append(f"{DOCUMENTS_FILE}: id {record_id} appears {count + 1} times")


def _first_of_each_id(name: str, records: Iterable[tuple[int, dict[str, Any]]],
                      report: CheckReport, *, counted: bool = False,
                      repeated: set[str] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """The first record of each id, streamed; later copies are set aside and reported once per
    id at the end. With ``counted``, records are counted in ``report.claims``. ``repeated``
    (the ids the index holds more than once) limits which ids are remembered."""
    seen: set[str] = set()
    copies: Counter[str] = Counter()
    for number, record in records:
        if counted:
            report.claims += 1
        if record["id"] in seen:
            copies[record["id"]] += 1
            report.set_aside(name, number)
        else:
            if repeated is None or record["id"] in repeated:
                seen.add(record["id"])
            yield number, record
    for record_id, count in copies.items():
        report.problems.append(f"{name}: id {record_id} appears {count + 1} times")


def _claim_faults(claim: dict[str, Any], text: str, entity_ids: set[str]) -> list[str]:
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
        if ref and ref not in entity_ids:
            faults.append(f"entity {ref} is not in {ENTITIES_FILE}")
    return faults
