"""Stage ``newsclaims_entity_cleanup``: the one place that decides ``doc.ents``.

Candidates come from the pretrained NER (``doc.ents``) and from rule stages (``doc.spans[key]``:
the organisation gazetteer, percentage patterns, CJK names). Each is trimmed (possessives,
punctuation, line breaks), checked against the business-metric lexicon and page furniture, and
a named filter (``newsclaims.entity_priority_filter.v1``) picks non-overlapping winners. Then
names in Chinese characters take the label of the name they stand beside, and the parts of a
person's full name ("Dai" after "Trudy Dai Shan") are tagged as that person.
"""


import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, registry

from .. import _extensions  # noqa: F401  (registers Span._.provenance)
from .claim_spans import doc_text
from .config_values import config_score
from .doc_index import TokenFlags, flags, texts
from .entity_labels import LabelCues, decide_labels, org_names

MODEL_STAGE = "ner"
SPLIT_TOKENS = {":", ";", "|", "•", "·", "(", ")", "[", "]"}
TRAILING_WORDS = {"'s", "’s", "'", "’", "and", "&", "or", "of"}
LEADING_WORDS = {"the", "The"}
CONNECTORS = {"and", "&", "/", ",", "or", "'s", "’s"}
OPEN_BRACKET = re.compile(r"\s*[(（]\s*")
CLOSE_BRACKET = re.compile(r"\s*[)）]")
NAME_LABELS = {"PERSON", "ORG"}
NUMERIC_LABELS = {"PERCENT", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL", "DATE", "TIME"}


@dataclass(frozen=True)
class Candidate:
    """A proposed entity: token range, label and where it came from."""

    start: int
    end: int
    label: str
    stage: str
    rule: str | None
    priority: int
    score: float

    def overlaps(self, other: "Candidate") -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: "Candidate") -> bool:
        return self.start <= other.start and other.end <= self.end and self != other


CandidateFilter = Callable[[list[Candidate]], list[Candidate]]


@registry.misc("newsclaims.entity_priority_filter.v1")
def make_entity_priority_filter() -> CandidateFilter:
    """Higher priority wins an overlap, then the longer span, then the earlier one.

    A model ORG span that extends a gazetteer name with more words ("Alibaba Cloud Intelligence")
    competes at the gazetteer's priority, so the longer name survives; one that only joins
    gazetteer names with connectors ("Taobao & Tmall") loses to the separate names.
    """

    def choose(candidates: list[Candidate]) -> list[Candidate]:
        ranked = sorted(candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start))
        chosen: list[Candidate] = []
        taken: set[int] = set()  # the tokens of the kept candidates: an overlap is a shared token
        empty: list[Candidate] = []  # kept candidates without tokens, checked one by one
        for cand in ranked:
            if cand.start >= cand.end:
                if any(cand.overlaps(kept) for kept in chosen):
                    continue
                empty.append(cand)
            elif any(i in taken for i in range(cand.start, cand.end)) or any(
                    cand.overlaps(kept) for kept in empty):
                continue
            chosen.append(cand)
            taken.update(range(cand.start, cand.end))
        return sorted(chosen, key=lambda c: c.start)

    return choose


class EntityCleanup:
    """Trim, filter and choose entity candidates; write the winners to ``doc.ents``."""

    def __init__(
        self,
        nlp: Language,
        name: str = "newsclaims_entity_cleanup",
        *,
        rule_keys: list[str],
        cjk_key: str,
        furniture_key: str,
        ents_filter: CandidateFilter,
        propagate_person_names: bool,
        model_score: float,
        rule_score: float,
        derived_score: float,
    ) -> None:
        self.name = name
        self.rule_keys = list(rule_keys)
        self.cjk_key = cjk_key
        self.furniture_key = furniture_key
        self.ents_filter = ents_filter
        self.propagate_person_names = propagate_person_names
        self.model_score = config_score(model_score)
        self.rule_score = config_score(rule_score)
        self.derived_score = config_score(derived_score)
        self.metric_terms: set[str] = set()
        self.metric_records: list[dict[str, Any]] = []
        self.name_word_records: list[dict[str, Any]] = []
        self.name_words: dict[str, set[str]] = {}
        self.label_cues = LabelCues.from_words(self._words)
        self._org_words = self._words("legal_suffix") | self._words("org_head")

    # -- data -------------------------------------------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None,
                   metric_records: list[dict[str, Any]] | None = None,
                   name_word_records: list[dict[str, Any]] | None = None) -> None:
        """Load the lexicons: business metrics (never names) and name words (suffixes, titles)."""
        self.set_metric_records(metric_records or [])
        self.set_name_word_records(name_word_records or [])

    def set_name_word_records(self, records: list[dict[str, Any]]) -> None:
        self.name_word_records = list(records)
        self.name_words = {r["id"]: set(r["terms"]) for r in self.name_word_records}
        self.label_cues = LabelCues.from_words(self._words)
        self._org_words = self._words("legal_suffix") | self._words("org_head")

    def _words(self, kind: str) -> set[str]:
        return self.name_words.get(kind, set())

    def set_metric_records(self, records: list[dict[str, Any]]) -> None:
        self.metric_records = list(records)
        self.metric_terms = {t.lower() for r in self.metric_records for t in r.get("terms", [])}

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "metric_records.json", self.metric_records)
        srsly.write_json(path / "name_word_records.json", self.name_word_records)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "EntityCleanup":
        path = ensure_path(path)
        self.set_metric_records(srsly.read_json(path / "metric_records.json"))
        self.set_name_word_records(srsly.read_json(path / "name_word_records.json"))
        return self

    # -- processing -------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        furniture = _TokenRanges([(s.start, s.end) for s in doc.spans.get(self.furniture_key, [])])
        rule_candidates: list[Candidate] = []
        for priority, key in enumerate(reversed(self.rule_keys), start=2):
            for span in doc.spans.get(key, []):
                rule_candidates.extend(self._clean(doc, span, key, priority, self.rule_score,
                                                   trim_words=False))
        model_candidates: list[Candidate] = []
        for span in doc.ents:
            model_candidates.extend(self._clean(doc, span, MODEL_STAGE, 1, self.model_score,
                                                trim_words=True))
        rule_orgs = _OrgRules(rule_candidates)
        model_candidates = [self._promote_extension(doc, c, rule_orgs)
                            for c in (self._relabel(doc, c) for c in model_candidates) if c]
        candidates = [c for c in rule_candidates + model_candidates
                      if not furniture.overlaps(c.start, c.end) and not self._is_metric(doc, c)]
        chosen = self._align_labels(doc, self.ents_filter(candidates))
        chosen = decide_labels(doc, chosen, self.label_cues, name_labels=NAME_LABELS,
                               is_decisive_org=lambda c: self._is_decisive_org(doc, c))
        chosen = self._add_org_repeats(doc, chosen, furniture)
        chosen = self._keep_name_possessives(doc, chosen)
        chosen = self._add_cjk_names(doc, chosen, furniture)
        if self.propagate_person_names:
            chosen = self._add_name_parts(doc, chosen, furniture)
        ents = []
        for cand in chosen:
            span = Span(doc, cand.start, cand.end, label=cand.label, span_id=cand.rule or "")
            span._.provenance = {"stage": cand.stage, "rule": cand.rule, "score": cand.score}
            ents.append(span)
        doc.ents = ents
        return doc

    def _clean(self, doc: Doc, span: Span, stage: str, priority: int, score: float, *,
               trim_words: bool) -> list[Candidate]:
        """Cut a span at line breaks and separators, trim its edges; keep the first piece."""
        start, end = span.start, span.end
        f = flags(doc)
        words = f.text
        for i in range(start + 1, end):  # a token's trailing whitespace is never a line break
            if words[i].isspace() or words[i] in SPLIT_TOKENS:  # str.isspace: spaCy's IS_SPACE
                end = i
                break
        keep_symbols = span.label_ in NUMERIC_LABELS
        while start < end and _trim_left(f, start, keep_symbols, trim_words):
            start += 1
        while end > start and _trim_right(f, end - 1, keep_symbols):
            end -= 1
        if start >= end:
            return []
        rule = span.id_ or None
        return [Candidate(start, end, span.label_, stage, rule, priority, score)]

    def _relabel(self, doc: Doc, cand: Candidate) -> Candidate | None:
        """Fix a model span's label from its words; drop spans that cannot be names.

        "Mr Cecil" is the person "Cecil"; "Patriot Coal" and "Arch Coal Inc" end in an
        organisation word, so they are organisations whatever the model said; a "person" with
        digits, a URL or no capital letter is no name.
        """
        if cand.label in NUMERIC_LABELS:
            return cand
        cand = self._cut_titles(doc, cand)
        if cand is None:
            return None
        words, size = texts(doc), cand.end - cand.start
        first = words[cand.start]
        if size > 1 and first in self._words("honorific"):
            return replace(cand, start=cand.start + 1, label="PERSON")
        cues = self.label_cues
        if size > 1 and first.islower() and (  # str.islower: spaCy's IS_LOWER
                first in cues.org_nouns or first in cues.person_nouns):
            # "broadcaster BSkyB", "analyst Ada Brenner": the noun is a cue, not part of the name
            return self._relabel(doc, replace(cand, start=cand.start + 1))
        last = words[cand.end - 1]
        if cand.label != "ORG" and size > 1 and (
                last in self._words("legal_suffix") or last in self._words("org_head")):
            cand = replace(cand, label="ORG")
        text = flags(doc).span_text(cand.start, cand.end, doc_text(doc))
        if not any(ch.isupper() or ch.isdigit() for ch in text):
            return None
        if cand.label == "PERSON" and (any(ch.isdigit() for ch in text) or "://" in text
                                       or "www." in text or "@" in text or "=" in text):
            return None
        return cand

    def _cut_titles(self, doc: Doc, cand: Candidate) -> Candidate | None:
        """Titles are not names: drop a span of title words only ("Chief Executive", "CFO"), cut
        them from the start of a name ("Chief Financial Officer Ada Brenner") and, for an
        organisation, from its end ("Norvale CFO")."""
        titles, trailing = self._words("bare_title"), self._words("trailing_title")
        start, end = cand.start, cand.end
        f = flags(doc)
        words = f.text
        if all(word in titles for word in words[start:end]):
            return None
        while end - start > 1 and words[start] in titles and f.is_title[start + 1]:
            start += 1
        while cand.label == "ORG" and end - start > 1 and words[end - 1] in trailing:
            end -= 1
        return cand if (start, end) == (cand.start, cand.end) else replace(cand, start=start, end=end)

    def _align_labels(self, doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
        """A model "person" that is the start of an organisation's name in the same document
        ("Miller Kaplan" beside "Miller Kaplan Arase LLP") is that organisation."""
        org_names = []
        all_words = texts(doc)
        for cand in chosen:
            words = all_words[cand.start:cand.end]
            if cand.label == "ORG" and len(words) > 1 and words[-1] not in self._words(
                    "eponymous_head"):
                org_names.append(words)
        if not org_names:
            return chosen
        prefixes = {tuple(org[:k]) for org in org_names for k in range(1, len(org))}
        result = []
        for cand in chosen:
            words = tuple(all_words[cand.start:cand.end])
            if cand.stage == MODEL_STAGE and cand.label == "PERSON" and words in prefixes:
                cand = replace(cand, label="ORG")
            result.append(cand)
        return result

    def _is_decisive_org(self, doc: Doc, cand: Candidate) -> bool:
        """The gazetteer, a legal suffix or an organisation head word make a name an organisation."""
        return cand.stage == "org_gazetteer" or (cand.label == "ORG" and cand.end - cand.start > 1
                                                 and texts(doc)[cand.end - 1] in self._org_words)

    def _add_org_repeats(self, doc: Doc, chosen: list[Candidate],
                         furniture: "_TokenRanges") -> list[Candidate]:
        """Tag untagged later (or earlier) occurrences of a name tagged ORG in the document."""
        names = org_names(doc, chosen)
        if not names:
            return chosen
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for text in names:
            words = tuple(text.split(" "))
            by_first.setdefault(words[0], []).append(words)
        for options in by_first.values():
            options.sort(key=len, reverse=True)  # the longest name first
        covered = {i for c in chosen for i in range(c.start, c.end)}
        added: list[Candidate] = []
        words_of = texts(doc)
        size = len(words_of)
        resume = 0  # a name found ends here: the next one starts at or after it
        for i in [i for i, word in enumerate(words_of) if word in by_first]:
            if i < resume or i in covered:
                continue
            for words in by_first[words_of[i]]:
                end = i + len(words)
                if end <= size and tuple(words_of[i:end]) == words and not any(
                        j in covered for j in range(i, end)) and _bounded(flags(doc), i, end):
                    cand = Candidate(i, end, "ORG", "org_repeats", None, 0, self.derived_score)
                    if not furniture.overlaps(cand.start, cand.end):
                        added.append(cand)
                    resume = end
                    break
        return sorted(chosen + added, key=lambda c: c.start)

    @staticmethod
    def _keep_name_possessives(doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
        """Give back a final "'s" that is part of an organisation's name ("Macy's").

        The trimming step cuts "'s" as a possessive. When the document shows the name with "'s"
        where no possessive can stand (before a comma, "and", a dash, a line end or the end of a
        sentence: "stores like Macy's, Bloomingdale's and ..."), the "'s" is part of the name and
        every mention of it keeps the "'s".
        """
        words = texts(doc)

        def has_s(c: Candidate) -> bool:
            return c.label == "ORG" and c.end < len(words) and words[c.end] in {"'s", "’s"}

        named = set()
        for cand in chosen:
            if has_s(cand):
                after = doc[cand.end + 1] if cand.end + 1 < len(doc) else None
                if after is None or after.lower_ in {"and", "or", ",", "-", "–", ".", ";", ")"} or (
                        "\n" in doc[cand.end].whitespace_ + after.text):
                    named.add(doc[cand.start:cand.end].text)
        if not named:
            return chosen
        return [replace(c, end=c.end + 1) if has_s(c) and doc[c.start:c.end].text in named else c
                for c in chosen]

    @staticmethod
    def _promote_extension(doc: Doc, cand: Candidate, rules: "_OrgRules") -> Candidate:
        """Give a model ORG that adds words to gazetteer names the gazetteer's priority."""
        if cand.label != "ORG":
            return cand
        inner = rules.inside(cand)
        if not inner:
            return cand
        covered = {i for r in inner for i in range(r.start, r.end)}
        f = flags(doc)
        extra_words = [i for i in range(cand.start, cand.end)
                       if i not in covered and f.is_alpha[i] and f.lower[i] not in CONNECTORS]
        if not extra_words:
            return cand
        return replace(cand, priority=max(r.priority for r in inner))

    def _is_metric(self, doc: Doc, cand: Candidate) -> bool:
        if cand.label in NUMERIC_LABELS:
            return False
        return flags(doc).span_text(cand.start, cand.end, doc_text(doc)).lower() in self.metric_terms

    def _add_cjk_names(self, doc: Doc, chosen: list[Candidate],
                       furniture: "_TokenRanges") -> list[Candidate]:
        """Label a bracketed CJK name like the name it stands beside: "Liu Peng (刘鹏)"."""
        spans = doc.spans.get(self.cjk_key, [])
        if not spans:
            return chosen
        covered = {i for c in chosen for i in range(c.start, c.end)}
        neighbours = _CharNeighbours(doc, chosen)
        added = []
        for span in spans:
            cand = Candidate(span.start, span.end, "", self.cjk_key, None, 0, self.derived_score)
            if any(i in covered for i in range(cand.start, cand.end)) or furniture.overlaps(
                    cand.start, cand.end):
                continue
            neighbour = neighbours.bracketed(span)
            if neighbour is not None and neighbour.label in NAME_LABELS:
                added.append(replace(cand, label=neighbour.label))
        return sorted(chosen + added, key=lambda c: c.start)

    def _add_name_parts(self, doc: Doc, chosen: list[Candidate],
                        furniture: "_TokenRanges") -> list[Candidate]:
        """Tag a lone part of a person's full name ("Dai", "Ma") as a person mention."""
        parts: set[str] = set()
        f = flags(doc)
        org_heads = self._words("org_head")
        for cand in chosen:
            if cand.label == "PERSON" and sum(f.is_alpha[cand.start:cand.end]) >= 2:
                parts.update(f.text[i] for i in range(cand.start, cand.end)
                             if _can_be_name_part(f, i) and f.text[i] not in org_heads)
        if not parts:
            return chosen
        by_token = {i: c for c in chosen for i in range(c.start, c.end)}
        result = list(chosen)
        removed: dict[Candidate, int] = {}  # list.remove on each would be quadratic
        honorifics = self._words("honorific")
        for i, text in enumerate(f.text):
            if text not in parts:
                continue
            if not _stands_alone(f, i, honorifics):
                continue
            current = by_token.get(i)
            if current is not None and not (current.stage == MODEL_STAGE
                                            and current.end - current.start == 1):
                continue
            cand = Candidate(i, i + 1, "PERSON", "name_parts", None, 0, self.derived_score)
            if furniture.overlaps(cand.start, cand.end):
                continue
            if current is not None:
                removed[current] = removed.get(current, 0) + 1
            result.append(cand)
        if removed:
            result = _remove_first(result, removed)
        return sorted(result, key=lambda c: c.start)


class _CharNeighbours:
    """The candidates of a Doc indexed by the character offsets where they start and end, built
    once, so the name beside a bracketed span is found without scanning every candidate."""

    def __init__(self, doc: Doc, chosen: list[Candidate]) -> None:
        self.text = doc_text(doc)
        self.chosen = chosen
        self.by_end: dict[int, list[int]] = {}
        self.by_start: dict[int, list[int]] = {}
        f = flags(doc)
        for k, cand in enumerate(chosen):
            last = cand.end - 1
            self.by_start.setdefault(f.idx[cand.start], []).append(k)
            self.by_end.setdefault(f.idx[last] + len(f.text[last]), []).append(k)

    def bracketed(self, span: Span) -> Candidate | None:
        """The first candidate (in ``chosen`` order) that ends just before "(" + ``span`` + ")",
        or starts just after ``span`` + "(" — what ``_bracketed_neighbour`` returns."""
        text, start_char, end_char = self.text, span.start_char, span.end_char
        found: list[int] = []
        if CLOSE_BRACKET.match(text, end_char):
            for pos in _bracket_gap_starts(text, start_char):
                if pos in self.by_end and OPEN_BRACKET.fullmatch(text, pos, start_char):
                    found.extend(self.by_end[pos])
        for pos in _bracket_gap_ends(text, end_char):
            if pos in self.by_start and OPEN_BRACKET.fullmatch(text, end_char, pos):
                found.extend(self.by_start[pos])
        return self.chosen[min(found)] if found else None


def _bracket_gap_starts(text: str, end: int) -> list[int]:
    """Every ``pos`` <= ``end`` with ``text[pos:end]`` only whitespace and at most one bracket."""
    positions, brackets, pos = [end], 0, end
    while pos > 0 and (text[pos - 1].isspace() or text[pos - 1] in "(（"):
        if not text[pos - 1].isspace():
            brackets += 1
            if brackets > 1:
                break
        pos -= 1
        positions.append(pos)
    return positions


def _bracket_gap_ends(text: str, start: int) -> list[int]:
    """Every ``pos`` >= ``start`` with ``text[start:pos]`` only whitespace and at most one bracket."""
    positions, brackets, pos = [start], 0, start
    while pos < len(text) and (text[pos].isspace() or text[pos] in "(（"):
        if not text[pos].isspace():
            brackets += 1
            if brackets > 1:
                break
        pos += 1
        positions.append(pos)
    return positions


class _OrgRules:
    """The rule ORG candidates sorted by start, so those inside a span are found by bisection."""

    def __init__(self, rules: list[Candidate]) -> None:
        self.rules = sorted((r for r in rules if r.label == "ORG"), key=lambda r: r.start)
        self.starts = [r.start for r in self.rules]

    def inside(self, cand: Candidate) -> list[Candidate]:
        """``[r for r in rules if r.label == "ORG" and cand.contains(r)]`` (order aside)."""
        found = []
        for k in range(bisect_left(self.starts, cand.start), len(self.rules)):
            rule = self.rules[k]
            if rule.start > cand.end:
                break
            if cand.contains(rule):
                found.append(rule)
        return found


def _remove_first(items: list[Candidate], counts: dict[Candidate, int]) -> list[Candidate]:
    """``items`` without the first ``counts[c]`` occurrences of each ``c``: ``list.remove``
    repeated, in one pass."""
    left = dict(counts)
    kept = []
    for item in items:
        if left.get(item, 0) > 0:
            left[item] -= 1
            continue
        kept.append(item)
    return kept


class _TokenRanges:
    """Token ranges (furniture lines) indexed once per Doc: does a range overlap any of them?"""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.covered = {i for start, end in ranges for i in range(start, end)}
        self.empty = sorted(start for start, end in ranges if start >= end)

    def overlaps(self, start: int, end: int) -> bool:
        """``any(start < r_end and r_start < end for r_start, r_end in ranges)``."""
        if any(i in self.covered for i in range(start, end)):
            return True
        k = bisect_left(self.empty, start + 1)
        return k < len(self.empty) and self.empty[k] < end


def _trim_left(f: TokenFlags, i: int, keep_symbols: bool, trim_words: bool) -> bool:
    """Whether token ``i`` is cut from the start of a span: space, punctuation (a number keeps
    its sign), a leading "the" of a model name."""
    text = f.text[i]
    if f.is_space[i]:
        return True
    if keep_symbols:
        return f.is_punct[i] and text not in {"~", "≈", "<", ">", "≥", "≤", "+", "-"}
    if not any(ch.isalnum() for ch in text):
        return True
    return trim_words and text in LEADING_WORDS


def _trim_right(f: TokenFlags, i: int, keep_symbols: bool) -> bool:
    """Whether token ``i`` is cut from the end of a span: space, punctuation (a percentage
    keeps "%"), a possessive or a dangling connector."""
    text = f.text[i]
    if f.is_space[i] or (f.is_punct[i] and not (keep_symbols and text == "%")):
        return True
    if not keep_symbols and not any(ch.isalnum() for ch in text):
        return True
    return not keep_symbols and text in TRAILING_WORDS


def _bounded(f: TokenFlags, start: int, end: int) -> bool:
    """A repeated name counts only when no capitalised word is glued to it ("Time Warner Cable")."""
    if start > 0 and not f.sent_start[start] and f.is_title[start - 1] and f.is_alpha[start - 1]:
        return False
    return not (end < len(f.text) and f.is_title[end] and f.is_alpha[end] and not f.sent_start[end])


def _can_be_name_part(f: TokenFlags, i: int) -> bool:
    return f.is_alpha[i] and f.is_title[i] and len(f.text[i]) >= 2 and not f.is_stop[i]


def _stands_alone(f: TokenFlags, i: int, honorifics: set[str]) -> bool:
    """A name part counts on its own only when no other capitalised word is glued to it."""
    size = len(f.text)
    if i + 2 < size and f.text[i + 1] in {"'s", "’s"} and f.is_title[i + 2]:
        return False  # "Barnard's Retail Group": the start of an organisation's name
    for j in (i - 1, i + 1):
        if 0 <= j < size and f.is_title[j] and f.is_alpha[j] and f.text[j] not in honorifics:
            if j == i - 1 and f.sent_start[i]:
                continue
            return False
    return True


@Language.factory(
    "newsclaims_entity_cleanup",
    assigns=["doc.ents", "span._.provenance"],
    requires=["doc.spans"],
    default_config={
        "rule_keys": ["percent_rules", "org_gazetteer", "person_cues"],
        "cjk_key": "cjk_names",
        "furniture_key": "furniture",
        "ents_filter": {"@misc": "newsclaims.entity_priority_filter.v1"},
        "propagate_person_names": True,
        "model_score": 0.85,
        "rule_score": 0.95,
        "derived_score": 0.8,
    },
)
def make_entity_cleanup(
    nlp: Language,
    name: str,
    *,
    rule_keys: list[str],
    cjk_key: str,
    furniture_key: str,
    ents_filter: CandidateFilter,
    propagate_person_names: bool,
    model_score: float,
    rule_score: float,
    derived_score: float,
) -> "EntityCleanup":
    """Build the cleanup stage; the metric lexicon arrives through ``initialize``."""
    return EntityCleanup(nlp, name, rule_keys=rule_keys, cjk_key=cjk_key,
                         furniture_key=furniture_key, ents_filter=ents_filter,
                         propagate_person_names=propagate_person_names,
                         model_score=model_score, rule_score=rule_score,
                         derived_score=derived_score)
