"""``extract --dask``: the NLP of an extract run on a Dask cluster, everything else on the driver.

The driver reads and lists the inputs and decides what needs processing exactly as a local run
(``pipeline.extract.extract``); only the ``nlp.pipe`` step moves. Documents go to the workers in
tasks of ``task_size``; each worker loads the pipeline once (cached in the worker process, keyed
by the model) and returns plain records: each document's claims as dicts from ``doc_claims`` and
its word count, no Doc. The driver links entities on the results in input order and writes the
store through its one writer, so the store equals a local run's.

How the pipeline reaches the workers:

* ``local:N`` starts a ``LocalCluster`` of N single-threaded worker processes on this machine:
  the same installation, so each worker loads the pipeline by its ``--model`` name (no copy).
* ``tcp://host:port`` (or a ``distributed.Client`` given to ``extract``) joins a running
  cluster: the driver writes the pipeline as a ``spacy.load``-able folder with
  ``packaging.package_pipeline`` (what ``newsclaims package`` writes) into a temporary folder
  and ships it as a tar archive inside a ``WorkerPlugin``; each worker unpacks it into its local
  directory and loads it from there. The workers need newsclaims installed (``pip install
  'newsclaims[dask]'``) but neither the pretrained model nor the models folder.

What a task carries per document: (path, document id, text), or with ``read_files`` (path,
document id, fsspec URL) so the worker reads the file itself and re-reads the same text with the
walk's reader (``readers.documents_in``); a text that no longer hashes to the id the driver
decided on fails that document. Metadata stays on the driver, where linking needs it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import signal
import tarfile
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distributed import Client, WorkerPlugin

from .extract import BadOption
from .tasks import _PIPELINES, _SHIPPED, TASK_SIZE, RemoteResult, extract_task, one_line, worker_info

if TYPE_CHECKING:

    from .readers import SourceDocument

SCHEDULER_HELP = "local:N (a local cluster of N worker processes) or tcp://HOST:PORT (a running scheduler)"


class BadScheduler(BadOption):
    """``--dask`` names no usable scheduler (exit 2: one line, before anything is written)."""


class NoWorkers(BadScheduler):
    """The cluster has had no worker for the whole ``--dask-timeout``."""


@dataclass(frozen=True)
class Scheduler:
    """A parsed ``--dask`` value: a local cluster of ``workers`` processes, or an address."""

    workers: int = 0
    address: str | None = None


def parse_scheduler(spec: str) -> Scheduler:
    """``local:N`` or ``tcp://host:port`` (also ``tls://``), else ``BadScheduler``."""
    local = re.fullmatch(r"local:(\d+)", spec.strip())
    if local:
        if int(local.group(1)) < 1:
            raise BadScheduler(f"--dask {spec}: a local cluster needs at least 1 worker")
        return Scheduler(workers=int(local.group(1)))
    if re.fullmatch(r"(tcp|tls)://[^\s/:]+:\d+/?", spec.strip()):
        return Scheduler(address=spec.strip().rstrip("/"))
    raise BadScheduler(f"--dask {spec}: expected {SCHEDULER_HELP}")


# ---- the worker side -------------------------------------------------------------------------


class PipelineShipper(WorkerPlugin):
    """A ``WorkerPlugin`` carrying a packaged pipeline as tar bytes: on each worker (and any that
    joins later) it unpacks the folder into the worker's local directory, once per key."""

    name = "newsclaims-pipeline"

    def __init__(self, key: str, archive: bytes) -> None:
        self.key = key
        self.archive = archive

    def setup(self, worker: Any) -> None:
        target = Path(worker.local_directory) / f"newsclaims-{self.key}"
        if not (target / "meta.json").is_file():
            with tarfile.open(fileobj=io.BytesIO(self.archive)) as tar:
                tar.extractall(target, filter="data")
        _SHIPPED[self.key] = str(target)

    def teardown(self, worker: Any) -> None:
        _SHIPPED.pop(self.key, None)
        _PIPELINES.pop(self.key, None)


# ---- the driver side -------------------------------------------------------------------------


class DaskRunner:
    """The driver's side of a cluster: started on first use, closed by ``close``."""

    def __init__(self, scheduler: str | Client, model: str | None, *, task_size: int = TASK_SIZE,
                 batch_size: int = 32, max_chars: int = 1_000_000, timeout: float = 10.0,
                 read_files: bool = False) -> None:
        self.spec = scheduler
        self.scheduler = parse_scheduler(scheduler) if isinstance(scheduler, str) else None
        self.model = model
        self.task_size = task_size
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.timeout = timeout
        self.read_files = read_files
        self.client: Client | None = None
        self._cluster: Any = None
        self._own_client = False
        self.key = re.sub(r"\W", "_", model or "default")
        self.seconds = 0.0

    def start(self) -> Client:
        """Connect (or start the local cluster) and make the pipeline reachable to the workers."""
        if self.client is not None:
            return self.client
        import dask
        import distributed

        if self.scheduler is None:  # a Client given by the caller (tests, notebooks): shipped to
            self.client = self.spec  # type: ignore[assignment]
        elif self.scheduler.address is None:
            # Dask's statistical profiler walks the task thread's stack every 10 ms, holding
            # the GIL: a cost on pure-Python NLP, and nothing here reads its profiles
            with _sigint_ignored(), dask.config.set({"distributed.worker.profile.enabled": False}):
                self._cluster = distributed.LocalCluster(
                    n_workers=self.scheduler.workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR)
            self.client = distributed.Client(self._cluster)
            self._own_client = True
            return self.client
        else:
            try:
                self.client = distributed.Client(self.scheduler.address, timeout=self.timeout)
            except (OSError, TimeoutError) as exc:
                raise BadScheduler(f"--dask {self.spec}: cannot reach the scheduler "
                                   f"({' '.join(str(exc).split()) or type(exc).__name__})") from exc
            self._own_client = True
        self._ship()
        return self.client

    def _ship(self) -> None:
        """Package the pipeline and register it with the workers (see the module docstring)."""
        from .packaging import package_pipeline

        assert self.client is not None
        with tempfile.TemporaryDirectory(prefix="newsclaims-ship-") as tmp:
            folder = Path(tmp) / "pipeline"
            package_pipeline(folder, self.model)
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w") as tar:
                tar.add(folder, arcname=".")
        archive = buffer.getvalue()
        self.key = hashlib.sha256(archive).hexdigest()[:16]
        self.client.register_plugin(PipelineShipper(self.key, archive), name=PipelineShipper.name)

    def workers(self) -> int:
        """How many workers the cluster has now (at least 1)."""
        return max(1, len(self.start().scheduler_info().get("workers", {})))

    def pipeline_info(self) -> dict[str, str]:
        """The workers' ``pipeline_info``: one task per worker, so every worker loads the pipeline
        at once, and the first answer is taken (the others finish loading meanwhile)."""
        client = self.start()

        futures = [client.submit(worker_info, self.key, self.model, self.max_chars, pure=False,
                                 workers=[address], allow_other_workers=True)
                   for address in client.scheduler_info().get("workers", {})]
        if not futures:  # no worker yet: the scheduler runs it when one joins
            futures = [client.submit(worker_info, self.key, self.model, self.max_chars, pure=False)]
        return self._first_result(futures)

    def _first_result(self, futures: list[Any]) -> Any:
        """The result of the first of ``futures`` to finish; ``NoWorkers`` once the cluster has
        had no worker for ``timeout`` seconds (its scheduler would be waited on for ever)."""
        import distributed

        assert self.client is not None
        alone_since: float | None = None
        while True:
            try:
                done, _ = distributed.wait(futures, timeout=min(self.timeout, 1.0),
                                           return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            if done:
                return next(iter(done)).result()
            if self.client.scheduler_info().get("workers"):
                alone_since = None
                continue
            alone_since = alone_since or time.perf_counter()
            if time.perf_counter() - alone_since >= self.timeout:
                raise NoWorkers(f"--dask {self.spec}: the cluster has had no workers for "
                                f"{self.timeout:g} s")

    def results(self, sources: Iterable[SourceDocument], info: dict[str, str],
                urls: dict[int, str] | None = None) -> Iterator[RemoteResult]:
        """Every source's result, in input order: tasks of ``task_size`` documents, a few per
        worker in flight, so reading, NLP and writing overlap. A task that fails as a whole (a
        worker lost, an unpicklable result) fails each of its documents with its error."""
        client = self.start()
        in_flight = 2 * self.workers() + 1
        pending: deque[tuple[list[SourceDocument], Any]] = deque()
        iterator = iter(sources)
        urls = urls or {}
        started = time.perf_counter()
        lost: NoWorkers | None = None

        def submit() -> bool:
            batch: list[SourceDocument] = []
            for source in iterator:
                batch.append(source)
                if len(batch) >= self.task_size:
                    break
            if not batch:
                return False
            items = [(s.path, s.id, None, urls[id(s)]) if self.read_files and id(s) in urls
                     else (s.path, s.id, s.text, None) for s in batch]
            future = client.submit(extract_task, self.key, self.model, info, items,
                                   self.batch_size, self.max_chars, pure=False)
            pending.append((batch, future))
            return True

        try:
            while len(pending) < in_flight and submit():
                pass
            while pending:
                batch, future = pending.popleft()
                try:
                    if lost and not client.scheduler_info().get("workers"):
                        raise lost
                    records = self._first_result([future])
                except NoWorkers as exc:  # the rest fail at once while there are no workers
                    lost = exc
                    records = [{"error": str(exc)}] * len(batch)
                except Exception as exc:  # the whole task failed on the cluster
                    records = [{"error": one_line(exc)}] * len(batch)
                submit()
                for source, rec in zip(batch, records, strict=True):
                    yield RemoteResult(source, rec.get("claims", []), rec.get("words", 0),
                                       rec.get("error"))
        finally:
            self.seconds += time.perf_counter() - started  # wall time: the run's NLP time
            for _, future in pending:  # stopped early (Ctrl-C, --fail-fast): drop the rest
                future.cancel()

    def close(self) -> None:
        if self._own_client and self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
        self.client = self._cluster = None


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while the local cluster's processes start, so they inherit "ignored": a
    Ctrl-C in the terminal goes to the whole process group, and workers killed by it would leave
    the driver waiting for ever; the driver alone stops after the current chunk, as a local run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def file_url(root: str | Path, path: str) -> str:
    """The fsspec URL of the file a document of ``root`` was read from (``file://``)."""
    root = Path(root).resolve()
    file = re.sub(r"#L?\d+$", "", path) if re.search(r"\.jsonl?#L?\d+$", path) else path
    return (root / file if root.is_dir() else root).as_uri()
