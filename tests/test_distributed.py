"""``extract --dask`` (issue 13): a run on a local Dask cluster of worker processes writes the
store a local run writes (claim ids, entity ids, mention counts, claims, in the same order); a
document that fails on a worker is one failed document; a bad scheduler is one line, exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

distributed = pytest.importorskip("distributed")  # installed with the test extra: runs in CI

from pipeline.cli import app  # noqa: E402
from pipeline.extract import extract  # noqa: E402

from .conftest import CORPUS  # noqa: E402

pytestmark = pytest.mark.integration

ARTICLES = [
    "Acme Holdings said revenue rose 12% in the third quarter. Chief executive Jane Porter said "
    "the company would expand in Asia.\n\nShares of Acme Holdings fell 3% on Tuesday.",
    "Jane Porter, chief executive of Acme Holdings, met regulators in Brussels. Analysts at "
    "Northwind Capital expect margins to narrow by 2%.",
    "Northwind Capital cut its forecast for Globex Corporation. Globex chairman Tom Reyes said "
    "the company must cut costs by 15% next year.",
    "Regulators told Globex Corporation to sell its stake in Initech. Tom Reyes declined to "
    "comment. Initech shares rose 8%.",
    "Initech hired Maria Lopez as finance director. She said Initech would buy back 5% of its "
    "shares.\n\nAcme Holdings and Globex Corporation did not comment.",
]


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _store(path: Path) -> dict[str, list[dict]]:
    """A store's records in file order; documents without their processing time."""
    documents = [{k: v for k, v in d.items() if k != "processed_at"}
                 for d in _lines(path / "documents.jsonl")]
    return {"documents": documents, "claims": _lines(path / "claims.jsonl"),
            "entities": _lines(path / "entities.jsonl")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The seed corpus beside a generated one of shared names (linking order matters), with a
    JSONL file of two records."""
    root = tmp_path_factory.mktemp("dask") / "corpus"
    shutil.copytree(CORPUS, root / "seed", ignore=shutil.ignore_patterns("gold"))
    made = root / "made"
    made.mkdir()
    for i, text in enumerate(ARTICLES[:3]):
        (made / f"article_{i}.txt").write_text(text + "\n", encoding="utf-8")
    (made / "wire.jsonl").write_text("".join(
        json.dumps({"text": t, "publisher": "Wire", "published": f"2025-0{i + 1}-02"}) + "\n"
        for i, t in enumerate(ARTICLES[3:])), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def local_store(corpus, tmp_path_factory, nlp) -> dict[str, list[dict]]:
    store = tmp_path_factory.mktemp("local") / "store"
    summary = extract([corpus], store, nlp_factory=lambda model: nlp)
    assert summary.documents_new == 7 and summary.failed == 0
    return _store(store)


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes, as ``--dask local:2`` starts (joined with a Client,
    so the pipeline is shipped to them as a packaged folder, as to a remote cluster)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as dask_client:
        yield dask_client


def test_a_cluster_run_writes_the_store_of_a_local_run(corpus, local_store, client, tmp_path):
    summary = extract([corpus], tmp_path / "store", dask=client, dask_task_size=2)
    assert summary.documents_new == 7 and summary.failed == 0
    assert summary.words > 0 and summary.entities > 0
    stored = _store(tmp_path / "store")
    assert stored == local_store  # ids, entity ids, mention counts, content and order
    assert {c["entity_id"] for c in stored["claims"] if c.get("entity_id")}
    again = extract([corpus], tmp_path / "store", dask=client)  # the re-run path is the same
    assert again.skipped_unchanged == 7 and again.documents_new == 0


def test_dask_local_with_workers_reading_files(corpus, local_store, tmp_path):
    result = CliRunner().invoke(app, ["extract", str(corpus), "--store", str(tmp_path / "store"),
                                      "--quiet", "--dask", "local:2", "--dask-read-files"])
    assert result.exit_code == 0, result.output
    assert _store(tmp_path / "store") == local_store


def _poison_on_workers(marker: str | None) -> None:
    """On a worker: make ``doc_claims`` raise for a Doc whose text holds ``marker`` (None:
    restore it)."""
    import pipeline.extract as module

    original = getattr(module, "_original_doc_claims", module.doc_claims)
    module._original_doc_claims = original
    if marker is None:
        module.doc_claims = original
        return

    def poisoned(doc, doc_id, info):
        if marker in doc.text:
            raise RuntimeError("worker broke on purpose")
        return original(doc, doc_id, info)

    module.doc_claims = poisoned


def _poison_pipelines_on_workers(marker: str | None) -> None:
    """On a worker: a first pipeline stage that raises on a text holding ``marker`` (so the
    batch breaks inside ``nlp.pipe``); None takes it out."""
    from spacy.language import Language

    import pipeline.tasks as module

    original = getattr(module, "_original_worker_pipeline", module.worker_pipeline)
    module._original_worker_pipeline = original
    module._poison_marker = marker
    if not Language.has_factory("newsclaims_test_poison"):
        def poison(doc):
            if module._poison_marker and module._poison_marker in doc.text:
                raise RuntimeError("worker broke on purpose")
            return doc

        Language.component("newsclaims_test_poison", func=poison)

    def poisoned(*args):
        nlp = original(*args)
        if "test_poison" not in nlp.pipe_names:
            nlp.add_pipe("newsclaims_test_poison", name="test_poison", first=True)
        return nlp

    module.worker_pipeline = original if marker is None else poisoned
    if marker is None:
        for nlp in module._PIPELINES.values():
            if "test_poison" in nlp.pipe_names:
                nlp.remove_pipe("test_poison")


@pytest.mark.parametrize("poison", [_poison_on_workers, _poison_pipelines_on_workers],
                         ids=["in doc_claims", "inside nlp.pipe"])
def test_a_document_failing_on_a_worker_is_one_failed_document(corpus, local_store, client,
                                                                tmp_path, poison):
    client.run(poison, "Initech hired Maria Lopez")
    try:
        summary = extract([corpus], tmp_path / "store", dask=client, dask_task_size=3)
    finally:
        client.run(poison, None)
    assert summary.failed == 1 and summary.documents_new == 6
    assert len(summary.errors) == 1 and "\n" not in summary.errors[0]
    assert summary.errors[0].startswith("made/wire.jsonl#")
    assert "worker broke on purpose" in summary.errors[0]
    stored = _store(tmp_path / "store")
    assert len(stored["documents"]) == 6
    local_ids = {c["id"] for c in local_store["claims"]}
    assert {c["id"] for c in stored["claims"]} < local_ids


def _break_tasks_on_workers(broken: bool) -> None:
    """On a worker: make every ``extract_task`` raise as a whole (the pipeline cannot load)."""
    import sys

    import pipeline.tasks as module

    original = getattr(module, "_original_worker_pipeline", module.worker_pipeline)
    module._original_worker_pipeline = original

    def failing(*args):
        if sys._getframe(1).f_code.co_name == "extract_task":
            raise OSError("pipeline folder vanished")
        return original(*args)

    module.worker_pipeline = failing if broken else original


def test_a_task_failing_as_a_whole_fails_its_documents_and_the_run_goes_on(corpus, client,
                                                                            tmp_path):
    client.run(_break_tasks_on_workers, True)
    try:
        summary = extract([corpus / "made"], tmp_path / "store", dask=client, dask_task_size=2)
    finally:
        client.run(_break_tasks_on_workers, False)
    assert summary.failed == 5 and summary.documents_new == 0
    assert [e.split(":")[0] for e in summary.errors] == [
        "article_0.txt", "article_1.txt", "article_2.txt", "wire.jsonl#L1", "wire.jsonl#L2"]
    assert all("pipeline folder vanished" in e and "\n" not in e for e in summary.errors)


@pytest.mark.parametrize("spec, needle", [
    ("tcp://127.0.0.1:1", "cannot reach the scheduler"),
    ("nowhere", "expected local:N"),
    ("local:0", "at least 1 worker"),
])
def test_a_bad_scheduler_is_one_line_exit_2(corpus, tmp_path, spec, needle):
    result = CliRunner().invoke(app, ["extract", str(corpus / "made"), "--store",
                                      str(tmp_path / "store"), "--quiet", "--dask", spec,
                                      "--dask-timeout", "1"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and spec in lines[0]
    assert not (tmp_path / "store" / "claims.jsonl").exists()


def _sigint_handler() -> str:
    import signal

    return str(signal.getsignal(signal.SIGINT))


def test_ctrl_c_in_the_terminal_reaches_only_the_driver_of_a_local_cluster():
    """The terminal sends SIGINT to the whole process group: local workers ignore it (else they
    die and the driver waits for ever), the driver keeps its own handler."""
    import signal

    from pipeline.distributed import DaskRunner

    before = signal.getsignal(signal.SIGINT)
    runner = DaskRunner("local:1", None)
    try:
        client = runner.start()
        assert set(client.run(_sigint_handler).values()) == {str(signal.SIG_IGN)}
        assert signal.getsignal(signal.SIGINT) == before
    finally:
        runner.close()


def test_a_cluster_without_workers_is_one_line_exit_2_not_a_hang(corpus, tmp_path):
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        result = CliRunner().invoke(app, ["extract", str(corpus / "made"), "--store",
                                          str(tmp_path / "store"), "--quiet", "--dask",
                                          cluster.scheduler_address, "--dask-timeout", "1"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no workers" in lines[0], result.stderr
    assert not (tmp_path / "store" / "claims.jsonl").exists()
