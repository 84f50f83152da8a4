"""Whose measure a percentage is: the owner named in a noun phrase or in the clause around it.

``owners`` maps every token of a subject-label entity (ORG, PERSON, GPE) to that entity.
"""

from spacy.tokens import Doc, Span, Token

from .cues import Cues
from .parse import MAX_CLIMB, NOUN_POS, VERB_POS, verb_subject

NO_OWNER: tuple[Span | None, str] = (None, "no_subject")


def group(doc: Doc, token: Token, owners: dict[int, Span]) -> Span:
    """The owner entity at ``token``, stretched over its conjuncts ("Taobao & Tmall")."""
    names = [owners[t.i] for t in [token, *token.conjuncts] if t.i in owners]
    if not names:
        return owners[token.i]
    first = min(names, key=lambda e: e.start)
    last = max(names, key=lambda e: e.end)
    return Span(doc, first.start, last.end, label=first.label_)


def antecedent(doc: Doc, pronoun: Token, owners: dict[int, Span], labels: set[str],
               cues: Cues) -> Span | None:
    """A possessive pronoun's owner: the named subject of an enclosing clause, else the
    nearest organisation before it in the sentence; None when the enclosing subject itself
    refers back ("The owner of brands such as X ... its sales": not X)."""
    if pronoun.lower_ == "whose":
        for ancestor in pronoun.ancestors:
            if ancestor.dep_ == "relcl" and ancestor.head.i in owners:
                return group(doc, ancestor.head, owners)
        return None
    for ancestor in pronoun.ancestors:
        if ancestor.pos_ not in VERB_POS:
            continue
        subject, _ = verb_subject(ancestor)
        if subject is not None and subject.i in owners and owners[subject.i].label_ in labels:
            return group(doc, subject, owners)
        if subject is not None and subject.i != pronoun.i and refers_back(subject, cues):
            return None
    # the entities between the sentence start and the pronoun, read off the tokens there (``owners``
    # maps every token of an entity to it) instead of scanning every entity of the document
    sent_start = pronoun.sent.start
    seen: dict[int, Span] = {}
    for i in range(sent_start, pronoun.i):
        e = owners.get(i)
        if e is not None and id(e) not in seen and e.end <= pronoun.i and e.start >= sent_start \
                and e.label_ in labels:
            seen[id(e)] = e
    before = list(seen.values())
    organisations = [e for e in before if e.label_ == "ORG"]
    if "ORG" in labels:
        before = organisations        # "its shares ... in London": a company's, not a city's
    return max(before, key=lambda e: e.start) if before else None


def named_noun(noun: Token, owners: dict[int, Span]) -> Token | None:
    """The noun itself when it is a name, else a name in apposition to it: "at US media giant
    TimeWarner" names TimeWarner."""
    if noun.i in owners:
        return noun
    for child in noun.children:
        if child.dep_ == "appos" and child.i in owners and owners[child.i].label_ != "GPE":
            return child
        if child.dep_ == "appos":                   # "the brewer, Scottish and Newcastle (S&N),"
            inner = [g for g in child.children if g.dep_ == "appos" and g.i in owners
                     and owners[g.i].label_ != "GPE"]
            if inner:
                return inner[0]
    return None


def person_organisation(doc: Doc, person: Span, owners: dict[int, Span]) -> Span | None:
    """The organisation named in a person's title: "BA chairman X", "X, BA's chief executive"."""
    stack = [c for c in person.root.children if c.dep_ in {"compound", "appos"} and c.i not in
             range(person.start, person.end)]
    while stack:
        token = stack.pop()
        if token.i in owners and owners[token.i].label_ == "ORG":
            return group(doc, token, owners)
        stack.extend(c for c in token.children if c.dep_ in {"compound", "poss", "appos"})
    return None


def passive_agent(verb: Token, owners: dict[int, Span], cues: Cues) -> Token | None:
    """The named by-agent of a passive verb of holding ("owned by X", "retained by X")."""
    if verb.lemma_.lower() not in cues.holding_verbs:
        return None
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                named = named_noun(obj, owners) if obj.dep_ == "pobj" else None
                if named is not None:
                    return named
    return None


def refers_back(token: Token, cues: Cues) -> bool:
    """A pronoun or generic noun that stands for an organisation named earlier: "it", "its",
    "the company", "the group's"."""
    if token.lower_ in cues.pronouns or token.lower_ in {"it", "they"}:
        return token.lower_ not in {"his", "her"}
    generic = cues.generic_organisations
    if token.lemma_.lower() not in generic and token.lower_ not in generic:
        return False
    return any(c.dep_ == "det" and c.lower_ in {"the", "this", "that"} for c in token.children)


def possessor_owner(doc: Doc, possessor: Token, owners: dict[int, Span],
                    cues: Cues) -> tuple[Span | None, str]:
    """The owner a possessor names: a resolved pronoun, an entity, or unlabelled proper nouns."""
    if possessor.lower_ in cues.pronouns:
        found = antecedent(doc, possessor, owners, cues.pronouns[possessor.lower_], cues)
        return (found, "poss_pronoun") if found is not None else NO_OWNER
    if possessor.i in owners or any(c.i in owners for c in possessor.conjuncts):
        return group(doc, possessor, owners), "poss"
    names = [t for t in possessor.subtree if t.dep_ != "case" and t.pos_ == "PROPN"]
    if names and all(t.pos_ == "PROPN" or t.dep_ == "case" for t in possessor.subtree):
        return Span(doc, names[0].i, names[-1].i + 1, label="ORG"), "poss_propn"
    return NO_OWNER


def noun_owner(doc: Doc, noun: Token, owners: dict[int, Span], ent_tokens: set[int],
               cues: Cues) -> tuple[Span | None, str]:
    """The owner named inside a noun phrase: possessor, compound name, or of/at/for name."""
    for child in noun.lefts:
        if child.dep_ == "poss":
            return possessor_owner(doc, child, owners, cues)
    found: list[tuple[Span, str]] = []
    for child in noun.lefts:
        if child.dep_ in {"det", "predet"} or child.i in ent_tokens:
            continue
        for token in child.subtree:
            if token.i in owners and token.i not in ent_tokens:
                found.append((owners[token.i], "compound"))
                break
    for child in noun.rights:
        if noun.lower_ in cues.holdings and child.lower_ in cues.holding_preps:
            continue                        # a stake in X is its holder's, not X's
        if child.dep_ == "prep" and child.lower_ in cues.noun_owner_preps:
            for obj in child.children:
                named = named_noun(obj, owners) if obj.dep_ == "pobj" else None
                if named is not None:
                    found.append((group(doc, named, owners), "prep"))
    # an organisation or person beats a place: "US-listed shares of BP" -> BP
    found.sort(key=lambda item: item[0].label_ == "GPE")
    return found[0] if found else NO_OWNER


def clause_owner(doc: Doc, verb: Token | None, owners: dict[int, Span], cues: Cues,
                 skip: Token | None = None, public: bool = False) -> tuple[Span | None, str]:
    """The owner from the clause: its subject name, an "At X," phrase, or a reporting name.

    Whoever reports or forecasts a public measure (GDP, inflation) does not own it.
    """
    if verb is None:
        return NO_OWNER
    if public and verb.lemma_.lower() in cues.reporting:
        return NO_OWNER
    agent = passive_agent(verb, owners, cues)
    if agent is not None:                       # "which is 25% owned by X": X holds it
        return group(doc, agent, owners), "clause_subject"
    subject, relative_head = verb_subject(verb)
    named = named_noun(subject, owners) if subject is not None and subject is not skip else None
    if named is not None:
        return group(doc, named, owners), "clause_subject"
    named = named_noun(relative_head, owners) if relative_head is not None else None
    if named is not None:
        return group(doc, named, owners), "clause_subject"
    if subject is not None and subject is not skip and subject.pos_ in NOUN_POS:
        found, rule = noun_owner(doc, subject, owners, set(), cues)
        if found is not None:                   # "The US economy grew, expanding 3.8%"
            return found, "clause_subject"
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in cues.clause_owner_preps:
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.i in owners:
                    return group(doc, obj, owners), "clause_prep"
    current = verb
    for _ in range(MAX_CLIMB):
        if current.dep_ not in {"ccomp", "xcomp", "conj"} or current.head.i == current.i:
            break
        current = current.head
        if current.lemma_.lower() in cues.reporting and not public:
            said_by, _ = verb_subject(current)
            if said_by is not None and said_by.i in owners:
                speaker = group(doc, said_by, owners)
                if speaker.label_ == "PERSON":      # a company's figure, given by its chairman
                    speaker = person_organisation(doc, speaker, owners) or speaker
                return speaker, "reporting_subject"
            found = governing_subject_owner(doc, current, owners, cues)
            if found is not None:                   # "BA's chief executive said ..."
                return found, "reporting_subject"
        elif current.lemma_.lower() not in cues.reporting and current.dep_ != "conj":
            found = governing_subject_owner(doc, current, owners, cues)
            if found is not None:                   # "X's business saw sales fall 2.5%"
                return found, "clause_subject"
    return NO_OWNER


def governing_subject_owner(doc: Doc, verb: Token, owners: dict[int, Span], cues: Cues) -> Span | None:
    """The owner named by the subject of a verb that governs the percentage's clause."""
    subject, _ = verb_subject(verb)
    if subject is None or subject.pos_ not in NOUN_POS:
        return None
    named = named_noun(subject, owners)
    if named is not None:
        return group(doc, named, owners)
    found, _ = noun_owner(doc, subject, owners, set(), cues)
    return found
