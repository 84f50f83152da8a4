"""Lost claims are noticed and restored (issue 11, cause 4): every document record states how
many claims its batch wrote, ``check`` reports a document whose claims are missing or broken, and
``extract --repair`` re-processes it from its stored text until the store equals a clean run."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE
from pipeline.store.check import check_store

runner = CliRunner()


def claim_lines(root: Path) -> list[str]:
    return (root / CLAIMS_FILE).read_text(encoding="utf-8").splitlines()


def claims_by_id(root: Path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, claim_lines(root))}


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory, nlp) -> Path:
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "a.txt").write_text(
        "Kestrel Mills will cut 200 jobs at its Leeds plant, chief executive Ann Moss said.\n\n"
        "The company's shares fell 4% after it agreed to buy Harlow Paper for £40m.\n",
        encoding="utf-8")
    (corpus / "b.txt").write_text(
        "Norvale Foods appointed Raj Patel as chief financial officer on Monday.\n\n"
        "Its profit rose 12% as sales in Asia grew.\n", encoding="utf-8")
    root = tmp_path_factory.mktemp("clean") / "store"
    summary = extract([corpus], root, nlp_factory=lambda model: nlp)
    assert summary.failed == 0 and summary.claims > 4
    return root


@pytest.fixture
def store(clean_store, tmp_path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(clean_store, root)
    return root


def _rewrite_claims(root: Path, edit: Callable[[list[bytes]], list[bytes]]) -> None:
    path = root / CLAIMS_FILE
    path.write_bytes(b"".join(edit(path.read_bytes().splitlines(keepends=True))))


def _shift_evidence(line: bytes) -> bytes:
    record = json.loads(line)
    record["evidence"]["start"] += 1
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _flip(line: bytes) -> bytes:
    middle = len(line) // 2
    return line[:middle] + b"\xff\xfe" + line[middle + 2:]


# How the claims are damaged → how many claims are lost, whether lines are set aside by --repair.
DAMAGE = {
    "claims file deleted": lambda root: (root / CLAIMS_FILE).unlink(),
    "one middle line removed": lambda root: _rewrite_claims(root, lambda ls: ls[:2] + ls[3:]),
    "bytes flipped in a middle line": lambda root: _rewrite_claims(
        root, lambda ls: [*ls[:2], _flip(ls[2]), *ls[3:]]),
    "evidence offset changed": lambda root: _rewrite_claims(
        root, lambda ls: [*ls[:1], _shift_evidence(ls[1]), *ls[2:]]),
    "last line torn": lambda root: _rewrite_claims(root, lambda ls: [*ls[:-1], ls[-1][:-9]]),
}


def test_every_document_record_states_its_claim_count(clean_store):
    documents = [json.loads(line) for line in
                 (clean_store / DOCUMENTS_FILE).read_text(encoding="utf-8").splitlines()]
    claims = claims_by_id(clean_store).values()
    for document in documents:
        assert document["claim_count"] == sum(
            1 for c in claims if c["evidence"]["doc_id"] == document["id"])
    assert check_store(clean_store).ok


@pytest.mark.parametrize("damage", DAMAGE)
def test_check_names_each_document_whose_claims_are_missing_or_broken(store, damage):
    victims = {c["evidence"]["doc_id"] for c in claims_by_id(store).values()}
    DAMAGE[damage](store)
    remaining = claims_by_id_lenient(store)
    report = check_store(store)
    assert not report.ok
    assert set(report.incomplete) <= victims and report.incomplete
    lines = [p for p in report.problems if p.startswith(f"{DOCUMENTS_FILE}:")]
    assert len(lines) == len(report.incomplete)
    assert all("claims intact" in p and "--repair" in p for p in lines)
    if damage == "claims file deleted":
        assert report.incomplete.keys() == victims and not remaining
        assert all(found == 0 and stated > 0 for stated, found in report.incomplete.values())


def claims_by_id_lenient(root: Path) -> dict[str, dict]:
    """The claims that still parse (a damaged store)."""
    path = root / CLAIMS_FILE
    found = {}
    for raw in (path.read_bytes().splitlines() if path.exists() else []):
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        found[record["id"]] = record
    return found


@pytest.mark.parametrize("damage", DAMAGE)
def test_repair_restores_exactly_the_claims_of_a_clean_run(store, clean_store, nlp, damage):
    DAMAGE[damage](store)
    summary = extract([], store, repair=True, nlp_factory=lambda model: nlp)
    assert summary.repaired >= 1
    report = check_store(store)
    assert report.ok, report.problems
    assert claims_by_id(store) == claims_by_id(clean_store)
    assert len(claim_lines(store)) == len(claim_lines(clean_store))  # nothing twice
    again = extract([], store, repair=True, nlp_factory=lambda model: nlp)
    assert (again.repaired, again.lines_set_aside, again.claims) == (0, 0, 0)


def test_repair_moves_unusable_lines_aside_byte_for_byte(store):
    lines = (store / CLAIMS_FILE).read_bytes().splitlines(keepends=True)
    _rewrite_claims(store, lambda ls: [*ls[:2], _flip(ls[2]), ls[3], ls[3], *ls[4:]])
    flipped = _flip(lines[2])
    report = check_store(store)
    assert report.unusable == {CLAIMS_FILE: {3, 5}}  # the bad line and the later copy
    from pipeline.store.claim_store import set_aside_lines

    assert set_aside_lines(store / CLAIMS_FILE, report.unusable[CLAIMS_FILE]) == 2
    assert (store / (CLAIMS_FILE + ".damaged")).read_bytes() == flipped + lines[3]
    assert (store / CLAIMS_FILE).read_bytes() == b"".join(lines[:2] + lines[3:])


def test_a_plain_rerun_restores_nothing_but_check_keeps_saying_so(store, nlp, tmp_path):
    (store / CLAIMS_FILE).unlink()
    corpus = tmp_path / "empty"
    corpus.mkdir()
    extract([corpus], store, nlp_factory=lambda model: nlp)
    assert not (store / CLAIMS_FILE).exists()
    assert check_store(store).incomplete


def test_cli_repair_needs_no_inputs_and_reports_what_it_did(store, monkeypatch, nlp):
    import pipeline

    monkeypatch.setattr(pipeline, "load", lambda model=None: nlp)
    (store / CLAIMS_FILE).unlink()
    result = runner.invoke(app, ["extract", "--repair", "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "repaired 2 documents" in result.output
    check = runner.invoke(app, ["check", "--store", str(store)])
    assert check.exit_code == 0, check.output
    nothing = runner.invoke(app, ["extract", "--store", str(store)])
    assert nothing.exit_code == 2
    assert "--repair" in nothing.output
