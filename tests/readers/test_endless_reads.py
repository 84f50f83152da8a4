"""Reads that never end (issue 11, cause 5): the ignore file, the alias file and inputs are read
only when they are small regular files; a FIFO, /dev/zero or a folder gets one line, at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.readers import UnreadableFile
from pipeline.readers.sources import IGNORE_FILE, iter_sources, read_regular_file


def special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    zero = tmp_path / "zero"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {"fifo": fifo, "dev_zero": zero, "folder": folder}


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder"])
def test_read_regular_file_refuses_what_is_not_a_regular_file(tmp_path, kind):
    with pytest.raises(UnreadableFile, match="not a regular file|Is a directory"):
        read_regular_file(special_files(tmp_path)[kind])


def test_read_regular_file_refuses_a_file_over_the_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UnreadableFile, match="above the limit"):
        read_regular_file(big, max_bytes=100)
    assert read_regular_file(big, max_bytes=101) == b"x" * 101


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder"])
def test_an_ignore_file_that_is_not_a_file_is_one_error_and_the_walk_goes_on(tmp_path, kind):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Norvale Foods cut 200 jobs.\n", encoding="utf-8")
    target = special_files(tmp_path)[kind]
    (corpus / IGNORE_FILE).symlink_to(target)
    items = list(iter_sources(corpus))
    errors = [str(i) for i in items if not hasattr(i, "text")]
    assert len(errors) == 1 and IGNORE_FILE in errors[0] and "\n" not in errors[0]
    assert [i.path for i in items if hasattr(i, "text")] == ["a.txt"]


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder", "missing"])
def test_a_bad_alias_file_is_one_line_and_exit_2_before_any_work(tmp_path, kind):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Norvale Foods cut 200 jobs.\n", encoding="utf-8")
    aliases = tmp_path / "missing.jsonl" if kind == "missing" else special_files(tmp_path)[kind]
    cli = Path(sys.executable).parent / "newsclaims"
    done = subprocess.run([str(cli), "extract", str(corpus), "--store", str(tmp_path / "store"),
                           "--aliases", str(aliases), "--quiet"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert str(aliases) in done.stderr
    assert not (tmp_path / "store" / "documents.jsonl").exists()
