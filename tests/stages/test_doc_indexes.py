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
from pipeline.stages.doc_index import flags, lowers, texts
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


def token_loop_flags(doc: Doc) -> list[tuple]:
    """What ``flags`` stands for, read token by token."""
    return [(t.text, t.lower_, t.is_lower, t.is_title, t.is_alpha, t.is_punct, t.is_space, t.is_stop,
             t.like_num, t.pos_, bool(t.is_sent_start), t.idx) for t in doc]


def flag_rows(doc: Doc) -> list[tuple]:
    f = flags(doc)
    return list(zip(f.text, f.lower, f.is_lower, f.is_title, f.is_alpha, f.is_punct, f.is_space,
                    f.is_stop, f.like_num, f.pos, f.sent_start, f.idx, strict=True))


FLAG_TEXTS = ["", "x", "Mr Smith's 5 dogs'  \n quit. The FIRM, a maker - of 3.5% ~ things!",
              "Tmall (天猫) and Taobao’s  unit\n\nNew York-based Acme Corp. (ACME) rose 12%."]


@pytest.mark.parametrize("text", FLAG_TEXTS)
def test_flags_are_the_token_loop_on_a_blank_pipeline(text: str) -> None:
    doc = NLP(text)
    assert flag_rows(doc) == token_loop_flags(doc)
    assert flags(doc) is flags(doc)  # built once per Doc
    for start in range(len(doc) + 1):
        for end in range(start, len(doc) + 1):
            assert flags(doc).span_text(start, end, doc.text) == doc[start:end].text


@pytest.mark.parametrize("text", FLAG_TEXTS)
def test_flags_are_the_token_loop_after_the_tagger_and_parser(nlp, text: str) -> None:
    doc = nlp(text)
    assert flag_rows(doc) == token_loop_flags(doc)
    if len(doc) > 3:  # the model set parts of speech and sentence starts: they are read
        assert any(f for f in flags(doc).pos) and sum(flags(doc).sent_start) >= 1


def test_flags_of_a_retokenized_doc_are_read_again() -> None:
    doc = NLP("New York Times rose")
    assert flags(doc).text[0] == "New"
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])
    assert flag_rows(doc) == token_loop_flags(doc)


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


def test_actions_by_lemma_keeps_lexicon_order_and_is_built_once() -> None:
    from pipeline.stages.directives.candidates import actions_by_lemma

    lexicon = Lexicon({"actions": [
        {"id": "buy_stake", "action": "acquire", "lemmas": ["buy", "take"]},
        {"id": "sell", "action": "divest", "lemmas": ["sell"]},
        {"id": "buy", "action": "acquire", "lemmas": ["buy", "buy"]},
    ]})
    index = actions_by_lemma(lexicon)
    assert [r["id"] for r in index["buy"]] == ["buy_stake", "buy"]  # the first that holds wins
    assert [r["id"] for r in index["take"]] == ["buy_stake"] and "cut" not in index
    assert actions_by_lemma(lexicon) is index
    assert actions_by_lemma(Lexicon()) == {}
