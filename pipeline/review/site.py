"""The review site of a store: one page per selected document, one per entity, and an index.

Pages are static and self-contained (CSS and script inline, no network, they work from
``file://``); a Content-Security-Policy lets only the page's own script run, and every text from
the store is HTML-escaped (Jinja2 autoescape; displaCy escapes the text it draws). The site is
written into a staging folder and swapped in whole, so a failed run leaves the old site.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..dates import in_range
from ..store.claim_store import ClaimStore
from ..store.queries import (
    StoreView,
    claim_date,
    date_option,
    describe,
    entity_ids_of,
    find_entities,
    load_view,
    newest_first,
)
from .charts import bar_chart, day_chart
from .errors import ReviewError
from .render import Mark, TokenRange, entity_view, span_view

TEMPLATES = Path(__file__).parent / "templates"
MARKER = ".newsclaims-review"  # a folder holding this file is a review site ``review`` may replace
CLAIM_TYPES = ("directive", "role", "percentage", "entity")
SLOTS = {
    "directive": ("actor", "targets", "action", "status", "from", "to", "cue"),
    "percentage": ("subject", "metric", "value", "qualifier", "range", "when", "direction",
                   "from", "to"),
    "role": ("person", "role", "role_text", "org"),
    "entity": ("label", "text", "entity"),
}
TOP_ENTITIES = 25
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")


@dataclass
class ReviewSummary:
    """What ``write_review`` wrote."""

    out: Path
    documents: int = 0
    entities: int = 0
    claims: int = 0
    pages: list[Path] = field(default_factory=list)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the review pages (autoescape on, unknown names are errors)."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                       undefined=StrictUndefined, keep_trailing_newline=True)


@lru_cache(maxsize=1)
def page_assets() -> dict[str, Any]:
    """The inline CSS and script of every page and the CSP hash that lets only that script run."""
    js = (TEMPLATES / "review.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    return {"css": Markup((TEMPLATES / "review.css").read_text(encoding="utf-8")), "js": Markup(js),
            "script_hash": f"sha256-{digest}"}


def render_page(template: str, **values: Any) -> str:
    """One page from its template with the shared assets."""
    return environment().get_template(template).render(**page_assets(), **values)


def page_name(identifier: str) -> str:
    """A file name for a record id: the id itself when it is a plain name, else its hash (a
    hostile id cannot reach outside the site)."""
    if _SAFE_NAME.fullmatch(identifier):
        return identifier
    return hashlib.sha1(identifier.encode("utf-8", "surrogatepass")).hexdigest()


def safe_url(value: Any) -> str | None:
    """An http(s) link from a document's metadata; anything else (``javascript:``) is none."""
    if isinstance(value, str) and re.match(r"https?://", value.strip(), re.IGNORECASE):
        return value.strip()
    return None


# ---- claims as the pages show them

def format_value(value: Any) -> str:
    """A slot's plain value as text: numbers without a trailing ``.0``."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def slot_parts(claim: Mapping[str, Any], slot: str,
               entity_href: Callable[[str | None], str | None]) -> list[dict[str, Any]]:
    """The pieces of one slot: a mention's text (linked to its entity page), each target, or a
    plain value; empty when the slot has no value."""
    if slot == "entity":
        entity_id = claim.get("entity_id")
        return [{"text": entity_id, "href": entity_href(entity_id)}] if entity_id else []
    value = claim.get(slot)
    items = value if isinstance(value, list) else [value]
    parts = []
    for item in items:
        if isinstance(item, dict):
            text = item.get("text")
            if text:
                parts.append({"text": str(text), "href": entity_href(item.get("entity_id"))})
        elif item is not None and item != "":
            parts.append({"text": format_value(item), "href": None})
    return parts


def claim_item(claim: Mapping[str, Any], entity_href: Callable[[str | None], str | None], *,
               tokens: TokenRange | None = None, status: str = "", gold: bool = False,
               date: str | None = None, slot_errors: Mapping[str, Any] | None = None,
               slots: Iterable[str] | None = None) -> dict[str, Any]:
    """What the claim list shows of one claim: id, type, summary, slots, rule, score, evidence;
    in an evaluation, its status and, per slot in error, the gold value."""
    provenance = claim.get("provenance") or {}
    score = provenance.get("score")
    errors = slot_errors or {}
    names = slots if slots is not None else SLOTS.get(claim["type"], ())
    return {
        "id": claim["id"], "type": claim["type"], "summary": describe(dict(claim)),
        "tokens": tokens, "status": status, "gold": gold, "date": date,
        "rule": provenance.get("rule"), "stage": provenance.get("stage"),
        "score": "—" if not isinstance(score, int | float) else f"{score:.2f}",
        "evidence": claim["evidence"]["text"],
        "slots": [{"name": name, "parts": slot_parts(claim, name, entity_href),
                   "error": name in errors, "gold": errors.get(name)} for name in names],
    }


# ---- what the filters select

@dataclass
class Selection:
    """The documents (in store order), the claims each page lists, and the entities given a
    page."""

    documents: list[str]
    claims: dict[str, list[dict[str, Any]]]
    entity_claims: dict[str, list[dict[str, Any]]]
    entities: list[str]
    filters: str = ""


def select(view: StoreView, *, entity: str | None = None, claim_type: str | None = None,
           since: str | None = None) -> Selection:
    """The documents with a claim that passes every filter (about ``entity`` by a part of its
    name or alias, of ``claim_type``, news-dated on or after ``since``); their pages list their
    claims of ``claim_type`` (all claims without it) and draw all their entities. Entities
    get a page when ``entity`` names them, else when a listed claim mentions them."""
    if claim_type is not None and claim_type not in CLAIM_TYPES:
        raise ReviewError(f"--type {claim_type!r}: expected one of {', '.join(CLAIM_TYPES)}")
    low = date_option(since, "--since")
    wanted = {e["id"] for e in find_entities(view, name=entity)} if entity else None
    chosen: dict[str, None] = {}
    for claim in view.claims:
        doc_id = claim["evidence"]["doc_id"]
        if doc_id in chosen or doc_id not in view.documents:
            continue
        if claim_type and claim["type"] != claim_type:
            continue
        if wanted is not None and not entity_ids_of(claim) & wanted:
            continue
        if low is not None and not in_range(claim_date(claim, view.documents[doc_id]), low, None):
            continue
        chosen[doc_id] = None
    listed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    entity_claims: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in view.claims:
        doc_id = claim["evidence"]["doc_id"]
        if doc_id not in chosen:
            continue
        if claim["type"] == "entity":
            entity_claims[doc_id].append(claim)
        if not claim_type or claim["type"] == claim_type:
            listed[doc_id].append(claim)
    if wanted is not None:
        entities = [e for e in wanted if e in view.entities]
    else:
        mentioned = {e for claims in listed.values() for c in claims for e in entity_ids_of(c)}
        entities = [e for e in view.entities if e in mentioned]
    filters = ", ".join(f"{name} {value}" for name, value in (
        ("--entity", entity), ("--type", claim_type), ("--since", since)) if value)
    return Selection(list(chosen), dict(listed), dict(entity_claims), sorted(entities), filters)


def document_texts(store: ClaimStore, wanted: Iterable[str]) -> dict[str, str]:
    """The stored text of each wanted document id (one pass over the documents file; a
    document id is its text's hash, so every line of an id holds the same text)."""
    wanted = set(wanted)
    texts: dict[str, str] = {}
    for record in store.iter_records(store.documents_path):
        doc_id = record.get("id")
        if doc_id in wanted and doc_id not in texts and isinstance(record.get("text"), str):
            texts[doc_id] = record["text"]
    return texts


def document_title(document: Mapping[str, Any], text: str) -> str:
    """A document's title: its metadata's, else its first non-blank line (cut at 120
    characters), else its path."""
    source = document.get("source") or {}
    title = source.get("title") if isinstance(source, dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:120]
    return str(document.get("path") or document.get("id"))


# ---- writing

def write_review(store_dir: str | Path, out: str | Path | None = None, *, entity: str | None = None,
                 claim_type: str | None = None, since: str | None = None) -> ReviewSummary:
    """Write the review site of the store at ``store_dir`` into ``out`` (default
    ``store_dir/review``), replacing an earlier review site there; ``ReviewError`` when ``out``
    is something else that is not empty."""
    store_dir = Path(store_dir)
    out = Path(out) if out is not None else store_dir / "review"
    check_out(out)
    view = load_view(store_dir)
    selection = select(view, entity=entity, claim_type=claim_type, since=since)
    texts = document_texts(ClaimStore(store_dir), selection.documents)
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "documents").mkdir(parents=True)
    (staging / "entities").mkdir()
    try:
        summary = _write_site(view, selection, texts, staging, store_dir)
        (staging / MARKER).write_text("a newsclaims review site: `newsclaims review` replaces it\n",
                                      encoding="utf-8")
        swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    summary.out = out
    summary.pages = [out / p.relative_to(staging) for p in summary.pages]
    return summary


def check_out(out: Path) -> None:
    """Refuse an --out that exists and is not an empty folder or an earlier review site."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ReviewError(f"{out}: not a folder; --out names the folder the review is written to")
    if not (out / MARKER).exists() and any(out.iterdir()):
        raise ReviewError(f"{out}: a folder that is not a review site (no {MARKER}); "
                          "choose a new or empty folder")


def swap_in(staging: Path, out: Path) -> None:
    """Put the staged site where the old one was, then delete the old one."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _write_site(view: StoreView, selection: Selection, texts: Mapping[str, str], root: Path,
                store_dir: Path) -> ReviewSummary:
    summary = ReviewSummary(out=root)
    paged_entities = set(selection.entities)

    def from_pages(entity_id: str | None) -> str | None:
        """The link from a page one folder down to an entity's page, when it has one."""
        return f"../entities/{page_name(entity_id)}.html" \
            if entity_id and entity_id in paged_entities else None

    doc_rows = []
    type_counts: Counter[str] = Counter()
    day_counts: Counter[str] = Counter()
    publisher_counts: Counter[str] = Counter()
    for doc_id in selection.documents:
        document = view.documents[doc_id]
        text = texts.get(doc_id)
        if text is None:
            continue  # a document line without its text: nothing to draw
        claims = sorted(selection.claims.get(doc_id, []),
                        key=lambda c: (CLAIM_TYPES.index(c["type"]) if c["type"] in CLAIM_TYPES
                                       else len(CLAIM_TYPES), c["evidence"]["start"]))
        drawn = [c for c in claims if c["type"] != "entity"]
        spans, ranges = span_view(text, drawn)
        entities = selection.entity_claims.get(doc_id, [])
        marks = [Mark(c["evidence"]["start"], c["evidence"]["end"], str(c.get("label") or "?"),
                      c["id"], href=from_pages(c.get("entity_id"))) for c in entities]
        source = document.get("source") or {}
        meta = {"id": doc_id, "path": document.get("path"), "publisher": source.get("publisher"),
                "published": source.get("published"), "url": safe_url(source.get("url")),
                "title": document_title(document, text)}
        items = [claim_item(c, from_pages, tokens=ranges.get(c["id"]),
                            date=claim_date(c, document)) for c in claims]
        page = root / "documents" / f"{page_name(doc_id)}.html"
        page.write_text(render_page(
            "document.html", title=meta["title"], root="../", store=str(store_dir), doc=meta,
            claims=items, spans=len(ranges), entities=len(entities), span_markup=spans,
            entity_markup=entity_view(text, marks)), encoding="utf-8")
        summary.pages.append(page)
        summary.documents += 1
        summary.claims += len(items)
        counts = Counter(c["type"] for c in claims)
        type_counts.update(counts)
        publisher_counts[meta["publisher"] or "unknown"] += 1
        day_counts.update(item["date"][:10] for item in items if item["date"])
        doc_rows.append({**meta, "href": f"documents/{page_name(doc_id)}.html", "counts": counts,
                         "total": len(claims)})
    written_docs = {row["id"] for row in doc_rows}
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in view.claims:
        for entity_id in entity_ids_of(claim):
            if entity_id in paged_entities:
                mentions[entity_id].append(claim)
    for entity_id in selection.entities:
        page = _write_entity(view, entity_id, mentions.get(entity_id, []), written_docs, root,
                             store_dir, from_pages)
        summary.pages.append(page)
        summary.entities += 1
    top = sorted((view.entities[e] for e in selection.entities),
                 key=lambda e: (-int(e.get("mention_count") or 0), str(e.get("name"))))[:TOP_ENTITIES]
    index = root / "index.html"
    index.write_text(render_page(
        "index.html", title="Documents, claims and entities", root="", store=str(store_dir),
        totals={"documents": summary.documents, "claims": summary.claims,
                "entities": summary.entities},
        filters=selection.filters,
        charts={"types": bar_chart(list(type_counts.items())),
                "publishers": bar_chart(list(publisher_counts.items())),
                "days": day_chart(list(day_counts.items()))},
        top_entities=[{"name": e.get("name"), "label": e.get("label"),
                       "mentions": e.get("mention_count") or 0,
                       "documents": len(e.get("documents") or []),
                       "href": f"entities/{page_name(e['id'])}.html"} for e in top],
        types=[t for t in CLAIM_TYPES if type_counts.get(t)], documents=doc_rows),
        encoding="utf-8")
    summary.pages.append(index)
    return summary


def _write_entity(view: StoreView, entity_id: str, claims: list[dict[str, Any]],
                  written_docs: set[str], root: Path, store_dir: Path,
                  entity_href: Callable[[str | None], str | None]) -> Path:
    """One entity's page: aliases, then its documents newest first with the claims there."""
    entity = view.entities[entity_id]
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        by_doc[claim["evidence"]["doc_id"]].append(claim)
    dates = {d: _doc_date(view, d, cs) for d, cs in by_doc.items()}
    documents = []
    for doc_id in newest_first(dates):
        document = view.documents.get(doc_id, {})
        source = document.get("source") or {}
        linked = doc_id in written_docs
        href = f"../documents/{page_name(doc_id)}.html" if linked else None
        documents.append({
            "id": doc_id, "href": href, "date": dates[doc_id], "publisher": source.get("publisher"),
            "title": (source.get("title") if isinstance(source.get("title"), str) else None)
            or document.get("path") or doc_id,
            "claims": [{"id": c["id"], "type": c["type"], "summary": describe(c),
                        "evidence": c["evidence"]["text"],
                        "href": f"{href}#claim-{c['id']}" if href else None}
                       for c in sorted(by_doc[doc_id], key=lambda c: c["evidence"]["start"])]})
    aliases = [a for a in dict.fromkeys([entity.get("name"), *(entity.get("aliases") or [])])
               if isinstance(a, str)]
    page = root / "entities" / f"{page_name(entity_id)}.html"
    page.write_text(render_page("entity.html", title=str(entity.get("name")), root="../",
                                store=str(store_dir), entity=entity, aliases=aliases,
                                documents=documents), encoding="utf-8")
    return page


def _doc_date(view: StoreView, doc_id: str, claims: list[dict[str, Any]]) -> str | None:
    document = view.documents.get(doc_id, {})
    return max((d for d in (claim_date(c, document) for c in claims) if d), default=None)
