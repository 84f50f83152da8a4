"""Step of ``newsclaims_entity_cleanup``: one label per name per document, from its evidence.

The small NER model labels each mention on its own, so a company named once as "cement firm
Holcim" is a person three sentences later. This step gathers, for every name (its text), the
evidence of all its mentions in the document and gives every mention the label it supports:

- ORG cues around a mention: a company head noun before it ("the firm X", "rival X", "gaming
  group X"), "shares in X", "X shares", "X's chief executive" / "X chairman", "<place>-based X",
  an apposition "X, the world's biggest ... maker", a lower-case organisation noun after it
  ("X investment bank");
- PERSON cues: an honorific before it ("Mr X"), a person noun around it ("analyst X",
  "X, a fund manager");
- the model's labels, one vote each; the gazetteer and name words (legal suffixes) are decisive.

Cues weigh more than model votes, so "Shares in X" beats three model "persons" with no cue.
Guard: a name with a person cue keeps PERSON unless an ORG cue outweighs it; a label that is not
a name label (GPE, NORP, DATE, ...) becomes ORG only with an ORG cue for the name in the
document. Cue words are data: the ``org_noun``, ``org_possessed``, ``org_preposition`` and
``person_noun`` records of ``models/lexicons/name_words.json``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from spacy.tokens import Doc

from .doc_index import TokenFlags, flags, lowers, texts


class Labelled(Protocol):
    """What this step needs of a candidate (the cleanup stage's ``Candidate``, a frozen dataclass)."""

    start: int
    end: int
    label: str
    stage: str


M = TypeVar("M", bound=Labelled)

CUE_WEIGHT = 3
DECISIVE_WEIGHT = 10
# labels a document-level ORG decision may take over (a company misread as a place, people, ...)
RELABELLED = {"PERSON", "GPE", "NORP", "PRODUCT", "LOC", "FAC", "WORK_OF_ART", "EVENT", "LAW"}
POSSESSIVE = {"'s", "’s", "'", "’"}
APPOSITION_REACH = 8


@dataclass(frozen=True)
class LabelCues:
    """Cue words (lower case) that say which kind of name a mention is."""

    org_nouns: frozenset[str]  # "firm", "maker": "the firm X", "X, the ... maker"
    org_possessed: frozenset[str]  # "shares", "chairman": "X's chairman", "X shares"
    org_prepositions: frozenset[str]  # "shares in", "stake in": before X
    strong_prepositions: frozenset[str]  # "stake in": before X even when the model says a place
    person_nouns: frozenset[str]  # "analyst", "manager": "analyst X", "X, a fund manager"
    shared_possessed: frozenset[str]  # "spokesman": "X spokesman" is a cue, "X's spokesman" is not
    given_names: frozenset[str]  # "Ada": "Ada Brenner" is a person
    person_possessed: frozenset[str]  # "wife": "X's wife" is a person's
    brand_nouns: frozenset[str]  # "lager", "model": "X lager" is a product
    brand_list_cues: frozenset[str]  # "brands such as": a list of products follows
    brand_verbs: frozenset[str]  # "makes": "which makes X" names a product
    not_org_names: frozenset[str]  # "EU": never an organisation
    honorifics: frozenset[str]
    decisive_org_words: frozenset[str]  # legal suffixes inside the name

    @classmethod
    def from_words(cls, words: Callable[[str], set[str]]) -> LabelCues:
        return cls(org_nouns=_lower(words("org_noun")), org_possessed=_lower(words("org_possessed")),
                   org_prepositions=_lower(words("org_preposition")),
                   strong_prepositions=_lower(words("org_preposition_strong")),
                   person_nouns=_lower(words("person_noun")),
                   shared_possessed=_lower(words("shared_possessed")),
                   given_names=frozenset(words("given_name")),
                   person_possessed=_lower(words("person_possessed")),
                   brand_nouns=_lower(words("brand_noun")),
                   brand_list_cues=_lower(words("brand_list_cue")),
                   brand_verbs=_lower(words("brand_verb")),
                   not_org_names=frozenset(words("not_org_name")),
                   honorifics=frozenset(words("honorific")),
                   decisive_org_words=frozenset(words("legal_suffix")))


def _lower(terms: set[str]) -> frozenset[str]:
    return frozenset(t.lower() for t in terms)


def _noun_form(text: str) -> str:
    """A lower-case singular-ish form of a lower-case word for cue lookup ("firms" -> "firm"), no
    lemmatizer needed."""
    return text[:-1] if len(text) > 3 and text.endswith("s") and not text.endswith("ss") else text


def name_text(doc: Doc, start: int, end: int) -> str:
    """The text that identifies a name in its document: tokens joined with single spaces."""
    return " ".join(texts(doc)[start:end])


@dataclass(frozen=True)
class Neighbours:
    """Token positions where other names end: full person names and places."""

    person_ends: frozenset[int] = frozenset()
    places: frozenset[str] = frozenset()  # one-word names the model calls a place in the document


def org_cue(doc: Doc, start: int, end: int, cues: LabelCues, *, name_label: bool = True,
            neighbours: Neighbours = Neighbours()) -> bool:
    """Whether the words around ``doc[start:end]`` say it names an organisation. A place or
    nationality word ("US", "Swiss") modifies the nouns after it ("Swiss cement firm", "US
    shares"), so for those only the words before it and an apposition count."""
    f = flags(doc)
    if _org_noun_before(f, start, cues) and not _is_modifier(f, end):
        return True
    if _org_preposition_before(f, start, cues, name_label) and not (
            _is_modifier(f, end) or (end < len(f.text) and f.text[end] in POSSESSIVE)):
        return True
    if _apposition_head(f, end, cues) == "ORG":  # "X, the world's biggest winemaker"
        return True
    return name_label and (_org_after(f, end, cues) or _affiliation(f, start, neighbours))


def _affiliation(f: TokenFlags, start: int, neighbours: Neighbours) -> bool:
    """ "Ada Brenner of X", "analyst Ada Brenner at X": a person's employer; "Italy's X": a
    company of a country (people come with their title there: "Italy's prime minister X")."""
    if start >= 2 and f.lower[start - 1] in {"of", "at"} and (start - 1) in neighbours.person_ends:
        return True
    return start >= 2 and f.text[start - 1] in POSSESSIVE and f.text[start - 2] in neighbours.places


def _is_modifier(f: TokenFlags, end: int) -> bool:
    """Whether the name only modifies the noun phrase it starts ("US firm X", "Sheffield-based
    group"): a cue before it then belongs to the phrase's head."""
    if end >= len(f.text):
        return False
    return f.text[end] in {"-", "–"} or f.pos[end] in {"NOUN", "PROPN", "ADJ", "NUM"}


def _org_noun_before(f: TokenFlags, start: int, cues: LabelCues) -> bool:
    """ "the firm X", "rival X", "Santa Monica-based X", "the venture - X"."""
    if start == 0:
        return False
    prev = start - 1
    if f.text[prev] in {"-", "–", ":"} and start >= 2:
        prev = start - 2
    return f.is_lower[prev] and (_noun_form(f.lower[prev]) in cues.org_nouns or f.lower[prev] == "based")


def _org_preposition_before(f: TokenFlags, start: int, cues: LabelCues, name_label: bool = True) -> bool:
    """ "shares in X", "stake in X" (for a word the model calls a place: the strong ones only)."""
    prepositions = cues.org_prepositions if name_label else cues.strong_prepositions
    return start >= 2 and f"{f.lower[start - 2]} {f.lower[start - 1]}" in prepositions


def _org_after(f: TokenFlags, end: int, cues: LabelCues) -> bool:
    """ "X's chief executive", "X shares", "X chairman", "X investment bank"."""
    i, size, lower = end, len(f.text), f.lower
    if i < size and f.text[i] in POSSESSIVE:
        i += 1
    if i >= size or not f.is_lower[i]:
        return False
    if lower[i] in cues.org_possessed or _noun_form(lower[i]) in cues.org_possessed:
        # "X chairman Ada Brenner" names X's chairman; "Ada Brenner chairman in 2014" is the title
        # of Ada Brenner herself, so a bare title must be followed by the person's name
        return i > end or not _is_title_word(lower[i], cues) or _name_follows(f, i)
    if i == end and (lower[i] in cues.shared_possessed or _noun_form(lower[i]) in cues.shared_possessed):
        return True
    # "X investment bank", "X cement group": a lower-case compound ending in an organisation noun
    return (i == end and i + 1 < size and f.is_lower[i + 1]
            and _noun_form(lower[i + 1]) in cues.org_nouns and not f.is_stop[i])


def _is_title_word(lower: str, cues: LabelCues) -> bool:
    return lower == "chief" or _noun_form(lower) in cues.person_nouns


def _name_follows(f: TokenFlags, i: int) -> bool:
    """Whether a capitalised name follows the title at ``i`` ("chairman Ada", "chief executive Ada")."""
    for j in range(i + 1, min(len(f.text), i + 4)):
        if f.is_title[j] and f.is_alpha[j]:
            return True
        if not f.is_lower[j]:
            return False
    return False


def _apposition_head(f: TokenFlags, end: int, cues: LabelCues) -> str | None:
    """The kind of noun heading an apposition right after a name ("X, a fund manager at Y"):
    "ORG", "PERSON" or None. The head is the last lower-case word before a preposition or a
    punctuation mark."""
    if end + 2 >= len(f.text) or f.text[end] != "," or f.lower[end + 1] not in {"the", "a", "an"}:
        return None
    head = None
    for j in range(end + 2, min(len(f.text), end + 2 + APPOSITION_REACH)):
        if f.text[j] in POSSESSIVE:
            head = None  # "the firm's two main shareholders": the head comes later
            continue
        if f.is_punct[j] or f.sent_start[j] or f.pos[j] in {"ADP", "VERB", "AUX"} or (
                f.is_lower[j] and f.is_stop[j]):
            break
        if f.is_lower[j]:
            head = f.lower[j]
    if head is None:
        return None
    form = _noun_form(head)
    if form in cues.person_nouns:
        return "PERSON"
    if form in cues.org_nouns:
        return "ORG"
    return None


def person_cue(doc: Doc, start: int, end: int, cues: LabelCues) -> bool:
    """Whether the words around ``doc[start:end]`` say it names a person."""
    f = flags(doc)
    if start > 0:
        if f.text[start - 1] in cues.honorifics:
            return True
        if f.is_lower[start - 1] and _noun_form(f.lower[start - 1]) in cues.person_nouns:
            return True
    if end + 1 < len(f.text) and f.text[end] in POSSESSIVE and f.lower[end + 1] in cues.person_possessed:
        return True
    return _apposition_head(f, end, cues) == "PERSON"


LIST_WORDS = {",", "and", "or", "&", "-", "–", "'s", "’s"}
LIST_REACH = 16


def _is_noun(pos: str) -> bool:
    """A noun, or an untagged word: "shows" in "X economy shows growth" is a verb, not a show."""
    return not pos or pos in {"NOUN", "PROPN"}


def brand_cue(doc: Doc, start: int, end: int, cues: LabelCues) -> bool:
    """Whether the name is used as a product: a product noun or a model code after it ("X lager",
    "X A321 aircraft"), the object of "makes"/"brews", or a place in a list opened by "brands such
    as" / "its brands include"."""
    f = flags(doc)
    words, lower, size = f.text, f.lower, len(f.text)
    if end < size:
        if f.is_lower[end] and _is_noun(f.pos[end]) and _noun_form(lower[end]) in cues.brand_nouns:
            return True
        if f.is_lower[end] and end + 1 < size and f.is_lower[end + 1] and _is_noun(f.pos[end + 1]) \
                and _noun_form(lower[end + 1]) in cues.brand_nouns and not f.is_stop[end] \
                and not f.like_num[end]:
            return True  # "X lager brand"
        if _is_model_code(words[end]) and end + 1 < size and _noun_form(lower[end + 1]) in cues.brand_nouns:
            return True
    if start > 0 and lower[start - 1] in cues.brand_verbs:
        return True
    i = start - 1
    while i >= 0 and start - i <= LIST_REACH and (words[i] in LIST_WORDS or words[i].istitle()
                                                  or words[i].isupper()):
        i -= 1  # str.istitle/isupper: spaCy's IS_TITLE and IS_UPPER
    for n in (3, 2):
        if i - n + 1 >= 0 and " ".join(lower[i - n + 1:i + 1]) in cues.brand_list_cues:
            return True
    return False


def _is_model_code(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and any(ch.isupper() for ch in text) and len(text) <= 8


@dataclass
class NameEvidence:
    """Label scores for one name text over all its mentions in a document."""

    scores: dict[str, float]
    org_cues: int = 0
    person_cues: int = 0
    brand_cues: int = 0
    decisive: bool = False

    def is_product(self) -> bool:
        """A name used only as a product ("X lager", "brands such as X") is no entity."""
        return self.brand_cues > 0 and self.org_cues == 0 and not self.decisive

    def decide(self) -> str | None:
        """The label the evidence supports, or None when it does not single one out. Cues of
        one kind only beat any number of model votes; cues of both kinds are weighed."""
        if not self.scores:
            return None
        if self.org_cues and not self.person_cues:
            return "ORG"
        if self.person_cues and not self.org_cues and self.scores.get("ORG", 0) < DECISIVE_WEIGHT:
            return "PERSON"
        ranked = sorted(self.scores.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None
        return ranked[0][0]


def decide_labels(doc: Doc, mentions: Sequence[M], cues: LabelCues, *, is_decisive_org: Callable[[M], bool],
                  name_labels: set[str]) -> list[M]:
    """Give every mention of a name the label the document's evidence for that name supports.

    ``is_decisive_org`` says a candidate is an organisation whatever its context (gazetteer,
    legal suffix or organisation head word).
    """
    names = [c for c in mentions if c.label in name_labels or c.label in RELABELLED]
    evidence = _gather_evidence(doc, names, cues, is_decisive_org, name_labels)
    _add_person_name_evidence(doc, names, evidence, cues)
    decided = {text: ev.decide() for text, ev in evidence.items()}
    longer_orgs = [tuple(texts(doc)[c.start:c.end]) for c in names if c.end - c.start > 1
                   and (c.label == "ORG" or decided.get(name_text(doc, c.start, c.end)) == "ORG")]
    org_starts = _proper_prefixes(longer_orgs)
    result = []
    for cand in mentions:
        if cand.label in name_labels or cand.label in RELABELLED:
            text = name_text(doc, cand.start, cand.end)
            if evidence[text].is_product() or (cand.label == "ORG" and text in cues.not_org_names):
                continue
            if cand.label == "PERSON" and decided.get(text) in (None, "PERSON") and _not_a_person(
                    doc, cand, evidence[text], evidence):
                continue
            label = decided.get(text)
            if label is not None and label != cand.label and _may_take(cand.label, label, evidence[text]):
                cand = replace(cand, label=label)  # type: ignore[type-var]
        elif cand.label == "DATE" and _is_org_start(doc, cand, org_starts) and _org_after(
                flags(doc), cand.end, cues):
            # "May's chairman" beside "May Department Stores": a month word is a company only with
            # its own cue and a longer organisation name it starts
            cand = replace(cand, label="ORG")  # type: ignore[type-var]
        result.append(cand)
    return result


def _gather_evidence(doc: Doc, names: Sequence[M], cues: LabelCues, is_decisive_org: Callable[[M], bool],
                     name_labels: set[str]) -> dict[str, NameEvidence]:
    """Per name text: a vote for each mention's label, decisive words, and context cues."""
    evidence: dict[str, NameEvidence] = defaultdict(lambda: NameEvidence(scores=defaultdict(float)))
    words = texts(doc)
    neighbours = Neighbours(
        person_ends=frozenset(c.end for c in names
                              if c.end - c.start > 1 and words[c.start] in cues.given_names),
        places=frozenset(words[c.start] for c in names if c.label == "GPE" and c.end - c.start == 1))
    for cand in names:
        ev = evidence[name_text(doc, cand.start, cand.end)]
        ev.scores[cand.label] += 1
        if is_decisive_org(cand):
            ev.scores["ORG"] += DECISIVE_WEIGHT
            ev.decisive = True
        if brand_cue(doc, cand.start, cand.end, cues):
            ev.brand_cues += 1
        if org_cue(doc, cand.start, cand.end, cues, name_label=cand.label in name_labels,
                   neighbours=neighbours):
            ev.scores["ORG"] += CUE_WEIGHT
            ev.org_cues += 1
        if person_cue(doc, cand.start, cand.end, cues):
            ev.scores["PERSON"] += CUE_WEIGHT
            ev.person_cues += 1
    return evidence


def _add_person_name_evidence(doc: Doc, mentions: Sequence[Labelled], evidence: dict[str, NameEvidence],
                              cues: LabelCues) -> None:
    """A given name before a surname ("Ada Brenner") makes a person; so does being the surname of
    such a full name of the document, or of one the model calls a person ("Brenner" beside
    "Ada Brenner")."""
    surnames: set[str] = set()
    for cand in mentions:
        words = texts(doc)[cand.start:cand.end]
        if len(words) < 2 or not all(w[:1].isupper() for w in words):
            continue
        if words[0] in cues.given_names:
            evidence[" ".join(words)].scores["PERSON"] += 2 * CUE_WEIGHT
            evidence[" ".join(words)].person_cues += 1
            surnames.add(words[-1])
        elif cand.label == "PERSON":
            surnames.add(words[-1])
    for text, ev in evidence.items():
        if " " not in text and text in surnames:
            ev.scores["PERSON"] += CUE_WEIGHT
            ev.person_cues += 1


def _not_a_person(doc: Doc, cand: Labelled, ev: NameEvidence, evidence: Mapping[str, NameEvidence]) -> bool:
    """A model "person" with no person cue that cannot be one: right after "the" ("the X, a
    Leicestershire-based company"; a person's name takes no article, a family is "the Xs"), or
    the plural of another name of the document ("Alfa Romeos" beside "Alfa Romeo")."""
    if ev.person_cues:
        return False
    if cand.start > 0 and lowers(doc)[cand.start - 1] == "the" and not texts(doc)[cand.end - 1].endswith("s"):
        return True
    text = name_text(doc, cand.start, cand.end)
    return text.endswith("s") and text[:-1] in evidence


def _proper_prefixes(names: Sequence[tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
    """Every word sequence that starts a longer one of ``names``, collected once per document."""
    return frozenset(name[:k] for name in names for k in range(len(name)))


def _is_org_start(doc: Doc, cand: Labelled, org_starts: frozenset[tuple[str, ...]]) -> bool:
    """Whether the mention's words start a longer organisation name (``_proper_prefixes``)."""
    return tuple(texts(doc)[cand.start:cand.end]) in org_starts


def _may_take(old: str, new: str, ev: NameEvidence) -> bool:
    """A document decision replaces a mention's label only within names, or with an ORG cue."""
    if new not in {"ORG", "PERSON"}:
        return False  # never turn a name into a place or a nationality
    if old in {"ORG", "PERSON"}:
        return True
    if new == "PERSON":
        return False
    return ev.org_cues > 0 or ev.scores.get("ORG", 0) > ev.scores.get(old, 0)


def org_names(doc: Doc, mentions: Sequence[Labelled]) -> Mapping[str, int]:
    """Name texts decided ORG in the document, with their token length."""
    return {name_text(doc, c.start, c.end): c.end - c.start for c in mentions if c.label == "ORG"}
