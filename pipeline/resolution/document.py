"""Within one document: which ORG and PERSON mentions name the same entity (``cluster_document``).

Mentions of the same label are joined (union-find) when they share:

- the same key (``entity_key``: name-order, spacing, punctuation and legal-suffix variants; for
  organisations also the key without spaces, "TimeWarner" = "Time Warner"), the same gazetteer id
  (``Mention.rule``), the same alias-table entry, or a ``context_aliases`` form;
- a name in another script in brackets right after a name ("Trudy Shan Dai (戴珊)": only
  whitespace and an opening bracket between the two), either way round; a bracketed CJK name or
  acronym that is not itself a mention is kept as an alias of the name before it;
- an acronym in brackets whose letters are the initials of the name before it ("Taobao and Tmall
  Group (TTG)"); later mentions of the acronym then follow by key;
- a nickname: a mention right after a cue ("known inside the company as", "nicknamed",
  "dubbed", "also called", "formerly", ...) links to the nearest earlier mention of the same
  label in the same sentence that the cue can attach to: the cue follows it directly ("Dai is
  known as"), or after a comma/bracket ("Ma, also known as"), or after a closed parenthetical
  ("Dai, who ... in Alibaba, is known as"). "what is known as", "a unit, known as" do not link;
- short forms: a person mention whose name tokens are a proper subset of a longer person name
  ("Dai", "Trudy" or "Trudy Dai" and "Trudy Dai Shan"); an organisation whose key is the start of
  a longer organisation key and lacks only completion words ("Taobao" and "Taobao Marketplace").
  An organisation whose words start exactly one longer organisation name ending in a company word
  (``models/lexicons/name_words.json``: legal suffixes, organisation head words) is that one too,
  whatever words lie between ("May" and "May Department Stores"; "Taobao" and "Taobao Live" stay
  apart, and two gazetteer entities never join this way). Longer short forms are linked first.
  The full name may come earlier or later (headlines use the short form first). Ambiguity guard:
  when the candidates belong to two or more different entities ("Liu" with "Liu Peng" and "Liu
  Yiman") the short form links to none of them;
- an all-capitals acronym, brackets or not, and the one longer organisation of the document whose
  initials it is ("BA" and "British Airways"; a leading all-capitals country word may be left out:
  "SEC" and "US Securities Exchange Commission"). Two candidates: none.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .. import MODELS_DIR
from .names import (
    GAZETTEER_LABELS,
    RESOLVED_LABELS,
    LexiconLike,
    Mention,
    NameLexicon,
    _as_lexicon,
    _is_east_asian_name,
    acronym_matches,
    entity_key,
    is_acronym,
    is_non_latin_name,
    normalise_text,
)

AliasAnchors = Mapping[tuple[str, str], str]  # (label, entity key) -> "alias:<key of the table name>"

_OPEN_BETWEEN = re.compile(r"\s*[(（\[]\s*")
_BRACKET_AFTER = re.compile(r"\s*[(（]\s*([^()（）\n]{1,40}?)\s*[)）]")
_SENTENCE_BREAK = re.compile(r"\n|[.!?][\"'”’)]?\s+(?=[\"“‘(]?[A-Z])")
_ADVERBS = (r"also|often|widely|better|commonly|popularly|affectionately|sometimes|now|later|internally|"
            r"locally|formerly")
_AUX = r"is|was|are|were|has\s+been|had\s+been|have\s+been|being|be|who|which"
_ADVERBS_ONLY = re.compile(rf"(?:(?:{_ADVERBS})(?:\s+|$))*", re.IGNORECASE)
_AUX_ADVERBS = re.compile(rf"(?:(?:{_AUX}|{_ADVERBS})(?:\s+|$))*", re.IGNORECASE)


@dataclass
class Cluster:
    """The mentions of one document that name one entity, with every form it goes by there."""

    label: str
    mentions: list[Mention]
    surfaces: set[str]  # mention texts plus declared aliases (bracketed names, context_aliases)
    rules: set[str]  # gazetteer ids (trusted labels only)


class UnionFind:
    """Disjoint sets over ``0..n-1``; the root of a set is its smallest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cue_attaches(between: str) -> bool:
    """Whether a nickname cue can attach to the name before ``between``: "Dai is known as",
    "Ma, also known as", "Meta (formerly", "Dai, who ... Alibaba, is known as"."""
    if _SENTENCE_BREAK.search(between):
        return False
    text = between.strip()
    if _AUX_ADVERBS.fullmatch(text):
        return True
    if text[:1] not in ",(":
        return False
    tail = re.split(r"[,(]", text)[-1].strip()
    if _ADVERBS_ONLY.fullmatch(tail):
        return True
    return text.count(",") >= 2 and bool(_AUX_ADVERBS.fullmatch(tail))


def cluster_document(text: str, mentions: list[Mention], *, lexicon: LexiconLike = None,
                     alias_anchors: AliasAnchors | None = None) -> list[Cluster]:
    """Group one document's ORG/PERSON mentions into entities (other labels are dropped); clusters
    come in text order of their first mention, mentions in text order."""
    lex = _as_lexicon(lexicon)
    anchors = alias_anchors or {}
    ms = sorted((m for m in mentions if m.label in RESOLVED_LABELS), key=lambda m: (m.start, m.end))
    keys = [entity_key(m.text, m.label, lex) for m in ms]
    uf = UnionFind(len(ms))
    by_key = _link_same_names(ms, keys, anchors, uf)
    declared = _declared_aliases(text, ms, lex)
    _link_brackets(text, ms, lex, uf)
    for i, aliases in declared.items():
        for alias in aliases:
            for j in by_key.get((ms[i].label, entity_key(alias, ms[i].label, lex)), ()):
                uf.union(i, j)
    _link_nicknames(text, ms, lex, uf)
    _link_short_forms(ms, keys, lex, uf)
    _link_acronyms(ms, lex, uf)
    return _clusters(ms, declared, uf)


def _link_same_names(ms: list[Mention], keys: list[str], anchors: AliasAnchors,
                     uf: UnionFind) -> dict[tuple[str, str], list[int]]:
    """Join mentions with the same key (ORG: or the same key without spaces), gazetteer id or
    alias-table entry; return them by key."""
    by_key: dict[Any, list[int]] = defaultdict(list)
    by_rule: dict[Any, list[int]] = defaultdict(list)
    by_alias: dict[Any, list[int]] = defaultdict(list)
    by_compact: dict[Any, list[int]] = defaultdict(list)
    for i, m in enumerate(ms):
        by_key[(m.label, keys[i])].append(i)
        if m.label == "ORG":  # "TimeWarner" and "Time Warner"
            by_compact[keys[i].replace(" ", "")].append(i)
        if m.rule and m.label in GAZETTEER_LABELS:
            by_rule[(m.label, m.rule)].append(i)
        anchor = anchors.get((m.label, keys[i]))
        if anchor:
            by_alias[(m.label, anchor)].append(i)
    for groups in (by_key, by_rule, by_alias, by_compact):
        for members in groups.values():
            for j in members[1:]:
                uf.union(members[0], j)
    return by_key


def _declared_aliases(text: str, ms: list[Mention], lex: NameLexicon) -> dict[int, set[str]]:
    """Per mention, the other names it is given here: ``context_aliases`` and a bracketed name in
    another script or a matching acronym right after it."""
    declared: dict[int, set[str]] = defaultdict(set)
    for i, m in enumerate(ms):
        declared[i].update(a for a in m.context_aliases if a.strip())
        after = _BRACKET_AFTER.match(text, m.end) if 0 <= m.end <= len(text) else None
        if after:
            inner = after.group(1)
            if (is_non_latin_name(inner) and not is_non_latin_name(m.text)) or (
                    is_acronym(inner) and acronym_matches(inner, m.text, lex)):
                declared[i].add(inner)
    return declared


def _link_brackets(text: str, ms: list[Mention], lex: NameLexicon, uf: UnionFind) -> None:
    """Join a mention and the next one when it opens a bracket right after it and is the same
    name in another script or its acronym (either way round)."""
    for i, m in enumerate(ms):
        for j in range(i + 1, len(ms)):
            b = ms[j]
            if b.start < m.end:
                continue
            if b.label == m.label and _OPEN_BETWEEN.fullmatch(text[m.end:b.start]) and (
                    is_non_latin_name(b.text) != is_non_latin_name(m.text)
                    or (is_acronym(b.text) and acronym_matches(b.text, m.text, lex))
                    or (is_acronym(m.text) and acronym_matches(m.text, b.text, lex))):
                uf.union(i, j)
            break  # only the next mention can be right after this one


def _link_nicknames(text: str, ms: list[Mention], lex: NameLexicon, uf: UnionFind) -> None:
    """Join a mention right after a nickname cue to the nearest earlier name the cue attaches to."""
    for j, b in enumerate(ms):
        window = text[max(0, b.start - 160):b.start]
        cue = lex.nickname_cue.search(window)
        if not cue:
            continue
        cue_start = b.start - len(window) + cue.start()
        for i in range(j - 1, -1, -1):
            a = ms[i]
            if a.end > cue_start or a.label != b.label:
                continue
            between = text[a.end:cue_start]
            if _SENTENCE_BREAK.search(between):
                break
            if cue_attaches(between):
                uf.union(i, j)
                break


def _link_short_forms(ms: list[Mention], keys: list[str], lex: NameLexicon, uf: UnionFind) -> None:
    """Link short forms to the one longer name they are part of (never to two).

    Mentions with the same key are already one entity (``_link_same_names``), so candidates are
    looked up among distinct names, once per name: linear in the mentions of a long document."""
    persons = [i for i, m in enumerate(ms) if m.label == "PERSON" and not _is_east_asian_name(m.text)]
    person_names = _first_of_each(persons, lambda i: keys[i])
    tokens = {i: frozenset(keys[i].split()) for i in person_names.values()}
    full = [j for j in tokens if len(tokens[j]) >= 2]
    longer_people = {i: [j for j in full if tokens[i] < tokens[j]] for i in tokens}
    for i in sorted(persons, key=lambda i: (-len(tokens[person_names[keys[i]]]), ms[i].start)):
        _link_unique(i, longer_people[person_names[keys[i]]], uf)
    orgs = [i for i, m in enumerate(ms) if m.label == "ORG" and not is_acronym(m.text)]
    org_names = _first_of_each(orgs, lambda i: (keys[i], ms[i].rule, ms[i].text))
    words = {i: keys[i].split() for i in (*org_names.values(), *orgs)}
    candidates: dict[tuple[str, Any], list[int]] = {}
    for i in sorted(orgs, key=lambda i: (-len(words[i]), ms[i].start)):
        short = (keys[i], ms[i].rule)
        if short not in candidates:
            candidates[short] = _longer_orgs(ms[i], words[i], org_names.values(), words, ms, lex)
        _link_unique(i, candidates[short], uf)


def _first_of_each(indexes: list[int], name_of: Callable[[int], Any]) -> dict[Any, int]:
    """The first mention index of each distinct name."""
    first: dict[Any, int] = {}
    for i in indexes:
        first.setdefault(name_of(i), i)
    return first


def _longer_orgs(short: Mention, w: list[str], names: Iterable[int], words: dict[int, list[str]],
                 ms: list[Mention], lex: NameLexicon) -> list[int]:
    """The longer ORG names that ``short`` (words ``w``) is the start of, as ``_link_unique``
    candidates."""
    starts = [j for j in names if len(words[j]) > len(w) and words[j][:len(w)] == w
              and not _other_gazetteer_entity(short, ms[j])]
    longer = [j for j in starts if all(t in lex.completion_words for t in words[j][len(w):])]
    # "May" and "May Department Stores": the start of exactly one longer name that ends in a
    # company word (whatever words come between) is that company; "Taobao" and "Taobao Live"
    # (a unit) stay apart; two longer names: none
    return longer or [j for j in starts if _ends_in_company_word(ms[j].text)]


@lru_cache(maxsize=1)
def _company_words() -> frozenset[str]:
    """Words that end a company's name (legal suffixes and organisation head words of
    ``models/lexicons/name_words.json``), case-folded."""
    path = MODELS_DIR / "lexicons" / "name_words.json"
    records = json.loads(path.read_text(encoding="utf-8")).get("records", [])
    return frozenset(t.casefold() for r in records if r["id"] in {"legal_suffix", "org_head"}
                     for t in r["terms"])


def _ends_in_company_word(name: str) -> bool:
    words = normalise_text(name).split()
    return len(words) > 1 and words[-1].casefold().rstrip(".") in _company_words() | {
        w.rstrip(".") for w in _company_words()}


def _other_gazetteer_entity(a: Mention, b: Mention) -> bool:
    """Both names are in the gazetteer, as different entities ("Taobao" and "Taobao Live")."""
    return bool(a.rule and b.rule and a.rule != b.rule)


def _link_acronyms(ms: list[Mention], lex: NameLexicon, uf: UnionFind) -> None:
    """Join an all-capitals ORG mention to the one longer ORG of the document whose initials it is,
    brackets or not ("BA" and "British Airways"; "SEC" and "US Securities Exchange Commission":
    a leading all-capitals country word may be left out)."""
    orgs = [i for i, m in enumerate(ms) if m.label == "ORG"]
    for i in orgs:
        if not is_acronym(ms[i].text):
            continue
        longer = [j for j in orgs if not is_acronym(ms[j].text) and _initials_of(ms[i].text, ms[j].text, lex)]
        _link_unique(i, longer, uf)


def _initials_of(acronym: str, name: str, lex: NameLexicon) -> bool:
    if acronym_matches(acronym, name, lex):
        return True
    first, _, rest = normalise_text(name).partition(" ")
    return bool(rest) and first.isupper() and len(first) <= 3 and acronym_matches(acronym, rest, lex)


def _link_unique(i: int, longer: list[int], uf: UnionFind) -> None:
    """Join ``i`` to the longer names when they are all one entity; two or more: ambiguous, none."""
    roots = {uf.find(j) for j in longer}
    if not roots or uf.find(i) in roots:
        return  # no longer name, or already linked to one
    if len(roots) == 1:
        uf.union(i, roots.pop())


def _clusters(ms: list[Mention], declared: Mapping[int, set[str]], uf: UnionFind) -> list[Cluster]:
    """The union-find sets as clusters, ordered by their first mention."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(ms)):
        groups[uf.find(i)].append(i)
    clusters = []
    for members in sorted(groups.values(), key=lambda g: g[0]):
        cluster_ms = [ms[i] for i in members]
        surfaces = {m.text for m in cluster_ms}
        for i in members:
            surfaces |= declared.get(i, set())
        clusters.append(Cluster(label=cluster_ms[0].label, mentions=cluster_ms, surfaces=surfaces,
                                rules={m.rule for m in cluster_ms if m.rule and m.label in GAZETTEER_LABELS}))
    return clusters
