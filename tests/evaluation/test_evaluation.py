"""Tests for pipeline.evaluation: gold readers, span scoring and prediction (no model loading)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import spacy

from pipeline.claims import ENTITY_LABELS
from pipeline.evaluation.scorer import (
    GoldDocument,
    evaluate,
    iter_metric_rows,
    predict_entities,
    read_conll,
    read_finer,
    read_gold,
    read_seed_gold,
    score_entities,
)

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
SEED_GOLD = CORPUS / "gold" / "seeds.jsonl"
SCORED = ("ORG", "PERSON")

# --- CoNLL-2003 --------------------------------------------------------------------------------

# Two documents of sentences of (token, NER tag); POS and chunk columns are filled in on writing.
CONLL_DOCS = [
    [
        [("EU", "B-ORG"), ("rejects", "O"), ("German", "B-MISC"), ("call", "O"), ("to", "O"),
         ("boycott", "O"), ("British", "B-MISC"), ("lamb", "O"), (".", "O")],
        [("Peter", "B-PER"), ("Blackburn", "I-PER")],
        [("BRUSSELS", "B-LOC"), ("1996-08-22", "O")],
    ],
    [
        [("The", "O"), ("European", "B-ORG"), ("Commission", "I-ORG"), ("said", "O"),
         ("Werner", "B-PER"), ("Zwingmann", "I-PER"), ("met", "O"), ("Nikolaus", "B-PER"),
         ("van", "I-PER"), ("der", "I-PER"), ("Pas", "I-PER"), ("in", "O"), ("New", "B-LOC"),
         ("York", "I-LOC"), (".", "O")],
        [("Reuters", "B-ORG"), ("Holdings", "I-ORG"), ("PLC", "I-ORG"), ("and", "O"),
         ("Anna", "B-PER"), ("Bob", "B-PER"), ("spoke", "O"), ("in", "O"), ("World", "B-MISC"),
         ("Cup", "I-MISC"), (".", "O")],
    ],
]
# What each document should yield: (label, surface) in order of appearance.
CONLL_EXPECTED = [
    [("ORG", "EU"), ("PERSON", "Peter Blackburn")],
    [("ORG", "European Commission"), ("PERSON", "Werner Zwingmann"),
     ("PERSON", "Nikolaus van der Pas"), ("ORG", "Reuters Holdings PLC"), ("PERSON", "Anna"),
     ("PERSON", "Bob")],
]


def write_conll(path: Path, docs: list) -> Path:
    out = []
    for doc in docs:
        out += ["-DOCSTART- -X- -X- O", ""]
        for sentence in doc:
            out += [f"{token} NNP I-NP {tag}" for token, tag in sentence]
            out.append("")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def expected_text(sentences: list, joiner: str) -> str:
    return joiner.join(" ".join(token for token, _ in sentence) for sentence in sentences)


def surfaces(doc: GoldDocument) -> list[tuple[str, str]]:
    return [(label, doc.text[start:end]) for start, end, label in sorted(doc.entities)]


@pytest.fixture
def conll_file(tmp_path: Path) -> Path:
    return write_conll(tmp_path / "sample.conll", CONLL_DOCS)


def test_read_conll_documents_and_text(conll_file: Path) -> None:
    docs = read_conll(conll_file)
    assert len(docs) == 2
    assert len({d.name for d in docs}) == 2
    assert all(d.name.startswith(conll_file.name) for d in docs)
    for doc, sentences in zip(docs, CONLL_DOCS, strict=True):
        assert doc.text == expected_text(sentences, "\n")
        assert doc.text.count("\n") == len(sentences) - 1
        assert doc.ignore == []


def test_read_conll_entities(conll_file: Path) -> None:
    docs = read_conll(conll_file)
    for doc, expected in zip(docs, CONLL_EXPECTED, strict=True):
        assert surfaces(doc) == expected
        assert {label for _, _, label in doc.entities} <= set(SCORED)


def test_read_conll_drops_loc_and_misc(conll_file: Path) -> None:
    texts = {doc.text[s:e] for doc in read_conll(conll_file) for s, e, _ in doc.entities}
    for dropped in ("German", "British", "BRUSSELS", "New York", "World Cup"):
        assert dropped not in texts


def test_read_conll_spans_match_tokens(conll_file: Path) -> None:
    # Every gold span is the entity's tokens joined by single spaces, within one line.
    for doc in read_conll(conll_file):
        for start, end, _ in doc.entities:
            span = doc.text[start:end]
            assert span == span.strip() and "\n" not in span and "  " not in span
            assert start == 0 or doc.text[start - 1] in " \n"
            assert end == len(doc.text) or doc.text[end] in " \n"


def test_read_conll_without_trailing_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "short.conll"
    path.write_text("-DOCSTART- -X- -X- O\n\nAcme NNP B-NP B-ORG\nwins VBZ B-VP O",
                    encoding="utf-8")
    (doc,) = read_conll(path)
    assert doc.text == "Acme wins"
    assert surfaces(doc) == [("ORG", "Acme")]


# --- FiNER-ORD ---------------------------------------------------------------------------------

# (gold_label, gold_token, doc_idx, sent_idx); 1/2 PER, 3/4 LOC, 5/6 ORG, 0 O.
FINER_ROWS = [
    (5, "Goldman", 0, 9), (6, "Sachs", 0, 9), (0, "said", 0, 9), (1, "John", 0, 9),
    (2, "Smith", 0, 9),
    (2, "Jr", 0, 10), (0, "left", 0, 10), (3, "New", 0, 10), (4, "York", 0, 10), (0, ".", 0, 10),
    (5, "Apple", 1, 0), (0, "", 1, 0), (0, "rose", 1, 0), (0, ".", 1, 0),
    (1, "Tim", 1, 1), (2, "Cook", 1, 1), (0, "smiled", 1, 1),
]
FINER_EXPECTED = {
    "0": ("Goldman Sachs said John Smith Jr left New York .",
          [("ORG", "Goldman Sachs"), ("PERSON", "John Smith Jr")]),
    "1": ("Apple rose . Tim Cook smiled", [("ORG", "Apple"), ("PERSON", "Tim Cook")]),
}


@pytest.fixture
def finer_file(tmp_path: Path) -> Path:
    path = tmp_path / "finer.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["gold_label", "gold_token", "doc_idx", "sent_idx"])
        writer.writerows(FINER_ROWS)
    return path


def test_read_finer_groups_by_document(finer_file: Path) -> None:
    docs = read_finer(finer_file)
    assert len(docs) == len(FINER_EXPECTED)
    assert len({d.name for d in docs}) == len(docs)
    for doc, (text, entities) in zip(docs, FINER_EXPECTED.values(), strict=True):
        assert doc.text == text
        assert surfaces(doc) == entities


def test_read_finer_entity_continues_across_sentences(finer_file: Path) -> None:
    doc = read_finer(finer_file)[0]
    (person,) = [e for e in doc.entities if e[2] == "PERSON"]
    span = doc.text[person[0]:person[1]]
    assert span == "John Smith Jr"
    # "John Smith" ends sentence 9, "Jr" opens sentence 10.
    assert span.startswith("John Smith") and span.endswith("Jr")


def test_read_finer_drops_loc(finer_file: Path) -> None:
    for doc in read_finer(finer_file):
        assert {label for _, _, label in doc.entities} <= set(SCORED)
        assert all("York" not in doc.text[s:e] for s, e, _ in doc.entities)


# --- score_entities ----------------------------------------------------------------------------

TEXT = "Alibaba hired Trudy Dai Shan from Tencent. Ad: Buy Taobao now."


def span(surface: str, label: str, text: str = TEXT) -> tuple[int, int, str]:
    start = text.index(surface)
    return (start, start + len(surface), label)


ALI = span("Alibaba", "ORG")
DAI = span("Trudy Dai Shan", "PERSON")
TEN = span("Tencent", "ORG")
TAO = span("Taobao", "ORG")
AD = (TEXT.index("Ad:"), len(TEXT))  # page furniture: not scored


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "tp": tp, "fp": fp, "fn": fn}


def assert_scores(actual: dict, tp: int, fp: int, fn: int) -> None:
    expected = prf(tp, fp, fn)
    assert (actual["tp"], actual["fp"], actual["fn"]) == (tp, fp, fn)
    for key in ("p", "r", "f"):
        assert actual[key] == pytest.approx(expected[key], abs=1e-4)


# id, gold, predicted, ignore, {label: (tp, fp, fn)} over SCORED
SCORE_CASES = [
    ("perfect", [ALI, DAI, TEN], [ALI, DAI, TEN], [],
     {"ORG": (2, 0, 0), "PERSON": (1, 0, 0)}),
    ("one-spurious", [ALI, DAI], [ALI, DAI, TEN], [],
     {"ORG": (1, 1, 0), "PERSON": (1, 0, 0)}),
    ("one-missed", [ALI, DAI, TEN], [ALI, DAI], [],
     {"ORG": (1, 0, 1), "PERSON": (1, 0, 0)}),
    ("wrong-label", [ALI, DAI], [(ALI[0], ALI[1], "PERSON"), DAI], [],
     {"ORG": (0, 0, 1), "PERSON": (1, 1, 0)}),
    ("wrong-boundary", [DAI], [(DAI[0], DAI[1] - 4, "PERSON")], [],
     {"ORG": (0, 0, 0), "PERSON": (0, 1, 1)}),
    ("ignored-both-ways", [ALI, TAO], [ALI, (TAO[0], TAO[1] + 4, "ORG")], [AD],
     {"ORG": (1, 0, 0), "PERSON": (0, 0, 0)}),
    ("ignored-partial-overlap", [ALI], [ALI, (AD[0] - 5, AD[0] + 2, "ORG")], [AD],
     {"ORG": (1, 0, 0), "PERSON": (0, 0, 0)}),
    ("ignored-gold-missed-not-counted", [ALI, TAO], [ALI], [AD],
     {"ORG": (1, 0, 0), "PERSON": (0, 0, 0)}),
    ("adjacent-to-ignore-still-counted", [ALI, DAI, TEN], [ALI, DAI],
     [(DAI[0] - len("hired "), DAI[0]), (TEN[1], TEN[1] + 1)],
     {"ORG": (1, 0, 1), "PERSON": (1, 0, 0)}),
    ("unscored-label-dropped", [ALI, span("Taobao", "PERCENT")], [ALI, span("Tencent", "GPE")],
     [], {"ORG": (1, 0, 0), "PERSON": (0, 0, 0)}),
    ("empty", [], [], [], {"ORG": (0, 0, 0), "PERSON": (0, 0, 0)}),
]


@pytest.mark.parametrize("gold, predicted, ignore, counts",
                         [case[1:] for case in SCORE_CASES], ids=[c[0] for c in SCORE_CASES])
def test_score_entities_cases(gold: list, predicted: list, ignore: list, counts: dict) -> None:
    doc = GoldDocument(name="doc.txt", text=TEXT, entities=gold, ignore=ignore)
    result = score_entities([doc], [predicted], SCORED)
    scores = result["scores"]
    assert set(scores) == {*SCORED, "micro"}
    for label, (tp, fp, fn) in counts.items():
        assert_scores(scores[label], tp, fp, fn)
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    assert_scores(scores["micro"], *totals)
    assert len(result["missed"]) == totals[2]
    assert len(result["spurious"]) == totals[1]


def test_perfect_match_scores_one() -> None:
    doc = GoldDocument(name="doc.txt", text=TEXT, entities=[ALI, DAI])
    micro = score_entities([doc], [[DAI, ALI]], SCORED)["scores"]["micro"]
    assert (micro["p"], micro["r"], micro["f"]) == (1.0, 1.0, 1.0)


def test_micro_sums_over_labels_and_documents() -> None:
    other = "Tencent chief Pony Ma met Jack Ma."
    docs = [
        GoldDocument(name="a.txt", text=TEXT, entities=[ALI, DAI, TEN]),
        GoldDocument(name="b.txt", text=other,
                     entities=[span("Tencent", "ORG", other), span("Pony Ma", "PERSON", other)]),
    ]
    predictions = [
        [ALI, (DAI[0], DAI[1], "ORG")],
        [span("Tencent", "ORG", other), span("Pony Ma", "PERSON", other),
         span("Jack Ma", "PERSON", other)],
    ]
    scores = score_entities(docs, predictions, SCORED)["scores"]
    assert_scores(scores["ORG"], 2, 1, 1)
    assert_scores(scores["PERSON"], 1, 1, 1)
    for key in ("tp", "fp", "fn"):
        assert scores["micro"][key] == scores["ORG"][key] + scores["PERSON"][key]
    assert_scores(scores["micro"], 3, 2, 2)


def test_error_listings_name_document_and_text() -> None:
    other = "Tencent chief Pony Ma met Jack Ma."
    jack = span("Jack Ma", "PERSON", other)
    docs = [GoldDocument(name="a.txt", text=TEXT, entities=[ALI, DAI]),
            GoldDocument(name="b.txt", text=other, entities=[])]
    result = score_entities(docs, [[ALI], [jack]], SCORED)
    assert result["missed"] == [{"doc": "a.txt", "start": DAI[0], "end": DAI[1],
                                 "label": "PERSON", "text": "Trudy Dai Shan"}]
    assert result["spurious"] == [{"doc": "b.txt", "start": jack[0], "end": jack[1],
                                   "label": "PERSON", "text": "Jack Ma"}]


def test_score_entities_needs_one_prediction_list_per_document() -> None:
    doc = GoldDocument(name="a.txt", text=TEXT, entities=[ALI])
    with pytest.raises(ValueError):
        score_entities([doc, doc], [[ALI]], SCORED)


# --- predict_entities and evaluate with a tiny fake pipeline ---------------------------------

@pytest.fixture
def ruler_nlp() -> spacy.language.Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "ORG", "pattern": "Alibaba"},
        {"label": "ORG", "pattern": [{"TEXT": "European"}, {"TEXT": "Commission"}]},
        {"label": "PERSON", "pattern": [{"TEXT": "Trudy"}, {"TEXT": "Dai"}, {"TEXT": "Shan"}]},
        {"label": "PERSON", "pattern": [{"TEXT": "Peter"}, {"TEXT": "Blackburn"}]},
        {"label": "GPE", "pattern": "Tencent"},
    ])
    return nlp


def test_predict_entities_character_spans(ruler_nlp) -> None:
    docs = [GoldDocument(name="a.txt", text=TEXT, entities=[]),
            GoldDocument(name="b.txt", text="Nothing to see here.", entities=[])]
    predictions = predict_entities(ruler_nlp, docs, SCORED)
    assert len(predictions) == 2
    assert sorted(predictions[0]) == sorted([ALI, DAI])  # GPE is not a scored label
    assert predictions[1] == []


def test_evaluate_on_conll(ruler_nlp, conll_file: Path) -> None:
    metrics = evaluate(conll_file, ruler_nlp)
    assert metrics["gold"] == {"path": str(conll_file), "documents": 2}
    gold_total = sum(len(expected) for expected in CONLL_EXPECTED)
    micro = metrics["entities"]["micro"]
    # The ruler finds "Peter Blackburn" and "European Commission", both gold.
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 0, gold_total - 2)
    assert len(metrics["errors"]["entities"]["missed"]) == gold_total - 2
    assert metrics["errors"]["entities"]["spurious"] == []
    rows = dict(iter_metric_rows(metrics))
    assert set(rows) == {*SCORED, "micro"}


# --- seed gold and read_gold -------------------------------------------------------------------

def seed_records() -> list[dict]:
    with SEED_GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_read_seed_gold_spans_match_gold_text() -> None:
    records = seed_records()
    docs = read_seed_gold(SEED_GOLD, CORPUS)
    assert len(docs) == len(records) == 2
    for doc, record in zip(docs, records, strict=True):
        assert doc.name == record["doc"]
        assert doc.entities == [(e["start"], e["end"], e["label"]) for e in record["entities"]]
        assert doc.ignore == [(r["start"], r["end"]) for r in record.get("ignore", [])]
        assert doc.claims == record.get("claims", [])
        assert doc.entities
        for entity in record["entities"]:
            assert doc.text[entity["start"]:entity["end"]] == entity["text"]


def test_read_seed_gold_scores_itself_perfectly() -> None:
    docs = read_seed_gold(SEED_GOLD, CORPUS)
    scores = score_entities(docs, [d.entities for d in docs], ENTITY_LABELS)["scores"]
    assert scores["micro"]["fn"] == 0 and scores["micro"]["fp"] == 0
    assert scores["micro"]["tp"] > 0 and scores["micro"]["f"] == 1.0


@pytest.mark.parametrize("name", ["gold.conll", "GOLD.CONLL"])
def test_read_gold_conll(tmp_path: Path, name: str) -> None:
    path = write_conll(tmp_path / name, CONLL_DOCS)
    docs, labels = read_gold(path)
    assert labels == SCORED
    assert [d.text for d in docs] == [d.text for d in read_conll(path)]


def test_read_gold_csv(finer_file: Path) -> None:
    docs, labels = read_gold(finer_file)
    assert labels == SCORED
    assert [d.text for d in docs] == [text for text, _ in FINER_EXPECTED.values()]


@pytest.mark.parametrize("corpus_dir", [None, CORPUS])
def test_read_gold_seeds(corpus_dir: Path | None) -> None:
    docs, labels = read_gold(SEED_GOLD, corpus_dir)
    assert labels == ENTITY_LABELS
    assert [d.name for d in docs] == [r["doc"] for r in seed_records()]


@pytest.mark.parametrize("name", ["gold.txt", "gold.tsv", "gold", "gold.conll.bak"])
def test_read_gold_unknown_suffix(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("anything\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown gold format"):
        read_gold(path)
