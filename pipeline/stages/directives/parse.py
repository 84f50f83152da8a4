"""Parse utilities the directive steps share: clause heads, entity look-ups, the headline."""

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from typing import Any

from spacy.tokens import Doc, Span, Token

from ..claim_spans import doc_text

# ``doc.ents`` builds its spans anew on every access; the stage looks entities up for every
# candidate, so it keeps the last document's entities (the stage runs last, nothing changes
# them while it runs; ``forget_entities`` starts afresh for each document).
_ENTITIES: dict[str, Any] = {"doc": None, "ents": (), "starts": [], "main": None, "by_label": {}}

TERMINAL = (".", "!", "?", "”", "\"", "’", "'", ")", ":")


def headline(doc: Doc) -> tuple[int, int] | None:
    """The first article line when it has no sentence-final punctuation: a headline."""
    furniture = sorted((s.start_char, s.end_char) for s in doc.spans.get("furniture", []))
    offset, seen, reach = 0, 0, -1  # furniture starting at or before a line: the farthest end
    for line in doc_text(doc).split("\n"):
        start, stripped = offset, line.strip()
        offset += len(line) + 1
        if not stripped:
            continue
        pos = start + line.index(stripped)  # lines come in order, so one sweep over the furniture
        while seen < len(furniture) and furniture[seen][0] <= pos:
            reach = max(reach, furniture[seen][1])
            seen += 1
        if pos < reach:  # inside a furniture span: any(fs <= pos < fe)
            continue
        if stripped.endswith(TERMINAL):
            return None
        begin = start + line.index(stripped)
        return begin, begin + len(stripped)
    return None


def clause_head(verb: Token) -> Token:
    """For a coordinated verb without its own subject, the verb it is coordinated with."""
    node = verb
    while node.dep_ == "conj" and not any(c.dep_ == "nsubj" for c in node.children):
        node = node.head
    return node


def forget_entities() -> None:
    """Drop the kept entities (called when the stage starts on a document)."""
    _ENTITIES.update(doc=None, ents=(), starts=[], main=None, by_label={})


def entities(doc: Doc) -> tuple[Span, ...]:
    """The document's entities, built once per document."""
    if _ENTITIES["doc"] is not doc:
        ents = tuple(doc.ents)
        by_label: dict[str, tuple[list[Span], list[int]]] = {}
        for ent in ents:
            group = by_label.setdefault(ent.label_, ([], []))
            group[0].append(ent)
            group[1].append(ent.start)
        _ENTITIES.update(doc=doc, ents=ents, starts=[e.start for e in ents], main=_main_org(ents),
                         by_label=by_label)
    return _ENTITIES["ents"]


def entities_before(doc: Doc, before: int) -> Iterator[Span]:
    """Entities ending at or before token ``before``, nearest first."""
    ents = entities(doc)
    i = bisect_right(_ENTITIES["starts"], before) - 1
    while i >= 0:
        if ents[i].end <= before:
            yield ents[i]
        i -= 1


def labelled_before(doc: Doc, before: int, label: str) -> Iterator[Span]:
    """``(e for e in entities_before(doc, before) if e.label_ == label)``, through a per-label index,
    so a label the document lacks costs nothing instead of a walk back to its start."""
    entities(doc)
    ents, starts = _ENTITIES["by_label"].get(label, ([], []))
    i = bisect_right(starts, before) - 1
    while i >= 0:
        if ents[i].end <= before:
            yield ents[i]
        i -= 1


def entities_in(doc: Doc, region: Span) -> list[Span]:
    """Entities that start inside ``region``, in text order."""
    ents = entities(doc)
    starts = _ENTITIES["starts"]
    i = bisect_right(starts, region.start - 1)
    found = []
    while i < len(ents) and ents[i].start < region.end:
        found.append(ents[i])
        i += 1
    return found


def entity_at(doc: Doc, token: Token) -> Span | None:
    """The entity that covers ``token``, if any."""
    if not token.ent_type_:
        return None
    ents = entities(doc)
    i = bisect_right(_ENTITIES["starts"], token.i) - 1
    if i >= 0 and ents[i].start <= token.i < ents[i].end:
        return ents[i]
    return None


def last_entity(doc: Doc, before: int, label: str) -> Span | None:
    """The last entity with ``label`` that ends before token ``before``: a pronoun's referent."""
    return next(labelled_before(doc, before, label), None)


def main_org(doc: Doc) -> Span | None:
    """The organisation the document mentions most (first mention as the representative)."""
    entities(doc)
    return _ENTITIES["main"]


def _main_org(ents: tuple[Span, ...]) -> Span | None:
    counts: Counter[str] = Counter()
    first: dict[str, Span] = {}
    for ent in ents:
        if ent.label_ == "ORG":
            key = ent.id_ or ent.text
            counts[key] += 1
            first.setdefault(key, ent)
    if not counts:
        return None
    return first[counts.most_common(1)[0][0]]


def in_brackets(doc: Doc, ent: Span) -> bool:
    """True when ``ent`` sits inside an open bracket of its sentence."""
    depth = 0
    for token in doc[ent.sent.start:ent.start]:
        if token.text in {"(", "（", "["}:
            depth += 1
        elif token.text in {")", "）", "]"} and depth:
            depth -= 1
    return depth > 0


def in_apposition(ent: Span) -> bool:
    """True inside an appositive description ("Dai, head of Alibaba's unit"): not a target."""
    return any(t.dep_ == "appos" for token in ent for t in [token, *token.ancestors]
               if t.i < ent.start or t.i >= ent.end)
