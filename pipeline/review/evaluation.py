"""``evaluate --review DIR``: each gold document drawn twice, gold beside predicted, with every
entity and claim marked matched, missed or spurious and each slot error shown with the gold
value (as ``spacy evaluate --displacy-path`` draws gold against predicted)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..evaluation.scorer import _overlaps_any
from .render import Mark, entity_view, span_view
from .site import (
    MARKER,
    ReviewSummary,
    check_out,
    claim_item,
    format_value,
    page_name,
    render_page,
    swap_in,
)

if TYPE_CHECKING:
    from ..evaluation.claim_scoring import AliasResolver
    from ..evaluation.scorer import GoldDocument, Span3


def entity_marks(gold: GoldDocument, predicted: Sequence[Span3], labels: Sequence[str]
                 ) -> tuple[list[Mark], list[Mark]]:
    """The gold and the predicted entity marks of one document, each matched (same span and
    label), missed (gold only) or spurious (predicted only); unscored regions left out."""
    def scored(spans: Sequence[Span3]) -> set[Span3]:
        return {s for s in spans if s[2] in labels and not _overlaps_any(s[0], s[1], gold.ignore)}

    gold_set, predicted_set = scored(gold.entities), scored(predicted)

    def marks(spans: set[Span3], other: set[Span3], side: str, unmatched: str) -> list[Mark]:
        out = []
        for s, e, label in sorted(spans):
            status = "match" if (s, e, label) in other else unmatched
            out.append(Mark(s, e, label, f"{side}-ent-{s}-{e}", status, tip=f"{label}: {status}"))
        return out

    gold_marks = marks(gold_set, predicted_set, "gold", "missed")
    predicted_marks = marks(predicted_set, gold_set, "pred", "spurious")
    return gold_marks, predicted_marks


def _gold_value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(_gold_value(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("text") or "—")
    return format_value(value)


def claim_statuses(gold: GoldDocument, predicted: Sequence[dict[str, Any]], resolve: AliasResolver
                   ) -> tuple[list[tuple[dict[str, Any], str, dict[str, str]]],
                              list[tuple[dict[str, Any], str, dict[str, str]]]]:
    """(claim, status, slot errors) for the gold and the predicted claims of one document,
    matched as ``score_claims`` matches them; a matched prediction with a wrong slot is
    "slot_error", its errors giving the gold value per slot."""
    from ..evaluation.claim_scoring import CLAIM_TYPES, SLOTS, match_claims, slot_matches

    def scored(claim: dict[str, Any]) -> bool:
        ev = claim["evidence"]
        return not _overlaps_any(ev["start"], ev["end"], gold.ignore)

    gold_out: list[tuple[dict[str, Any], str, dict[str, str]]] = []
    predicted_out: list[tuple[dict[str, Any], str, dict[str, str]]] = []
    named = [{**c, "id": c.get("id") or f"gold-{n}"} for n, c in enumerate(gold.claims)]
    for claim_type in CLAIM_TYPES:
        gold_claims = [c for c in named if c["type"] == claim_type and scored(c)]
        predicted_claims = [c for c in predicted if c["type"] == claim_type and scored(c)]
        pairs = match_claims(claim_type, gold_claims, predicted_claims)
        partner = {id(p): g for g, p in pairs}
        matched_gold = {id(g) for g, _ in pairs}
        for g in gold_claims:
            gold_out.append((g, "match" if id(g) in matched_gold else "missed", {}))
        for p in predicted_claims:
            g = partner.get(id(p))
            if g is None:
                predicted_out.append((p, "spurious", {}))
                continue
            errors = {slot: _gold_value(g.get(slot)) for slot in SLOTS[claim_type]
                      if not slot_matches(g, p, slot, resolve, lenient=True)}
            predicted_out.append((p, "slot_error" if errors else "match", errors))
    return gold_out, predicted_out


def write_evaluation_review(docs: Sequence[GoldDocument], entity_predictions: Sequence[Sequence[Span3]],
                            claim_predictions: Sequence[Sequence[dict[str, Any]]], labels: Sequence[str],
                            resolve: AliasResolver, out: str | Path) -> ReviewSummary:
    """Write the evaluation review of ``docs`` into ``out`` (an earlier review there is
    replaced): one page per gold document and an index of their scores."""
    from ..evaluation.claim_scoring import SLOTS

    out = Path(out)
    check_out(out)
    staging = out.parent / f".{out.name}.tmp-eval"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "documents").mkdir(parents=True)
    summary = ReviewSummary(out=out)

    def no_link(entity_id: str | None) -> str | None:
        return None

    rows = []
    try:
        for gold, entities, claims in zip(docs, entity_predictions, claim_predictions, strict=True):
            gold_marks, predicted_marks = entity_marks(gold, entities, labels)
            gold_claims, predicted_claims = claim_statuses(gold, claims, resolve)
            views = {}
            for side, listed in (("gold", gold_claims), ("predicted", predicted_claims)):
                spans, ranges = span_view(gold.text, [c for c, _, _ in listed])
                views[side] = {"spans": spans, "items": [
                    claim_item(c, no_link, tokens=ranges.get(c["id"]), status=status,
                               gold=side == "gold", slot_errors=errors,
                               slots=SLOTS.get(c["type"]) if side == "gold" else None)
                    for c, status, errors in listed]}
            views["gold"]["entities"] = entity_view(gold.text, gold_marks)
            views["predicted"]["entities"] = entity_view(gold.text, predicted_marks)
            counts = {
                "entities": _counts([m.status for m in gold_marks], [m.status for m in predicted_marks]),
                "claims": _counts([s for _, s, _ in gold_claims], [s for _, s, _ in predicted_claims]),
            }
            name = page_name(gold.name)
            page = staging / "documents" / f"{name}.html"
            page.write_text(render_page("evaluation.html", title=gold.name, root="../", store="",
                                        views=views, counts=counts), encoding="utf-8")
            summary.pages.append(out / "documents" / page.name)
            summary.documents += 1
            summary.claims += len(predicted_claims)
            rows.append({"name": gold.name, "href": f"documents/{name}.html", **counts})
        (staging / "index.html").write_text(render_page(
            "evaluation_index.html", title="Gold against predicted", root="", store="", rows=rows),
            encoding="utf-8")
        summary.pages.append(out / "index.html")
        (staging / MARKER).write_text("a newsclaims review site: `newsclaims evaluate --review` "
                                      "replaces it\n", encoding="utf-8")
        swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _counts(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, int]:
    """tp / fn / fp / slot errors from the statuses of one document's gold and predictions."""
    return {"tp": sum(s in {"match", "slot_error"} for s in predicted),
            "fn": sum(s == "missed" for s in gold),
            "fp": sum(s == "spurious" for s in predicted),
            "slot_errors": sum(s == "slot_error" for s in predicted)}
