"""A batch is written whole or not at all: a failed write leaves the files as before the batch,
nothing is appended from a cleanup path, and a re-run equals a clean run (issue 11, cause 1)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import pipeline.store.claim_store as claim_store
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE, ClaimStore, StoreWriteError
from tests.store.test_store import CLAIMS_A, CLAIMS_B, DOC_A, DOC_B, make_document

FILES = (CLAIMS_FILE, ENTITIES_FILE, DOCUMENTS_FILE)
ENTITY = {"id": "ent_1", "label": "ORG", "name": "Tencent", "aliases": ["Tencent"]}


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {name: (root / name).read_bytes() if (root / name).exists() else None for name in FILES}


def first_batch(root: Path) -> None:
    with ClaimStore(root).writer() as writer:
        writer.add(DOC_A, CLAIMS_A)
        writer.flush()


def second_batch(writer: claim_store.StoreWriter) -> None:
    writer.add(DOC_B, CLAIMS_B)
    writer.add_entities([ENTITY])
    writer.flush()


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EIO])
@pytest.mark.parametrize("failing_append", [1, 2, 3])   # claims, entities, documents
@pytest.mark.parametrize("partial", [False, True])      # the failing write got half its bytes out
def test_a_failed_append_leaves_the_files_as_before_the_batch(tmp_path, monkeypatch, error,
                                                              failing_append, partial):
    root = tmp_path / "store"
    first_batch(root)
    before = snapshot(root)
    real = claim_store._append_bytes
    calls = {"n": 0}

    def flaky(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == failing_append:
            if partial:
                with path.open("ab") as fh:
                    fh.write(data[: len(data) // 2])
            raise OSError(error, "injected", str(path))
        real(path, data)

    monkeypatch.setattr(claim_store, "_append_bytes", flaky)
    with pytest.raises(StoreWriteError) as caught:
        with ClaimStore(root).writer() as writer:
            second_batch(writer)
    assert "\n" not in str(caught.value)
    assert snapshot(root) == before, "the files must be byte-identical to before the batch"

    monkeypatch.setattr(claim_store, "_append_bytes", real)
    with ClaimStore(root).writer() as writer:  # the re-run
        second_batch(writer)
    clean = tmp_path / "clean"
    first_batch(clean)
    with ClaimStore(clean).writer() as writer:
        second_batch(writer)
    assert snapshot(root) == snapshot(clean)


def test_an_error_inside_the_writer_appends_nothing_from_cleanup(tmp_path):
    root = tmp_path / "store"
    first_batch(root)
    before = snapshot(root)
    with pytest.raises(RuntimeError):
        with ClaimStore(root).writer() as writer:
            writer.add(DOC_B, CLAIMS_B)
            raise RuntimeError("the run broke before its flush")
    assert snapshot(root) == before


def test_a_record_that_cannot_be_encoded_writes_nothing(tmp_path):
    root = tmp_path / "store"
    first_batch(root)
    before = snapshot(root)
    bad = make_document("Ada Brenner joined Norvale.", "c.txt")
    bad = claim_store.DocumentRecord(**{**bad.to_dict(), "source": {"title": "caf\udce9"}})
    with pytest.raises(StoreWriteError):
        with ClaimStore(root).writer() as writer:
            writer.add(DOC_B, CLAIMS_B)
            writer.add(bad, [])
            writer.flush()
    assert snapshot(root) == before


@pytest.mark.integration
def test_an_input_that_cannot_be_stored_is_one_bad_file(nlp, tmp_path):
    """A lone surrogate in JSON metadata or a file name that is not UTF-8 fails that file alone,
    in one line; the others are stored once, and a re-run adds nothing."""
    from pipeline.extract import extract
    from pipeline.store.check import check_store

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Norvale Foods said it would buy Kestrel Mills.\n", encoding="utf-8")
    (corpus / "feed.jsonl").write_text(
        '{"text": "Ada Brenner joined Halvard.", "title": "bad \\ud83d title"}\n'
        '{"text": "Halvard shares rose 4% on Monday."}\n', encoding="utf-8")
    (corpus / "caf\udce9.txt").write_bytes(b"Brenner Group cut 200 jobs.\n")
    store = tmp_path / "store"
    summary = extract([corpus], store, nlp_factory=lambda model: nlp)
    assert summary.failed == 2, summary.errors
    assert all("\n" not in e and "UTF-8" in e for e in summary.errors)
    assert summary.documents_new == 2
    assert check_store(store).ok
    again = extract([corpus], store, nlp_factory=lambda model: nlp)
    assert again.documents_new == 0 and again.failed == 2
    assert len(ClaimStore(store).document_ids()) == 2
