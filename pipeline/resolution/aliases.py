"""The alias table: entries of the lexicon and user alias files that say which names are one entity.
Entries that share a name key are one entity, anchored on the smallest ``alias:<key of a name>``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .document import UnionFind
from .names import NameLexicon, entity_key


class AliasTable:
    """(label, name key) -> alias anchor, and anchor -> the entry's name (the canonical name)."""

    def __init__(self, entries: Iterable[Mapping[str, Any]], lexicon: NameLexicon) -> None:
        self.anchors: dict[tuple[str, str], str] = {}  # (label, key) -> "alias:<key>"
        self.names: dict[str, str] = {}  # "<label>|alias:<key>" -> the entry's name
        entries = list(entries)
        uf = UnionFind(len(entries))
        owner: dict[tuple[str, str], int] = {}
        for i, entry in enumerate(entries):
            label = entry["label"]
            for name in [entry["name"], *entry.get("aliases", ())]:
                k = (label, entity_key(name, label, lexicon))
                if k in owner:
                    uf.union(owner[k], i)
                else:
                    owner[k] = i
        roots: dict[int, str] = {}
        for i, entry in enumerate(entries):
            root = uf.find(i)
            candidate = "alias:" + entity_key(entry["name"], entry["label"], lexicon)
            if root not in roots or candidate < roots[root]:
                roots[root] = candidate
        for i, entry in enumerate(entries):
            anchor = roots[uf.find(i)]
            if anchor == "alias:" + entity_key(entry["name"], entry["label"], lexicon):
                self.names.setdefault(f"{entry['label']}|{anchor}", entry["name"])
        for (label, key), i in owner.items():
            self.anchors[(label, key)] = roots[uf.find(i)]

    def anchor(self, label: str, key: str) -> str | None:
        """The alias anchor of a name key, if the table lists it."""
        return self.anchors.get((label, key))

    def name(self, label: str, anchor: str) -> str | None:
        """The table's name for an alias anchor."""
        return self.names.get(f"{label}|{anchor}")
