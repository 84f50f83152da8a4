"""Claim scoring under the gold README's matching rules."""

from __future__ import annotations

import pytest

from pipeline.evaluation.claim_scoring import AliasResolver, match_claims, score_claims


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
