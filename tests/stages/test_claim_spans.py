"""Claim spans: several claims may state the same words (a role and a directive, two titles)."""

from __future__ import annotations

import pytest
import spacy

from pipeline.claims import stable_id
from pipeline.extract import doc_claims
from pipeline.stages.claim_spans import add_claim, doc_text

INFO = {"model": "blank_en", "model_version": "0"}


def test_claims_on_the_same_words_keep_their_own_fields():
    doc = spacy.blank("en")("Ada Brenner is chairman and chief executive of Norvale.")
    words = doc[0:9]
    add_claim(doc, "roles", words, "role", {"role": "chairman"}, rule="r1", score=0.9)
    add_claim(doc, "roles", words, "role", {"role": "CEO"}, rule="r1", score=0.9)
    add_claim(doc, "directives", words, "directive", {"action": "appoint"}, rule="d", score=0.7)
    assert [s._.claim["fields"] for s in doc.spans["roles"]] == [{"role": "chairman"}, {"role": "CEO"}]
    assert doc.spans["directives"][0]._.claim["fields"] == {"action": "appoint"}


def test_claims_on_the_same_words_get_distinct_stable_ids():
    doc = spacy.blank("en")("Ada Brenner is chairman and chief executive of Norvale.")
    for role in ("chairman", "CEO"):
        add_claim(doc, "roles", doc[0:9], "role", {"role": role}, rule="r1", score=0.9)
    claims = [c for c in doc_claims(doc, "d1", INFO) if c.type == "role"]
    span = doc[0:9]
    # the first claim on a span keeps the id a single claim has always had
    assert claims[0].id == stable_id("d1", "role", span.start_char, span.end_char)
    assert len({c.id for c in claims}) == 2
    assert [c.fields["role"] for c in claims] == ["chairman", "CEO"]


@pytest.mark.parametrize("text", ["", " ", "Acme Corp cut 5% of jobs.", "a  b\n\n c\t d ",
                                  "日本は。ソニー（Sony）", "ends with a space "])
def test_doc_text_is_the_docs_text(text: str) -> None:
    """``doc_text`` joins the words and trailing spaces from arrays: exactly ``doc.text``."""
    doc = spacy.blank("en")(text)
    assert doc_text(doc) == doc.text == text
    assert doc_text(doc) is doc_text(doc)  # once per Doc
