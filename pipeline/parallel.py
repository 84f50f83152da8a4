"""``extract --workers N``: the NLP in a pool of N forked worker processes, the rest in the driver.

The driver loads the pipeline once and forks the workers after that, so each worker starts with
the loaded pipeline (copy-on-write: no second load, and any ``nlp_factory`` works, nothing is
pickled but the documents). Each task of ``task_size`` documents runs through the same function
as a Dask task (``tasks.extract_task``) and comes back as plain records: claims as dicts and word
counts, no Doc to serialise and rebuild (what spaCy's ``n_process`` sends back). A few tasks per
worker are in flight, so the driver reads, links and writes while the workers parse, with memory
bounded; results are taken in input order, so entity ids and the store equal a one-process run's.
Workers ignore SIGINT: Ctrl-C reaches the driver, which stops after the current chunk. A worker
that dies (killed, out of memory) breaks the pool: a new pool is forked and the tasks that were
in flight are done again one at a time, so one whose worker dies alone fails its documents and
the others are stored.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from .tasks import _PIPELINES, TASK_SIZE, RemoteResult, extract_task, one_line

if TYPE_CHECKING:
    from spacy.language import Language

    from .readers import SourceDocument

POOL_KEY = "newsclaims-pool"  # the key of the driver's pipeline in the forked workers


def _quiet_worker() -> None:
    """A pool worker's start: Ctrl-C is the driver's to handle (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProcessPoolRunner:
    """The driver's side of a local process pool, started on first use, closed by ``close``."""

    def __init__(self, nlp: Language, workers: int, *, task_size: int = TASK_SIZE, batch_size: int = 32,
                 max_chars: int = 1_000_000) -> None:
        self.nlp = nlp
        self.workers = workers
        self.task_size = task_size
        self.batch_size = batch_size
        self.max_chars = max_chars
        self._pool: ProcessPoolExecutor | None = None
        self.seconds = 0.0  # wall time of ``results``: the run's NLP time

    def start(self) -> ProcessPoolExecutor:
        """Fork the workers (once) with the driver's loaded pipeline in their memory."""
        if self._pool is None:
            _PIPELINES[POOL_KEY] = self.nlp
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(
                "fork"), initializer=_quiet_worker)
        return self._pool

    def _submit(self, info: dict[str, str], batch: list[SourceDocument]) -> Future[Any]:
        items = [(s.path, s.id, s.text, None) for s in batch]
        return self.start().submit(extract_task, POOL_KEY, None, info, items, self.batch_size,
                                   self.max_chars)

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def results(self, sources: Iterable[SourceDocument], info: dict[str, str],
                urls: dict[int, str] | None = None) -> Iterator[RemoteResult]:
        """Every source's result, in input order (see the module docstring for failures);
        ``urls`` is the Dask runner's and unused: the driver sends every text."""
        started = time.perf_counter()
        try:
            yield from self._results(sources, info)
        finally:
            self.seconds += time.perf_counter() - started

    def _results(self, sources: Iterable[SourceDocument], info: dict[str, str]
                 ) -> Iterator[RemoteResult]:
        in_flight = 2 * self.workers + 1
        pending: deque[tuple[list[SourceDocument], Future[Any]]] = deque()
        iterator = iter(sources)

        def submit() -> bool:
            batch: list[SourceDocument] = []
            for source in iterator:
                batch.append(source)
                if len(batch) >= self.task_size:
                    break
            if batch:
                pending.append((batch, self._submit(info, batch)))
            return bool(batch)

        while len(pending) < in_flight and submit():
            pass
        while pending:
            batch, future = pending[0]
            try:
                records = future.result()
            except BrokenProcessPool:  # which task killed its worker is not known: redo alone
                self._restart()
                redo = [b for b, _ in pending]
                pending.clear()
                for suspect in redo:
                    yield from self._alone(suspect, info)
                while len(pending) < in_flight and submit():
                    pass
                continue
            except Exception as exc:  # the whole task failed (e.g. an unpicklable result)
                records = [{"error": one_line(exc)}] * len(batch)
            pending.popleft()
            submit()
            yield from _results_of(batch, records)

    def _alone(self, batch: list[SourceDocument], info: dict[str, str]) -> Iterator[RemoteResult]:
        """One task with no other in flight: if its worker dies, this task killed it."""
        try:
            records = self._submit(info, batch).result()
        except BrokenProcessPool:
            self._restart()
            records = [{"error": f"a worker process died on this task of {len(batch)} "
                                 "documents (killed, or out of memory)"}] * len(batch)
        except Exception as exc:
            records = [{"error": one_line(exc)}] * len(batch)
        yield from _results_of(batch, records)

    def close(self) -> None:
        """Stop the workers (tasks not started are dropped: the driver stopped early)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        _PIPELINES.pop(POOL_KEY, None)


def _results_of(batch: list[SourceDocument], records: list[dict[str, Any]]
                ) -> Iterator[RemoteResult]:
    for source, record in zip(batch, records, strict=True):
        yield RemoteResult(source, record.get("claims", []), record.get("words", 0),
                           record.get("error"))
