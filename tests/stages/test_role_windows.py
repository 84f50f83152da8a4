"""The role Matcher on windows (``pipeline.stages.roles.windows``): the matches are those of the
whole Doc, in the same order, on tables of text with tags and entities set by hand
(``spacy.blank("en")``, no model)."""

from __future__ import annotations

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
