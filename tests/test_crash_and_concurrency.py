"""Killed runs, concurrent runs and Ctrl-C, on real ``newsclaims extract`` processes.

"Identical" stores in this module means: the same set of claim lines (byte for byte, order
ignored) and the same set of document records once ``processed_at`` (the wall-clock time of
the run) is dropped from each; ``.torn`` side files are ignored.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store import ClaimStore
from pipeline.store.check import check_store
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

NEWSCLAIMS = Path(sys.executable).parent / "newsclaims"
LOCKED_MESSAGE = "another newsclaims process is writing"
# The CLI has no chunk-size option and extract() commits every 256 documents, so a kill of a
# 30-document run only ever leaves an empty or a complete store. Half of the kills therefore
# run the same CLI with extract()'s chunk size set to 3, so that a kill can land between
# commits, inside a commit, or inside the torn-line repair of the next run.
SMALL_CHUNKS = (
    "import functools, sys\n"
    "import pipeline.extract as e\n"
    "e.extract = functools.partial(e.extract, chunk_size=3)\n"
    "from pipeline.cli import app\n"
    "sys.argv[0] = 'newsclaims'\n"
    "sys.exit(app())\n"
)


def _paragraphs() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    return [line.strip() for text in texts for line in text.split("\n") if len(line.strip()) > 60]


def make_corpus(folder: Path, count: int, per_article: int, seed: int = 0) -> Path:
    """``count`` distinct small articles recombined from the seed paragraphs, each with a
    unique first line."""
    folder.mkdir(parents=True)
    pool = _paragraphs()
    rng = random.Random(seed)
    for i in range(count):
        body = "\n".join(rng.sample(pool, per_article))
        (folder / f"article_{i:03d}.txt").write_text(
            f"Briefing {i:03d}: Alibaba, Taobao and Tmall\n{body}\n", encoding="utf-8")
    return folder


def tiny_corpus(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    companies = ["Alibaba", "Tencent", "JD.com", "Baidu", "Pinduoduo", "Meituan"]
    for i in range(count):
        (folder / f"t{i:04d}.txt").write_text(
            f"{companies[i % 6]} said revenue rose {i % 97}% in quarter {i}.\n", encoding="utf-8")
    return folder


def _hears_ctrl_c() -> None:
    """In the child before exec: SIGINT as a terminal delivers it. A test run started in the
    background of a shell (``cmd &``) has SIGINT ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def command(corpus: Path, store: Path, *extra: str, small_chunks: bool = False) -> list[str]:
    head = [sys.executable, "-c", SMALL_CHUNKS] if small_chunks else [str(NEWSCLAIMS)]
    return [*head, "extract", str(corpus), "--store", str(store), "--quiet", "--batch-size", "4",
            *extra]


def lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    data = path.read_text(encoding="utf-8")
    assert data == "" or data.endswith("\n"), f"{path.name}: torn last line"
    return data.split("\n")[:-1]


def records(store: Path) -> tuple[set[str], set[str]]:
    """(claim lines, document records without processed_at) as comparable sets."""
    claim_lines = lines(store / "claims.jsonl")
    documents = []
    for line in lines(store / "documents.jsonl"):
        record = json.loads(line)
        record.pop("processed_at")
        documents.append(json.dumps(record, sort_keys=True, ensure_ascii=False))
    for line in claim_lines:
        json.loads(line)  # whole JSON, no interleaving
    assert len(set(claim_lines)) == len(claim_lines), "duplicate claim lines"
    assert len(set(documents)) == len(documents), "duplicate document lines"
    return set(claim_lines), set(documents)


def assert_identical(store: Path, reference: Path) -> None:
    report = check_store(store)
    assert report.ok, report.problems[:5]
    claims, documents = records(store)
    ref_claims, ref_documents = records(reference)
    assert documents == ref_documents
    assert claims == ref_claims
    ids = [json.loads(x)["id"] for x in claims]
    assert len(ids) == len(set(ids))
    doc_ids = [json.loads(x)["id"] for x in documents]
    assert len(doc_ids) == len(set(doc_ids))


def orphan_tail(store: Path) -> int:
    """How many claim lines at the end of claims.jsonl belong to no stored document, after
    checking that no other claim line does (claims of a batch whose documents were not yet
    written when the process died; see test_kill_between_claims_and_documents...)."""
    doc_ids = set()
    for line in (store / "documents.jsonl").read_text(encoding="utf-8").split("\n") \
            if (store / "documents.jsonl").exists() else []:
        try:
            doc_ids.add(json.loads(line)["id"])
        except ValueError:
            continue
    orphan_flags = []
    for line in lines_allowing_torn(store / "claims.jsonl"):
        orphan_flags.append(json.loads(line)["evidence"]["doc_id"] not in doc_ids)
    first = next((i for i, orphan in enumerate(orphan_flags) if orphan), len(orphan_flags))
    assert all(orphan_flags[first:]), "a claim without its document before committed claims"
    return len(orphan_flags) - first


def lines_allowing_torn(path: Path) -> list[str]:
    if not path.exists():
        return []
    data = path.read_text(encoding="utf-8").split("\n")
    return [line for line in data[:-1] if line]  # data[-1] is "" or a torn last line


def allowed_after_kill(problem: str, store: Path) -> bool:
    """A torn last line (reported as torn and, being partial, as not JSON or not matching
    the schema) is what a kill may leave."""
    for path in sorted(store.glob("*.jsonl")):
        name = path.name
        data = path.read_text(encoding="utf-8")
        if data.endswith("\n") or not data:
            continue
        last = data.count("\n") + 1
        if problem.startswith(f"{name}:{last}: "):
            return True
    return False


@pytest.fixture(scope="module")
def crash_corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("crash") / "corpus", count=30, per_article=3)


@pytest.fixture(scope="module")
def reference_store(crash_corpus, tmp_path_factory) -> tuple[Path, float]:
    """Store A: one uninterrupted run of the real executable, and how long it took."""
    store = tmp_path_factory.mktemp("reference") / "A"
    started = time.monotonic()
    done = subprocess.run(command(crash_corpus, store), capture_output=True, text=True,
                          timeout=120)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert check_store(store).ok
    assert len(ClaimStore(store).document_ids()) == 30
    return store, duration


def test_sigkill_at_random_moments_never_corrupts_the_store(crash_corpus, reference_store,
                                                             tmp_path):
    """20 runs killed with SIGKILL at random moments, then one run to completion: after every
    kill the store checks clean (but for a torn last line) and opens; at the end it is
    identical to an uninterrupted run's store (claims byte-identical as a set of lines,
    documents identical without ``processed_at``). Claims of the last, unfinished batch
    (no document line yet) are tolerated here, as long as they form the tail of claims.jsonl:
    whether check should report them is test_kill_between_claims_and_documents_..., kept
    separate so that this test does not fail only when a kill happens to land in that window."""
    reference, duration = reference_store
    store = tmp_path / "B"
    rng = random.Random(0)
    seen = {"empty": 0, "partial": 0, "complete": 0, "torn": 0, "orphan_tail": 0}
    for attempt in range(20):
        delay = rng.uniform(0.2, 0.9 * duration)
        process = subprocess.Popen(command(crash_corpus, store, small_chunks=attempt % 2 == 1),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            process.wait(timeout=delay)  # a run with nothing left to do exits early
        except subprocess.TimeoutExpired:
            process.kill()
        _, stderr = process.communicate(timeout=30)
        assert process.returncode in (0, -signal.SIGKILL), stderr.decode()
        if not store.exists():  # killed before it wrote anything: no store, nothing to damage
            seen["empty"] += 1
            continue
        report = check_store(store)
        torn = [p for p in report.problems if allowed_after_kill(p, store)]
        orphans = orphan_tail(store) if (store / "claims.jsonl").exists() else 0
        other = [p for p in report.problems
                 if p not in torn and not (orphans and "is not in the store" in p)]
        assert other == [], (attempt, delay, other[:5])
        ClaimStore(store).document_ids()  # opens without raising
        ClaimStore(store).claim_ids()
        count = len(ClaimStore(store).document_ids())
        seen["torn"] += bool(torn)
        seen["orphan_tail"] += bool(orphans)
        seen["empty" if count == 0 else "complete" if count == 30 else "partial"] += 1
    done = subprocess.run(command(crash_corpus, store), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert_identical(store, reference)
    print(f"states after the 20 kills: {seen}")


KILL_AFTER_CLAIMS = (
    "import os, signal, sys\n"
    "from pipeline.store import claim_store as st\n"
    "append = st._append_bytes\n"
    "def _append(path, data):\n"
    "    append(path, data)\n"
    "    if path.name == 'claims.jsonl':\n"
    "        os.kill(os.getpid(), signal.SIGKILL)\n"
    "st._append_bytes = _append\n"
    "from pipeline.cli import app\n"
    "sys.argv[0] = 'newsclaims'\n"
    "sys.exit(app())\n"
)


@pytest.fixture(scope="module")
def killed_after_claims(crash_corpus, tmp_path_factory) -> Path:
    """A store whose run was SIGKILLed right after a batch's claims were appended and fsynced,
    before its documents were written (a window every commit has)."""
    store = tmp_path_factory.mktemp("killed") / "store"
    done = subprocess.run([sys.executable, "-c", KILL_AFTER_CLAIMS,
                           *command(crash_corpus, store)[1:]],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert ClaimStore(store).claim_ids() and not ClaimStore(store).document_ids()
    return store


def test_kill_between_claims_and_documents_leaves_a_checkable_store(killed_after_claims):
    report = check_store(killed_after_claims)
    problems = [p for p in report.problems if not allowed_after_kill(p, killed_after_claims)]
    assert problems == [], f"{len(problems)} problems, first: {problems[:1]}"


def test_run_after_a_kill_between_claims_and_documents_commits_them(
        killed_after_claims, reference_store, crash_corpus, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(killed_after_claims, store)
    assert orphan_tail(store) == len(ClaimStore(store).claim_ids())
    done = subprocess.run(command(crash_corpus, store), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert_identical(store, reference_store[0])


TEAR_FIRST_CLAIM = (
    "import json, os, signal, sys\n"
    "from pipeline.store import claim_store as st\n"
    "def _append(path, data):\n"
    "    line = data.split(b'\\n', 1)[0].decode('utf-8')\n"
    "    with path.open('ab') as fh:\n"
    "        fh.write(line[:len(line) // 2].encode('utf-8'))\n"
    "        fh.flush()\n"
    "        os.fsync(fh.fileno())\n"
    "    os.kill(os.getpid(), signal.SIGKILL)\n"
    "st._append_bytes = _append\n"
    "from pipeline.cli import app\n"
    "sys.argv[0] = 'newsclaims'\n"
    "sys.exit(app())\n"
)


def test_kill_in_the_middle_of_a_line_is_repaired_by_the_next_run(crash_corpus, reference_store,
                                                                   tmp_path):
    """SIGKILL half-way through writing the first claim line: the store checks clean but for
    the torn line, opens, and the next run moves the torn line aside and completes."""
    store = tmp_path / "store"
    done = subprocess.run([sys.executable, "-c", TEAR_FIRST_CLAIM,
                           *command(crash_corpus, store)[1:]],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    data = (store / "claims.jsonl").read_text(encoding="utf-8")
    assert data and "\n" not in data  # one torn line
    report = check_store(store)
    assert report.problems and all(allowed_after_kill(p, store) for p in report.problems)
    assert any("torn last line" in p for p in report.problems)
    assert ClaimStore(store).claim_ids() == set() and ClaimStore(store).document_ids() == set()
    done = subprocess.run(command(crash_corpus, store), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert (store / "claims.jsonl.torn").read_text(encoding="utf-8") == data + "\n"
    assert_identical(store, reference_store[0])


# --------------------------------------------------------------------------- concurrency


def _reference_in_process(nlp, corpus: Path, store: Path) -> Path:
    summary = extract([corpus], store, nlp_factory=lambda m: nlp)
    assert summary.failed == 0
    return store


@pytest.fixture(scope="module")
def concurrency_corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("conc") / "corpus", count=40, per_article=3,
                       seed=1)


def _start_two(corpus: Path, store: Path, *extra: str) -> list[tuple[int, str]]:
    processes = [subprocess.Popen(command(corpus, store, *extra), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append((process.returncode, stdout + stderr))
    return results


def test_two_concurrent_runs_wait_for_each_other(nlp, concurrency_corpus, tmp_path):
    store = tmp_path / "store"
    results = _start_two(concurrency_corpus, store)
    assert [code for code, _ in results] == [0, 0], results
    reference = _reference_in_process(nlp, concurrency_corpus, tmp_path / "single")
    assert_identical(store, reference)


def test_two_concurrent_runs_with_lock_timeout_zero(nlp, concurrency_corpus, tmp_path):
    """Both start at once with --lock-timeout 0: the first to take the lock finishes; the
    other either found the lock free (after the first finished: exit 0, writes nothing) or
    exits 2 with a clear message."""
    store = tmp_path / "store"
    results = _start_two(concurrency_corpus, store, "--lock-timeout", "0")
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    for code, output in results:
        if code == 2:
            assert LOCKED_MESSAGE in output and str(store) in output, output
    reference = _reference_in_process(nlp, concurrency_corpus, tmp_path / "single")
    assert_identical(store, reference)


@pytest.mark.parametrize("timeout", ["0", "0.3"])
def test_busy_store_exits_2_with_a_clear_message(nlp, monkeypatch, tmp_path, timeout):
    monkeypatch.setattr(pipeline, "load", lambda model=None, **kw: nlp)
    corpus = tiny_corpus(tmp_path / "corpus", 3)
    store = tmp_path / "store"
    store.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from filelock import FileLock\n"
         f"lock = FileLock({str(store / '.lock')!r}); lock.acquire()\n"
         "print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = CliRunner().invoke(app, ["extract", str(corpus), "--store", str(store),
                                          "--quiet", "--lock-timeout", timeout])
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2, result.output
    assert LOCKED_MESSAGE in result.output
    assert waited >= float(timeout)
    assert not (store / "documents.jsonl").exists() and not (store / "claims.jsonl").exists()
    # once the lock is free, the same command works
    result = CliRunner().invoke(app, ["extract", str(corpus), "--store", str(store), "--quiet",
                                      "--lock-timeout", timeout])
    assert result.exit_code == 0, result.output
    assert len(ClaimStore(store).document_ids()) == 3
    FileLock(str(store / ".lock")).acquire(timeout=0)  # and it released the lock


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_stops_after_the_current_chunk(nlp, tmp_path):
    """SIGINT once the first chunk of 256 documents is stored: the run finishes the chunk it
    is in, exits 130 and keeps what it wrote; a re-run completes the corpus."""
    total = 540  # > 2 chunks, so a stop during the second chunk leaves the third undone
    corpus = tiny_corpus(tmp_path / "corpus", total)
    store = tmp_path / "store"
    documents = store / "documents.jsonl"
    process = subprocess.Popen(command(corpus, store), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=_hears_ctrl_c)
    deadline = time.monotonic() + 60
    while not (documents.exists() and documents.stat().st_size > 0):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no chunk was written within 60 s"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode in (130, 0), stderr
    stored = len(ClaimStore(store).document_ids())
    report = check_store(store)
    assert report.ok, report.problems[:5]
    if process.returncode == 130:
        assert "interrupted" in stderr
        assert 256 <= stored < total
        assert stored % 256 == 0, "documents are committed per chunk"
    else:  # finished before the signal arrived
        assert stored == total
    rerun = subprocess.run(command(corpus, store), capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert len(ClaimStore(store).document_ids()) == total
    assert check_store(store).ok
    records(store)  # whole lines, no duplicates


def test_ctrl_c_before_any_work_exits_cleanly(tmp_path):
    """SIGINT while the model is still loading: no traceback, nothing written, not 0."""
    corpus = tiny_corpus(tmp_path / "corpus", 5)
    store = tmp_path / "store"
    process = subprocess.Popen(command(corpus, store), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=_hears_ctrl_c)
    time.sleep(0.8)  # imports done, model loading (about 2 s)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert not (store / "documents.jsonl").exists() or check_store(store).ok
