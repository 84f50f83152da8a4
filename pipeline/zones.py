"""Memory zones that reach every cache of the pipeline.

``nlp.memory_zone()`` frees the strings and lexemes a block of documents added, and asks each
component with a ``memory_zone`` method to do the same. spaCy's rule ``Lemmatizer`` has none: its
cache of (word, tag, morphology) -> lemmas grows by an entry for every new word, forever, so a
long feed full of new names grows by about a megabyte per 100k words. ``forget_on_zone_exit``
gives such a component a ``memory_zone`` that drops, when the next zone opens, the entries of
the words the last zone added to the string store (gone from it by then): the entries of the
model's own words ("the", "shares", "rose") stay, so each block does not start with a cold cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from spacy.language import Language
from spacy.pipeline import Lemmatizer


def forget_transient_words(pipe: Any) -> None:
    """Drop the cache entries whose word is no longer in the string store: the words a closed
    memory zone added (the store forgets them when the zone closes, after its components)."""
    strings = pipe.vocab.strings
    gone = [key for key in pipe.cache if key[0] not in strings]
    for key in gone:
        del pipe.cache[key]


@contextmanager
def _forgetting(pipe: Any, mem: Any = None) -> Iterator[None]:
    forget_transient_words(pipe)  # the string store has dropped the last zone's words by now
    yield


def forget_on_zone_exit(nlp: Language) -> Language:
    """Give every lemmatizer without a ``memory_zone`` one that forgets the cache entries of the
    words each zone added (at the next zone's start; see ``forget_transient_words``)."""
    for _, pipe in nlp.pipeline:
        if isinstance(pipe, Lemmatizer) and not hasattr(pipe, "memory_zone") \
                and isinstance(getattr(pipe, "cache", None), dict):
            pipe.memory_zone = lambda mem=None, pipe=pipe: _forgetting(pipe, mem)
    return nlp
