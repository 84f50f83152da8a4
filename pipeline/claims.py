"""Claim and document records: plain dataclasses with ``to_dict``/``from_dict``.

Every claim carries its evidence (document id, character offsets into the document's text, the
sentence) and its provenance (stage, rule id, model and version, score), like presidio's
``RecognizerResult``. Type-specific fields (``label``/``text`` for entities; actor, value, role...
for later claim types) live in ``fields`` and are written at the top level of the record.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

CLAIM_BASE_KEYS = ("id", "type", "evidence", "provenance")


def stable_id(*parts: object) -> str:
    """A short, stable SHA-256 id of the parts: the same input always gives the same id."""
    joined = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Evidence:
    """Where a claim is stated: ``text[start:end]`` of document ``doc_id`` is ``text``."""

    doc_id: str
    start: int
    end: int
    text: str
    sentence: str
    sentence_start: int

    def to_dict(self) -> dict[str, Any]:
        # by hand, in field order: ``asdict`` deep-copies and costs ~10x on every claim written
        return {"doc_id": self.doc_id, "start": self.start, "end": self.end, "text": self.text,
                "sentence": self.sentence, "sentence_start": self.sentence_start}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Provenance:
    """Which stage and which rule or model produced a claim, and how sure it is."""

    stage: str
    rule: str | None
    model: str
    model_version: str
    score: float | None
    # the pipeline fingerprint (see ``DocumentRecord.pipeline``); None: made before fingerprints
    fingerprint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        record = {"stage": self.stage, "rule": self.rule, "model": self.model,
                  "model_version": self.model_version, "score": self.score}  # field order
        if self.fingerprint is not None:
            record["fingerprint"] = self.fingerprint
        return record

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Claim:
    """One statement extracted from one place in one document."""

    id: str
    type: str
    evidence: Evidence
    provenance: Provenance
    fields: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, **self.fields,
                "evidence": self.evidence.to_dict(), "provenance": self.provenance.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        return cls(
            id=data["id"],
            type=data["type"],
            evidence=Evidence.from_dict(data["evidence"]),
            provenance=Provenance.from_dict(data["provenance"]),
            fields={k: v for k, v in data.items() if k not in CLAIM_BASE_KEYS},
        )


def claim_scope(doc_id: str, fingerprint: str | None) -> str:
    """What claim ids hash besides the place: the document, and the pipeline that read it
    (so a re-processing with another pipeline gives new claims, not copies of old ids)."""
    return doc_id if fingerprint is None else f"{doc_id}/{fingerprint}"


def entity_claim(*, label: str, evidence: Evidence, provenance: Provenance) -> Claim:
    """An entity mention claim; its id hashes document, pipeline, type, label and span."""
    claim_id = stable_id(claim_scope(evidence.doc_id, provenance.fingerprint), "entity", label,
                         evidence.start, evidence.end)
    return Claim(id=claim_id, type="entity", evidence=evidence, provenance=provenance,
                 fields={"label": label, "text": evidence.text})


@dataclass(frozen=True)
class DocumentRecord:
    """One version of one document, as one pipeline read it: id is the SHA-256 of its text.

    ``source_key`` names the article (URL, else path): a later record with the same key and
    another id supersedes this version (``supersedes`` names the id it replaced); a later record
    with the same id and another ``pipeline["fingerprint"]`` supersedes this processing."""

    id: str
    path: str
    source: dict[str, Any]
    pipeline: dict[str, Any]
    processed_at: str
    text: str
    # How many claims of this document its batch left in claims.jsonl (None: an older record);
    # ``check`` compares it with the claims it finds, ``extract --repair`` restores the rest.
    claim_count: int | None = None
    source_key: str | None = None
    supersedes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        for optional in ("claim_count", "source_key", "supersedes"):
            if record[optional] is None:
                del record[optional]
        return record

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentRecord:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


ENTITY_LABELS = ("ORG", "PERSON", "PERCENT")
# doc.spans keys where the claim stages leave their claims (see claim_spans.py).
CLAIM_KEYS = ("directives", "percentages", "roles")


def _norm(value: Any) -> str:
    """Text of a slot, folded for comparison: mention → its entity id, else its words."""
    if isinstance(value, dict):
        return value.get("entity_id") or " ".join(str(value.get("text", "")).split()).casefold()
    if value is None:
        return ""
    return " ".join(str(value).split()).casefold()


def claim_key(record: dict[str, Any]) -> str:
    """The key shared by the same claim from any source: type, resolved entities and
    normalised content, without the document or the offsets."""
    kind = record["type"]
    if kind == "entity":
        parts = [record.get("entity_id") or f"{record.get('label')}:{_norm(record.get('text'))}"]
    elif kind == "directive":
        targets = sorted(_norm(t) for t in record.get("targets") or [])
        parts = [_norm(record.get("actor")), *targets, record.get("action"),
                 _norm(record.get("from")), _norm(record.get("to"))]
    elif kind == "percentage":
        parts = [_norm(record.get("subject")), _norm(record.get("metric")), record.get("value"),
                 record.get("qualifier"), _norm(record.get("when"))]
    elif kind == "role":
        parts = [_norm(record.get("person")), _norm(record.get("role")), _norm(record.get("org"))]
    else:
        parts = [_norm(record.get("evidence", {}).get("text"))]
    return stable_id(kind, *parts)
