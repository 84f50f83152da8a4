"""Per-Doc word lists shared by the stages, built once per Doc instead of once per stage and loop.

Iterating a Doc makes a Python ``Token`` object per token, and ``doc[i].text`` makes one per
access; the stages read the words of every token several times over. ``texts(doc)`` and
``lowers(doc)`` read them in one array call and keep them for the Doc's lifetime (a weak
reference, so nothing is stored on the Doc or serialised with it). The words of a Doc only change
when it is re-tokenized, which changes its length: a list of another length is built anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from spacy.attrs import (
    DEP,
    IDX,
    IS_ALPHA,
    IS_LOWER,
    IS_PUNCT,
    IS_SPACE,
    IS_STOP,
    IS_TITLE,
    LEMMA,
    LIKE_NUM,
    LOWER,
    ORTH,
    POS,
    SENT_START,
)
from spacy.parts_of_speech import NAMES as POS_NAMES
from spacy.tokens import Doc

_INDEX: WeakKeyDictionary[Doc, dict[Any, Any]] = WeakKeyDictionary()
_FLAGS = "flags"
_FLAG_ATTRS = [IS_LOWER, IS_TITLE, IS_ALPHA, IS_PUNCT, IS_SPACE, IS_STOP, LIKE_NUM, POS, SENT_START, IDX]


def _cache(doc: Doc) -> dict[Any, Any]:
    """What is kept for ``doc`` (made empty on first use)."""
    cached = _INDEX.get(doc)
    if cached is None:
        cached = _INDEX[doc] = {}
    return cached


def _words(doc: Doc, attr: int) -> list[str]:
    """The strings of ``attr`` (ORTH, LOWER, LEMMA or DEP) for every token, cached per Doc."""
    cached = _cache(doc)
    words = cached.get(attr)
    if words is None or len(words) != len(doc):
        strings = doc.vocab.strings
        words = cached[attr] = [strings[key] for key in doc.to_array(attr).tolist()]
    return words


def texts(doc: Doc) -> list[str]:
    """``[t.text for t in doc]``."""
    return _words(doc, ORTH)


def lowers(doc: Doc) -> list[str]:
    """``[t.lower_ for t in doc]``."""
    return _words(doc, LOWER)


def lemmas(doc: Doc) -> list[str]:
    """``[t.lemma_ for t in doc]`` (read after the lemmatizer: a Doc's lemmas are set once)."""
    return _words(doc, LEMMA)


def deps(doc: Doc) -> list[str]:
    """``[t.dep_ for t in doc]`` (read after the parser)."""
    return _words(doc, DEP)


@dataclass(frozen=True)
class TokenFlags:
    """Per token of a Doc, what ``Token`` would say: ``is_lower[i] == doc[i].is_lower`` and so on,
    ``pos[i] == doc[i].pos_``, ``sent_start[i] == bool(doc[i].is_sent_start)``, ``idx[i] ==
    doc[i].idx``, with ``text`` and ``lower`` the word lists of ``texts`` and ``lowers``."""

    text: list[str]
    lower: list[str]
    is_lower: list[bool]
    is_title: list[bool]
    is_alpha: list[bool]
    is_punct: list[bool]
    is_space: list[bool]
    is_stop: list[bool]
    like_num: list[bool]
    pos: list[str]
    sent_start: list[bool]
    idx: list[int]

    def span_text(self, start: int, end: int, text: str) -> str:
        """``doc[start:end].text``, cut from the Doc's ``text``."""
        if start >= end:
            return ""
        return text[self.idx[start]:self.idx[end - 1] + len(self.text[end - 1])]


def flags(doc: Doc) -> TokenFlags:
    """The ``TokenFlags`` of a Doc, built in one array call and cached like the word lists. Part
    of speech and sentence starts are those of the moment of the first call: read it only in
    stages after the tagger and the parser (or senter)."""
    cached = _cache(doc)
    found = cached.get(_FLAGS)
    if found is None or len(found.text) != len(doc):
        if len(doc):
            rows = doc.to_array(_FLAG_ATTRS).T.tolist()
        else:
            rows = [[] for _ in _FLAG_ATTRS]
        lower_, title, alpha, punct, space, stop, num, pos, sent, idx = rows
        found = cached[_FLAGS] = TokenFlags(
            text=texts(doc), lower=lowers(doc), is_lower=[v == 1 for v in lower_],
            is_title=[v == 1 for v in title], is_alpha=[v == 1 for v in alpha],
            is_punct=[v == 1 for v in punct], is_space=[v == 1 for v in space],
            is_stop=[v == 1 for v in stop], like_num=[v == 1 for v in num],
            pos=[POS_NAMES[v] for v in pos], sent_start=[v == 1 for v in sent], idx=idx)
    return found
