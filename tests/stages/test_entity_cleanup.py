"""Stage newsclaims_entity_cleanup: model and rule candidates in, final ``doc.ents`` out.

The pretrained NER is simulated by presetting ``doc.ents`` on a blank pipeline, so each rule of
the cleanup is tested alone; the rule stages run for real with the data in ``models/``.
"""

from __future__ import annotations

import pytest
import spacy
import srsly
from spacy.language import Language

from pipeline.stages.entity_cleanup import Candidate, EntityCleanup, make_entity_priority_filter
from tests.conftest import MODELS, add_span_ruler


@pytest.fixture(scope="module")
def cleanup_nlp() -> Language:
    from pipeline.resources import read_gazetteer, read_records

    nlp = spacy.blank("en")
    furniture = nlp.add_pipe("newsclaims_page_furniture")
    furniture.initialize(records=read_records(str(MODELS / "lexicons" / "page_furniture.json")))
    add_span_ruler(nlp, "org_gazetteer",
                   read_gazetteer(str(MODELS / "patterns" / "organizations.jsonl")))
    add_span_ruler(nlp, "percent_rules",
                   read_gazetteer(str(MODELS / "patterns" / "percentages.jsonl")),
                   factory="newsclaims_cue_span_ruler")
    cues = nlp.add_pipe("newsclaims_person_cues")
    cues.initialize(patterns=list(srsly.read_jsonl(MODELS / "patterns" / "persons.jsonl")))
    nlp.add_pipe("newsclaims_cjk_names")
    cleanup = nlp.add_pipe("newsclaims_entity_cleanup")
    cleanup.initialize(
        metric_records=read_records(str(MODELS / "lexicons" / "business_metrics.json")),
        name_word_records=read_records(str(MODELS / "lexicons" / "name_words.json")))
    return nlp


def run(nlp: Language, text: str, model_ents: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Process ``text`` as if the NER had tagged ``model_ents`` (first occurrence of each)."""
    doc = nlp.make_doc(text)
    spans, cursor = [], 0
    for ent_text, label in model_ents:
        start = text.index(ent_text, cursor)
        cursor = start + len(ent_text)
        spans.append(doc.char_span(start, cursor, label=label))
    doc.ents = spans
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return [(e.text, e.label_) for e in doc.ents]


@pytest.mark.parametrize(
    ("text", "model_ents", "expected"),
    [
        # possessives and punctuation are trimmed
        ("Louis Cha Leung-yung’s novel sold well.", [("Louis Cha Leung-yung’s", "PERSON")],
         [("Louis Cha Leung-yung", "PERSON")]),
        # an entity never spans a line break
        ("Acme Holdings\n\nMa said so.", [("Acme Holdings\n\nMa", "ORG")],
         [("Acme Holdings", "ORG")]),
        # business metrics are not organisations
        ("The focus shifts from GMV to Daily Active Users.",
         [("GMV", "ORG"), ("Daily Active Users", "ORG")], []),
        # the gazetteer corrects the model's label
        ("Shares of Alibaba and Pinduoduo fell.", [("Alibaba", "GPE"), ("Pinduoduo", "PERSON")],
         [("Alibaba", "ORG"), ("Pinduoduo", "ORG")]),
        # names joined by "&" are separate organisations
        ("Taobao & Tmall’s market share fell.", [("Taobao & Tmall’s", "ORG")],
         [("Taobao", "ORG"), ("Tmall", "ORG")]),
        # a model name that extends a gazetteer name is kept whole
        ("Alibaba Cloud Intelligence Unit grew.", [("Alibaba Cloud Intelligence Unit", "ORG")],
         [("Alibaba Cloud Intelligence Unit", "ORG")]),
        # the qualifier belongs to the percentage
        ("Share fell from >75% to about 50% and more than 80 per cent.",
         [("75%", "PERCENT"), ("about 50%", "PERCENT"), ("80 per cent", "PERCENT")],
         [(">75%", "PERCENT"), ("about 50%", "PERCENT"), ("more than 80 per cent", "PERCENT")]),
        # an honorific is not part of the name, and marks a person
        ("Mr Cecil declined to comment.", [("Mr Cecil", "ORG")], [("Cecil", "PERSON")]),
        # a legal suffix or organisation head word marks an organisation
        ("Patriot Coal filed for bankruptcy.", [("Patriot Coal", "PERSON")],
         [("Patriot Coal", "ORG")]),
        # a person that is the start of an organisation's name in the document is that org
        ("Miller Kaplan Arase LLP audits it. Miller Kaplan said so.",
         [("Miller Kaplan Arase LLP", "ORG"), ("Miller Kaplan", "PERSON")],
         [("Miller Kaplan Arase LLP", "ORG"), ("Miller Kaplan", "ORG")]),
        # names without capitals, with digits or URLs are dropped
        ("The treasury said US44.10 was paid.", [("treasury", "ORG"), ("US44.10", "PERSON")], []),
        # Chinese characters beside a name take its label
        ("CEO Trudy Shan Dai (戴珊) spoke.", [("Trudy Shan Dai", "PERSON")],
         [("Trudy Shan Dai", "PERSON"), ("戴珊", "PERSON")]),
        # names found by cues, with their Chinese names
        ("CFO Li Bo (李博) and Wan Lin (万霖) left.", [],
         [("Li Bo", "PERSON"), ("李博", "PERSON"), ("Wan Lin", "PERSON"), ("万霖", "PERSON")]),
        # a part of a person's full name is that person; a model's one-word guess is replaced
        ("Trudy Dai Shan leads. It is the first move by Dai, who joined early.",
         [("Trudy Dai Shan", "PERSON"), ("Dai", "ORG")],
         [("Trudy Dai Shan", "PERSON"), ("Dai", "PERSON")]),
        # ... but not when glued to another capitalised word
        ("Jack Ma spoke. Jack Dorsey did not.", [("Jack Ma", "PERSON")], [("Jack Ma", "PERSON")]),
        # nothing is tagged inside page furniture
        ("Advertisement\nAlibaba grew.", [("Advertisement", "ORG"), ("Alibaba", "ORG")],
         [("Alibaba", "ORG")]),
        # other labels from the model are kept for later stages
        ("Alibaba grew on Thursday.", [("Alibaba", "ORG"), ("Thursday", "DATE")],
         [("Alibaba", "ORG"), ("Thursday", "DATE")]),
    ],
)
def test_cleanup(cleanup_nlp, text, model_ents, expected):
    assert run(cleanup_nlp, text, model_ents) == expected


def test_provenance_names_stage_and_rule(cleanup_nlp):
    doc = cleanup_nlp.make_doc("Alibaba met Jack Ma.")
    doc.ents = [doc.char_span(12, 19, label="PERSON")]
    for _, proc in cleanup_nlp.pipeline:
        doc = proc(doc)
    provenance = {e.text: e._.provenance for e in doc.ents}
    assert provenance["Alibaba"]["stage"] == "org_gazetteer"
    assert provenance["Alibaba"]["rule"] == "alibaba"
    assert provenance["Jack Ma"]["stage"] == "ner"
    assert provenance["Jack Ma"]["rule"] is None


def test_offsets_stay_in_original_text(cleanup_nlp):
    text = "Reading Time:2 minutes\n  Taobao/ Tmall Commerce Group’s CEO Trudy Shan Dai (戴珊)"
    doc = cleanup_nlp.make_doc(text)
    for _, proc in cleanup_nlp.pipeline:
        doc = proc(doc)
    assert doc.ents
    for ent in doc.ents:
        assert text[ent.start_char:ent.end_char] == ent.text


@pytest.mark.parametrize(
    ("candidates", "kept"),
    [
        ([("a", 0, 2, 1), ("b", 1, 3, 3)], ["b"]),  # higher priority wins
        ([("a", 0, 3, 2), ("b", 1, 2, 2)], ["a"]),  # then the longer span
        ([("a", 0, 2, 2), ("b", 2, 4, 2)], ["a", "b"]),  # no overlap: both
    ],
)
def test_priority_filter(candidates, kept):
    choose = make_entity_priority_filter()
    cands = [Candidate(s, e, "ORG", name, None, p, 1.0) for name, s, e, p in candidates]
    assert [c.stage for c in choose(cands)] == kept


def test_round_trip(cleanup_nlp, tmp_path):
    cleanup: EntityCleanup = cleanup_nlp.get_pipe("newsclaims_entity_cleanup")
    cleanup.to_disk(tmp_path / "cleanup")
    nlp = spacy.blank("en")
    loaded = nlp.add_pipe("newsclaims_entity_cleanup").from_disk(tmp_path / "cleanup")
    assert loaded.metric_terms == cleanup.metric_terms
    assert loaded.name_words == cleanup.name_words


@pytest.mark.parametrize(
    ("text", "model_ents", "expected"),
    [
        # company cues outweigh the model's "person" votes, for every mention of the name
        ("Shares in Norvale rose. Norvale said profits grew. Norvale hired staff.",
         [("Norvale", "PERSON"), ("Norvale", "PERSON"), ("Norvale", "PERSON")],
         [("Norvale", "ORG"), ("Norvale", "ORG"), ("Norvale", "ORG")]),
        # a head noun before the name, a title after it
        ("The cement firm Tarrow grew. Tarrow chairman Ada Brenner left.",
         [("Tarrow", "PERSON"), ("Tarrow", "GPE"), ("Ada Brenner", "PERSON")],
         [("Tarrow", "ORG"), ("Tarrow", "ORG"), ("Ada Brenner", "PERSON")]),
        # a bare title after a name is that person's title, not a company cue
        ("Norvale named Tarek Osgood chairman in 2014.", [("Norvale", "ORG"), ("Tarek Osgood", "PERSON")],
         [("Norvale", "ORG"), ("Tarek Osgood", "PERSON")]),
        # an apposition headed by a company noun
        ("Kestrel, the world's biggest winemaker, grew. Kestrel said so.",
         [("Kestrel", "PERSON"), ("Kestrel", "PERSON")], [("Kestrel", "ORG"), ("Kestrel", "ORG")]),
        # a given name and a surname, or an apposition headed by a job, keep a person
        ("Ada Brenner, a fund manager at Kestrel, spoke. Brenner said so.",
         [("Ada Brenner", "ORG"), ("Kestrel", "ORG"), ("Brenner", "ORG")],
         [("Ada Brenner", "PERSON"), ("Kestrel", "ORG"), ("Brenner", "PERSON")]),
        # the "person" vote of a surname follows the full name the model calls a person
        ("Rolf Dassow spoke. Then Dassow left. Dassow was tired.",
         [("Rolf Dassow", "PERSON"), ("Dassow", "ORG"), ("Dassow", "ORG")],
         [("Rolf Dassow", "PERSON"), ("Dassow", "PERSON"), ("Dassow", "PERSON")]),
        # a place that only modifies the phrase keeps its label ("Germany's Tarrow", "US firm")
        ("Shares in Germany's Tarrow fell, as did the US firm Kestrel.",
         [("Germany", "GPE"), ("Tarrow", "ORG"), ("US", "GPE"), ("Kestrel", "ORG")],
         [("Germany", "GPE"), ("Tarrow", "ORG"), ("US", "GPE"), ("Kestrel", "ORG")]),
        # untagged occurrences of a name tagged ORG in the document are ORG mentions too
        ("The firm Norvale grew. Analysts said Norvale would hire.", [("Norvale", "ORG")],
         [("Norvale", "ORG"), ("Norvale", "ORG")]),
        # ... but not inside a longer capitalised name
        ("Norvale grew. Norvale Foods did not.", [("Norvale", "ORG")], [("Norvale", "ORG")]),
        # a month word is a company only with its own cue and a longer company name it starts
        ("May Department Stores grew. May's chairman left in May.",
         [("May Department Stores", "ORG"), ("May", "DATE"), ("May", "DATE")],
         [("May Department Stores", "ORG"), ("May", "ORG"), ("May", "DATE")]),
        # a person's employer, a company of a country, "the venture - X"
        ("Analyst Anna Brenner of Kestrel Dawes said so.",
         [("Anna Brenner", "PERSON"), ("Kestrel Dawes", "PERSON")],
         [("Anna Brenner", "PERSON"), ("Kestrel Dawes", "ORG")]),
        ("Italy's Orsa Valli grew. Italy's Orsa Valli hired.",
         [("Italy", "GPE"), ("Orsa Valli", "PERSON"), ("Italy", "GPE"), ("Orsa Valli", "PERSON")],
         [("Italy", "GPE"), ("Orsa Valli", "ORG"), ("Italy", "GPE"), ("Orsa Valli", "ORG")]),
        ("They formed the venture - Tarrow Alcotec.", [("Tarrow Alcotec", "PERSON")],
         [("Tarrow Alcotec", "ORG")]),
        # ... but what only a person has keeps a person ("X's assistant")
        ("Italy's Orsa Valli spoke. Orsa Valli's assistant left.",
         [("Italy", "GPE"), ("Orsa Valli", "PERSON"), ("Orsa Valli", "PERSON")],
         [("Italy", "GPE"), ("Orsa Valli", "PERSON"), ("Orsa Valli", "PERSON")]),
        # a company noun before a possessive name: "publisher X's purchase"
        ("The music publisher Kestrel's purchase closed.", [("Kestrel", "PERSON")], [("Kestrel", "ORG")]),
        # a leading cue noun is not part of the name, and says what the name is
        ("They bought broadcaster Kestrel's stake.", [("broadcaster Kestrel", "PERSON")], [("Kestrel", "ORG")]),
        # the object of "makes" is a product
        ("Norvale, which makes Brisk Rye, grew.", [("Norvale", "ORG"), ("Brisk Rye", "PERSON")],
         [("Norvale", "ORG")]),
        # a model "person" right after "the", or the plural of another name, is no person
        ("The Harlow, Essex-based company grew.", [("Harlow", "PERSON")], []),
        ("Tarrow Vance grew. Tarrow Vances sell well.", [("Tarrow Vance", "ORG"), ("Tarrow Vances", "PERSON")],
         [("Tarrow Vance", "ORG")]),
        # titles are no names: alone, at the start of a name, at the end of an organisation
        ("The Chief Executive said so.", [("Chief Executive", "ORG")], []),
        ("Norvale CFO Anna Brenner left.", [("Norvale CFO", "ORG"), ("Anna Brenner", "PERSON")],
         [("Norvale", "ORG"), ("Anna Brenner", "PERSON")]),
        ("Managing Director Rolf Dassow left.", [("Managing Director Rolf Dassow", "PERSON")],
         [("Rolf Dassow", "PERSON")]),
        # products are no entities: a product noun after the name, a list opened by "brands such as"
        ("Norvale makes the popular Brisk lager. Brisk sells well.",
         [("Norvale", "ORG"), ("Brisk", "ORG"), ("Brisk", "PERSON")], [("Norvale", "ORG")]),
        ("Its brands include Tarrow Rye, Old Harlan and Brisk.",
         [("Tarrow Rye", "ORG"), ("Old Harlan", "PERSON"), ("Brisk", "ORG")], []),
        # ... but a company cue elsewhere in the document keeps the company
        ("Shares in Brisk rose. It sells Brisk lager.", [("Brisk", "PERSON"), ("Brisk", "ORG")],
         [("Brisk", "ORG"), ("Brisk", "ORG")]),
        # the EU is not an organisation
        ("The EU set a target for Norvale.", [("EU", "ORG"), ("Norvale", "ORG")], [("Norvale", "ORG")]),
        # a final "'s" that cannot be a possessive is part of the name, in every mention
        ("Brack's owner grew. Stores like Brack's, Olden's and Pye sold well.",
         [("Brack", "ORG"), ("Brack", "ORG"), ("Olden", "ORG"), ("Pye", "ORG")],
         [("Brack's", "ORG"), ("Brack's", "ORG"), ("Olden's", "ORG"), ("Pye", "ORG")]),
        # ... while a possessive stays outside the name
        ("Norvale's owner grew.", [("Norvale", "ORG")], [("Norvale", "ORG")]),
    ],
)
def test_document_labels(cleanup_nlp, text, model_ents, expected):
    assert run(cleanup_nlp, text, model_ents) == expected


@pytest.mark.parametrize(
    ("text", "name", "kept"),
    [
        ("France economy shows a weak recovery", "France", True),           # "shows" is a verb here
        ("The UK shows faster growth than expected", "UK", True),
        ("Drinkers bought more Halvard beer.", "Halvard", False),          # a product noun after it
        ("Norvale launched the Brightwater shampoo range in May.", "Brightwater", False),
    ],
)
def test_a_brand_noun_must_be_a_noun(nlp, text, name, kept):
    assert any(e.text == name for e in nlp(text).ents) is kept
