"""Entity resolution (pipeline/resolution.py): which mentions are the same entity.

Pure data in, ids out: no spaCy model. Within-document cases are tables of a text, its mentions
(in text order) and a pattern of letters: mentions with the same letter must get the same id,
mentions with different letters different ids.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys

import pytest

from pipeline.resolution import (
    EntityRecord,
    EntityResolver,
    Mention,
    NameLexicon,
    acronym_matches,
    entity_id,
    entity_key,
    load_alias_file,
    load_lexicon,
    mention_from_claim,
    records_from_jsonl,
    same_entity,
)
from tests.conftest import CORPUS, MODELS, REPO, SEED_GOLD

T1, T2, T3 = "2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00", "2024-03-01T00:00:00+00:00"


def make_mentions(doc_id: str, text: str, items: list[tuple]) -> list[Mention]:
    """Mentions for ``(surface, label[, rule])`` items, found in text order as whole words."""
    found, pos = [], 0
    for item in items:
        surface, label, rule = (*item, None)[:3]
        match = re.compile(r"(?<!\w)" + re.escape(surface) + r"(?!\w)").search(text, pos)
        assert match, f"{surface!r} not found after {pos}"
        found.append(Mention(doc_id, match.start(), match.end(), surface, label, rule))
        pos = match.end()
    return found


def resolve(resolver: EntityResolver, doc_id: str, text: str, items: list[tuple],
            seen_at: str = T1) -> list[str]:
    mentions = make_mentions(doc_id, text, items)
    ids = resolver.resolve_document(doc_id, text, mentions, seen_at=seen_at)
    return [ids[(m.start, m.end)] for m in mentions]


def assert_pattern(ids: list[str], pattern: str) -> None:
    assert len(ids) == len(pattern)
    for (a, pa), (b, pb) in itertools.combinations(zip(ids, pattern, strict=True), 2):
        assert (a == b) == (pa == pb), (pattern, ids)


PER, ORG = "PERSON", "ORG"

WITHIN = {
    "surname after full name": (
        "Trudy Dai Shan heads the unit. Later, Dai said the unit would grow.",
        [("Trudy Dai Shan", PER), ("Dai", PER)], "AA"),
    "surname after full name (Ma)": (
        "Jack Ma called a meeting. Ma, who is now retired, spoke for an hour.",
        [("Jack Ma", PER), ("Ma", PER)], "AA"),
    "given name and two-token part": (
        "Trudy Dai Shan spoke. Trudy Dai then left, and Trudy came back.",
        [("Trudy Dai Shan", PER), ("Trudy Dai", PER), ("Trudy", PER)], "AAA"),
    "honorific": (
        "Jack Ma spoke first. Mr Ma said the plan was final.",
        [("Jack Ma", PER), ("Mr Ma", PER)], "AA"),
    "surname in a headline before the full name": (
        "Ma returns to Hangzhou\nJack Ma visited the campus on Monday.",
        [("Ma", PER), ("Jack Ma", PER)], "AA"),
    "organisation leading words": (
        "Alibaba Group Holding restructured its units. Alibaba said the change was immediate.",
        [("Alibaba Group Holding", ORG), ("Alibaba", ORG)], "AA"),
    "organisation without a completion word": (
        "Taobao Marketplace is the biggest. Taobao grew again.",
        [("Taobao Marketplace", ORG), ("Taobao", ORG)], "AA"),
    "a unit is not its leading word": (
        "Taobao/Tmall Commerce Group runs Taobao, Tmall and Taobao Live.",
        [("Taobao/Tmall Commerce Group", ORG), ("Taobao", ORG), ("Tmall", ORG), ("Taobao Live", ORG)], "ABCD"),
    "Chinese name in brackets": (
        "Attendees include CEO Trudy Shan Dai (戴珊) and Wang Hai (汪海).",
        [("Trudy Shan Dai", PER), ("戴珊", PER), ("Wang Hai", PER), ("汪海", PER)], "AABB"),
    "romanised name in brackets after a Chinese name": (
        "戴珊 (Trudy Dai) leads the group.",
        [("戴珊", PER), ("Trudy Dai", PER)], "AA"),
    "nickname after a relative clause": (
        "Trudy Dai Shan leads the unit. Dai, who has worked across many segments in Alibaba, "
        "is known inside the company as Su Quan.",
        [("Trudy Dai Shan", PER), ("Dai", PER), ("Alibaba", ORG), ("Su Quan", PER)], "AABA"),
    "nickname: the nearest name in the clause is not the antecedent": (
        "Dai, who replaced Jiang Fan, is known as Su Quan.",
        [("Dai", PER), ("Jiang Fan", PER), ("Su Quan", PER)], "ABA"),
    "nickname cues": (
        "Joseph Chen, nicknamed Big Joe, met Anna Wu, also called Annie, and Meta (formerly Facebook).",
        [("Joseph Chen", PER), ("Big Joe", PER), ("Anna Wu", PER), ("Annie", PER), ("Meta", ORG),
         ("Facebook", ORG)],
        "AABBCC"),
    "'what is known as' introduces no nickname": (
        "Alibaba launched what is known as Taobao Deals.",
        [("Alibaba", ORG), ("Taobao Deals", ORG)], "AB"),
    "'a unit, known as' introduces no nickname": (
        "Alibaba set up a unit, known as Taobao Deals, last year.",
        [("Alibaba", ORG), ("Taobao Deals", ORG)], "AB"),
    "acronym in brackets, then alone": (
        "Alibaba set up Taobao and Tmall Group (TTG) this year. TTG will report to the board.",
        [("Alibaba", ORG), ("Taobao and Tmall Group", ORG), ("TTG", ORG), ("TTG", ORG)], "ABBB"),
    "acronym in brackets that is not a mention": (
        "Alibaba set up Taobao and Tmall Group (TTG) this year. TTG will report to the board.",
        [("Alibaba", ORG), ("Taobao and Tmall Group", ORG), ("TTG", ORG)], "ABB"),
    "an acronym that does not match the initials": (
        "Alibaba Group Holding (BABA) rose. BABA fell later.",
        [("Alibaba Group Holding", ORG), ("BABA", ORG), ("BABA", ORG)], "ABB"),
    "two persons share a surname: the surname links to neither": (
        "Executives Liu Peng and Liu Yiman attended. Liu said the meeting was long.",
        [("Liu Peng", PER), ("Liu Yiman", PER), ("Liu", PER)], "ABC"),
    "two persons share a surname, even when one is named again": (
        "Jack Ma and Pony Ma met. Jack Ma left. Ma stayed.",
        [("Jack Ma", PER), ("Pony Ma", PER), ("Jack Ma", PER), ("Ma", PER)], "ABAC"),
    "name-order variants in one document": (
        "Trudy Dai Shan was promoted. Trudy Shan Dai now leads the group.",
        [("Trudy Dai Shan", PER), ("Trudy Shan Dai", PER)], "AA"),
    "organisation and person with the same text": (
        "Michael Dell founded Dell. Dell said Dell would expand.",
        [("Michael Dell", PER), ("Dell", ORG), ("Dell", PER), ("Dell", ORG)], "ABAB"),
    "gazetteer id links names that keys cannot": (
        "Yu'e Bao grew. Analysts said Yuebao was the largest fund.",
        [("Yu'e Bao", ORG, "yuebao"), ("Yuebao", ORG, "yuebao")], "AA"),
    "without a gazetteer id they stay apart": (
        "Yu'e Bao grew. Analysts said Yuebao was the largest fund.",
        [("Yu'e Bao", ORG), ("Yuebao", ORG)], "AB"),
    "a person pattern id is not an entity id": (
        "Wang Hai (汪海) and Liu Peng (刘鹏) attended.",
        [("Wang Hai", PER, "name_then_cjk"), ("汪海", PER), ("Liu Peng", PER, "name_then_cjk"), ("刘鹏", PER)],
        "AABB"),
}


@pytest.mark.parametrize("case", list(WITHIN), ids=list(WITHIN))
def test_within_document(case: str) -> None:
    text, items, pattern = WITHIN[case]
    assert_pattern(resolve(EntityResolver(), "d1", text, items), pattern)


def test_context_aliases_link_and_become_aliases() -> None:
    text = "Zhang Wei leads the lab. Colleagues call him Professor Z. Zhang Wei said Big Z agreed."
    ms = make_mentions("d1", text, [("Zhang Wei", PER), ("Zhang Wei", PER), ("Big Z", PER)])
    ms[0] = Mention("d1", ms[0].start, ms[0].end, ms[0].text, PER, context_aliases=("Big Z",))
    resolver = EntityResolver()
    ids = resolver.resolve_document("d1", text, ms, seen_at=T1)
    assert len(set(ids.values())) == 1
    assert resolver.records()[0].aliases == ["Big Z", "Zhang Wei"]


def test_percent_and_other_labels_are_ignored() -> None:
    text = "Alibaba said about 50% of users stayed."
    ms = make_mentions("d1", text, [("Alibaba", ORG), ("about 50%", "PERCENT")])
    ids = EntityResolver().resolve_document("d1", text, ms, seen_at=T1)
    assert list(ids) == [(ms[0].start, ms[0].end)]


# ---------------------------------------------------------------- across documents


def test_name_order_variant_in_another_document() -> None:
    r = EntityResolver()
    [a] = resolve(r, "d1", "Trudy Dai Shan leads it.", [("Trudy Dai Shan", PER)])
    [b, c] = resolve(r, "d2", "CEO Trudy Shan Dai (戴珊) spoke.", [("Trudy Shan Dai", PER), ("戴珊", PER)])
    [d] = resolve(r, "d3", "Trudy Dai spoke.", [("Trudy Dai", PER)])
    [e] = resolve(r, "d4", "戴珊 spoke.", [("戴珊", PER)])
    assert a == b == c == d == e
    [record] = r.records()
    assert record.name == "Trudy Dai Shan"
    assert record.documents == ["d1", "d2", "d3", "d4"]


def test_spelling_variants_merge() -> None:
    r = EntityResolver()
    ids = [resolve(r, f"d{i}", f"The {name} said.", [(name, ORG)])[0] for i, name in enumerate(
        ["Taobao/ Tmall Commerce Group", "Taobao / Tmall Commerce Group", "Taobao/Tmall Commerce Group"])]
    ids += resolve(r, "d9", "People’s Daily and People's Daily.",
                   [("People’s Daily", ORG), ("People's Daily", ORG)])
    assert len(set(ids[:3])) == 1 and len(set(ids[3:])) == 1 and ids[0] != ids[3]
    assert r.record(ids[0]).name == "Taobao/Tmall Commerce Group"


def test_legal_suffix_variants_merge() -> None:
    r = EntityResolver()
    [a] = resolve(r, "d1", "Alibaba Group Holding Ltd. reported.", [("Alibaba Group Holding Ltd.", ORG)])
    [b] = resolve(r, "d2", "Alibaba reported.", [("Alibaba", ORG)])
    [c] = resolve(r, "d3", "Alibaba Group reported.", [("Alibaba Group", ORG)])
    [t] = resolve(r, "d4", "Taobao/Tmall Commerce Group and Tmall.", [("Taobao/Tmall Commerce Group", ORG)])
    assert a == b == c != t
    assert r.record(a).name == "Alibaba Group Holding Ltd."


def test_same_surname_never_merges_across_documents() -> None:
    r = EntityResolver()
    [peng] = resolve(r, "d1", "Liu Peng spoke.", [("Liu Peng", PER)])
    [yiman] = resolve(r, "d2", "Liu Yiman spoke.", [("Liu Yiman", PER)])
    [liu] = resolve(r, "d3", "Liu spoke.", [("Liu", PER)])
    [liu_again] = resolve(r, "d4", "Liu spoke.", [("Liu", PER)])
    assert len({peng, yiman, liu, liu_again}) == 4


def test_lone_surname_in_another_document_stays_apart() -> None:
    r = EntityResolver()
    jack, ma = resolve(r, "d1", "Jack Ma spoke. Ma left.", [("Jack Ma", PER), ("Ma", PER)])
    [lone] = resolve(r, "d2", "Ma said nothing. Ma left.", [("Ma", PER)])
    assert jack == ma != lone
    assert r.record(lone).documents == ["d2"]


def test_labels_never_merge_across_documents() -> None:
    r = EntityResolver()
    [org] = resolve(r, "d1", "Jack Ma Holdings said.", [("Jack Ma", ORG)])
    [person] = resolve(r, "d2", "Jack Ma said.", [("Jack Ma", PER)])
    assert org != person


def test_gazetteer_ids_merge_across_documents() -> None:
    r = EntityResolver()
    [a] = resolve(r, "d1", "Taobao grew.", [("Taobao", ORG, "taobao")])
    [b] = resolve(r, "d2", "Taobao Marketplace grew.", [("Taobao Marketplace", ORG, "taobao")])
    [c] = resolve(r, "d3", "Taobao Live grew.", [("Taobao Live", ORG, "taobao_live")])
    assert a == b != c
    assert r.record(a).rules == ["taobao"]


def test_short_organisation_name_in_another_document() -> None:
    r = EntityResolver()
    [a] = resolve(r, "d1", "Cisco Systems Inc. said.", [("Cisco Systems Inc.", ORG)])
    [b] = resolve(r, "d2", "Cisco said.", [("Cisco", ORG)])
    [c] = resolve(r, "d3", "Cisco Capital said.", [("Cisco Capital", ORG)])
    assert a == b != c


def test_a_bridging_document_merges_two_records() -> None:
    r = EntityResolver()
    [meta] = resolve(r, "d1", "Meta said.", [("Meta", ORG)])
    [facebook] = resolve(r, "d2", "Facebook said.", [("Facebook", ORG)])
    assert meta != facebook
    both = resolve(r, "d3", "Meta (formerly Facebook) said.", [("Meta", ORG), ("Facebook", ORG)])
    [record] = r.records()
    assert set(both) == {record.id} and record.id in (meta, facebook)
    old = facebook if record.id == meta else meta
    assert record.merged_ids == [old] and r.canonical_id(old) == record.id == r.redirects[old]
    assert record.mention_count == 4 and record.documents == ["d1", "d2", "d3"]


def test_alias_table_from_the_lexicon() -> None:
    r = EntityResolver()
    [a] = resolve(r, "d1", "Pony Ma spoke.", [("Pony Ma", PER)])
    [b] = resolve(r, "d2", "Ma Huateng spoke.", [("Ma Huateng", PER)])
    assert a == b
    assert r.record(a).name == "Pony Ma"


def test_user_alias_file_extends_a_persons_aliases(tmp_path) -> None:
    lexicon = {**load_lexicon(), "aliases": []}  # without the shipped table
    bare = EntityResolver(lexicon=lexicon)
    [a] = resolve(bare, "d1", "Jack Ma spoke.", [("Jack Ma", PER)])
    [b] = resolve(bare, "d2", "Ma Yun spoke.", [("Ma Yun", PER)])
    assert a != b

    path = tmp_path / "aliases.jsonl"
    path.write_text(json.dumps({"name": "Jack Ma", "label": "PERSON", "aliases": ["Ma Yun"]}) + "\n",
                    encoding="utf-8")
    r = EntityResolver(alias_table=load_alias_file(path), lexicon=lexicon)
    [a] = resolve(r, "d1", "Jack Ma spoke.", [("Jack Ma", PER)])
    [b] = resolve(r, "d2", "Ma Yun spoke.", [("Ma Yun", PER)])
    [c] = resolve(r, "d3", "Jack Ma Holdings said.", [("Jack Ma", ORG)])
    assert a == b != c
    record = r.record(a)
    assert record.aliases == ["Jack Ma", "Ma Yun"] and record.name == "Jack Ma"

    as_list = tmp_path / "aliases.json"
    as_list.write_text(json.dumps([{"name": "Jack Ma", "label": "PERSON", "aliases": ["Ma Yun"]}]),
                       encoding="utf-8")
    assert load_alias_file(as_list) == load_alias_file(path)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"aliases": ["x"]}]), encoding="utf-8")
    with pytest.raises(ValueError, match="name and a label"):
        load_alias_file(bad)


# ---------------------------------------------------------------- ids, records, store


SYNTHETIC = [
    ("s1", "Trudy Dai Shan leads Alibaba Group Holding Ltd. Dai said Alibaba would grow.",
     [("Trudy Dai Shan", PER), ("Alibaba Group Holding Ltd.", ORG), ("Dai", PER), ("Alibaba", ORG)]),
    ("s2", "CEO Trudy Shan Dai (戴珊) and Liu Peng (刘鹏) met at Alibaba Group. Taobao Marketplace grew.",
     [("Trudy Shan Dai", PER), ("戴珊", PER), ("Liu Peng", PER), ("刘鹏", PER), ("Alibaba Group", ORG),
      ("Taobao Marketplace", ORG)]),
    ("s3", "Liu Yiman and Liu Peng met. Liu spoke. Taobao and Taobao/ Tmall Commerce Group grew.",
     [("Liu Yiman", PER), ("Liu Peng", PER), ("Liu", PER), ("Taobao", ORG),
      ("Taobao/ Tmall Commerce Group", ORG)]),
]


def _resolve_all(docs, resolver=None) -> tuple[EntityResolver, dict]:
    resolver = resolver or EntityResolver()
    out = {}
    for doc_id, text, items in docs:
        for m, i in zip(make_mentions(doc_id, text, items), resolve(resolver, doc_id, text, items),
                        strict=True):
            out[(doc_id, m.start)] = i
    return resolver, {k: resolver.canonical_id(v) for k, v in out.items()}


def test_ids_do_not_depend_on_the_order_of_documents() -> None:
    _, first = _resolve_all(SYNTHETIC)
    for order in itertools.permutations(SYNTHETIC):
        _, ids = _resolve_all(order)
        assert ids == first


def test_ids_derive_from_label_and_key() -> None:
    r, ids = _resolve_all(SYNTHETIC)
    trudy = ids[("s1", 0)]
    assert trudy == entity_id("PERSON", "dai shan trudy") == r.record(trudy).id
    assert r.record(trudy).key == "dai shan trudy"
    assert ids[("s1", SYNTHETIC[0][1].index("Alibaba"))] == entity_id("ORG", "alibaba")
    assert entity_id("ORG", "alibaba") != entity_id("PERSON", "alibaba")


def test_records_round_trip_and_restart_from_the_store(tmp_path) -> None:
    one_pass, ids = _resolve_all(SYNTHETIC)
    first, _ = _resolve_all(SYNTHETIC[:2])
    stored = [json.loads(json.dumps(rec.to_dict(), ensure_ascii=False)) for rec in first.records()]
    assert [EntityRecord.from_dict(d) for d in stored] == first.records()
    path = tmp_path / "entities.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in stored), encoding="utf-8")

    restarted, later = _resolve_all(SYNTHETIC[2:], EntityResolver(records_from_jsonl(path)))
    assert {k: v for k, v in ids.items() if k[0] == "s3"} == later
    assert [r.to_dict() for r in restarted.records()] == [r.to_dict() for r in one_pass.records()]


def test_records_from_jsonl_keeps_the_latest_version(tmp_path) -> None:
    base = {"label": "ORG", "aliases": ["Meta"], "mention_count": 1, "documents": ["d1"],
            "first_seen": T1, "last_seen": T1}
    lines = [{"id": "ent_a", "name": "Meta", **base}, {"id": "ent_b", "name": "Facebook", **base},
             {"id": "ent_a", "name": "Meta", **base, "mention_count": 3, "merged_ids": ["ent_b"]}]
    path = tmp_path / "entities.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in lines) + '{"id": "torn', encoding="utf-8")
    [record] = records_from_jsonl(path)
    assert record.id == "ent_a" and record.mention_count == 3
    assert EntityResolver([record]).canonical_id("ent_b") == "ent_a"


def test_counts_documents_and_times() -> None:
    r = EntityResolver()
    text = "Jack Ma spoke. Ma left."
    items = [("Jack Ma", PER), ("Ma", PER)]
    resolve(r, "d2", text, items, seen_at=T2)
    resolve(r, "d1", "Jack Ma spoke.", [("Jack Ma", PER)], seen_at=T1)
    resolve(r, "d3", "Jack Ma spoke.", [("Jack Ma", PER)], seen_at=T3)
    resolve(r, "d2", text, items, seen_at=T3)  # the same document again: nothing counted twice
    [record] = r.records()
    assert record.mention_count == 4 and record.documents == ["d1", "d2", "d3"]
    assert (record.first_seen, record.last_seen) == (T1, T3)
    assert record.aliases == ["Jack Ma", "Ma"]


def test_mention_from_claim_keeps_gazetteer_ids_only() -> None:
    claim = {"type": "entity", "label": "ORG", "text": "Alibaba",
             "evidence": {"doc_id": "d", "start": 0, "end": 7, "text": "Alibaba"},
             "provenance": {"stage": "org_gazetteer", "rule": "alibaba"}}
    assert mention_from_claim(claim) == Mention("d", 0, 7, "Alibaba", "ORG", "alibaba")
    claim["provenance"] = {"stage": "person_cues", "rule": "name_then_cjk"}
    assert mention_from_claim(claim).rule is None


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize(("a", "b", "label", "same"), [
    ("Trudy Dai Shan", "Trudy Shan Dai", PER, True),
    ("Trudy Dai Shan", "Trudy Dai", PER, True),
    ("Mr. Jack Ma", "Jack Ma", PER, True),
    ("Martin Luther King Jr.", "Martin Luther King", PER, True),
    ("Louis Cha Leung-yung", "Louis Cha Leungyung", PER, True),
    ("Liu Peng", "Liu Yiman", PER, False),
    ("Liu", "Liu Peng", PER, False),
    ("Trudy Dai", "Dai Shan", PER, False),
    ("Taobao/ Tmall Commerce Group", "Taobao / Tmall Commerce Group", ORG, True),
    ("Taobao/Tmall Commerce Group", "Taobao", ORG, False),
    ("Taobao/Tmall Commerce Group", "Tmall", ORG, False),
    ("Taobao/Tmall Commerce Group", "Taobao/Tmall Commerce", ORG, False),
    ("Taobao and Tmall Group", "Taobao & Tmall Group", ORG, True),
    ("Taobao and Tmall Group", "Taobao and Tmall", ORG, False),
    ("Global Digital Commerce Group", "Global Digital Commerce", ORG, False),
    ("Alibaba Group Holding Ltd.", "Alibaba", ORG, True),
    ("Alibaba Group Holding Limited", "Alibaba Group", ORG, True),
    ("China Evergrande Group", "China Evergrande", ORG, True),
    ("HSBC Holdings plc", "HSBC", ORG, True),
    ("Goldman Sachs & Co.", "Goldman Sachs", ORG, True),
    ("The Walt Disney Company", "Walt Disney", ORG, True),
    ("Alibaba’s", "Alibaba", ORG, True),
    ("People’s Daily", "People's Daily", ORG, True),
    ("Ele.me", "Eleme", ORG, True),
    ("Alibaba Cloud", "Alibaba", ORG, False),
    ("Group", "Group", ORG, True),
])
def test_same_entity(a: str, b: str, label: str, same: bool) -> None:
    assert same_entity(a, b, label) is same
    assert same_entity(b, a, label) is same


def test_entity_key_examples() -> None:
    lexicon = NameLexicon.load()
    assert entity_key("Alibaba Group Holding Ltd.", ORG, lexicon) == "alibaba"
    assert entity_key("Taobao / Tmall Commerce Group", ORG, lexicon) == "taobao/tmall commerce group"
    assert entity_key("Trudy Shan Dai", PER, lexicon) == "dai shan trudy"
    assert entity_key("戴珊", PER, lexicon) == "戴珊"
    assert entity_key("Tmall Group", ORG, lexicon) == "tmall"  # a single name: "Group" dropped


@pytest.mark.parametrize(("acronym", "name", "matches"), [
    ("TTG", "Taobao and Tmall Group", True),
    ("SCMP", "South China Morning Post", True),
    ("T.T.G.", "Taobao & Tmall Group", True),
    ("BoA", "Bank of America", True),
    ("TTCG", "Taobao/Tmall Commerce Group", True),
    ("BABA", "Alibaba Group Holding", False),
    ("TT", "Taobao", False),
])
def test_acronym_matches(acronym: str, name: str, matches: bool) -> None:
    assert acronym_matches(acronym, name) is matches


def test_lexicon_file_is_well_formed() -> None:
    data = json.loads((MODELS / "lexicons" / "name_variants.json").read_text(encoding="utf-8"))
    ids = {r["id"] for r in data["records"]}
    assert ids == {"legal_suffix", "group_word", "unit_word", "completion_word", "honorific",
                   "name_suffix", "nickname_cue", "connector"}
    for record in data["records"]:
        assert record["terms"] and all(isinstance(t, str) and t.strip() for t in record["terms"])
    for entry in data["aliases"]:
        assert set(entry) == {"name", "label", "aliases"} and entry["label"] in ("ORG", "PERSON")


def test_import_is_light() -> None:
    code = "import sys, pipeline.resolution; assert 'spacy' not in sys.modules, 'spacy imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# ---------------------------------------------------------------- the seed gold


def _gold_docs() -> list[tuple[str, str, list[Mention]]]:
    docs = []
    for line in SEED_GOLD.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        text = (CORPUS / gold["doc"]).read_text(encoding="utf-8")
        mentions = [Mention(gold["doc"], e["start"], e["end"], e["text"], e["label"])
                    for e in gold["entities"]]
        assert all(text[m.start:m.end] == m.text for m in mentions)
        docs.append((gold["doc"], text, mentions))
    return docs


@pytest.mark.parametrize("reverse", [False, True], ids=["in order", "reversed"])
def test_seed_gold_clusters(reverse: bool) -> None:
    docs = _gold_docs()
    resolver = EntityResolver()
    ids: dict[tuple[str, int, int], str] = {}
    for doc_id, text, mentions in (docs[::-1] if reverse else docs):
        for span, i in resolver.resolve_document(doc_id, text, mentions, seen_at=T1).items():
            ids[(doc_id, *span)] = i
    ids = {k: resolver.canonical_id(v) for k, v in ids.items()}
    clusters = [json.loads(line) for line in
                (CORPUS / "gold" / "entities.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(clusters) == 11
    cluster_ids = []
    for cluster in clusters:
        names = {cluster["name"], *cluster["aliases"]}
        found = {ids[(doc_id, m.start, m.end)] for doc_id, _, mentions in docs for m in mentions
                 if m.label == cluster["label"] and m.text in names}
        assert len(found) == 1, (cluster["name"], found)
        cluster_ids.append(found.pop())
    assert len(set(cluster_ids)) == 11
    # and the two orders agree
    if reverse:
        forward = EntityResolver()
        for doc_id, text, mentions in docs:
            forward.resolve_document(doc_id, text, mentions, seen_at=T1)
        assert {r.id for r in forward.records()} == {r.id for r in resolver.records()}
