"""Stage ``newsclaims_percentages``: a claim for every PERCENT entity, with what it measures.

Each final ``PERCENT`` entity in ``doc.ents`` becomes a ``percentage`` claim in
``doc.spans[spans_key]``: value (and range), qualifier, unit, whose measure it is (``subject``),
what is measured (``metric``), when, and for changes ``from``/``to``/``direction``. Subject and
metric come from the dependency parse: the percentage is followed up to the noun it modifies or
the verb that governs it, and that noun phrase (or the verb's subject or object) is read for its
possessor, compound or prepositional owner. All cue words are data
(``models/lexicons/percentage_cues.json``); the rules are the ids in ``RULE_SCORES``.

The steps, in order, one module each: ``reading`` (the span's own words), ``attachment`` (its
place in the parse), ``slots`` with ``owners`` (subject and metric), ``changes``, ``times``.
"""

from .component import LEXICON_FILE, Percentages, make_percentages
from .cues import Cues
from .reading import Reading
from .slots import RULE_SCORES

__all__ = ["LEXICON_FILE", "RULE_SCORES", "Cues", "Percentages", "Reading", "make_percentages"]
