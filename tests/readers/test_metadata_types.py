"""Metadata types (issue 11, cause 7): whatever JSON a manifest line or a record holds, what the
reader returns validates against the document schema's ``source`` subschema, and every field it
drops is named in exactly one warning."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
import spacy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.extract import extract
from pipeline.readers import SourceDocument, iter_sources
from pipeline.readers.metadata import clean_metadata, source_schema
from pipeline.store.check import check_store
from pipeline.store.export import export_store

FIELDS = ("publisher", "url", "title", "published", "section")  # "section": not in the schema
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8)
SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def source_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(source_schema())


def read_with_manifest(line: dict[str, Any]) -> SourceDocument:
    """Read a.txt with ``line`` as its manifest entry."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "a.txt").write_text("Norvale Foods cut 200 jobs.\n", encoding="utf-8")
        (root / "sources.jsonl").write_text(json.dumps({"file": "a.txt", **line}) + "\n",
                                            encoding="utf-8")
        items = list(iter_sources(root))
    (doc,) = items
    assert isinstance(doc, SourceDocument), doc
    return doc


def read_record(record: dict[str, Any]) -> SourceDocument:
    """Read one JSONL record holding ``record``'s fields beside its text."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.jsonl"
        path.write_text(json.dumps({"text": "Norvale Foods cut 200 jobs.", **record}) + "\n",
                        encoding="utf-8")
        (doc,) = iter_sources(path)
    assert isinstance(doc, SourceDocument), doc
    return doc


def assert_warned_once_per_drop(doc: SourceDocument, offered: dict[str, Any], where: str) -> None:
    """Each offered field is kept, or dropped with exactly one warning naming it."""
    assert not list(source_validator().iter_errors(doc.metadata)), doc.metadata
    for name in offered:
        named = [w for w in doc.warnings
                 if w.startswith(f"{where}: metadata field {name!r} dropped: ")]
        assert len(named) == (0 if name in doc.metadata else 1), (name, doc.warnings)
    assert len(doc.warnings) == len([n for n in offered if n not in doc.metadata])


@SETTINGS
@given(st.fixed_dictionaries({}, optional={name: JSON for name in FIELDS}))
@example({"publisher": {"name": "X"}})
@example({"published": float("nan"), "section": float("inf")})
def test_manifest_metadata_types_by_hypothesis(line: dict[str, Any]) -> None:
    doc = read_with_manifest(line)
    offered = {k: v for k, v in line.items() if v is not None}  # null means "not given"
    assert_warned_once_per_drop(doc, offered, "a.txt")
    assert doc.metadata["format"] == "txt" and doc.metadata["encoding"] == "utf-8"


@SETTINGS
@given(st.fixed_dictionaries({}, optional={name: JSON for name in FIELDS}))
@example({"publisher": 7, "section": float("-inf")})
def test_record_metadata_types_by_hypothesis(record: dict[str, Any]) -> None:
    doc = read_record(record)
    known = source_schema()["properties"]
    # a record's own nested fields outside the schema are content, left out without a word
    offered = {k: v for k, v in record.items() if v is not None
               and (k in known or not isinstance(v, dict | list))}
    assert_warned_once_per_drop(doc, offered, "feed.jsonl#L1")
    assert set(doc.metadata) <= set(offered) | {"format", "encoding", "encoding_confidence"}


CASES = [
    ({"publisher": {"name": "X"}}, {},
     ["a.txt: metadata field 'publisher' dropped: expected a string or null, got an object"]),
    ({"publisher": "X", "url": 5}, {"publisher": "X"},
     ["a.txt: metadata field 'url' dropped: expected a string or null, got a number"]),
    ({"title": True, "tags": ["x", "y"]}, {},
     ["a.txt: metadata field 'title' dropped: expected a string or null, got a boolean",
      "a.txt: metadata field 'tags' dropped: expected a string or a number or a boolean or "
      "null, got an array"]),
    ({"rating": float("nan"), "words": 512, "paywall": False}, {"words": 512, "paywall": False},
     ["a.txt: metadata field 'rating' dropped: not a finite number (NaN or Infinity)"]),
    ({"encoding": "latin-1", "encoding_confidence": 7},  # the reader's own fields win
     {"encoding": "utf-8", "encoding_confidence": 1.0}, []),
]


@pytest.mark.parametrize(("line", "kept", "warnings"), CASES,
                         ids=["issue-object-publisher", "number-url", "bool-title-and-list",
                              "nan-and-extra-scalars", "provenance-not-overridable"])
def test_manifest_metadata_table(line: dict[str, Any], kept: dict[str, Any],
                                 warnings: list[str]) -> None:
    doc = read_with_manifest(line)
    assert doc.text == "Norvale Foods cut 200 jobs.\n"  # the document is still read
    assert list(doc.warnings) == warnings
    assert {k: v for k, v in doc.metadata.items() if k in line} == kept


def test_clean_metadata_names_the_place() -> None:
    kept, warnings = clean_metadata({"publisher": ["A", "B"], "title": "T"}, "feed.jsonl#L3")
    assert kept == {"title": "T"}
    assert warnings == ["feed.jsonl#L3: metadata field 'publisher' dropped: expected a string "
                        "or null, got an array"]


def test_issue_case_store_passes_check_and_exports(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Norvale Foods cut 200 jobs in Ohio.\n", encoding="utf-8")
    (corpus / "sources.jsonl").write_text(
        json.dumps({"file": "a.txt", "publisher": {"name": "X"}, "words": 7,
                    "section": "markets"}) + "\n", encoding="utf-8")
    nlp = spacy.blank("en")
    events: list[tuple[str, str]] = []
    store = tmp_path / "store"
    summary = extract([corpus], store, nlp_factory=lambda model: nlp,
                      on_event=lambda kind, msg: events.append((kind, msg)))
    assert summary.failed == 0 and summary.documents_new == 1 and summary.warnings == 1
    assert ("warning", "a.txt: metadata field 'publisher' dropped: expected a string or null, "
                       "got an object") in events
    report = check_store(store)
    assert report.ok, report.problems
    export_store(store, f"sqlite:///{tmp_path / 'claims.db'}")
    with sqlite3.connect(tmp_path / "claims.db") as db:
        assert db.execute("select path, publisher from documents").fetchall() == [("a.txt", None)]
