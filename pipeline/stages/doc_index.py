"""Per-Doc word lists shared by the stages, built once per Doc instead of once per stage and loop.

Iterating a Doc makes a Python ``Token`` object per token, and ``doc[i].text`` makes one per
access; the stages read the words of every token several times over. ``texts(doc)`` and
``lowers(doc)`` read them in one array call and keep them for the Doc's lifetime (a weak
reference, so nothing is stored on the Doc or serialised with it). The words of a Doc only change
when it is re-tokenized, which changes its length: a list of another length is built anew.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from spacy.attrs import DEP, LEMMA, LOWER, ORTH
from spacy.tokens import Doc

_INDEX: WeakKeyDictionary[Doc, dict[int, list[str]]] = WeakKeyDictionary()


def _words(doc: Doc, attr: int) -> list[str]:
    """The strings of ``attr`` (ORTH, LOWER, LEMMA or DEP) for every token, cached per Doc."""
    cached = _INDEX.get(doc)
    if cached is None:
        cached = _INDEX[doc] = {}
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
