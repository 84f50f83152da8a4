"""Step 2 of a directive: fill its slots — the stated actor, the evidence span, the targets,
and where a shift goes from and to."""

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .model import Candidate, Lexicon
from .parse import clause_head, entity_at, in_apposition, in_brackets, last_entity

NAME_LABELS = {"PERSON", "ORG"}
DIRECTED_ACTIONS = {"shift", "refocus"}  # only these record where they go to


@dataclass
class Slots:
    """A candidate's filled slots, ready to become claim fields."""

    evidence: Span
    targets: list[Span]
    source: str | None  # the "from" field
    destination: str | None  # the "to" field


def stated_actor(doc: Doc, cand: Candidate, lexicon: Lexicon) -> Span | None:
    """The actor the text states: the enumeration's introducer, the subject or agent of an
    agentive verb, the speaker of a governing reporting verb, or a source document's author."""
    verb = cand.anchor
    if cand.kind == "enumeration" and cand.intro is not None:
        roots = [t for t in cand.intro if t.dep_ == "ROOT" or t.head.i >= cand.intro.end]
        for root in roots:
            found = subject_entity(doc, root, lexicon)
            if found is not None:
                return found
    if cand.agentive:
        found = subject_entity(doc, clause_head(verb), lexicon)
        if found is not None:
            return found
        agent = [t for c in verb.children if c.dep_ == "agent" for t in c.children]
        if agent and entity_at(doc, agent[0]) is not None:
            return entity_at(doc, agent[0])
    reporting = lexicon.words("reporting_verbs")
    node = verb
    while node.head.i != node.i:
        node = node.head
        if node.lemma_.lower() in reporting:
            found = subject_entity(doc, node, lexicon, allow_it=False)
            if found is not None:
                return found
    return source_document_org(doc, verb.sent, lexicon)


def subject_entity(doc: Doc, verb: Token, lexicon: Lexicon, *, allow_it: bool = True) -> Span | None:
    """The person or organisation the verb's subject names, directly, inside the subject
    phrase (a person before an organisation), or through a pronoun's last referent."""
    subjects = [c for c in verb.children if c.dep_ in {"nsubj"}]
    if not subjects:
        return None
    subject = subjects[0]
    ent = entity_at(doc, subject)
    if ent is not None and ent.label_ in NAME_LABELS:
        return ent
    named = [e for e in (entity_at(doc, t) for t in subject.subtree) if e is not None]
    for label in ("PERSON", "ORG"):  # "NetEase chief executive William Ding"
        for found in named:
            if found.label_ == label:
                return found
    pronouns = lexicon.get("pronouns", {})
    if subject.lower_ in pronouns.get("person", []):
        return last_entity(doc, subject.i, "PERSON")
    org_words = set(pronouns.get("org", []))
    phrase = " ".join(t.lower_ for t in subject.subtree)
    if allow_it and (subject.lower_ in org_words or phrase in org_words):
        return last_entity(doc, subject.i, "ORG")
    return None


def source_document_org(doc: Doc, sent: Span, lexicon: Lexicon) -> Span | None:
    """An organisation named as the author of a source: "an internal Alibaba letter"."""
    sources = lexicon.words("source_nouns")
    for token in sent:
        if token.lower_ in sources:
            for child in token.children:
                ent = entity_at(doc, child)
                if ent is not None and ent.label_ == "ORG":
                    return ent
    return None


def targets(doc: Doc, region: Span, actor: Span | None) -> list[Span]:
    """Named people and organisations in ``region`` other than the actor, once per text,
    leaving out those in brackets or appositive descriptions."""
    found: dict[str, Span] = {}
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS or ent.start < region.start or ent.end > region.end:
            continue
        if actor is not None and ent.text == actor.text:
            continue
        if in_brackets(doc, ent) or in_apposition(ent):
            continue
        found.setdefault(ent.text, ent)
    return list(found.values())


def prep_text(verb: Token, prep: str) -> str | None:
    """The object text of the verb's preposition ``prep`` to its right ("from Tmall" → "Tmall")."""
    for child in verb.rights:
        if child.dep_ in {"prep", "dative"} and child.lower_ == prep:
            objects = [t for t in child.subtree if t is not child]
            if objects:
                return verb.doc[objects[0].i:objects[-1].i + 1].text
    return None


def fill_slots(doc: Doc, cand: Candidate, stated: Span | None) -> Slots | None:
    """Evidence, targets, from and to for a candidate; None when its clause is empty.
    Only a stated actor is kept out of the targets: one inferred from context may be a target."""
    tokens = sorted(cand.tokens, key=lambda t: t.i)
    if not tokens:
        return None
    evidence = doc[tokens[0].i:tokens[-1].i + 1]
    found = targets(doc, evidence, stated)
    if cand.intro is not None:  # "three directions for X: ..." apply to X
        found = targets(doc, cand.intro, stated) or found
    destination = prep_text(cand.anchor, "to") if cand.action in DIRECTED_ACTIONS else None
    return Slots(evidence, found, prep_text(cand.anchor, "from"), destination)
