"""Memory zones reach the lemmatizer's cache (pipeline/zones.py): a long feed of new words
leaves nothing behind per word, the model's own words stay cached from block to block, and the
lemmas are those of a run without zones."""

from __future__ import annotations

from spacy.language import Language

TEXTS = ["Vounbenba Klouxvimba runs Draithol Holdings, which bought the zaivertas of Labs.",
         "Shares in Draithol Holdings rose 5% as analysts cheered the groblins and blorfed deals."]
NEW_WORDS = {"zaivertas", "groblins", "blorfed"}  # words no other test uses: strings of the zone only


def cached_words(nlp: Language) -> set[str]:
    lemmatizer = nlp.get_pipe("lemmatizer")
    return {nlp.vocab.strings[key[0]] for key in lemmatizer.cache if key[0] in nlp.vocab.strings}


def test_the_words_a_memory_zone_added_leave_the_lemmatizer_cache(nlp: Language) -> None:
    lemmatizer = nlp.get_pipe("lemmatizer")
    lemmatizer.cache.clear()
    with nlp.memory_zone():
        inside = [[t.lemma_ for t in doc] for doc in nlp.pipe(TEXTS)]
        assert NEW_WORDS | {"rose", "analysts"} <= cached_words(nlp)
    with nlp.memory_zone():  # the store has forgotten the new words: so has the cache
        assert all(key[0] in nlp.vocab.strings for key in lemmatizer.cache)
        kept = cached_words(nlp)
        assert {"rose", "analysts", "deals"} <= kept  # the model's own words stay warm
        assert not NEW_WORDS & {nlp.vocab.strings[k[0]] for k in lemmatizer.cache
                                if k[0] in nlp.vocab.strings}
        again = [[t.lemma_ for t in doc] for doc in nlp.pipe(TEXTS)]
    lemmatizer.cache.clear()
    outside = [[t.lemma_ for t in doc] for doc in nlp.pipe(TEXTS)]  # no zone, a cold cache
    assert inside == again == outside


def test_the_cache_does_not_grow_with_blocks_of_new_words(nlp: Language) -> None:
    lemmatizer = nlp.get_pipe("lemmatizer")
    sizes = []
    for block in range(4):
        with nlp.memory_zone():
            sizes.append(len(lemmatizer.cache))  # what the earlier blocks left
            words = ", ".join(f"the zq{block}x{i}vens" for i in range(200))
            list(nlp.pipe([f"They bought {words} and shares."]))
            assert len(lemmatizer.cache) > sizes[-1] + 50  # many of the block's new nouns, cached
    assert sizes[1] == sizes[2] == sizes[3]
