"""Score predicted claims against gold claims, under the rules in ``corpus/gold/README.md``.

Percentages match on exact evidence span, value and qualifier; directives and roles match when
their evidence spans overlap (each gold claim at most once, the largest overlap first). Slots are
scored over matched claims; names are compared after resolving aliases with the gold
``entities.jsonl`` table, so "Trudy Shan Dai" matches "Trudy Dai Shan".

Two slot scores: ``slots_exact`` compares folded text exactly; ``slots`` judges meaning for the
free-text slots (case, punctuation, articles and possessives ignored, "" equals null, and two
phrases match when they share their head noun or their token F1 is at least 0.5).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.scorer import PRFScore

CLAIM_TYPES = ("directive", "percentage", "role")
SLOTS = {"directive": ("actor", "targets"), "percentage": ("subject", "metric", "when"),
         "role": ("person", "role", "org")}
NAME_SLOTS = {"actor", "targets", "subject", "person", "org"}
# Slots whose gold value is a phrase as written, scored leniently in ``slots``.
FREE_TEXT_SLOTS = {"subject", "metric", "when", "role"}
MIN_TOKEN_F1 = 0.5
MAX_LISTED = 200
ARTICLES = {"the", "a", "an"}
# Words after which a noun phrase's head has been seen ("growth of sales" -> growth).
HEAD_STOPS = {"of", "in", "at", "for", "on", "to", "from", "by", "with", "than", "over", "since", "(", ","}
_WORD = re.compile(r"\w+(?:[.'’]\w+)*|[(),]", re.UNICODE)


class AliasResolver:
    """Maps a name to its canonical form: alias table first, then a normalised spelling."""

    def __init__(self, records: Iterable[dict[str, Any]] = ()) -> None:
        self.canonical: dict[str, str] = {}
        for record in records:
            name = self.normalise(record["name"])
            for alias in [record["name"], *record.get("aliases", [])]:
                self.canonical[self.normalise(alias)] = name

    @classmethod
    def from_file(cls, path: Path) -> AliasResolver:
        if not path.exists():
            return cls()
        with path.open(encoding="utf-8") as fh:
            return cls(json.loads(line) for line in fh if line.strip())

    @staticmethod
    def normalise(name: str) -> str:
        """The resolver's spelling normalisation, without a possessive, case-folded."""
        from ..resolution import normalise_text

        return re.sub(r"'s$", "", normalise_text(name)).casefold()

    def __call__(self, name: str | None) -> str | None:
        if name is None:
            return None
        key = self.normalise(name)
        return self.canonical.get(key, key)


def _text(value: Any) -> str | None:
    """The text of a slot value: a mention dict, a plain string, or None."""
    if isinstance(value, dict):
        return value.get("text")
    return value


def slot_value(claim: dict[str, Any], slot: str, resolve: AliasResolver) -> Any:
    """A comparable form of one slot: resolved names, a set for targets, folded text."""
    value = claim.get(slot)
    if slot == "targets":
        return frozenset(resolve(_text(v)) for v in value or [])
    text = _text(value)
    if slot in NAME_SLOTS:
        return resolve(text)
    return None if text is None else re.sub(r"\s+", " ", text.strip()).casefold()


def phrase_tokens(text: str | None) -> list[str]:
    """Folded words of a phrase without articles, possessives and punctuation (brackets and
    commas kept only to find the head)."""
    if not text:
        return []
    words = [w.casefold().replace("’", "'") for w in _WORD.findall(text)]
    words = [w.removesuffix("'s") for w in words]
    return [w for w in words if w and w not in ARTICLES]


def head_word(tokens: list[str]) -> str | None:
    """The head of an English noun phrase: its last word before a preposition or bracket."""
    head = None
    for token in tokens:
        if token in HEAD_STOPS:
            if head is not None:
                break
            continue
        head = token
    return head


def token_f1(a: list[str], b: list[str]) -> float:
    """Token-overlap F1 of two phrases (bags of words)."""
    from collections import Counter

    common = sum((Counter(a) & Counter(b)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(b), common / len(a)
    return 2 * precision * recall / (precision + recall)


def lenient_text_match(gold: str | None, predicted: str | None) -> bool:
    """Whether two free-text slot values say the same: equal after folding, the same head noun,
    or token F1 >= 0.5 ("" and null are equal)."""
    g = [t for t in phrase_tokens(gold) if t not in {"(", ")", ","}]
    p = [t for t in phrase_tokens(predicted) if t not in {"(", ")", ","}]
    if not g or not p:
        return not g and not p
    if g == p:
        return True
    g_head, p_head = head_word(phrase_tokens(gold)), head_word(phrase_tokens(predicted))
    if g_head is not None and g_head == p_head:
        return True
    return token_f1(g, p) >= MIN_TOKEN_F1


def slot_matches(gold: dict[str, Any], predicted: dict[str, Any], slot: str, resolve: AliasResolver, *,
                 lenient: bool) -> bool:
    """Whether one slot of a matched pair is right, exactly or leniently."""
    exact = slot_value(gold, slot, resolve) == slot_value(predicted, slot, resolve)
    if exact or not lenient:
        return exact
    if slot == "targets":
        g = {" ".join(phrase_tokens(resolve(_text(v)))) for v in gold.get(slot) or []}
        p = {" ".join(phrase_tokens(resolve(_text(v)))) for v in predicted.get(slot) or []}
        return g == p
    g_text, p_text = _text(gold.get(slot)), _text(predicted.get(slot))
    if slot in NAME_SLOTS:
        if phrase_tokens(resolve(g_text)) == phrase_tokens(resolve(p_text)):
            return True
        if slot not in FREE_TEXT_SLOTS:
            return False
        g_text, p_text = resolve(g_text), resolve(p_text)
    return lenient_text_match(g_text, p_text)


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> int:
    ea, eb = a["evidence"], b["evidence"]
    return min(ea["end"], eb["end"]) - max(ea["start"], eb["start"])


def _percentage_key(claim: dict[str, Any]) -> tuple[Any, ...]:
    ev = claim["evidence"]
    return (ev["start"], ev["end"], float(claim.get("value") or 0.0), claim.get("qualifier"))


def match_claims(claim_type: str, gold: list[dict[str, Any]],
                 predicted: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs (gold, predicted) of matched claims of one type in one document."""
    pairs = []
    if claim_type == "percentage":
        by_key = {_percentage_key(p): p for p in predicted}
        for g in gold:
            p = by_key.pop(_percentage_key(g), None)
            if p is not None:
                pairs.append((g, p))
        return pairs
    candidates = sorted(((_overlap(g, p), gi, pi) for gi, g in enumerate(gold)
                         for pi, p in enumerate(predicted) if _overlap(g, p) > 0), reverse=True)
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gold[gi], predicted[pi]))
    return pairs


def score_claims(docs: list[tuple[str, list[tuple[int, int]], list[dict[str, Any]],
                                  list[dict[str, Any]]]],
                 resolve: AliasResolver) -> dict[str, Any]:
    """P/R/F and slot accuracy per claim type, with missed, spurious and slot-error listings.

    ``docs`` holds (name, ignore regions, gold claims, predicted claims) per document.
    """
    prf = {t: PRFScore() for t in CLAIM_TYPES}
    slot_hits = {t: {s: [0, 0] for s in SLOTS[t]} for t in CLAIM_TYPES}
    exact_hits = {t: {s: [0, 0] for s in SLOTS[t]} for t in CLAIM_TYPES}
    per_document: dict[str, dict[str, dict[str, int]]] = {}
    missed: list[dict[str, Any]] = []
    spurious: list[dict[str, Any]] = []
    slot_errors: list[dict[str, Any]] = []

    def scored(claim: dict[str, Any], ignore: list[tuple[int, int]]) -> bool:
        ev = claim["evidence"]
        return not any(ev["start"] < e and s < ev["end"] for s, e in ignore)

    for name, ignore, gold_claims, predicted_claims in docs:
        for claim_type in CLAIM_TYPES:
            gold = [c for c in gold_claims if c["type"] == claim_type and scored(c, ignore)]
            pred = [c for c in predicted_claims if c["type"] == claim_type and scored(c, ignore)]
            pairs = match_claims(claim_type, gold, pred)
            score = prf[claim_type]
            score.tp += len(pairs)
            score.fn += len(gold) - len(pairs)
            score.fp += len(pred) - len(pairs)
            per_document.setdefault(name, {})[claim_type] = {
                "tp": len(pairs), "fp": len(pred) - len(pairs), "fn": len(gold) - len(pairs)}
            matched_gold = {id(g) for g, _ in pairs}
            matched_pred = {id(p) for _, p in pairs}
            for out, claims, matched in ((missed, gold, matched_gold),
                                         (spurious, pred, matched_pred)):
                for c in claims:
                    if id(c) not in matched and len(out) < MAX_LISTED:
                        out.append({"doc": name, "type": claim_type,
                                    "evidence": c["evidence"]["text"],
                                    **{s: c.get(s) for s in SLOTS[claim_type]}})
            for g, p in pairs:
                for slot in SLOTS[claim_type]:
                    ok = slot_matches(g, p, slot, resolve, lenient=True)
                    slot_hits[claim_type][slot][0] += ok
                    slot_hits[claim_type][slot][1] += 1
                    exact_hits[claim_type][slot][0] += slot_matches(g, p, slot, resolve, lenient=False)
                    exact_hits[claim_type][slot][1] += 1
                    if not ok and len(slot_errors) < MAX_LISTED:
                        slot_errors.append({"doc": name, "type": claim_type, "slot": slot,
                                            "evidence": g["evidence"]["text"],
                                            "gold": g.get(slot), "predicted": p.get(slot)})
    result: dict[str, Any] = {}
    for claim_type in CLAIM_TYPES:
        s = prf[claim_type]
        result[claim_type] = {
            "p": round(s.precision, 4), "r": round(s.recall, 4), "f": round(s.fscore, 4),
            "tp": s.tp, "fp": s.fp, "fn": s.fn,
            "slots": _rates(slot_hits[claim_type]),
            "slots_exact": _rates(exact_hits[claim_type]),
        }
    return {"scores": result, "missed": missed, "spurious": spurious,
            "slot_errors": slot_errors, "documents": per_document}


def _rates(hits: dict[str, list[int]]) -> dict[str, float | None]:
    return {slot: (round(hit / total, 4) if total else None) for slot, (hit, total) in hits.items()}
