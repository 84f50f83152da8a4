"""The newsclaims command line, through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import CORPUS, SEED_GOLD

runner = CliRunner()


def test_no_arguments_shows_help():
    result = runner.invoke(app, [])
    assert "extract" in result.output and "evaluate" in result.output


def test_evaluate_missing_gold_file_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "nope.jsonl" in result.output


@pytest.mark.integration
def test_extract_prints_summary_and_reruns_clean(corpus_copy, tmp_path):
    store = tmp_path / "store"
    first = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet"])
    assert first.exit_code == 0, first.output
    assert "files read" in first.output and "claims written" in first.output
    size = (store / "claims.jsonl").stat().st_size
    second = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet"])
    assert second.exit_code == 0
    assert (store / "claims.jsonl").stat().st_size == size


@pytest.mark.integration
def test_extract_exit_code_reports_failed_files(corpus_copy, tmp_path):
    (corpus_copy / "blank.txt").write_text("   \n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(tmp_path / "s"),
                                 "--quiet"])
    assert result.exit_code == 1
    assert "blank.txt" in result.output


@pytest.mark.integration
def test_evaluate_writes_metrics_json(tmp_path):
    out = tmp_path / "metrics.json"
    result = runner.invoke(app, ["evaluate", str(SEED_GOLD), "--corpus", str(CORPUS),
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text(encoding="utf-8"))
    for label in ("ORG", "PERSON", "PERCENT", "micro"):
        assert set(metrics["entities"][label]) >= {"p", "r", "f", "tp", "fp", "fn"}
    assert metrics["entities"]["micro"]["f"] >= 0.95
    assert "micro" in result.output
    for claim_type, slots in (("directive", {"actor", "targets"}),
                              ("percentage", {"subject", "metric", "when"}),
                              ("role", {"person", "role", "org"})):
        section = metrics["claims"][claim_type]
        assert set(section) >= {"p", "r", "f", "tp", "fp", "fn", "slots"}
        assert set(section["slots"]) == slots
    assert set(metrics["errors"]["claims"]) == {"missed", "spurious", "slot_errors"}
    assert set(metrics["aliases"]) >= {"p", "r", "f"}
    assert "alias clustering" in result.output


def test_cli_import_does_not_load_spacy():
    """The re-run fast path must not pay for importing spaCy."""
    import subprocess
    import sys

    code = "import sys, pipeline.cli, pipeline.extract; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
