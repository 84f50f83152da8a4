"""Stage ``newsclaims_directives``: strategic directives with who decided them and for whom.

A directive is a decision, plan or declared direction about an organisation's strategy or
structure ("three new operation centres have been set up", "traffic will shift back to
Taobao"). Clauses are found from cue words over the dependency parse: action verbs, verbs of
suggestion ("suggested a flatter structure"), necessity ("changes are necessary"), nominal
restructurings ("the reorganisation involves ...") and enumerations of directions after a
colon. Expectations, effects, opinions, questions, negations and the past are left out. The
actor follows the subject, the speaker of a governing reporting verb, a source document
("an internal Alibaba letter"), or, failing those, the document's previous directive or its
most-mentioned organisation. All cue words are data in ``models/lexicons/directive_cues.json``.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path

from .claim_spans import add_claim, mention

NAME_LABELS = {"PERSON", "ORG"}
CLAUSE_DEPS = {"ROOT", "ccomp", "conj", "xcomp", "advcl", "relcl", "parataxis", "dep"}
SPLIT_DEPS = {"conj", "cc", "parataxis"}
LEADING_TRIM = {"mark", "cc", "punct", "advmod", "prep", "npadvmod"}
TERMINAL = (".", "!", "?", "”", "\"", "’", "'", ")", ":")


@dataclass
class Candidate:
    """A clause that states a directive, before its actor is decided."""

    anchor: Token
    kind: str  # action | suggestion | necessity | nominal | enumeration
    action: str
    rule: str
    agentive: bool
    tokens: list[Token] = field(default_factory=list)
    intro: Span | None = None  # for enumeration items: the sentence part before the colon


class DirectiveFinder:
    """Find directive clauses and fill actor, targets, action, status, from and to."""

    def __init__(self, name: str = "newsclaims_directives", *, spans_key: str = "directives",
                 score: float = 0.7) -> None:
        self.name = name
        self.spans_key = spans_key
        self.score = score
        self.lexicon: dict[str, Any] = {}

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, lexicon: dict[str, Any] | None = None) -> None:
        """Load the cue lexicon."""
        self.lexicon = dict(lexicon or {})

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "lexicon.json", self.lexicon)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "DirectiveFinder":
        self.lexicon = srsly.read_json(ensure_path(path) / "lexicon.json")
        return self

    # -- lexicon views ----------------------------------------------------------------------
    def _set(self, *keys: str) -> set[str]:
        node: Any = self.lexicon
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        return set(node) if isinstance(node, list) else set()

    # -- main -------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        doc.spans[self.spans_key] = []
        if not self.lexicon or not doc.has_annotation("DEP"):
            return doc
        headline = _headline(doc)
        previous_actor: Span | None = None
        for sent in doc.sents:
            if headline is not None and sent.start_char < headline[1] and \
                    sent.end_char > headline[0]:
                continue
            if sent.text.rstrip().endswith("?"):
                continue
            for cand in self._candidates(sent):
                stated = self._actor(doc, cand)
                actor = stated or previous_actor or _main_org(doc)
                previous_actor = actor
                self._emit(doc, cand, actor, stated_actor=stated)
        return doc

    def _candidates(self, sent: Span) -> list[Candidate]:
        found: list[Candidate] = []
        enumerated = self._enumeration(sent)
        found.extend(enumerated)
        # the items of an enumeration are the directives, not the verb that introduces them
        taken = {t.i for c in enumerated for t in [*c.tokens, *(c.intro or [])]}
        for token in sent:
            if token.i in taken:
                continue
            cand = (self._action(token) or self._suggestion(token) or self._necessity(token)
                    or self._nominal(token))
            if cand is None or self._excluded(cand.anchor):
                continue
            cand.tokens = _clause_tokens(cand.anchor, self._set("reporting_verbs"))
            found.append(cand)
        # a cue inside another directive's clause is part of it, not a directive of its own
        kept = []
        for cand in found:
            if cand.kind == "enumeration" or not any(
                    other is not cand and other.kind != "enumeration"
                    and cand.anchor in other.tokens for other in found):
                kept.append(cand)
        return kept

    # -- cue detectors ----------------------------------------------------------------------
    def _action(self, token: Token) -> Candidate | None:
        if token.pos_ not in {"VERB", "AUX"} or token.dep_ not in CLAUSE_DEPS or token.tag_ == "VBG":
            return None
        for record in self.lexicon.get("actions", []):
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
            if subject_labels and not self._subject_has_label(token, subject_labels):
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
            if record.get("statuses") and _status(cand) not in record["statuses"]:
                continue
            if record.get("statuses") and token.tag_ == "VBN" and not any(
                    c.dep_ in {"aux", "auxpass"} for c in children):
                continue  # a bare participle ("talking points focused on ...") describes
            return cand
        return None

    def _subject_has_label(self, verb: Token, labels: list[str]) -> bool:
        """The verb's stated subject is an entity with one of ``labels`` (or "it"/"they")."""
        head = _clause_head(verb)
        subjects = [c for c in head.children if c.dep_ == "nsubj"]
        if not subjects:
            return False
        ent = _entity_at(verb.doc, subjects[0])
        if ent is not None:
            return ent.label_ in labels
        return "ORG" in labels and subjects[0].lower_ in self.lexicon.get("pronouns", {}).get("org", [])

    def _suggestion(self, token: Token) -> Candidate | None:
        if token.pos_ != "VERB" or token.dep_ not in CLAUSE_DEPS:
            return None
        for record in self.lexicon.get("suggestion_verbs", []):
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
            if objects[0].lemma_.lower() in self._set("event_nouns") or \
                    objects[0].lower_ in self._set("event_nouns"):
                continue
            return Candidate(token, "suggestion", "suggest", record["id"], True)
        return None

    def _necessity(self, token: Token) -> Candidate | None:
        record = self.lexicon.get("necessity", {})
        if token.lower_ not in record.get("adjectives", []) or token.dep_ != "acomp":
            return None
        verb = token.head
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects and subjects[0].lower_ in record.get("nouns", []):
            return Candidate(verb, "necessity", "change", record["id"], False)
        return None

    def _nominal(self, token: Token) -> Candidate | None:
        record = self.lexicon.get("nominal", {})
        if token.lower_ not in record.get("nouns", []) or token.dep_ != "nsubj":
            return None
        if token.head.lemma_.lower() in record.get("verbs", []):
            return Candidate(token.head, "nominal", "restructure", record["id"], False)
        return None

    def _enumeration(self, sent: Span) -> list[Candidate]:
        """Items of a list of directions after a colon: one directive per item."""
        record = self.lexicon.get("list_nouns", {})
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
                action = self._action_for_word(head)
                cands.append(Candidate(head, "enumeration", action, record.get("id", "enumeration"),
                                       False, tokens=item, intro=before))
            if len(cands) >= 2:
                return cands
        return []

    def _action_for_word(self, token: Token) -> str:
        for record in self.lexicon.get("actions", []):
            if token.lemma_.lower() in record["lemmas"] or token.lower_.removesuffix("ing") in \
                    {lemma.removesuffix("e") for lemma in record["lemmas"]}:
                return record["action"]
        return "refocus"

    # -- filters ----------------------------------------------------------------------------
    def _excluded(self, verb: Token) -> bool:
        ex = self.lexicon.get("exclusions", {})
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

    # -- slots ------------------------------------------------------------------------------
    def _actor(self, doc: Doc, cand: Candidate) -> Span | None:
        verb = cand.anchor
        if cand.kind == "enumeration" and cand.intro is not None:
            roots = [t for t in cand.intro if t.dep_ == "ROOT" or t.head.i >= cand.intro.end]
            for root in roots:
                found = self._subject_entity(doc, root)
                if found is not None:
                    return found
        if cand.agentive:
            found = self._subject_entity(doc, _clause_head(verb))
            if found is not None:
                return found
            agent = [t for c in verb.children if c.dep_ == "agent" for t in c.children]
            if agent and _entity_at(doc, agent[0]) is not None:
                return _entity_at(doc, agent[0])
        reporting = self._set("reporting_verbs")
        node = verb
        while node.head.i != node.i:
            node = node.head
            if node.lemma_.lower() in reporting:
                found = self._subject_entity(doc, node, allow_it=False)
                if found is not None:
                    return found
        return self._source_document_org(doc, verb.sent)

    def _subject_entity(self, doc: Doc, verb: Token, *, allow_it: bool = True) -> Span | None:
        subjects = [c for c in verb.children if c.dep_ in {"nsubj"}]
        if not subjects:
            return None
        subject = subjects[0]
        ent = _entity_at(doc, subject)
        if ent is not None and ent.label_ in NAME_LABELS:
            return ent
        named = [e for e in (_entity_at(doc, t) for t in subject.subtree) if e is not None]
        for label in ("PERSON", "ORG"):  # "NetEase chief executive William Ding"
            for found in named:
                if found.label_ == label:
                    return found
        pronouns = self.lexicon.get("pronouns", {})
        if subject.lower_ in pronouns.get("person", []):
            return _last_entity(doc, subject.i, "PERSON")
        org_words = set(pronouns.get("org", []))
        phrase = " ".join(t.lower_ for t in subject.subtree)
        if allow_it and (subject.lower_ in org_words or phrase in org_words):
            return _last_entity(doc, subject.i, "ORG")
        return None

    def _source_document_org(self, doc: Doc, sent: Span) -> Span | None:
        """An organisation named as the author of a source: "an internal Alibaba letter"."""
        sources = self._set("source_nouns")
        for token in sent:
            if token.lower_ in sources:
                for child in token.children:
                    ent = _entity_at(doc, child)
                    if ent is not None and ent.label_ == "ORG":
                        return ent
        return None

    def _emit(self, doc: Doc, cand: Candidate, actor: Span | None, *,
              stated_actor: Span | None) -> None:
        """Add the claim; an actor only inferred from context may also be a target."""
        tokens = sorted(cand.tokens, key=lambda t: t.i)
        if not tokens:
            return
        evidence = doc[tokens[0].i:tokens[-1].i + 1]
        targets = self._targets(doc, evidence, stated_actor)
        if cand.intro is not None:  # "three directions for X: ..." apply to X
            targets = self._targets(doc, cand.intro, stated_actor) or targets
        fields: dict[str, Any] = {
            "actor": mention(actor),
            "targets": [mention(t) for t in targets],
            "action": cand.action,
            "status": _status(cand),
            "from": _prep_text(cand.anchor, "from"),
            "to": _prep_text(cand.anchor, "to") if cand.action in {"shift", "refocus"} else None,
            "cue": cand.anchor.lemma_.lower(),
        }
        add_claim(doc, self.spans_key, evidence, "directive", fields,
                  rule=f"{cand.kind}:{cand.rule}", score=self.score)

    @staticmethod
    def _targets(doc: Doc, region: Span, actor: Span | None) -> list[Span]:
        found: dict[str, Span] = {}
        for ent in doc.ents:
            if ent.label_ not in NAME_LABELS or ent.start < region.start or ent.end > region.end:
                continue
            if actor is not None and ent.text == actor.text:
                continue
            if _in_brackets(doc, ent) or _in_apposition(ent):
                continue
            found.setdefault(ent.text, ent)
        return list(found.values())


# -- helpers --------------------------------------------------------------------------------
def _headline(doc: Doc) -> tuple[int, int] | None:
    """The first article line when it has no sentence-final punctuation: a headline."""
    furniture = [(s.start_char, s.end_char) for s in doc.spans.get("furniture", [])]
    offset = 0
    for line in doc.text.split("\n"):
        start, stripped = offset, line.strip()
        offset += len(line) + 1
        if not stripped or any(fs <= start + line.index(stripped) < fe for fs, fe in furniture):
            continue
        if stripped.endswith(TERMINAL):
            return None
        begin = start + line.index(stripped)
        return begin, begin + len(stripped)
    return None


def _clause_tokens(verb: Token, reporting: set[str]) -> list[Token]:
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


def _clause_head(verb: Token) -> Token:
    """For a coordinated verb without its own subject, the verb it is coordinated with."""
    node = verb
    while node.dep_ == "conj" and not any(c.dep_ == "nsubj" for c in node.children):
        node = node.head
    return node


def _entity_at(doc: Doc, token: Token) -> Span | None:
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _last_entity(doc: Doc, before: int, label: str) -> Span | None:
    found = None
    for ent in doc.ents:
        if ent.end <= before and ent.label_ == label:
            found = ent
    return found


def _main_org(doc: Doc) -> Span | None:
    """The organisation the document mentions most (first mention as the representative)."""
    counts: Counter[str] = Counter()
    first: dict[str, Span] = {}
    for ent in doc.ents:
        if ent.label_ == "ORG":
            key = ent.id_ or ent.text
            counts[key] += 1
            first.setdefault(key, ent)
    if not counts:
        return None
    return first[counts.most_common(1)[0][0]]


def _in_brackets(doc: Doc, ent: Span) -> bool:
    depth = 0
    for token in doc[ent.sent.start:ent.start]:
        if token.text in {"(", "（", "["}:
            depth += 1
        elif token.text in {")", "）", "]"} and depth:
            depth -= 1
    return depth > 0


def _in_apposition(ent: Span) -> bool:
    """True inside an appositive description ("Dai, head of Alibaba's unit"): not a target."""
    return any(t.dep_ == "appos" for token in ent for t in [token, *token.ancestors]
               if t.i < ent.start or t.i >= ent.end)


def _status(cand: Candidate) -> str:
    if cand.kind in {"suggestion", "necessity"}:
        return "suggested"
    if cand.kind == "enumeration":
        return "announced"
    verb = _clause_head(cand.anchor)
    auxes = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    if auxes & {"will", "shall", "'ll", "would", "to"} or verb.head.lemma_.lower() in {"plan", "aim", "intend",
                                                                          "seek", "prepare"}:
        return "planned"
    if auxes & {"has", "have", "had", "'ve"} or verb.tag_ == "VBD":
        return "done"
    return "announced"


def _prep_text(verb: Token, prep: str) -> str | None:
    for child in verb.rights:
        if child.dep_ in {"prep", "dative"} and child.lower_ == prep:
            objects = [t for t in child.subtree if t is not child]
            if objects:
                return verb.doc[objects[0].i:objects[-1].i + 1].text
    return None


@Language.factory(
    "newsclaims_directives",
    assigns=["doc.spans"],
    requires=["doc.ents", "token.dep", "token.lemma"],
    default_config={"spans_key": "directives", "score": 0.7},
)
def make_directives(nlp: Language, name: str, *, spans_key: str, score: float) -> DirectiveFinder:
    """Build the directive stage; cue words arrive through ``initialize``."""
    return DirectiveFinder(name, spans_key=spans_key, score=score)
