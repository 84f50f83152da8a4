"""Entity lines as versions or deltas, so no line grows with an entity's history.

A run used to append each touched entity whole, with every alias and document id it had ever
gathered: the lines a run wrote grew with the store. Now a run appends, for an entity the store
already holds, a **delta**: ``"delta": true``, the current scalars (label, name, key, counts,
first and last seen) and, in ``aliases``, ``documents``, ``rules`` and ``merged_ids``, only what
this run added. A line without ``delta`` is a whole version (a new entity, a record whose lists
lost items or whose label or key changed, or a compacted file) and replaces what came before.
Every reader folds an id's lines in file order (``fold``); ``newsclaims compact`` writes the
folded records back, one whole line per entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SORTED_LISTS = ("aliases", "documents", "rules")  # sorted and unique in a record
ORDERED_LISTS = ("merged_ids",)  # kept in the order they were added
REPLACING = ("label", "key")  # a change of these is written as a whole version


def is_delta(record: Mapping[str, Any]) -> bool:
    return record.get("delta") is True


def fold(base: Mapping[str, Any] | None, line: Mapping[str, Any]) -> dict[str, Any]:
    """The record an id has after ``line``: the line itself when it is a whole version (or
    nothing came before it), else ``base`` with the line's scalars and its list items added."""
    if base is None or not is_delta(line):
        return {k: v for k, v in line.items() if k != "delta"}
    folded = dict(base)
    for key, value in line.items():
        if key == "delta":
            continue
        if key in SORTED_LISTS:
            folded[key] = sorted(set(_items(base.get(key))) | set(_items(value)))
        elif key in ORDERED_LISTS:
            known = _items(base.get(key))
            folded[key] = known + [v for v in _items(value) if v not in known]
        else:
            folded[key] = value
    return folded


def fold_into(records: dict[str, dict[str, Any]], line: Mapping[str, Any]) -> None:
    """Fold one line into ``records`` (by id; a new id keeps the place of its first line)."""
    records[line["id"]] = fold(records.get(line["id"]), line)


def fold_lines(lines: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every id's record after all its lines, in the order of the ids' first lines."""
    records: dict[str, dict[str, Any]] = {}
    for line in lines:
        fold_into(records, line)
    return records


def delta(stored: Mapping[str, Any] | None, current: Mapping[str, Any]) -> dict[str, Any]:
    """The line that takes ``stored`` (what the store's lines fold to; None: nothing) to
    ``current``: a delta when only lists grew, else ``current`` whole."""
    if stored is None or any(stored.get(k) != current.get(k) for k in REPLACING):
        return dict(current)
    line: dict[str, Any] = {"id": current["id"], "delta": True}
    for key, value in current.items():
        if key == "id":
            continue
        if key in SORTED_LISTS or key in ORDERED_LISTS:
            old = set(_items(stored.get(key)))
            new = _items(value)
            if not old <= set(new):
                return dict(current)  # an item went: only a whole version says so
            line[key] = [v for v in new if v not in old]
        else:
            line[key] = value
    if fold(stored, line) != {k: v for k, v in current.items()}:
        return dict(current)  # anything the fold would not rebuild exactly
    return line


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []
