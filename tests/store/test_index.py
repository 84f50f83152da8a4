"""The store index (pipeline/store/index.py): derived from the JSONL files, rebuilt when missing
or stale, extended when the files only grew; the writer and the resolver answer from it as they
would from a full read."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from pipeline.claims import Claim, DocumentRecord, Evidence, Provenance, entity_claim
from pipeline.extract import EntityLinker
from pipeline.readers import SourceDocument
from pipeline.resolution import EntityRecord, EntityResolver, Mention
from pipeline.store import ClaimStore
from pipeline.store.entity_lines import fold_lines
from pipeline.store.index import INDEX_FILE, StoreIndex
from pipeline.store.versions import Versions

PROV = Provenance(stage="ner", rule=None, model="blank_en", model_version="0.0", score=None,
                  fingerprint="fp1")
ORG, PER = "ORG", "PERSON"

# documents whose entities meet across documents in every way the resolver links them: exact
# keys, name order, person near hits, organisation cores, gazetteer ids, alias-table names, a
# bridging document that merges two records, and lone surnames that never link
CORPUS = [
    ("Trudy Dai Shan leads Alibaba Group Holding Ltd. Dai said Alibaba would grow.",
     [("Trudy Dai Shan", PER), ("Alibaba Group Holding Ltd.", ORG), ("Dai", PER), ("Alibaba", ORG)]),
    ("CEO Trudy Shan Dai and Liu Peng met at Alibaba Group. Taobao Marketplace grew.",
     [("Trudy Shan Dai", PER), ("Liu Peng", PER), ("Alibaba Group", ORG), ("Taobao Marketplace", ORG)]),
    ("Liu Yiman and Liu Peng met. Liu spoke. Taobao grew.",
     [("Liu Yiman", PER), ("Liu Peng", PER), ("Liu", PER), ("Taobao", ORG)]),
    ("Meta said it would hire.", [("Meta", ORG)]),
    ("Facebook said it would hire.", [("Facebook", ORG)]),
    ("Cisco Systems Inc. said profits rose.", [("Cisco Systems Inc.", ORG)]),
    ("Cisco said profits rose. Trudy Dai spoke.", [("Cisco", ORG), ("Trudy Dai", PER)]),
    ("Meta (formerly Facebook) said it would hire.", [("Meta", ORG), ("Facebook", ORG)]),
    ("Pony Ma spoke at Tencent.", [("Pony Ma", PER), ("Tencent", ORG)]),
    ("Ma Huateng spoke at Tencent Holdings.", [("Ma Huateng", PER), ("Tencent Holdings", ORG)]),
    ("Cisco Capital said. Dai spoke.", [("Cisco Capital", ORG), ("Dai", PER)]),
    ("Facebook and Meta and Cisco Systems hired.", [("Facebook", ORG), ("Meta", ORG),
                                                    ("Cisco Systems", ORG)]),
]


def source(text: str, n: int) -> SourceDocument:
    return SourceDocument(f"d{n}.txt", text, {"published": f"2024-01-{n + 1:02d}"})


def entity_claims(doc_id: str, text: str, items: list[tuple[str, str]]) -> list[Claim]:
    claims, pos = [], 0
    for surface, label in items:
        match = re.compile(r"(?<!\w)" + re.escape(surface) + r"(?!\w)").search(text, pos)
        assert match
        ev = Evidence(doc_id=doc_id, start=match.start(), end=match.end(), text=surface,
                      sentence=text, sentence_start=0)
        claims.append(entity_claim(label=label, evidence=ev, provenance=PROV))
        pos = match.end()
    return claims


def document(src: SourceDocument) -> DocumentRecord:
    return DocumentRecord(id=src.id, path=src.path, source=dict(src.metadata),
                          pipeline={"name": "test", "fingerprint": "fp1"},
                          processed_at="2024-01-01T00:00:00+00:00", text=src.text)


def build_store(root: Path, docs: list[tuple[str, list]], *, batch: int = 3, indexed: bool = True
                ) -> None:
    """Store ``docs`` in batches as extract does (one linker per batch run)."""
    store = ClaimStore(root)
    numbered = list(enumerate(docs))
    for i in range(0, len(numbered), batch):
        with store.writer() as writer:
            linker = EntityLinker(store, index=writer.index if indexed else None)
            for n, (text, items) in numbered[i:i + batch]:
                src = source(text, n)
                claims = linker.link(src, entity_claims(src.id, text, items))
                writer.add(document(src), claims)
            writer.add_entities(linker.changed_records())


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# ---------------------------------------------------------------- resolver candidates


def test_resolver_loading_by_key_gives_the_ids_of_loading_everything(tmp_path: Path) -> None:
    """Store the corpus batch by batch; before each batch, resolve it with every stored record
    loaded and with records loaded by key from the index: same ids, same records."""
    full_root, lazy_root = tmp_path / "full", tmp_path / "lazy"
    for i in range(0, len(CORPUS), 2):
        part = list(enumerate(CORPUS))[i:i + 2]
        results = []
        for root, indexed in ((full_root, False), (lazy_root, True)):
            store = ClaimStore(root)
            with store.writer() as writer:
                linker = EntityLinker(store, index=writer.index if indexed else None)
                ids = []
                for n, (text, items) in part:
                    src = source(text, n)
                    claims = linker.link(src, entity_claims(src.id, text, items))
                    ids.append([c.fields.get("entity_id") for c in claims])
                    writer.add(document(src), claims)
                changed = linker.changed_records()
                writer.add_entities(changed)
            results.append((ids, sorted(json.dumps(r, sort_keys=True) for r in changed)))
        assert results[0] == results[1]
    full = jsonl(full_root / "entities.jsonl")
    assert full == jsonl(lazy_root / "entities.jsonl")
    assert any(r["merged_ids"] for r in full)  # the corpus does merge records across documents
    assert len({r["id"] for r in full}) < sum(len(items) for _, items in CORPUS)


def link_in_one_run(root: Path, *, release: bool) -> tuple[list, dict[str, dict]]:
    """The corpus through one writer and one linker, flushed after every document as extract
    flushes a chunk; ``release`` drops the linker's records after each flush."""
    store = ClaimStore(root)
    ids = []
    with store.writer() as writer:
        linker = EntityLinker(store, index=writer.index)
        for n, (text, items) in enumerate(CORPUS):
            src = source(text, n)
            claims = linker.link(src, entity_claims(src.id, text, items))
            ids.append([c.fields.get("entity_id") for c in claims])
            writer.add(document(src), claims)
            writer.add_entities(linker.changed_records())
            writer.flush()
            if release:
                linker.release()
                assert not linker.resolver.records()
    return ids, fold_lines(jsonl(store.entities_path))


def test_releasing_held_records_after_each_flush_changes_no_id_or_record(tmp_path: Path) -> None:
    """A long run drops its entity records after every chunk and loads them again by key: the
    ids, and every record its lines fold to, are those of a run that kept them all."""
    kept = link_in_one_run(tmp_path / "kept", release=False)
    released = link_in_one_run(tmp_path / "released", release=True)
    assert released == kept
    assert any(r["merged_ids"] for r in kept[1].values())
    assert max(len(r["documents"]) for r in kept[1].values()) >= 3


def test_lazy_resolver_loads_only_records_that_share_a_key(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS)
    store = ClaimStore(tmp_path)
    with StoreIndex.open(tmp_path) as index:
        asked: list[str] = []

        def load(keys: set[str], ids: set[str]) -> list[EntityRecord]:
            wanted = index.entity_ids_by_keys(keys) | ids
            found = [EntityRecord.from_dict(r) for r in index.entity_records(wanted).values()]
            asked.extend(r.id for r in found)
            return found

        resolver = EntityResolver(loader=load, redirects=index.redirects())
        text = "Tencent grew."
        ids = resolver.resolve_document("x", text, [Mention("x", 0, 7, "Tencent", ORG)], seen_at=None)
        stored = fold_lines(jsonl(store.entities_path))
        assert set(asked) and set(asked) < set(stored)
        assert all(stored[i]["label"] == ORG for i in asked)
        [entity] = set(ids.values())
        assert "Tencent" in stored[entity]["aliases"]


# ---------------------------------------------------------------- freshness


def index_rows(root: Path) -> dict[str, list]:
    with StoreIndex.open(root) as index:
        return {table: sorted(index.db.execute(f"SELECT * FROM {table}").fetchall())  # noqa: S608
                for table in ("documents", "claims", "claim_counts", "current_docs",
                              "claim_entities", "entities", "entity_keys", "merged")}


def test_index_is_rebuilt_when_deleted(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS)
    before = index_rows(tmp_path)
    assert before["documents"] and before["claims"] and before["entities"]
    (tmp_path / INDEX_FILE).unlink()
    with StoreIndex.open(tmp_path) as index:
        assert index.rebuilt
    assert index_rows(tmp_path) == before


def test_a_written_store_and_a_rebuilt_index_agree(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS)
    before = index_rows(tmp_path)
    with StoreIndex.open(tmp_path) as index:
        assert not index.rebuilt
        index.rebuild()
    assert index_rows(tmp_path) == before


def test_a_damaged_index_file_is_rebuilt(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS[:3])
    before = index_rows(tmp_path)
    (tmp_path / INDEX_FILE).write_bytes(b"not a database" * 100)
    assert index_rows(tmp_path) == before


def test_index_is_rebuilt_when_a_file_was_truncated(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS)
    claims = tmp_path / "claims.jsonl"
    kept = claims.read_bytes().splitlines(keepends=True)[:-3]
    claims.write_bytes(b"".join(kept))
    with StoreIndex.open(tmp_path) as index:
        assert index.rebuilt
        count = index.db.execute("SELECT count(*) FROM claims").fetchone()[0]
    assert count == len(kept)
    with ClaimStore(tmp_path).writer() as writer:
        assert all(c["id"] in writer.known_claims for c in jsonl(claims))
        assert writer.index is not None and not writer.index.rebuilt


def test_index_is_rebuilt_when_a_tail_byte_was_edited(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS)
    documents = tmp_path / "documents.jsonl"
    data = bytearray(documents.read_bytes())
    last = jsonl(documents)[-1]
    at = data.rfind(last["path"].encode())
    data[at] = ord("X")  # same size: only the tail bytes tell
    documents.write_bytes(bytes(data))
    with StoreIndex.open(tmp_path) as index:
        assert index.rebuilt
        records = [r for (r,) in index.db.execute("SELECT record FROM documents")]
    assert any("X" + last["path"][1:] in r for r in records)


def test_lines_appended_without_the_index_are_indexed_incrementally(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS[:6])
    saved = (tmp_path / INDEX_FILE).read_bytes()
    build_store(tmp_path / "other", CORPUS[:6])
    build_store(tmp_path, CORPUS[6:], indexed=False)
    (tmp_path / INDEX_FILE).write_bytes(saved)  # the index as it was before the second writer
    with StoreIndex.open(tmp_path) as index:
        assert not index.rebuilt  # the files only grew: just their tails were read
        extended = index_rows(tmp_path)
    (tmp_path / INDEX_FILE).unlink()
    assert index_rows(tmp_path) == extended


def test_writer_decisions_from_the_index_match_a_full_read(tmp_path: Path) -> None:
    build_store(tmp_path, CORPUS)
    src = source(CORPUS[0][0], 0)
    changed = SourceDocument(src.path, src.text + " More.", src.metadata)
    store = ClaimStore(tmp_path)
    full = store.versions()
    with store.writer() as writer:
        for doc in (src, changed, source("Unknown text.", 99)):
            key = doc.path
            for fingerprint in ("fp1", "fp2", None):
                assert writer.versions.decide(doc.id, key, fingerprint) == \
                    full.decide(doc.id, key, fingerprint)
            assert writer.versions.superseded_by(doc.id, key) == full.superseded_by(doc.id, key)
            assert (doc.id in writer.versions.current) == (doc.id in full.current)
        assert all(i in writer.known_claims for i in store.claim_ids())
        assert "0" * 64 not in writer.known_claims
        # a new version queued in the batch is current before it is written
        writer.add(document(changed), [])
        assert changed.id in writer.versions.current and src.id not in writer.versions.current
    assert isinstance(Versions.from_records(store.iter_records(store.documents_path)).current, dict)
    assert hashlib.sha256(changed.text.encode()).hexdigest() in store.versions().current


# ---------------------------------------------------------------- queries


def _corrected_store(root: Path) -> None:
    """The corpus, then new versions of two articles (other spellings, fewer names), so some
    claims are superseded and some entities are mentioned by superseded claims only."""
    build_store(root, CORPUS)
    store = ClaimStore(root)
    with store.writer() as writer:
        linker = EntityLinker(store, index=writer.index)
        for n, text, items in ((5, "Cisco Systems said profits fell.", [("Cisco Systems", ORG)]),
                               (8, "Pony Ma spoke.", [("Pony Ma", PER)])):
            src = source(text, n)
            writer.add(document(src), linker.link(src, entity_claims(src.id, text, items)))
        writer.add_entities(linker.changed_records())


def test_queries_through_the_index_match_a_full_read(tmp_path: Path) -> None:
    from pipeline.store import indexed
    from pipeline.store.queries import claim_groups, find_entities, load_view, store_stats

    _corrected_store(tmp_path)
    view = load_view(tmp_path)
    assert indexed.stats(tmp_path) == store_stats(view)
    assert json.dumps(indexed.stats(tmp_path)) == json.dumps(store_stats(view))  # same order
    in_ranges = 0
    for name in ("Cisco", "Meta", "Facebook", "Trudy", "Ma", "Tencent", "liu", "nobody"):
        assert indexed.entities(tmp_path, name=name) == find_entities(view, name=name), name
        for kind in (None, "entity"):
            by_index = [g.to_dict() for g in indexed.claims(tmp_path, entity=name, claim_type=kind)]
            assert by_index == [g.to_dict() for g in claim_groups(view, entity=name,
                                                                   claim_type=kind)], name
        for since, until in (("2024-01-07", None), (None, "2024-01-06"), ("2024-01-05", "2024-01-08")):
            by_index = [g.to_dict() for g in indexed.claims(tmp_path, entity=name, since=since,
                                                            until=until)]
            assert by_index == [g.to_dict() for g in claim_groups(view, entity=name, since=since,
                                                                   until=until)], (name, since)
            in_ranges += len(by_index)
    assert in_ranges > 10  # the date ranges keep groups to compare
    for label in ("ORG", "PERSON"):
        assert indexed.entities(tmp_path, label=label) == find_entities(view, label=label)
    assert indexed.claims(tmp_path, entity="Cisco", since="2024-01-07") is not None


def test_current_documents_kept_while_indexing_equal_a_rebuild_after_corrections(tmp_path: Path
                                                                              ) -> None:
    """``current_docs`` and ``claim_counts.is_current`` follow new versions as lines come in:
    the same rows as an index built from scratch, and superseded counts are not current."""
    _corrected_store(tmp_path)
    before = index_rows(tmp_path)
    with StoreIndex.open(tmp_path) as index:
        index.rebuild()
        stale = index.db.execute("SELECT count(*) FROM claim_counts WHERE NOT is_current").fetchone()
        assert index.db.execute("SELECT count(*) FROM current_docs").fetchone()[0] == len(CORPUS)
    assert index_rows(tmp_path) == before
    assert stale[0] >= 2  # the two corrected articles' first versions

def test_queries_read_the_files_when_the_store_has_damaged_lines(tmp_path: Path) -> None:
    from pipeline.store import indexed

    build_store(tmp_path, CORPUS[:3])
    with (tmp_path / "claims.jsonl").open("ab") as fh:
        fh.write(b"{not json\n")
    assert indexed.stats(tmp_path) is None  # the caller reads the files and warns
    assert indexed.entities(tmp_path, name="Alibaba") is None


# ---------------------------------------------------------------- check and reindex


def test_check_finds_the_same_with_and_without_the_index(tmp_path: Path, monkeypatch) -> None:
    from pipeline.store import check

    _corrected_store(tmp_path)
    claims = tmp_path / "claims.jsonl"
    lines = claims.read_bytes().splitlines(keepends=True)
    claims.write_bytes(b"".join([*lines, lines[3], lines[7]]))  # two later copies of ids
    with_index = check.check_store(tmp_path)
    assert sum("appears 2 times" in p for p in with_index.problems) == 2
    monkeypatch.setattr(check, "_repeated_claim_ids", lambda root: None)
    without = check.check_store(tmp_path)
    assert (with_index.problems, with_index.unusable, with_index.claims, with_index.documents) == \
        (without.problems, without.unusable, without.claims, without.documents)


def test_cli_reindex_rebuilds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    build_store(tmp_path, CORPUS[:4])
    before = index_rows(tmp_path)
    (tmp_path / INDEX_FILE).unlink()
    result = CliRunner().invoke(app, ["reindex", "--store", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.output and index_rows(tmp_path) == before
    assert CliRunner().invoke(app, ["reindex", "--store", str(tmp_path / "none")]).exit_code == 2


def test_cli_stats_table_shows_the_most_counted_rows_first_and_says_what_it_left_out(
        tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    build_store(tmp_path, CORPUS)
    counts = json.loads(CliRunner().invoke(app, ["stats", "--store", str(tmp_path), "--format",
                                                 "jsonl", "--top", "1"]).output)
    assert len(counts["documents"]) == len(CORPUS)  # jsonl is always whole
    result = CliRunner().invoke(app, ["stats", "--store", str(tmp_path), "--top", "2"],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    most = sorted(counts["documents"].items(), key=lambda kv: -kv[1])
    shown = [path for path in counts["documents"] if f" {path} " in result.output]
    assert shown == [path for path, _ in most[:2]]
    assert f"documents: 2 of {len(CORPUS)} (--top 0: all)" in result.output
    assert "claims" in result.output and str(counts["totals"]["claims"]) in result.output
    everything = CliRunner().invoke(app, ["stats", "--store", str(tmp_path), "--top", "0"],
                                    terminal_width=200).output
    assert all(f" {path} " in everything for path in counts["documents"]) and " of " not in everything
