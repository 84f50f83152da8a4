"""Stage ``newsclaims_roles``: a person's position in an organisation, as role claims.

Titles ("chief executive", "co-founders", "Head") come from the title lexicon
(``models/lexicons/role_titles.json``) and are written on their tokens as ``token._.role_title``
(the canonical role; ``token._.role_verb`` for verbs such as "founded"). Matcher patterns in
``models/patterns/roles.jsonl`` then find the shapes news uses to tie a PERSON to an ORG through a
title: apposition, possessive, title first, copula, appointment and founding verbs. Each record
names the slot of every pattern token (person, org, title, scope) in its ``slots`` list. A title is
read once: when several shapes claim it, the record with the higher ``priority`` wins ("Liu Yiman,
Head of Taobao Live Cheng Daofang": the head is Cheng Daofang). Records with ``"org_from":
"context"`` need no ORG in the pattern ("chief executive Jane Lee", "Jane Lee, the chairman"): the
organisation is then read from the title phrase or the surrounding text. Claims go to
``doc.spans[spans_key]``.

The steps live in their own modules: ``model`` (titles, readings and shared token classes), ``slots``
(fill the person, organisation and role of a match) and ``decide`` (one reading per title); this module
finds titles and pattern matches and orchestrates the steps.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from ..claim_spans import add_claim, mention
from .decide import resolve
from .model import HYPHENS, JOINERS, NON_TITLE, PAST, PLURAL, SLOTS, Candidate, Title, TitleIndex, plural_forms
from .slots import (
    context_org,
    entities,
    extend_list,
    formal_title,
    is_verb_pattern,
    modifier_org,
    owned_org,
    part_owner,
    phrase_org,
    with_particles,
)
from .windows import match_windows, windowed_matches

__all__ = ["RoleClaims", "make_roles", "plural_forms"]


class RoleClaims:
    """Tag titles from the lexicon, match role shapes, write one claim per (person, role, org)."""

    def __init__(self, nlp: Language, name: str = "newsclaims_roles", *,
                 spans_key: str = "roles") -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer
        self.spans_key = spans_key
        self.lexicon: dict[str, Any] = {}
        self.records: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, str] = {}
        self.title_flags: dict[str, dict[str, bool]] = {}
        self.singular: dict[str, str] = {}
        self.publications: dict[str, set[str]] = {}
        self.modifiers: set[str] = set()
        self.blockers: set[str] = set()
        self.org_words: set[str] = set()
        self.name_cues: set[str] = set()
        self.departures: set[str] = set()
        self.title_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.verb_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.patterns: list[list[dict[str, Any]]] = []

    # -- data -------------------------------------------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, lexicon: dict[str, Any] | None = None,
                   patterns: Iterable[dict[str, Any]] | None = None) -> None:
        """Load the title lexicon ({"records": [{"id", "role", "terms"}], ...}) and patterns."""
        self.set_data(lexicon or {}, list(patterns or []))

    def set_data(self, lexicon: dict[str, Any], records: list[dict[str, Any]]) -> None:
        self.lexicon = dict(lexicon)
        self.modifiers = {w.lower() for w in self.lexicon.get("modifiers", [])}
        self.blockers = {w.lower() for w in self.lexicon.get("blockers", [])}
        self.org_words = {w.lower() for w in self.lexicon.get("org_words", [])}
        self.name_cues = {w.lower() for w in self.lexicon.get("name_cues_before", [])}
        self.departures = {w.lower() for w in self.lexicon.get("departure_verbs", [])}
        self.roles = {}
        self.title_flags = {}
        self.singular = {}
        self.publications = {k: {w.lower() for w in v}
                             for k, v in self.lexicon.get("publications", {}).items()
                             if isinstance(v, list)}
        self.title_matcher = PhraseMatcher(self.vocab, attr="LOWER")
        self.verb_matcher = PhraseMatcher(self.vocab, attr="LOWER")
        for record in self.lexicon.get("records", []):
            rid = record["id"]
            self.roles[rid] = record["role"]
            self.title_flags[rid] = {k: bool(record.get(k, k == "context_org"))
                                     for k in ("as_written", "compounds", "context_org")}
            terms = [t.lower() for t in record.get("terms", [])]
            plurals = [p.lower() for t in terms for p in plural_forms(t)]
            for term in terms:
                self.singular.setdefault(term, term)
                for form in plural_forms(term):
                    self.singular.setdefault(form.lower(), term)
            self.title_matcher.add(rid, self._docs(terms))
            self.title_matcher.add(rid + PLURAL, self._docs(p for p in plurals if p not in terms))
            if record.get("verbs"):
                self.verb_matcher.add(rid, self._docs(v.lower() for v in record["verbs"]))
        non_titles = [t.lower() for t in self.lexicon.get("non_titles", [])]
        if non_titles:
            self.title_matcher.add(NON_TITLE, self._docs(non_titles))
        self.records = list(records)
        self.patterns = [record["pattern"] for record in self.records]
        self.by_id = {}
        self.matcher = Matcher(self.vocab, validate=True)
        for record in self.records:
            slots, pattern = record["slots"], record["pattern"]
            if len(slots) != len(pattern) or not set(slots) <= SLOTS:
                raise ValueError(f"roles pattern {record['id']!r}: one slot per token, out of "
                                 f"{sorted(SLOTS)}")
            self.by_id[record["id"]] = record
            self.matcher.add(record["id"], [pattern], greedy="LONGEST")  # windowed_matches needs it

    def _docs(self, terms: Iterable[str]) -> list[Doc]:
        return [self.tokenizer(term) for term in dict.fromkeys(terms)]

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "lexicon.json", self.lexicon)
        srsly.write_jsonl(path / "patterns.jsonl", self.records)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "RoleClaims":
        path = ensure_path(path)
        self.set_data(srsly.read_json(path / "lexicon.json"),
                      list(srsly.read_jsonl(path / "patterns.jsonl")))
        return self

    # -- titles -----------------------------------------------------------------------------
    def tag_titles(self, doc: Doc) -> tuple[list[Title], list[Title]]:
        """Find titles and role verbs and write them on their tokens (clearing older tags)."""
        if _has_token_tags(doc):  # only a Doc read before has tags to clear: no token loop
            for token in doc:
                if token._.role_title or token._.role_verb:
                    token._.role_title = token._.role_verb = ""
        titles = self._find(doc, self.title_matcher, verb=False)
        verbs = self._find(doc, self.verb_matcher, verb=True)
        for title in titles:
            for token in doc[title.start:title.end]:
                token._.role_title = title.role
        for first, second in zip(titles, titles[1:], strict=False):
            if second.start == first.end + 1 and doc[first.end].lower_ in JOINERS:
                doc[first.end]._.role_title = "+"  # "founder and chief executive": one title slot
        for verb in verbs:
            for token in doc[verb.start:verb.end]:
                token._.role_verb = verb.role
        return titles, verbs

    def _find(self, doc: Doc, matcher: PhraseMatcher, *, verb: bool) -> list[Title]:
        spans = filter_spans([Span(doc, s, e, label=k) for k, s, e in matcher(doc)])
        starts = {s.start for s in spans if s.label_ != NON_TITLE}
        found = []
        for span in spans:
            key = span.label_
            if key == NON_TITLE or (not verb and (self._blocked(doc, span.start)
                                                  or self._modifies_noun(doc, span.end, starts))):
                continue
            rid, plural = (key[:-len(PLURAL)], True) if key.endswith(PLURAL) else (key, False)
            if verb:
                found.append(Title(span.start, span.end, self.roles[rid], plural, verb))
                continue
            if len(span) == 1 and span[0].pos_ == "VERB":
                continue  # "who heads the firm", "she chairs": the verb, not the title
            flags = self.title_flags[rid]
            head = self._with_compounds(doc, span.start) if flags["compounds"] else span.start
            start = self._with_modifiers(doc, head)
            role = self._role(doc, rid, head, span, flags["as_written"])
            if any(t.lower_ in PAST for t in doc[start:head]):
                role = f"former {role}"  # the phrase itself marks the post as past
            found.append(Title(start, span.end, role, plural, verb, flags["context_org"]))
        return found

    def _role(self, doc: Doc, rid: str, head: int, span: Span, as_written: bool) -> str:
        """The canonical role, or for open-class titles the title as written (singular, with its
        noun compounds): "senior economist", "fund manager", "politics lecturer"."""
        if not as_written:
            return self.roles[rid]
        term = self.singular.get(span.text.lower(), span.text.lower())
        compounds = [t.lower_ for t in doc[head:span.start]]
        return " ".join([*compounds, term]).replace(" - ", "-")

    @staticmethod
    def _with_compounds(doc: Doc, start: int) -> int:
        """Extend an open-class title over up to two lower-case noun compounds: "fund manager"."""
        for _ in range(2):
            j = start - 1
            if j < 0 or not (doc[j].is_alpha and doc[j].is_lower and doc[j].pos_ == "NOUN"
                             and doc[j].dep_ == "compound" and not doc[j]._.role_title):
                break
            start = j
        return start

    def _previous_word(self, doc: Doc, i: int) -> int:
        """Index of the word before token ``i``, stepping over one hyphen (-1 if none)."""
        j = i - 1
        if j >= 1 and doc[j].text in HYPHENS and not doc[j - 1].whitespace_:
            j -= 1
        return j

    def _blocked(self, doc: Doc, start: int) -> bool:
        """A title right after "deputy", "assistant", ... is someone else's (deputy CEO)."""
        j = self._previous_word(doc, start)
        return j >= 0 and doc[j].lower_ in self.blockers

    @staticmethod
    def _modifies_noun(doc: Doc, end: int, title_starts: set[int]) -> bool:
        """A title word before a lower-case noun describes that noun: CEO pay, chief rival."""
        if end >= len(doc) or end in title_starts:
            return False
        nxt = doc[end]
        return nxt.pos_ == "NOUN" and nxt.is_alpha and nxt.is_lower

    def _with_modifiers(self, doc: Doc, start: int) -> int:
        """Extend a title left over modifiers: "former CEO", "interim chief executive", "co-CEO"."""
        while True:
            j = self._previous_word(doc, start)
            if j < 0 or doc[j].lower_ not in self.modifiers or doc[j].ent_type_ in {"ORG",
                                                                                    "PERSON"}:
                return start
            start = j

    # -- matching ---------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        doc.spans[self.spans_key] = []
        titles, verbs = self.tag_titles(doc)
        if not titles and not verbs:
            return doc
        ents = {i: ent for ent in doc.ents if ent.label_ in {"PERSON", "ORG"}
                for i in range(ent.start, ent.end)}
        context = [ent for ent in doc.ents if ent.label_ == "ORG" and not self._publication(doc, ent)]
        title_index, verb_index = TitleIndex(titles), TitleIndex(verbs)
        candidates: list[Candidate] = []
        tagged = {i for t in [*titles, *verbs] for i in range(t.start, t.end)}
        tagged.update(first.end for first, second in zip(titles, titles[1:], strict=False)
                      if second.start == first.end + 1)  # the joiners tag_titles marks "+"
        windows = match_windows(doc, tagged, self.patterns)
        for n, (match_id, start, end, alignment) in enumerate(
                windowed_matches(self.matcher, doc, windows)):
            record = self.by_id[self.vocab.strings[match_id]]
            if record.get("org_from") == "context":
                candidates.extend(self._read_context_match(doc, n, record, start, end, alignment,
                                                           title_index, ents, context))
                continue
            candidates.extend(self._read_match(doc, n, record, start, end, alignment, title_index,
                                               verb_index, ents))
        for cand in resolve(candidates):
            fields = {"person": mention(cand.person), "role": self._tense(doc, cand),
                      "role_text": doc[cand.title.start:cand.title.end].text,
                      "org": mention(cand.org)}
            add_claim(doc, self.spans_key, evidence=doc[cand.start:cand.end], claim_type="role",
                      fields=fields, rule=cand.rule, score=cand.score)
        return doc

    def _read_match(self, doc: Doc, n: int, record: dict[str, Any], start: int, end: int,
                    alignment: list[int], titles: TitleIndex, verbs: TitleIndex,
                    ents: dict[int, Span]) -> list[Candidate]:
        """The (person, title, org) readings of one match, one per person and title."""
        if any(t.is_space or "\n" in t.whitespace_ for t in doc[start:end - 1]):
            return []
        by_slot: dict[str, list[int]] = defaultdict(list)
        for offset, index in enumerate(alignment):
            by_slot[record["slots"][index]].append(start + offset)
        slot_titles = (verbs if is_verb_pattern(record) else titles).covering(by_slot["title"])
        persons = entities(doc, by_slot["person"], ents, "PERSON")
        orgs = entities(doc, by_slot["org"], ents, "ORG")
        if not slot_titles or not persons or not orgs:
            return []
        org = min(orgs, key=lambda o: min(abs(o.start - t.end) for t in slot_titles))
        if org.end < len(doc) and doc[org.end].text in HYPHENS and not doc[org.end - 1].whitespace_:
            return []  # "Alibaba-backed": the name describes something else
        if end <= org.end or org.end in by_slot["scope"]:
            org = owned_org(doc, org, ents)
        persons = [p for p in persons if p.end <= org.start or org.end <= p.start]
        slot_titles = [part_owner(doc, t, org) for t in slot_titles]
        plural = any(t.plural for t in slot_titles) or not record.get("list_needs_plural", True)
        if persons and record.get("list") and plural:
            persons = extend_list(doc, persons, record["list"], ents)
        scope = by_slot["scope"]
        result = []
        for title in slot_titles:
            for person in persons:
                first = min([person.start, title.start, org.start, *scope])
                last = max([person.end, title.end, org.end, *(i + 1 for i in scope)])
                result.append(Candidate(n, record["id"], int(record.get("priority", 1)),
                                        end - start, title, person, org, first, last,
                                        float(record.get("score", 0.8))))
        return result

    def _read_context_match(self, doc: Doc, n: int, record: dict[str, Any], start: int, end: int,
                            alignment: list[int], titles: TitleIndex, ents: dict[int, Span],
                            context: list[Span]) -> list[Candidate]:
        """A title and a name with no organisation in the pattern ("chief executive Jane Lee",
        "Jane Lee, the chairman"): the organisation is the one the title phrase names ("Acme
        chairman", "... of Acme") or else the one the text is about (``context_org``)."""
        if any(t.is_space or "\n" in t.whitespace_ for t in doc[start:end - 1]):
            return []
        by_slot: dict[str, list[int]] = defaultdict(list)
        for offset, index in enumerate(alignment):
            by_slot[record["slots"][index]].append(start + offset)
        slot_titles = titles.covering(by_slot["title"])
        persons = [with_particles(doc, p, ents)
                   for p in entities(doc, by_slot["person"], ents, "PERSON")]
        if record.get("person_from") == "tokens":
            persons = self._name_from_tokens(doc, by_slot["person"])
        if not slot_titles or not persons:
            return []
        if record.get("list"):
            persons = extend_list(doc, persons, record["list"], ents)
        result = []
        for title in slot_titles:
            title_first = title.end <= min(p.start for p in persons)
            after = max(p.end for p in persons) if title_first else title.end
            org = modifier_org(doc, title.start, ents) or phrase_org(doc, after, ents)
            in_phrase = org is not None
            if org is None and title.context_org and not (title_first and formal_title(doc, title)):
                org = context_org(doc, start, end, context)
            if org is None:
                continue
            for person in persons:
                parts = [person, title, *([org] if in_phrase else [])]
                first, last = min(p.start for p in parts), max(p.end for p in parts)
                result.append(Candidate(n, record["id"], int(record.get("priority", 1)),
                                        end - start, title, person, org, first, last,
                                        float(record.get("score", 0.7))))
        return result

    def _name_from_tokens(self, doc: Doc, indices: list[int]) -> list[Span]:
        """A person's name the model missed or called ORG, read from the pattern's person tokens:
        2-4 capitalised proper nouns, none a word organisation names end in (Group, Bank, ...),
        starting a sentence, after punctuation or after a speech verb ("said Jane Lee, a ...")."""
        if not indices:
            return []
        start, end = indices[0], indices[-1] + 1
        words = doc[start:end]
        if words[0].text in HYPHENS or words[-1].text in HYPHENS:
            return []
        if not all(t.is_alpha and (t.is_title or t.is_upper) and t.lower_ not in self.org_words
                   for t in words if t.text not in HYPHENS):
            return []
        before = doc[start - 1] if start > 0 else None
        if before is not None and not (before.is_punct or before.is_space
                                       or before.lower_ in self.name_cues):
            return []
        return [Span(doc, start, end, label="PERSON")]

    def _tense(self, doc: Doc, cand: Candidate) -> str:
        """The role, "former ..." where the phrase says the person has left the post ("Jane Lee
        resigned from Acme's board", "stepped down as chief executive")."""
        role = cand.title.role
        if role.startswith("former ") or cand.title.verb:
            return role
        left = any(t.lemma_.lower() in self.departures and t.tag_ in {"VBD", "VBN"}
                   for t in doc[cand.start:cand.end])
        return f"former {role}" if left else role

    def _publication(self, doc: Doc, ent: Span) -> bool:
        """A newspaper, news agency or broadcaster: the source of a quote, not the speaker's
        employer ("told the Financial Times", "Reuters reported")."""
        words = self.publications
        if ent.text.lower() in words.get("names", set()) or ent[-1].lower_ in words.get(
                "last_words", set()):
            return True
        i = ent.start - 1
        if i >= 0 and doc[i].lower_ == "the":
            i -= 1
        return i >= 0 and doc[i].lower_ in words.get("cues_before", set())


def _has_token_tags(doc: Doc) -> bool:
    """Whether any token of ``doc`` has a ``role_title`` or ``role_verb`` value set: token
    extension values live in ``doc.user_data`` under ``("._.", name, token.idx, None)``."""
    return any(isinstance(key, tuple) and len(key) == 4 and key[0] == "._." and key[1] in TAGS
               and key[2] is not None and key[3] is None for key in doc.user_data)


TAGS = {"role_title", "role_verb"}


@Language.factory(
    "newsclaims_roles",
    assigns=["doc.spans"],
    requires=["doc.ents"],
    default_config={"spans_key": "roles"},
)
def make_roles(nlp: Language, name: str, *, spans_key: str) -> "RoleClaims":
    """Build the role stage; the title lexicon and patterns arrive through ``initialize``."""
    return RoleClaims(nlp, name, spans_key=spans_key)
