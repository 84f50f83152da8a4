"""A kill can tear the last line of a store file at any byte (issue 11, must show): at every byte
offset of that line, inside multi-byte characters too, no command prints a traceback and the next
``extract`` over the same files leaves the store equal to a clean run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE
from pipeline.store.check import check_store

runner = CliRunner()
FILES = (DOCUMENTS_FILE, CLAIMS_FILE, ENTITIES_FILE)


def last_line_cuts(data: bytes) -> range:
    """Every length that cuts the last line short (keeps at least its first byte)."""
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    return range(start + 1, len(data))


def claims_of(root: Path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, (root / CLAIMS_FILE).read_text("utf-8").splitlines())}


def document_ids(root: Path) -> list[str]:
    return sorted(json.loads(line)["id"]
                  for line in (root / DOCUMENTS_FILE).read_text("utf-8").splitlines())


@pytest.fixture(scope="module")
def stores(tmp_path_factory, nlp) -> dict[str, Path]:
    """The corpus, the store after its first file only, and the clean store of both files."""
    base = tmp_path_factory.mktemp("torn")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Kestrel Mills will cut 200 jobs at its Leeds plant.\n",
                                  encoding="utf-8")
    (corpus / "b.txt").write_text("李博 (Li Bo) became chief executive of Norvale Foods (诺维尔), "
                                  "whose sales rose 12%.\n", encoding="utf-8")
    first, clean = base / "first", base / "clean"
    extract([corpus / "a.txt"], first, nlp_factory=lambda model: nlp)
    shutil.copytree(first, clean)
    extract([corpus], clean, nlp_factory=lambda model: nlp)
    assert len(document_ids(clean)) == 2
    return {"corpus": corpus, "first": first, "clean": clean}


def torn_store(stores: dict[str, Path], torn_file: str, cut: int, where: Path) -> Path:
    """The store a kill leaves while it wrote ``torn_file`` for the second file: the files
    written before it in the batch (claims, entities, then documents) are whole, later ones
    are as after the first file."""
    order = [CLAIMS_FILE, ENTITIES_FILE, DOCUMENTS_FILE]
    where.mkdir()
    for name in FILES:
        done = order.index(name) < order.index(torn_file)
        source = stores["clean" if done or name == torn_file else "first"] / name
        (where / name).write_bytes(source.read_bytes())
    data = (where / torn_file).read_bytes()
    (where / torn_file).write_bytes(data[:cut])
    return where


@pytest.mark.parametrize("torn_file", [DOCUMENTS_FILE, CLAIMS_FILE, ENTITIES_FILE])
def test_a_tail_torn_at_any_byte_is_repaired_by_the_next_extract(stores, nlp, tmp_path, torn_file):
    data = (stores["clean"] / torn_file).read_bytes()
    cuts = last_line_cuts(data)
    inside_characters = [c for c in cuts if 0x80 <= data[c] < 0xC0]  # cut before a continuation byte
    assert inside_characters, "the last line must hold multi-byte characters"
    for cut in cuts:
        root = torn_store(stores, torn_file, cut, tmp_path / f"s{cut}")
        if cut in inside_characters or cut % 25 == 0:
            for command in (["stats"], ["claims"], ["entities"], ["check"],
                            ["export", "--to", f"sqlite:///{tmp_path / f'e{cut}.db'}"]):
                result = runner.invoke(app, [*command, "--store", str(root)])
                assert "Traceback" not in result.output, (cut, command, result.output)
                # readers skip the torn line; check and export may report or refuse it
                allowed = (0,) if command[0] in ("stats", "claims", "entities") else (0, 1)
                assert result.exit_code in allowed, (cut, command, result.output)
        summary = extract([stores["corpus"]], root, nlp_factory=lambda model: nlp)
        assert summary.failed == 0, summary.errors
        assert claims_of(root) == claims_of(stores["clean"]), cut
        assert document_ids(root) == document_ids(stores["clean"]), cut
        assert check_store(root).ok, (cut, check_store(root).problems)
        shutil.rmtree(root)
