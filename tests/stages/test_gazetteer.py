"""Stage org_gazetteer (spaCy span_ruler) with the patterns in models/patterns/organizations.jsonl."""

import pytest
import srsly

from pipeline.resources import spelling_variants
from tests.conftest import MODELS, add_span_ruler


@pytest.fixture(scope="module")
def gazetteer_nlp(gazetteer_patterns):
    import spacy

    nlp = spacy.blank("en")
    add_span_ruler(nlp, "org_gazetteer", gazetteer_patterns)
    return nlp


def test_every_pattern_is_an_org_with_an_id():
    records = list(srsly.read_jsonl(MODELS / "patterns" / "organizations.jsonl"))
    assert len(records) > 300
    assert all(r["label"] == "ORG" and r["id"] for r in records)
    assert len({r["pattern"] for r in records}) == len(records)


@pytest.mark.parametrize(
    ("pattern", "variant"),
    [
        ("Taobao/Tmall Commerce Group", "Taobao / Tmall Commerce Group"),
        ("Taobao/Tmall Commerce Group", "Taobao/ Tmall Commerce Group"),
        ("People's Daily", "People’s Daily"),
    ],
)
def test_spelling_variants(pattern, variant):
    assert variant in spelling_variants(pattern)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Taobao/ Tmall Commerce Group’s CEO spoke.",
         [("Taobao/ Tmall Commerce Group", "taobao_tmall_commerce_group")]),
        ("Alibaba Group Holding owns Lazada.", [("Alibaba Group Holding", "alibaba"), ("Lazada", "lazada")]),
        ("He read People’s Daily and the South China Morning Post.",
         [("People’s Daily", "peoples_daily"), ("South China Morning Post", "scmp")]),
        ("The apple fell from the tree.", []),
    ],
)
def test_gazetteer_matches_longest_names_with_ids(gazetteer_nlp, text, expected):
    doc = gazetteer_nlp(text)
    assert [(s.text, s.id_) for s in doc.spans["org_gazetteer"]] == expected
