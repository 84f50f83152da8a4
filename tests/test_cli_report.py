"""``extract --report FILE.jsonl`` (one line per input document) and the progress total."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import CLAIM_TYPES, extract
from pipeline.readers import count_files, iter_sources
from pipeline.store import ClaimStore

runner = CliRunner()


def read_report(path: Path) -> dict[str, dict]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        assert list(line) == ["path", "status", "document_id", "claims", "error"]
        assert list(line["claims"]) == list(CLAIM_TYPES)
    by_path = {line["path"]: line for line in lines}
    assert len(by_path) == len(lines)
    return by_path


def stored_counts(store: Path) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for claim in ClaimStore(store).iter_claims():
        per_type = counts.setdefault(claim.evidence.doc_id, dict.fromkeys(CLAIM_TYPES, 0))
        per_type[claim.type] += 1
    return counts


@pytest.mark.integration
def test_report_on_the_corpus_matches_the_store_then_says_skipped(corpus_copy: Path,
                                                                  tmp_path: Path) -> None:
    store, report = tmp_path / "store", tmp_path / "report.jsonl"
    result = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet",
                                 "--report", str(report)])
    assert result.exit_code == 0, result.output
    lines = read_report(report)
    documents = {d.path: d.id for d in ClaimStore(store).iter_documents()}
    assert {p: line["document_id"] for p, line in lines.items()} == documents
    assert {line["status"] for line in lines.values()} == {"processed"}
    claims = stored_counts(store)
    for line in lines.values():
        assert line["claims"] == claims[line["document_id"]]
        assert line["error"] is None
    assert sum(line["claims"]["directive"] for line in lines.values()) > 0

    again = runner.invoke(app, ["extract", str(corpus_copy), "--store", str(store), "--quiet",
                                "--report", str(report)])
    assert again.exit_code == 0
    lines_again = read_report(report)
    assert {p: (x["status"], x["document_id"]) for p, x in lines_again.items()} == {
        p: ("skipped", d) for p, d in documents.items()}
    assert all(set(x["claims"].values()) == {0} for x in lines_again.values())
    assert not list(tmp_path.glob(".report.jsonl*"))  # the temporary file was renamed

    (store / "claims.jsonl").unlink()
    repaired = runner.invoke(app, ["extract", "--repair", "--store", str(store), "--quiet",
                                   "--report", str(report)])
    assert repaired.exit_code == 0, repaired.output
    assert {p: (x["status"], x["document_id"], x["claims"]) for p, x in read_report(report).items()
            } == {p: ("repaired", x["document_id"], x["claims"]) for p, x in lines.items()}


def test_report_names_each_bad_file_and_the_good_ones(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Kestrel Mills cut 200 jobs at its Leeds plant.\n",
                                     encoding="utf-8")
    (corpus / "blank.txt").write_text("   \n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (corpus / "feed.jsonl").write_text('{"text": "Acme Corp grew 5%."}\n{"title": "no text"}\n',
                                       encoding="utf-8")
    report = tmp_path / "out" / "r.jsonl"
    report.parent.mkdir()
    result = runner.invoke(app, ["extract", str(corpus), "--store", str(tmp_path / "s"),
                                 "--quiet", "--report", str(report)])
    assert result.exit_code == 1
    lines = read_report(report)
    assert {p: x["status"] for p, x in lines.items()} == {
        "good.txt": "processed", "blank.txt": "failed", "binary.txt": "failed",
        "feed.jsonl#L1": "processed", "feed.jsonl#L2": "failed"}
    for path in ("blank.txt", "binary.txt", "feed.jsonl#L2"):
        assert lines[path]["error"].startswith(f"{path}: ")
        assert lines[path]["document_id"] is None
    assert lines["good.txt"]["document_id"] and lines["good.txt"]["error"] is None


def test_report_is_written_when_fail_fast_stops_the_run(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "a_blank.txt").write_text("\n", encoding="utf-8")
    report = tmp_path / "r.jsonl"
    result = runner.invoke(app, ["extract", str(corpus), "--store", str(tmp_path / "s"),
                                 "--quiet", "--fail-fast", "--report", str(report)])
    assert result.exit_code == 1
    assert read_report(report)["a_blank.txt"]["status"] == "failed"


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_a_report_that_cannot_be_written_is_refused_before_any_work(tmp_path: Path, where: str,
                                                                    monkeypatch) -> None:
    report = tmp_path / "nope" / "r.jsonl" if where == "missing folder" else tmp_path
    monkeypatch.setattr("pipeline.extract.extract", lambda *a, **k: pytest.fail("work began"))
    result = runner.invoke(app, ["extract", str(tmp_path), "--store", str(tmp_path / "s"),
                                 "--report", str(report)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"--report {report}: {'no such folder' if where == 'missing folder' else 'is a folder'}"]


def test_on_file_sees_every_document_and_on_event_is_unchanged(tmp_path: Path) -> None:
    """The library: ``on_file`` beside the old ``on_event(kind, path)``, which keeps its kinds."""
    corpus = tmp_path / "news"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Acme Corp cut 5% of jobs.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("\n", encoding="utf-8")
    events, files = [], []
    summary = extract([corpus], tmp_path / "s", nlp_factory=lambda name: __import__(
        "spacy").blank("en"), on_event=lambda kind, path: events.append((kind, path)),
        on_file=lambda status, info: files.append((status, info["path"], info["error"])))
    assert summary.failed == 1
    assert sorted(events) == [("failed", "b.txt: no text (whitespace only)"),
                              ("processed", "a.txt")]
    assert sorted(files) == [("failed", "b.txt", "b.txt: no text (whitespace only)"),
                             ("processed", "a.txt", None)]


def test_count_files_is_the_number_of_files_the_reader_reads(tmp_path: Path) -> None:
    root = tmp_path / "news"
    (root / "gold").mkdir(parents=True)
    (root / "sub").mkdir()
    for name in ("a.txt", "b.md", "sub/c.html", "sub/d.json", "gold/x.txt", "notes.pdf"):
        (root / name).write_text("text\n", encoding="utf-8")
    (root / "sources.jsonl").write_text("", encoding="utf-8")
    (root / ".newsclaimsignore").write_text("gold/\n", encoding="utf-8")
    assert count_files(root) == 4
    read = {str(item.path).split("#")[0] for item in iter_sources(root)} - {"sources.jsonl"}
    assert len(read) == 4 and not any(p.startswith("gold") for p in read)
    assert count_files(root / "a.txt") == 1
    assert count_files(root / "missing") == 1  # one error line


def test_a_document_is_reported_processed_only_once_it_is_stored(tmp_path: Path) -> None:
    """``on_file("processed")`` comes after the batch holding the document is written: a
    report line never names a document the store lacks (a crash before the write loses both)."""
    corpus = tmp_path / "news"
    corpus.mkdir()
    for n in range(5):
        (corpus / f"{n}.txt").write_text(f"Acme Corp {n} cut 5% of jobs.\n", encoding="utf-8")
    store = tmp_path / "s"
    stored_when_heard = []

    def heard(status: str, info: dict) -> None:
        documents = (store / "documents.jsonl").read_text(encoding="utf-8")
        stored_when_heard.append(status == "processed" and info["document_id"] in documents)

    extract([corpus], store, chunk_size=2, nlp_factory=lambda name: __import__("spacy").blank("en"),
            on_file=heard)
    assert stored_when_heard == [True] * 5
