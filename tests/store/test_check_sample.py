"""``check --sample N``: documents and entities in full, N claim lines at random (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store.check import check_store

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture
def store_with_a_bad_claim(nlp, corpus_copy, tmp_path) -> tuple[Path, int]:
    """A store whose claim line ``bad`` no longer matches its document's text."""
    store = tmp_path / "store"
    extract([corpus_copy], store, nlp_factory=lambda model: nlp)
    path = store / "claims.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = len(lines) // 2
    claim = json.loads(lines[bad - 1])
    claim["evidence"]["text"] = "not what the document says"
    lines[bad - 1] = json.dumps(claim, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return store, bad


def test_a_sample_checks_that_many_lines_and_is_the_same_for_a_seed(store_with_a_bad_claim):
    store, bad = store_with_a_bad_claim
    total = sum(1 for _ in (store / "claims.jsonl").open())
    full = check_store(store)
    assert any(p.startswith(f"claims.jsonl:{bad}:") for p in full.problems)
    verdicts = []
    for seed in range(40):
        report = check_store(store, sample=10, seed=seed)
        assert report.sampled == (10, total) and report.claims == 10
        assert report.documents == full.documents
        verdicts.append(bool(report.problems))
        assert check_store(store, sample=10, seed=seed).problems == report.problems
    assert any(verdicts) and not all(verdicts)  # the bad line is in some samples, not all
    everything = check_store(store, sample=total + 5)
    assert everything.sampled == (total, total)
    assert [p for p in everything.problems if p.startswith("claims.jsonl")] == \
        [p for p in full.problems if p.startswith("claims.jsonl")]


def test_cli_check_sample(store_with_a_bad_claim):
    store, _ = store_with_a_bad_claim
    total = sum(1 for _ in (store / "claims.jsonl").open())
    result = runner.invoke(app, ["check", "--store", str(store), "--sample", str(total)])
    assert result.exit_code == 1 and f"a sample of {total} of {total} claim lines" in result.stdout
    assert runner.invoke(app, ["check", "--store", str(store), "--sample", "0"]).exit_code == 2
