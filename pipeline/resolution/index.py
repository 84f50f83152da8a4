"""The store-wide record index: which records a document's cluster may join (``RecordIndex``).

Cross-document keys are the keys of every organisation surface form and of person forms with at
least two name tokens (or a name of two or more CJK characters): a lone surname never merges across
documents. Anchors (alias-table entries, gazetteer ids) are keys too. When nothing is shared
exactly, a person near-matches the only record whose name tokens are a subset or superset of its
own (with at least two tokens in common: "Trudy Dai" and "Trudy Dai Shan"), and an organisation the
only record with the same key after trailing completion words are dropped ("Cisco" and "Cisco
Systems"). Two candidates means no match. Labels never mix.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from .aliases import AliasTable
from .document import Cluster
from .names import EntityRecord, NameLexicon, _org_core, entity_key, is_acronym, is_cross_document_name

_PRECEDENCE = {"alias": 0, "rule": 1, "doc": 3}


def precedence(key: str) -> int:
    """How strong an anchor key is: alias-table 0, gazetteer 1, name key 2, document-scoped 3."""
    return _PRECEDENCE.get(key.split(":", 1)[0], 2) if ":" in key else 2


class ClusterKeys(NamedTuple):
    """What a cluster is looked up by: cross-document name keys, anchors, keys from acronyms."""

    names: set[str]
    anchors: set[str]
    acronyms: set[str]


class RecordIndex:
    """Records by cross-document key, by organisation core and by person name token."""

    def __init__(self, lexicon: NameLexicon, aliases: AliasTable) -> None:
        self.lexicon = lexicon
        self.aliases = aliases
        self._records: dict[str, EntityRecord] = {}  # the indexed records, for near-hit checks
        self._keys: dict[tuple[str, str], set[str]] = defaultdict(set)  # (label, key) -> ids
        self._cores: dict[str, set[str]] = defaultdict(set)  # ORG key without completion words -> ids
        self._tokens: dict[str, set[str]] = defaultdict(set)  # person name token -> ids

    def cluster_keys(self, cluster: Cluster) -> ClusterKeys:
        """The keys a document's cluster is looked up by."""
        keys, anchors, acronyms = set(), {"rule:" + r for r in cluster.rules}, set()
        for surface in cluster.surfaces:
            k = entity_key(surface, cluster.label, self.lexicon)
            anchor = self.aliases.anchor(cluster.label, k)
            if anchor:
                anchors.add(anchor)
            if is_cross_document_name(surface, cluster.label, self.lexicon):
                keys.add(k)
                if is_acronym(surface):
                    acronyms.add(k)
        return ClusterKeys(keys, anchors, acronyms)

    def record_keys(self, record: EntityRecord) -> set[str]:
        """The keys a record is indexed under: gazetteer ids, a strong anchor, alias-table entries
        and the cross-document keys of its aliases."""
        keys = {"rule:" + r for r in record.rules}
        if record.key and precedence(record.key) < 2:  # alias-table and gazetteer anchors
            keys.add(record.key)
        for alias in record.aliases:
            k = entity_key(alias, record.label, self.lexicon)
            anchor = self.aliases.anchor(record.label, k)
            if anchor:
                keys.add(anchor)
            if is_cross_document_name(alias, record.label, self.lexicon):
                keys.add(k)
        return keys

    def add(self, record: EntityRecord) -> None:
        """Index a record under its current keys (again after it grew: keys only grow)."""
        self._records[record.id] = record
        for k in self.record_keys(record):
            self._keys[(record.label, k)].add(record.id)
            if ":" in k:
                continue
            if record.label == "ORG":
                self._cores[_org_core(k, self.lexicon)].add(record.id)
            elif record.label == "PERSON" and len(k.split()) >= 2:
                for token in k.split():
                    self._tokens[token].add(record.id)

    def remove(self, record: EntityRecord) -> None:
        """Drop a record from the index (it was merged into another)."""
        self._records.pop(record.id, None)
        for k in self.record_keys(record):
            self._keys[(record.label, k)].discard(record.id)
            self._cores.get(_org_core(k, self.lexicon), set()).discard(record.id)
            for token in k.split():
                self._tokens.get(token, set()).discard(record.id)

    def exact_hits(self, label: str, keys: Iterable[str]) -> set[str]:
        """Records that own one of these keys alone (a key two records share is not evidence)."""
        hits: set[str] = set()
        for k in keys:
            ids = self._keys.get((label, k))
            if ids and len(ids) == 1:
                hits |= ids
        return hits

    def near_hits(self, label: str, keys: Iterable[str]) -> set[str]:
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
                    for other in self.record_keys(record):
                        theirs = frozenset(other.split())
                        if ":" not in other and len(mine & theirs) >= 2 and (mine < theirs or theirs < mine):
                            found.add(rid)
                            break
        return found if len(found) == 1 else set()
