"""The index helpers that keep the custom stages linear in document length: each answers what the
plain scan over every candidate answered, checked here against that scan on small tables."""

from __future__ import annotations

import pytest
import spacy

from pipeline.stages.entity_cleanup import (
    CLOSE_BRACKET,
    OPEN_BRACKET,
    Candidate,
    _CharNeighbours,
    _OrgRules,
    _remove_first,
    _TokenRanges,
)


def cand(start: int, end: int, label: str = "ORG", stage: str = "ner") -> Candidate:
    return Candidate(start, end, label, stage, None, 1, 0.9)


@pytest.mark.parametrize(
    ("ranges", "start", "end", "expected"),
    [
        ([], 0, 3, False),
        ([(2, 4)], 0, 2, False),
        ([(2, 4)], 0, 3, True),
        ([(2, 4)], 3, 5, True),
        ([(2, 4)], 4, 6, False),
        ([(2, 4), (8, 9)], 5, 8, False),
        ([(2, 4), (8, 9)], 5, 9, True),
        ([(3, 3)], 2, 4, True),  # an empty range inside the span, as the plain test says
        ([(3, 3)], 3, 4, False),
    ],
)
def test_token_ranges_overlap_as_the_plain_scan(ranges, start, end, expected) -> None:
    plain = any(start < r_end and r_start < end for r_start, r_end in ranges)
    assert plain == expected
    assert _TokenRanges(ranges).overlaps(start, end) == expected


def test_org_rules_inside_as_the_plain_scan() -> None:
    rules = [cand(0, 2, stage="g"), cand(1, 3, stage="g"), cand(2, 3, "PERSON", "g"),
             cand(4, 6, stage="g"), cand(5, 5, stage="g"), cand(6, 8, stage="g")]
    index = _OrgRules(rules)
    for start in range(0, 8):
        for end in range(start + 1, 9):
            model = cand(start, end)
            plain = [r for r in rules if r.label == "ORG" and model.contains(r)]
            assert sorted(index.inside(model), key=lambda r: (r.start, r.end)) == sorted(
                plain, key=lambda r: (r.start, r.end))


def test_remove_first_is_list_remove_repeated() -> None:
    a, b, c = cand(0, 1), cand(1, 2), cand(2, 3)
    items = [a, b, a, c, b, a]
    expected = list(items)
    for item in (a, b, a):
        expected.remove(item)
    assert _remove_first(items, {a: 2, b: 1}) == expected


def plain_bracketed(doc, span, chosen):
    """The scan over every candidate that ``_CharNeighbours.bracketed`` replaces."""
    text = doc.text
    for c in chosen:
        c_start, c_end = doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1])
        if c_end <= span.start_char:
            if OPEN_BRACKET.fullmatch(text[c_end:span.start_char]) and CLOSE_BRACKET.match(
                    text[span.end_char:]):
                return c
        elif c_start >= span.end_char:
            if OPEN_BRACKET.fullmatch(text[span.end_char:c_start]):
                return c
    return None


@pytest.mark.parametrize(
    "text",
    [
        "Liu Peng (刘鹏) said so.",
        "Liu Peng ( 刘鹏 ) said so.",
        "Liu Peng（刘鹏）said so.",
        "刘鹏 (Liu Peng) said so.",
        "Liu Peng ((刘鹏)) said so.",
        "Liu Peng 刘鹏 said so.",
        "Liu Peng (刘鹏 said so.",
        "Alibaba (阿里巴巴) and Liu Peng (刘鹏) met.",
    ],
)
def test_bracketed_neighbour_as_the_plain_scan(text: str) -> None:
    doc = spacy.blank("en")(text)
    chosen = [cand(t.i, t.i + 1) for t in doc if t.is_ascii and t.is_alpha]
    chosen += [cand(t.i, t.i + 2) for t in doc[:-1] if t.is_title and doc[t.i + 1].is_title]
    chosen.sort(key=lambda c: c.start)
    neighbours = _CharNeighbours(doc, chosen)
    for token in doc:
        if not token.is_ascii:
            span = doc[token.i:token.i + 1]
            assert neighbours.bracketed(span) == plain_bracketed(doc, span, chosen), token.text


def test_title_index_covering_as_the_plain_scan() -> None:
    from pipeline.stages.roles.model import Title, TitleIndex

    titles = [Title(1, 3, "ceo", False, False), Title(3, 4, "cfo", False, False),
              Title(6, 9, "chair", False, False)]
    index = TitleIndex(titles)
    for indices in ([], [0], [1], [2, 3], [3, 2], [4, 5], [8, 0, 1], [9], list(range(10))):
        plain = [t for t in titles if any(t.start <= i < t.end for i in indices)]
        assert index.covering(indices) == plain


def test_proper_prefixes_as_the_plain_scan() -> None:
    from pipeline.stages.entity_labels import _proper_prefixes

    orgs = [("May", "Department", "Stores"), ("Acme",), ("Acme", "Holdings")]
    starts = _proper_prefixes(orgs)
    for words in [("May",), ("May", "Department"), ("May", "Department", "Stores"), ("Acme",),
                  ("Holdings",), ("Acme", "Holdings")]:
        plain = any(len(org) > len(words) and org[:len(words)] == words for org in orgs)
        assert (words in starts) == plain, words


def test_time_index_within_as_the_plain_scan() -> None:
    from pipeline.stages.percentages.times import TimeIndex

    doc = spacy.blank("en")("a b c d e f g h i j k l")
    times = [doc[5:7], doc[1:2], doc[8:9], doc[0:3], doc[6:7]]  # dates, then temporal words
    index = TimeIndex(times)
    for start in range(0, 12):
        for end in range(start, 13):
            plain = [t for t in times if start <= t.start and t.end <= end]
            assert index.within(start, end) == plain


def test_labelled_before_as_the_filtered_walk() -> None:
    from pipeline.stages.directives.parse import entities_before, forget_entities, labelled_before

    doc = spacy.blank("en")("Acme and Ada Lee met Bolt in Paris with Cy at Dune .")
    doc.ents = [doc.char_span(*span) for span in
                [(0, 4, "ORG"), (9, 16, "PERSON"), (21, 25, "ORG"), (29, 34, "GPE"),
                 (40, 42, "PERSON"), (46, 50, "ORG")]]
    forget_entities()
    for before in range(len(doc) + 1):
        for label in ("ORG", "PERSON", "GPE", "DATE"):
            plain = [e for e in entities_before(doc, before) if e.label_ == label]
            assert list(labelled_before(doc, before, label)) == plain
    forget_entities()
