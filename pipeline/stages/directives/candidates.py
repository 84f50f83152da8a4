"""Step 1 of a directive: find candidate clauses in a sentence from the cue lexicon.

Each cue detector looks at one token and returns a ``Candidate`` or None; ``find_candidates``
tries them in ``TOKEN_DETECTORS`` order (first match wins), drops excluded clauses and cues
nested in another candidate's clause. A new kind of cue is a new detector in that table; new
verbs of an existing kind are records in the lexicon's ``actions``.
"""

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from ..doc_index import texts
from .model import Candidate, Lexicon
from .parse import clause_head, entity_at
from .status import governing_chain, status

CLAUSE_DEPS = {"ROOT", "ccomp", "conj", "xcomp", "advcl", "relcl", "parataxis", "dep", "pcomp"}
OBJECT_DEPS = {"dobj", "nsubjpass", "attr", "xcomp"}
NOUN_POS = {"NOUN", "PROPN"}
SPLIT_DEPS = {"conj", "cc", "parataxis"}
LEADING_TRIM = {"mark", "cc", "punct", "advmod", "prep", "npadvmod"}

Detector = Callable[[Token, Lexicon], Candidate | None]


# -- cue detectors ----------------------------------------------------------------------------
def action(token: Token, lexicon: Lexicon) -> Candidate | None:
    """A verb from an ``actions`` record whose particle, preposition, subject and object
    constraints all hold ("has set up a new unit"); the first matching record wins. Progressive
    and gerund forms count ("is cutting", "after buying")."""
    if token.pos_ not in {"VERB", "AUX"} or token.dep_ not in CLAUSE_DEPS and not intended(token, lexicon):
        return None
    lemma = token.lemma_.lower()
    governing = lexicon.get("directive_nouns", {}).get("governing_verbs", [])
    if lemma in governing and any(
            c.dep_ == "dobj" and noun_record(c, lexicon) for c in token.children):
        return None  # "launched a bid for X": the noun says what the directive is
    for record in actions_by_lemma(lexicon).get(lemma, ()):
        if not record_holds(token, record, lexicon):
            continue
        cand = Candidate(token, "action", record["action"], record["id"],
                         bool(record.get("agentive")))
        if record.get("statuses") and status(cand, lexicon) not in record["statuses"]:
            continue
        if record.get("statuses") and token.tag_ == "VBN" and not any(
                c.dep_ in {"aux", "auxpass"} for c in token.children):
            continue  # a bare participle ("talking points focused on ...") describes
        return cand
    return None


_ACTIONS_BY_LEMMA: dict[int, tuple[object, dict[str, list[dict]]]] = {}


def actions_by_lemma(lexicon: Lexicon) -> dict[str, list[dict]]:
    """The ``actions`` records that list each lemma, in lexicon order (so the first record that
    holds still wins), built once per lexicon data."""
    cached = _ACTIONS_BY_LEMMA.get(id(lexicon.data))
    if cached is not None and cached[0] is lexicon.data:
        return cached[1]
    index: dict[str, list[dict]] = {}
    for record in lexicon.get("actions", []):
        for lemma in dict.fromkeys(record["lemmas"]):
            index.setdefault(lemma, []).append(record)
    _ACTIONS_BY_LEMMA[id(lexicon.data)] = (lexicon.data, index)
    return index


def intended(verb: Token, lexicon: Lexicon) -> bool:
    """An infinitive that spells out an intention noun: "announced plans to buy X", "a plan to
    restructure its debts", "its fight to acquire Y"."""
    return verb.dep_ == "acl" and verb.head.lemma_.lower() in lexicon.words("intention_nouns") and \
        any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def verb_objects(token: Token) -> list[Token]:
    """The verb's objects: direct object, passive subject, attribute, complement verb, and the
    objects of its prepositions ("merged with X", "pulled out of a deal")."""
    objects = [c for c in token.children if c.dep_ in OBJECT_DEPS]
    for child in token.children:
        if child.dep_ in {"prep", "prt", "dative", "agent"}:
            objects.extend(g for g in child.children if g.dep_ in {"pobj", "pcomp"})
    return objects


def object_heads(obj: Token) -> list[Token]:
    """What an object phrase is about: its head, the head's conjuncts, and the object of an
    "of" phrase ("18.8% of Southcorp", "one of its banks", "all of its shares")."""
    heads = [obj, *obj.conjuncts]
    for head in list(heads):
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        heads.extend([pobj, *pobj.conjuncts])
    return heads


def record_holds(token: Token, record: dict, lexicon: Lexicon) -> bool:
    """Whether the particle, preposition, subject and object constraints of ``record`` hold."""
    children = list(token.children)
    particles = [record["particle"]] if record.get("particle") else record.get("particle_any", [])
    if particles and not any(c.dep_ == "prt" and c.lower_ in particles for c in children) \
            and not any(c.lower_ in particles for c in token.rights):
        return False
    if any(c.dep_ == "prep" and c.lower_ in record.get("prep_not", []) for c in children):
        return False
    prep = record.get("prep")
    if prep and not any(c.dep_ in {"prep", "dative"} and c.lower_ == prep for c in children):
        return False
    required = record.get("requires_child")
    if required and not any(c.dep_ in {"prep", "prt", "advmod", "dative"}
                             and c.lower_ in required for c in children):
        return False
    required_any = record.get("requires_child_any")
    if required_any and not any(c.lower_ in required_any for c in children):
        return False
    subject_labels = record.get("subject_labels")
    if subject_labels and not subject_has_label(token, subject_labels, lexicon):
        return False
    subject_nouns = record.get("subject_nouns")
    if subject_nouns and not any(c.dep_ in {"nsubj", "nsubjpass"} and
                                 (c.lower_ in subject_nouns or c.lemma_.lower() in subject_nouns)
                                 for c in clause_head(token).children):
        return False
    objects = verb_objects(token)
    if record.get("no_object") and any(c.dep_ == "dobj" for c in children):
        return False
    if record.get("no_passive") and any(c.dep_ == "auxpass" for c in children):
        return False
    words = [t for o in objects for t in (object_heads(o) if record.get("object_heads") else o.subtree)]
    nouns = record.get("object_nouns")
    either = record.get("or_object_labels")
    if nouns and not any(t.lower_ in nouns or t.lemma_.lower() in nouns or either and t.ent_type_ in either
                         for t in words):
        return False
    modifiers = record.get("object_modifiers")
    if modifiers and not any(c.dep_ in {"amod", "compound"} and c.lower_ in modifiers
                             for o in objects for t in object_heads(o) for c in t.children):
        return False
    banned_nouns = record.get("object_nouns_not")
    if banned_nouns and any(t.lemma_.lower() in banned_nouns for o in objects for t in object_heads(o)):
        return False
    labels = record.get("object_labels")
    if labels and not any(o.ent_type_ in labels for o in objects):
        return False
    banned = record.get("object_labels_not")
    return not (banned and any(t.ent_type_ in banned for t in words))


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
        if record.get("subject_required") and not someone_suggests(token, lexicon):
            continue
        return Candidate(token, "suggestion", "suggest", record["id"], True)
    return None


def someone_suggests(verb: Token, lexicon: Lexicon) -> bool:
    """A person or organisation (named, or a pronoun) makes the suggestion, or it is passive
    ("was urged to"); a survey, report or "experts" that suggest only indicate."""
    head = clause_head(verb)
    if any(c.dep_ == "auxpass" for c in head.children):
        return True
    for subject in (c for c in head.children if c.dep_ == "nsubj"):
        if any(t.ent_type_ in {"PERSON", "ORG"} for t in subject.subtree):
            return True
        pronouns = lexicon.get("pronouns", {})
        if subject.lower_ in {*pronouns.get("person", []), *pronouns.get("org", [])}:
            return True
    return False


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


def noun_record(token: Token, lexicon: Lexicon) -> dict | None:
    """The ``directive_nouns`` record a noun belongs to ("takeover" → acquire), if any."""
    if token.pos_ not in NOUN_POS:
        return None
    word, lemma = token.lower_, token.lemma_.lower()
    doc = token.doc
    if token.i >= 2 and doc[token.i - 1].text == "-" and doc[token.i - 2].dep_ == "compound":
        word = lemma = f"{doc[token.i - 2].lower_}-{word}"  # "buy - back", "break - up"
    for record in lexicon.get("directive_nouns", {}).get("records", []):
        if word in record["nouns"] or lemma in record["nouns"] and word not in {"sales"}:
            return record
    return None


def owned(noun: Token) -> bool:
    """The noun has an owner or an organisation in an of/by/for/in phrase ("X's takeover",
    "its flotation", "the acquisition of Y", "a takeover by X")."""
    for child in noun.children:
        if child.dep_ == "poss" and (child.tag_ == "PRP$" or child.ent_type_ in {"ORG", "PERSON"}):
            return True
        if child.dep_ in {"prep", "agent"} and child.lower_ in {"of", "by", "for", "in"}:
            if any(t.ent_type_ in {"ORG", "PERSON"} for t in child.subtree):
                return True
    return False


def directive_noun(token: Token, lexicon: Lexicon, *, in_headline: bool = False) -> Candidate | None:
    """A noun that names a directive: the object of a governing verb ("announced the planned
    sale", "has launched a bid") anchors on that verb; an owned noun ("its takeover of X") or
    one introduced by "there is" anchors on itself. A modifier noun counts only in a headline."""
    record = noun_record(token, lexicon)
    if record is None:
        return None
    section = lexicon.get("directive_nouns", {})
    if token.lower_ in {"offer", "bid", "bids", "offers"} and not any(
            c.lower_ in {"for", "to"} or c.dep_ in {"acl", "relcl"} for c in token.children):
        if not in_headline:
            return None  # "an offer" alone is a product; "a bid for X" is a takeover
    if token.lower_ in {"sale", "sales", "purchase", "purchases"} and not owned(token) and not any(
            c.dep_ == "compound" and c.lower_ in section.get("sale_objects", []) for c in token.children):
        if not (token.dep_ == "dobj" and token.head.lemma_.lower() in section.get("governing_verbs", [])):
            return None
    head = token.head
    if in_headline and head.lower_ in lexicon.words("background_preps"):
        return None  # "Jobs go at X after takeover": the takeover is background
    bare = [c.lower_ for c in token.children] == ["the"]  # "the takeover was announced": a reference
    light = head.lemma_.lower() in section.get("light_verbs", []) and not any(
        c.dep_ == "prep" and c.lower_ in {"for", "of", "to"} or c.dep_ == "acl" for c in token.children)
    governing = section.get("governing_verbs", [])
    if token.dep_ in {"dobj", "nsubjpass"} and head.lemma_.lower() in governing \
            and head.pos_ in {"VERB", "AUX"} and head.dep_ in CLAUSE_DEPS and not light and not bare:
        return Candidate(head, "noun", record["action"], record["id"], True, noun=token)
    amount = head.head if token.dep_ == "pobj" and head.lower_ == "of" else None
    if amount is not None and amount.dep_ == "dobj" and amount.head.lemma_.lower() in governing \
            and amount.head.dep_ in CLAUSE_DEPS:  # "announced $7bn of purchases"
        return Candidate(amount.head, "noun", record["action"], record["id"], True, noun=token)
    if record.get("owned", True) is False:
        return None
    if token.dep_ in {"compound", "amod", "nmod"} and not in_headline:
        return None
    there = token.dep_ in {"attr", "nsubj"} and any(c.dep_ == "expl" for c in head.children)
    if owned(token) or there or in_headline:
        return Candidate(token, "noun", record["action"], record["id"], True, noun=token)
    return None


TOKEN_DETECTORS: tuple[Detector, ...] = (action, suggestion, necessity, nominal, directive_noun)


@dataclass(frozen=True)
class CueWords:
    """The words a ``TOKEN_DETECTORS`` cue can start at: a token whose lemma and lower-case form
    are in neither set (and that is no "x - noun" compound) makes every detector return None,
    so ``find_candidates`` skips it without running them (most tokens of a text)."""

    lemmas: frozenset[str]
    words: frozenset[str]


_CUE_WORDS: dict[int, tuple[object, CueWords]] = {}


def cue_words(lexicon: Lexicon) -> CueWords:
    """The ``CueWords`` of a lexicon, built once per lexicon data: the ``actions`` and
    ``suggestion_verbs`` lemmas (matched on the lemma), the necessity adjectives and nominal
    nouns (on the word), the directive nouns (on either)."""
    cached = _CUE_WORDS.get(id(lexicon.data))
    if cached is not None and cached[0] is lexicon.data:
        return cached[1]
    lemmas: set[str] = set()
    words: set[str] = set()
    for record in [*lexicon.get("actions", []), *lexicon.get("suggestion_verbs", [])]:
        lemmas.update(record["lemmas"])
    words.update(lexicon.get("necessity", {}).get("adjectives", []))
    words.update(lexicon.get("nominal", {}).get("nouns", []))
    for record in lexicon.get("directive_nouns", {}).get("records", []):
        lemmas.update(record["nouns"])
        words.update(record["nouns"])
    cues = CueWords(frozenset(lemmas), frozenset(words))
    _CUE_WORDS[id(lexicon.data)] = (lexicon.data, cues)
    return cues


def may_cue(token: Token, cues: CueWords) -> bool:
    """Whether any ``TOKEN_DETECTORS`` detector can return a candidate for ``token``."""
    found = cue_tokens(token.doc, cues)
    i = bisect_left(found, token.i)
    return i < len(found) and found[i] == token.i


_CUE_TOKENS: WeakKeyDictionary[Doc, tuple[CueWords, int, list[int]]] = WeakKeyDictionary()


def cue_tokens(doc: Doc, cues: CueWords) -> list[int]:
    """The indices, in order, of the tokens a ``TOKEN_DETECTORS`` detector can return a
    candidate for: a cue word or lemma, or any word after a hyphen ("buy - back": the compound
    ``noun_record`` reads). Read once per Doc from its word lists (no Token per token)."""
    cached = _CUE_TOKENS.get(doc)
    if cached is not None and cached[0] is cues and cached[1] == len(doc):
        return cached[2]
    strings = doc.vocab.strings  # each distinct word and lemma is looked up once
    lower_ids, lemma_ids = doc.to_array(LOWER), doc.to_array(LEMMA)
    cue = np.isin(lower_ids, _ids(k for k in set(lower_ids.tolist()) if strings[k] in cues.words))
    cue |= np.isin(lemma_ids, _ids(k for k in set(lemma_ids.tolist())
                                   if strings[k].lower() in cues.lemmas))
    after_hyphen = doc.to_array(ORTH)[1:-1] == get_string_id("-")
    cue[2:] |= after_hyphen
    found = np.flatnonzero(cue).tolist()
    _CUE_TOKENS[doc] = (cues, len(doc), found)
    return found


def _ids(keys: Iterable[int]) -> np.ndarray:
    return np.fromiter(keys, dtype=np.uint64)


def _sentence_cues(sent: Span, cues: CueWords) -> list[Token]:
    """The sentence's tokens ``may_cue`` accepts."""
    found = cue_tokens(sent.doc, cues)
    first, doc = bisect_left(found, sent.start), sent.doc
    return [doc[i] for i in found[first:bisect_left(found, sent.end, first)]]


def enumeration(sent: Span, lexicon: Lexicon) -> list[Candidate]:
    """Items of a list of directions after a colon: one directive per item (two or more)."""
    record = lexicon.get("list_nouns", {})
    nouns = set(record.get("nouns", []))
    words = texts(sent.doc)
    colons = [sent.doc[i] for i in range(sent.start, sent.end) if words[i] == ":"]
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
    if verb.head.pos_ in NOUN_POS and verb.dep_ in {"acl", "relcl"} and \
            any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and \
            verb.head.lemma_.lower() not in lexicon.words("intention_nouns"):
        return True  # "an option to buy", "next in line to be sold": not a decision
    if any(c.dep_ == "aux" and c.lower_ in ex.get("hedge_modals", []) for c in verb.children):
        return True
    for node in governing_chain(clause_head(verb)):
        auxes = [c.lower_ for c in node.children if c.dep_ == "aux"]
        if node.tag_ == "VBN" and "have" in auxes and set(auxes) & {"could", "would", "might", "should"}:
            return True  # "could have forced it to buy": what did not happen
    conditional = set(ex.get("conditional_marks", []))
    clauses = [verb, *(c for c in verb.children if c.dep_ == "advcl")]
    if any(m.dep_ == "mark" and m.lower_ in conditional for c in clauses for m in c.children):
        return True  # a hypothetical ("if they ..., X will ...") is not a decision
    blocked = set(ex.get("opinion_verbs", [])) | set(ex.get("expectation_verbs", [])) | \
        set(ex.get("effect_verbs", []))
    control = set(ex.get("control_verbs", []))
    node = verb
    while node.head.i != node.i:
        if node.dep_ in {"csubj", "csubjpass"}:
            return True
        own_subject = any(c.dep_ == "nsubj" for c in node.children)
        node = node.head
        if node.lemma_.lower() in blocked or node.lemma_.lower() in control and own_subject:
            return True
    if verb.lemma_.lower() in blocked:
        return True
    past = set(ex.get("past_markers", []))
    own = [c for c in verb.children if c.dep_ not in SPLIT_DEPS | {"ccomp", "advcl"}]
    return any(t.lower_ in past and t.dep_ != "mark" for c in own for t in c.subtree)  # not "once done"


def generic(cand: Candidate) -> bool:
    """An agentive action whose subject is a bare plural ("firms will cut costs", "many
    companies will focus on ..."): a general statement, not one organisation's decision."""
    if cand.kind != "action" or not cand.agentive:
        return False
    for subject in (c for c in clause_head(cand.anchor).children if c.dep_ == "nsubj"):
        bare = not any(c.dep_ in {"det", "poss", "nummod"} and c.lower_ not in {"many", "some", "most", "all"}
                       for c in subject.children)
        if subject.tag_ == "NNS" and bare and not any(t.ent_type_ for t in subject.subtree):
            return True
    return False


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
def detect(token: Token, lexicon: Lexicon, detectors: Sequence[Detector],
           in_headline: bool) -> Candidate | None:
    """The first detector's candidate for ``token`` (a headline lets modifier nouns count)."""
    for detector in detectors:
        if detector is directive_noun:
            cand = directive_noun(token, lexicon, in_headline=in_headline)
        else:
            cand = detector(token, lexicon)
        if cand is not None:
            return cand
    return None


def part_of(inner: Candidate, outer: Candidate, background: set[str]) -> bool:
    """Whether ``inner`` only restates ``outer``: the same action reached through an infinitive
    of purpose or a complement ("has bid $1m to buy X"), or anything inside a call for change
    ("urged managers to cut costs" is one suggestion)."""
    if inner.anchor not in outer.tokens:
        return False
    if outer.kind in {"suggestion", "necessity", "nominal"}:
        return True  # what is called for is part of the call
    if inner.noun is not None and inner.anchor.i == inner.noun.i and (
            inner.noun.head.i == outer.anchor.i or inner.noun.head.head.i == outer.anchor.i
            and inner.noun.head.dep_ in {"prep", "dobj"} and inner.noun.head.lower_ not in background):
        return True  # "ended their alliance", "pulled out of a deal": what the action acts on
    if outer.noun is not None and inner.anchor.dep_ == "acl" and inner.anchor.head.i == outer.noun.i:
        return True  # "make an offer to buy X": the infinitive spells out the noun
    if inner.action == outer.action:  # "has bid $1m to buy X"; not "bid for X after buying Y"
        return outer.anchor in governing_chain(clause_head(inner.anchor)) or \
            inner.noun is not None and outer.noun is not None
    return inner.kind not in {"noun", "action"}


def carve(outer: Candidate, inner: Candidate) -> None:
    """Take a nested directive's phrase out of the outer clause (one line per directive): the
    outer keeps the contiguous run around its anchor."""
    node = inner.anchor
    while node.head.i != node.i and node.head.i != outer.anchor.i and node.head in outer.tokens:
        node = node.head
    if node.i == outer.anchor.i:
        return
    removed = {t.i for t in node.subtree}
    if outer.anchor.i in removed or node.dep_ in {"nsubj", "nsubjpass", "dobj"}:
        removed = {t.i for t in inner.tokens}  # keep the outer's own subject and object
    kept = [t for t in outer.tokens if t.i not in removed]
    run = [t for t in kept if t.i == outer.anchor.i]
    index = {t.i: t for t in kept}
    i = outer.anchor.i - 1
    while i in index:
        run.insert(0, index[i])
        i -= 1
    i = outer.anchor.i + 1
    while i in index:
        run.append(index[i])
        i += 1
    while len(run) > 1 and run[-1].i != outer.anchor.i and (
            run[-1].is_punct or run[-1].pos_ in {"ADP", "CCONJ"}):
        run.pop()
    outer.tokens = run


def with_governor(cand: Candidate, tokens: list[Token], lexicon: Lexicon) -> list[Token]:
    """An infinitive's clause with the verbs that govern it and their subject ("It plans to buy X",
    "GM is to pay Fiat $2bn to get out of a deal"): the clause the directive is stated in. A
    reporting verb is not part of it."""
    if cand.kind != "action" or not tokens:
        return tokens
    chain = governing_chain(clause_head(cand.anchor))
    top = chain[-1]
    if top is chain[0] or top.lemma_.lower() in lexicon.words("reporting_verbs"):
        return tokens
    calls = {lemma for r in lexicon.get("suggestion_verbs", []) for lemma in r["lemmas"]} | \
        lexicon.words("object_control_verbs")
    if any(v.lemma_.lower() in calls for v in chain[1:]):
        return tokens  # "urged managers to cut": the call is its own directive
    doc = cand.anchor.doc
    lead = [t for c in top.children if c.dep_ in {"nsubj", "nsubjpass", "aux", "auxpass", "neg"}
            for t in c.subtree]
    start = min([top.i, *(t.i for t in lead)])
    if start >= tokens[0].i:
        return tokens
    span = doc[start:tokens[-1].i + 1]
    inside = {t.i for t in top.subtree}
    if any(t.i not in inside for t in span):
        return tokens
    return list(span)


def find_candidates(sent: Span, lexicon: Lexicon, detectors: Sequence[Detector] = TOKEN_DETECTORS, *,
                    in_headline: bool = False) -> list[Candidate]:
    """The sentence's directive candidates, enumeration items first, then cues in token order;
    a cue that restates another's clause is dropped, a distinct one nested in it is carved out."""
    found: list[Candidate] = []
    enumerated = enumeration(sent, lexicon)
    found.extend(enumerated)
    # the items of an enumeration are the directives, not the verb that introduces them
    taken = {t.i for c in enumerated for t in [*c.tokens, *(c.intro or [])]}
    anchors: set[int] = set()
    cues = cue_words(lexicon) if detectors is TOKEN_DETECTORS else None
    for token in sent if cues is None else _sentence_cues(sent, cues):
        if token.i in taken:
            continue
        cand = detect(token, lexicon, detectors, in_headline)
        if cand is None or cand.anchor.i in anchors or excluded(cand.anchor, lexicon) or generic(cand):
            continue
        anchors.add(cand.anchor.i)
        cand.tokens = with_governor(cand, clause_tokens(cand.anchor, lexicon.words("reporting_verbs")), lexicon)
        found.append(cand)
    kept = []
    for cand in found:
        if cand.kind == "enumeration" or not any(
                other is not cand and other.kind != "enumeration" and
                part_of(cand, other, lexicon.words("background_preps")) for other in found):
            kept.append(cand)
    for outer in kept:
        for inner in kept:
            if inner is not outer and inner.kind != "enumeration" and inner.anchor in outer.tokens:
                carve(outer, inner)
    return kept
