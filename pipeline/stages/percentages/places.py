"""Owners that are not organisations: the country of an economy's figure ("Japanese growth",
"in China"), and the surveyed group of "N% of bosses"."""

from spacy.tokens import Doc, Span, Token

from .cues import Cues
from .parse import NOUN_POS

# Modifiers through which a nationality or place describes a measure: "Japanese growth".
PLACE_DEPS = {"amod", "compound", "poss", "nmod"}
PLACE_LABELS = {"GPE", "NORP", "LOC"}
# Clauses that describe a group without naming it: "companies calling it a threat".
CLAUSE_DEPS = {"acl", "relcl"}


def is_macro(noun: Token | None, cues: Cues) -> bool:
    """A measure of an economy or a market: GDP, growth, inflation, prices, its forecasts."""
    if noun is None:
        return False
    words = {t.lower_ for t in noun.subtree} | {t.lemma_.lower() for t in noun.subtree}
    return bool(words & (cues.public_measures | cues.macro_heads))


def place_span(doc: Doc, token: Token, cues: Cues) -> tuple[Span, str] | None:
    """The place entity at ``token`` and the country it names ("Japanese" -> "Japan")."""
    if token.ent_type_ not in PLACE_LABELS:
        return None
    start, end = token.i, token.i + 1
    while start > token.sent.start and doc[start - 1].ent_type_ == token.ent_type_ \
            and doc[start].ent_iob_ != "B":
        start -= 1
    while end < token.sent.end and doc[end].ent_iob_ == "I":
        end += 1
    span = Span(doc, start, end, label="GPE")
    return span, cues.demonyms.get(span.text.lower(), span.text)


def modifier_place(doc: Doc, noun: Token, cues: Cues) -> tuple[Span, str] | None:
    """A nationality or place modifying the measure or its "for"/"of" object: "Japanese
    growth", "Forecasts for Japanese growth", "US growth"."""
    nouns = [noun] + [g for c in noun.children if c.dep_ == "prep" and c.lower_ in {"for", "of", "in"}
                      for g in c.children if g.dep_ == "pobj"]
    for head in nouns:
        for child in head.children:
            if child.dep_ in PLACE_DEPS:
                found = place_span(doc, child, cues)
                if found is not None:
                    return found
    return None


def clause_place(doc: Doc, verb: Token | None, cues: Cues) -> tuple[Span, str] | None:
    """The place of an "in <place>" phrase of the clause: "In the US growth is 6%"."""
    current = verb
    for _ in range(3):
        if current is None:
            return None
        for child in current.children:
            if child.dep_ == "prep" and child.lower_ == "in":
                for obj in child.children:
                    if obj.dep_ != "pobj":
                        continue
                    # "In the US growth is 6%": the place may be parsed as a modifier
                    for token in [obj, *(c for c in obj.children if c.dep_ in PLACE_DEPS)]:
                        found = place_span(doc, token, cues)
                        if found is not None:
                            return found
        if current.dep_ not in {"ccomp", "conj", "xcomp"} or current.head.i == current.i:
            return None
        current = current.head
    return None


def macro_place(doc: Doc, metric_head: Token | None, verb: Token | None,
                cues: Cues) -> tuple[Span, str] | None:
    """The country whose economy a macro figure measures (only for macro measures, or when
    nothing is named as measured: "in China they estimate 15%")."""
    if metric_head is not None:
        found = modifier_place(doc, metric_head, cues)
        if found is not None and is_macro(metric_head, cues):
            return found
    if metric_head is None or is_macro(metric_head, cues):
        return clause_place(doc, verb, cues)
    return None


def population(doc: Doc, part_of: Token | None, cues: Cues) -> Span | None:
    """The surveyed group of "N% of <group>": "90% of large companies around the world",
    "30% of bosses"; not a possessed group ("20% of its staff" is the company's)."""
    if part_of is None or part_of.pos_ not in NOUN_POS or part_of.ent_type_:
        return None
    if part_of.lower_ not in cues.populations and part_of.lemma_.lower() not in cues.populations:
        return None
    if any(c.dep_ == "poss" for c in part_of.children):
        return None
    clauses = {t.i for c in part_of.children if c.dep_ in CLAUSE_DEPS for t in c.subtree}
    tokens = [t for t in part_of.subtree if t.i not in clauses and not t.is_punct
              and not (t.dep_ == "det" and t.head.i == part_of.i)]
    start, end = min(t.i for t in tokens), max(t.i for t in tokens) + 1
    return Span(doc, start, end, label="NORP")
