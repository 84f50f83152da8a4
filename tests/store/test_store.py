"""Tests for pipeline.store: appending, de-duplication, torn-line repair, locking, encoding."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.claims import Claim, DocumentRecord, Evidence, Provenance, entity_claim
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE, ClaimStore, StoreLocked

PROV = Provenance(stage="ner", rule=None, model="blank_en", model_version="0.0", score=None)


def make_document(text: str, path: str = "a.txt") -> DocumentRecord:
    return DocumentRecord(id=hashlib.sha256(text.encode("utf-8")).hexdigest(), path=path,
                          source={"path": path}, pipeline={"name": "test"},
                          processed_at="2024-01-01T00:00:00+00:00", text=text)


def make_claims(doc: DocumentRecord, spans: list[tuple[str, str]]) -> list[Claim]:
    """Entity claims for (surface, label) pairs found in the document's text."""
    claims = []
    for surface, label in spans:
        start = doc.text.index(surface)
        ev = Evidence(doc_id=doc.id, start=start, end=start + len(surface), text=surface,
                      sentence=doc.text, sentence_start=0)
        claims.append(entity_claim(label=label, evidence=ev, provenance=PROV))
    return claims


DOC_A = make_document("Alibaba named Trudy Dai Shan head of Taobao.", "a.txt")
CLAIMS_A = make_claims(DOC_A, [("Alibaba", "ORG"), ("Trudy Dai Shan", "PERSON"),
                               ("Taobao", "ORG")])
DOC_B = make_document("Tencent shares rose 5% on Tuesday.", "b.txt")
CLAIMS_B = make_claims(DOC_B, [("Tencent", "ORG"), ("5%", "PERCENT")])


def lines(path: Path) -> list[str]:
    """The file's lines, split on "\n" only (JSON text may hold other line separators)."""
    if not path.exists():
        return []
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_empty_store_reads_nothing(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path / "missing")
    assert store.document_ids() == set()
    assert store.claim_ids() == set()
    assert list(store.iter_documents()) == []
    assert list(store.iter_claims()) == []


def test_writer_round_trip(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path / "out")
    with store.writer() as writer:
        assert writer.add(DOC_A, CLAIMS_A) == len(CLAIMS_A)
        assert writer.add(DOC_B, CLAIMS_B) == len(CLAIMS_B)
    # each document record states how many claims its batch wrote (issue 11, cause 4) and the
    # article it is a version of (issue 12)
    assert list(store.iter_documents()) == [
        replace(DOC_A, claim_count=len(CLAIMS_A), source_key=DOC_A.path),
        replace(DOC_B, claim_count=len(CLAIMS_B), source_key=DOC_B.path)]
    assert list(store.iter_claims()) == CLAIMS_A + CLAIMS_B
    assert store.document_ids() == {DOC_A.id, DOC_B.id}
    assert store.claim_ids() == {c.id for c in CLAIMS_A + CLAIMS_B}
    assert len(lines(store.documents_path)) == 2
    assert len(lines(store.claims_path)) == len(CLAIMS_A) + len(CLAIMS_B)


def test_store_files_are_in_the_root(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    assert (tmp_path / DOCUMENTS_FILE).is_file()
    assert (tmp_path / CLAIMS_FILE).is_file()


def test_data_is_on_disk_when_the_writer_exits(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    # Read the raw files, independent of the store's readers.
    docs = [json.loads(line) for line in lines(tmp_path / DOCUMENTS_FILE)]
    claims = [json.loads(line) for line in lines(tmp_path / CLAIMS_FILE)]
    assert [d["id"] for d in docs] == [DOC_A.id]
    assert [c["id"] for c in claims] == [c.id for c in CLAIMS_A]
    assert (tmp_path / CLAIMS_FILE).read_bytes().endswith(b"\n")
    assert (tmp_path / DOCUMENTS_FILE).read_bytes().endswith(b"\n")


def test_same_document_in_the_same_writer_is_added_once(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        assert writer.add(DOC_A, CLAIMS_A) == len(CLAIMS_A)
        assert writer.add(DOC_A, CLAIMS_A) == 0
    assert len(lines(store.documents_path)) == 1
    assert len(lines(store.claims_path)) == len(CLAIMS_A)


def test_same_document_again_adds_nothing(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    sizes = (store.documents_path.stat().st_size, store.claims_path.stat().st_size)
    with store.writer() as writer:
        assert writer.add(DOC_A, CLAIMS_A) == 0
    assert (store.documents_path.stat().st_size, store.claims_path.stat().st_size) == sizes
    assert [d.id for d in store.iter_documents()] == [DOC_A.id]


def test_known_document_is_skipped_even_with_new_claims(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A[:1])
    with store.writer() as writer:
        assert writer.add(DOC_A, CLAIMS_A) == 0
    assert list(store.iter_claims()) == CLAIMS_A[:1]


def test_stored_claim_is_not_written_again_under_a_new_document(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    shared = CLAIMS_A[0]
    with store.writer() as writer:
        assert writer.add(DOC_B, [shared, *CLAIMS_B]) == len(CLAIMS_B)
    ids = [c.id for c in store.iter_claims()]
    assert ids.count(shared.id) == 1
    assert ids == [c.id for c in CLAIMS_A + CLAIMS_B]
    assert store.document_ids() == {DOC_A.id, DOC_B.id}


def test_duplicate_claims_within_one_writer(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        assert writer.add(DOC_A, [CLAIMS_A[0], CLAIMS_A[0]]) == 1
        assert writer.add(DOC_B, [CLAIMS_A[0], CLAIMS_B[0]]) == 1
    assert [c.id for c in store.iter_claims()] == [CLAIMS_A[0].id, CLAIMS_B[0].id]


def test_torn_last_line_is_moved_aside(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    good = store.claims_path.read_bytes()
    torn = b'{"id": "abc", "ty'
    with store.claims_path.open("ab") as fh:
        fh.write(torn)

    with store.writer() as writer:
        writer.add(DOC_B, CLAIMS_B)

    aside = tmp_path / (CLAIMS_FILE + ".torn")
    assert aside.is_file()
    assert torn in aside.read_bytes()
    data = store.claims_path.read_bytes()
    assert data.startswith(good)  # earlier records are kept, byte for byte
    assert torn not in data
    # Every line now parses strictly, and the new claims follow the old ones.
    records = [json.loads(line) for line in lines(store.claims_path)]
    assert [r["id"] for r in records] == [c.id for c in CLAIMS_A + CLAIMS_B]
    assert "abc" not in store.claim_ids()
    assert list(store.iter_claims()) == CLAIMS_A + CLAIMS_B
    assert [d.id for d in store.iter_documents()] == [DOC_A.id, DOC_B.id]


def test_torn_only_line_is_moved_aside(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    torn = b'{"id": "abc", "ty'
    store.claims_path.write_bytes(torn)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    assert torn in (tmp_path / (CLAIMS_FILE + ".torn")).read_bytes()
    assert list(store.iter_claims()) == CLAIMS_A


def test_intact_store_is_not_touched_on_open(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    before = store.claims_path.read_bytes()
    with store.writer():
        pass
    assert store.claims_path.read_bytes() == before
    assert not (tmp_path / (CLAIMS_FILE + ".torn")).exists()


def test_second_writer_is_refused_while_locked(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with ClaimStore(root).writer() as writer:
        with pytest.raises(StoreLocked) as info:
            with ClaimStore(root).writer(lock_timeout=0.1):
                pass  # pragma: no cover
        assert str(root) in str(info.value)
        writer.add(DOC_A, CLAIMS_A)
    # The first writer's data is intact, and the lock is free again.
    assert ClaimStore(root).document_ids() == {DOC_A.id}
    with ClaimStore(root).writer(lock_timeout=0.1) as writer:
        assert writer.add(DOC_B, CLAIMS_B) == len(CLAIMS_B)


def test_non_ascii_text_is_written_as_utf8(tmp_path: Path) -> None:
    text = "阿里巴巴任命戴珊 🚀 为淘宝负责人。Émile’s “quote”."
    doc = make_document(text)
    claims = make_claims(doc, [("戴珊", "PERSON"), ("阿里巴巴", "ORG"), ("🚀", "ORG")])
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(doc, claims)
    raw_docs = store.documents_path.read_bytes()
    raw_claims = store.claims_path.read_bytes()
    for piece in ("阿里巴巴", "戴珊", "🚀", "Émile’s"):
        assert piece.encode("utf-8") in raw_docs
    assert "戴珊".encode() in raw_claims
    assert [d.id for d in store.iter_documents()] == [doc.id]
    assert list(store.iter_claims()) == claims


@pytest.mark.parametrize("text", [
    'He said "we will restructure" and left.',
    "line one\nline two\r\nline three\rend",
    'tab\tback\\slash "{\\"id\\": \\"fake\\"}"',
    "{\"id\": \"0123abcd\"}\n{\"id\": \"feedbeef\"}",
    "separators\u2028in\u2029unicode\x85text",
])
def test_document_ids_with_awkward_text(tmp_path: Path, text: str) -> None:
    doc = make_document(text)
    other = make_document("plain text", "b.txt")  # another article: no version of a.txt
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(doc, [])
        writer.add(other, [])
    assert store.document_ids() == {doc.id, other.id}
    assert [d.id for d in store.iter_documents()] == [doc.id, other.id]
    with store.writer() as writer:
        assert writer.add(doc, []) == 0
    assert len(list(store.iter_documents())) == 2


def test_document_without_claims_is_stored(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        assert writer.add(DOC_A, []) == 0
    assert store.document_ids() == {DOC_A.id}
    assert not store.claims_path.exists() or store.claims_path.read_bytes() == b""


def torn_document_line(doc: DocumentRecord) -> bytes:
    """The first bytes of ``doc``'s line, as left by a process killed while writing it."""
    return json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8")[:90]


def test_writer_re_adds_a_document_whose_line_was_torn(tmp_path: Path) -> None:
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    with store.documents_path.open("ab") as fh:
        fh.write(torn_document_line(DOC_B))
    with store.writer() as writer:
        assert writer.add(DOC_B, CLAIMS_B) == len(CLAIMS_B)
    assert [d.id for d in store.iter_documents()] == [DOC_A.id, DOC_B.id]
    assert (tmp_path / (DOCUMENTS_FILE + ".torn")).is_file()


def test_document_ids_ignore_a_torn_last_line(tmp_path: Path) -> None:
    # Regression: the fast id scan once matched the id at the start of a torn last line, so
    # extract() (which asks before a writer repairs the file) skipped that document for good.
    store = ClaimStore(tmp_path)
    with store.writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
    with store.documents_path.open("ab") as fh:
        fh.write(torn_document_line(DOC_B))
    assert store.document_ids() == {d.id for d in store.iter_documents()} == {DOC_A.id}
