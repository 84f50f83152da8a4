"""Property tests on the real pipeline: any text is processed without error, and every
offset the pipeline hands out (entities, claim spans, mentions inside claims, stored
evidence and sentences) indexes the text exactly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.claims import CLAIM_KEYS
from pipeline.extract import doc_claims, pipeline_info

pytestmark = pytest.mark.integration

MENTION_KEYS = ("actor", "subject", "person", "org")
SETTINGS = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# Characters drawn with a bias towards the troublesome ones; the last branch is any code
# point but surrogates (which cannot be in a str that is written as UTF-8).
CHARACTERS = st.one_of(
    st.sampled_from(list("\x00\x01\x07\t\n\x0b\x0c\r\x1b\x7f\x85\x9f\xa0\u00ad\u200b\u200d"
                         "\u2028\u2029\u202e\u3000\ufeff\ufffd")),          # controls, spaces
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),                  # ASCII
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),              # CJK
    st.sampled_from(list("（）【】「」，。、：；！？％")),                      # full-width punct.
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),            # emoji
    st.sampled_from(["\u200d", "\ufe0f", "\U0001F3FB"]),                    # emoji joiners
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),              # combining marks
    st.characters(codec="utf-8", exclude_categories=("Cs",)),               # anything
)
RANDOM_TEXT = st.text(alphabet=CHARACTERS, max_size=400)

NEWS_WORDS = [
    "Alibaba", "Alibaba Group Holding", "Alibaba's", "Jack Ma", "Ma", "Trudy Dai Shan",
    "Daniel Zhang", "CFO Li Bo (李博)", "(戴珊)", "（戴珊）", "戴珊", "Taobao", "Tmall",
    "Taobao/Tmall Commerce Group", "CEO", "chief executive", "head of", "co-founder", "about 50%",
    "more than 80 per cent", ">75%", "from 10% to 20%", "3 percentage points", "50 %", "%",
    "restructure", "restructured", "will spin off", "appointed", "said", "told", "suggested",
    "revenue", "market share", "rose", "fell", "in 2022", "last year", "Q3", "the", "its",
    "and", "of", "'s", "’s", ",", ".", ";", ":", "—", "–", "-", "“", "”", "\"", "'", "(", ")",
    "\n", "\r\n", "\n\n", "\r", "\t", "Advertisement", "Reading Time:2 minutes", "1.", "2.",
]
SEPARATORS = [" ", " ", " ", "", "\n", "\r\n", ", ", ". ", " — ", "  ", "\u00a0", "\t"]


@st.composite
def news_like(draw: st.DrawFn) -> str:
    """Business-news words and phrases mixed with short runs of random characters."""
    parts = draw(st.lists(st.one_of(st.sampled_from(NEWS_WORDS), st.sampled_from(NEWS_WORDS),
                                    st.text(alphabet=CHARACTERS, max_size=6)), max_size=70))
    separators = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(parts),
                               max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, separators, strict=True))


def mentions(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """Mention dicts in a claim's fields: actor/subject/person/org and each target, plus any
    other dict shaped like a mention."""
    found = [fields[k] for k in MENTION_KEYS if isinstance(fields.get(k), dict)]
    found.extend(t for t in fields.get("targets") or [] if isinstance(t, dict))
    for key, value in fields.items():
        if key not in (*MENTION_KEYS, "targets") and isinstance(value, dict) \
                and {"text", "start", "end"} <= set(value):
            found.append(value)
    return found


def check_text(nlp, text: str) -> None:
    doc = nlp(text)
    assert doc.text == text
    for ent in doc.ents:
        assert text[ent.start_char:ent.end_char] == ent.text, ent
    for key in CLAIM_KEYS:
        for span in doc.spans.get(key, []):
            assert text[span.start_char:span.end_char] == span.text, (key, span)
            fields = span._.claim["fields"]
            for value in (fields.get(k) for k in MENTION_KEYS):
                assert value is None or isinstance(value, dict), (key, fields)
            for mention in mentions(fields):
                assert text[mention["start"]:mention["end"]] == mention["text"], (key, mention)
    for claim in doc_claims(doc, "d" * 64, pipeline_info(nlp)):
        ev = claim.evidence
        assert ev.text and text[ev.start:ev.end] == ev.text, claim
        assert text[ev.sentence_start:ev.sentence_start + len(ev.sentence)] == ev.sentence, claim
        assert ev.sentence_start <= ev.start, claim
        for mention in mentions(claim.fields):
            assert text[mention["start"]:mention["end"]] == mention["text"], (claim, mention)


@SETTINGS
@given(text=RANDOM_TEXT)
@example(text="")
@example(text="\r\n\r\n")
@example(text="\x00Alibaba\x00")
@example(text="e\u0301\u0301\u0301 Alibaba 👩🏻‍💼 戴珊（CEO）")
def test_random_unicode_text(nlp, text):
    check_text(nlp, text)


@SETTINGS
@given(text=news_like())
@example(text="Alibaba's CEO Daniel Zhang said about 50% of revenue will restructure.\r\n"
              "Trudy Dai Shan (戴珊), head of Taobao, suggested Tmall restructure — again.")
@example(text="CFO Li Bo (李博)\r\n(戴珊)\r\nabout 50%\r\n—\r\nJack Ma")
def test_news_like_text(nlp, text):
    check_text(nlp, text)
