"""Stage ``newsclaims_roles``: a person's position in an organisation, as role claims.

Titles ("chief executive", "co-founders", "Head") come from the title lexicon
(``models/lexicons/role_titles.json``) and are written on their tokens as ``token._.role_title``
(the canonical role; ``token._.role_verb`` for verbs such as "founded"). Matcher patterns in
``models/patterns/roles.jsonl`` then find the shapes news uses to tie a PERSON to an ORG through a
title: apposition, possessive, title first, copula, appointment and founding verbs. Each record
names the slot of every pattern token (person, org, title, scope) in its ``slots`` list. A title is
read once: when several shapes claim it, the record with the higher ``priority`` wins ("Liu Yiman,
Head of Taobao Live Cheng Daofang": the head is Cheng Daofang). Claims go to
``doc.spans[spans_key]``.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from .claim_spans import add_claim, mention

# Token attributes this stage writes and its patterns read. They belong in _extensions.py with
# the others; until then they are registered here, once.
NON_TITLE = "non_title"
PLURAL = "|pl"
HYPHENS = {"-", "‐", "–"}
JOINERS = {"and", "&", "/"}
POSSESSIVES = {"'s", "’s", "'", "’"}
OPEN_BRACKETS = {"(", "（"}
CLOSE_BRACKETS = {")", "）"}
SLOTS = {"", "person", "org", "title", "scope"}
PAST = {"former", "ex"}
PLACES = {"GPE", "LOC", "NORP", "FAC"}
PHRASE_ORG_PREPS = {"of", "at", "with", "from", "for"}
NAME_PARTICLES = {"van", "von", "den", "der", "de", "da", "di", "du", "del", "della", "la", "le", "bin", "al"}




@dataclass(frozen=True)
class Title:
    """A title (or role verb) in the text: tokens ``start:end`` (with modifiers) and its role."""

    start: int
    end: int
    role: str
    plural: bool
    verb: bool
    context_org: bool = True


@dataclass(frozen=True)
class Candidate:
    """One (person, title, org) reading of a pattern match."""

    match: int
    rule: str
    priority: int
    length: int
    title: Title
    person: Span
    org: Span | None
    start: int
    end: int
    score: float


def plural_forms(term: str) -> list[str]:
    """Plurals of a title's last word: chairman -> chairmen, CEO -> CEOs, boss -> bosses."""
    head, _, last = term.rpartition(" ")
    prefix = f"{head} " if head else ""
    low = last.lower()
    if low.endswith("person"):
        forms = [last[:-6] + "people", last + "s"]
    elif low.endswith("man"):
        forms = [last[:-3] + "men"]
    elif low.endswith(("s", "sh", "ch", "x")):
        forms = [last + "es"]
    elif low.endswith("y") and low[-2:-1] not in {"a", "e", "i", "o", "u"}:
        forms = [last[:-1] + "ies"]
    else:
        forms = [last + "s"]
    return [prefix + form for form in forms]


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
        self.title_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.verb_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab, validate=True)

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
        self.by_id = {}
        self.matcher = Matcher(self.vocab, validate=True)
        for record in self.records:
            slots, pattern = record["slots"], record["pattern"]
            if len(slots) != len(pattern) or not set(slots) <= SLOTS:
                raise ValueError(f"roles pattern {record['id']!r}: one slot per token, out of "
                                 f"{sorted(SLOTS)}")
            self.by_id[record["id"]] = record
            self.matcher.add(record["id"], [pattern], greedy="LONGEST")

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
        candidates: list[Candidate] = []
        for n, (match_id, start, end, alignment) in enumerate(
                self.matcher(doc, with_alignments=True)):
            record = self.by_id[self.vocab.strings[match_id]]
            if record.get("org_from") == "context":
                candidates.extend(self._read_context_match(doc, n, record, start, end, alignment,
                                                           titles, ents, context))
                continue
            candidates.extend(self._read_match(doc, n, record, start, end, alignment, titles,
                                               verbs, ents))
        for cand in self._resolve(candidates):
            fields = {"person": mention(cand.person), "role": cand.title.role,
                      "role_text": doc[cand.title.start:cand.title.end].text,
                      "org": mention(cand.org)}
            add_claim(doc, self.spans_key, evidence=doc[cand.start:cand.end], claim_type="role",
                      fields=fields, rule=cand.rule, score=cand.score)
        return doc

    def _read_match(self, doc: Doc, n: int, record: dict[str, Any], start: int, end: int,
                    alignment: list[int], titles: list[Title], verbs: list[Title],
                    ents: dict[int, Span]) -> list[Candidate]:
        """The (person, title, org) readings of one match, one per person and title."""
        if any(t.is_space or "\n" in t.whitespace_ for t in doc[start:end - 1]):
            return []
        by_slot: dict[str, list[int]] = defaultdict(list)
        for offset, index in enumerate(alignment):
            by_slot[record["slots"][index]].append(start + offset)
        slot_titles = [t for t in (verbs if _is_verb_pattern(record) else titles)
                       if any(t.start <= i < t.end for i in by_slot["title"])]
        persons = _entities(doc, by_slot["person"], ents, "PERSON")
        orgs = _entities(doc, by_slot["org"], ents, "ORG")
        if not slot_titles or not persons or not orgs:
            return []
        org = min(orgs, key=lambda o: min(abs(o.start - t.end) for t in slot_titles))
        if org.end < len(doc) and doc[org.end].text in HYPHENS and not doc[org.end - 1].whitespace_:
            return []  # "Alibaba-backed": the name describes something else
        if end <= org.end or org.end in by_slot["scope"]:
            org = _owned_org(doc, org, ents)
        persons = [p for p in persons if p.end <= org.start or org.end <= p.start]
        slot_titles = [_part_owner(doc, t, org) for t in slot_titles]
        plural = any(t.plural for t in slot_titles) or not record.get("list_needs_plural", True)
        if persons and record.get("list") and plural:
            persons = _extend_list(doc, persons, record["list"], ents)
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
                            alignment: list[int], titles: list[Title], ents: dict[int, Span],
                            context: list[Span]) -> list[Candidate]:
        """A title and a name with no organisation in the pattern ("chief executive Jane Lee",
        "Jane Lee, the chairman"): the organisation is the one the title phrase names ("Acme
        chairman", "... of Acme") or else the one the text is about (``_context_org``)."""
        if any(t.is_space or "\n" in t.whitespace_ for t in doc[start:end - 1]):
            return []
        by_slot: dict[str, list[int]] = defaultdict(list)
        for offset, index in enumerate(alignment):
            by_slot[record["slots"][index]].append(start + offset)
        slot_titles = [t for t in titles if any(t.start <= i < t.end for i in by_slot["title"])]
        persons = [_with_particles(doc, p, ents)
                   for p in _entities(doc, by_slot["person"], ents, "PERSON")]
        if record.get("person_from") == "tokens":
            persons = self._name_from_tokens(doc, by_slot["person"])
        if not slot_titles or not persons:
            return []
        if record.get("list"):
            persons = _extend_list(doc, persons, record["list"], ents)
        result = []
        for title in slot_titles:
            title_first = title.end <= min(p.start for p in persons)
            after = max(p.end for p in persons) if title_first else title.end
            org = _modifier_org(doc, title.start, ents) or _phrase_org(doc, after, ents)
            in_phrase = org is not None
            if org is None and title.context_org and not (title_first and _formal_title(doc, title)):
                org = _context_org(doc, start, end, context)
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

    @staticmethod
    def _resolve(candidates: list[Candidate]) -> list[Candidate]:
        """One reading per title (highest priority, then longest match) and one claim per
        evidence span, the title nearest the name, except that coordinated titles ("chairman and
        chief executive Jane Lee") give one claim each, the later ones spanning only their title and
        the name (claims on one span would share its ``span._.claim``)."""
        best: dict[Title, tuple[int, int, int]] = {}
        for cand in candidates:
            rank = (cand.priority, cand.length, -cand.match)
            if cand.title not in best or rank > best[cand.title]:
                best[cand.title] = rank
        by_span: dict[tuple[int, int], list[Candidate]] = {}
        for cand in sorted(candidates, key=lambda c: c.title.start):
            if best[cand.title] != (cand.priority, cand.length, -cand.match):
                continue
            kept = by_span.setdefault((cand.start, cand.end), [])
            if any(_coordinated(k, cand) for k in kept):
                kept.append(replace(cand, start=min(cand.person.start, cand.title.start),
                                    end=max(cand.person.end, cand.title.end)))
            elif not kept or _distance(cand) < _distance(kept[0]):
                kept[:] = [cand]
        return sorted((c for group in by_span.values() for c in group), key=lambda c: (c.start, c.end))


def _owned_org(doc: Doc, org: Span, ents: dict[int, Span]) -> Span:
    """The organisation after a possessive one: "CEO of Alibaba's rival JD.com" is JD.com."""
    i = org.end
    if i >= len(doc) or doc[i].lower_ not in POSSESSIVES:
        return org
    for j in range(i + 1, min(i + 8, len(doc))):
        ent = ents.get(j)
        if ent is not None:
            return ent if ent.label_ == "ORG" and ent.start == j else org
        if not doc[j].is_alpha or doc[j]._.role_title:
            return org
    return org


def _formal_title(doc: Doc, title: Title) -> bool:
    """A capitalised title inside a sentence ("met President Jane Lee") is a formal style, mostly
    of public office, not a post at the company the text is about."""
    first = doc[title.start]
    return first.is_title and not first.is_sent_start and not doc[title.start - 1].is_punct


def _with_particles(doc: Doc, person: Span, ents: dict[int, Span]) -> Span:
    """A name cut before its particle: "Jan van der Berg" tagged "Jan" keeps "van der Berg"."""
    end = person.end
    while end < len(doc) and doc[end].lower_ in NAME_PARTICLES and doc[end].is_lower:
        end += 1
    if end == person.end or end >= len(doc) or not doc[end].is_title or end in ents:
        return person
    while end < len(doc) and doc[end].is_title and doc[end].pos_ == "PROPN" and end not in ents:
        end += 1
    return Span(doc, person.start, end, label="PERSON")


def _modifier_org(doc: Doc, title_start: int, ents: dict[int, Span]) -> Span | None:
    """The name right before a title is its organisation ("Norvale chairman", "Norvale's
    chairman"), even where the model tagged it PERSON, PRODUCT, ... or missed it (a capitalised
    proper noun); a place is not ("US chief executive")."""
    j = title_start - 1
    if j >= 0 and doc[j].lower_ in POSSESSIVES:
        j -= 1
    if j < 0:
        return None
    ent = ents.get(j)
    if ent is not None and ent.end == j + 1:
        return ent if ent.label_ == "ORG" else Span(doc, ent.start, ent.end, label="ORG")
    first = j
    while (first >= 0 and first not in ents and doc[first].pos_ == "PROPN"
           and (doc[first].is_title or doc[first].is_upper) and doc[first].ent_type_ not in PLACES):
        first -= 1
    return Span(doc, first + 1, j + 1, label="ORG") if first < j else None


def _phrase_org(doc: Doc, i: int, ents: dict[int, Span]) -> Span | None:
    """The organisation a title phrase names after token ``i``: "of/at/with (the) <descriptor>
    ORG", also after a second apposed title ("analyst Jane Lee, director of Acme")."""
    if i < len(doc) and doc[i].text == ",":
        j = i + 1
        if j < len(doc) and doc[j].lower_ in {"a", "an", "the"}:
            j += 1
        if j < len(doc) and doc[j]._.role_title:
            while j < len(doc) and doc[j]._.role_title:
                j += 1
            i = j
    if i >= len(doc) or doc[i].lower_ not in PHRASE_ORG_PREPS:
        return None
    k = i + 1
    while k < min(i + 9, len(doc)):
        token, ent = doc[k], ents.get(k)
        if ent is not None and ent.label_ == "ORG":
            return ent
        if ent is not None:
            return _name_as_org(doc, ent, ents)
        hyphenated = doc[k - 1].text in HYPHENS
        if (token.is_punct and token.text not in HYPHENS) or (token.pos_ in {"VERB", "AUX"}
                                                              and not hyphenated):
            return None
        k += 1
    return None


def _name_as_org(doc: Doc, ent: Span, ents: dict[int, Span]) -> Span | None:
    """A PERSON where a title phrase puts its organisation ("analyst Jane Lee of Smith Brothers,"):
    the name with an organisation it owns ("of Barnard's Retail Group"), or the name alone when the
    phrase ends after it."""
    i = ent.end
    if i < len(doc) and doc[i].lower_ in POSSESSIVES:
        owned = ents.get(i + 1)
        if owned is not None and owned.label_ == "ORG" and owned.start == i + 1:
            return Span(doc, ent.start, owned.end, label="ORG")
        return None
    if i >= len(doc) or doc[i].is_punct or doc[i].lower_ in {"and", "said", "says", "who"}:
        return Span(doc, ent.start, ent.end, label="ORG")
    return None


def _context_org(doc: Doc, start: int, end: int, orgs: list[Span]) -> Span | None:
    """The organisation a title without one refers to: the nearest earlier one in the sentence,
    else the nearest later one in it, else the last one mentioned before the sentence."""
    sent = doc[start].sent
    k = bisect_left([o.start for o in orgs], start)
    if k > 0 and orgs[k - 1].start >= sent.start:
        return orgs[k - 1]
    later = next((o for o in orgs[k:k + 4] if o.start >= end), None)
    if later is not None and later.start < sent.end:
        return later
    while k > 0 and orgs[k - 1].end > sent.start:
        k -= 1
    return orgs[k - 1] if k > 0 else None


def _coordinated(a: Candidate, b: Candidate) -> bool:
    """Two titles of one match joined by "and"/"&" before the same name."""
    return (a.match == b.match and a.person.start == b.person.start and a.title != b.title
            and (a.title.end + 1 == b.title.start or b.title.end + 1 == a.title.start))


def _part_owner(doc: Doc, title: Title, org: Span) -> Title:
    """"Acme, which is 25% owned by Jane Lee": a share before "owned" makes her a part owner."""
    if title.role != "owner" or not title.verb or org.end > title.start:
        return title
    between = doc[org.end:title.start]
    if any(t.text == "%" or t.ent_type_ == "PERCENT" or t.lower_ in {"partly", "part", "jointly"}
           for t in between):
        return replace(title, role="part owner")
    return title


def _distance(cand: Candidate) -> int:
    """Tokens between a claim's title and its person."""
    return max(cand.title.start - cand.person.end, cand.person.start - cand.title.end, 0)


def _is_verb_pattern(record: dict[str, Any]) -> bool:
    return any("role_verb" in token.get("_", {}) for token in record["pattern"])


def _entities(doc: Doc, indices: list[int], ents: dict[int, Span], label: str) -> list[Span]:
    """The entities of ``label`` under the slot's tokens, without title words at their edges;
    a name in Chinese characters in brackets after a romanised name stands for that name."""
    found: dict[int, Span] = {}
    for i in indices:
        ent = ents.get(i)
        if ent is None or ent.label_ != label:
            continue
        ent = _romanised(doc, ent, ents)
        start, end = ent.start, ent.end
        while start < end and doc[start]._.role_title:
            start += 1
        while end > start and doc[end - 1]._.role_title:
            end -= 1
        if start < end:
            found[start] = ent if (start, end) == (ent.start, ent.end) else Span(
                doc, start, end, label=ent.label_)
    return list(found.values())


def _romanised(doc: Doc, ent: Span, ents: dict[int, Span]) -> Span:
    """A bracketed name after a romanised one is that person: "Li Bo (李博)" is Li Bo."""
    if ent.label_ == "PERSON" and ent.start >= 2 and doc[ent.start - 1].text in OPEN_BRACKETS:
        before = ents.get(ent.start - 2)
        if before is not None and before.label_ == "PERSON":
            return before
    return ent


def _extend_list(doc: Doc, persons: list[Span], direction: str,
                 ents: dict[int, Span]) -> list[Span]:
    """Add the names listed with the matched one: co-founders Jack Ma and Joe Tsai."""
    result = list(persons)
    if direction == "after":
        i = max(p.end for p in persons)
        while True:
            i = _skip_bracketed_name(doc, i, ents)
            j = i
            if j < len(doc) and doc[j].text == ",":
                j += 1
            if j < len(doc) and doc[j].lower_ in {"and", "&"}:
                j += 1
            nxt = ents.get(j)
            if j == i or nxt is None or nxt.label_ != "PERSON" or nxt.start != j or _breaks(
                    doc, i - 1, j):
                return result
            result.append(nxt)
            i = nxt.end
    i = min(p.start for p in persons) - 1
    while True:
        j = i
        if j >= 0 and doc[j].lower_ in {"and", "&"}:
            j -= 1
        if j >= 0 and doc[j].text == ",":
            j -= 1
        if j >= 0 and doc[j].text in CLOSE_BRACKETS:
            while j >= 0 and doc[j].text not in OPEN_BRACKETS and i - j < 10:
                j -= 1
            j -= 1
        prev = ents.get(j) if j >= 0 else None
        if j == i or prev is None or prev.label_ != "PERSON" or prev.end != j + 1 or _breaks(
                doc, j, i + 1):
            return result
        prev = _romanised(doc, prev, ents)
        result.insert(0, prev)
        i = prev.start - 1


def _skip_bracketed_name(doc: Doc, i: int, ents: dict[int, Span]) -> int:
    """Step over "(李博)" after a name."""
    if i < len(doc) and doc[i].text in OPEN_BRACKETS:
        j = i + 1
        while j < len(doc) and j - i < 10 and doc[j].text not in CLOSE_BRACKETS:
            if j not in ents:
                return i
            j += 1
        if j < len(doc) and doc[j].text in CLOSE_BRACKETS:
            return j + 1
    return i


def _breaks(doc: Doc, start: int, end: int) -> bool:
    """A line break between tokens ``start`` and ``end``."""
    return any(t.is_space or "\n" in t.whitespace_ for t in doc[max(start, 0):end])


@Language.factory(
    "newsclaims_roles",
    assigns=["doc.spans"],
    requires=["doc.ents"],
    default_config={"spans_key": "roles"},
)
def make_roles(nlp: Language, name: str, *, spans_key: str) -> "RoleClaims":
    """Build the role stage; the title lexicon and patterns arrive through ``initialize``."""
    return RoleClaims(nlp, name, spans_key=spans_key)
