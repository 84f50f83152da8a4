"""Step 1 of a directive: find candidate clauses in a sentence from the cue lexicon.

Each cue detector looks at one token and returns a ``Candidate`` or None; ``find_candidates``
tries them in ``TOKEN_DETECTORS`` order (first match wins), drops excluded clauses and cues
nested in another candidate's clause. A new kind of cue is a new detector in that table; new
verbs of an existing kind are records in the lexicon's ``actions``.
"""

from collections.abc import Callable, Sequence

from spacy.tokens import Span, Token

from .model import Candidate, Lexicon
from .parse import clause_head, entity_at
from .status import status

CLAUSE_DEPS = {"ROOT", "ccomp", "conj", "xcomp", "advcl", "relcl", "parataxis", "dep"}
SPLIT_DEPS = {"conj", "cc", "parataxis"}
LEADING_TRIM = {"mark", "cc", "punct", "advmod", "prep", "npadvmod"}

Detector = Callable[[Token, Lexicon], Candidate | None]


# -- cue detectors ----------------------------------------------------------------------------
def action(token: Token, lexicon: Lexicon) -> Candidate | None:
    """A verb from an ``actions`` record whose particle, preposition, subject and object
    constraints all hold ("has set up a new unit"); the first matching record wins."""
    if token.pos_ not in {"VERB", "AUX"} or token.dep_ not in CLAUSE_DEPS or token.tag_ == "VBG":
        return None
    for record in lexicon.get("actions", []):
        if token.lemma_.lower() not in record["lemmas"]:
            continue
        children = list(token.children)
        particle = record.get("particle")
        if particle and not any(c.dep_ == "prt" and c.lower_ == particle for c in children) \
                and not any(c.lower_ == particle for c in token.rights):
            continue
        prep = record.get("prep")
        if prep and not any(c.dep_ in {"prep", "dative"} and c.lower_ == prep for c in children):
            continue
        required = record.get("requires_child")
        if required and not any(c.dep_ in {"prep", "prt", "advmod", "dative"}
                                 and c.lower_ in required for c in children):
            continue
        subject_labels = record.get("subject_labels")
        if subject_labels and not subject_has_label(token, subject_labels, lexicon):
            continue
        objects = [c for c in children if c.dep_ in {"dobj", "nsubjpass", "attr"}]
        nouns = record.get("object_nouns")
        if nouns and not any(t.lower_ in nouns or t.lemma_.lower() in nouns
                             for o in objects for t in o.subtree):
            continue
        labels = record.get("object_labels")
        if labels and not any(o.ent_type_ in labels for o in objects):
            continue
        cand = Candidate(token, "action", record["action"], record["id"],
                         bool(record.get("agentive")))
        if record.get("statuses") and status(cand) not in record["statuses"]:
            continue
        if record.get("statuses") and token.tag_ == "VBN" and not any(
                c.dep_ in {"aux", "auxpass"} for c in children):
            continue  # a bare participle ("talking points focused on ...") describes
        return cand
    return None


def subject_has_label(verb: Token, labels: list[str], lexicon: Lexicon) -> bool:
    """The verb's stated subject is an entity with one of ``labels`` (or "it"/"they")."""
    head = clause_head(verb)
    subjects = [c for c in head.children if c.dep_ == "nsubj"]
    if not subjects:
        return False
    ent = entity_at(verb.doc, subjects[0])
    if ent is not None:
        return ent.label_ in labels
    return "ORG" in labels and subjects[0].lower_ in lexicon.get("pronouns", {}).get("org", [])


def suggestion(token: Token, lexicon: Lexicon) -> Candidate | None:
    """A verb of suggestion with an object that is not an event ("called for an overhaul")."""
    if token.pos_ != "VERB" or token.dep_ not in CLAUSE_DEPS:
        return None
    for record in lexicon.get("suggestion_verbs", []):
        lemma = token.lemma_.lower()
        if lemma not in record["lemmas"]:
            continue
        particle = record.get("particles", {}).get(lemma)
        if particle and not any(c.lower_ == particle for c in token.children):
            continue
        objects = [c for c in token.subtree if c.dep_ in {"dobj", "pobj", "xcomp", "ccomp"}
                   and c.head.i in {token.i} | {p.i for p in token.children}]
        if not objects:
            continue
        if objects[0].lemma_.lower() in lexicon.words("event_nouns") or \
                objects[0].lower_ in lexicon.words("event_nouns"):
            continue
        return Candidate(token, "suggestion", "suggest", record["id"], True)
    return None


def necessity(token: Token, lexicon: Lexicon) -> Candidate | None:
    """A necessity adjective about change ("changes are necessary"); anchored on its verb."""
    record = lexicon.get("necessity", {})
    if token.lower_ not in record.get("adjectives", []) or token.dep_ != "acomp":
        return None
    verb = token.head
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if subjects and subjects[0].lower_ in record.get("nouns", []):
        return Candidate(verb, "necessity", "change", record["id"], False)
    return None


def nominal(token: Token, lexicon: Lexicon) -> Candidate | None:
    """A restructuring noun as subject of a stating verb ("the reorganisation involves ...")."""
    record = lexicon.get("nominal", {})
    if token.lower_ not in record.get("nouns", []) or token.dep_ != "nsubj":
        return None
    if token.head.lemma_.lower() in record.get("verbs", []):
        return Candidate(token.head, "nominal", "restructure", record["id"], False)
    return None


TOKEN_DETECTORS: tuple[Detector, ...] = (action, suggestion, necessity, nominal)


def enumeration(sent: Span, lexicon: Lexicon) -> list[Candidate]:
    """Items of a list of directions after a colon: one directive per item (two or more)."""
    record = lexicon.get("list_nouns", {})
    nouns = set(record.get("nouns", []))
    colons = [t for t in sent if t.text == ":"]
    for colon in colons:
        before = sent.doc[sent.start:colon.i]
        if not any(t.lower_ in nouns for t in before):
            continue
        items: list[list[Token]] = [[]]
        for token in sent.doc[colon.i + 1:sent.end]:
            if token.text in {",", ";"} or token.lower_ in {"and", "or"}:
                items.append([])
            elif not token.is_space and not (token.is_punct and token.text not in {"-", "/"}):
                items[-1].append(token)
        cands = []
        for item in items:
            if len(item) < 2:
                continue
            head = item[0]
            cands.append(Candidate(head, "enumeration", action_for_word(head, lexicon),
                                   record.get("id", "enumeration"), False, tokens=item, intro=before))
        if len(cands) >= 2:
            return cands
    return []


def action_for_word(token: Token, lexicon: Lexicon) -> str:
    """The action of the first ``actions`` record a word (or its -ing form) belongs to; else refocus."""
    for record in lexicon.get("actions", []):
        if token.lemma_.lower() in record["lemmas"] or token.lower_.removesuffix("ing") in \
                {lemma.removesuffix("e") for lemma in record["lemmas"]}:
            return record["action"]
    return "refocus"


# -- filters ----------------------------------------------------------------------------------
def excluded(verb: Token, lexicon: Lexicon) -> bool:
    """Not a decision: negated, hedged, hypothetical, under an opinion, expectation or effect
    verb, a clausal subject, or marked as the past."""
    ex = lexicon.get("exclusions", {})
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    if any(c.dep_ == "aux" and c.lower_ in ex.get("hedge_modals", []) for c in verb.children):
        return True
    conditional = set(ex.get("conditional_marks", []))
    clauses = [verb, *(c for c in verb.children if c.dep_ == "advcl")]
    if any(m.dep_ == "mark" and m.lower_ in conditional for c in clauses for m in c.children):
        return True  # a hypothetical ("if they ..., X will ...") is not a decision
    blocked = set(ex.get("opinion_verbs", [])) | set(ex.get("expectation_verbs", [])) | \
        set(ex.get("effect_verbs", []))
    node = verb
    while node.head.i != node.i:
        if node.dep_ in {"csubj", "csubjpass"}:
            return True
        node = node.head
        if node.lemma_.lower() in blocked:
            return True
    if verb.lemma_.lower() in blocked:
        return True
    past = set(ex.get("past_markers", []))
    own = [c for c in verb.children if c.dep_ not in SPLIT_DEPS | {"ccomp", "advcl"}]
    return any(t.lower_ in past for c in own for t in c.subtree)


# -- clause -----------------------------------------------------------------------------------
def clause_tokens(verb: Token, reporting: set[str]) -> list[Token]:
    """The verb's clause: its subtree without coordinated clauses and attributions
    ("according to ...", "citing ..."), trimmed at the edges."""
    removed: set[int] = set()
    for child in verb.children:
        if child.dep_ in SPLIT_DEPS and child.pos_ in {"VERB", "AUX", "CCONJ", "PUNCT"} or \
                child.lower_ == "according" or \
                child.dep_ == "advcl" and child.lemma_.lower() in reporting | {"cite"}:
            removed.update(t.i for t in child.subtree)
    tokens = [t for t in verb.subtree if t.i not in removed]
    # keep the contiguous run around the verb
    run = [verb]
    index = {t.i: t for t in tokens}
    i = verb.i - 1
    while i in index:
        run.insert(0, index[i])
        i -= 1
    i = verb.i + 1
    while i in index:
        run.append(index[i])
        i += 1
    while run and run[0].i != verb.i:
        first = run[0]
        # a leading "as", "and", "now", "," goes; a leading phrase ("Under the plan") stays
        has_dependents = any(t.head.i == first.i and t.i != first.i for t in run)
        opener = first.dep_ in LEADING_TRIM and first.head.i == verb.i and not (
            has_dependents and first.dep_ in {"prep", "npadvmod"})
        if not (first.is_punct or first.is_space or opener):
            break
        run.pop(0)
    while run and run[-1].i != verb.i and (run[-1].is_punct or run[-1].is_space):
        run.pop()
    return run


# -- the step ---------------------------------------------------------------------------------
def find_candidates(sent: Span, lexicon: Lexicon,
                    detectors: Sequence[Detector] = TOKEN_DETECTORS) -> list[Candidate]:
    """The sentence's directive candidates, enumeration items first, then cues in token order."""
    found: list[Candidate] = []
    enumerated = enumeration(sent, lexicon)
    found.extend(enumerated)
    # the items of an enumeration are the directives, not the verb that introduces them
    taken = {t.i for c in enumerated for t in [*c.tokens, *(c.intro or [])]}
    for token in sent:
        if token.i in taken:
            continue
        cand = next((c for c in (detect(token, lexicon) for detect in detectors) if c is not None), None)
        if cand is None or excluded(cand.anchor, lexicon):
            continue
        cand.tokens = clause_tokens(cand.anchor, lexicon.words("reporting_verbs"))
        found.append(cand)
    # a cue inside another directive's clause is part of it, not a directive of its own
    kept = []
    for cand in found:
        if cand.kind == "enumeration" or not any(
                other is not cand and other.kind != "enumeration"
                and cand.anchor in other.tokens for other in found):
            kept.append(cand)
    return kept
