"""Step 2 of a directive: fill its slots — the stated actor, the evidence span, the targets,
and where a shift goes from and to."""

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .model import Candidate, Lexicon
from .parse import (
    clause_head,
    entities,
    entities_in,
    entity_at,
    in_apposition,
    in_brackets,
    labelled_before,
    last_entity,
)
from .status import governing_chain

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
    agentive verb, the owner or by-agent of a directive noun, the speaker of a governing
    reporting verb, or a source document's author. A person who speaks for a company's
    decision ("X told investors the company will ...") gives way to the company."""
    verb = cand.anchor
    if cand.kind == "enumeration" and cand.intro is not None:
        roots = [t for t in cand.intro if t.dep_ == "ROOT" or t.head.i >= cand.intro.end]
        for root in roots:
            found = subject_entity(doc, root, lexicon)
            if found is not None:
                return found
    if cand.noun is not None and cand.anchor.i == cand.noun.i:
        found = owner_entity(doc, cand.noun, lexicon)
        if found is not None:
            return found
    if cand.agentive:
        found = controller(doc, verb, lexicon)
        if found is not None:
            return found
        agent = [t for c in verb.children if c.dep_ == "agent" for t in c.children]
        if agent and entity_at(doc, agent[0]) is not None:
            return entity_at(doc, agent[0])
        if cand.noun is not None:
            found = owner_entity(doc, cand.noun, lexicon)
            if found is not None:
                return found
    reporting = lexicon.words("reporting_verbs")
    node = verb
    while node.head.i != node.i:
        node = node.head
        if node.lemma_.lower() in reporting:
            found = subject_entity(doc, node, lexicon, allow_it=False)
            if found is not None and found.label_ == "PERSON" and cand.kind in {"action", "noun"}:
                return last_subject_org(doc, found.start) or found
            if found is not None:
                return found
    return source_document_org(doc, verb.sent, lexicon)


def controller(doc: Doc, verb: Token, lexicon: Lexicon) -> Span | None:
    """Who does what an agentive verb says: its subject, else (for "plans to buy", "is to pay
    ... to get out", "after buying ...") the subject up the chain of governing verbs, or the
    object of an object-control verb ("convinced X to back away")."""
    for node in subject_chain(clause_head(verb)):
        if node is not verb and node.lemma_.lower() in lexicon.words("object_control_verbs"):
            for child in node.children:
                if child.dep_ == "dobj" and entity_at(doc, child) is not None:
                    return entity_at(doc, child)
        found = subject_entity(doc, node, lexicon)
        if found is not None:
            return found
        if any(c.dep_ == "nsubj" for c in node.children):
            return None  # a subject that names no one: stop here
    return None


def subject_chain(verb: Token) -> list[Token]:
    """The verbs whose subject a subjectless verb shares: the governing chain, and through
    a gerund after a preposition ("after buying") or a participle ("..., acquiring X")."""
    chain = governing_chain(verb)
    node = chain[-1]
    for _ in range(3):
        if node.dep_ == "pcomp" and node.head.dep_ == "prep" and node.head.head.pos_ in {"VERB", "AUX"}:
            node = clause_head(node.head.head)
        elif node.dep_ in {"advcl", "conj", "xcomp"} and node.head.pos_ in {"VERB", "AUX"} and \
                not any(c.dep_ in {"nsubj", "nsubjpass"} for c in node.children):
            node = clause_head(node.head)
        else:
            break
        chain.extend(governing_chain(node))
    return chain


def owner_entity(doc: Doc, noun: Token, lexicon: Lexicon) -> Span | None:
    """Who a directive noun belongs to: its owner ("X's takeover", "its flotation", resolved)
    or the organisation of a "by" phrase ("a takeover by X")."""
    for child in noun.children:
        if child.dep_ == "poss":
            ent = entity_at(doc, child)
            if ent is not None and ent.label_ in NAME_LABELS:
                return ent
            return reference(doc, child, lexicon)
        if child.dep_ in {"prep", "agent"} and child.lower_ == "by":
            for token in child.subtree:
                ent = entity_at(doc, token)
                if ent is not None and ent.label_ in NAME_LABELS:
                    return ent
    return None


def last_subject_org(doc: Doc, before: int) -> Span | None:
    """The last organisation before token ``before`` that was a subject or an owner (what a
    later "it", "the firm" or "the Italian drinks maker" most likely means); else the last one."""
    last = None
    for ent in labelled_before(doc, before, "ORG"):
        last = last or ent
        if ent.root.dep_ in {"nsubj", "nsubjpass", "poss"}:
            return ent
        if ent.sent.start < before - 400:
            break  # far enough back: the nearest organisation will do
    return last


def reference(doc: Doc, token: Token, lexicon: Lexicon, *, allow_it: bool = True) -> Span | None:
    """The entity a pronoun or a descriptive noun phrase refers to: he/she → the last person;
    it/we/the firm/"the Italian liqueur maker" → the last organisation that was a subject."""
    pronouns = lexicon.get("pronouns", {})
    if token.lower_ in pronouns.get("person", []):
        return last_entity(doc, token.i, "PERSON")
    if not allow_it:
        return None
    org_words = set(pronouns.get("org", []))
    phrase = " ".join(t.lower_ for t in token.subtree)
    descriptive = token.lemma_.lower() in lexicon.words("descriptive_heads") or \
        token.lower_ in lexicon.words("descriptive_heads")
    if token.lower_ in org_words or phrase in org_words:
        start = min(t.i for t in token.subtree)
        return last_subject_org(doc, start)
    if descriptive:
        return None  # "the Italian liqueur maker": the document's protagonist, decided by the caller
    return None


def subject_entity(doc: Doc, verb: Token, lexicon: Lexicon, *, allow_it: bool = True) -> Span | None:
    """The person or organisation the verb's subject names, directly, inside the subject
    phrase (a person before an organisation), or through a pronoun's or description's referent."""
    subjects = [c for c in verb.children if c.dep_ in {"nsubj"}]
    if not subjects:
        return None
    subject = subjects[0]
    ent = entity_at(doc, subject)
    if ent is not None and ent.label_ in NAME_LABELS:
        return ent
    descriptive = subject.lemma_.lower() in lexicon.words("descriptive_heads")
    owners = {t.i for c in subject.children if c.dep_ == "poss" for t in c.subtree} if descriptive else set()
    # a participle or relative clause describes the subject ("X, controlled by Y"): not it
    owners |= {t.i for c in subject.subtree if c.dep_ in {"acl", "relcl"} for t in c.subtree}
    named = [e for e in (entity_at(doc, t) for t in subject.subtree if t.i not in owners) if e is not None]
    for label in ("PERSON", "ORG"):  # "NetEase chief executive William Ding"
        for found in named:
            if found.label_ == label:
                return found
    return reference(doc, subject, lexicon, allow_it=allow_it)


def coordinated_actors(doc: Doc, cand: Candidate, actor: Span | None, lexicon: Lexicon) -> list[Span]:
    """One actor per party when a clause names several ("A, B and C have invested", "the two
    firms will unwind ..."): the coordinated subject entities, or the last two organisations
    for "the two firms"/"both companies"; else just ``actor``."""
    if actor is None:
        return []
    head = clause_head(cand.anchor)
    subjects = [c for c in head.children if c.dep_ == "nsubj"]
    if not subjects:
        return [actor]
    subject = subjects[0]
    found: dict[str, Span] = {}
    for token in [subject, *subject.conjuncts]:
        ent = entity_at(doc, token)
        if ent is not None and ent.label_ in NAME_LABELS:
            found.setdefault(ent.text, ent)
    if len(found) >= 2:
        return list(found.values())
    words = {t.lower_ for t in subject.subtree}
    if words & lexicon.words("pair_words") and subject.tag_ == "NNS":
        pair: dict[str, Span] = {}
        before = [e for e in entities(doc) if e.end <= subject.i and e.label_ == "ORG"]
        for ent in reversed(before):
            pair.setdefault(ent.text, ent)
            if len(pair) == 2:  # in the order the document introduced them
                first = {e.text: e.start for e in reversed(before)}
                return sorted(pair.values(), key=lambda e: first[e.text])
    return [actor]


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


def led_by(ent: Span) -> bool:
    """A person named as the one in charge ("under X", "led by X"): not a target. (Companies
    "under" which others are grouped are.)"""
    if ent.label_ != "PERSON":
        return False
    for token in ent.root.ancestors:
        if token.dep_ in {"prep", "agent"} and token.lower_ == "under":
            return True
        if token.lower_ == "by" and token.head.lemma_.lower() in {"lead", "head", "run", "chair", "control"}:
            return True
        if token.pos_ in {"VERB", "AUX"}:
            return False
    return False


def targets(doc: Doc, region: Span, actor: Span | None, labels: set[str] = NAME_LABELS) -> list[Span]:
    """Named people and organisations in ``region`` other than the actor, once per text,
    leaving out those in brackets, appositive descriptions or "under"/"led by" phrases."""
    found: dict[str, Span] = {}
    for ent in entities_in(doc, region):
        if ent.label_ not in labels or ent.start < region.start or ent.end > region.end:
            continue
        if actor is not None and ent.text == actor.text:
            continue
        naming = ent.root.dep_ == "appos" and ent.root.head.pos_ == "NOUN"  # "its rival Peoplesoft"
        if in_brackets(doc, ent) or in_apposition(ent) and not naming or led_by(ent):
            continue
        found.setdefault(ent.text, ent)
    return list(found.values())


def subject_span(cand: Candidate) -> set[int]:
    """Token indices of the clause's subject phrase (it names or describes the actor)."""
    head = clause_head(cand.anchor)
    found = set()
    for child in head.children:
        if child.dep_ == "nsubj":  # a passive subject is what is acted on: a target
            found.update(t.i for t in child.subtree)
    if cand.noun is not None:
        found.update(t.i for c in cand.noun.children if c.dep_ == "poss" for t in c.subtree)
    return found


def merges_companies(cand: Candidate, lexicon: Lexicon) -> bool:
    """A merger of companies ("combining the two groups"), not of the actor's own departments."""
    objects = [t for c in cand.anchor.children if c.dep_ == "dobj" for t in [c, *(
        p for g in c.children if g.dep_ == "prep" and g.lower_ == "of" for p in g.children)]]
    return any(t.lemma_.lower() in {"company", "firm", "group", "business", "retailer", "bank", "rival"}
               for t in objects)


def initials(name: str) -> str:
    """The initials of a name ("Electronic Arts" → "EA"): how a company's short name is written."""
    return "".join(w[0] for w in name.split() if w[:1].isalpha()).upper()


def described_target(doc: Doc, cand: Candidate, actors: list[Span], lexicon: Lexicon) -> Span | None:
    """The organisation a definite description as object names ("buy 19.9% of the firm",
    "a bid for the club"): the last one before it that is not the actor."""
    anchor = cand.noun if cand.noun is not None else cand.anchor
    heads = [t for o in (c for c in anchor.children if c.dep_ in {"dobj", "prep"})
             for t in ([o] if o.dep_ == "dobj" else [g for g in o.children if g.dep_ == "pobj"])]
    heads = [h2 for h in heads for h2 in [h, *(p for c in h.children if c.dep_ == "prep" and c.lower_ in
                                                {"of", "in"} for p in c.children if p.dep_ == "pobj")]]
    for head in heads:
        if head.lemma_.lower() not in lexicon.words("descriptive_heads") or head.ent_type_:
            continue
        if not any(c.lower_ in {"the", "this", "that"} for c in head.children):
            continue
        for ent in labelled_before(doc, head.i, "ORG"):
            if all(ent.text not in {a.text, initials(a.text)} for a in actors) and ent.root.dep_ != "poss":
                return ent
    return None


def action_targets(doc: Doc, cand: Candidate, evidence: Span, actors: list[Span], lexicon: Lexicon,
                   previous: dict[str, list[Span]]) -> list[Span]:
    """Targets by action: the named organisations of the clause (not its subject); the appointee
    with the organisation for appoint; both parties for merge/split; the actor itself for a
    self-directed move (cuts, listings, closures ...) that names no one else; for an acquisition
    that names no one, the company the document's previous acquisition was of."""
    actor = actors[0] if actors else None
    labels = {"ORG", "PERSON"} if cand.action in {"appoint", "suggest", "change_reporting", "shift",
                                                  "return", "refocus"} else {"ORG"}
    skip = subject_span(cand) if cand.kind in {"action", "noun"} and cand.agentive else set()
    found = [t for t in targets(doc, evidence, actor, labels) if t.root.i not in skip
             and all(t.text != a.text for a in actors)]
    if cand.kind not in {"action", "noun"}:
        return found
    if cand.action == "merge" and not found and merges_companies(cand, lexicon):
        found = [t for t in previous.get("acquire", []) if all(t.text != a.text for a in actors)]
    if cand.action in lexicon.words("both_parties"):  # merging with the company it is buying
        parties = [a for a in actors if evidence.start <= a.start < evidence.end]
        return found if len(found) >= 2 and not parties else [*actors, *found]
    if cand.action == "appoint":
        return [*actors[:1], *found]
    if cand.action == "acquire" and len(found) > 1:
        # "X's stake in Y", "Y's affiliate Z": the owner sells, the other is bought
        owned_ = [t for t in found if t.root.dep_ != "poss"]
        found = owned_ or found
    sellers = [t for t in found if t.root.dep_ == "pobj" and t.root.head.lower_ == "from"]
    if cand.action == "invest":
        found = [t for t in found if t not in sellers]  # "buy aircraft from X": a supplier
    if cand.action == "acquire" and found and len(sellers) == len(found):
        found = [*previous.get("acquire", []), *sellers]  # "acquire the shares from X"
    if cand.action == "acquire" and not found:
        described = described_target(doc, cand, actors, lexicon)
        found = [described] if described is not None else []
    if cand.action in lexicon.words("carried_targets") and not found and previous.get(cand.action):
        return list(previous[cand.action])
    if cand.action == "sell" and found and actor is not None and all(
            t.root.dep_ == "pobj" and t.root.head.lower_ == "to" for t in found):
        return [actor, *found]  # "offload its unit to X": the seller's own, to a buyer
    if cand.action in lexicon.words("self_directed") and not found and actor is not None:
        return [actor]
    return found


def prep_text(verb: Token, prep: str) -> str | None:
    """The object text of the verb's preposition ``prep`` to its right ("from Tmall" → "Tmall")."""
    for child in verb.rights:
        if child.dep_ in {"prep", "dative"} and child.lower_ == prep:
            objects = [t for t in child.subtree if t is not child]
            if objects:
                return verb.doc[objects[0].i:objects[-1].i + 1].text
    return None


def fill_slots(doc: Doc, cand: Candidate, stated: Span | None, lexicon: Lexicon | None = None,
               actors: list[Span] | None = None, previous: dict[str, list[Span]] | None = None) -> Slots | None:
    """Evidence, targets, from and to for a candidate; None when its clause is empty.
    Only a stated actor is kept out of the targets: one inferred from context may be a target."""
    tokens = sorted(cand.tokens, key=lambda t: t.i)
    if not tokens:
        return None
    evidence = doc[tokens[0].i:tokens[-1].i + 1]
    found = targets(doc, evidence, stated)
    if lexicon is not None and actors is not None:
        found = action_targets(doc, cand, evidence, actors, lexicon, previous or {})
    if cand.intro is not None:  # "three directions for X: ..." apply to X
        found = targets(doc, cand.intro, stated) or found
    destination = prep_text(cand.anchor, "to") if cand.action in DIRECTED_ACTIONS else None
    return Slots(evidence, found, prep_text(cand.anchor, "from"), destination)
