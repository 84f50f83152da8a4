"""What the store knows: entities, claims grouped across sources, and counts.

Claims with the same ``claim_key`` (same type, same resolved entities, same normalised
content) are one claim reported by several sources; a query shows each once with all its
sources and how many distinct publishers report it. Newest first, undated claims last.

Dates are news dates: a claim's ``date`` field (its document's published date, written since
claims carry it), else, for claims stored before that, its document's ``source.published``
normalised (``pipeline/dates.py``); ``processed_at`` never dates a claim. Unknown is None.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..dates import DateBound, date_key, in_range, parse_bound, published_or_none
from .claim_store import ClaimStore
from .entity_lines import fold_into
from .versions import Versions, claim_fingerprint, current_entities

MENTION_SLOTS = ("actor", "subject", "person", "org")


# the fields queries read, and their types: a record that does not fit is skipped, not a crash
FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "documents": {"id": (str,), "path": (str,), "source": (dict,),
                  "processed_at": (str, type(None))},
    "source": {"publisher": (str, type(None)), "published": (str, type(None))},
    "claims": {"id": (str,), "type": (str,), "evidence": (dict,), "claim_key": (str, type(None)),
               "entity_id": (str, type(None)), "targets": (list, type(None)),
               "date": (str, type(None))},
    "evidence": {"doc_id": (str,), "text": (str,), "start": (int,), "end": (int,)},
    "entities": {"id": (str,), "label": (str,), "name": (str,), "aliases": (list,),
                 "mention_count": (int,), "documents": (list,), "merged_ids": (list,)},
}
NESTED = {"documents": "source", "claims": "evidence"}
OPTIONAL = {"source", "processed_at", "publisher", "published", "claim_key", "entity_id", "targets",
            "date", "aliases", "mention_count", "documents", "merged_ids"}


@dataclass
class StoreView:
    """The store's records in memory (document texts left out), and per store file how many
    lines were skipped: ``damaged`` (unreadable lines) and ``unfit`` (records whose fields do
    not have the types the queries need)."""

    documents: dict[str, dict[str, Any]]
    claims: list[dict[str, Any]]
    entities: dict[str, dict[str, Any]]
    damaged: dict[str, int] = field(default_factory=dict)
    unfit: dict[str, int] = field(default_factory=dict)


def fits(record: dict[str, Any], kind: str) -> bool:
    """Whether a record has the fields of ``kind`` that queries read, with their types."""
    for key, types in FIELDS[kind].items():
        if key not in record and key in OPTIONAL:
            continue
        if not isinstance(record.get(key), types) or isinstance(record.get(key), bool):
            return False
    nested = NESTED.get(kind)
    if nested and isinstance(record.get(nested), dict) and not fits(record[nested], nested):
        return False
    return kind != "entities" or all(isinstance(a, str) for a in record.get("aliases") or [])


def _fitting(store: ClaimStore, path: Path, kind: str, unfit: dict[str, int]
             ) -> Iterator[dict[str, Any]]:
    """The records of one store file that fit ``kind``; the others are counted."""
    unfit[path.name] = 0
    for record in store.iter_records(path):
        if fits(record, kind):
            yield record
        else:
            unfit[path.name] += 1


def load_view(root: str | Path) -> StoreView:
    """Read the store's current records into a view: the current version of each article and
    the claims of its current processing (see ``versions``), entities as those claims show
    them; damaged and unfit lines are skipped and counted."""
    store = ClaimStore(root)
    unfit: dict[str, int] = {}
    versions = Versions.from_records(_fitting(store, store.documents_path, "documents", unfit))
    documents = {doc_id: {k: v for k, v in record.items() if k != "_line"}
                 for doc_id, record in versions.current.items()}
    claims, stale = [], []  # committed claims of current processings; the others
    for claim in _fitting(store, store.claims_path, "claims", unfit):
        (claims if versions.is_current_claim(claim) else stale).append(claim)
    entities: dict[str, dict[str, Any]] = {}
    for record in _fitting(store, store.entities_path, "entities", unfit):
        fold_into(entities, record)  # an id's lines folded in order (``entity_lines``)
    # a record merged into another lives on under the survivor's id
    redirects = {old: e["id"] for e in entities.values() for old in e.get("merged_ids") or []
                 if isinstance(old, str)}
    for old in redirects:
        entities.pop(old, None)
    for claim in claims:
        for value in [claim, *claim.values()]:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and isinstance(item.get("entity_id"), str) \
                        and item["entity_id"] in redirects:
                    item["entity_id"] = redirects[item["entity_id"]]
    for claim in stale:
        if claim.get("entity_id") in redirects:
            claim["entity_id"] = redirects[claim["entity_id"]]
    dates = {d: (r.get("source") or {}).get("published") for d, r in documents.items()}
    mentions = [{**c, "current": True} for c in claims if c["type"] == "entity"]
    mentions += [{**c, "current": False} for c in stale if c["type"] == "entity"]
    entities = current_entities(entities, mentions, dates)
    return StoreView(documents, claims, entities, dict(store.damaged), unfit)


def article_history(root: str | Path, wanted: str) -> list[dict[str, Any]]:
    """The versions of one article (its URL, source key or path), oldest first: document id,
    path, processed_at, pipeline fingerprint, claim count, what it supersedes and whether it
    is current."""
    store = ClaimStore(root)
    unfit: dict[str, int] = {}
    versions = Versions.from_records(_fitting(store, store.documents_path, "documents", unfit))
    counts: Counter[tuple[str, str | None]] = Counter()
    lines = versions.history(wanted)
    wanted_ids = {r["id"] for r in lines}
    for claim in _fitting(store, store.claims_path, "claims", unfit):
        if claim["evidence"]["doc_id"] in wanted_ids:
            counts[claim["evidence"]["doc_id"], claim_fingerprint(claim)] += 1
    result = []
    for record in lines:
        fingerprint = (record.get("pipeline") or {}).get("fingerprint")
        result.append({
            "id": record["id"], "path": record.get("path"),
            "url": (record.get("source") or {}).get("url"),
            "processed_at": record.get("processed_at"), "fingerprint": fingerprint,
            "claims": record.get("claim_count", counts[record["id"], fingerprint]),
            "supersedes": record.get("supersedes"),
            "current": versions.current.get(record["id"], {}).get("_line") == record["_line"]})
    return result



def entity_ids_of(claim: dict[str, Any]) -> set[str]:
    """Ids of every entity a claim refers to."""
    ids = {claim["entity_id"]} if claim.get("entity_id") else set()
    mentions = [claim.get(s) for s in MENTION_SLOTS] + list(claim.get("targets") or [])
    ids.update(m["entity_id"] for m in mentions
               if isinstance(m, dict) and isinstance(m.get("entity_id"), str) and m["entity_id"])
    return ids


def find_entities(view: StoreView, *, label: str | None = None,
                  name: str | None = None) -> list[dict[str, Any]]:
    """Entities by label and by a case-insensitive part of their name or an alias."""
    needle = name.casefold() if name else None
    found = []
    for entity in view.entities.values():
        if label and entity["label"] != label:
            continue
        names = [entity["name"], *entity.get("aliases", [])]
        if needle and not any(needle in n.casefold() for n in names):
            continue
        found.append(entity)
    return sorted(found, key=lambda e: (-e.get("mention_count", 0), e["name"]))


@dataclass
class ClaimGroup:
    """One claim as reported by one or more sources."""

    key: str
    type: str
    claim: dict[str, Any]
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def date(self) -> str | None:
        """The latest news date among the sources, None when none is dated."""
        return latest_date(s["date"] for s in self.sources)

    @property
    def publishers(self) -> int:
        return len({s["publisher"] for s in self.sources if s.get("publisher")})

    def to_dict(self) -> dict[str, Any]:
        return {"claim_key": self.key, "type": self.type, "summary": describe(self.claim),
                "claim": self.claim, "date": self.date, "publishers": self.publishers,
                "sources": self.sources}


def claim_source(view: StoreView, claim: dict[str, Any]) -> dict[str, Any]:
    """Where a claim was reported: its document's path, URL, publisher, title and dates, and
    the evidence."""
    ev = claim["evidence"]
    doc = view.documents.get(ev["doc_id"], {})
    meta = doc.get("source", {})
    return {"doc_id": ev["doc_id"], "path": doc.get("path"), "url": meta.get("url"),
            "publisher": meta.get("publisher"), "title": meta.get("title"),
            "published": meta.get("published"), "date": claim_date(claim, doc),
            "evidence": ev["text"], "start": ev["start"], "end": ev["end"]}


def claim_date(claim: dict[str, Any], document: dict[str, Any]) -> str | None:
    """A claim's news date: its own ``date`` when it has the field, else (a claim stored before
    claims carried it) its document's published date; None when unknown."""
    if "date" in claim:
        return claim["date"]
    source = document.get("source")
    return published_or_none(source.get("published") if isinstance(source, dict) else None)


def _instant(value: str) -> datetime:
    """The sort key of a stored date (an unreadable one sorts as the oldest)."""
    return date_key(value) or datetime.min.replace(tzinfo=UTC)


def date_option(value: str | None, option: str) -> DateBound | None:
    """``--since``/``--until`` as a bound (None: not given); ``BadDate`` (a ``ValueError``)
    unless ``YYYY-MM-DD`` or a full ISO 8601 datetime."""
    return None if value is None else parse_bound(value, option)


def claim_groups(view: StoreView, *, entity: str | None = None, claim_type: str | None = None,
                 since: str | DateBound | None = None, until: str | DateBound | None = None
                 ) -> list[ClaimGroup]:
    """Claims grouped by claim key, filtered by entity name, type and news date (``since`` and
    ``until`` inclusive; a bound excludes undated claims; a group keeps the sources within the
    range); newest first, undated last. A string bound is parsed (``BadDate`` when invalid)."""
    low = date_option(since, "--since") if isinstance(since, str) else since
    high = date_option(until, "--until") if isinstance(until, str) else until
    wanted: set[str] | None = None
    if entity:
        wanted = {e["id"] for e in find_entities(view, name=entity)}
    groups: dict[str, ClaimGroup] = {}
    for claim in view.claims:
        if claim_type and claim["type"] != claim_type:
            continue
        if wanted is not None and not entity_ids_of(claim) & wanted:
            continue
        source = claim_source(view, claim)
        if not in_range(source["date"], low, high):
            continue
        key = claim.get("claim_key") or claim["id"]
        group = groups.setdefault(key, ClaimGroup(key, claim["type"], claim))
        group.sources.append(source)
    return [groups[key] for key in newest_first({k: g.date for k, g in groups.items()})]


def newest_first(dates: dict[str, str | None]) -> list[str]:
    """Group keys by their news date, newest first (ties by key, descending), undated last."""
    dated = sorted((k for k, d in dates.items() if d), reverse=True,
                   key=lambda k: (_instant(dates[k] or ""), k))
    return dated + sorted((k for k, d in dates.items() if not d), reverse=True)


def latest_date(dates: Iterable[str | None]) -> str | None:
    """The latest of some news dates (None: none is dated), as ``ClaimGroup.date`` reads them."""
    return max((d for d in dates if d), default=None, key=_instant)


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("text", "")
    return "" if value is None else str(value)


def describe(claim: dict[str, Any]) -> str:
    """A one-line human summary of a claim."""
    kind = claim["type"]
    if kind == "entity":
        return f"{claim.get('label')} {claim.get('text')}"
    if kind == "directive":
        targets = ", ".join(_name(t) for t in claim.get("targets") or [])
        return (f"{_name(claim.get('actor')) or '?'} → {claim.get('action')} "
                f"{targets} ({claim.get('status')})").strip()
    if kind == "percentage":
        parts = [_name(claim.get("subject")), claim.get("metric") or "", claim.get("qualifier")
                 or "", f"{claim.get('value')}%", claim.get("when") or ""]
        return " ".join(p for p in parts if p)
    if kind == "role":
        return f"{_name(claim.get('person'))}: {claim.get('role')} @ {_name(claim.get('org'))}"
    return claim["evidence"]["text"]


def store_stats(view: StoreView) -> dict[str, Any]:
    """Counts per document, entity label, claim type and publisher."""
    per_document = Counter(c["evidence"]["doc_id"] for c in view.claims)
    return {
        "documents": {view.documents[d]["path"] if d in view.documents else d: n
                      for d, n in per_document.most_common()},
        "entity_labels": dict(Counter(e["label"] for e in view.entities.values())),
        "claim_types": dict(Counter(c["type"] for c in view.claims)),
        "publishers": dict(Counter(d.get("source", {}).get("publisher") or "unknown"
                                   for d in view.documents.values())),
        "totals": {"documents": len(view.documents), "claims": len(view.claims),
                   "entities": len(view.entities)},
    }
