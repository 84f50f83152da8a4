"""``evaluate --review``: gold beside predicted, each entity and claim marked."""

from __future__ import annotations

import pytest
from lxml import html
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluation.claim_scoring import AliasResolver
from pipeline.evaluation.scorer import GoldDocument
from pipeline.review.evaluation import claim_statuses, entity_marks
from tests.conftest import CORPUS

TEXT = "Acme will buy Bolt. Ada Brenner, head of Acme, said sales rose 5%."


def _span(word, label, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return (start, start + len(word), label)


GOLD = GoldDocument("doc", TEXT, entities=[_span("Acme", "ORG"), _span("Bolt", "ORG"),
                                           _span("Ada Brenner", "PERSON"), _span("Acme", "ORG", 1)],
                    ignore=[(TEXT.index("5%"), TEXT.index("5%") + 2)])


@pytest.mark.parametrize(("predicted", "gold_status", "predicted_status"), [
    ([_span("Acme", "ORG"), _span("Bolt", "ORG"), _span("Ada Brenner", "PERSON"), _span("Acme", "ORG", 1)],
     ["match"] * 4, ["match"] * 4),
    ([_span("Acme", "ORG"), _span("Bolt", "PERSON")], ["match", "missed", "missed", "missed"],
     ["match", "spurious"]),
    ([_span("5%", "PERCENT")], ["missed"] * 4, []),  # inside an unscored region
    ([], ["missed"] * 4, []),
])
def test_entity_marks(predicted, gold_status, predicted_status):
    gold_marks, predicted_marks = entity_marks(GOLD, predicted, ("ORG", "PERSON", "PERCENT"))
    assert [m.status for m in gold_marks] == gold_status
    assert [m.status for m in predicted_marks] == predicted_status


def _ev(text):
    start = TEXT.index(text)
    return {"start": start, "end": start + len(text), "text": text}


GOLD_CLAIMS = GoldDocument("doc", TEXT, entities=[], claims=[
    {"type": "directive", "actor": "Acme", "targets": ["Bolt"], "evidence": _ev("Acme will buy Bolt")},
    {"type": "role", "person": "Ada Brenner", "role": "head", "org": "Acme",
     "evidence": _ev("Ada Brenner, head of Acme")},
])


def _predicted(kind, evidence, **slots):
    return {"id": f"p-{kind}-{evidence}", "type": kind, "evidence": _ev(evidence), **slots}


@pytest.mark.parametrize(("predicted", "gold_status", "predicted_status", "errors"), [
    ([_predicted("directive", "Acme will buy Bolt", actor={"text": "Acme"}, targets=[{"text": "Bolt"}]),
      _predicted("role", "Ada Brenner, head of Acme", person={"text": "Ada Brenner"}, role="head",
                 org={"text": "Acme"})],
     ["match", "match"], ["match", "match"], [{}, {}]),
    ([_predicted("directive", "Acme will buy Bolt", actor={"text": "Bolt"}, targets=[{"text": "Bolt"}])],
     ["match", "missed"], ["slot_error"], [{"actor": "Acme"}]),
    ([_predicted("directive", "sales rose", actor={"text": "Acme"}, targets=[])],
     ["missed", "missed"], ["spurious"], [{}]),
])
def test_claim_statuses(predicted, gold_status, predicted_status, errors):
    gold, found = claim_statuses(GOLD_CLAIMS, predicted, AliasResolver())
    assert [s for _, s, _ in gold] == gold_status
    assert [s for _, s, _ in found] == predicted_status
    assert [e for _, _, e in found] == errors
    assert all(c["id"].startswith("gold-") for c, _, _ in gold)
    assert all("id" not in c for c in GOLD_CLAIMS.claims)  # the gold records are not changed


@pytest.mark.integration
def test_evaluate_review_writes_gold_beside_predicted(tmp_path):
    out = tmp_path / "eval-review"
    metrics_path = tmp_path / "metrics.json"
    result = CliRunner().invoke(app, ["evaluate", str(CORPUS / "gold" / "seeds.jsonl"), "--corpus",
                                      str(CORPUS), "--review", str(out), "--output", str(metrics_path)])
    assert result.exit_code == 0, result.output
    import json

    metrics = json.loads(metrics_path.read_text())
    index = html.fromstring((out / "index.html").read_text(encoding="utf-8"))
    rows = index.xpath("//table[@id='documents']/tbody/tr")
    assert len(rows) == metrics["gold"]["documents"] == 2
    for row in rows:
        name = row.get("data-doc")
        counts = metrics["documents"][name]
        page = html.fromstring((out / row.xpath(".//a/@href")[0]).read_text(encoding="utf-8"))
        gold_marks = page.xpath("//section[@id='side-gold']//mark")
        predicted_marks = page.xpath("//section[@id='side-predicted']//mark")
        assert sum("nc-missed" in m.get("class") for m in gold_marks) == counts["entities"]["fn"]
        assert sum("nc-spurious" in m.get("class") for m in predicted_marks) == counts["entities"]["fp"]
        gold_items = page.xpath("//ol[@id='claims-gold']/li")
        claim_fn = sum(v["fn"] for v in counts["claims"].values())
        assert sum(li.get("data-status") == "missed" for li in gold_items) == claim_fn
        assert len(gold_items) == sum(v["tp"] + v["fn"] for v in counts["claims"].values())


@pytest.mark.integration
def test_evaluate_review_refuses_a_folder_that_is_not_a_review(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    result = CliRunner().invoke(app, ["evaluate", str(CORPUS / "gold" / "seeds.jsonl"), "--corpus",
                                      str(CORPUS), "--review", str(tmp_path)])
    assert result.exit_code == 2 and "not a review site" in result.output
    assert (tmp_path / "keep.txt").exists()
