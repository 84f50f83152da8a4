"""CLI conventions (issue 12): choices are checked and case-insensitive, flags look like flags,
``--version``, and every bad value is one stderr line with exit code 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import ClaimType, EntityLabel, app
from pipeline.store import ClaimStore
from tests.test_cli_errors import synthetic_store

runner = CliRunner()
COMMANDS = ["extract", "evaluate", "check", "entities", "claims", "stats", "export", "review"]


def test_version_prints_name_and_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"newsclaims {pipeline.__version__}\n"


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)],
                         ids=lambda c: c[0] if c else "newsclaims")
def test_help_shows_flags_without_a_type(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout and "BOOLEAN" not in result.stdout
    flag = {"extract": "--quiet", "export": "--force", "evaluate": "--bare"}.get(
        command[0] if command else "", "--help")
    assert re.search(rf"{flag}\s+\S", result.stdout)  # the flag, then its help text


def test_the_choices_cover_what_the_store_holds() -> None:
    from pipeline.claims import ENTITY_LABELS
    from pipeline.extract import CLAIM_TYPES

    assert {m.value for m in EntityLabel} == set(ENTITY_LABELS) - {"PERCENT"}  # no PERCENT records
    assert [m.value for m in ClaimType] == list(CLAIM_TYPES)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return synthetic_store(tmp_path / "store")


@pytest.mark.parametrize("value", ["org", "ORG", "Org"])
def test_entity_label_is_case_insensitive(store: Path, value: str) -> None:
    result = runner.invoke(app, ["entities", "--store", str(store), "--label", value,
                                 "--format", "JSONL"])
    assert result.exit_code == 0, result.output
    labels = {json.loads(line)["label"] for line in result.stdout.splitlines()}
    assert labels == {"ORG"}


def test_claim_type_is_case_insensitive(store: Path) -> None:
    result = runner.invoke(app, ["claims", "--store", str(store), "--type", "Directive",
                                 "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    types = [json.loads(line)["type"] for line in result.stdout.splitlines()]
    assert types and set(types) == {"directive"}
    every = {c.type for c in ClaimStore(store).iter_claims()}
    assert every > {"directive"}


BAD_VALUES = [
    (["entities", "--label", "foo"], "--label", "'foo' is not one of ORG, PERSON"),
    (["entities", "--label", "PERCENT"], "--label", "is not one of ORG, PERSON"),
    (["claims", "--type", "directives"], "--type",
     "'directives' is not one of entity, directive, percentage, role"),
    (["claims", "--format", "xml"], "--format", "'xml' is not one of table, jsonl"),
    (["entities", "--format", "csv"], "--format", "is not one of table, jsonl"),
    (["stats", "--format", "json"], "--format", "is not one of table, jsonl"),
    (["export", "--to", "mysql://h/db"], "--to must be", "mysql://h/db"),
    (["export", "--to", "sqlite://x.db"], "--to must be", "sqlite://x.db"),
    (["export", "--batch-size", "0"], "--batch-size", "greater than or equal to 1"),
    (["extract", "x.txt", "--batch-size", "0"], "--batch-size", "greater than or equal to 1"),
    (["extract", "x.txt", "--workers", "0"], "--workers", "greater than or equal to 1"),
    (["extract", "x.txt", "--workers", "two"], "--workers", "valid integer"),
    (["stats", "--no-such-option"], "No such option", "--no-such-option"),
    (["no-such-command"], "No such command", "no-such-command"),
]


@pytest.mark.parametrize(("args", *"ab"), BAD_VALUES, ids=[" ".join(a) for a, *_ in BAD_VALUES])
def test_a_bad_value_is_one_line_and_exit_2(store: Path, args: list[str], a: str,
                                            b: str) -> None:
    if args[0] in {"entities", "claims", "stats", "export"}:
        args = [*args, "--store", str(store)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert a in lines[0] and b in lines[0], lines[0]
    assert result.stdout == ""
    assert "Traceback" not in result.output
