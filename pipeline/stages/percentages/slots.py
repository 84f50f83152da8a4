"""The subject (whose measure) and metric (what is measured) of a percentage, and its rule id.

A claim's rule is "<metric rule>:<subject rule>" and its score the product of their scores.
"""

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span, Token

from ..claim_spans import doc_text, mention
from .attachment import is_change_word
from .cues import Cues
from .owners import clause_owner, group, named_noun, noun_owner, passive_agent, refers_back
from .parse import OBJECT_DEPS, SUBJECT_DEPS, TIME_LABELS, governing_verb, is_amount, verb_subject
from .places import macro_place, population
from .reading import Reading

DROP_FROM_METRIC = {"det", "predet", "poss", "case", "punct", "cc", "preconj", "nummod", "quantmod"}

# Rule ids and their confidence. Metric rules say where the measured thing was found:
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
    "holder_phrase": 0.75,      # The city government owns 51% of X (an unnamed holder)
    "absolute": 0.8,            # ..., with rival X down 3.4%
    "population": 0.8,          # 90% of large companies (a surveyed group)
    "place": 0.85,              # Japanese growth; in China prices rose (an economy's figure)
    "no_subject": 1.0,
    # ... or, when the sentence names no owner, from the text before it (step ``context``):
    "context_antecedent": 0.75, # "its" / "the company" -> the latest organisation topic
    "context_paragraph": 0.7,   # the owner of the previous percentage in the paragraph
    "context_topic": 0.6,       # the latest sentence topic before the percentage
}


@dataclass
class Slots:
    """What the rules found for one percentage, before the metric's words are read."""

    metric_rule: str = "no_metric"
    metric_head: Token | None = None
    owner: Span | None = None
    subject_rule: str = "no_subject"
    verb: Token | None = None                                   # the clause to look for an owner in
    owner_nouns: list[Token] = field(default_factory=list)      # nouns that may name the owner
    wants_organisation: bool = False                            # "its shares", "the company's"
    owner_text: str | None = None                               # "Japan" for "Japanese"

    @property
    def rule(self) -> str:
        """The claim's rule id, "<metric rule>:<subject rule>"."""
        return f"{self.metric_rule}:{self.subject_rule}"

    @property
    def score(self) -> float:
        """The claim's confidence: the product of its two rules' scores."""
        return round(RULE_SCORES[self.metric_rule] * RULE_SCORES[self.subject_rule], 3)


def of_object(reading: Reading) -> Token | None:
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


def from_noun(doc: Doc, noun: Token, owners: dict[int, Span], ent_tokens: set[int], cues: Cues) -> Slots:
    """Slots for a percentage modifying a noun: the noun is the owner, a change, or the metric."""
    slots = Slots(verb=governing_verb(noun))
    if noun.i in owners:
        slots.owner, slots.subject_rule = group(doc, noun, owners), "compound"
    elif is_change_word(noun, cues):
        slots.metric_rule = "change_noun"
        inner = [c for c in noun.children if c.dep_ == "prep" and c.lower_ in cues.change_noun_preps]
        objects = [g for c in inner for g in c.children
                   if g.dep_ == "pobj" and g.i not in ent_tokens and not g.like_num]
        if objects and objects[0].i in owners:
            slots.owner, slots.subject_rule = group(doc, objects[0], owners), "prep"
        elif objects:
            slots.metric_head = objects[0]
        elif any(c.dep_ in {"compound", "nmod"} and c.i not in ent_tokens for c in noun.lefts):
            slots.metric_head = noun                  # "Swiss GDP growth of 1.3%"
        slots.owner_nouns.append(noun)
    else:
        slots.metric_rule, slots.metric_head = "modified_noun", noun
    return slots


def from_verb(doc: Doc, verb: Token, reading: Reading, owners: dict[int, Span], ent_tokens: set[int],
              numeric: set[int], cues: Cues) -> tuple[str, Token | None, Span | None, str]:
    """Metric and owner for a percentage governed by a verb: its object, else its subject."""
    root = reading.proxy or reading.ent.root
    objects = [c for c in verb.children if c.dep_ in OBJECT_DEPS and c.i not in ent_tokens
               and c.pos_ != "PRON" and not is_amount(c, numeric)]
    if objects and root.dep_ not in SUBJECT_DEPS:
        obj = objects[0]
        if obj.i in owners:
            return "verb_object", None, group(doc, obj, owners), "compound"
        owner, rule = noun_owner(doc, obj, owners, ent_tokens, cues)
        return "verb_object", obj, owner, rule
    if root.dep_ in SUBJECT_DEPS and root.head.i == verb.i:
        return "no_metric", None, None, "no_subject"
    agent = passive_agent(verb, owners, cues)
    if agent is not None:                       # "X, which is 40% owned by Y": Y holds it
        return "verb_entity_subject", None, group(doc, agent, owners), "clause_subject"
    subject, relative_head = verb_subject(verb)
    if relative_head is not None:
        named = named_noun(relative_head, owners)
        if named is not None:
            return "verb_entity_subject", None, group(doc, named, owners), "clause_subject"
        return "relative_clause", relative_head, None, "no_subject"
    if subject is None or subject.i in ent_tokens:
        return "no_metric", None, None, "no_subject"
    named = named_noun(subject, owners)
    if named is not None:                       # "Alibaba grew", "the biggest steel company X lost"
        return "verb_entity_subject", None, group(doc, named, owners), "clause_subject"
    if subject.pos_ == "PRON":
        return "no_metric", None, None, "no_subject"
    return "verb_subject", subject, None, "no_subject"


def find_slots(doc: Doc, reading: Reading, cues: Cues, owners: dict[int, Span],
               numeric: set[int]) -> Slots:
    """Metric and owner by the first rule that applies; the owner falls back to the clause."""
    ent_tokens = {t.i for t in reading.ent}
    part_of = of_object(reading)
    if part_of is not None:
        slots = Slots(metric_rule="percent_of", verb=governing_verb(reading.ent.root))
        if part_of.i not in owners:
            slots.metric_head = part_of
    elif reading.kind == "noun" and reading.anchor is not None:
        slots = from_noun(doc, reading.anchor, owners, ent_tokens, cues)
    elif reading.kind == "verb" and reading.anchor is not None:
        slots = Slots(verb=reading.anchor)
        slots.metric_rule, slots.metric_head, slots.owner, slots.subject_rule = from_verb(
            doc, reading.anchor, reading, owners, ent_tokens, numeric, cues)
    else:
        slots = Slots()
    if slots.metric_head is not None:
        slots.owner_nouns.insert(0, slots.metric_head)
    for noun in slots.owner_nouns:
        if slots.owner is None:
            slots.owner, slots.subject_rule = noun_owner(doc, noun, owners, ent_tokens, cues)
    if slots.owner is None:
        holder = unnamed_holder(doc, reading, part_of, owners, cues)
        if holder is not None:
            slots.owner, slots.subject_rule = holder, "holder_phrase"
    absolute = absolute_owner(doc, reading, owners)
    if absolute is not None:                    # beats the main clause's subject
        slots.owner, slots.subject_rule, slots.metric_head = absolute, "absolute", None
    if slots.owner is None:
        surveyed = population(doc, part_of, cues)
        if surveyed is not None:
            slots.owner, slots.subject_rule = surveyed, "population"
    if slots.owner is None or slots.owner.label_ == "GPE":
        place = macro_place(doc, slots.metric_head, slots.verb or governing_verb(reading.ent.root), cues)
        if place is not None:
            (slots.owner, slots.owner_text), slots.subject_rule = place, "place"
    if slots.owner is None and slots.verb is not None and slots.metric_rule != "verb_entity_subject":
        public = slots.metric_head is not None and any(
            t.lower_ in cues.public_measures for t in slots.metric_head.subtree)
        slots.owner, slots.subject_rule = clause_owner(doc, slots.verb, owners, cues,
                                                       skip=slots.metric_head, public=public)
    if slots.owner is None:
        slots.wants_organisation = any(refers_back(t, cues) for t in back_references(slots, part_of))
    return slots


def unnamed_holder(doc: Doc, reading: Reading, part_of: Token | None, owners: dict[int, Span],
                   cues: Cues) -> Span | None:
    """The holder of a stake written as a plain noun phrase: "The South Korean government owns
    51% of X", "The remaining 12% will be retained by the city government"."""
    verb = governing_verb(reading.ent.root)
    if verb is None or verb.lemma_.lower() not in cues.holding_verbs:
        return None
    agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    subject, _ = verb_subject(verb)
    if not agents and (part_of is None or part_of.i not in owners):
        return None                         # not a stake in a named company
    holder = agents[0] if agents else subject
    named = named_noun(holder, owners) if holder is not None else None
    if named is not None:                       # "The biggest grocer, Kestrel Stores, is to buy"
        return group(doc, named, owners)
    if holder is None or holder.pos_ not in {"NOUN", "PROPN"} or refers_back(holder, cues) \
            or any(reading.ent.start <= t.i < reading.ent.end for t in holder.subtree):
        return None
    tokens = [t for t in holder.subtree if t.dep_ not in {"det", "punct"} and t.i <= holder.i]
    return Span(doc, min(t.i for t in tokens), holder.i + 1, label="ORG")


def absolute_owner(doc: Doc, reading: Reading, owners: dict[int, Span]) -> Span | None:
    """The name before "up"/"down" in an absolute "with" clause: "with rival X down 3.4%"."""
    head = reading.ent.root.head
    if head.lower_ not in {"up", "down", "higher", "lower"} or head.i == 0:
        return None
    before = doc[head.i - 1]
    if not any(a.lower_ == "with" for a in before.ancestors if a.i < before.i):
        return None
    if before.i in owners:
        return group(doc, before, owners)
    if before.pos_ == "PROPN":                  # a name the NER missed: its proper-noun run
        start = before.i
        while start > 0 and doc[start - 1].pos_ == "PROPN":
            start -= 1
        return Span(doc, start, before.i + 1, label="ORG")
    return None


def back_references(slots: Slots, part_of: Token | None) -> list[Token]:
    """The words that may stand for an organisation named earlier: the possessor of the
    measured noun or of the "of" object, the "of" object itself, the clause's subject."""
    nouns = [n for n in (slots.metric_head, part_of, *slots.owner_nouns) if n is not None]
    found = [c for n in nouns for c in n.children if c.dep_ == "poss"] + nouns
    if slots.verb is not None:
        subject, _ = verb_subject(slots.verb)
        if subject is not None:
            found.append(subject)
            found.extend(c for c in subject.children if c.dep_ == "poss")
    return found


def phrase(doc: Doc, noun: Token, exclude: set[int], cues: Cues) -> str | None:
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
        if child.dep_ == "prep" and child.lower_ in cues.metric_preps:
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


def claim_fields(reading: Reading, owner: Span | None, metric: str | None) -> dict[str, Any]:
    """The claim's fields; when, from, to and direction are filled by later steps."""
    return {
        "value": reading.value,
        "range": reading.range,
        "qualifier": reading.qualifier,
        "unit": reading.unit,
        "subject": mention(owner),
        "metric": metric,
        "when": None,
        "from": None,
        "to": None,
        "direction": None,
    }


def subject_and_metric(doc: Doc, reading: Reading, cues: Cues, owners: dict[int, Span],
                       numeric: set[int]) -> None:
    """Fill the reading's claim fields, rule and score from its subject and metric."""
    slots = find_slots(doc, reading, cues, owners, numeric)
    metric_text = None
    if slots.metric_head is not None:
        ent_tokens = {t.i for t in reading.ent}
        exclude = ent_tokens | ({t.i for t in slots.owner} if slots.owner is not None else set())
        metric_text = phrase(doc, slots.metric_head, exclude, cues)
    reading.fields = claim_fields(reading, slots.owner, metric_text)
    reading.owner = slots.owner
    reading.owner_text = slots.owner_text
    if slots.owner_text is not None and reading.fields["subject"] is not None:
        reading.fields["subject"]["text"] = slots.owner_text
    reading.metric_head = slots.metric_head
    reading.part_of = of_object(reading)
    reading.wants_organisation = slots.wants_organisation
    reading.rule = slots.rule
    reading.score = slots.score
