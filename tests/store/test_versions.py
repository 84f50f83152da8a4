"""Versions of an article and of its processing (issue 12): a corrected article supersedes its
earlier text, a changed pipeline processes stored texts again, and every reader uses the
current versions only while the files keep the old lines."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store.check import check_store
from pipeline.store.export import export_store
from pipeline.store.queries import article_history, load_view
from pipeline.store.versions import (
    CHANGED_PIPELINE,
    NEW,
    NEW_VERSION,
    UNCHANGED,
    Versions,
    current_entities,
    source_key,
)

runner = CliRunner()


def record(doc_id: str, path: str, fingerprint: str | None = None, url: str | None = None) -> dict:
    pipeline = {"name": "newsclaims"} | ({"fingerprint": fingerprint} if fingerprint else {})
    return {"id": doc_id, "path": path, "source": {"url": url} if url else {}, "pipeline": pipeline}


# ---- deciding, as a table


@pytest.mark.parametrize(("stored", "doc_id", "key", "fingerprint", "expected"), [
    ([], "a1", "a.txt", "f1", NEW),
    ([record("a1", "a.txt", "f1")], "a1", "a.txt", "f1", UNCHANGED),
    ([record("a1", "a.txt", "f1")], "a1", "copy.txt", "f1", UNCHANGED),  # same text elsewhere
    ([record("a1", "a.txt", "f1")], "a1", "a.txt", "f2", CHANGED_PIPELINE),
    ([record("a1", "a.txt")], "a1", "a.txt", None, UNCHANGED),  # a store before fingerprints
    ([record("a1", "a.txt")], "a1", "a.txt", "f1", CHANGED_PIPELINE),
    ([record("a1", "a.txt", "f1")], "a2", "a.txt", "f1", NEW_VERSION),
    ([record("a1", "a.txt", "f1")], "b1", "b.txt", "f1", NEW),
    # v1 -> v2 -> v1 again: the first text is a version again, not "unchanged"
    ([record("a1", "a.txt", "f1"), record("a2", "a.txt", "f1")], "a1", "a.txt", "f1", NEW_VERSION),
    # the URL names the article wherever the file lies
    ([record("a1", "x/a.txt", "f1", url="https://n.example/a")], "a2",
     "https://n.example/a", "f1", NEW_VERSION),
])
def test_decide(stored, doc_id, key, fingerprint, expected) -> None:
    assert Versions.from_records(stored).decide(doc_id, key, fingerprint) == expected


@pytest.mark.parametrize(("metadata", "path", "expected"), [
    ({"url": "https://n.example/a"}, "a.txt", "https://n.example/a"),
    ({"url": "  "}, "a.txt", "a.txt"),
    ({}, "sub/a.txt", "sub/a.txt"),
    (None, "a.txt", "a.txt"),
])
def test_source_key(metadata, path, expected) -> None:
    assert source_key(metadata, path) == expected


def test_current_is_the_last_line_of_each_article_and_of_each_text() -> None:
    versions = Versions.from_records([
        record("a1", "a.txt", "f1"), record("b1", "b.txt", "f1"),
        record("a2", "a.txt", "f1"), record("b1", "b.txt", "f2")])
    assert {i: r["pipeline"].get("fingerprint") for i, r in versions.current.items()} == {
        "a2": "f1", "b1": "f2"}
    claim = {"evidence": {"doc_id": "b1"}, "provenance": {"fingerprint": "f1"}}
    assert not versions.is_current_claim(claim)
    claim["provenance"]["fingerprint"] = "f2"
    assert versions.is_current_claim(claim)
    assert not versions.is_current_claim({"evidence": {"doc_id": "a1"}, "provenance": {
        "fingerprint": "f1"}})
    assert [r["id"] for r in versions.history("a.txt")] == ["a1", "a2"]


def test_entities_only_superseded_claims_mention_are_recounted_or_dropped() -> None:
    entities = {
        "e_old": {"id": "e_old", "name": "Jon Smithers", "aliases": ["Jon Smithers"],
                  "mention_count": 1, "documents": ["v1"]},
        "e_org": {"id": "e_org", "name": "Acme Holdings", "aliases": ["Acme", "Acme Holdings"],
                  "mention_count": 4, "documents": ["v1", "v2"]},
        "e_other": {"id": "e_other", "name": "Brightline", "aliases": ["Brightline"],
                    "mention_count": 7, "documents": ["b"]},
    }

    def mention(entity_id: str, doc_id: str, text: str, current: bool) -> dict:
        return {"type": "entity", "entity_id": entity_id, "current": current,
                "evidence": {"doc_id": doc_id, "text": text}}

    result = current_entities(entities, [
        mention("e_old", "v1", "Jon Smithers", False),
        mention("e_org", "v1", "Acme", False), mention("e_org", "v1", "Acme Holdings", False),
        mention("e_org", "v2", "Acme Holdings", True),
    ], {"v2": "2026-03-01"})
    assert set(result) == {"e_org", "e_other"}
    assert result["e_other"] is entities["e_other"]  # untouched by any superseded claim
    org = result["e_org"]
    assert (org["mention_count"], org["documents"], org["aliases"]) == (1, ["v2"], ["Acme Holdings"])
    assert (org["first_seen"], org["last_seen"]) == ("2026-03-01", "2026-03-01")


# ---- a corrected article, end to end with the real pipeline

FIRST = ("Acme Holdings said on Monday it will buy Brightline Ltd for $2bn.\n\n"
         "Jon Smithers, chief executive of Acme Holdings, said the deal would close in June.\n")
CORRECTED = FIRST.replace("Jon Smithers", "John Smithers")
OTHER = "Shares in Acme Holdings rose 4% after the announcement, traders in London said.\n"


@pytest.fixture
def corrected_store(nlp, tmp_path: Path) -> tuple[Path, Path, object]:
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    (corpus / "acme.txt").write_text(FIRST, encoding="utf-8")
    (corpus / "markets.txt").write_text(OTHER, encoding="utf-8")
    first = extract([corpus], store, nlp_factory=lambda model: nlp)
    assert first.documents_new == 2 and first.new_versions == 0
    (corpus / "acme.txt").write_text(CORRECTED, encoding="utf-8")
    return corpus, store, extract([corpus], store, nlp_factory=lambda model: nlp)


def _names(view) -> dict[str, dict]:
    return {e["name"]: e for e in view.entities.values()}


@pytest.mark.integration
def test_a_corrected_article_is_one_current_version(corrected_store) -> None:
    corpus, store, summary = corrected_store
    assert (summary.documents_new, summary.new_versions, summary.skipped_unchanged) == (1, 1, 1)
    view = load_view(store)
    assert sorted(d["path"] for d in view.documents.values()) == ["acme.txt", "markets.txt"]
    current_ids = set(view.documents)
    assert all(c["evidence"]["doc_id"] in current_ids for c in view.claims)
    names = _names(view)
    assert "John Smithers" in names and "Jon Smithers" not in names
    acme = names["Acme Holdings"]
    mentions = [c for c in view.claims if c.get("entity_id") == acme["id"]]
    assert acme["mention_count"] == len(mentions) == 3  # two in the new version, one elsewhere
    assert len(acme["documents"]) == 2 and set(acme["documents"]) <= current_ids
    # append-only: the first version and its claims are still in the files
    lines = [json.loads(x) for x in (store / "documents.jsonl").open(encoding="utf-8")]
    assert len(lines) == 3 and lines[2]["supersedes"] == lines[0]["id"]
    old = [json.loads(x) for x in (store / "claims.jsonl").open(encoding="utf-8")]
    assert any(c["evidence"]["doc_id"] == lines[0]["id"] for c in old)
    report = check_store(store)
    assert report.ok, report.problems
    assert (report.documents, report.claims, report.superseded) == (2, len(view.claims), 1)


@pytest.mark.integration
def test_export_holds_the_current_versions_only_also_after_an_earlier_export(
        nlp, tmp_path: Path) -> None:
    corpus, store, db = tmp_path / "corpus", tmp_path / "store", tmp_path / "c.db"
    corpus.mkdir()
    (corpus / "acme.txt").write_text(FIRST, encoding="utf-8")
    extract([corpus], store, nlp_factory=lambda model: nlp)
    export_store(store, f"sqlite:///{db}")  # the first version goes into the database
    (corpus / "acme.txt").write_text(CORRECTED, encoding="utf-8")
    extract([corpus], store, nlp_factory=lambda model: nlp)
    export_store(store, f"sqlite:///{db}")
    view = load_view(store)
    with sqlite3.connect(db) as conn:
        count = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                 for t in ("documents", "claims", "claim_evidence", "entities")}
        names = {n for (n,) in conn.execute("SELECT name FROM entities")}
        aliases = {a for (a,) in conn.execute("SELECT alias FROM entity_aliases")}
    assert count == {"documents": 1, "claims": len(view.claims),
                     "claim_evidence": len(view.claims), "entities": len(view.entities)}
    assert "John Smithers" in names and "Jon Smithers" not in names | aliases


@pytest.mark.integration
def test_history_lists_the_versions_of_one_article(corrected_store) -> None:
    corpus, store, _ = corrected_store
    versions = article_history(store, "acme.txt")
    assert [v["current"] for v in versions] == [False, True]
    assert versions[1]["supersedes"] == versions[0]["id"]
    assert all(v["claims"] > 0 for v in versions)
    result = runner.invoke(app, ["history", "acme.txt", "--store", str(store), "--format",
                                 "jsonl"])
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [v["id"] for v in versions]
    missing = runner.invoke(app, ["history", "nowhere.txt", "--store", str(store)])
    assert missing.exit_code == 1 and "no version of this article" in missing.stderr


# ---- a changed pipeline


class Pipeline:
    """A factory for the session pipeline that states its fingerprint, as a changed config
    would give it."""

    def __init__(self, nlp, fingerprint: str | None) -> None:
        self.nlp, self.fingerprint = nlp, fingerprint

    def __call__(self, model):
        self.nlp.meta["newsclaims"]["fingerprint"] = self.fingerprint
        return self.nlp


@pytest.fixture
def restore_meta(nlp):
    before = dict(nlp.meta["newsclaims"])
    yield
    nlp.meta["newsclaims"] = before


@pytest.mark.integration
def test_a_changed_pipeline_processes_stored_texts_again(nlp, corpus_copy, tmp_path,
                                                         restore_meta) -> None:
    store = tmp_path / "store"
    first = extract([corpus_copy], store, nlp_factory=Pipeline(nlp, "first"))
    before = load_view(store)
    again = extract([corpus_copy], store, nlp_factory=Pipeline(nlp, "first"))
    assert (again.documents_new, again.reprocessed) == (0, 0)
    kept = extract([corpus_copy], store, nlp_factory=Pipeline(nlp, "second"), keep_old=True)
    assert (kept.documents_new, kept.kept_old, kept.skipped_unchanged) == (0, 2, 2)
    assert load_view(store).claims == before.claims
    changed = extract([corpus_copy], store, nlp_factory=Pipeline(nlp, "second"))
    assert (changed.documents_new, changed.reprocessed) == (2, 2)
    assert changed.claims == first.claims  # the same rules: the same number of new claims
    view = load_view(store)
    assert {c["provenance"]["fingerprint"] for c in view.claims} == {"second"}
    assert len(view.claims) == len(before.claims)
    assert {c["id"] for c in view.claims}.isdisjoint(c["id"] for c in before.claims)
    assert {e["id"]: e["mention_count"] for e in view.entities.values()} == {
        e["id"]: e["mention_count"] for e in before.entities.values()}
    report = check_store(store)
    assert report.ok, report.problems
    assert (report.documents, report.superseded) == (2, 2)
    # the first pipeline's claims stay for history: counted apart (export recounts from them)
    assert (report.claims, report.stale_claims) == (len(view.claims), len(before.claims))
    summary = export_store(store, f"sqlite:///{tmp_path / 'c.db'}")
    assert summary.tables["claims"]["after"] == len(view.claims)


@pytest.mark.integration
def test_the_summary_says_what_a_changed_pipeline_did(nlp, corpus_copy, tmp_path, restore_meta,
                                                      monkeypatch) -> None:
    store = tmp_path / "store"
    extract([corpus_copy], store, nlp_factory=Pipeline(nlp, "first"))
    monkeypatch.setattr("pipeline.extract._expected_fingerprint", lambda model: "second")
    monkeypatch.setattr("pipeline.load", lambda model=None, **kw: Pipeline(nlp, "second")(model))
    kept = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet",
                               "--keep-old"])
    assert kept.exit_code == 0, kept.output
    assert "kept 2 made by another pipeline (--keep-old)" in kept.stdout
    result = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "re-processed 2 with a changed pipeline" in result.stdout


@pytest.mark.integration
def test_an_edited_lexicon_re_processes_and_queries_show_the_new_pipeline_only(
        nlp, corpus_copy, tmp_path, monkeypatch) -> None:
    """End to end, no factory: a changed models folder gives another fingerprint, found without
    loading the model, and the next extract processes every stored text again."""
    import shutil

    from tests.conftest import MODELS

    store = tmp_path / "store"
    extract([corpus_copy], store, nlp_factory=lambda model: nlp)  # the installed pipeline
    first = load_view(store)
    models = tmp_path / "models"
    shutil.copytree(MODELS, models, ignore=shutil.ignore_patterns("__pycache__"))
    lexicon = models / "lexicons" / "role_titles.json"
    data = json.loads(lexicon.read_text(encoding="utf-8"))
    data["description"] += " (edited)"
    lexicon.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("NEWSCLAIMS_MODELS", str(models))
    result = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "re-processed 2 with a changed pipeline" in result.stdout
    view = load_view(store)
    fingerprints = {c["provenance"]["fingerprint"] for c in view.claims}
    assert len(fingerprints) == 1 and fingerprints != {c["provenance"]["fingerprint"]
                                                       for c in first.claims}
    assert len(view.claims) == len(first.claims)  # a description changes no claim
    again = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet"])
    assert again.exit_code == 0 and "re-processed" not in again.stdout
    assert check_store(store).ok
