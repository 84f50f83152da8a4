"""The resolver's steps called alone: clustering one document (``document``), the alias table
(``aliases``) and the store-wide record index (``index``). Pure data, no spaCy."""

from __future__ import annotations

import pytest

from pipeline.resolution import EntityRecord, Mention, default_lexicon, entity_key
from pipeline.resolution.aliases import AliasTable
from pipeline.resolution.document import cluster_document, cue_attaches
from pipeline.resolution.index import RecordIndex, precedence
from tests.resolution.test_resolution import assert_pattern, make_mentions

PER, ORG = "PERSON", "ORG"
LEX = default_lexicon()


# --------------------------------------------------------------------------- one document

CLUSTERS = {
    "ambiguous surname links to neither full name": (
        "Liu Peng and Liu Yiman met. Liu said little.",
        [("Liu Peng", PER), ("Liu Yiman", PER), ("Liu", PER)], "ABC"),
    "gazetteer id joins different ORG names": (
        "Alphabet owns Google. Google grew.",
        [("Alphabet", ORG, "google"), ("Google", ORG, "google"), ("Google", ORG)], "AAA"),
    "a person pattern id is not a gazetteer id": (
        "Jane Roe met Tom Poe.",
        [("Jane Roe", PER, "title_then_name"), ("Tom Poe", PER, "title_then_name")], "AB"),
    "acronym in brackets, then the acronym alone": (
        "Taobao and Tmall Group (TTG) said TTG would grow.",
        [("Taobao and Tmall Group", ORG), ("TTG", ORG), ("TTG", ORG)], "AAA"),
    "labels never join on the same text": (
        "Ford met Ford.", [("Ford", PER), ("Ford", ORG)], "AB"),
    "a nickname cue across a sentence break does not link": (
        "Trudy Dai spoke. It is known as Su Quan.", [("Trudy Dai", PER), ("Su Quan", PER)], "AB"),
    "an acronym without brackets is the initials of the one longer name": (
        "Norvale Air Lines grew. NAL said so.", [("Norvale Air Lines", ORG), ("NAL", ORG)], "AA"),
    "an acronym may leave out a leading country word": (
        "The US Coastal Mining Office met. CMO said so.",
        [("US Coastal Mining Office", ORG), ("CMO", ORG)], "AA"),
    "an acronym matching two longer names links to neither": (
        "Norvale Air Lines and North American Logistics met. NAL said so.",
        [("Norvale Air Lines", ORG), ("North American Logistics", ORG), ("NAL", ORG)], "ABC"),
    "the start of one longer company name is that company": (
        "Brack Department Stores grew. Brack said so.",
        [("Brack Department Stores", ORG), ("Brack", ORG)], "AA"),
    "the start of a unit's name is not the unit": (
        "Taobao Live grew. Taobao said so.", [("Taobao Live", ORG), ("Taobao", ORG)], "AB"),
    "spacing variants are one organisation": (
        "TarrowVance grew. Tarrow Vance said so.", [("TarrowVance", ORG), ("Tarrow Vance", ORG)], "AA"),
    "spacing variants of persons do not join": (
        "Ann Lee met Annlee.", [("Ann Lee", PER), ("Annlee", PER)], "AB"),
}


@pytest.mark.parametrize("case", CLUSTERS)
def test_cluster_document(case: str) -> None:
    text, items, pattern = CLUSTERS[case]
    mentions = make_mentions("d1", text, items)
    clusters = cluster_document(text, mentions, lexicon=LEX)
    found = {(m.start, m.end): n for n, c in enumerate(clusters) for m in c.mentions}
    assert_pattern([str(found[(m.start, m.end)]) for m in mentions], pattern)


def test_cluster_document_sorts_drops_other_labels_and_keeps_declared_aliases() -> None:
    text = "Taobao and Tmall Group (TTG) grew 5%. Jack Ma spoke."
    ms = make_mentions("d1", text, [("Taobao and Tmall Group", ORG), ("5%", "PERCENT"), ("Jack Ma", PER)])
    clusters = cluster_document(text, list(reversed(ms)), lexicon=LEX)
    assert [c.label for c in clusters] == [ORG, PER]  # text order, PERCENT dropped
    assert clusters[0].surfaces == {"Taobao and Tmall Group", "TTG"}
    assert clusters[1].surfaces == {"Jack Ma"} and clusters[1].rules == set()


def test_cluster_document_alias_anchors_join_names_with_different_keys() -> None:
    text = "Meta, once Facebook, grew."
    ms = make_mentions("d1", text, [("Meta", ORG), ("Facebook", ORG)])
    assert len(cluster_document(text, ms, lexicon=LEX)) == 2
    anchors = {(ORG, "meta"): "alias:meta", (ORG, "facebook"): "alias:meta"}
    assert len(cluster_document(text, ms, lexicon=LEX, alias_anchors=anchors)) == 1


def test_context_aliases_join_and_become_surfaces() -> None:
    text = "Zhang Wei spoke. Big Z left."
    zhang, big = make_mentions("d1", text, [("Zhang Wei", PER), ("Big Z", PER)])
    zhang = Mention(zhang.doc_id, zhang.start, zhang.end, zhang.text, PER, context_aliases=("Big Z", " "))
    [cluster] = cluster_document(text, [zhang, big], lexicon=LEX)
    assert cluster.surfaces == {"Zhang Wei", "Big Z"}


@pytest.mark.parametrize("between, attaches", [
    (" is ", True), (" ", True), (", also ", True), (" (", True), (", who has worked in Alibaba, is ", True),
    (", which said it ", False), (" what ", False), (" said it ", False), (". Then ", False), ("\n", False),
])
def test_cue_attaches(between: str, attaches: bool) -> None:
    assert cue_attaches(between) is attaches


# --------------------------------------------------------------------------- alias table

def test_alias_table_joins_entries_that_share_a_name() -> None:
    table = AliasTable([{"name": "Meta", "label": ORG, "aliases": ["Facebook"]},
                        {"name": "Facebook Inc", "label": ORG, "aliases": ["FB"]},
                        {"name": "Meta", "label": PER}], LEX)
    assert table.anchor(ORG, "fb") == table.anchor(ORG, "meta") == "alias:facebook"  # smallest name key
    assert table.anchor(PER, "meta") == "alias:meta"  # labels stay apart
    assert table.name(ORG, "alias:facebook") == "Facebook Inc"
    assert table.anchor(ORG, "google") is None


# --------------------------------------------------------------------------- record index

def record(rid: str, label: str, *aliases: str, key: str = "", rules: tuple[str, ...] = ()) -> EntityRecord:
    return EntityRecord(id=rid, label=label, name=aliases[0], aliases=sorted(aliases), mention_count=1,
                        documents=["d0"], first_seen=None, last_seen=None, key=key, rules=list(rules))


def make_index(*records: EntityRecord) -> RecordIndex:
    index = RecordIndex(LEX, AliasTable([{"name": "Jack Ma", "label": PER, "aliases": ["Ma Yun"]}], LEX))
    for r in records:
        index.add(r)
    return index


STORE = [record("p1", PER, "Trudy Dai Shan"), record("p2", PER, "Liu Peng"), record("p3", PER, "Liu Yiman"),
         record("p4", PER, "Ma"), record("o1", ORG, "Cisco Systems"),
         record("o2", ORG, "Alibaba", rules=("alibaba",)),
         record("o3", ORG, "Zeta Networks"), record("o4", ORG, "Zeta Labs"), record("p5", PER, "Ma Yun")]

EXACT = [
    (PER, ["dai shan trudy"], {"p1"}),
    (PER, ["ma"], set()),  # a lone surname is not a cross-document key
    (PER, ["alias:jack ma"], {"p5"}),  # an alias-table entry of an alias
    (ORG, ["rule:alibaba"], {"o2"}),
    (ORG, ["cisco"], set()),  # only near
    (PER, ["liu peng", "liu yiman"], {"p2", "p3"}),
]


@pytest.mark.parametrize("label, keys, hits", EXACT)
def test_exact_hits(label: str, keys: list[str], hits: set[str]) -> None:
    assert make_index(*STORE).exact_hits(label, keys) == hits


NEAR = [
    (PER, "Trudy Dai", {"p1"}),  # subset with two tokens in common
    (PER, "Trudy Dai Shan Li", {"p1"}),  # superset
    (PER, "Liu Peng Yiman", set()),  # two candidates: none
    (PER, "Dai Wu", set()),  # one token in common
    (ORG, "Cisco", {"o1"}),  # same core without completion words
    (ORG, "Zeta", set()),  # two records with that core
    (PER, "Cisco Systems", set()),  # labels never mix
]


@pytest.mark.parametrize("label, name, hits", NEAR)
def test_near_hits(label: str, name: str, hits: set[str]) -> None:
    assert make_index(*STORE).near_hits(label, [entity_key(name, label, LEX)]) == hits


def test_removed_record_is_no_longer_found() -> None:
    index = make_index(*STORE)
    index.remove(STORE[0])
    assert index.exact_hits(PER, ["dai shan trudy"]) == set()
    assert index.near_hits(PER, [entity_key("Trudy Dai", PER, LEX)]) == set()


def test_record_keys_and_precedence() -> None:
    index = make_index()
    keys = index.record_keys(record("x", PER, "Ma", "Ma Yun", key="alias:jack ma", rules=("r",)))
    assert keys == {"rule:r", "alias:jack ma", "ma yun"}  # no lone "ma"
    assert [precedence(k) for k in ("alias:x", "rule:x", "x y", "doc:d1:x")] == [0, 1, 2, 3]


def test_name_key_caches_stay_bounded_over_a_stream_of_new_names() -> None:
    """A long feed meets new names all the time: the caches of ``entity_key`` and
    ``person_tokens`` are emptied when full (not kept full for good), and a key computed again
    after that is the same key."""
    from pipeline.resolution.names import KEY_CACHE_SIZE, NameLexicon, person_tokens

    lexicon = NameLexicon.load()
    first = {}
    for i in range(3 * KEY_CACHE_SIZE):
        name = f"Vounb{i}enba Holdings"
        first[name] = entity_key(name, "ORG", lexicon)
        person_tokens(f"Kloux{i} Vimba", lexicon)
        assert len(lexicon._keys) <= KEY_CACHE_SIZE
        assert len(lexicon._person_tokens) <= KEY_CACHE_SIZE
    assert all(entity_key(name, "ORG", lexicon) == key for name, key in list(first.items())[:50])
    assert entity_key("Acme Holdings plc", "ORG", lexicon) == entity_key("Acme Holdings plc", "ORG",
                                                                          NameLexicon.load())
