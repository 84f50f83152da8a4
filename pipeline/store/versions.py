"""Versions of an article and of its processing: which records of the store are current.

A document is known by the SHA-256 of its text, an article by its source key (its URL, else its
path relative to the corpus root). The store is append-only, so change is written as new lines:

* a later document line with the same source key and another text supersedes the earlier
  version of the article (a corrected typo gives a new version, not a second article);
* a later document line for the same text made by another pipeline (another fingerprint)
  supersedes the earlier processing; its claims carry that fingerprint.

Every reader keeps the current records only: per source key its last document line, and of
that document the claims its pipeline made. Old lines stay in the files for ``history``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# what ``Versions.decide`` says about an input document
NEW = "new"  # no version of this article is stored
UNCHANGED = "unchanged"  # its text is current and was made by this pipeline
CHANGED_PIPELINE = "changed pipeline"  # its text is current, made by another pipeline
NEW_VERSION = "new version"  # another text of the same article is current


def source_key(metadata: dict[str, Any] | None, path: str) -> str:
    """The article a document is a version of: its URL, else its path."""
    url = (metadata or {}).get("url")
    return url if isinstance(url, str) and url.strip() else path


def record_source_key(record: dict[str, Any]) -> str:
    """The source key of a stored document record (older records do not state it)."""
    key = record.get("source_key")
    if isinstance(key, str) and key:
        return key
    return source_key(record.get("source") if isinstance(record.get("source"), dict) else None,
                      str(record.get("path") or record.get("id")))


def record_fingerprint(record: dict[str, Any]) -> str | None:
    """The pipeline fingerprint of a document record (None: written before fingerprints)."""
    pipeline = record.get("pipeline")
    value = pipeline.get("fingerprint") if isinstance(pipeline, dict) else None
    return value if isinstance(value, str) else None


def claim_fingerprint(claim: dict[str, Any]) -> str | None:
    """The fingerprint of the pipeline that made a claim (None: made before fingerprints)."""
    provenance = claim.get("provenance")
    value = provenance.get("fingerprint") if isinstance(provenance, dict) else None
    return value if isinstance(value, str) else None


@dataclass
class Versions:
    """The document lines of a store, in file order, reduced to what is current."""

    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # source key -> last line
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    ids: set[str] = field(default_factory=set)  # every stored text
    count: int = 0  # lines taken
    _current: dict[str, dict[str, Any]] | None = None

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> Versions:
        """Versions from document records in file order (each gets its position as ``_line``)."""
        versions = cls()
        for record in records:
            versions.add(record)
        return versions

    def add(self, record: dict[str, Any]) -> None:
        """Take one more document line (its text is not kept)."""
        self.count += 1
        self.ids.add(record["id"])
        record = {**{k: v for k, v in record.items() if k != "text"}, "_line": self.count}
        key = record_source_key(record)
        self.latest[key] = record
        self.lines[key].append(record)
        self._current = None

    @property
    def current(self) -> dict[str, dict[str, Any]]:
        """Document id -> its current record (the latest current line of that text)."""
        if self._current is None:
            order = sorted(self.latest.values(), key=lambda r: r["_line"])
            self._current = {r["id"]: r for r in order}
        return self._current

    def current_fingerprint(self, doc_id: str) -> str | None:
        return record_fingerprint(self.current[doc_id])

    def is_current_claim(self, claim: dict[str, Any]) -> bool:
        """Whether a claim belongs to the current processing of a current document."""
        evidence = claim.get("evidence")
        doc_id = evidence.get("doc_id") if isinstance(evidence, dict) else None
        record = self.current.get(doc_id) if isinstance(doc_id, str) else None
        return record is not None and claim_fingerprint(claim) == record_fingerprint(record)

    def holds(self, claim: dict[str, Any]) -> bool:
        """Whether a claim's document is stored at all (current or not)."""
        evidence = claim.get("evidence")
        return isinstance(evidence, dict) and evidence.get("doc_id") in self.ids

    def decide(self, doc_id: str, key: str, fingerprint: str | None) -> str:
        """What to do with an input document: NEW, UNCHANGED, CHANGED_PIPELINE or NEW_VERSION."""
        if doc_id in self.current:
            return UNCHANGED if self.current_fingerprint(doc_id) == fingerprint else CHANGED_PIPELINE
        return NEW_VERSION if key in self.latest else NEW

    def superseded_by(self, doc_id: str, key: str) -> str | None:
        """The id of the version a new document of ``key`` replaces (None: the first one)."""
        record = self.latest.get(key)
        return record["id"] if record is not None and record["id"] != doc_id else None

    def history(self, wanted: str) -> list[dict[str, Any]]:
        """Every document line of one article, oldest first; ``wanted`` is its source key, URL
        or path (a path matches the lines stored under it)."""
        found = list(self.lines.get(wanted, []))
        if not found:
            found = [r for lines in self.lines.values() for r in lines
                     if wanted in (r.get("path"), (r.get("source") or {}).get("url"))]
        return sorted(found, key=lambda r: r["_line"])


def current_entities(entities: dict[str, dict[str, Any]], mentions: Iterable[dict[str, Any]],
                     dates: dict[str, str | None]) -> dict[str, dict[str, Any]]:
    """Entity records as the current versions show them. ``mentions`` are the store's entity
    claims, each with ``current`` (see ``Versions.is_current_claim``) and its entity id
    redirected to the surviving record; ``dates`` maps a document id to its published date.

    A record no superseded claim mentions is returned as stored. A record a superseded claim
    mentions is recounted from the current claims: mention count, documents, first/last seen
    (from published dates, when any), and it loses the aliases only superseded claims use; a
    record no current claim mentions is left out."""
    current: dict[str, list[tuple[str, str]]] = defaultdict(list)
    stale: dict[str, set[str]] = defaultdict(set)
    for claim in mentions:
        entity_id = claim.get("entity_id")
        if claim.get("type") != "entity" or entity_id not in entities:
            continue
        evidence = claim.get("evidence") or {}
        if claim.get("current"):
            current[entity_id].append((evidence.get("doc_id"), evidence.get("text") or ""))
        else:
            stale[entity_id].add(evidence.get("text") or "")
    result: dict[str, dict[str, Any]] = {}
    for entity_id, stored in entities.items():
        if entity_id not in stale:
            result[entity_id] = stored
            continue
        found = current.get(entity_id)
        if not found:
            continue  # only superseded versions mention it
        record = dict(stored)
        documents = sorted({d for d, _ in found if d})
        surfaces = {t for _, t in found if t}
        gone = stale[entity_id] - surfaces
        record.update(mention_count=len(found), documents=documents,
                      aliases=[a for a in stored.get("aliases") or [] if a not in gone])
        seen = sorted(d for d in (dates.get(doc) for doc in documents) if d)
        if seen:
            record.update(first_seen=seen[0], last_seen=seen[-1])
        if record.get("name") in gone:  # named after a superseded spelling
            record["name"] = max(surfaces, key=lambda a: (len(a.split()), len(a), a))
        result[entity_id] = record
    return result
