"""Store files are read as bytes, line by line (issue 11, cause 3): a tail torn inside a multi-byte
character or one bad byte in a middle line spoils that line only, and no reader raises."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.claims import Claim
from pipeline.cli import app
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE, ClaimStore
from pipeline.store.check import check_store
from tests.store.test_store import make_claims, make_document

runner = CliRunner()
DOC_CJK = make_document("李博 joined Norvale Foods (诺维尔) as chief financial officer.", "cjk.txt")
CLAIMS_CJK = make_claims(DOC_CJK, [("李博", "PERSON"), ("Norvale Foods", "ORG")])
DOC_LATIN = make_document("Kestrel Mills cut 200 jobs at its Leeds plant.", "latin.txt")
CLAIMS_LATIN = make_claims(DOC_LATIN, [("Kestrel Mills", "ORG")])


def stored(root: Path) -> Path:
    with ClaimStore(root).writer() as writer:
        writer.add(DOC_LATIN, CLAIMS_LATIN)
        writer.add(DOC_CJK, CLAIMS_CJK)
    return root


def last_line_cuts(path: Path) -> range:
    data = path.read_bytes()
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    return range(start + 1, len(data) - 1)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return stored(tmp_path_factory.mktemp("template") / "store")


def test_a_torn_tail_at_every_byte_of_the_last_line_is_read_and_repaired(template, tmp_path):
    path = template / DOCUMENTS_FILE
    data = path.read_bytes()
    cuts = last_line_cuts(path)
    assert any(data[i] >= 0x80 for i in cuts), "the last line must hold multi-byte characters"
    for cut in cuts:
        root = tmp_path / f"s{cut}"
        root.mkdir()
        for name in (CLAIMS_FILE, DOCUMENTS_FILE):
            (root / name).write_bytes((template / name).read_bytes())
        (root / DOCUMENTS_FILE).write_bytes(data[:cut])
        store = ClaimStore(root)
        assert store.document_ids() == {DOC_LATIN.id}
        assert [d.id for d in store.iter_documents()] == [DOC_LATIN.id]
        with store.writer() as writer:  # the next run repairs the tail and completes the batch
            writer.add(DOC_CJK, CLAIMS_CJK)
        assert store.document_ids() == {DOC_LATIN.id, DOC_CJK.id}
        damage = [p for p in check_store(root).problems if "schema" not in p]  # test records are minimal
        assert damage == []


def test_a_bad_byte_in_a_middle_line_is_reported_with_its_line_and_skipped(template, tmp_path):
    root = tmp_path / "store"
    root.mkdir()
    for name in (CLAIMS_FILE, DOCUMENTS_FILE):
        (root / name).write_bytes((template / name).read_bytes())
    claims = (root / CLAIMS_FILE).read_bytes().split(b"\n")
    claims[0] = claims[0].replace(b"Kestrel", b"Kes\xfftrel", 1)
    (root / CLAIMS_FILE).write_bytes(b"\n".join(claims))
    report = check_store(root)
    assert not report.ok
    assert any(p.startswith(f"{CLAIMS_FILE}:1: not UTF-8") for p in report.problems), report.problems
    good = [Claim.from_dict(c.to_dict()).id for c in ClaimStore(root).iter_claims()]
    assert len(good) == len(CLAIMS_LATIN) + len(CLAIMS_CJK) - 1
    for command in (["stats"], ["claims"], ["entities"], ["check"]):
        result = runner.invoke(app, [*command, "--store", str(root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert "Traceback" not in result.output
