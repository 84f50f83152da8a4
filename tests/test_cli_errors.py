"""CLI errors (issue 11, cause 10): every command on every bad store shape ends in one stderr
line naming the path and the reason, with the documented exit code, never a traceback; a store
with damaged middle lines is reported by ``check`` while the readers keep working."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store import CLAIMS_FILE, DOCUMENTS_FILE, LOCK_FILE, ClaimStore
from pipeline.store.errors import StoreUnusable
from tests.store.test_export import append, first_articles

runner = CliRunner()
READERS = (["stats"], ["entities"], ["claims"], ["check"], ["export"])
ROOT = os.geteuid() == 0  # chmod does not stop root


def synthetic_store(root: Path) -> Path:
    articles, entities = first_articles()
    append(root, articles, entities)
    return root


def run(args: list[str]):
    return runner.invoke(app, args)


def assert_one_line_error(result, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def news_file(tmp_path: Path) -> Path:
    path = tmp_path / "news" / "a.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text("Kestrel Mills cut 200 jobs at its Leeds plant.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
@pytest.mark.parametrize("shape", ["missing", "empty folder"])
def test_readers_on_no_store_exit_2(tmp_path: Path, command: list[str], shape: str) -> None:
    root = tmp_path / "store"
    if shape == "empty folder":
        root.mkdir()
        (root / LOCK_FILE).touch()  # what an extract that found no files leaves
    result = run([*command, "--store", str(root)])
    assert_one_line_error(result, 2, str(root), "no store here (no documents.jsonl)")


@pytest.mark.parametrize("command", [*READERS, ["extract"]], ids=lambda c: c[0])
def test_store_naming_a_file_exits_2(tmp_path: Path, command: list[str]) -> None:
    root = tmp_path / "store.jsonl"
    root.write_text("{}\n", encoding="utf-8")
    extra = [str(news_file(tmp_path))] if command == ["extract"] else []
    result = run([*command, *extra, "--store", str(root)])
    assert_one_line_error(result, 2, str(root), "not a folder")


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_unreadable_store_exits_2(tmp_path: Path, command: list[str], monkeypatch) -> None:
    root = synthetic_store(tmp_path / "store")
    monkeypatch.setattr("pipeline.store.errors.allowed", lambda path, mode: False)
    result = run([*command, "--store", str(root)])
    assert_one_line_error(result, 2, str(root), "store is not readable (permission denied)")


def test_unwritable_store_is_refused_before_any_work(tmp_path: Path, monkeypatch) -> None:
    root = synthetic_store(tmp_path / "store")
    monkeypatch.setattr("pipeline.store.errors.allowed", lambda path, mode: False)
    monkeypatch.setattr("pipeline.extract.extract", lambda *a, **k: pytest.fail("work began"))
    result = run(["extract", str(news_file(tmp_path)), "--store", str(root), "--quiet"])
    assert_one_line_error(result, 2, str(root), "store is not writable (permission denied)")


@pytest.mark.skipif(ROOT, reason="root writes through chmod; the monkeypatched tests cover it")
@pytest.mark.parametrize("what", ["folder", "files"])
def test_read_only_store_is_refused_by_extract(tmp_path: Path, what: str) -> None:
    root = synthetic_store(tmp_path / "store")
    targets = [root] if what == "folder" else list(root.iterdir())
    for path in targets:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        result = run(["extract", str(news_file(tmp_path)), "--store", str(root), "--quiet"])
        assert_one_line_error(result, 2, "store is not writable (permission denied)")
        assert run(["stats", "--store", str(root)]).exit_code == 0  # reading still works
    finally:
        for path in targets:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_lock_that_fails_with_permission_denied_is_one_line(tmp_path: Path,
                                                              monkeypatch) -> None:
    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "store" / LOCK_FILE))

    monkeypatch.setattr("filelock.BaseFileLock.acquire", denied)
    with pytest.raises(StoreUnusable, match="store is not writable \\(permission denied\\)"), \
            ClaimStore(tmp_path / "store").writer():
        pass


def test_a_write_error_opening_the_store_is_one_line(tmp_path: Path, monkeypatch) -> None:
    root = synthetic_store(tmp_path / "store")

    def fails(*args, **kwargs):
        with ClaimStore(root).writer():
            pass

    monkeypatch.setattr("filelock.BaseFileLock.acquire",
                        lambda self, *a, **k: (_ for _ in ()).throw(OSError(5, "I/O error")))
    monkeypatch.setattr("pipeline.extract.extract", fails)
    result = run(["extract", str(news_file(tmp_path)), "--store", str(root), "--quiet"])
    assert_one_line_error(result, 2, str(root), "cannot open the store (I/O error)")


@pytest.mark.parametrize("shape", ["folder", "fifo", "symlink to /dev/zero"])
def test_a_lock_path_that_is_not_a_file_is_one_line_at_once(tmp_path: Path, shape: str) -> None:
    root = synthetic_store(tmp_path / "store")
    lock = root / LOCK_FILE
    lock.unlink(missing_ok=True)
    {"folder": lock.mkdir, "fifo": lambda: os.mkfifo(lock),
     "symlink to /dev/zero": lambda: lock.symlink_to("/dev/zero")}[shape]()
    with pytest.raises(StoreUnusable, match="lock is not a regular file"), \
            ClaimStore(root).writer(lock_timeout=1):
        pass
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", str(news_file(tmp_path)), "--store",
         str(root), "--quiet"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"{lock}: the store's lock is not a regular file (remove it)"]


def test_bad_aliases_and_bad_target_are_one_line(tmp_path: Path) -> None:
    root = synthetic_store(tmp_path / "store")
    missing = tmp_path / "aliases.jsonl"
    result = run(["extract", str(news_file(tmp_path)), "--store", str(root), "--quiet",
                  "--aliases", str(missing)])
    assert_one_line_error(result, 2, str(missing))
    result = run(["export", "--store", str(root), "--to", "mysql://h/db"])
    assert_one_line_error(result, 2, "--to must be")


def flip_middle_lines(path: Path, count: int, seed: int) -> list[int]:
    """Set one random byte to 0xFF in ``count`` middle lines; their 1-based numbers."""
    rng = random.Random(seed)
    lines = path.read_bytes().split(b"\n")[:-1]
    numbers = sorted(rng.sample(range(2, len(lines)), count))
    for number in numbers:
        line = bytearray(lines[number - 1])
        line[rng.randrange(len(line))] = 0xFF
        lines[number - 1] = bytes(line)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return numbers


@pytest.mark.parametrize("seed", range(3))
def test_byte_flips_in_middle_lines_are_reported_while_readers_keep_working(
        tmp_path: Path, seed: int) -> None:
    root = synthetic_store(tmp_path / "store")
    flipped = flip_middle_lines(root / CLAIMS_FILE, 3, seed)
    result = run(["check", "--store", str(root)])
    assert result.exit_code == 1
    for number in flipped:
        assert f"{CLAIMS_FILE}:{number}: not UTF-8 text" in result.stdout
    warning = f"warning {root / CLAIMS_FILE}: 3 damaged lines skipped (see newsclaims check)"
    for command in (["stats"], ["claims"], ["entities"],
                    ["export", "--to", f"sqlite:///{tmp_path / 'c.db'}"]):
        result = run([*command, "--store", str(root)])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert result.stderr.strip().splitlines() == [warning], result.stderr


def test_a_damaged_document_line_warns_once_per_file(tmp_path: Path) -> None:
    root = synthetic_store(tmp_path / "store")
    with (root / DOCUMENTS_FILE).open("ab") as fh:
        fh.write(b'{"id": "torn')
    result = run(["stats", "--store", str(root), "--format", "jsonl"])
    assert result.exit_code == 0
    assert result.stderr.strip().splitlines() == [
        f"warning {root / DOCUMENTS_FILE}: 1 damaged line skipped (see newsclaims check)"]


def test_records_with_wrong_field_types_are_skipped_not_a_traceback(tmp_path: Path) -> None:
    root = synthetic_store(tmp_path / "store")
    with (root / "entities.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "ent_x", "label": ["ORG"], "name": {"a": 1}, "aliases": 5}\n')
        fh.write('{"id": 7}\n')
    for command in (["stats"], ["claims"], ["entities"]):
        result = run([*command, "--store", str(root)])
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert "2 records with wrong fields skipped" in result.stderr
