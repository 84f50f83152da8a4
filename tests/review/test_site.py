"""The review site: what the filters select, safe names and links, the folder it replaces, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.review.errors import ReviewError
from pipeline.review.site import (
    MARKER,
    page_name,
    safe_url,
    select,
    slot_parts,
    write_review,
)
from pipeline.store.queries import StoreView

from .conftest import HOSTILE_FILE, stored_lines

runner = CliRunner()


@pytest.mark.parametrize(("identifier", "kept"), [
    ("ent_0fd3f7475448ed75bb6f", True),
    ("b11779c5e855341c7614985d97d29804ac32b9910b5a09399abd5bec96c31850", True),
    ("bbc-business-001.txt", True),
    ("../../etc/passwd", False),
    ("a/b", False),
    (".hidden", False),
    ("", False),
    ("x" * 200, False),
])
def test_page_names_keep_plain_ids_and_hash_the_rest(identifier, kept):
    name = page_name(identifier)
    assert (name == identifier) is kept
    assert "/" not in name and not name.startswith(".") and name


@pytest.mark.parametrize(("value", "expected"), [
    ("https://example.com/a?b=1", "https://example.com/a?b=1"),
    ("  HTTP://example.com ", "HTTP://example.com"),
    ("javascript:alert(1)", None),
    ("data:text/html,<script>", None),
    ("//example.com", None),
    (None, None),
    (5, None),
])
def test_only_http_links_are_kept(value, expected):
    assert safe_url(value) == expected


def _href(entity_id):
    return f"entities/{entity_id}.html" if entity_id == "ent_a" else None


@pytest.mark.parametrize(("claim", "slot", "expected"), [
    ({"actor": {"text": "Acme", "entity_id": "ent_a"}}, "actor", [("Acme", "entities/ent_a.html")]),
    ({"actor": {"text": "Acme", "entity_id": "ent_b"}}, "actor", [("Acme", None)]),
    ({"targets": [{"text": "X"}, {"text": "Y", "entity_id": "ent_a"}]}, "targets",
     [("X", None), ("Y", "entities/ent_a.html")]),
    ({"targets": ["Taobao", "Tmall"]}, "targets", [("Taobao", None), ("Tmall", None)]),
    ({"value": 76.0}, "value", [("76", None)]),
    ({"value": 2.5}, "value", [("2.5", None)]),
    ({"range": [10.0, 12.5]}, "range", [("10", None), ("12.5", None)]),
    ({"from": None}, "from", []),
    ({"metric": ""}, "metric", []),
    ({}, "cue", []),
    ({"entity_id": "ent_a"}, "entity", [("ent_a", "entities/ent_a.html")]),
])
def test_slot_parts(claim, slot, expected):
    assert [(p["text"], p["href"]) for p in slot_parts(claim, slot, _href)] == expected


def _claim(claim_id, kind, doc, *, entity_ids=(), date=None):
    claim = {"id": claim_id, "type": kind, "date": date,
             "evidence": {"doc_id": doc, "start": 0, "end": 1, "text": "x"}}
    if kind == "entity":
        claim["entity_id"] = entity_ids[0]
    else:
        claim["actor"] = [{"text": "n", "entity_id": e} for e in entity_ids][0] if entity_ids else None
    return claim


VIEW = StoreView(
    documents={d: {"id": d, "path": f"{d}.txt", "source": {}} for d in ("d1", "d2", "d3")},
    claims=[
        _claim("c1", "entity", "d1", entity_ids=["e_acme"], date="2024-01-01"),
        _claim("c2", "directive", "d1", entity_ids=["e_acme"], date="2024-01-01"),
        _claim("c3", "entity", "d2", entity_ids=["e_bolt"], date="2024-02-01"),
        _claim("c4", "role", "d2", entity_ids=["e_bolt"], date="2024-02-01"),
        _claim("c5", "percentage", "d3", date=None),
        _claim("c6", "entity", "dX", entity_ids=["e_acme"], date="2024-03-01"),  # no document
    ],
    entities={"e_acme": {"id": "e_acme", "name": "Acme Corp", "aliases": ["Acme"], "label": "ORG"},
              "e_bolt": {"id": "e_bolt", "name": "Bolt", "aliases": [], "label": "ORG"},
              "e_idle": {"id": "e_idle", "name": "Idle", "aliases": [], "label": "ORG"}},
)


@pytest.mark.parametrize(("filters", "documents", "listed", "entities"), [
    ({}, ["d1", "d2", "d3"], {"d1": ["c1", "c2"], "d2": ["c3", "c4"], "d3": ["c5"]},
     ["e_acme", "e_bolt"]),
    ({"claim_type": "role"}, ["d2"], {"d2": ["c4"]}, ["e_bolt"]),
    ({"entity": "acme"}, ["d1"], {"d1": ["c1", "c2"]}, ["e_acme"]),
    ({"entity": "nobody"}, [], {}, []),
    ({"since": "2024-01-15"}, ["d2"], {"d2": ["c3", "c4"]}, ["e_bolt"]),
    ({"since": "2024-01-15", "claim_type": "directive"}, [], {}, []),
])
def test_select(filters, documents, listed, entities):
    selection = select(VIEW, **filters)
    assert selection.documents == documents
    assert {d: [c["id"] for c in cs] for d, cs in selection.claims.items()} == listed
    assert selection.entities == entities
    assert all(c["type"] == "entity" for cs in selection.entity_claims.values() for c in cs)


@pytest.mark.parametrize("bad", [{"claim_type": "rumour"}, {"since": "yesterday"}])
def test_select_refuses_bad_filters(bad):
    with pytest.raises(ValueError):
        select(VIEW, **bad)


@pytest.mark.integration
def test_review_writes_a_page_per_document_and_entity_and_an_index(review_store, tmp_path):
    out = tmp_path / "review"
    summary = write_review(review_store, out)
    documents = [d for d in stored_lines(review_store, "documents.jsonl")]
    assert summary.documents == len(documents) == 3
    for document in documents:
        page = out / "documents" / f"{document['id']}.html"
        tree = html.fromstring(page.read_text(encoding="utf-8"))
        assert tree.xpath("//*[@id='view-claims']//*[contains(@class, 'spans')]")
        assert tree.xpath("//*[@id='view-entities']//mark")
    index = html.fromstring((out / "index.html").read_text(encoding="utf-8"))
    rows = {r.get("data-doc"): int(r.xpath(".//td[@data-field='claims']")[0].text)
            for r in index.xpath("//table[@id='documents']/tbody/tr")}
    claims = stored_lines(review_store, "claims.jsonl")
    assert rows == {d["id"]: sum(c["evidence"]["doc_id"] == d["id"] for c in claims) for d in documents}
    type_bars = {g.get("data-label"): int(g.get("data-count"))
                 for g in index.xpath("//*[@id='chart-types']//g")}
    assert type_bars == {t: sum(c["type"] == t for c in claims) for t in {c["type"] for c in claims}}
    days = {r.get("data-day") for r in index.xpath("//*[@id='chart-days']//rect")}
    assert days == {"2022-01-10", "2022-01-11", "2022-01-12"}
    entity_pages = list((out / "entities").glob("*.html"))
    assert len(entity_pages) == summary.entities > 0
    assert (out / MARKER).exists()


@pytest.mark.integration
def test_entity_pages_list_documents_newest_first_with_links(review_store, tmp_path):
    out = tmp_path / "review"
    write_review(review_store, out, entity="Alibaba")
    pages = list((out / "entities").glob("*.html"))
    assert pages
    documents = {d["id"]: d for d in stored_lines(review_store, "documents.jsonl")}
    for page in pages:
        tree = html.fromstring(page.read_text(encoding="utf-8"))
        listed = [li.get("data-doc") for li in tree.xpath("//ol[@id='entity-documents']/li")]
        dates = [documents[d]["source"].get("published") for d in listed]
        assert dates == sorted(dates, reverse=True)
        for link in tree.xpath("//ol[@id='entity-documents']//a/@href"):
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.exists(), link
    assert not (out / "documents" / f"{_hostile_id(review_store)}.html").exists()  # not about Alibaba


def _hostile_id(store: Path) -> str:
    return next(d["id"] for d in stored_lines(store, "documents.jsonl") if d["path"] == HOSTILE_FILE)


@pytest.mark.integration
def test_review_replaces_its_own_site_and_refuses_other_folders(review_store, tmp_path):
    out = tmp_path / "review"
    write_review(review_store, out)
    stale = out / "documents" / "stale.html"
    stale.write_text("old")
    summary = write_review(review_store, out, claim_type="role")
    assert not stale.exists() and summary.documents >= 1
    assert len(list((out / "documents").glob("*.html"))) == summary.documents
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ReviewError, match="not a review site"):
        write_review(review_store, other)
    assert (other / "notes.txt").read_text() == "keep me"
    assert not list(tmp_path.glob(".*tmp*"))  # no staging folder left behind


@pytest.mark.integration
def test_cli_review(review_store, tmp_path):
    out = tmp_path / "site"
    result = runner.invoke(app, ["review", "--store", str(review_store), "--out", str(out),
                                 "--type", "DIRECTIVE"])
    assert result.exit_code == 0, result.output
    assert f"{out / 'index.html'}" in result.output.replace("\n", "")
    assert (out / "index.html").exists()
    bad = runner.invoke(app, ["review", "--store", str(review_store), "--out", str(out),
                              "--since", "last week"])
    assert bad.exit_code == 2 and "--since" in bad.output
    missing = runner.invoke(app, ["review", "--store", str(tmp_path / "nope")])
    assert missing.exit_code == 2
