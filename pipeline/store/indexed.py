"""Queries answered through the store index: ``stats``, ``entities --name/--label`` and
``claims --entity`` without reading the whole store into memory.

Counts come from the index's tables; the records a result shows are read from the JSONL files
by byte offset. The answers are those of ``queries`` over ``load_view``: the same current
versions (per source key the last document line, claims of its fingerprint), the same
redirects of merged entities and recounts of entities superseded claims mention. When the
index cannot be used (the store folder is not writable) or the store has damaged lines or
records with wrong fields, these return None and the caller reads the files as before, so the
warnings about skipped lines stay the same.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..dates import in_range
from .claim_store import CLAIMS_FILE, ClaimStore
from .index import StoreIndex, entity_ids_of, read_at
from .queries import (
    ClaimGroup,
    StoreView,
    claim_source,
    date_option,
    find_entities,
    latest_date,
    newest_first,
    store_stats,
)
from .versions import current_entities


@contextmanager
def usable_index(root: str | Path) -> Iterator[StoreIndex | None]:
    """The fresh index of a clean store, else None (see the module docstring)."""
    index = ClaimStore(root).index()
    try:
        yield index if index is not None and index.clean() else None
    finally:
        if index is not None:
            index.close()


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _documents(index: StoreIndex, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The current records (no text) of these documents, in the order of ``Versions.current``."""
    rows: list[tuple[int, str]] = []
    for part in _chunks(sorted(set(ids))):
        marks = ",".join("?" * len(part))
        rows += index.db.execute(
            f"SELECT cur.first, d.record FROM current_docs cur JOIN documents d ON "  # noqa: S608
            f"d.offset = cur.offset WHERE cur.id IN ({marks})", part).fetchall()
    return {record["id"]: record for record in (json.loads(r) for _, r in sorted(rows))}


def _entities(index: StoreIndex, wanted: set[str] | None, label: str | None, name: str | None
              ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Entity records as ``load_view`` shows them, of those that may match ``label`` and a part
    of a name (all when ``wanted`` is None and no filter), and the redirects of merged ids."""
    redirects = index.redirects()
    needle = name.casefold() if name else None
    candidates: list[tuple[str, int]] = []
    query = "SELECT id, offset, label, names FROM entities"
    if needle:  # a cheap superset of the matches, checked name by name below
        rows = index.db.execute(query + " WHERE instr(folded, ?) ORDER BY first", (needle,))
    else:
        rows = index.db.execute(query + " ORDER BY first")
    for entity_id, offset, entity_label, names in rows:
        if entity_id in redirects or (label and entity_label != label):
            continue
        if needle and not any(needle in n.casefold() for n in json.loads(names)):
            continue
        if wanted is not None and entity_id not in wanted:
            continue
        candidates.append((entity_id, offset))
    records = dict.fromkeys(i for i, _ in candidates)
    records.update(index.entity_records(records))
    entities = {i: r for i, r in records.items() if r is not None}
    # recount the candidates superseded claims mention (see ``current_entities``)
    raw = set(entities) | {old for old, new in redirects.items() if new in entities}
    offsets: dict[int, bool] = {}
    for part in _chunks(sorted(raw)):
        marks = ",".join("?" * len(part))
        for offset, current in index.db.execute(
                f"SELECT c.offset, cur.id IS NOT NULL FROM claim_entities ce "  # noqa: S608
                f"JOIN claims c ON c.offset = ce.offset LEFT JOIN current_docs cur ON cur.id = "
                f"c.doc_id AND "
                f"cur.fingerprint IS c.fingerprint WHERE c.type = 'entity' AND ce.entity_id "
                f"IN ({marks})", part):
            offsets[offset] = bool(current)
    stale_ids = set()
    mentions: list[dict[str, Any]] = []
    if not all(offsets.values()):
        for offset, claim in read_at(index.root / "claims.jsonl", offsets):
            if claim.get("entity_id") in redirects:
                claim["entity_id"] = redirects[claim["entity_id"]]
            mentions.append({**claim, "current": offsets[offset]})
            if not offsets[offset]:
                stale_ids.add(claim.get("entity_id"))
        mentions = [m for m in mentions if m.get("entity_id") in stale_ids]
        docs = {m["evidence"]["doc_id"] for m in mentions if m["current"]}
        dates = {d: (r.get("source") or {}).get("published")
                 for d, r in _documents(index, docs).items()}
        entities = current_entities(entities, mentions, dates)
    return entities, redirects


def _mentioned_only_by_superseded(index: StoreIndex, redirects: dict[str, str]) -> set[str]:
    """Entities (after redirects) that superseded entity claims mention and no current one does
    (``store_stats`` leaves them out). Only the superseded claims are read, by offset: in a
    store without corrections that is none."""
    db = index.db
    offsets: list[int] = []
    for doc_id, fingerprint in db.execute(
            "SELECT doc_id, fingerprint FROM claim_counts WHERE type = 'entity' AND "
            "NOT is_current").fetchall():
        offsets += (o for (o,) in db.execute(
            "SELECT offset FROM claims WHERE doc_id = ? AND coalesce(fingerprint, '') = ? AND "
            "type = 'entity'", (doc_id, fingerprint)))
    stale = {redirects.get(e, e) for _, claim in read_at(index.root / "claims.jsonl", offsets)
             for e in entity_ids_of(claim)}
    merged_into: dict[str, list[str]] = {}
    for old, survivor in redirects.items():
        merged_into.setdefault(survivor, []).append(old)
    dropped = set()
    for entity_id in stale:
        raw = [entity_id, *merged_into.get(entity_id, [])]
        marks = ",".join("?" * len(raw))
        if db.execute(f"SELECT 1 FROM claim_entities ce JOIN claims c ON c.offset = ce.offset "  # noqa: S608
                      f"JOIN current_docs cur ON cur.id = c.doc_id AND cur.fingerprint IS "
                      f"c.fingerprint WHERE "
                      f"c.type = 'entity' AND ce.entity_id IN ({marks}) LIMIT 1", raw
                      ).fetchone() is None:
            dropped.add(entity_id)
    return dropped


def entities(root: str | Path, *, label: str | None = None, name: str | None = None
             ) -> list[dict[str, Any]] | None:
    """``find_entities`` through the index (None: read the files instead)."""
    with usable_index(root) as index:
        if index is None:
            return None
        found, _ = _entities(index, None, label, name)
        return find_entities(StoreView({}, [], found), label=label, name=name)


def claims(root: str | Path, *, entity: str, claim_type: str | None = None, since: Any = None,
           until: Any = None) -> Iterator[ClaimGroup] | None:
    """``claim_groups`` of the claims about ``entity`` through the index, in the same order: the
    claims that refer to a matching entity (or an id merged into one) are read by offset twice,
    once to group and date them (keeping their offsets only), then group by group as the
    groups are yielded, so memory follows the number of claims as integers, not as records."""
    low = date_option(since, "--since") if isinstance(since, str) else since
    high = date_option(until, "--until") if isinstance(until, str) else until
    with usable_index(root) as index:
        if index is None:
            return None
        found, redirects = _entities(index, None, None, entity)
        wanted = {e["id"] for e in find_entities(StoreView({}, [], found), name=entity)}
        del found
        raw = sorted(wanted | {old for old, new in redirects.items() if new in wanted})
        offsets: set[int] = set()
        doc_ids: set[str] = set()
        for part in _chunks(raw):
            marks = ",".join("?" * len(part))
            for offset, doc_id in index.db.execute(
                    f"SELECT DISTINCT c.offset, c.doc_id FROM claim_entities ce JOIN claims c ON "  # noqa: S608
                    f"c.offset = ce.offset JOIN current_docs cur ON cur.id = c.doc_id AND "
                    f"cur.fingerprint IS c.fingerprint WHERE ce.entity_id IN ({marks})", part):
                offsets.add(offset)
                doc_ids.add(doc_id)
        view = StoreView({i: _source_fields(d) for i, d in _documents(index, doc_ids).items()},
                         [], {})
        path = index.root / CLAIMS_FILE

    def wanted_claims(found: Iterable[tuple[int, dict[str, Any]]]
                      ) -> Iterator[tuple[int, dict[str, Any], dict[str, Any]]]:
        """(offset, claim, source) of the claims ``claim_groups`` keeps, in file order."""
        for offset, claim in found:
            _redirect(claim, redirects)
            if claim_type and claim["type"] != claim_type or not entity_ids_of(claim) & wanted:
                continue
            source = claim_source(view, claim)
            if in_range(source["date"], low, high):
                yield offset, claim, source

    members: dict[str, list[int]] = {}  # claim key -> offsets of its claims, in file order
    dates: dict[str, str | None] = {}
    for offset, claim, source in wanted_claims(read_at(path, offsets)):
        key = claim.get("claim_key") or claim["id"]
        members.setdefault(key, []).append(offset)
        dates[key] = latest_date([dates.get(key), source["date"]])
    return _groups(path, newest_first(dates), members, wanted_claims)


def _groups(path: Path, keys: list[str], members: dict[str, list[int]],
            wanted_claims: Callable[[Iterable[tuple[int, dict[str, Any]]]],
                                    Iterator[tuple[int, dict[str, Any], dict[str, Any]]]]
            ) -> Iterator[ClaimGroup]:
    """The groups in ``keys`` order, each read back from its claims' offsets."""
    for key in keys:
        group = None
        for _, claim, source in wanted_claims(read_at(path, members[key])):
            if group is None:
                group = ClaimGroup(key, claim["type"], claim)
            group.sources.append(source)
        if group is not None:  # the store is append-only: its lines stay where they were
            yield group


def _redirect(claim: dict[str, Any], redirects: dict[str, str]) -> None:
    """Point a claim's entity ids (its own and its slots') at the records they were merged into."""
    for value in [claim, *claim.values()]:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and isinstance(item.get("entity_id"), str) \
                    and item["entity_id"] in redirects:
                item["entity_id"] = redirects[item["entity_id"]]


def _source_fields(document: dict[str, Any]) -> dict[str, Any]:
    """What ``claim_source`` and ``claim_date`` read of a document record."""
    source = document.get("source")
    meta = source if isinstance(source, dict) else {}
    return {"path": document.get("path"),
            "source": {k: meta[k] for k in ("url", "publisher", "title", "published") if k in meta}}


def stats(root: str | Path) -> dict[str, Any] | None:
    """``store_stats`` from the index's tables (None: read the files instead)."""
    with usable_index(root) as index:
        if index is None:
            return None
        db = index.db
        # as Counter.most_common: by count, ties in the order claims come in the file; a
        # current count always has its current document (rows streamed, not fetched whole)
        documents = dict(db.execute(
            "SELECT cur.path, sum(cc.count) FROM claim_counts cc JOIN current_docs cur ON "
            "cur.id = cc.doc_id WHERE cc.is_current GROUP BY cc.doc_id ORDER BY sum(cc.count) "
            "DESC, min(cc.first)"))
        types = db.execute("SELECT type, sum(count) FROM claim_counts WHERE is_current GROUP BY "
                           "type ORDER BY min(first)").fetchall()
        claim_count = sum(n for _, n in types)  # documents may share a path: not from those
        # as Counter(publisher or "unknown") over the documents in file order
        publishers = dict(db.execute(
            "SELECT CASE WHEN publisher IS NULL OR publisher = '' THEN 'unknown' ELSE publisher "
            "END AS p, count(*) FROM current_docs GROUP BY p ORDER BY min(first)"))
        document_count = db.execute("SELECT count(*) FROM current_docs").fetchone()[0]
        redirects = index.redirects()
        dropped = _mentioned_only_by_superseded(index, redirects)
        labels: Counter[str] = Counter()
        entity_count = 0
        for entity_id, label in db.execute("SELECT id, label FROM entities ORDER BY first"):
            if entity_id in redirects or entity_id in dropped:
                continue
            labels[label] += 1
            entity_count += 1
        result = store_stats(StoreView({}, [], {}))
        result.update(
            documents=documents, entity_labels=dict(labels), claim_types=dict(types),
            publishers=publishers,
            totals={"documents": document_count, "claims": claim_count, "entities": entity_count})
        return result
