"""Claim dates are news dates (issue 12): queries, ``claims --since/--until`` and export read a
claim's ``date`` (its document's published date), fall back to the document's ``source.published``
for claims stored before claims carried it, and never use ``processed_at``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.dates import BadDate
from pipeline.store.check import check_store
from pipeline.store.export import export_store
from pipeline.store.queries import claim_groups, load_view
from tests.store.test_export import (  # noqa: F401  (pg_server, pg_url: fixtures)
    Article,
    append,
    entity_record,
    load_queries,
    pg_server,
    pg_url,
    read_tables,
    run_query,
)
from tests.test_cli_errors import assert_one_line_error

runner = CliRunner()
KESTREL = "ent_4e57"
# (path, published in the document record, the claims' own "date": absent = an older store)
ARTICLES: list[tuple[str, str | None, Any]] = [
    ("march.txt", "2023-03-14", "2023-03-14"),
    ("undated.txt", None, None),
    ("old.txt", "Tue, 14 Feb 2023 10:00:00 GMT", ...),  # written before dates were normalised
    ("old-undated.txt", None, ...),                       # its processed_at must not date it
    ("june.txt", "2023-06-02T23:30:00-04:00", "2023-06-02T23:30:00-04:00"),
]
ACTIONS = ("close", "sell", "list", "cut", "merge")
EXPECTED = {"march.txt": "2023-03-14", "undated.txt": None,
            "old.txt": "2023-02-14T10:00:00+00:00", "old-undated.txt": None,
            "june.txt": "2023-06-02T23:30:00-04:00"}


def dated_store(root: Path) -> Path:
    """One directive by Kestrel Mills per article, each a different action (its own claim)."""
    articles = []
    for i, (path, published, date) in enumerate(ARTICLES):
        action = ACTIONS[i]
        article = Article(f"Kestrel Mills will {action} plant number {i}.", publisher=f"P{i}",
                          published=published, path=path)
        article.entity("Kestrel Mills", "ORG", KESTREL)
        extra = {} if date is ... else {"date": date}
        for claim in article.claims:
            claim.update(extra)
        claim = article.claim("directive", f"Kestrel Mills will {action} plant number {i}",
                              actor=article.mention("Kestrel Mills", "ORG", KESTREL),
                              targets=[], action=action, status="planned",
                              **{"from": None, "to": None}, cue=action)
        claim.update(extra)
        articles.append(article)
    entities = [entity_record(KESTREL, "ORG", "Kestrel Mills", ["Kestrel Mills"], articles, 5)]
    append(root, articles, entities)
    return root


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return dated_store(tmp_path / "store")


def _paths(groups: list[Any]) -> list[str]:
    return [g.sources[0]["path"] for g in groups]


def test_check_passes_with_claims_of_both_generations(store: Path) -> None:
    assert check_store(store).problems == []


def test_claim_dates_come_from_published_never_processed_at(store: Path) -> None:
    groups = claim_groups(load_view(store), claim_type="directive")
    assert {g.sources[0]["path"]: g.date for g in groups} == EXPECTED
    # newest first by instant, undated last
    assert _paths(groups)[:3] == ["june.txt", "march.txt", "old.txt"]
    assert set(_paths(groups)[3:]) == {"undated.txt", "old-undated.txt"}


@pytest.mark.parametrize(("since", "until", "expected"), [
    ("2023-03-14", None, ["june.txt", "march.txt"]),
    ("2023-03-15", None, ["june.txt"]),
    (None, "2023-03-14", ["march.txt", "old.txt"]),
    (None, "2023-03-13", ["old.txt"]),
    ("2023-02-14", "2023-02-14", ["old.txt"]),
    ("2023-02-14T10:00:01Z", "2023-03-31", ["march.txt"]),
    (None, "2023-06-02", ["june.txt", "march.txt", "old.txt"]),   # the publisher's own day
    (None, "2023-06-03T03:00:00Z", ["march.txt", "old.txt"]),     # 03:30 UTC is later
    ("2024-01-01", None, []),
])
def test_claims_since_and_until(store: Path, since: str | None, until: str | None,
                                expected: list[str]) -> None:
    args = ["claims", "--store", str(store), "--type", "directive", "--format", "jsonl"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    groups = [json.loads(line) for line in result.stdout.splitlines()]
    assert [g["sources"][0]["path"] for g in groups] == expected
    assert all(g["date"] == EXPECTED[g["sources"][0]["path"]] for g in groups)


def test_claims_table_shows_undated_claims_last(store: Path) -> None:
    result = runner.invoke(app, ["claims", "--store", str(store), "--type", "directive"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "Kestrel" in line]
    assert [r.split("│")[1].strip() for r in rows] == [
        "2023-06-02", "2023-03-14", "2023-02-14", "", ""]


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize("value", ["2024-13-45", "yesterday", "20240601", "2024-02-30",
                                   "2024-06-01T25:00", "last week"])
def test_bad_dates_exit_2_with_one_line(store: Path, option: str, value: str) -> None:
    result = runner.invoke(app, ["claims", "--store", str(store), option, value])
    assert_one_line_error(result, 2, f"{option} {value!r}", "expected an ISO date YYYY-MM-DD")
    assert result.stdout == ""


@pytest.mark.parametrize("bound", ["since", "until"])
def test_the_library_raises_a_value_error_for_a_bad_bound(store: Path, bound: str) -> None:
    with pytest.raises(BadDate, match=f"--{bound} '2024-13-45'") as info:
        claim_groups(load_view(store), **{bound: "2024-13-45"})
    assert isinstance(info.value, ValueError)


def test_a_bad_date_is_refused_before_the_store_is_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["claims", "--store", str(tmp_path / "none"), "--since", "soon"])
    assert_one_line_error(result, 2, "--since 'soon'")


def test_export_dates_are_news_dates_and_nullable(store: Path, tmp_path: Path) -> None:
    target = f"parquet:{tmp_path / 'parquet'}"
    export_store(store, target)
    tables = read_tables(target)
    paths = {d["id"]: d["path"] for d in tables["documents"]}
    dates = {(paths[c["document_id"]], c["type"]): c["date"] for c in tables["claims"]}
    assert {p: dates[(p, "directive")] for p in EXPECTED} == EXPECTED
    assert {p: dates[(p, "entity")] for p in EXPECTED} == EXPECTED
    assert all("date" not in c["fields"] for c in tables["claims"])


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An SQLite file, and a PostgreSQL database when a server can be started."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'claims.db'}"
    return request.getfixturevalue("pg_url")


def test_sql_examples_put_undated_claims_last(store: Path, database: str) -> None:
    export_store(store, database)
    queries = load_queries()
    newest = run_query(database, queries["directives_by_actor"], {"actor": "Kestrel Mills"})
    assert [r[0] for r in newest] == ["2023-06-02T23:30:00-04:00", "2023-03-14",
                                      "2023-02-14T10:00:00+00:00", None, None]
