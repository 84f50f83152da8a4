"""How claim stages hand their claims to the store: spans in ``doc.spans[key]`` with
``span._.claim`` = {"type", "fields", "rule", "score"}.

The span is the claim's evidence. Fields that name an entity hold a mention dict
(``mention(span)``: text, label and character offsets), so a store can link it later.
"""

import weakref
from typing import Any

from spacy.attrs import SPACY
from spacy.tokens import Doc, Span

from .. import _extensions  # noqa: F401  (registers Span._.claim)
from ..claims import CLAIM_KEYS
from .doc_index import texts

__all__ = ["CLAIM_KEYS", "add_claim", "doc_text", "mention"]

_TEXTS: "weakref.WeakKeyDictionary[Doc, str]" = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc: spaCy rebuilds it from every token on each access,
    so reading it once per span makes a stage quadratic in the document's length. Kept for
    each live Doc (weakly), so stages that each run over a batch of Docs share it too; a Doc's
    text never changes (a re-tokenization keeps it)."""
    text = _TEXTS.get(doc)
    if text is None:  # joined from the word and trailing-space arrays: no Token per token
        spaces = doc.to_array(SPACY).tolist()
        text = _TEXTS[doc] = "".join(word + " " if space else word
                                     for word, space in zip(texts(doc), spaces, strict=True))
    return text


def mention(span: Span | None) -> dict[str, Any] | None:
    """A JSON-ready reference to an entity mention (None stays None)."""
    if span is None:
        return None
    return {"text": span.text, "label": span.label_, "start": span.start_char,
            "end": span.end_char}


def add_claim(doc: Doc, key: str, evidence: Span, claim_type: str, fields: dict[str, Any], *,
              rule: str, score: float) -> Span:
    """Append a claim span to ``doc.spans[key]`` and return it; its ``kb_id`` keys the claim, so
    several claims may share the same words."""
    group = doc.spans[key] if key in doc.spans else None
    serial = f"{key}:{len(doc._.claims or ())}"
    span = Span(doc, evidence.start, evidence.end, label=claim_type, span_id=rule, kb_id=serial)
    span._.claim = {"type": claim_type, "fields": fields, "rule": rule, "score": score}
    if group is None:
        doc.spans[key] = [span]
    else:
        group.append(span)
    return span
