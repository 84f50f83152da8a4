"""Stage ``newsclaims_percentages``: a claim for every PERCENT entity, with what it measures.

Each final ``PERCENT`` entity in ``doc.ents`` becomes a ``percentage`` claim in
``doc.spans[spans_key]``: value (and range), qualifier, unit, whose measure it is (``subject``),
what is measured (``metric``), when, and for changes ``from``/``to``/``direction``. Subject and
metric come from the dependency parse: the percentage is followed up to the noun it modifies or
the verb that governs it, and that noun phrase (or the verb's subject or object) is read for its
possessor, compound or prepositional owner. All cue words are data
(``models/lexicons/percentage_cues.json``); the rules are the ids in ``RULE_SCORES``.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path

from .claim_spans import add_claim, doc_text, mention

LEXICON_FILE = "percentage_cues.json"
WHITESPACE = re.compile(r"\s+")
NUMBER_TEXT = re.compile(r"^[+\-−–]?\d[\d,]*(?:\.\d+)?$|^[+\-−–]?\.\d+$")
VERB_POS = {"VERB", "AUX"}
NOUN_POS = {"NOUN", "PROPN"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
OBJECT_DEPS = {"dobj"}
TIME_LABELS = {"DATE", "TIME"}
# A percentage that hangs on an amount ("$5bn (up 12%)") belongs to what governs the amount.
NUMERIC_LABELS = {"PERCENT", "MONEY", "CARDINAL", "QUANTITY"}
# A date that modifies a noun ("the 10-year Treasury", "annual revenue") is no time reference.
MODIFIER_DEPS = {"amod", "compound", "nmod", "nummod"}
DROP_FROM_METRIC = {"det", "predet", "poss", "case", "punct", "cc", "preconj", "nummod", "quantmod"}
RELATIVE_PRONOUNS = {"which", "that", "who", "whom"}
# Dependencies that start a new clause: "when" looks for dates in the percentage's own clause.
CLAUSE_DEPS = {"ROOT", "ccomp", "advcl", "relcl", "parataxis", "csubj", "csubjpass"}
# Dependencies through which a clause without its own subject shares its head's subject.
SHARED_SUBJECT_DEPS = {"conj", "xcomp", "advcl"}
MAX_CLIMB = 4

# Rule ids and their confidence. A claim's rule is "<metric rule>:<subject rule>" and its score
# the product of the two. Metric rules say where the measured thing was found:
RULE_SCORES: dict[str, float] = {
    # the percentage modifies a noun: "a 5% stake", "a margin of 20%"
    "modified_noun": 0.9,
    # the noun is a change: "a 10% increase in revenue" -> revenue
    "change_noun": 0.85,
    # "10% of its workforce", "about 40% of revenue comes from"
    "percent_of": 0.8,
    # the governing verb's subject noun phrase: "Tesla's shares fell 3%"
    "verb_subject": 0.9,
    # the governing verb's object when the verb has one: "Alibaba raised revenue 10%"
    "verb_object": 0.8,
    # the verb's subject is itself the owner: "Alibaba grew 10%"
    "verb_entity_subject": 0.75,
    # a relative or participle clause: "revenue, which rose 5%," / "revenue rising 5%" -> revenue
    "relative_clause": 0.75,
    # nothing found
    "no_metric": 0.5,
    # Subject rules say where the owner was found:
    "poss": 1.0,                # Tesla's shares
    "poss_propn": 0.8,          # a possessive proper noun the NER missed
    "poss_pronoun": 0.85,       # its / their, resolved to the subject of an enclosing verb
    "compound": 0.95,           # Tesla shares, US retail sales
    "prep": 0.95,               # revenue at Siemens, shares of Tesla
    "clause_subject": 0.9,      # Berkshire bought a 5% stake; Alibaba raised revenue
    "clause_prep": 0.85,        # At Siemens, revenue rose
    "reporting_subject": 0.7,   # Siemens said revenue rose 12%
    "no_subject": 1.0,
}


def _norm(text: str) -> str:
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

    @classmethod
    def from_lexicon(cls, lexicon: dict[str, Any]) -> "Cues":
        """Compile the JSON lexicon; missing keys just leave a table empty."""

        def terms(key: str) -> Iterable[tuple[dict[str, Any], str]]:
            for record in lexicon.get(key, []):
                for term in record.get("terms", []):
                    yield record, _norm(term)

        def lemmas(key: str) -> Iterable[tuple[dict[str, Any], str]]:
            for record in lexicon.get(key, []):
                for lemma in record.get("lemmas", []):
                    yield record, lemma.lower()

        cues = cls(default_qualifier=lexicon.get("default_qualifier", "exactly"))
        cues.qualifiers = {t: r["id"] for r, t in terms("qualifiers")}
        cues.signs = {t: r["direction"] for r, t in terms("signs")}
        cues.units = {t: r["id"] for r, t in terms("units")}
        for record in lexicon.get("number_words", []):
            values = {_norm(k): float(v) for k, v in record.get("values", {}).items()}
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
        cues.holding_preps = {_norm(p) for r in lexicon.get("holding_nouns", [])
                              for p in r.get("prepositions", [])}
        cues.temporal = sorted({tuple(t.split(" ")) for _, t in terms("temporal_adverbs")},
                               key=len, reverse=True)
        cues.when_preps = {t for _, t in terms("when_prepositions")}
        cues.comparisons = sorted({tuple(t.split(" ")) for _, t in terms("comparison_cues")},
                                  key=len, reverse=True)
        cues.not_when = {t for _, t in terms("not_when")}
        cues.comparison_dates = tuple(sorted({t for _, t in terms("comparison_dates")}))
        cues.metric_preps = {t for _, t in terms("metric_prepositions")}
        return cues


@dataclass
class Reading:
    """What one percentage says and where it hangs in the parse."""

    ent: Span
    value: float | None
    range: list[float] | None
    qualifier: str
    unit: str
    sign: str | None
    role: str | None = None            # "from" / "to" when the percentage is a change's end
    anchor: Token | None = None        # the verb or noun the percentage belongs to
    kind: str = "none"                 # "verb" / "noun" / "none"
    path_direction: str | None = None  # "up"/"down" from words passed on the way ("3% higher")
    proxy: Token | None = None         # what the percentage restates: "half" in "half, or 48%,"
    fields: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    score: float = 0.0


class Percentages:
    """Turn every PERCENT entity into a ``percentage`` claim (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "newsclaims_percentages", *,
                 spans_key: str = "percentages", subject_labels: list[str] | None = None,
                 claim_type: str = "percentage") -> None:
        self.name = name
        self.spans_key = spans_key
        self.subject_labels = set(subject_labels or ["ORG", "PERSON", "GPE"])
        self.claim_type = claim_type
        self.lexicon: dict[str, Any] = {"description": "empty", "records": []}
        self.cues = Cues()

    # -- data -------------------------------------------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, lexicon: dict[str, Any] | None = None) -> None:
        """Load the cue lexicon (the parsed ``percentage_cues.json``)."""
        self.set_lexicon(lexicon or {"description": "empty"})

    def set_lexicon(self, lexicon: dict[str, Any]) -> None:
        """Keep the lexicon as given (for ``to_disk``) and compile its lookup tables."""
        self.lexicon = dict(lexicon)
        self.cues = Cues.from_lexicon(self.lexicon)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the lexicon as JSON, so a saved pipeline needs no models folder."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / LEXICON_FILE, self.lexicon)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "Percentages":
        """Load the lexicon saved by ``to_disk``."""
        self.set_lexicon(srsly.read_json(ensure_path(path) / LEXICON_FILE))
        return self

    # -- processing -------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        """One claim per PERCENT entity; changes and times need all of a doc's readings."""
        doc.spans[self.spans_key] = []
        owners = {t.i: ent for ent in doc.ents if ent.label_ in self.subject_labels for t in ent}
        readings = [self._read(ent) for ent in doc.ents if ent.label_ == "PERCENT"]
        percent_tokens = {t.i: r.ent for r in readings for t in r.ent}
        numeric = {t.i for e in doc.ents if e.label_ in NUMERIC_LABELS for t in e}
        for reading in readings:
            self._attach(reading, percent_tokens, numeric)
            self._subject_and_metric(doc, reading, owners, numeric)
        self._changes(readings)
        self._times(doc, readings)
        for reading in readings:
            if reading.fields.get("value") is None:  # "I0%": no number to state a claim about
                continue
            add_claim(doc, self.spans_key, reading.ent, self.claim_type, reading.fields,
                      rule=reading.rule, score=reading.score)
        return doc

    # -- value, qualifier, unit -------------------------------------------------------------
    def _read(self, ent: Span) -> Reading:
        """Value, range, qualifier, unit and sign from the words of the span."""
        numbers: list[float] = []
        first_num: Token | None = None
        last_num: Token | None = None
        previous_word: str | None = None
        for token in ent:
            value = self._number(token)
            if value is None:
                if token.text not in {"-", "–"}:
                    previous_word = None
                continue
            word = token.lower_
            if numbers and previous_word in self.cues.tens and word in self.cues.ones:
                numbers[-1] += value                      # twenty-five, twenty five
            elif numbers and word == "hundred" and previous_word in self.cues.numbers:
                numbers[-1] *= 100                        # one hundred
            else:
                numbers.append(value)
            first_num = first_num or token
            last_num = token
            previous_word = word
        doc = ent.doc
        if first_num is None or last_num is None:
            return Reading(ent, None, None, self.cues.default_qualifier, "percent", None)
        prefix = _norm(doc_text(doc)[ent.start_char:first_num.idx])
        suffix = _norm(doc_text(doc)[last_num.idx + len(last_num):ent.end_char])
        sign = None
        if first_num.text[:1] in self.cues.signs:
            sign = self.cues.signs[first_num.text[:1]]
        elif prefix and prefix.split(" ")[-1] in self.cues.signs:
            sign = self.cues.signs[prefix.split(" ")[-1]]
            prefix = " ".join(prefix.split(" ")[:-1])
        qualifier = self.cues.qualifiers.get(prefix, self.cues.default_qualifier) if prefix \
            else self.cues.default_qualifier
        unit = self.cues.units.get(suffix, "percent")
        numbers = [abs(n) for n in numbers]
        low = min(numbers)
        value_range = [low, max(numbers)] if len(numbers) > 1 else None
        return Reading(ent, low, value_range, qualifier, unit, sign)

    def _number(self, token: Token) -> float | None:
        """The number a token writes ("12", "3.5", "1,000", "five"), else None."""
        text = token.lower_
        if NUMBER_TEXT.match(text):
            cleaned = text.replace(",", "").replace("−", "-").replace("–", "-")
            try:
                return float(cleaned)
            except ValueError:
                return None
        if text in self.cues.numbers:
            return self.cues.numbers[text]
        return None

    # -- where the percentage hangs ---------------------------------------------------------
    def _attach(self, reading: Reading, percent_tokens: dict[int, Span], numeric: set[int]) -> None:
        """Follow the percentage up to its verb or noun, noting a from/to role and direction."""
        token = reading.ent.root
        role: str | None = None
        for _ in range(MAX_CLIMB * 2):
            if token.dep_ == "conj" and token.head.i in percent_tokens:
                token = percent_tokens[token.head.i].root      # "5% and 7%": share the first's place
                continue
            head = token.head
            if head.i != token.i and (token.dep_ == "appos" or (
                    token.dep_ == "conj" and (head.i in numeric or head.like_num))):
                token = reading.proxy = head                   # "23 points, or 0.1%"
                continue
            if token.dep_ == "pobj" and head.pos_ == "ADP" and head.head.lower_ in self.cues.levels \
                    and head.head.i != head.i:
                token = reading.proxy = head.head              # "a seven-year low of 5.3%"
                continue
            if token.dep_ == "pobj" and head.pos_ == "ADP" and head.i != token.i:
                word = head.lower_
                if head.head.lower_ in self.cues.baseline_verbs and head.head.i != head.i:
                    role = role or "from"               # "compared with 7.5% a year earlier"
                    token = head.head
                    continue
                if role is None and word in self.cues.from_words:
                    role = "from"
                elif role is None and word in self.cues.to_words:
                    role = "to"
                if head.head.i in percent_tokens and head.head.i != head.i:
                    token = percent_tokens[head.head.i].root   # "from 10% to 12%": "to" hangs on 10%
                    continue
                token = head
                continue
            break
        reading.role = role
        head = token.head
        if head.i == token.i:
            return
        for _ in range(MAX_CLIMB):
            direction = self._direction(head)
            if head.pos_ in VERB_POS or (head.pos_ in NOUN_POS and head.i not in numeric):
                break
            if any(c.dep_ in SUBJECT_DEPS for c in head.children):
                reading.path_direction = reading.path_direction or direction
                break                                   # a verbless clause: "with prices up 3%"
            if direction is not None and reading.path_direction is None:
                reading.path_direction = direction
            if head.dep_ == "ROOT" or head.head.i == head.i:
                break
            head = head.head
        if head.pos_ in VERB_POS or any(c.dep_ in SUBJECT_DEPS for c in head.children):
            reading.kind, reading.anchor = "verb", head
        elif head.pos_ in NOUN_POS and head.i not in numeric:
            reading.kind, reading.anchor = "noun", head

    def _is_change_word(self, token: Token) -> bool:
        """A word of change ("increase", "drop", "change"), whatever its direction."""
        return token.lemma_.lower() in self.cues.directions or token.lower_ in self.cues.directions

    def _direction(self, token: Token) -> str | None:
        """The direction ("up"/"down") of a word of increase or decrease, else None."""
        for word in (token.lemma_.lower(), token.lower_):
            if word in self.cues.directions:
                return self.cues.directions[word]
        return None

    def _verb_direction(self, verb: Token) -> str | None:
        """A verb's direction, or its particle's for neutral verbs ("went up", "edged down")."""
        particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
        for particle in particles:
            phrase = f"{verb.lemma_.lower()} {particle}"
            if phrase in self.cues.phrasal:
                return self.cues.phrasal[phrase]             # "gave up 6%"
        direction = self._direction(verb)
        if direction is not None:
            return direction
        for child in verb.children:
            if child.dep_ in {"prt", "advmod", "acomp"}:
                direction = self._direction(child)
                if direction is not None:
                    return direction
        return None

    # -- subject and metric -----------------------------------------------------------------
    def _subject_and_metric(self, doc: Doc, reading: Reading, owners: dict[int, Span],
                            numeric: set[int]) -> None:
        """Fill the claim fields; subject and metric by the first rule that applies."""
        ent_tokens = {t.i for t in reading.ent}
        metric_head: Token | None = None
        owner: Span | None = None
        subject_rule = "no_subject"
        metric_rule = "no_metric"
        verb: Token | None = None
        owner_nouns: list[Token] = []        # noun phrases that may name the owner, in order
        of_object = self._of_object(reading)
        if of_object is not None:
            metric_rule = "percent_of"
            verb = self._governing_verb(reading.ent.root)
            if of_object.i not in owners:
                metric_head = of_object
        elif reading.kind == "noun" and reading.anchor is not None:
            noun = reading.anchor
            verb = self._governing_verb(noun)
            if noun.i in owners:
                owner, subject_rule = self._group(doc, noun, owners), "compound"
            elif self._is_change_word(noun):
                metric_rule = "change_noun"
                inner = [c for c in noun.children if c.dep_ == "prep"
                         and c.lower_ in self.cues.change_noun_preps]
                objects = [g for c in inner for g in c.children
                           if g.dep_ == "pobj" and g.i not in ent_tokens and not g.like_num]
                if objects and objects[0].i in owners:
                    owner, subject_rule = self._group(doc, objects[0], owners), "prep"
                elif objects:
                    metric_head = objects[0]
                elif any(c.dep_ in {"compound", "nmod"} and c.i not in ent_tokens
                         for c in noun.lefts):
                    metric_head = noun                  # "Swiss GDP growth of 1.3%"
                owner_nouns.append(noun)
            else:
                metric_rule, metric_head = "modified_noun", noun
        elif reading.kind == "verb" and reading.anchor is not None:
            verb = reading.anchor
            metric_rule, metric_head, owner, subject_rule = self._from_verb(
                doc, verb, reading, owners, ent_tokens, numeric)
        if metric_head is not None:
            owner_nouns.insert(0, metric_head)
        for noun in owner_nouns:
            if owner is None:
                owner, subject_rule = self._noun_owner(doc, noun, owners, ent_tokens)
        if owner is None and verb is not None and metric_rule != "verb_entity_subject":
            public = metric_head is not None and any(
                t.lower_ in self.cues.public_measures for t in metric_head.subtree)
            owner, subject_rule = self._clause_owner(doc, verb, owners, skip=metric_head,
                                                     public=public)
        metric_text = None
        if metric_head is not None:
            exclude = ent_tokens | ({t.i for t in owner} if owner is not None else set())
            metric_text = self._phrase(doc, metric_head, exclude)
        reading.fields = {
            "value": reading.value,
            "range": reading.range,
            "qualifier": reading.qualifier,
            "unit": reading.unit,
            "subject": mention(owner),
            "metric": metric_text,
            "when": None,
            "from": None,
            "to": None,
            "direction": None,
        }
        reading.rule = f"{metric_rule}:{subject_rule}"
        reading.score = round(RULE_SCORES[metric_rule] * RULE_SCORES[subject_rule], 3)

    def _from_verb(self, doc: Doc, verb: Token, reading: Reading, owners: dict[int, Span],
                   ent_tokens: set[int], numeric: set[int]
                   ) -> tuple[str, Token | None, Span | None, str]:
        """Metric and owner for a percentage governed by a verb: its object, else its subject."""
        root = reading.proxy or reading.ent.root
        objects = [c for c in verb.children if c.dep_ in OBJECT_DEPS and c.i not in ent_tokens
                   and c.pos_ != "PRON" and not _is_amount(c, numeric)]
        if objects and root.dep_ not in SUBJECT_DEPS:
            obj = objects[0]
            if obj.i in owners:
                return "verb_object", None, self._group(doc, obj, owners), "compound"
            owner, rule = self._noun_owner(doc, obj, owners, ent_tokens)
            return "verb_object", obj, owner, rule
        if root.dep_ in SUBJECT_DEPS and root.head.i == verb.i:
            return "no_metric", None, None, "no_subject"
        subject, relative_head = self._verb_subject(verb)
        if relative_head is not None:
            if relative_head.i in owners:
                return "verb_entity_subject", None, self._group(doc, relative_head, owners), \
                    "clause_subject"
            return "relative_clause", relative_head, None, "no_subject"
        if subject is None or subject.i in ent_tokens:
            return "no_metric", None, None, "no_subject"
        if subject.i in owners:
            return "verb_entity_subject", None, self._group(doc, subject, owners), "clause_subject"
        if subject.pos_ == "PRON":
            return "no_metric", None, None, "no_subject"
        return "verb_subject", subject, None, "no_subject"

    def _verb_subject(self, verb: Token) -> tuple[Token | None, Token | None]:
        """The verb's subject (through "and", "to" and participle clauses) or, for a relative
        clause, the noun it describes (second item)."""
        current = verb
        for _ in range(MAX_CLIMB):
            subjects = [c for c in current.children if c.dep_ in SUBJECT_DEPS]
            if current.dep_ in {"relcl", "acl"} and current.head.pos_ in NOUN_POS and (
                    not subjects or subjects[0].lower_ in RELATIVE_PRONOUNS):
                return None, current.head
            if subjects:
                return subjects[0], None
            if current.dep_ == "pcomp" and current.head.pos_ == "ADP":
                current = current.head                  # "after slumping 0.9%"
            elif current.dep_ not in SHARED_SUBJECT_DEPS or current.head.i == current.i:
                return None, None
            current = current.head
        return None, None

    @staticmethod
    def _of_object(reading: Reading) -> Token | None:
        """The noun after "of" that the percentage is a part of: "10% of its workforce"."""
        ent = reading.ent
        tokens = [*ent, reading.proxy] if reading.proxy is not None else list(ent)
        for token in tokens:
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of" and (
                        child.i >= ent.end or token is reading.proxy):
                    objects = [g for g in child.children if g.dep_ == "pobj" and not g.like_num
                               and not (ent.start <= g.i < ent.end)]
                    if objects:
                        return objects[0]
        return None

    @staticmethod
    def _governing_verb(token: Token) -> Token | None:
        """The nearest verb above ``token``, if any."""
        current = token
        for _ in range(MAX_CLIMB * 2):
            if current.head.i == current.i:
                return current if current.pos_ in VERB_POS else None
            current = current.head
            if current.pos_ in VERB_POS:
                return current
        return None

    def _noun_owner(self, doc: Doc, noun: Token, owners: dict[int, Span],
                    ent_tokens: set[int]) -> tuple[Span | None, str]:
        """The owner named inside a noun phrase: possessor, compound name, or of/at/for name."""
        for child in noun.lefts:
            if child.dep_ != "poss":
                continue
            if child.lower_ in self.cues.pronouns:
                found = self._antecedent(doc, child, owners, self.cues.pronouns[child.lower_])
                return (found, "poss_pronoun") if found is not None else (None, "no_subject")
            if child.i in owners or any(c.i in owners for c in child.conjuncts):
                return self._group(doc, child, owners), "poss"
            names = [t for t in child.subtree if t.dep_ != "case" and t.pos_ == "PROPN"]
            if names and all(t.pos_ == "PROPN" or t.dep_ == "case" for t in child.subtree):
                return Span(doc, names[0].i, names[-1].i + 1, label="ORG"), "poss_propn"
            return None, "no_subject"
        found: list[tuple[Span, str]] = []
        for child in noun.lefts:
            if child.dep_ in {"det", "predet"} or child.i in ent_tokens:
                continue
            for token in child.subtree:
                if token.i in owners and token.i not in ent_tokens:
                    found.append((owners[token.i], "compound"))
                    break
        for child in noun.rights:
            if noun.lower_ in self.cues.holdings and child.lower_ in self.cues.holding_preps:
                continue                        # a stake in X is its holder's, not X's
            if child.dep_ == "prep" and child.lower_ in self.cues.noun_owner_preps:
                for obj in child.children:
                    if obj.dep_ == "pobj" and obj.i in owners:
                        found.append((self._group(doc, obj, owners), "prep"))
        # an organisation or person beats a place: "US-listed shares of BP" -> BP
        found.sort(key=lambda item: item[0].label_ == "GPE")
        return found[0] if found else (None, "no_subject")

    def _clause_owner(self, doc: Doc, verb: Token | None, owners: dict[int, Span],
                      skip: Token | None = None, public: bool = False) -> tuple[Span | None, str]:
        """The owner from the clause: its subject name, an "At X," phrase, or a reporting name.

        Whoever reports or forecasts a public measure (GDP, inflation) does not own it.
        """
        if verb is None:
            return None, "no_subject"
        if public and verb.lemma_.lower() in self.cues.reporting:
            return None, "no_subject"
        subject, relative_head = self._verb_subject(verb)
        if subject is not None and subject.i in owners and subject is not skip:
            return self._group(doc, subject, owners), "clause_subject"
        if relative_head is not None and relative_head.i in owners:
            return self._group(doc, relative_head, owners), "clause_subject"
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ in self.cues.clause_owner_preps:
                for obj in child.children:
                    if obj.dep_ == "pobj" and obj.i in owners:
                        return self._group(doc, obj, owners), "clause_prep"
        current = verb
        for _ in range(MAX_CLIMB):
            if current.dep_ not in {"ccomp", "xcomp", "conj"} or current.head.i == current.i:
                break
            current = current.head
            if current.lemma_.lower() in self.cues.reporting and not public:
                said_by, _ = self._verb_subject(current)
                if said_by is not None and said_by.i in owners:
                    return self._group(doc, said_by, owners), "reporting_subject"
        return None, "no_subject"

    def _antecedent(self, doc: Doc, pronoun: Token, owners: dict[int, Span],
                    labels: set[str]) -> Span | None:
        """A possessive pronoun's owner: the named subject of an enclosing clause, else the
        nearest name before it in the sentence."""
        if pronoun.lower_ == "whose":
            for ancestor in pronoun.ancestors:
                if ancestor.dep_ == "relcl" and ancestor.head.i in owners:
                    return self._group(doc, ancestor.head, owners)
            return None
        for ancestor in pronoun.ancestors:
            if ancestor.pos_ not in VERB_POS:
                continue
            subject, _ = self._verb_subject(ancestor)
            if subject is not None and subject.i in owners and owners[subject.i].label_ in labels:
                return self._group(doc, subject, owners)
        before = [e for e in {id(s): s for s in owners.values()}.values()
                  if e.end <= pronoun.i and e.start >= pronoun.sent.start and e.label_ in labels]
        return max(before, key=lambda e: e.start) if before else None

    @staticmethod
    def _group(doc: Doc, token: Token, owners: dict[int, Span]) -> Span:
        """The owner entity at ``token``, stretched over its conjuncts ("Taobao & Tmall")."""
        names = [owners[t.i] for t in [token, *token.conjuncts] if t.i in owners]
        if not names:
            return owners[token.i]
        first = min(names, key=lambda e: e.start)
        last = max(names, key=lambda e: e.end)
        return Span(doc, first.start, last.end, label=first.label_)

    def _phrase(self, doc: Doc, noun: Token, exclude: set[int]) -> str | None:
        """The measured noun phrase as written, without determiners, possessor or owner."""
        keep = {noun.i}
        for child in noun.lefts:
            if child.dep_ in DROP_FROM_METRIC or child.i in exclude:
                continue
            subtree = {t.i for t in child.subtree}
            if subtree & exclude:
                continue
            keep |= subtree
        for child in noun.rights:
            if child.dep_ == "prep" and child.lower_ in self.cues.metric_preps:
                subtree = {t.i for t in child.subtree}
                objects = [g for g in child.children if g.dep_ == "pobj"]
                if objects and not subtree & exclude and not any(
                        doc[i].ent_type_ in TIME_LABELS | {"PERCENT", "MONEY"} for i in subtree):
                    keep |= subtree
            elif child.dep_ == "compound" or (child.dep_ == "appos" and child.left_edge.i == max(keep) + 1):
                keep |= {t.i for t in child.subtree}       # "tier 1 ratio" parsed as apposition
        keep = {i for i in keep if not doc[i].is_bracket}
        start = end = noun.i                    # the unbroken run of kept words around the noun
        while start - 1 in keep:
            start -= 1
        while end + 1 in keep:
            end += 1
        while start < end and (doc[start].is_punct or doc[start].dep_ in {"det", "predet"}):
            start += 1
        while end > start and doc[end].is_punct:
            end -= 1
        text = doc_text(doc)[doc[start].idx:doc[end].idx + len(doc[end])]
        return text or None

    # -- changes ----------------------------------------------------------------------------
    def _changes(self, readings: list[Reading]) -> None:
        """from/to/direction: two percentages of one change, or one with a change word."""
        groups: dict[int, list[Reading]] = {}
        for reading in readings:
            if reading.anchor is not None:
                groups.setdefault(reading.anchor.i, []).append(reading)
        paired: set[int] = set()
        for members in groups.values():
            starts = [r for r in members if r.role == "from"]
            ends = [r for r in members if r.role == "to"]
            if not ends:
                # "came in at 11.9%, compared with 7.5%": the one other percentage is the end
                others = [r for r in members if r.role is None]
                ends = others if len(others) == 1 else []
            if not starts or not ends:
                continue
            start, end = starts[0], ends[0]
            direction = self._anchor_direction(start) or start.path_direction
            if direction is None and start.value is not None and end.value is not None \
                    and start.value != end.value:
                direction = "up" if end.value > start.value else "down"
            for reading in (start, end):
                reading.fields.update({"from": start.value, "to": end.value,
                                       "direction": direction})
                paired.add(id(reading))
        for reading in readings:
            if id(reading) in paired:
                continue
            direction = reading.path_direction or self._anchor_direction(reading)
            if direction is None and reading.sign is not None:
                direction = reading.sign
            reading.fields["direction"] = direction

    def _anchor_direction(self, reading: Reading) -> str | None:
        """The direction of the verb or noun the percentage belongs to."""
        if reading.anchor is None:
            return None
        if reading.kind == "verb":
            return self._verb_direction(reading.anchor)
        return self._direction(reading.anchor)

    # -- when -------------------------------------------------------------------------------
    def _times(self, doc: Doc, readings: list[Reading]) -> None:
        """A date or time word right after the percentage, else the nearest in its clause."""
        dates = [e for e in _merge_adjacent(doc, [e for e in doc.ents if e.label_ in TIME_LABELS])
                 if self._is_time(doc, e)]
        date_at = {e.start: e for e in dates}
        reserved: set[tuple[int, int]] = set()
        pending = []
        for reading in readings:
            found = self._time_after(doc, reading.ent, date_at)
            if found is not None:
                reading.fields["when"] = found.text
                reserved.add((found.start, found.end))
            else:
                pending.append(reading)
        if not pending:
            return
        times = dates + self._temporal_words(doc, date_at)
        for reading in pending:
            sent = reading.ent.sent
            clause = _clause_head(reading.ent.root)
            candidates = [t for t in times if sent.start <= t.start and t.end <= sent.end
                          and (t.start, t.end) not in reserved
                          and _clause_head(t.root) == clause]
            if candidates:
                nearest = min(candidates, key=lambda t: min(abs(t.start - reading.ent.end),
                                                            abs(reading.ent.start - t.end)))
                reading.fields["when"] = nearest.text

    def _time_after(self, doc: Doc, ent: Span, date_at: dict[int, Span]) -> Span | None:
        """A date or time word right after the percentage, perhaps after one preposition."""
        sent_end = ent.sent.end
        positions = [ent.end]
        for width in (1, 2, 3, 4):
            if ent.end + width < sent_end and " ".join(
                    t.lower_ for t in doc[ent.end:ent.end + width]) in self.cues.when_preps:
                positions.append(ent.end + width)
        for pos in positions:
            if pos >= sent_end:
                continue
            if pos in date_at:
                return date_at[pos]
            found = self._temporal_at(doc, pos, date_at)
            if found is not None:
                return found
        return None

    def _temporal_at(self, doc: Doc, pos: int, date_at: dict[int, Span]) -> Span | None:
        """A temporal word or phrase starting at ``pos`` ("now", "so far"), joined to a date
        right after it ("so far this year")."""
        for words in self.cues.temporal:
            end = pos + len(words)
            if end <= len(doc) and tuple(t.lower_ for t in doc[pos:end]) == words:
                if end in date_at:
                    return Span(doc, pos, date_at[end].end, label="DATE")
                return Span(doc, pos, end, label="DATE")
        return None

    def _temporal_words(self, doc: Doc, date_at: dict[int, Span]) -> list[Span]:
        """Every temporal word or phrase of the lexicon outside entities ("now", "so far")."""
        found = []
        covered: set[int] = set()
        for token in doc:
            if token.i in covered or token.ent_type_:
                continue
            span = self._temporal_at(doc, token.i, date_at)
            if span is not None and token.pos_ in {"ADV", "ADP", "ADJ", "NOUN"}:
                found.append(span)
                covered |= set(range(span.start, span.end))
        return found

    def _is_time(self, doc: Doc, date: Span) -> bool:
        """False for dates that are rates ("a year"), comparison bases ("from a year earlier",
        "the same period last year") or modifiers of a noun ("the 10-year Treasury")."""
        text = _norm(date.text)
        if text in self.cues.not_when or text.startswith(self.cues.comparison_dates):
            return False
        if date.root.dep_ in MODIFIER_DEPS and date.root.head.i >= date.end:
            return False
        for words in self.cues.comparisons:
            start = date.start - len(words)
            if start >= 0 and tuple(t.lower_ for t in doc[start:date.start]) == words:
                return False
        return True


def _is_amount(token: Token, numeric: set[int]) -> bool:
    """An amount, not a measured thing: "140 basis points", "a fifth", "$5bn"."""
    return token.i in numeric or token.like_num or any(
        c.dep_ == "nummod" and c.like_num for c in token.children)


def _merge_adjacent(doc: Doc, spans: list[Span]) -> list[Span]:
    """Join time entities that touch ("Monday" + "afternoon") into one."""
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].end == span.start and not doc[span.start - 1].whitespace_.count("\n"):
            merged[-1] = Span(doc, merged[-1].start, span.end, label=merged[-1].label_)
        else:
            merged.append(span)
    return merged


def _clause_head(token: Token) -> int:
    """Index of the head of the clause that contains ``token``."""
    current = token
    for _ in range(64):
        if current.dep_ in CLAUSE_DEPS or current.head.i == current.i or (
                current.dep_ == "conj" and current.pos_ in VERB_POS):
            return current.i
        current = current.head
    return current.i


@Language.factory(
    "newsclaims_percentages",
    assigns=["doc.spans"],
    requires=["doc.ents", "token.dep"],
    default_config={
        "spans_key": "percentages",
        "subject_labels": ["ORG", "PERSON", "GPE"],
        "claim_type": "percentage",
    },
)
def make_percentages(nlp: Language, name: str, *, spans_key: str, subject_labels: list[str],
                     claim_type: str) -> "Percentages":
    """Build the percentage stage; the cue lexicon arrives through ``initialize``."""
    return Percentages(nlp, name, spans_key=spans_key, subject_labels=subject_labels,
                       claim_type=claim_type)
