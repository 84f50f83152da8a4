"""Entity resolution: which ORG and PERSON mentions name the same real-world entity.

Pure functions over plain data (no spaCy): the extractor turns ``doc.ents`` into ``Mention``s and
calls ``EntityResolver.resolve_document`` once per new document; the resolver starts from the
``EntityRecord``s already in the store and returns ``{(start, end): entity_id}``.

``document.cluster_document`` groups one document's mentions (same key, gazetteer id, alias-table
entry, bracketed name or acronym, nickname cue, unambiguous short form). Unresolved lone names
with the same text in a document form one document-scoped entity (its id includes the document
id, it never merges across documents).

Across documents, ``index.RecordIndex`` finds the record a cluster shares a gazetteer id, an
alias-table entry or a cross-document key with, else the only near match. If a cluster shares
exact keys with two records, they are merged: the survivor keeps its id and lists the other in
``merged_ids``.

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

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..dates import date_key
from .aliases import AliasTable
from .document import Cluster, cluster_document
from .index import ClusterKeys, RecordIndex, precedence
from .names import (
    EntityRecord,
    LexiconLike,
    Mention,
    NameLexicon,
    _as_lexicon,
    _is_east_asian_name,
    _is_latin,
    _org_core,
    entity_id,
    entity_key,
    is_acronym,
    normalise_text,
    person_tokens,
)

# ``loader(lookup_keys, ids)``: the stored records that have any of these lookup keys (see
# ``pipeline.store.index.lookup_keys``) or ids; ``T:<tokens>`` asks for the records with at
# least two of these person name tokens (the only ones a near hit can be)
RecordLoader = Callable[[set[str], set[str]], Iterable[EntityRecord]]


class EntityResolver:
    """Assigns entity ids to mentions document by document, keeping one record per entity.

    Records come either all at once (``records``) or, with ``loader``, on demand: before a
    document is resolved, the stored records that share a lookup key with its clusters (a name
    key, an anchor, a gazetteer id, an organisation core, a person name token) or have the id a
    new record would get are loaded. Those are every record ``RecordIndex`` could find for the
    document, so the ids are the same as with every record loaded; ``redirects`` (old id ->
    survivor, of every stored merge) must then be given whole."""

    def __init__(self, records: Iterable[EntityRecord] = (), *, alias_table: Iterable[Mapping[str, Any]] = (),
                 lexicon: LexiconLike = None, loader: RecordLoader | None = None,
                 redirects: Mapping[str, str] | None = None) -> None:
        self.lexicon = _as_lexicon(lexicon)
        self.aliases = AliasTable([*self.lexicon.aliases, *alias_table], self.lexicon)
        self.index = RecordIndex(self.lexicon, self.aliases)
        self._records: dict[str, EntityRecord] = {}
        self._redirects: dict[str, str] = dict(redirects or {})
        self._loader = loader
        self._loaded: set[str] = set()  # ids ever held (a record merged away is not loaded again)
        self._alias_keys: dict[tuple[str, str], set[str]] = defaultdict(set)  # anchor -> name keys
        for (label, key), anchor in self.aliases.anchors.items():
            self._alias_keys[(label, anchor)].add(key)
        for record in records:
            self._take(EntityRecord.from_dict(record.to_dict()))

    def _take(self, record: EntityRecord) -> None:
        self._records[record.id] = record
        self._loaded.add(record.id)
        for old in record.merged_ids:
            self._redirects[old] = record.id
        self.index.add(record)

    def _load_for(self, doc_id: str, clusters: list[Cluster]) -> None:
        """Load the stored records any of a document's clusters could be placed in (and the
        records those redirect to)."""
        if self._loader is None:
            return
        keys: set[str] = set()
        ids: set[str] = set()
        for cluster in clusters:
            found = self.index.cluster_keys(cluster)
            for k in found.names:
                keys.add("k:" + k)
                if cluster.label == "ORG":
                    keys.add("c:" + _org_core(k, self.lexicon))
                elif cluster.label == "PERSON" and len(set(k.split())) >= 2:
                    keys.add("T:" + " ".join(sorted(set(k.split()))))  # records with 2 of these
            for anchor in found.anchors:
                keys.add("a:" + anchor)
                if anchor.startswith("rule:"):
                    keys.add("r:" + anchor[5:])
                keys.update("k:" + k for k in self._alias_keys.get((cluster.label, anchor), ()))
            new_id = entity_id(cluster.label, anchor_key(doc_id, cluster, found, self.lexicon))
            ids.update((new_id, self.canonical_id(new_id)))
        while keys or ids:
            fresh = [r for r in self._loader(keys, ids - self._loaded) if r.id not in self._loaded]
            for record in fresh:
                self._take(record)
            keys = set()
            ids = {self.canonical_id(r.id) for r in fresh} - self._loaded

    # ---- public

    def release(self) -> None:
        """Drop the records held (with a loader: they are stored and load again by key), so a
        long run's memory follows the documents at hand, not every entity it met. Ids merged
        away while held stay known, so they are not loaded again."""
        if self._loader is None:
            return
        self._loaded.difference_update(self._records)
        self._records.clear()
        self.index = RecordIndex(self.lexicon, self.aliases)

    def records(self) -> list[EntityRecord]:
        """The current records, sorted by id."""
        return [self._records[i] for i in sorted(self._records)]

    def record(self, entity_id: str) -> EntityRecord | None:
        """The current record of an id (after redirects), if any."""
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
                         seen_at: str | None) -> dict[tuple[int, int], str]:
        """Assign an entity id to every ORG/PERSON mention of one document, creating/updating
        records; return ``{(start, end): entity_id}``. Other labels (PERCENT) are skipped.
        ``seen_at`` is the document's published date (None: undated, leaves first/last seen).
        Resolving a document again gives the same ids and does not count its mentions twice."""
        clusters = cluster_document(text, mentions, lexicon=self.lexicon, alias_anchors=self.aliases.anchors)
        self._load_for(doc_id, clusters)
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

    # ---- placing a cluster

    def _place(self, doc_id: str, cluster: Cluster) -> EntityRecord:
        """The record a document's cluster belongs to: found, merged or new."""
        keys = self.index.cluster_keys(cluster)
        hits = (self.index.exact_hits(cluster.label, keys.names | keys.anchors)
                or self.index.near_hits(cluster.label, keys.names - keys.acronyms))
        if hits:
            return self._merge(hits)
        key = anchor_key(doc_id, cluster, keys, self.lexicon)
        new_id = entity_id(cluster.label, key)
        existing = self._records.get(self.canonical_id(new_id))
        if existing is not None:
            return existing
        record = EntityRecord(id=new_id, label=cluster.label, name="", aliases=[], mention_count=0,
                              documents=[], first_seen=None, last_seen=None, key=key)
        self._records[new_id] = record
        self._loaded.add(new_id)
        return record

    def _merge(self, ids: set[str]) -> EntityRecord:
        """Merge records into the one with the strongest anchor; the others redirect to it."""
        records = [self._records[self.canonical_id(i)] for i in ids]
        records = list({r.id: r for r in records}.values())
        survivor = min(records, key=lambda r: (precedence(r.key), r.id))
        for other in records:
            if other is survivor:
                continue
            self.index.remove(other)
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
            self.index.add(survivor)
        return survivor

    def _update(self, record: EntityRecord, cluster: Cluster, doc_id: str, seen_at: str | None, *,
                count: bool) -> None:
        """Add one document's cluster to its record: counts, times, aliases, rules, name."""
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
            self.index.add(record)

    def _best_name(self, record: EntityRecord) -> str:
        """The alias-table name when the entity is in the table, else ``best_form``."""
        for k in self.index.record_keys(record):
            if k.startswith("alias:"):
                name = self.aliases.name(record.label, k)
                if name:
                    return name
        return best_form(record, self.lexicon)


def anchor_key(doc_id: str, cluster: Cluster, keys: ClusterKeys, lexicon: NameLexicon) -> str:
    """The key a new record's id derives from: an alias-table entry, else a gazetteer id, else a
    name key (ORG: the shortest core; PERSON: most tokens), else ``doc:<doc id>:<key>``."""
    aliases = sorted(a for a in keys.anchors if a.startswith("alias:"))
    if aliases:
        return aliases[0]
    if cluster.rules:
        return "rule:" + min(cluster.rules)
    if keys.names:
        if cluster.label == "PERSON":
            latin = [k for k in keys.names if not _is_east_asian_name(k)] or sorted(keys.names)
            return min(latin, key=lambda k: (-len(k.split()), k))
        cores = {_org_core(k, lexicon) for k in (keys.names - keys.acronyms or keys.names)}
        return min(cores, key=lambda k: (len(k.split()), len(k), k))
    local = min(entity_key(s, cluster.label, lexicon) for s in cluster.surfaces)
    return f"doc:{doc_id}:{local}"


def best_form(record: EntityRecord, lexicon: NameLexicon) -> str:
    """The most complete of a record's aliases: Latin script, most words, longest, then the
    tightest spelling (its current name when it has no aliases)."""
    if not record.aliases:
        return record.name

    def score(alias: str) -> tuple[Any, ...]:
        shown = normalise_text(alias)
        words = len(person_tokens(alias, lexicon)) if record.label == "PERSON" else len(shown.split())
        latin = any(_is_latin(ch) for ch in alias)
        return (is_acronym(alias), not latin, -words, -len(shown), len(alias), alias)

    return min(record.aliases, key=score)


def _insort_unique(items: list[str], item: str) -> None:
    i = bisect_left(items, item)
    if i == len(items) or items[i] != item:
        items.insert(i, item)


def _earliest(a: str | None, b: str | None) -> str | None:
    """The earlier of two dates, by instant (offsets differ); an unreadable one loses."""
    return min((x for x in (a, b) if x), default=None,
               key=lambda x: date_key(x) or datetime.max.replace(tzinfo=UTC))


def _latest(a: str | None, b: str | None) -> str | None:
    """The later of two dates, by instant; an unreadable one loses."""
    return max((x for x in (a, b) if x), default=None,
               key=lambda x: date_key(x) or datetime.min.replace(tzinfo=UTC))
