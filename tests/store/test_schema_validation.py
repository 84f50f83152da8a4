"""``schema_problem``: the compiled validator check uses says what jsonschema (the reference) says,
on every record of a real store and on hundreds of broken copies of them."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from pipeline.extract import extract
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE
from pipeline.store.schemas import RECORD_TYPES, schema_problem, validator

FILES = {"document": DOCUMENTS_FILE, "claim": CLAIMS_FILE, "entity": ENTITIES_FILE}
WRONG_VALUES = [None, -1, 0, 2.5, "", "x", [], [1], {}, {"a": 1}, True]


@pytest.fixture(scope="module")
def records(tmp_path_factory, nlp) -> dict[str, list[dict[str, Any]]]:
    """Every record of a store made from the seed corpus, by type."""
    root = tmp_path_factory.mktemp("schema") / "store"
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    assert not extract([corpus], root, nlp_factory=lambda model: nlp).failed
    return {kind: [json.loads(line) for line in (root / name).read_text("utf-8").splitlines()]
            for kind, name in FILES.items()}


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path inside a record (list items by index)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            found += paths(item, (*prefix, index))
    return found


def broken(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of ``record`` with one value replaced, one key removed or one key added."""
    result = copy.deepcopy(record)
    path = rng.choice(paths(result))
    parent = result
    for part in path[:-1]:
        parent = parent[part]
    move = rng.random()
    if move < 0.6:
        parent[path[-1]] = rng.choice(WRONG_VALUES)
    elif move < 0.85 and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["unexpected_key"] = rng.choice(WRONG_VALUES)
    return result


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_every_stored_record_passes(records, kind) -> None:
    assert records[kind]
    assert [schema_problem(kind)(r) for r in records[kind]] == [None] * len(records[kind])


@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_the_compiled_validator_agrees_with_jsonschema_on_broken_records(records, kind) -> None:
    rng = random.Random(kind)
    reference = validator(kind)
    invalid = 0
    for _ in range(400):
        record = broken(rng.choice(records[kind]), rng)
        problem = schema_problem(kind)(record)
        assert (problem is None) == reference.is_valid(record), (kind, record)
        invalid += problem is not None
    assert invalid > 100  # the broken copies exercise the failing side too


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        ("claim", lambda r: r.pop("id"), "'id' is a required property"),
        ("claim", lambda r: r["evidence"].update(start=-3), "-3 is less than the minimum of 0"),
        ("document", lambda r: r.update(text=7), "7 is not of type 'string'"),
        ("entity", lambda r: r.update(label="PLANET"), "'PLANET' is not one of"),
    ],
)
def test_the_problem_is_worded_as_jsonschema_words_it(records, kind, change, message) -> None:
    record = copy.deepcopy(records[kind][0])
    change(record)
    assert message in schema_problem(kind)(record)
