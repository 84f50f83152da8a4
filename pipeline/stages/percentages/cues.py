"""The percentage cue lexicon (``percentage_cues.json``) compiled into lookup tables."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

WHITESPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """Lower-case with runs of whitespace collapsed, for matching lexicon terms."""
    return WHITESPACE.sub(" ", text).strip().lower()


@dataclass
class Cues:
    """The lexicon compiled into lookup tables."""

    default_qualifier: str = "exactly"
    qualifiers: dict[str, str] = field(default_factory=dict)
    signs: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)
    tens: set[str] = field(default_factory=set)
    ones: set[str] = field(default_factory=set)
    from_words: set[str] = field(default_factory=set)
    baseline_verbs: set[str] = field(default_factory=set)
    levels: set[str] = field(default_factory=set)
    phrasal: dict[str, str | None] = field(default_factory=dict)
    to_words: set[str] = field(default_factory=set)
    directions: dict[str, str | None] = field(default_factory=dict)
    change_noun_preps: set[str] = field(default_factory=set)
    noun_owner_preps: set[str] = field(default_factory=set)
    clause_owner_preps: set[str] = field(default_factory=set)
    pronouns: dict[str, set[str]] = field(default_factory=dict)
    reporting: set[str] = field(default_factory=set)
    public_measures: set[str] = field(default_factory=set)
    holdings: set[str] = field(default_factory=set)
    holding_preps: set[str] = field(default_factory=set)
    temporal: list[tuple[str, ...]] = field(default_factory=list)
    when_preps: set[str] = field(default_factory=set)
    comparisons: list[tuple[str, ...]] = field(default_factory=list)
    comparison_dates: tuple[str, ...] = ()
    metric_preps: set[str] = field(default_factory=set)
    not_when: set[str] = field(default_factory=set)
    generic_organisations: set[str] = field(default_factory=set)
    holding_verbs: set[str] = field(default_factory=set)
    change_words: dict[str, str] = field(default_factory=dict)
    currencies: set[str] = field(default_factory=set)
    macro_heads: set[str] = field(default_factory=set)
    populations: set[str] = field(default_factory=set)
    demonyms: dict[str, str] = field(default_factory=dict)
    forecast_nouns: set[str] = field(default_factory=set)
    clock_zones: set[str] = field(default_factory=set)
    growth_words: set[str] = field(default_factory=set)

    @classmethod
    def from_lexicon(cls, lexicon: dict[str, Any]) -> "Cues":
        """Compile the JSON lexicon; missing keys just leave a table empty."""

        def terms(key: str) -> Iterable[tuple[dict[str, Any], str]]:
            for record in lexicon.get(key, []):
                for term in record.get("terms", []):
                    yield record, norm(term)

        def lemmas(key: str) -> Iterable[tuple[dict[str, Any], str]]:
            for record in lexicon.get(key, []):
                for lemma in record.get("lemmas", []):
                    yield record, lemma.lower()

        cues = cls(default_qualifier=lexicon.get("default_qualifier", "exactly"))
        cues.qualifiers = {t: r["id"] for r, t in terms("qualifiers")}
        cues.signs = {t: r["direction"] for r, t in terms("signs")}
        cues.units = {t: r["id"] for r, t in terms("units")}
        for record in lexicon.get("number_words", []):
            values = {norm(k): float(v) for k, v in record.get("values", {}).items()}
            cues.numbers.update(values)
            if record["id"] == "tens":
                cues.tens.update(values)
            elif record["id"] == "ones":
                cues.ones.update(k for k, v in values.items() if 0 < v < 10)
        for record, term in terms("change_prepositions"):
            if record["id"] == "from":
                cues.from_words.add(term)
            elif record["id"] == "to":
                cues.to_words.add(term)
            elif record["id"] == "baseline_verbs":
                cues.baseline_verbs.add(term)
        cues.directions = {lemma: r.get("direction") for r, lemma in lemmas("direction_words")
                           if " " not in lemma}
        cues.phrasal = {lemma: r.get("direction") for r, lemma in lemmas("direction_words")
                        if " " in lemma}
        cues.levels = {t for _, t in terms("level_nouns")}
        cues.change_noun_preps = {t for _, t in terms("change_noun_prepositions")}
        for record, term in terms("owner_prepositions"):
            target = cues.clause_owner_preps if record["id"] == "clause_owner" else cues.noun_owner_preps
            target.add(term)
        for record, term in terms("possessive_pronouns"):
            cues.pronouns[term] = set(record.get("labels", []))
        cues.reporting = {lemma for _, lemma in lemmas("reporting_verbs")}
        cues.public_measures = {t for _, t in terms("public_measures")}
        cues.holdings = {t for _, t in terms("holding_nouns")}
        cues.holding_preps = {norm(p) for r in lexicon.get("holding_nouns", [])
                              for p in r.get("prepositions", [])}
        cues.temporal = sorted({tuple(t.split(" ")) for _, t in terms("temporal_adverbs")},
                               key=len, reverse=True)
        cues.when_preps = {t for _, t in terms("when_prepositions")}
        cues.comparisons = sorted({tuple(t.split(" ")) for _, t in terms("comparison_cues")},
                                  key=len, reverse=True)
        cues.not_when = {t for _, t in terms("not_when")}
        cues.comparison_dates = tuple(sorted({t for _, t in terms("comparison_dates")}))
        cues.metric_preps = {t for _, t in terms("metric_prepositions")}
        cues.generic_organisations = {t for _, t in terms("generic_organisations")}
        cues.holding_verbs = {lemma for _, lemma in lemmas("holding_verbs")}
        cues.change_words = {lemma: r["word"] for r, lemma in lemmas("change_words")}
        cues.currencies = {t for _, t in terms("currency_words")}
        cues.macro_heads = {t for _, t in terms("macro_measures")}
        cues.populations = {t for _, t in terms("population_nouns")}
        cues.clock_zones = {t for _, t in terms("clock_zones")}
        for record, lemma in lemmas("forecast_words"):
            (cues.growth_words if record["id"] == "growth" else cues.forecast_nouns).add(lemma)
        for record in lexicon.get("demonyms", []):
            cues.demonyms.update({norm(k): v for k, v in record.get("countries", {}).items()})
        return cues
