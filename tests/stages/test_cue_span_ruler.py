"""``newsclaims_cue_span_ruler``: the SpanRuler's token patterns read only around their anchor
words, with the spans of spaCy's SpanRuler over the whole Doc."""

from __future__ import annotations

import random

import pytest
import spacy

from pipeline.stages.cue_windows import CueWindows, pattern_anchor
from tests.conftest import CORPUS, add_span_ruler


def rulers(patterns: list[dict]) -> tuple[spacy.Language, spacy.Language]:
    plain, windowed = spacy.blank("en"), spacy.blank("en")
    add_span_ruler(plain, "rules", patterns)
    add_span_ruler(windowed, "rules", patterns, factory="newsclaims_cue_span_ruler")
    return plain, windowed


def spans(nlp: spacy.Language, text: str) -> list[tuple[int, int, str, str]]:
    doc = nlp(text)
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans["rules"]]


@pytest.fixture(scope="module")
def percent_rulers(percent_patterns):
    return rulers(percent_patterns)


@pytest.mark.parametrize(("pattern", "anchor"), [
    ([{"LIKE_NUM": True}, {"ORTH": "%"}], (1, "ORTH", frozenset({"%"}))),
    ([{"LOWER": "up", "OP": "?"}, {"LOWER": {"IN": ["to", "by"]}}, {"LIKE_NUM": True},
      {"LOWER": "cent"}], (3, "LOWER", frozenset({"cent"}))),
    ([{"LOWER": "per"}, {"LIKE_NUM": True}], (0, "LOWER", frozenset({"per"}))),
    ([{"TEXT": "x"}, {"LOWER": "y", "OP": "?"}], (0, "TEXT", frozenset({"x"}))),
    ([{"LOWER": "mr"}, {"LOWER": {"IN": ["van", "de"]}, "OP": "*"}, {"IS_TITLE": True, "OP": "{1,2}"}],
     (0, "LOWER", frozenset({"mr"}))),                          # repeats with a bound
    ([{"LIKE_NUM": True}, {"ORTH": "%", "OP": "?"}], None),     # no token every match holds
    ([{"LIKE_NUM": True, "OP": "+"}, {"ORTH": "%"}], None),     # no bound on the length
    ([{"LOWER": {"REGEX": "^pc"}}], None),                      # words not listed
    ("per cent", None),                                         # a phrase pattern
])
def test_pattern_anchor(pattern, anchor):
    assert pattern_anchor(pattern) == anchor


def test_windows_cover_the_reach_of_every_anchor_and_merge_when_they_overlap():
    nlp = spacy.blank("en")
    cues = CueWindows([[{"LIKE_NUM": True}, {"LIKE_NUM": True, "OP": "?"}, {"ORTH": "%"}],
                       [{"LOWER": "per"}, {"LIKE_NUM": True}]])
    doc = nlp("a b c 1 2 % d e f g h i 3 % % j per 4 k l m n")
    assert [doc[i].text for i in (5, 13, 14, 16)] == ["%", "%", "%", "per"]
    assert cues.reach(doc) == (2, 1)
    # up to 2 tokens before a "%", 1 after a "per", a margin of 1; windows that overlap merge
    assert cues.windows(doc) == [(2, 8), (10, 19)]
    assert cues.windows(nlp("no cue here")) == []
    assert CueWindows([[{"LIKE_NUM": True, "OP": "*"}]]).windows(doc) is None


def test_a_repeat_over_a_word_list_reaches_as_far_as_the_longest_run_of_those_words():
    nlp = spacy.blank("en")
    cues = CueWindows([[{"LOWER": "mr"}, {"LOWER": {"IN": ["van", "de"]}, "OP": "*"},
                        {"IS_TITLE": True, "OP": "{1,2}"}]])
    assert cues.reach(nlp("mr Jan van de de Berg")) == (0, 5)
    assert cues.reach(nlp("mr Jan Berg")) == (0, 2)


@pytest.mark.parametrize("text", [
    "Share fell from >75% five years ago, then 3% to 3.5% next year.",
    "%",
    "",
    "50 per cent of 20 per cent is 10 per cent, up 2 percentage points.",
    "It rose 15 cents - 1.1% - on Monday; costs fell at least 2% and margins 10-15%.",
    "More than 80 percent, nearly 7 pct and almost 9％ of the 40 % stake.",
    "No numbers at all in this sentence.",
])
def test_windowed_percent_rules_give_the_spans_of_the_whole_doc(percent_rulers, text):
    plain, windowed = percent_rulers
    assert spans(windowed, text) == spans(plain, text)


def test_windowed_percent_rules_on_articles_and_random_token_soup(percent_rulers):
    plain, windowed = percent_rulers
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    words = ["about", "more", "than", "up", "to", "as", "much", "as", "just", "over", "by",
             "a", "point", "points", "percentage", "per", "cent", "percent", "pct", "%", "-",
             "5", "7.5", "10", "one", "and", "or", "rose", "fell", "less", "at", "least", ","]
    rng = random.Random(7)
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 60))) for _ in range(300)]
    found = 0
    for text in texts:
        expected = spans(plain, text)
        assert spans(windowed, text) == expected, text
        found += len(expected)
    assert found > 50


def test_a_pattern_without_an_anchor_makes_the_ruler_read_the_whole_doc():
    patterns = [{"label": "N", "pattern": [{"LIKE_NUM": True, "OP": "+"}, {"ORTH": "%"}]},
                {"label": "P", "pattern": [{"LOWER": "per"}, {"LOWER": "cent"}]}]
    plain, windowed = rulers(patterns)
    text = "It was 1 2 3 % and 4 per cent."
    assert spans(windowed, text) == spans(plain, text) != []
    ruler = windowed.get_pipe("rules")
    ruler.clear()
    ruler.add_patterns(patterns[1:])
    assert spans(windowed, text) == spans(plain, "It was 1 2 3 % and 4 per cent.")[1:]
