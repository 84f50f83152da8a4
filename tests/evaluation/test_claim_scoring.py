"""Claim scoring under the gold README's matching rules."""

from __future__ import annotations

import pytest

from pipeline.evaluation.claim_scoring import (
    AliasResolver,
    head_word,
    lenient_text_match,
    match_claims,
    phrase_tokens,
    score_claims,
    slot_matches,
)


def claim(kind: str, start: int, end: int, **slots) -> dict:
    return {"type": kind, "evidence": {"start": start, "end": end, "text": "x" * (end - start)},
            **slots}


@pytest.fixture
def resolve() -> AliasResolver:
    return AliasResolver([{"name": "Trudy Dai Shan", "aliases": ["Trudy Shan Dai", "Dai"]},
                          {"name": "Taobao/Tmall Commerce Group",
                           "aliases": ["Taobao / Tmall Commerce Group"]}])


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("Trudy Shan Dai", "trudy dai shan"), ("Dai", "trudy dai shan"),
     ("Taobao/ Tmall Commerce Group", "taobao/tmall commerce group"),
     ("Alibaba’s", "alibaba"), ("Unknown  Co", "unknown co")],
)
def test_alias_resolution(resolve, name, canonical):
    assert resolve(name) == canonical


def test_overlap_matching_pairs_each_gold_once_by_largest_overlap():
    gold = [claim("directive", 0, 30), claim("directive", 21, 43)]
    pred = [claim("directive", 0, 19), claim("directive", 21, 39)]
    pairs = match_claims("directive", gold, pred)
    assert [(g["evidence"]["start"], p["evidence"]["start"]) for g, p in pairs] == [(0, 0), (21, 21)]


def test_percentages_need_exact_span_value_and_qualifier():
    gold = [claim("percentage", 5, 9, value=75.0, qualifier="more_than")]
    assert match_claims("percentage", gold, [claim("percentage", 5, 9, value=75.0,
                                                   qualifier="more_than")])
    assert not match_claims("percentage", gold, [claim("percentage", 6, 9, value=75.0,
                                                       qualifier="more_than")])
    assert not match_claims("percentage", gold, [claim("percentage", 5, 9, value=75.0,
                                                       qualifier="about")])


def test_scores_and_slots(resolve):
    gold = [claim("role", 0, 20, person="Trudy Dai Shan", role="head", org="Alibaba"),
            claim("role", 50, 60, person="Li Bo", role="CFO", org="Cainiao")]
    pred = [claim("role", 5, 25, person={"text": "Trudy Shan Dai"}, role="head",
                  org={"text": "Ant Group"}),
            claim("role", 100, 110, person={"text": "Wan Lin"}, role="CEO", org={"text": "X"})]
    result = score_claims([("doc", [], gold, pred)], resolve)
    role = result["scores"]["role"]
    assert (role["tp"], role["fp"], role["fn"]) == (1, 1, 1)
    assert role["slots"] == {"person": 1.0, "role": 1.0, "org": 0.0}
    assert [e["slot"] for e in result["slot_errors"]] == ["org"]
    assert len(result["missed"]) == 1 and len(result["spurious"]) == 1


def test_ignore_regions_are_not_scored(resolve):
    gold = [claim("directive", 0, 10, actor="A", targets=[])]
    pred = [claim("directive", 40, 50, actor={"text": "A"}, targets=[])]
    result = score_claims([("doc", [(35, 55)], gold, pred)], resolve)
    assert result["scores"]["directive"]["fp"] == 0
    assert result["scores"]["directive"]["fn"] == 1


def test_targets_compare_as_resolved_sets(resolve):
    gold = [claim("directive", 0, 10, actor="Dai", targets=["Taobao / Tmall Commerce Group"])]
    pred = [claim("directive", 0, 10, actor={"text": "Trudy Dai Shan"},
                  targets=[{"text": "Taobao/Tmall Commerce Group"}])]
    result = score_claims([("doc", [], gold, pred)], resolve)
    assert result["scores"]["directive"]["slots"] == {"actor": 1.0, "targets": 1.0}


@pytest.mark.parametrize(
    ("gold", "predicted", "same"),
    [
        ("pre-tax profit rise", "Pre-tax profit rise.", True),      # case and punctuation
        ("the fourth quarter", "fourth quarter", True),              # articles
        ("the company's shares", "company shares", True),            # possessives
        ("", None, True),                                            # "" equals null
        (None, "last year", False),
        ("sales growth", "growth", True),                            # same head noun
        ("stake in the carmaker", "stake", True),                    # head before "in"
        ("annual profit rise", "profit rise in Asia", True),         # token F1 = .57
        ("profit rise", "share price fall", False),
        ("2004", "2005", False),
        ("year-on-year", "year on year", True),
    ],
)
def test_lenient_text_match_judges_meaning(gold, predicted, same):
    assert lenient_text_match(gold, predicted) is same


@pytest.mark.parametrize(
    ("text", "tokens", "head"),
    [("The firm's pre-tax profits", ["firm", "pre", "tax", "profits"], "profits"),
     ("stake in Opel", ["stake", "in", "opel"], "stake"),
     ("", [], None)],
)
def test_phrase_tokens_and_head(text, tokens, head):
    assert phrase_tokens(text) == tokens
    assert head_word(phrase_tokens(text)) == head


@pytest.mark.parametrize(
    ("slot", "gold", "predicted", "lenient", "exact"),
    [
        ("metric", "revenue rise", "revenues rise", True, False),
        ("subject", "Time Warner film division", "Time Warner", True, False),
        ("actor", "Dai", "Trudy Shan Dai", True, True),              # names go through aliases
        ("actor", "The Gap", "Gap", True, False),                     # a leading article
        ("actor", "Gap", "Gap Asia", False, False),                   # names are not free text
        ("when", "", None, True, False),
    ],
)
def test_slot_matches_lenient_and_exact(resolve, slot, gold, predicted, lenient, exact):
    g, p = claim("percentage", 0, 3, **{slot: gold}), claim("percentage", 0, 3, **{slot: predicted})
    assert slot_matches(g, p, slot, resolve, lenient=True) is lenient
    assert slot_matches(g, p, slot, resolve, lenient=False) is exact


def test_scores_report_exact_slots_and_documents(resolve):
    gold = [claim("percentage", 0, 3, value=5.0, qualifier="exactly", subject="Gap",
                  metric="sales rise", when="2004")]
    pred = [claim("percentage", 0, 3, value=5.0, qualifier="exactly", subject={"text": "Gap"},
                  metric="Sales rise", when="in 2004")]
    result = score_claims([("a.txt", [], gold, pred)], resolve)
    assert result["scores"]["percentage"]["slots"] == {"subject": 1.0, "metric": 1.0, "when": 1.0}
    assert result["scores"]["percentage"]["slots_exact"] == {"subject": 1.0, "metric": 1.0, "when": 0.0}
    assert result["documents"]["a.txt"]["percentage"] == {"tp": 1, "fp": 0, "fn": 0}
