"""``export --to`` reads SQLite URLs as SQLAlchemy does: ``sqlite:///x.db`` is relative to the
current folder, ``sqlite:////x.db`` absolute; the default lands in the store folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store.export import BadTarget, parse_target
from tests.test_cli_errors import synthetic_store

runner = CliRunner()


def documents_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return synthetic_store(tmp_path / "store")


def export(*args: str) -> None:
    result = runner.invoke(app, ["export", *args])
    assert result.exit_code == 0, result.output


def test_three_slashes_are_relative_to_the_current_folder(store: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    export("--store", str(store), "--to", "sqlite:///tmp/x.db")
    assert documents_in(work / "tmp" / "x.db") == 2  # not /tmp/x.db: that takes four slashes
    export("--store", str(store), "--to", "sqlite:///c.db")
    assert documents_in(work / "c.db") == 2


def test_four_slashes_are_absolute(store: Path, tmp_path: Path, monkeypatch) -> None:
    work, db = tmp_path / "work", tmp_path / "elsewhere" / "x.db"
    work.mkdir()
    monkeypatch.chdir(work)
    assert str(db).startswith("/")
    export("--store", str(store), "--to", f"sqlite:///{db}")  # "sqlite:///" + "/tmp/..."
    assert documents_in(db) == 2
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("name", ["store", "odd?name#1"])
def test_the_default_lands_in_the_store_folder(tmp_path: Path, monkeypatch, name: str) -> None:
    root = synthetic_store(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    export("--store", name)  # relative store
    assert documents_in(tmp_path / name / "claims.db") == 2
    (root / "claims.db").unlink()
    monkeypatch.chdir(tmp_path.parent)
    export("--store", str(root))  # absolute store
    assert documents_in(root / "claims.db") == 2


def test_target_forms_follow_sqlalchemy() -> None:
    assert parse_target("sqlite:///relative.db") == ("sqlite", "relative.db")
    assert parse_target("sqlite:///tmp/x.db") == ("sqlite", "tmp/x.db")
    assert parse_target("sqlite:////abs/path.db") == ("sqlite", "/abs/path.db")
    assert parse_target("postgresql://u:p@h:5432/db") == ("postgresql", "postgresql://u:p@h:5432/db")
    assert parse_target("parquet:out/parquet/") == ("parquet", "out/parquet/")


@pytest.mark.parametrize(("target", "why"), [
    ("sqlite://", "sqlite:///relative.db or sqlite:////absolute/path.db"),
    ("sqlite://host/x.db", "sqlite:///relative.db or sqlite:////absolute/path.db"),
    ("sqlite:x.db", "sqlite:///relative.db or sqlite:////absolute/path.db"),
    ("sqlite:///", "in-memory"),
    ("sqlite:///:memory:", "in-memory"),
    ("sqlite:///x.db?mode=ro", "driver options"),
    ("", "--to must be"),
])
def test_targets_that_name_no_file_are_refused(store: Path, target: str, why: str) -> None:
    with pytest.raises(BadTarget, match="--to must be"):
        parse_target(target)
    result = runner.invoke(app, ["export", "--store", str(store), "--to", target])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and why in lines[0], result.stderr
