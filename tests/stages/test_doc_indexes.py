"""The per-Doc shortcuts of issue 13 (speed): each answers what the plain loop over the tokens
answered, checked against that loop on small tables (``spacy.blank("en")``, no model)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

import pipeline._extensions  # noqa: F401  (registers the extensions)
from pipeline.stages.directives import is_year, latest_year
from pipeline.stages.directives.candidates import TOKEN_DETECTORS, cue_words, detect, may_cue
from pipeline.stages.directives.model import Lexicon
from pipeline.stages.doc_index import lowers, texts
from pipeline.stages.roles import _has_token_tags

NLP = spacy.blank("en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("Acme Corp. said", ["Acme", "Corp.", "said"]),
        ("IBM's CEO  quit\n", ["IBM", "'s", "CEO", " ", "quit", "\n"]),
        ("Tmall (天猫)", ["Tmall", "(", "天猫", ")"]),
    ],
)
def test_texts_and_lowers_are_the_token_loop(text: str, expected: list[str]) -> None:
    doc = NLP(text)
    assert texts(doc) == [t.text for t in doc] == expected
    assert lowers(doc) == [t.lower_ for t in doc] == [w.lower() for w in expected]
    assert texts(doc) is texts(doc)  # built once per Doc


def test_texts_of_a_retokenized_doc_are_read_again() -> None:
    doc = NLP("New York Times")
    assert texts(doc) == ["New", "York", "Times"]
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])
    assert texts(doc) == ["New York", "Times"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No years here.", None),
        ("In 2004 and 2005, then 2005 again.", 2005),
        ("Founded in 1875; by 2010 and in 1875.", 1875),
        ("Sales in 2004 and 2005.", 2005),           # equals: the latest
        ("Codes 1799 and 2100 are no years.", None),
        ("In ２００４ and 2004 and 2005.", 2005),       # full-width digits are no year
    ],
)
def test_latest_year_is_the_plain_count(text: str, expected: int | None) -> None:
    doc = NLP(text)
    counts: dict[int, int] = {}
    for token in doc:
        if is_year(token):
            counts[int(token.text)] = counts.get(int(token.text), 0) + 1
    plain = max(counts, key=lambda y: (counts[y], y)) if counts else None
    assert latest_year(doc) == plain == expected


def with_lemmas(doc: Doc) -> Doc:
    """A blank pipeline has no lemmatizer: each token's lemma is its lower-case word."""
    for token in doc:
        token.lemma_ = token.lower_
    return doc


LEXICON = Lexicon({
    "actions": [{"id": "buy", "action": "acquire", "lemmas": ["buy", "acquire"]}],
    "suggestion_verbs": [{"id": "urge", "lemmas": ["urge"]}],
    "necessity": {"id": "need", "adjectives": ["necessary"], "nouns": ["changes"]},
    "nominal": {"id": "nom", "nouns": ["reorganisation"], "verbs": ["involve"]},
    "directive_nouns": {"records": [{"id": "takeover", "action": "acquire",
                                      "nouns": ["takeover", "buy-back"]}]},
})


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [
        ("Acme will buy Beta", 2, True),          # an action lemma
        ("Acme will sell Beta", 2, False),
        ("They urge change", 1, True),             # a suggestion lemma
        ("Changes are necessary", 2, True),        # a necessity adjective
        ("The reorganisation involves", 1, True),  # a nominal noun
        ("The takeover of Beta", 1, True),         # a directive noun
        ("The TAKEOVER of Beta", 1, True),
        ("a buy - back", 3, True),                 # "x - noun": the compound noun_record reads
        ("a quiet - day", 3, True),                # (any word after a hyphen is kept)
        ("The weather of Beta", 1, False),
    ],
)
def test_may_cue(text: str, index: int, expected: bool) -> None:
    doc = with_lemmas(NLP(text))
    assert may_cue(doc[index], cue_words(LEXICON)) is expected


def test_may_cue_keeps_every_token_a_detector_reads() -> None:
    """On a blank pipeline (no POS; the lemma is the word) no token a detector
    returns a candidate for is skipped."""
    doc = with_lemmas(NLP("Acme will buy Beta and urge a takeover; changes are necessary , a buy - back"))
    for token in doc:
        if detect(token, LEXICON, TOKEN_DETECTORS, True) is not None:
            assert may_cue(token, cue_words(LEXICON))


def test_cue_words_are_built_once_per_lexicon() -> None:
    assert cue_words(LEXICON) is cue_words(LEXICON)
    assert cue_words(Lexicon()).lemmas == frozenset()


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({}, False),
        ({1: ("role_title", "chief executive")}, True),
        ({0: ("role_verb", "founder")}, True),
        ({1: ("role_title", "")}, True),          # set, even to "": the plain loop looks
    ],
)
def test_has_token_tags(tags: dict[int, tuple[str, str]], expected: bool) -> None:
    doc: Doc = NLP("Acme chief Jane")
    doc[0:2]._.provenance = {"stage": "ner"}  # a span's value is no token tag
    for i, (name, value) in tags.items():
        setattr(doc[i]._, name, value)
    assert _has_token_tags(doc) is expected


def test_cue_tokens_of_a_doc_are_the_tokens_may_cue_accepts() -> None:
    from pipeline.stages.directives.candidates import cue_tokens

    doc = with_lemmas(NLP("Acme will buy Beta. They urge change; the TAKEOVER of Beta and a "
                          "buy - back are necessary. The weather of Beta."))
    cues = cue_words(LEXICON)
    found = cue_tokens(doc, cues)
    assert found == [t.i for t in doc if may_cue(t, cues)]
    assert len(found) >= 6 and cue_tokens(doc, cues) is found  # read once per Doc
