"""One store across coverage: a second article links to the first one's entities, adds only new
claims, and a claim both make is shown once with two sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store.queries import claim_groups, load_view

pytestmark = pytest.mark.integration
runner = CliRunner()

FIRST = ("Tencent reshuffles its cloud business\n\n"
         "Tencent Holdings has merged its cloud and smart-industry units into a new business "
         "group. Pony Ma, chairman of Tencent, said the company would focus on enterprise "
         "software. Tencent's chief strategy officer James Mitchell (詹姆斯) attended.\n")
SECOND = ("Tencent bets on enterprise software\n\n"
          "Pony Ma, chairman of Tencent Holdings Ltd., told staff the group must move faster. "
          "Tencent Holdings has merged its cloud and smart-industry units into a new business "
          "group, according to people familiar with the matter. Ma said revenue rose about 10% "
          "last year.\n")


def _write(folder: Path, name: str, text: str, publisher: str, published: str | None = None
           ) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    with (folder / "sources.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"file": name, "publisher": publisher, "title": text.splitlines()[0],
                             "published": published}) + "\n")


def _claims(store: Path) -> list[dict]:
    return [json.loads(line) for line in (store / "claims.jsonl").read_text("utf-8").splitlines()]


@pytest.fixture
def two_runs(nlp, tmp_path):
    store = tmp_path / "store"
    _write(tmp_path / "day1", "tencent1.txt", FIRST, "Daily Wire One", "2023-03-01")
    extract([tmp_path / "day1"], store, nlp_factory=lambda m: nlp)
    before = _claims(store)
    _write(tmp_path / "day2", "tencent2.txt", SECOND, "Business Two", "2023-03-02")
    extract([tmp_path / "day2"], store, nlp_factory=lambda m: nlp)
    return store, before, _claims(store)


def _entity_ids(claims: list[dict], text: str) -> set[str]:
    return {c["entity_id"] for c in claims if c["type"] == "entity" and c["text"] == text}


def test_second_article_links_to_first_articles_entities(two_runs):
    store, before, after = two_runs
    docs = {c["evidence"]["doc_id"] for c in before}
    second = [c for c in after if c["evidence"]["doc_id"] not in docs]
    assert _entity_ids(second, "Pony Ma") == _entity_ids(before, "Pony Ma")
    assert len(_entity_ids(before, "Pony Ma")) == 1
    # "Tencent Holdings Ltd." in the second article is the first article's Tencent
    assert _entity_ids(second, "Tencent Holdings Ltd.") <= _entity_ids(before, "Tencent") | \
        _entity_ids(before, "Tencent Holdings")
    ma = [c for c in second if c["type"] == "entity" and c["text"] == "Ma"]
    assert ma and {c["entity_id"] for c in ma} == _entity_ids(before, "Pony Ma")


def test_second_run_only_adds_claims(two_runs):
    _, before, after = two_runs
    assert after[:len(before)] == before
    assert len({c["id"] for c in after}) == len(after)


def test_claim_made_by_both_articles_is_one_claim_with_two_sources(two_runs):
    store, _, _ = two_runs
    groups = claim_groups(load_view(store), claim_type="directive")
    merged = [g for g in groups if g.claim.get("action") == "merge"]
    assert len(merged) == 1
    assert len(merged[0].sources) == 2 and merged[0].publishers == 2


def test_entities_record_aliases_mentions_and_documents(two_runs):
    store, _, _ = two_runs
    view = load_view(store)
    (pony,) = [e for e in view.entities.values() if e["name"] == "Pony Ma"]
    assert {"Pony Ma", "Ma"} <= set(pony["aliases"])
    assert len(pony["documents"]) == 2 and pony["mention_count"] >= 3
    assert (pony["first_seen"], pony["last_seen"]) == ("2023-03-01", "2023-03-02")


def test_query_commands(two_runs):
    store, _, _ = two_runs
    result = runner.invoke(app, ["entities", "--store", str(store), "--label", "PERSON",
                                 "--name", "pony", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    people = [json.loads(line) for line in result.output.splitlines()]
    assert [p["name"] for p in people] == ["Pony Ma"]
    result = runner.invoke(app, ["claims", "--store", str(store), "--entity", "Pony Ma",
                                 "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    groups = [json.loads(line) for line in result.output.splitlines()]
    assert groups and all(g["sources"] for g in groups)
    assert any(g["type"] == "role" for g in groups)
    dates = [g["date"] for g in groups]
    assert dates == sorted(dates, reverse=True) and set(dates) <= {"2023-03-01", "2023-03-02"}
    result = runner.invoke(app, ["claims", "--store", str(store), "--type", "percentage",
                                 "--since", "2999-01-01", "--format", "jsonl"])
    assert result.exit_code == 0 and result.output.strip() == ""
    result = runner.invoke(app, ["claims", "--store", str(store), "--type", "directive"])
    assert result.exit_code == 0 and "merge" in result.output
    result = runner.invoke(app, ["stats", "--store", str(store), "--format", "jsonl"])
    counts = json.loads(result.output)
    assert counts["totals"]["documents"] == 2
    assert counts["publishers"] == {"Daily Wire One": 1, "Business Two": 1}
    assert counts["claim_types"]["entity"] > 0 and counts["entity_labels"]["PERSON"] >= 2


def test_user_alias_file_links_a_new_name(nlp, tmp_path):
    aliases = tmp_path / "aliases.jsonl"
    aliases.write_text(json.dumps({"name": "Pony Ma", "label": "PERSON",
                                   "aliases": ["Ma Huateng"]}) + "\n", encoding="utf-8")
    _write(tmp_path / "c", "a.txt", "Ma Huateng, chairman of Tencent, spoke on Monday.\n", "P")
    _write(tmp_path / "c", "b.txt", "Pony Ma said Tencent will focus on games.\n", "Q")
    store = tmp_path / "store"
    extract([tmp_path / "c"], store, nlp_factory=lambda m: nlp, alias_file=aliases)
    claims = _claims(store)
    assert _entity_ids(claims, "Ma Huateng") == _entity_ids(claims, "Pony Ma")
    assert len(_entity_ids(claims, "Pony Ma")) == 1
