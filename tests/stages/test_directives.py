"""Stage newsclaims_directives on the real pipeline: sentences written for these tests in the
style of business news (not from the seed articles) → the directives they state, or none."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.stages.directives import DirectiveFinder
from pipeline.stages.directives.candidates import excluded, find_candidates
from pipeline.stages.directives.model import Candidate, Lexicon
from pipeline.stages.directives.slots import fill_slots, stated_actor
from pipeline.stages.directives.status import status

pytestmark = pytest.mark.integration


def directives(nlp, text: str) -> list[tuple[str, str | None, str]]:
    doc = nlp(text)
    out = []
    for span in doc.spans["directives"]:
        fields = span._.claim["fields"]
        assert doc.text[span.start_char:span.end_char] == span.text
        actor = fields["actor"]["text"] if fields["actor"] else None
        out.append((fields["action"], actor, fields["status"]))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tencent Holdings has merged its cloud and smart-industry units into a new business group.",
         [("merge", "Tencent Holdings", "done")]),
        ("JD.com will spin off its logistics arm next year.", [("spin_off", "JD.com", "announced")]),
        ("ByteDance has set up a new e-commerce unit for Southeast Asia.",
         [("establish", "ByteDance", "done")]),
        ("Baidu plans to shift resources from search to artificial intelligence.",
         [("shift", "Baidu", "planned")]),
        ("Pinduoduo appointed Chen Lei as its chief executive.", [("appoint", "Pinduoduo", "done")]),
        ("Meituan said it would focus on grocery delivery and cut management layers.",
         [("refocus", "Meituan", "announced"), ("cut", "Meituan", "announced")]),
        ("Xiaomi founder Lei Jun called for a sweeping overhaul of the company's sales network.",
         [("suggest", "Lei Jun", "suggested")]),
        ("NetEase chief executive William Ding urged managers to cut costs and flatten the hierarchy.",
         [("suggest", "William Ding", "suggested")]),
        ("JD.com restructured its retail business in 2019.", [("restructure", "JD.com", "done")]),
        ("Kuaishou will reorganise its commercial team into three business lines.",
         [("restructure", "Kuaishou", "announced")]),
        ("Lenovo has established a research centre for its server business in Shenzhen.",
         [("establish", "Lenovo", "done")]),
        ("Trip.com will list its shares in Hong Kong.", [("list", "Trip.com", "announced")]),
        ("Ant Group said the heads of its lending units will report to its chief executive.",
         [("change_reporting", "Ant Group", "announced")]),
        ("Huawei will invest more in its chip business.", [("invest", "Huawei", "announced")]),
        ("Tesla founder Elon Musk suggested a leaner structure for the company.",
         [("suggest", "Elon Musk", "suggested")]),
        ("Sony has restructured its electronics division and created a new gaming unit.",
         [("restructure", "Sony", "done"), ("establish", "Sony", "done")]),
        ("Walmart will exit its business in Argentina.", [("enter_or_exit", "Walmart", "announced")]),
        ("The company's chairman said deep changes are necessary.",
         [("change", None, "suggested")]),
        ("Samsung Electronics has named Han Jong-hee as its co-chief executive.",
         [("appoint", "Samsung Electronics", "done")]),
        ("Didi said it would shift its focus to international markets.",
         [("shift", "Didi", "announced")]),
        ("Morgan Stanley will focus on clients in more profitable countries.",
         [("refocus", "Morgan Stanley", "announced")]),
        ("Nokia will go back to making phones.", [("return", "Nokia", "announced")]),
    ],
)
def test_directives_found(nlp, text, expected):
    assert directives(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Analysts expect Alibaba to restructure its cloud unit next year.",  # expectation
        "Tencent did not restructure its gaming division.",  # negation
        "Will Baidu spin off its AI chip unit?",  # question
        "Shares of Meituan fell 4% on Monday.",  # a fact, no decision
        "The reshuffle could lead to a slowdown in growth.",  # effect, hedged
        "Kuaishou's chairman believes the company is undervalued.",  # opinion
        "Two years ago, Alibaba merged its Taobao and Tmall teams.",  # the past
        "The company called for an emergency board meeting.",  # a meeting, not a strategy
        "The new structure is expected to improve efficiency.",  # expected effect
        "Investors think JD.com should spin off its logistics arm.",  # opinion
        "Revenue at Pinduoduo grew 40% in the third quarter.",  # a result
        "Xiaomi sold 10 million phones in India last year.",  # a fact
        "In the past, traffic was directed to Tmall.",  # past description
        "Vice President Joe Biden enters the race.",  # not an organisation's strategy
        "Investors appeared to have shifted attention to bonds.",  # market commentary
        "The big lenders move in when prices fall.",  # no direction to shift to
        "If regulators object, Baidu will exit the market.",  # hypothetical
        "Our advocacy has focused on land use.",  # a description of the past
    ],
)
def test_no_directive(nlp, text):
    assert directives(nlp, text) == []


def test_enumeration_gives_one_directive_per_item(nlp):
    text = ("The chairman laid out three priorities for Baidu: expanding cloud services, "
            "cutting costs and returning to search.")
    doc = nlp(text)
    items = [s.text for s in doc.spans["directives"]]
    assert items == ["expanding cloud services", "cutting costs", "returning to search"]
    targets = {t["text"] for s in doc.spans["directives"] for t in s._.claim["fields"]["targets"]}
    assert targets == {"Baidu"}


def test_shift_records_where_it_comes_from(nlp):
    text = ("Jack Ma told executives that Taobao must change. "
            "Traffic will shift back to Taobao from Tmall.")
    doc = nlp(text)
    (span,) = doc.spans["directives"]
    assert span._.claim["fields"]["action"] == "shift"
    assert span._.claim["fields"]["from"] == "Tmall"


def test_headline_states_a_directive(nlp):
    """The article's first line is its headline; it counts when it states an action."""
    doc = nlp("Alibaba reorganises its retail platforms\nThe group said little else.")
    assert [(s.text, s._.claim["fields"]["action"]) for s in doc.spans["directives"]] == [
        ("Alibaba reorganises its retail platforms", "restructure")]


def test_round_trip(nlp, tmp_path):
    stage: DirectiveFinder = nlp.get_pipe("newsclaims_directives")
    stage.to_disk(tmp_path / "directives")
    loaded = DirectiveFinder().from_disk(tmp_path / "directives")
    assert loaded.lexicon == stage.lexicon


# -- the steps alone ------------------------------------------------------------------------------
def parsed(words: list[str], heads: list[int], deps: list[str], tags: list[str],
           lemmas: list[str]) -> Doc:
    """A hand-parsed Doc, so a step is tested without the statistical parser."""
    return Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps, tags=tags, lemmas=lemmas)


@pytest.mark.parametrize(
    ("words", "heads", "deps", "tags", "lemmas", "anchor", "kind", "expected"),
    [
        (["Sony", "will", "merge", "units"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"],
         ["NNP", "MD", "VB", "NNS"], ["Sony", "will", "merge", "unit"], 2, "action", "announced"),
        (["Sony", "'ll", "merge", "units"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"],
         ["NNP", "MD", "VB", "NNS"], ["Sony", "will", "merge", "unit"], 2, "action", "announced"),
        (["Sony", "has", "merged", "units"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"],
         ["NNP", "VBZ", "VBN", "NNS"], ["Sony", "have", "merge", "unit"], 2, "action", "done"),
        (["Sony", "merged", "units"], [1, 1, 1], ["nsubj", "ROOT", "dobj"],
         ["NNP", "VBD", "NNS"], ["Sony", "merge", "unit"], 1, "action", "done"),
        (["Sony", "is", "merging", "units"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"],
         ["NNP", "VBZ", "VBG", "NNS"], ["Sony", "be", "merge", "unit"], 2, "action", "announced"),
        # a planning verb above the clause makes it a plan even without an auxiliary
        (["Sony", "intends", "merging", "units"], [1, 1, 1, 2], ["nsubj", "ROOT", "xcomp", "dobj"],
         ["NNP", "VBZ", "VBG", "NNS"], ["Sony", "intend", "merge", "unit"], 2, "action", "planned"),
        # a coordinated verb without its own subject takes the auxiliaries of the first verb
        (["Sony", "has", "merged", "units", "and", "formed", "groups"], [2, 2, 2, 2, 2, 2, 5],
         ["nsubj", "aux", "ROOT", "dobj", "cc", "conj", "dobj"],
         ["NNP", "VBZ", "VBN", "NNS", "CC", "VBN", "NNS"],
         ["Sony", "have", "merge", "unit", "and", "form", "group"], 5, "action", "done"),
        # the kind decides before the tense does
        (["Sony", "will", "merge", "units"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"],
         ["NNP", "MD", "VB", "NNS"], ["Sony", "will", "merge", "unit"], 2, "suggestion", "suggested"),
        (["Sony", "has", "merged", "units"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"],
         ["NNP", "VBZ", "VBN", "NNS"], ["Sony", "have", "merge", "unit"], 2, "necessity", "suggested"),
        (["Sony", "has", "merged", "units"], [2, 2, 2, 2], ["nsubj", "aux", "ROOT", "dobj"],
         ["NNP", "VBZ", "VBN", "NNS"], ["Sony", "have", "merge", "unit"], 2, "enumeration", "announced"),
    ],
)
def test_status_from_auxiliaries(words, heads, deps, tags, lemmas, anchor, kind, expected):
    doc = parsed(words, heads, deps, tags, lemmas)
    assert status(Candidate(doc[anchor], kind, "merge", "merge", True)) == expected


@pytest.fixture(scope="module")
def lexicon(nlp) -> Lexicon:
    return Lexicon(nlp.get_pipe("newsclaims_directives").lexicon)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JD.com will spin off its logistics arm next year.",
         [("action", "spin_off", "spin", "JD.com will spin off its logistics arm next year")]),
        ("Xiaomi founder Lei Jun called for a sweeping overhaul of the company's sales network.",
         [("suggestion", "suggest", "call",
           "Xiaomi founder Lei Jun called for a sweeping overhaul of the company 's sales network")]),
        ("The company's chairman said deep changes are necessary.",
         [("necessity", "necessity", "be", "deep changes are necessary")]),
        ("The reorganisation involves three new business groups.",
         [("nominal", "nominal", "involve", "The reorganisation involves three new business groups")]),
        # coordinated clauses are split, one candidate each
        ("Sony has restructured its electronics division and created a new gaming unit.",
         [("action", "restructure", "restructure", "Sony has restructured its electronics division"),
          ("action", "create_unit", "create", "created a new gaming unit")]),
        # the introducing verb is not a directive; its items are
        ("The chairman laid out three priorities for Baidu: expanding cloud services, "
         "cutting costs and returning to search.",
         [("enumeration", "enumeration", "expand", "expanding cloud services"),
          ("enumeration", "enumeration", "cut", "cutting costs"),
          ("enumeration", "enumeration", "return", "returning to search")]),
        ("Tencent did not restructure its gaming division.", []),  # negation is excluded
        ("Alibaba will acquire a stake in the firm.",
         [("action", "acquire", "acquire", "Alibaba will acquire a stake in the firm")]),
    ],
)
def test_find_candidates(nlp, lexicon, text, expected):
    (sent,) = nlp(text).sents
    found = [(c.kind, c.rule, c.anchor.lemma_.lower(), " ".join(t.text for t in c.tokens))
             for c in find_candidates(sent, lexicon)]
    assert found == expected


def test_candidates_come_from_the_lexicon_passed_in(nlp):
    """A new action record is enough for a new cue; without a lexicon nothing is found."""
    (sent,) = nlp("Alibaba will acquire a stake in the firm.").sents
    acquire = Lexicon({"actions": [{"id": "acquire", "action": "acquire", "agentive": True,
                                    "lemmas": ["acquire"]}]})
    (cand,) = find_candidates(sent, acquire)
    assert (cand.kind, cand.action, cand.anchor.text, cand.agentive) == ("action", "acquire", "acquire", True)
    assert find_candidates(sent, Lexicon()) == []


@pytest.mark.parametrize(
    ("text", "verb", "expected"),
    [
        ("Tencent did not restructure its gaming division.", "restructure", True),  # negation
        ("If regulators object, Baidu will exit the market.", "exit", True),  # hypothetical
        ("Analysts expect Alibaba to restructure its cloud unit.", "restructure", True),  # expectation
        ("Tencent will restructure its gaming division.", "restructure", False),
    ],
)
def test_excluded(nlp, lexicon, text, verb, expected):
    doc = nlp(text)
    (token,) = [t for t in doc if t.text == verb]
    assert excluded(token, lexicon) is expected


def test_slots_of_a_shift(nlp, lexicon):
    doc = nlp("Traffic will shift back to Taobao from Tmall.")
    (cand,) = find_candidates(next(doc.sents), lexicon)
    assert stated_actor(doc, cand, lexicon) is None
    slots = fill_slots(doc, cand, None)
    assert slots is not None
    assert (slots.source, slots.destination) == ("Tmall", "Taobao")
    assert slots.evidence.text == "Traffic will shift back to Taobao from Tmall"
    assert [t.text for t in slots.targets] == ["Taobao", "Tmall"]


def test_stated_actor_is_not_a_target(nlp, lexicon):
    doc = nlp("Meituan said it would focus on grocery delivery and cut management layers.")
    cands = find_candidates(next(doc.sents), lexicon)
    assert [c.action for c in cands] == ["refocus", "cut"]
    for cand in cands:
        actor = stated_actor(doc, cand, lexicon)
        assert actor is not None and actor.text == "Meituan"
        slots = fill_slots(doc, cand, actor)
        assert slots is not None and slots.targets == []
    # with the action conventions, a self-directed cut names its actor as the target
    refocus, cut = cands
    actor = stated_actor(doc, cut, lexicon)
    assert actor is not None
    assert [t.text for t in fill_slots(doc, cut, actor, lexicon, [actor], {}).targets] == ["Meituan"]
    assert fill_slots(doc, refocus, actor, lexicon, [actor], {}).targets == []
