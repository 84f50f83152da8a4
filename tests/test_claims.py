"""Tests for pipeline.claims: stable ids, entity claim ids and record round-trips."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace

import pytest

from pipeline.claims import (
    CLAIM_BASE_KEYS,
    Claim,
    DocumentRecord,
    Evidence,
    Provenance,
    entity_claim,
    stable_id,
)

HEX = re.compile(r"[0-9a-f]+")
TEXT = "Alibaba said Trudy Dai Shan will lead the new centres."
DOC_ID = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def evidence(**changes: object) -> Evidence:
    base = Evidence(doc_id=DOC_ID, start=0, end=7, text=TEXT[0:7], sentence=TEXT,
                    sentence_start=0)
    return replace(base, **changes)


def provenance(**changes: object) -> Provenance:
    base = Provenance(stage="ner", rule="gazetteer:alibaba", model="en_core_web_sm",
                      model_version="3.8.0", score=0.75)
    return replace(base, **changes)


def document(**changes: object) -> DocumentRecord:
    base = DocumentRecord(id=DOC_ID, path="corpus/a.txt",
                          source={"url": "https://example.com/a", "encoding": "utf-8"},
                          pipeline={"name": "newsclaims", "version": "0.1.0"},
                          processed_at="2024-05-01T12:00:00+00:00", text=TEXT)
    return replace(base, **changes)


# --- stable_id -------------------------------------------------------------------------------

def test_stable_id_is_deterministic() -> None:
    parts = ("doc", "entity", "ORG", 0, 7)
    assert stable_id(*parts) == stable_id(*parts)
    assert stable_id(*parts) == stable_id(*list(parts))


def test_stable_id_is_a_short_hex_string() -> None:
    # The store's fast id scan only recognises lowercase hex ids.
    ident = stable_id("doc", "entity", "ORG", 0, 7)
    assert HEX.fullmatch(ident)
    assert 0 < len(ident) <= 64


BASE_PARTS = ("doc", "entity", "ORG", 0, 7)


@pytest.mark.parametrize("index, value", [
    (0, "doc2"),
    (1, "relation"),
    (2, "PERSON"),
    (3, 1),
    (4, 8),
])
def test_stable_id_differs_when_any_part_differs(index: int, value: object) -> None:
    changed = list(BASE_PARTS)
    changed[index] = value
    assert stable_id(*changed) != stable_id(*BASE_PARTS)


@pytest.mark.parametrize("left, right", [
    (("ab", "c"), ("a", "bc")),          # the boundary between parts matters
    (("a",), ("a", "")),                 # so does the number of parts
    (("a", "b"), ("b", "a")),            # and their order
    ((1, 23), (12, 3)),
])
def test_stable_id_separates_parts(left: tuple, right: tuple) -> None:
    assert stable_id(*left) != stable_id(*right)


# --- entity_claim ----------------------------------------------------------------------------

def test_entity_claim_fields_and_type() -> None:
    ev = evidence()
    claim = entity_claim(label="ORG", evidence=ev, provenance=provenance())
    assert claim.type == "entity"
    assert claim.fields == {"label": "ORG", "text": ev.text}
    assert claim.evidence == ev
    assert claim.provenance == provenance()
    assert HEX.fullmatch(claim.id)


def test_entity_claim_id_is_deterministic() -> None:
    first = entity_claim(label="ORG", evidence=evidence(), provenance=provenance())
    second = entity_claim(label="ORG", evidence=evidence(), provenance=provenance())
    assert first.id == second.id


@pytest.mark.parametrize("label, changes", [
    ("ORG", {"doc_id": "0" * 64}),
    ("PERSON", {}),
    ("ORG", {"start": 1}),
    ("ORG", {"end": 8}),
    ("ORG", {"start": 13, "end": 27}),
])
def test_entity_claim_id_depends_on_doc_label_and_span(label: str, changes: dict) -> None:
    base = entity_claim(label="ORG", evidence=evidence(), provenance=provenance())
    other = entity_claim(label=label, evidence=evidence(**changes), provenance=provenance())
    assert other.id != base.id


@pytest.mark.parametrize("ev_changes, prov_changes", [
    ({"sentence": "Alibaba said so.", "sentence_start": 0}, {}),
    ({}, {"stage": "cleanup", "rule": None, "score": None}),
    ({}, {"model": "other_model", "model_version": "9.9"}),
])
def test_entity_claim_id_ignores_sentence_and_provenance(ev_changes: dict,
                                                        prov_changes: dict) -> None:
    base = entity_claim(label="ORG", evidence=evidence(), provenance=provenance())
    other = entity_claim(label="ORG", evidence=evidence(**ev_changes),
                         provenance=provenance(**prov_changes))
    assert other.id == base.id


# --- Claim records ---------------------------------------------------------------------------

def test_claim_to_dict_layout() -> None:
    ev, prov = evidence(), provenance()
    claim = entity_claim(label="ORG", evidence=ev, provenance=prov)
    data = claim.to_dict()
    assert set(CLAIM_BASE_KEYS) <= set(data)
    assert set(data) == {"id", "type", "evidence", "provenance", "label", "text"}
    assert data["id"] == claim.id
    assert data["type"] == "entity"
    assert data["label"] == "ORG"
    assert data["text"] == ev.text
    assert "fields" not in data
    assert data["evidence"] == {"doc_id": ev.doc_id, "start": ev.start, "end": ev.end,
                                "text": ev.text, "sentence": ev.sentence,
                                "sentence_start": ev.sentence_start}
    assert data["provenance"] == {"stage": prov.stage, "rule": prov.rule, "model": prov.model,
                                  "model_version": prov.model_version, "score": prov.score}


@pytest.mark.parametrize("claim", [
    entity_claim(label="ORG", evidence=evidence(), provenance=provenance()),
    entity_claim(label="PERSON", evidence=evidence(start=13, end=27, text=TEXT[13:27]),
                 provenance=provenance(rule=None, score=None)),
    Claim(id=stable_id("x", "percentage"), type="percentage", evidence=evidence(),
          provenance=provenance(),
          fields={"subject": "Taobao & Tmall", "value": 75.0, "qualifier": "more_than",
                  "targets": ["Taobao", "Tmall"], "when": None}),
    Claim(id=stable_id("y"), type="note", evidence=evidence(), provenance=provenance()),
])
def test_claim_round_trip(claim: Claim) -> None:
    assert Claim.from_dict(claim.to_dict()) == claim


def test_claim_round_trip_through_json() -> None:
    claim = entity_claim(label="PERSON", evidence=evidence(text="戴珊 🙂 “Dai”"),
                         provenance=provenance())
    encoded = json.dumps(claim.to_dict())
    assert Claim.from_dict(json.loads(encoded)) == claim


def test_claim_from_dict_collects_type_fields() -> None:
    data = entity_claim(label="ORG", evidence=evidence(), provenance=provenance()).to_dict()
    data["actor"] = "Alibaba"
    claim = Claim.from_dict(data)
    assert claim.fields == {"label": "ORG", "text": evidence().text, "actor": "Alibaba"}


def test_provenance_from_dict_fills_missing_optional_keys() -> None:
    data = provenance().to_dict()
    del data["rule"], data["score"]
    restored = Provenance.from_dict(data)
    assert restored.rule is None and restored.score is None
    assert restored.stage == provenance().stage


# --- Evidence, Provenance, DocumentRecord ----------------------------------------------------

@pytest.mark.parametrize("record", [
    evidence(),
    evidence(text="Trudy Dai Shan", start=13, end=27, sentence_start=5),
    provenance(),
    provenance(rule=None, score=None),
    document(),
    document(text="阿里巴巴 \"quoted\"\nnew line 🙂", source={}, pipeline={"stages": ["a", "b"]}),
    document(claim_count=4),
], ids=lambda r: type(r).__name__)
def test_record_round_trip(record: Evidence | Provenance | DocumentRecord) -> None:
    cls = type(record)
    data = record.to_dict()
    # optional fields left out when unset: older records, records of no other version
    unset = {f for f in ("claim_count", "source_key", "supersedes", "fingerprint")
             if f in cls.__dataclass_fields__ and getattr(record, f) is None}
    assert set(data) == set(cls.__dataclass_fields__) - unset
    assert cls.from_dict(data) == record
    assert cls.from_dict(json.loads(json.dumps(data))) == record


def test_document_to_dict_values() -> None:
    doc = document()
    data = doc.to_dict()
    assert data["id"] == doc.id
    assert data["text"] == TEXT
    assert data["source"] == {"url": "https://example.com/a", "encoding": "utf-8"}


@pytest.mark.parametrize("make", [
    lambda: entity_claim(label="ORG", evidence=evidence(), provenance=provenance()).to_dict(),
    lambda: evidence().to_dict(),
    lambda: provenance().to_dict(),
    lambda: document().to_dict(),
])
def test_to_dict_is_json_serialisable(make) -> None:
    data = make()
    assert json.loads(json.dumps(data)) == data


def test_evidence_and_provenance_records_are_their_fields_in_order() -> None:
    """The hand-written ``to_dict`` of the flat records equals ``dataclasses.asdict`` (the
    stored key order included), the fingerprint left out only when there is none."""
    from dataclasses import asdict, fields

    from pipeline.claims import Evidence, Provenance

    evidence = Evidence(doc_id="d", start=1, end=4, text="abc", sentence="xabc", sentence_start=0)
    assert list(evidence.to_dict().items()) == list(asdict(evidence).items())
    assert [f.name for f in fields(Evidence)] == list(evidence.to_dict())
    for fingerprint in ("fp", None):
        provenance = Provenance(stage="s", rule="r", model="m", model_version="1", score=0.5,
                                fingerprint=fingerprint)
        expected = {k: v for k, v in asdict(provenance).items()
                    if k != "fingerprint" or v is not None}
        assert list(provenance.to_dict().items()) == list(expected.items())
        assert Provenance.from_dict(provenance.to_dict()) == provenance
