"""Entity resolution: which ORG and PERSON mentions name the same real-world entity, within an
article and across the store. ``names``: mentions, records, normalisation and name keys;
``document``: clustering one document's mentions; ``aliases``: the alias table; ``index``: the
store-wide record index; ``resolver``: ``EntityResolver``, which clusters a document and places each
cluster among the store's entities. Pure Python, no spaCy."""

from .names import (
    EntityRecord,
    Mention,
    NameLexicon,
    acronym_matches,
    default_lexicon,
    entity_id,
    entity_key,
    is_acronym,
    is_cross_document_name,
    is_non_latin_name,
    load_alias_file,
    load_lexicon,
    mention_from_claim,
    normalise_text,
    person_tokens,
    records_from_jsonl,
    same_entity,
)
from .resolver import EntityResolver

__all__ = ["EntityRecord", "EntityResolver", "Mention", "NameLexicon", "acronym_matches", "default_lexicon",
           "entity_id", "entity_key", "is_acronym", "is_cross_document_name", "is_non_latin_name",
           "load_alias_file", "load_lexicon", "mention_from_claim", "normalise_text", "person_tokens",
           "records_from_jsonl", "same_entity"]
