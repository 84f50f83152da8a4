"""The role Matcher on windows (``pipeline.stages.roles.windows``): the matches are those of the
whole Doc, in the same order, on tables of text with tags and entities set by hand
(``spacy.blank("en")``, no model)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

import pipeline._extensions  # noqa: F401  (registers token._.role_title / role_verb)
from pipeline.stages.roles.windows import (
    compile_pattern,
    longest_run,
    match_windows,
    requires_tag,
    windowed_matches,
)

NLP = spacy.blank("en")
TITLE = {"_": {"role_title": {"NOT_IN": [""]}}, "OP": "+"}
PATTERNS = {
    "org_title_name": [{"ENT_TYPE": "ORG", "OP": "+"}, TITLE, {"ENT_TYPE": "PERSON", "OP": "+"}],
    "name_comma_title": [{"ENT_TYPE": "PERSON", "OP": "+"}, {"ORTH": ","},
                         {"LOWER": {"IN": ["the", "its", "a"]}, "OP": "*"}, TITLE],
    "title_of_org": [TITLE, {"LOWER": "of"}, {"IS_PUNCT": False, "OP": "{0,3}"},
                     {"ENT_TYPE": "ORG", "OP": "+"}],
}


def tagged_doc(text: str, titles: list[int], ents: list[tuple[int, int, str]]) -> Doc:
    doc = NLP(text)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    for i in titles:
        doc[i]._.role_title = "chief executive"
    return doc


def matcher() -> Matcher:
    found = Matcher(NLP.vocab)
    for key, pattern in PATTERNS.items():
        found.add(key, [pattern], greedy="LONGEST")
    return found


FILLER = " ".join(["The market was quiet ."] * 12)


@pytest.mark.parametrize(
    ("text", "titles", "ents", "expected"),
    [
        ("Acme CEO Jane Lee said so .", [1], [(0, 1, "ORG"), (2, 4, "PERSON")], 1),
        (f"{FILLER} Acme Corp chief Jane Lee spoke . {FILLER} Jo Bo , the boss of Beta Ltd .",
         [62, 131], [(60, 62, "ORG"), (63, 65, "PERSON"), (127, 129, "PERSON"), (133, 135, "ORG")], 3),
        (f"Jo Bo , its boss of Beta . {FILLER} Jo Bo , the boss of Beta .",
         [4, 72], [(0, 2, "PERSON"), (6, 7, "ORG"), (68, 70, "PERSON"), (74, 75, "ORG")], 4),
        (f"{FILLER}", [], [], 0),
    ],
)
def test_windowed_matches_are_the_whole_doc_matches(text, titles, ents, expected) -> None:
    doc = tagged_doc(text, titles, ents)
    windows = match_windows(doc, set(titles), list(PATTERNS.values()))
    found = matcher()
    whole = list(found(doc, with_alignments=True))
    assert windowed_matches(found, doc, windows) == whole
    assert len(whole) == expected
    if len(doc) > 40:  # the windows leave out the filler
        assert sum(e - s for s, e in windows or [(0, len(doc))]) < len(doc) / 2 or not titles


@pytest.mark.parametrize(
    ("flags", "expected"),
    [([], 0), ([0, 0], 0), ([1, 0, 1, 1, 0], 2), ([1, 1, 1], 3), ([0, 1, 1, 0, 1, 1, 1, 1], 4)],
)
def test_longest_run(flags: list[int], expected: int) -> None:
    assert longest_run(np.array(flags, dtype=bool)) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([{"ORTH": "a"}, {"ORTH": "b", "OP": "?"}, {"IS_PUNCT": True, "OP": "{2}"},
          {"IS_ALPHA": True, "OP": "{0,3}"}], [1, 1, 2, 3]),
        ([{"ENT_TYPE": "ORG", "OP": "+"}], [[("ENT_TYPE", frozenset({"ORG"}))]]),
        ([{"LOWER": {"IN": ["a", "b"]}, "OP": "*"}], [[("LOWER", frozenset({"a", "b"}))]]),
        ([TITLE], [[("tagged", frozenset())]]),
        ([{"IS_ALPHA": True, "OP": "+"}], None),        # nothing bounds the repeat
        ([{"ENT_TYPE": {"NOT_IN": ["ORG"]}, "OP": "{1,}"}], None),
    ],
)
def test_compile_pattern(pattern, expected) -> None:
    assert compile_pattern(pattern) == expected


def test_a_pattern_without_a_required_tag_matches_the_whole_doc() -> None:
    optional = [{"ENT_TYPE": "PERSON", "OP": "+"}, {**TITLE, "OP": "*"}]
    assert not requires_tag(optional)
    assert requires_tag(PATTERNS["title_of_org"])
    doc = tagged_doc("Jane Lee , boss", [3], [(0, 2, "PERSON")])
    assert match_windows(doc, {3}, [optional]) is None


ROLE_PATTERNS = [json.loads(line) for line in
                 (Path(__file__).resolve().parents[2] / "models" / "patterns" / "roles.jsonl")
                 .read_text(encoding="utf-8").splitlines() if line.strip()]
SOUP_WORDS = ["Acme", "Jane", "Lee", "chief", "executive", "boss", ",", "'s", "of", "the", "its",
              "a", "said", "former", "is", "was", "named", "as", "and", "by", "led", "joined",
              "founded", ".", "(", ")", "-", "who", "has", "been", "member", "board", "at"]


def soup_doc(rng: random.Random) -> Doc:
    """Random words with random parts of speech, entities and title tags."""
    words = [rng.choice(SOUP_WORDS) for _ in range(rng.randint(1, 160))]
    doc = Doc(NLP.vocab, words=words, pos=[rng.choice(["PROPN", "NOUN", "VERB", "PUNCT", "DET"])
                                           for _ in words],
              tags=[rng.choice(["NNP", "NN", "VBD", "VBN", "POS"]) for _ in words])
    ents, i = [], 0
    while i < len(doc):
        if rng.random() < 0.25:
            end = min(len(doc), i + rng.randint(1, 3))
            ents.append(Span(doc, i, end, label=rng.choice(["ORG", "PERSON"])))
            i = end
        i += 1
    doc.ents = ents
    for token in doc:
        if rng.random() < 0.03:
            token._.role_title = "chief executive"
        elif rng.random() < 0.01:
            token._.role_verb = "founder"
    return doc


def test_the_role_patterns_on_windows_match_as_on_the_whole_doc_on_random_token_soup() -> None:
    """The shipped role patterns, over 400 random Docs: same matches, same order."""
    patterns = [record["pattern"] for record in ROLE_PATTERNS]
    found = Matcher(NLP.vocab)
    for record in ROLE_PATTERNS:
        found.add(record["id"], [record["pattern"]], greedy="LONGEST")
    rng = random.Random(11)
    matched = windowed = 0
    for _ in range(400):
        doc = soup_doc(rng)
        tagged = {t.i for t in doc if t._.role_title or t._.role_verb}
        windows = match_windows(doc, tagged, patterns)
        whole = list(found(doc, with_alignments=True))
        assert windowed_matches(found, doc, windows) == whole, doc.text
        matched += len(whole)
        windowed += windows is not None and sum(e - s for s, e in windows) < len(doc)
    assert matched > 100 and windowed > 50  # the soup has matches, and windows that cut
