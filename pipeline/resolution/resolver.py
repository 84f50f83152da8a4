"""Entity resolution: which ORG and PERSON mentions name the same real-world entity.

Pure functions over plain data (no spaCy): the extractor turns ``doc.ents`` into ``Mention``s and
calls ``EntityResolver.resolve_document`` once per new document; the resolver starts from the
``EntityRecord``s already in the store and returns ``{(start, end): entity_id}``.

Within a document (union of mentions of the same label):

- the same key (``entity_key``: name-order, spacing, punctuation and legal-suffix variants), the
  same gazetteer id (``Mention.rule``), the same alias-table entry, or a ``context_aliases`` form;
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
  Longer short forms are linked first. The full name may come earlier or later (headlines use the
  short form first). Ambiguity guard: when the candidates belong to two or more different
  entities ("Liu" with "Liu Peng" and "Liu Yiman") the short form links to none of them; all such
  unresolved lone names with the same text in a document form one document-scoped entity (its id
  includes the document id, it never merges across documents).

Across documents (the store's records): a document's cluster joins the record that shares a
gazetteer id, an alias-table entry or a cross-document key. Cross-document keys are the keys of
every organisation surface form and of person forms with at least two name tokens (or a name of
two or more CJK characters): a lone surname never merges across documents. When nothing is shared
exactly, a person joins the only record whose name tokens are a subset or superset of its own
(with at least two tokens in common: "Trudy Dai" and "Trudy Dai Shan"), and an organisation the
only record with the same key after trailing completion words are dropped ("Cisco" and "Cisco
Systems"). Two candidates means no merge. Labels never mix. If a cluster shares exact keys with
two records, they are merged: the survivor keeps its id and lists the other in ``merged_ids``.

Ids: ``"ent_" + sha256(label|key)[:20]`` where key is the record's anchor, the strongest of: an
alias-table entry (``alias:<key of its name>``), a gazetteer id (``rule:<id>``), a name key
(organisations: the shortest key without completion words, "taobao" for "Taobao Marketplace";
persons: the key with most name tokens), else the document-scoped ``doc:<doc id>:<key>``. So the
id does not depend on the order documents are processed in whenever the documents agree on that
anchor (the usual case); when they do not (doc A says only "Trudy Dai", doc B "Trudy Dai Shan"),
the record keeps the id it got first. Gazetteer ids are trusted for ORG mentions only: build
mentions with ``mention_from_claim``, which keeps ``rule`` only for the ``org_gazetteer`` stage
(the person-pattern ids "title_then_name"/"name_then_cjk" name patterns, not people).

"Group" (decision): the key drops a trailing "Group" ("Alibaba Group" = "Alibaba", "China
Evergrande Group" = "China Evergrande") except when what is left joins several names
("Taobao/Tmall Commerce Group", "Taobao and Tmall Group") or ends in a unit word ("Global Digital
Commerce Group", "Local Services Group"): there "Group" is part of a unit's name and the rest
alone is a description. This is lexical (the same text always gives the same key), not based on
which names were seen, so keys and ids stay order-independent. Consequence: "Tmall Group" = "Tmall".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .names import (
    GAZETTEER_LABELS,
    RESOLVED_LABELS,
    EntityRecord,
    LexiconLike,
    Mention,
    _as_lexicon,
    _is_east_asian_name,
    _is_latin,
    _org_core,
    acronym_matches,
    entity_id,
    entity_key,
    is_acronym,
    is_cross_document_name,
    is_non_latin_name,
    normalise_text,
    person_tokens,
)

# --------------------------------------------------------------------------- within a document

_OPEN_BETWEEN = re.compile(r"\s*[(（\[]\s*")
_BRACKET_AFTER = re.compile(r"\s*[(（]\s*([^()（）\n]{1,40}?)\s*[)）]")
_SENTENCE_BREAK = re.compile(r"\n|[.!?][\"'”’)]?\s+(?=[\"“‘(]?[A-Z])")
_ADVERBS = (r"also|often|widely|better|commonly|popularly|affectionately|sometimes|now|later|internally|"
            r"locally|formerly")
_AUX = r"is|was|are|were|has\s+been|had\s+been|have\s+been|being|be|who|which"
_ADVERBS_ONLY = re.compile(rf"(?:(?:{_ADVERBS})(?:\s+|$))*", re.IGNORECASE)
_AUX_ADVERBS = re.compile(rf"(?:(?:{_AUX}|{_ADVERBS})(?:\s+|$))*", re.IGNORECASE)


def _cue_attaches(between: str) -> bool:
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


class _UnionFind:
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


@dataclass
class _Cluster:
    label: str
    mentions: list[Mention]
    surfaces: set[str]
    rules: set[str]


# --------------------------------------------------------------------------- the resolver

_PRECEDENCE = {"alias": 0, "rule": 1, "doc": 3}


def _precedence(key: str) -> int:
    return _PRECEDENCE.get(key.split(":", 1)[0], 2) if ":" in key else 2


class EntityResolver:
    """Assigns entity ids to mentions document by document, keeping one record per entity."""

    def __init__(self, records: Iterable[EntityRecord] = (), *, alias_table: Iterable[Mapping[str, Any]] = (),
                 lexicon: LexiconLike = None) -> None:
        self.lexicon = _as_lexicon(lexicon)
        self._records: dict[str, EntityRecord] = {}
        self._redirects: dict[str, str] = {}
        self._index: dict[tuple[str, str], set[str]] = defaultdict(set)  # (label, key) -> ids
        self._cores: dict[str, set[str]] = defaultdict(set)  # ORG key without completion words -> ids
        self._tokens: dict[str, set[str]] = defaultdict(set)  # person name token -> ids
        self._alias_anchor: dict[tuple[str, str], str] = {}
        self._alias_name: dict[str, str] = {}
        self._build_alias_table([*self.lexicon.aliases, *alias_table])
        for record in records:
            record = EntityRecord.from_dict(record.to_dict())
            self._records[record.id] = record
            for old in record.merged_ids:
                self._redirects[old] = record.id
            self._index_record(record)

    # ---- public

    def records(self) -> list[EntityRecord]:
        """The current records, sorted by id."""
        return [self._records[i] for i in sorted(self._records)]

    def record(self, entity_id: str) -> EntityRecord | None:
        return self._records.get(self.canonical_id(entity_id))

    def canonical_id(self, entity_id: str) -> str:
        """The id an entity has now (ids of merged records redirect to the survivor)."""
        seen = set()
        while entity_id in self._redirects and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self._redirects[entity_id]
        return entity_id

    @property
    def redirects(self) -> dict[str, str]:
        """Old id -> current id for every record merged into another."""
        return {old: self.canonical_id(old) for old in self._redirects}

    def resolve_document(self, doc_id: str, text: str, mentions: list[Mention], *,
                         seen_at: str) -> dict[tuple[int, int], str]:
        """Assign an entity id to every ORG/PERSON mention of one document, creating/updating
        records; return ``{(start, end): entity_id}``. Other labels (PERCENT) are skipped.
        Resolving a document again gives the same ids and does not count its mentions twice."""
        ms = sorted((m for m in mentions if m.label in RESOLVED_LABELS), key=lambda m: (m.start, m.end))
        clusters = self._link_document(doc_id, text, ms)
        result: dict[tuple[int, int], str] = {}
        touched: set[str] = set()
        for cluster in clusters:
            record = self._place(doc_id, cluster)
            fresh = doc_id not in record.documents or any(self.canonical_id(t) == record.id for t in touched)
            self._update(record, cluster, doc_id, seen_at, count=fresh)
            touched.add(record.id)
            for m in cluster.mentions:
                result[(m.start, m.end)] = record.id
        # a later cluster may have merged a record an earlier one was placed in
        return {span: self.canonical_id(i) for span, i in result.items()}

    # ---- alias table

    def _build_alias_table(self, entries: list[Mapping[str, Any]]) -> None:
        uf = _UnionFind(len(entries))
        owner: dict[tuple[str, str], int] = {}
        for i, entry in enumerate(entries):
            label = entry["label"]
            for name in [entry["name"], *entry.get("aliases", ())]:
                k = (label, entity_key(name, label, self.lexicon))
                if k in owner:
                    uf.union(owner[k], i)
                else:
                    owner[k] = i
        anchors: dict[int, str] = {}
        for i, entry in enumerate(entries):
            root = uf.find(i)
            candidate = "alias:" + entity_key(entry["name"], entry["label"], self.lexicon)
            if root not in anchors or candidate < anchors[root]:
                anchors[root] = candidate
        for i, entry in enumerate(entries):
            anchor = anchors[uf.find(i)]
            if anchor == "alias:" + entity_key(entry["name"], entry["label"], self.lexicon):
                self._alias_name.setdefault(f"{entry['label']}|{anchor}", entry["name"])
        for (label, key), i in owner.items():
            self._alias_anchor[(label, key)] = anchors[uf.find(i)]

    # ---- within a document

    def _link_document(self, doc_id: str, text: str, ms: list[Mention]) -> list[_Cluster]:
        lex = self.lexicon
        n = len(ms)
        uf = _UnionFind(n)
        keys = [entity_key(m.text, m.label, lex) for m in ms]
        declared: dict[int, set[str]] = defaultdict(set)

        def link_same(groups: dict[Any, list[int]]) -> None:
            for members in groups.values():
                for j in members[1:]:
                    uf.union(members[0], j)

        by_key: dict[Any, list[int]] = defaultdict(list)
        by_rule: dict[Any, list[int]] = defaultdict(list)
        by_alias: dict[Any, list[int]] = defaultdict(list)
        for i, m in enumerate(ms):
            by_key[(m.label, keys[i])].append(i)
            if m.rule and m.label in GAZETTEER_LABELS:
                by_rule[(m.label, m.rule)].append(i)
            anchor = self._alias_anchor.get((m.label, keys[i]))
            if anchor:
                by_alias[(m.label, anchor)].append(i)
        for groups in (by_key, by_rule, by_alias):
            link_same(groups)

        # bracketed names and acronyms right after a mention
        for i, m in enumerate(ms):
            declared[i].update(a for a in m.context_aliases if a.strip())
            after = _BRACKET_AFTER.match(text, m.end) if 0 <= m.end <= len(text) else None
            if after:
                inner = after.group(1)
                if (is_non_latin_name(inner) and not is_non_latin_name(m.text)) or (
                        is_acronym(inner) and acronym_matches(inner, m.text, lex)):
                    declared[i].add(inner)
        for i, m in enumerate(ms):
            for j in range(i + 1, n):
                b = ms[j]
                if b.start < m.end:
                    continue
                if b.label == m.label and _OPEN_BETWEEN.fullmatch(text[m.end:b.start]) and (
                        is_non_latin_name(b.text) != is_non_latin_name(m.text)
                        or (is_acronym(b.text) and acronym_matches(b.text, m.text, lex))
                        or (is_acronym(m.text) and acronym_matches(m.text, b.text, lex))):
                    uf.union(i, j)
                break  # only the next mention can be right after this one
        for i, aliases in declared.items():
            for alias in aliases:
                for j in by_key.get((ms[i].label, entity_key(alias, ms[i].label, lex)), ()):
                    uf.union(i, j)

        # nicknames introduced by a cue
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
                if _cue_attaches(between):
                    uf.union(i, j)
                    break

        self._link_short_forms(ms, keys, uf)

        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            groups[uf.find(i)].append(i)
        clusters = []
        for members in sorted(groups.values(), key=lambda g: g[0]):
            cluster_ms = [ms[i] for i in members]
            surfaces = {m.text for m in cluster_ms}
            for i in members:
                surfaces |= declared.get(i, set())
            clusters.append(_Cluster(label=cluster_ms[0].label, mentions=cluster_ms, surfaces=surfaces,
                                     rules={m.rule for m in cluster_ms
                                            if m.rule and m.label in GAZETTEER_LABELS}))
        return clusters

    def _link_short_forms(self, ms: list[Mention], keys: list[str], uf: _UnionFind) -> None:
        """Link short forms to the one longer name they are part of (never to two)."""
        lex = self.lexicon
        persons = [i for i, m in enumerate(ms) if m.label == "PERSON" and not _is_east_asian_name(m.text)]
        tokens = {i: frozenset(keys[i].split()) for i in persons}
        full = [i for i in persons if len(tokens[i]) >= 2]
        for i in sorted(persons, key=lambda i: (-len(tokens[i]), ms[i].start)):
            longer = [j for j in full if tokens[i] < tokens[j]]
            self._link_unique(i, longer, uf)
        orgs = [i for i, m in enumerate(ms) if m.label == "ORG" and not is_acronym(m.text)]
        words = {i: keys[i].split() for i in orgs}
        for i in sorted(orgs, key=lambda i: (-len(words[i]), ms[i].start)):
            w = words[i]
            longer = [j for j in orgs if len(words[j]) > len(w) and words[j][:len(w)] == w
                      and all(t in lex.completion_words for t in words[j][len(w):])]
            self._link_unique(i, longer, uf)

    @staticmethod
    def _link_unique(i: int, longer: list[int], uf: _UnionFind) -> None:
        roots = {uf.find(j) for j in longer}
        if not roots or uf.find(i) in roots:
            return  # no longer name, or already linked to one
        if len(roots) == 1:
            uf.union(i, roots.pop())
        # two or more: ambiguous, link to none

    # ---- across documents

    def _cluster_keys(self, cluster: _Cluster) -> tuple[set[str], set[str], set[str]]:
        """(cross-document name keys, anchors: alias-table entries and gazetteer ids, the keys
        that come from acronyms)."""
        keys, anchors, acronyms = set(), {"rule:" + r for r in cluster.rules}, set()
        for surface in cluster.surfaces:
            k = entity_key(surface, cluster.label, self.lexicon)
            anchor = self._alias_anchor.get((cluster.label, k))
            if anchor:
                anchors.add(anchor)
            if is_cross_document_name(surface, cluster.label, self.lexicon):
                keys.add(k)
                if is_acronym(surface):
                    acronyms.add(k)
        return keys, anchors, acronyms

    def _record_keys(self, record: EntityRecord) -> set[str]:
        keys = {"rule:" + r for r in record.rules}
        if record.key and _precedence(record.key) < 2:  # alias-table and gazetteer anchors
            keys.add(record.key)
        for alias in record.aliases:
            k = entity_key(alias, record.label, self.lexicon)
            anchor = self._alias_anchor.get((record.label, k))
            if anchor:
                keys.add(anchor)
            if is_cross_document_name(alias, record.label, self.lexicon):
                keys.add(k)
        return keys

    def _index_record(self, record: EntityRecord) -> None:
        for k in self._record_keys(record):
            self._index[(record.label, k)].add(record.id)
            if ":" in k:
                continue
            if record.label == "ORG":
                self._cores[_org_core(k, self.lexicon)].add(record.id)
            elif record.label == "PERSON" and len(k.split()) >= 2:
                for token in k.split():
                    self._tokens[token].add(record.id)

    def _unindex_record(self, record: EntityRecord) -> None:
        for k in self._record_keys(record):
            self._index[(record.label, k)].discard(record.id)
            self._cores.get(_org_core(k, self.lexicon), set()).discard(record.id)
            for token in k.split():
                self._tokens.get(token, set()).discard(record.id)

    def _place(self, doc_id: str, cluster: _Cluster) -> EntityRecord:
        """The record a document's cluster belongs to: found, merged or new."""
        label = cluster.label
        keys, anchors, acronyms = self._cluster_keys(cluster)
        hits: set[str] = set()
        for k in keys | anchors:
            ids = self._index.get((label, k))
            if ids and len(ids) == 1:  # a key two records share is ambiguous: not evidence
                hits |= ids
        if not hits:
            hits = self._near_hits(label, keys - acronyms)
        if hits:
            return self._merge(hits)
        key = self._anchor(doc_id, cluster, keys, anchors, acronyms)
        new_id = entity_id(label, key)
        existing = self._records.get(self.canonical_id(new_id))
        if existing is not None:
            return existing
        record = EntityRecord(id=new_id, label=label, name="", aliases=[], mention_count=0, documents=[],
                              first_seen=None, last_seen=None, key=key)
        self._records[new_id] = record
        return record

    def _near_hits(self, label: str, keys: set[str]) -> set[str]:
        """Records that share no exact key but one near key; empty unless exactly one."""
        found: set[str] = set()
        if label == "ORG":
            for k in keys:
                found |= self._cores.get(_org_core(k, self.lexicon), set())
        elif label == "PERSON":
            for k in keys:
                mine = frozenset(k.split())
                if len(mine) < 2:
                    continue
                shared = Counter(rid for t in mine for rid in self._tokens.get(t, ()))
                for rid in (rid for rid, n in shared.items() if n >= 2):
                    record = self._records.get(rid)
                    if record is None:
                        continue
                    for other in self._record_keys(record):
                        theirs = frozenset(other.split())
                        if ":" not in other and len(mine & theirs) >= 2 and (mine < theirs or theirs < mine):
                            found.add(rid)
                            break
        return found if len(found) == 1 else set()

    def _anchor(self, doc_id: str, cluster: _Cluster, keys: set[str], anchors: set[str],
                acronyms: set[str]) -> str:
        aliases = sorted(a for a in anchors if a.startswith("alias:"))
        if aliases:
            return aliases[0]
        if cluster.rules:
            return "rule:" + min(cluster.rules)
        if keys:
            if cluster.label == "PERSON":
                latin = [k for k in keys if not _is_east_asian_name(k)] or sorted(keys)
                return min(latin, key=lambda k: (-len(k.split()), k))
            cores = {_org_core(k, self.lexicon) for k in (keys - acronyms or keys)}
            return min(cores, key=lambda k: (len(k.split()), len(k), k))
        local = min(entity_key(s, cluster.label, self.lexicon) for s in cluster.surfaces)
        return f"doc:{doc_id}:{local}"

    def _merge(self, ids: set[str]) -> EntityRecord:
        records = [self._records[self.canonical_id(i)] for i in ids]
        records = list({r.id: r for r in records}.values())
        survivor = min(records, key=lambda r: (_precedence(r.key), r.id))
        for other in records:
            if other is survivor:
                continue
            self._unindex_record(other)
            survivor.aliases = sorted(set(survivor.aliases) | set(other.aliases))
            survivor.rules = sorted(set(survivor.rules) | set(other.rules))
            survivor.documents = sorted(set(survivor.documents) | set(other.documents))
            survivor.mention_count += other.mention_count
            survivor.first_seen = _earliest(survivor.first_seen, other.first_seen)
            survivor.last_seen = _latest(survivor.last_seen, other.last_seen)
            survivor.merged_ids = sorted(set(survivor.merged_ids) | {other.id} | set(other.merged_ids))
            survivor.name = self._best_name(survivor)
            for old in [other.id, *other.merged_ids]:
                self._redirects[old] = survivor.id
            del self._records[other.id]
            self._index_record(survivor)
        return survivor

    def _update(self, record: EntityRecord, cluster: _Cluster, doc_id: str, seen_at: str, *,
                count: bool) -> None:
        if count:
            record.mention_count += len(cluster.mentions)
        _insort_unique(record.documents, doc_id)
        record.first_seen = _earliest(record.first_seen, seen_at)
        record.last_seen = _latest(record.last_seen, seen_at)
        new_aliases = cluster.surfaces.difference(record.aliases)
        new_rules = cluster.rules.difference(record.rules)
        if new_aliases or new_rules or not record.name:  # keys only grow: index the new ones
            record.aliases = sorted(set(record.aliases) | new_aliases)
            record.rules = sorted(set(record.rules) | new_rules)
            record.name = self._best_name(record)
            self._index_record(record)

    def _best_name(self, record: EntityRecord) -> str:
        """The alias-table name when the entity is in the table, else the most complete form:
        Latin script, most words, longest, then the tightest spelling."""
        for k in self._record_keys(record):
            if k.startswith("alias:"):
                name = self._alias_name.get(f"{record.label}|{k}")
                if name:
                    return name
        if not record.aliases:
            return record.name

        def score(alias: str) -> tuple[Any, ...]:
            shown = normalise_text(alias)
            words = (len(person_tokens(alias, self.lexicon)) if record.label == "PERSON"
                     else len(shown.split()))
            latin = any(_is_latin(ch) for ch in alias)
            return (is_acronym(alias), not latin, -words, -len(shown), len(alias), alias)

        return min(record.aliases, key=score)


def _insort_unique(items: list[str], item: str) -> None:
    i = bisect_left(items, item)
    if i == len(items) or items[i] != item:
        items.insert(i, item)


def _earliest(a: str | None, b: str | None) -> str | None:
    return min((x for x in (a, b) if x), default=None)


def _latest(a: str | None, b: str | None) -> str | None:
    return max((x for x in (a, b) if x), default=None)
