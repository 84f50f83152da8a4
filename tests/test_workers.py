"""``extract --workers N`` (issue 13): a forked process pool returning plain records writes the
store a one-process run writes; a document failing in a worker, or a worker that dies, fails only
its own documents."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import pipeline.extract as extract_module
import pipeline.parallel as parallel
from pipeline.extract import extract

from .conftest import CORPUS

pytestmark = pytest.mark.integration

ARTICLES = [
    "Acme Holdings said revenue rose 12% in the third quarter. Chief executive Jane Porter said "
    "the company would expand in Asia.",
    "Jane Porter, chief executive of Acme Holdings, met regulators. Analysts at Northwind "
    "Capital expect margins to narrow by 2%.",
    "Northwind Capital cut its forecast for Globex Corporation. Globex chairman Tom Reyes said "
    "the company must cut costs by 15% next year.",
    "Regulators told Globex Corporation to sell its stake in Initech. Initech shares rose 8%.",
    "Initech hired Maria Lopez as finance director. She said Initech would buy back 5% of its "
    "shares.",
]


def _store(path: Path) -> dict[str, list[dict]]:
    """A store's records in file order; documents without their processing time."""
    def lines(name: str) -> list[dict]:
        file = path / name
        return [json.loads(x) for x in file.read_text(encoding="utf-8").splitlines()] \
            if file.exists() else []
    return {"documents": [{k: v for k, v in d.items() if k != "processed_at"}
                          for d in lines("documents.jsonl")],
            "claims": lines("claims.jsonl"), "entities": lines("entities.jsonl")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workers") / "corpus"
    shutil.copytree(CORPUS, root / "seed", ignore=shutil.ignore_patterns("gold"))
    for i, text in enumerate(ARTICLES):
        (root / f"made_{i}.txt").write_text(text + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def one_process(corpus, tmp_path_factory, nlp) -> dict[str, list[dict]]:
    store = tmp_path_factory.mktemp("one") / "store"
    summary = extract([corpus], store, nlp_factory=lambda model: nlp)
    assert summary.documents_new == 7 and summary.failed == 0
    return _store(store)


@pytest.fixture
def small_tasks(monkeypatch):
    """Tasks of 2 documents: several tasks in flight on both workers, results out of order."""
    monkeypatch.setattr(parallel, "TASK_SIZE", 2)


def test_two_workers_write_the_store_of_one_process(corpus, one_process, nlp, tmp_path,
                                                    small_tasks):
    summary = extract([corpus], tmp_path / "store", workers=2, nlp_factory=lambda model: nlp)
    assert summary.documents_new == 7 and summary.failed == 0 and summary.words > 0
    assert _store(tmp_path / "store") == one_process  # ids, entity ids, counts, order


def test_a_document_failing_in_a_worker_is_one_failed_document(corpus, one_process, nlp,
                                                               tmp_path, monkeypatch,
                                                               small_tasks):
    original = extract_module.doc_claims

    def poisoned(doc, doc_id, info):  # inherited by the forked workers
        if "Initech hired" in doc.text:
            raise RuntimeError("worker broke on purpose")
        return original(doc, doc_id, info)

    monkeypatch.setattr(extract_module, "doc_claims", poisoned)
    summary = extract([corpus], tmp_path / "store", workers=2, nlp_factory=lambda model: nlp)
    assert summary.failed == 1 and summary.documents_new == 6
    assert summary.errors[0].startswith("made_4.txt: RuntimeError: worker broke on purpose")
    stored = {d["path"] for d in _store(tmp_path / "store")["documents"]}
    assert "made_4.txt" not in stored and len(stored) == 6


def test_a_worker_that_dies_fails_only_its_task(corpus, nlp, tmp_path, monkeypatch, small_tasks):
    original = extract_module.doc_claims

    def killing(doc, doc_id, info):  # the worker process dies, as when killed or out of memory
        if "Tom Reyes" in doc.text:
            os._exit(9)
        return original(doc, doc_id, info)

    monkeypatch.setattr(extract_module, "doc_claims", killing)
    summary = extract([corpus], tmp_path / "store", workers=2, nlp_factory=lambda model: nlp)
    failed = sorted(e.split(":")[0] for e in summary.errors)
    assert summary.failed == 2 and "made_2.txt" in failed  # its task of 2 documents
    assert all("worker process died" in e and "\n" not in e for e in summary.errors)
    assert summary.documents_new == 5
    assert len(_store(tmp_path / "store")["documents"]) == 5
