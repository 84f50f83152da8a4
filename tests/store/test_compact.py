"""``newsclaims compact``: one line per entity, the same answers from every reader, and a kill
at any step leaves the old file or the new one (issue 15)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store.check import check_store
from pipeline.store.claim_store import LOCK_FILE
from pipeline.store.compact import CRASH_ENV, TEMPORARY, compact_entities
from pipeline.store.entity_lines import fold_lines
from pipeline.store.index import StoreIndex
from pipeline.store.queries import load_view
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration
runner = CliRunner()
STEPS = ("before-write", "written", "synced", "replaced")


def _runs(nlp, store: Path, tmp: Path, articles: list[list[tuple[str, str]]]) -> None:
    """One extract run per list of (file name, text)."""
    for n, run in enumerate(articles):
        folder = tmp / f"run{n}"
        folder.mkdir(parents=True)
        for name, text in run:
            (folder / name).write_text(text, encoding="utf-8")
        extract([folder], store, nlp_factory=lambda model: nlp)


@pytest.fixture(scope="module")
def versioned_store(nlp, tmp_path_factory) -> Path:
    """Three runs over the seed articles, one of them edited: entities with several versions."""
    tmp = tmp_path_factory.mktemp("compact")
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))]
    edited = (texts[0][0], texts[0][1] + "\n\nAlibaba said Tmall sales rose 8% in March.\n")
    store = tmp / "store"
    _runs(nlp, store, tmp, [[texts[0]], [texts[1]], [edited]])
    return store


def _copy(store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(store, target)
    return target


def _answers(store: Path) -> dict:
    """What the readers say of the entities: a full read, the CLI through the index, a query."""
    view = load_view(store)
    listed = runner.invoke(app, ["entities", "--store", str(store), "--format", "jsonl"])
    named = runner.invoke(app, ["entities", "--store", str(store), "--name", "ali", "--format", "jsonl"])
    claims = runner.invoke(app, ["claims", "--store", str(store), "--entity", "Alibaba", "--format", "jsonl"])
    assert listed.exit_code == named.exit_code == claims.exit_code == 0
    return {"view": view.entities, "listed": listed.stdout, "named": named.stdout, "claims": claims.stdout}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_compaction_writes_each_ids_folded_record_in_first_line_order(versioned_store, tmp_path):
    store = _copy(versioned_store, tmp_path)
    before = _lines(store / "entities.jsonl")
    ids = list(dict.fromkeys(r["id"] for r in before))
    assert len(before) > len(ids)  # the runs wrote several lines of some entities
    assert any(r.get("delta") for r in before)  # later runs wrote what they added, not all
    last = fold_lines(before)
    answers = _answers(store)
    untouched = {n: (store / n).read_bytes() for n in ("claims.jsonl", "documents.jsonl")}
    summary = compact_entities(store)
    after = _lines(store / "entities.jsonl")
    assert [r["id"] for r in after] == ids
    assert after == [last[i] for i in ids]
    assert (summary.lines_before, summary.lines_after) == (len(before), len(ids))
    assert summary.bytes_after == (store / "entities.jsonl").stat().st_size < summary.bytes_before
    assert {n: (store / n).read_bytes() for n in untouched} == untouched
    assert _answers(store) == answers
    assert check_store(store).problems == []


def test_the_index_rereads_the_entity_file_alone(versioned_store, tmp_path):
    store = _copy(versioned_store, tmp_path)
    with StoreIndex.open(store) as index:
        claim_rows = index.db.execute("SELECT count(*) FROM claims").fetchone()[0]
    compact_entities(store)
    with StoreIndex.open(store) as index:
        assert not index.rebuilt
        assert index.db.execute("SELECT count(*) FROM claims").fetchone()[0] == claim_rows
        offsets = dict(index.db.execute("SELECT id, offset FROM entities"))
    raw = (store / "entities.jsonl").read_bytes()
    for entity_id, offset in offsets.items():
        assert json.loads(raw[offset:raw.index(b"\n", offset)])["id"] == entity_id


def test_a_run_after_compaction_links_as_without_it(nlp, versioned_store, tmp_path):
    plain, compacted = _copy(versioned_store, tmp_path / "a"), _copy(versioned_store, tmp_path / "b")
    compact_entities(compacted)
    text = ("Alibaba Group Holding said on Tuesday that Trudy Dai Shan will lead Taobao, and that "
            "Tmall will cut 5% of its staff.\n")
    for store, name in ((plain, "p"), (compacted, "c")):
        _runs(nlp, store, tmp_path / name, [[("new.txt", text)]])
    new_claims = [[c for c in _lines(s / "claims.jsonl") if c["evidence"]["text"] in text]
                  for s in (plain, compacted)]
    assert new_claims[0] == new_claims[1] and new_claims[0]
    assert load_view(plain).entities == load_view(compacted).entities


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_leaves_the_old_or_the_new_file(versioned_store, tmp_path, step):
    expected = _copy(versioned_store, tmp_path / "expected")
    compact_entities(expected)
    new_bytes = (expected / "entities.jsonl").read_bytes()
    store = _copy(versioned_store, tmp_path / "killed")
    old_bytes = (store / "entities.jsonl").read_bytes()
    answers = _answers(store)
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "compact", "--store", str(store)],
                          env={**os.environ, CRASH_ENV: step}, capture_output=True, check=False)
    assert done.returncode == -9, done.stderr
    now = (store / "entities.jsonl").read_bytes()
    assert now == (new_bytes if step == "replaced" else old_bytes)
    assert check_store(store).problems == []
    assert _answers(store) == answers
    summary = compact_entities(store)  # the next compaction finishes the job and tidies up
    assert (store / "entities.jsonl").read_bytes() == new_bytes
    assert not (store / TEMPORARY).exists() and summary.lines_after == len(new_bytes.splitlines())


def test_damaged_entity_lines_are_dropped_and_counted(versioned_store, tmp_path):
    store = _copy(versioned_store, tmp_path)
    with (store / "entities.jsonl").open("ab") as fh:
        fh.write(b'{"id": "ent_broken", "label": \n')
    answers = _answers(store)
    summary = compact_entities(store)
    assert summary.damaged == 1
    assert b"ent_broken" not in (store / "entities.jsonl").read_bytes()
    assert _answers(store) == answers


def test_cli_compact_reports_and_waits_for_the_lock(versioned_store, tmp_path):
    store = _copy(versioned_store, tmp_path)
    with FileLock(str(store / LOCK_FILE)):
        held = runner.invoke(app, ["compact", "--store", str(store), "--lock-timeout", "0.2"])
    assert held.exit_code == 2 and "another newsclaims process" in held.output
    done = runner.invoke(app, ["compact", "--store", str(store)])
    assert done.exit_code == 0 and "lines ->" in done.output
    missing = runner.invoke(app, ["compact", "--store", str(tmp_path / "nope")])
    assert missing.exit_code == 2


def test_export_of_a_store_with_deltas_equals_the_export_of_its_compacted_copy(versioned_store, tmp_path):
    import sqlite3

    from pipeline.store.export import export_store

    plain, compacted = _copy(versioned_store, tmp_path / "a"), _copy(versioned_store, tmp_path / "b")
    compact_entities(compacted)
    tables = {}
    for store in (plain, compacted):
        export_store(store, store / "out.sqlite")
        with sqlite3.connect(store / "out.sqlite") as db:
            tables[store] = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall())  # noqa: S608
                             for t in ("entities", "entity_aliases", "claims")}
    assert tables[plain] == tables[compacted]
    assert tables[plain]["entities"] and tables[plain]["entity_aliases"]
