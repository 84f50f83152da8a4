"""Memory zones that reach every cache of the pipeline.

``nlp.memory_zone()`` frees the strings and lexemes a block of documents added, and asks each
component with a ``memory_zone`` method to do the same. spaCy's rule ``Lemmatizer`` has none: its
cache of (word, tag, morphology) -> lemmas grows by an entry for every new word, forever, so a
long feed full of new names grows by about a megabyte per 100k words. ``forget_on_zone_exit``
gives such a component a ``memory_zone`` that empties the cache when the zone closes (a cache
only: the next block fills it again).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from spacy.language import Language
from spacy.pipeline import Lemmatizer


@contextmanager
def _clearing(pipe: Any, mem: Any = None) -> Iterator[None]:
    try:
        yield
    finally:
        pipe.cache.clear()


def forget_on_zone_exit(nlp: Language) -> Language:
    """Give every lemmatizer without a ``memory_zone`` one that clears its cache on exit."""
    for _, pipe in nlp.pipeline:
        if isinstance(pipe, Lemmatizer) and not hasattr(pipe, "memory_zone") \
                and isinstance(getattr(pipe, "cache", None), dict):
            pipe.memory_zone = lambda mem=None, pipe=pipe: _clearing(pipe, mem)
    return nlp
