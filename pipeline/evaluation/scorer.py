"""Score the pipeline against gold: the seed annotations and public NER benchmarks.

Entities are matched on exact character span and label (the rules in ``corpus/gold/README.md``);
spans in a document's ``ignore`` regions (page furniture) are not scored. Counting uses spaCy's
``PRFScore``. Benchmark files are rebuilt into text from their tokens, with gold character spans.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.scorer import PRFScore

from ..claims import ENTITY_LABELS
from ..readers import read_text_file

if TYPE_CHECKING:
    from spacy.language import Language

Span3 = tuple[int, int, str]
BENCHMARK_LABELS = {"PER": "PERSON", "ORG": "ORG"}
FINER_TAGS = {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC", "5": "B-ORG",
              "6": "I-ORG"}
MAX_LISTED_ERRORS = 200


@dataclass
class GoldDocument:
    """A text with its gold entity spans, the regions not scored, and gold claims."""

    name: str
    text: str
    entities: list[Span3]
    ignore: list[tuple[int, int]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)


def read_seed_gold(gold_path: Path, corpus_dir: Path) -> list[GoldDocument]:
    """Seed gold lines ({"doc", "ignore", "entities", "claims"}) with their article texts."""
    docs = []
    with gold_path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            text, _ = read_text_file(corpus_dir / record["doc"], max_bytes=50_000_000)
            docs.append(GoldDocument(
                name=record["doc"],
                text=text,
                entities=[(e["start"], e["end"], e["label"]) for e in record.get("entities", [])],
                ignore=[(r["start"], r["end"]) for r in record.get("ignore", [])],
                claims=list(record.get("claims", [])),
            ))
    return docs


def _build_text(sentences: list[list[tuple[str, str]]], name: str, sentence_joiner: str,
                label_map: dict[str, str]) -> GoldDocument:
    """Join tokens with spaces and sentences with ``sentence_joiner``; decode IOB2 to spans."""
    pieces: list[str] = []
    entities: list[Span3] = []
    offset = 0
    open_span: list[Any] | None = None

    def close() -> None:
        nonlocal open_span
        if open_span is not None and open_span[2] in label_map:
            entities.append((open_span[0], open_span[1], label_map[open_span[2]]))
        open_span = None

    for s_index, sentence in enumerate(sentences):
        if s_index:
            pieces.append(sentence_joiner)
            offset += len(sentence_joiner)
        for t_index, (token, tag) in enumerate(sentence):
            if t_index:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(token)
            pieces.append(token)
            offset = end
            kind, _, label = tag.partition("-")
            if kind == "I" and open_span is not None and open_span[2] == label:
                open_span[1] = end
            elif kind in {"B", "I"}:
                close()
                open_span = [start, end, label]
            else:
                close()
    close()
    return GoldDocument(name=name, text="".join(pieces), entities=entities)


def read_conll(path: Path) -> list[GoldDocument]:
    """CoNLL-2003 (token POS chunk NER, IOB2): one GoldDocument per -DOCSTART- block."""
    docs: list[GoldDocument] = []
    sentences: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []

    def finish_doc() -> None:
        if sentence:
            sentences.append(list(sentence))
            sentence.clear()
        if sentences:
            docs.append(_build_text(sentences, f"{path.name}#{len(docs)}", "\n",
                                    BENCHMARK_LABELS))
            sentences.clear()

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if not parts:
                if sentence:
                    sentences.append(list(sentence))
                    sentence.clear()
            elif parts[0] == "-DOCSTART-":
                finish_doc()
            else:
                sentence.append((parts[0], parts[-1]))
    finish_doc()
    return docs


def read_finer(path: Path) -> list[GoldDocument]:
    """FiNER-ORD CSV (gold_label,gold_token,doc_idx,sent_idx): sentences joined by a space.

    Some sentence boundaries fall inside an entity, so sentences are joined with a space and
    an I- tag may continue an entity across them.
    """
    grouped: dict[str, dict[str, list[tuple[str, str]]]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            token = (row.get("gold_token") or "").strip()
            if not token:
                continue
            tag = FINER_TAGS.get(str(row["gold_label"]).strip(), "O")
            grouped.setdefault(row["doc_idx"], {}).setdefault(row["sent_idx"], []).append(
                (token, tag))
    docs = []
    for doc_idx, sents in grouped.items():
        ordered = [sents[k] for k in sorted(sents, key=int)]
        docs.append(_build_text(ordered, f"{path.name}#doc{doc_idx}", " ", BENCHMARK_LABELS))
    return docs


def read_gold(path: Path, corpus_dir: Path | None = None) -> tuple[list[GoldDocument], tuple[str, ...]]:
    """Gold documents and the labels they score, chosen by the file's type."""
    suffix = path.suffix.lower()
    if suffix == ".conll":
        return read_conll(path), ("ORG", "PERSON")
    if suffix == ".csv":
        return read_finer(path), ("ORG", "PERSON")
    if suffix in {".jsonl", ".json"}:
        corpus = corpus_dir or path.resolve().parent.parent
        return read_seed_gold(path, corpus), ENTITY_LABELS
    raise ValueError(f"{path}: unknown gold format (expected .jsonl seeds, .conll or .csv)")


def _overlaps_any(start: int, end: int, regions: Iterable[tuple[int, int]]) -> bool:
    return any(start < r_end and r_start < end for r_start, r_end in regions)


def _prf(score: PRFScore) -> dict[str, Any]:
    return {"p": round(score.precision, 4), "r": round(score.recall, 4),
            "f": round(score.fscore, 4), "tp": score.tp, "fp": score.fp, "fn": score.fn}


def score_entities(gold_docs: list[GoldDocument], predictions: list[list[Span3]],
                   labels: Iterable[str]) -> dict[str, Any]:
    """Exact span+label P/R/F per label and micro-averaged, plus the missed and spurious spans."""
    labels = tuple(labels)
    per_label = {label: PRFScore() for label in labels}
    micro = PRFScore()
    missed: list[dict[str, Any]] = []
    spurious: list[dict[str, Any]] = []
    per_document: dict[str, dict[str, int]] = {}
    for gold, predicted in zip(gold_docs, predictions, strict=True):
        gold_set = {s for s in gold.entities
                    if s[2] in labels and not _overlaps_any(s[0], s[1], gold.ignore)}
        pred_set = {s for s in predicted
                    if s[2] in labels and not _overlaps_any(s[0], s[1], gold.ignore)}
        for label in labels:
            per_label[label].score_set({s for s in pred_set if s[2] == label},
                                       {s for s in gold_set if s[2] == label})
        micro.score_set(pred_set, gold_set)
        per_document[gold.name] = {"tp": len(pred_set & gold_set), "fp": len(pred_set - gold_set),
                                   "fn": len(gold_set - pred_set)}
        for spans, out in ((gold_set - pred_set, missed), (pred_set - gold_set, spurious)):
            for start, end, label in sorted(spans):
                if len(out) < MAX_LISTED_ERRORS:
                    out.append({"doc": gold.name, "start": start, "end": end, "label": label,
                                "text": gold.text[start:end]})
    result = {label: _prf(score) for label, score in per_label.items()}
    result["micro"] = _prf(micro)
    return {"scores": result, "missed": missed, "spurious": spurious, "documents": per_document}


def predict(nlp: Language, docs: list[GoldDocument], labels: Iterable[str],
            batch_size: int = 32) -> tuple[list[list[Span3]], list[list[dict[str, Any]]]]:
    """Predicted entity spans and claim records (as stored) for each gold document's text."""
    from ..extract import doc_claims, pipeline_info

    labels = set(labels)
    info = pipeline_info(nlp)
    entities, claims = [], []
    for gold, doc in zip(docs, nlp.pipe((d.text for d in docs), batch_size=batch_size),
                         strict=True):
        entities.append([(e.start_char, e.end_char, e.label_) for e in doc.ents
                         if e.label_ in labels])
        claims.append([c.to_dict() for c in doc_claims(doc, gold.name, info)
                       if c.type != "entity"])
    return entities, claims


def predict_entities(nlp: Language, docs: list[GoldDocument], labels: Iterable[str],
                     batch_size: int = 32) -> list[list[Span3]]:
    """Predicted entity character spans for each gold document's text."""
    return predict(nlp, docs, labels, batch_size)[0]


def score_aliases(docs: list[GoldDocument], predictions: list[list[Span3]],
                  alias_path: Path) -> dict[str, Any]:
    """Pairwise P/R/F of alias clustering over gold ORG/PERSON mentions.

    Two gold mentions are a gold pair when they name the same entity (the gold alias table, or
    the same name); a predicted pair when resolving the predicted entities of the documents, in
    order, gives the mentions at those spans one id. A gold mention with no predicted entity at
    its span pairs with nothing. Also counts false merges of two different gold persons.
    """
    from ..resolution import EntityResolver, Mention
    from .claim_scoring import AliasResolver

    gold_names = AliasResolver.from_file(alias_path)
    resolver = EntityResolver()
    gold_keys: list[tuple[str, str]] = []
    predicted_ids: list[str | None] = []
    for doc_index, (gold, predicted) in enumerate(zip(docs, predictions, strict=True)):
        doc_id = f"doc{doc_index}"
        mentions = [Mention(doc_id, s, e, gold.text[s:e], label) for s, e, label in predicted
                    if label in {"ORG", "PERSON"}]
        ids = resolver.resolve_document(doc_id, gold.text, mentions, seen_at="")
        for start, end, label in gold.entities:
            if label in {"ORG", "PERSON"} and not _overlaps_any(start, end, gold.ignore):
                gold_keys.append((label, gold_names(gold.text[start:end]) or ""))
                found = ids.get((start, end))
                predicted_ids.append(resolver.canonical_id(found) if found else None)
    score, false_person_merges = PRFScore(), 0
    for i in range(len(gold_keys)):
        for j in range(i + 1, len(gold_keys)):
            same_gold = gold_keys[i] == gold_keys[j]
            same_pred = predicted_ids[i] is not None and predicted_ids[i] == predicted_ids[j]
            score.tp += same_gold and same_pred
            score.fp += same_pred and not same_gold
            score.fn += same_gold and not same_pred
            if same_pred and not same_gold and gold_keys[i][0] == gold_keys[j][0] == "PERSON":
                false_person_merges += 1
    return {**_prf(score), "false_person_merges": false_person_merges,
            "mentions": len(gold_keys)}


def evaluate(gold_path: Path, nlp: Language, corpus_dir: Path | None = None, *,
             review: Path | None = None) -> dict[str, Any]:
    """Metrics for ``nlp`` on a gold file: ``{"entities": …, "claims": …}`` plus error listings.

    Claims are scored only where the gold has them (the seed gold, not the NER benchmarks).
    ``review`` writes there the HTML review of gold against predicted (``metrics["review"]``
    names its index page).
    """
    from .claim_scoring import AliasResolver, score_claims

    docs, labels = read_gold(gold_path, corpus_dir)
    entity_predictions, claim_predictions = predict(nlp, docs, labels)
    entity_result = score_entities(docs, entity_predictions, labels)
    metrics: dict[str, Any] = {
        "entities": entity_result["scores"],
        "errors": {"entities": {"missed": entity_result["missed"],
                                "spurious": entity_result["spurious"]}},
        "gold": {"path": str(gold_path), "documents": len(docs)},
        "documents": {name: {"entities": counts} for name, counts in entity_result["documents"].items()},
    }
    alias_path = gold_path.parent / "entities.jsonl"
    if labels == ENTITY_LABELS and alias_path.exists():
        metrics["aliases"] = score_aliases(docs, entity_predictions, alias_path)
    resolver = AliasResolver.from_file(alias_path)  # empty without the file
    if any(d.claims for d in docs):
        claim_result = score_claims(
            [(d.name, d.ignore, d.claims, predicted)
             for d, predicted in zip(docs, claim_predictions, strict=True)], resolver)
        metrics["claims"] = claim_result["scores"]
        metrics["errors"]["claims"] = {k: claim_result[k]
                                       for k in ("missed", "spurious", "slot_errors")}
        for name, counts in claim_result["documents"].items():
            metrics["documents"].setdefault(name, {})["claims"] = counts
    if review is not None:
        from ..review import write_evaluation_review

        written = write_evaluation_review(docs, entity_predictions, claim_predictions, labels,
                                          resolver, review)
        metrics["review"] = str(written.out / "index.html")
    return metrics


def iter_metric_rows(metrics: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, scores) rows of the entity section, for printing."""
    yield from metrics.get("entities", {}).items()
