"""End to end (issue 12): claims are dated by their document's published date, entities' first
and last sightings are the earliest and latest published dates of the documents naming them,
whatever order the documents are processed in, and undated documents date nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import extract
from pipeline.store.check import check_store
from pipeline.store.queries import load_view
from tests.test_linking import FIRST, SECOND

pytestmark = pytest.mark.integration
UNDATED = ("Quillon Looms names a new chief\n\n"
           "Quillon Looms said Ada Brereton would become its chief executive in May.\n")


def _article(folder: Path, name: str, text: str, **meta: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    with (folder / "sources.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"file": name, "publisher": name, **meta}) + "\n")


def _records(store: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (store / name).read_text("utf-8").splitlines()]


@pytest.fixture
def reverse_order_store(nlp, tmp_path: Path) -> Path:
    """The later article first, then the earlier one, then an undated one."""
    store = tmp_path / "store"
    _article(tmp_path / "later", "tencent2.txt", SECOND, published="2023-09-10T08:00:00+08:00")
    _article(tmp_path / "earlier", "tencent1.txt", FIRST, published="Mon, 14 Mar 2022 10:00:00 GMT")
    _article(tmp_path / "undated", "quillon.txt", UNDATED)
    for folder in ("later", "earlier", "undated"):
        extract([tmp_path / folder], store, nlp_factory=lambda m: nlp)
    return store


def test_claims_carry_their_documents_published_date(reverse_order_store: Path) -> None:
    store = reverse_order_store
    documents = {d["id"]: d for d in _records(store, "documents.jsonl")}
    published = {d["path"]: d["source"].get("published") for d in documents.values()}
    assert published == {"tencent2.txt": "2023-09-10T08:00:00+08:00",
                         "tencent1.txt": "2022-03-14T10:00:00+00:00", "quillon.txt": None}
    claims = _records(store, "claims.jsonl")
    assert claims and all("date" in c for c in claims)
    for claim in claims:
        document = documents[claim["evidence"]["doc_id"]]
        assert claim["date"] == document["source"].get("published")
        assert claim["date"] != document["processed_at"]
    assert check_store(store).problems == []


def test_entities_first_and_last_seen_are_published_dates(reverse_order_store: Path) -> None:
    entities = load_view(reverse_order_store).entities.values()
    (pony,) = [e for e in entities if e["name"] == "Pony Ma"]
    assert len(pony["documents"]) == 2
    assert (pony["first_seen"], pony["last_seen"]) == ("2022-03-14T10:00:00+00:00",
                                                       "2023-09-10T08:00:00+08:00")
    undated = [e for e in entities if "Quillon" in e["name"] or "Brereton" in e["name"]]
    assert undated and all(e["first_seen"] is None and e["last_seen"] is None for e in undated)
