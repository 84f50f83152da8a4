"""Memory zones reach the lemmatizer's cache (pipeline/zones.py): a long feed of new words
leaves nothing behind per word, and the lemmas are those of a run without zones."""

from __future__ import annotations

from spacy.language import Language


def test_the_lemmatizer_cache_is_emptied_when_a_memory_zone_closes(nlp: Language) -> None:
    lemmatizer = nlp.get_pipe("lemmatizer")
    texts = ["Vounbenba Klouxvimba runs Draithol Holdings, which bought Zaiverta Labs.",
             "Shares in Draithol Holdings rose 5% as analysts cheered the deals."]
    outside = [[t.lemma_ for t in doc] for doc in nlp.pipe(texts)]
    assert lemmatizer.cache  # filled by a run outside any zone
    lemmatizer.cache.clear()
    with nlp.memory_zone():
        inside = [[t.lemma_ for t in doc] for doc in nlp.pipe(texts)]
        assert lemmatizer.cache
    assert not lemmatizer.cache
    assert inside == outside
