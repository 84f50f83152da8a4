"""Batch extraction: news files in, documents and claims appended to the store.

Documents already in the store are recognised by the SHA-256 of their text before any model is
loaded, so re-running over an unchanged folder is cheap. New documents stream through
``nlp.pipe`` in chunks, each inside ``nlp.memory_zone()``: Docs become records inside the zone
and are never touched after it, so memory does not grow with the number of files.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .claims import (
    CLAIM_KEYS,
    ENTITY_LABELS,
    Claim,
    DocumentRecord,
    Evidence,
    Provenance,
    claim_key,
    claim_scope,
    entity_claim,
    stable_id,
)
from .collector import BatchCollector, release_free_heap
from .dates import published_or_none
from .readers import DEFAULT_MAX_BYTES, ReadError, SourceDocument, iter_sources
from .store import ClaimStore
from .store.claim_store import encode_line
from .store.entity_lines import delta as entity_delta
from .store.index import StoreIndex
from .store.versions import CHANGED_PIPELINE, NEW_VERSION, UNCHANGED, Versions, source_key
from .tasks import TASK_SIZE

if TYPE_CHECKING:
    from distributed import Client
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from .distributed import DaskRunner

ProgressCallback = Callable[[str, str], None]
KEPT_OLD = "kept old"  # a text of another pipeline, left as it is (``keep_old``)
# ``on_file(status, info)``: once per input document or failed input, status "processed",
# "skipped", "failed" or "repaired"; info has "path", "document_id" (None when unknown),
# "claims" (the document's claims by type: written by this run when processed, re-made when
# repaired, none when skipped or failed) and "error" (the failure's message, else None).
FileCallback = Callable[[str, dict[str, Any]], None]
CLAIM_TYPES = ("entity", "directive", "percentage", "role")


def _file_info(path: str, document_id: str | None = None, claims: Iterable[Claim] = (),
               error: str | None = None) -> dict[str, Any]:
    counts = dict.fromkeys(CLAIM_TYPES, 0)
    for claim in claims:
        counts[claim.type] = counts.get(claim.type, 0) + 1
    return {"path": path, "document_id": document_id, "claims": counts, "error": error}


@dataclass
class ExtractSummary:
    """What one extract run did."""

    files_read: int = 0
    documents_new: int = 0
    skipped_unchanged: int = 0
    failed: int = 0
    entities: int = 0
    claims: int = 0
    words: int = 0
    nlp_seconds: float = 0.0
    interrupted: bool = False
    repaired: int = 0
    reprocessed: int = 0  # stored texts made again because the pipeline changed
    kept_old: int = 0  # stored texts of another pipeline left as they are (``keep_old``)
    new_versions: int = 0  # new texts of stored articles: the earlier version is superseded
    lines_set_aside: int = 0
    warnings: int = 0
    errors: list[str] = field(default_factory=list)
    warning_messages: list[str] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.nlp_seconds if self.nlp_seconds > 0 else 0.0


def _sentence_bounds(doc: Doc, span: Span) -> tuple[int, int]:
    """Character range of the sentence holding ``span`` (its line when no parse is present)."""
    from .stages.claim_spans import doc_text

    text = doc_text(doc)
    if doc.has_annotation("SENT_START"):
        sent = span.sent
        start, end = sent.start_char, sent.end_char
    else:
        start = text.rfind("\n", 0, span.start_char) + 1
        end = text.find("\n", span.end_char)
        end = len(text) if end < 0 else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def evidence_for(doc: Doc, doc_id: str, span: Span) -> Evidence:
    """Evidence of ``span``: exact offsets into the document text and its sentence."""
    from .stages.claim_spans import doc_text

    s_start, s_end = _sentence_bounds(doc, span)
    return Evidence(doc_id=doc_id, start=span.start_char, end=span.end_char, text=span.text,
                    sentence=doc_text(doc)[s_start:s_end], sentence_start=s_start)


def doc_claims(doc: Doc, doc_id: str, model_info: dict[str, str]) -> list[Claim]:
    """Claims for one processed Doc: an entity claim per ORG, PERSON and PERCENT mention,
    then the claims the claim stages left in ``doc.spans`` (directives, percentages, roles)."""
    claims = []
    fingerprint = model_info.get("fingerprint")
    scope = claim_scope(doc_id, fingerprint)
    stated: Counter[tuple[str, int, int]] = Counter()  # claims of one type on the same words
    for key in CLAIM_KEYS:
        for span in doc.spans.get(key, []):
            claim = span._.claim
            place = (claim["type"], span.start_char, span.end_char)
            repeat = stated[place]
            stated[place] += 1
            provenance = Provenance(stage=f"newsclaims_{key}", rule=claim["rule"],
                                    score=claim["score"], model=model_info["model"],
                                    model_version=model_info["model_version"],
                                    fingerprint=fingerprint)
            claims.append(Claim(
                id=stable_id(scope, *place, *([repeat] if repeat else [])),
                type=claim["type"], evidence=evidence_for(doc, doc_id, span),
                provenance=provenance, fields=dict(claim["fields"])))
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        prov = ent._.provenance or {"stage": "ner", "rule": None, "score": None}
        provenance = Provenance(stage=prov["stage"], rule=prov["rule"], score=prov["score"],
                                model=model_info["model"], model_version=model_info["model_version"],
                                fingerprint=fingerprint)
        claims.append(entity_claim(label=ent.label_, evidence=evidence_for(doc, doc_id, ent),
                                   provenance=provenance))
    return claims


def word_count(doc: Doc) -> int:
    """The tokens that are neither space nor punctuation (read as one array, no Token each)."""
    import numpy as np
    from spacy.attrs import IS_PUNCT, IS_SPACE

    flags = doc.to_array([IS_SPACE, IS_PUNCT]).reshape(len(doc), 2)
    return int(np.count_nonzero(~flags.any(axis=1)))


def pipeline_info(nlp: Language) -> dict[str, str]:
    """Name and version of the pipeline and of the pretrained model under it, and the pipeline's
    fingerprint (config, data files and versions; "" for a pipeline not built by newsclaims)."""
    meta = nlp.meta.get("newsclaims", {})
    return {
        "name": meta.get("name", "newsclaims"),
        "version": meta.get("version", ""),
        "model": f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '')}",
        "model_version": nlp.meta.get("version", ""),
        "fingerprint": meta.get("fingerprint", ""),
    }


def _chunks(items: Iterable[SourceDocument], size: int) -> Iterator[list[SourceDocument]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class BadOption(ValueError):
    """An option names a file that cannot be used (one line: the file and why)."""


class FailFast(RuntimeError):
    """Raised by ``extract(fail_fast=True)`` at the first file that cannot be processed."""


def extract(
    inputs: Iterable[str | Path],
    store_dir: str | Path,
    *,
    model: str | None = None,
    workers: int = 1,
    batch_size: int = 32,
    chunk_size: int = 256,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = 1_000_000,
    fail_fast: bool = False,
    lock_timeout: float = -1,
    alias_file: str | Path | None = None,
    follow_symlinks: bool = False,
    repair: bool = False,
    keep_old: bool = False,
    on_event: ProgressCallback | None = None,
    on_file: FileCallback | None = None,
    nlp_factory: Callable[[str | None], Language] | None = None,
    dask: str | Client | None = None,
    dask_read_files: bool = False,
    dask_task_size: int = TASK_SIZE,
    dask_timeout: float = 10.0,
) -> ExtractSummary:
    """Extract claims from every news file under ``inputs`` into the store at ``store_dir``.

    A file that cannot be read, or whose text is longer than ``max_chars``, is counted as
    failed and nothing is written for it; the run goes on unless ``fail_fast``. A document's
    reading warnings (bytes replaced, metadata fields dropped) are reported as "warning" events
    when it is new; an unchanged document's are not repeated. Ctrl-C stops
    after the current chunk, keeping everything written so far (``summary.interrupted``).
    ``repair`` first restores the claims of stored documents whose claims are missing or
    broken (see ``_repair``); ``inputs`` may then be empty.

    A stored text whose current processing has another pipeline fingerprint is processed again
    ("changed pipeline", ``summary.reprocessed``) unless ``keep_old``; a new text of a stored
    article (same URL, else same path) supersedes the earlier version (``summary.new_versions``).
    Unchanged texts are skipped before any model is loaded when the fingerprint can be computed
    without one.
    ``on_file`` hears what became of each input document (see ``FileCallback``), beside
    ``on_event``'s progress lines.

    ``dask`` (``local:N``, ``tcp://host:port`` or a ``distributed.Client``) runs the NLP on a
    Dask cluster in tasks of ``dask_task_size`` documents (see ``pipeline.distributed``); all
    else, and the store, stay here, so the store is the same as a local run's. A document whose
    task fails on the cluster is one failed document. With ``dask_read_files`` the workers read
    the files themselves (fsspec ``file://`` URLs of the same paths). ``--repair`` runs locally;
    the workers load ``model`` themselves (``nlp_factory`` serves the repair only).
    """
    if model is not None:  # an unknown --model fails at once, before any file is read
        from .packaging import check_model
        check_model(model)
    runner = _dask_runner(dask, model, workers=workers, task_size=dask_task_size,
                          batch_size=batch_size, max_chars=max_chars, timeout=dask_timeout,
                          read_files=dask_read_files)
    collector = BatchCollector()  # the loaded pipeline is not walked by every collection
    try:
        return _extract(inputs, store_dir, model=model, workers=workers, batch_size=batch_size,
                        chunk_size=chunk_size, max_bytes=max_bytes, max_chars=max_chars,
                        fail_fast=fail_fast, lock_timeout=lock_timeout, alias_file=alias_file,
                        follow_symlinks=follow_symlinks, repair=repair, keep_old=keep_old,
                        on_event=on_event, on_file=on_file, nlp_factory=nlp_factory, runner=runner,
                        collector=collector)
    finally:
        collector.restore()
        if runner is not None:
            runner.close()


def _dask_runner(dask: str | Client | None, model: str | None, *, workers: int,
                 **options: Any) -> DaskRunner | None:
    """The runner of ``extract(dask=...)`` (not started: that waits for work), or None."""
    if dask is None:
        return None
    if workers > 1:
        raise BadOption("--workers and --dask cannot be used together: --dask local:N gives N workers")
    try:
        from .distributed import DaskRunner
    except ImportError as exc:
        raise BadOption(f"--dask needs dask and distributed ({exc}): "
                        "pip install 'newsclaims[dask]'") from exc
    return DaskRunner(dask, model, **options)


def _extract(
    inputs: Iterable[str | Path],
    store_dir: str | Path,
    *,
    model: str | None,
    workers: int,
    batch_size: int,
    chunk_size: int,
    max_bytes: int,
    max_chars: int,
    fail_fast: bool,
    lock_timeout: float,
    alias_file: str | Path | None,
    follow_symlinks: bool,
    repair: bool,
    keep_old: bool,
    on_event: ProgressCallback | None,
    on_file: FileCallback | None,
    nlp_factory: Callable[[str | None], Language] | None,
    runner: DaskRunner | None,
    collector: BatchCollector,
) -> ExtractSummary:
    """``extract`` once the Dask runner (if any) is made: see there."""
    notify = on_event or (lambda kind, path: None)
    record = on_file or (lambda status, info: None)
    summary = ExtractSummary()
    aliases: list[dict[str, Any]] = []
    if alias_file is not None:
        from .resolution import load_alias_file

        try:
            aliases = load_alias_file(alias_file)
        except ValueError as exc:  # read before any work: a bad alias file stops nothing half-done
            raise BadOption(f"--aliases {exc}") from exc
    store = ClaimStore(store_dir)
    loaded: list[Language] = []
    fingerprints: list[str | None] = []
    remote_info: list[dict[str, Any]] = []  # --dask: the workers' pipeline_info, asked once
    urls: dict[int, str] = {}  # --dask with workers reading files: id(source) -> its file's URL

    def nlp_for(name: str | None) -> Language:
        """The pipeline, loaded once and only when there is work."""
        if not loaded:
            factory = nlp_factory
            if factory is None:
                from . import load as factory  # deferred: spaCy is slow to import
            nlp = factory(name)
            nlp.max_length = max(nlp.max_length, max_chars)
            loaded.append(nlp)
            collector.pipeline_loaded()
        return loaded[0]

    def stated() -> str | None:
        """The fingerprint known without loading the pipeline: ``nlp_factory.fingerprint``, else
        the installed pipeline's (``pipeline.fingerprint``), else None."""
        if not fingerprints:
            fingerprints.append(getattr(nlp_factory, "fingerprint", None)
                                or _expected_fingerprint(model))
        return fingerprints[0]

    def run_info() -> dict[str, Any]:
        """``pipeline_info`` of the loaded pipeline; one whose meta states no fingerprint (a
        factory's test pipeline) takes the stated one, so its records are recognised again."""
        if runner is not None:
            if not remote_info:
                remote_info.append(runner.pipeline_info())
            info = dict(remote_info[0])
        else:
            info = pipeline_info(nlp_for(model))
        if not info.get("fingerprint"):
            info["fingerprint"] = stated()
        return info

    def fingerprint(*, load: bool = True) -> str | None:
        """The fingerprint of the pipeline this run uses, without loading it where possible;
        with ``load``, the pipeline is loaded when that is the only way to tell."""
        if loaded or remote_info:
            return run_info()["fingerprint"]
        if stated() is not None or not load:
            return stated()
        return run_info()["fingerprint"]

    def decide(item: SourceDocument, versions: Versions) -> str:
        """What this run does with an input document (see ``Versions.decide``); a text of
        another pipeline is left as it is (UNCHANGED) with ``keep_old``."""
        key = source_key(item.metadata, item.path)
        if item.id not in versions.current:  # no fingerprint needed: it is new either way
            return versions.decide(item.id, key, None)
        stored = versions.current_fingerprint(item.id)  # None: a store without fingerprints
        decision = versions.decide(item.id, key, fingerprint(load=stored is not None))
        if decision == CHANGED_PIPELINE and keep_old:
            return KEPT_OLD
        return decision

    def fail(message: str, path: str, document_id: str | None = None) -> None:
        summary.failed += 1
        summary.errors.append(message)
        notify("failed", message)
        record("failed", _file_info(path, document_id, error=message))
        if fail_fast:
            raise FailFast(message)

    def new_sources() -> Iterator[SourceDocument]:
        for root in inputs:
            for item in iter_sources(root, max_bytes=max_bytes, follow_symlinks=follow_symlinks):
                if isinstance(item, ReadError):
                    fail(str(item), item.path)
                    continue
                if len(item.text) > max_chars:
                    fail(f"{item.path}: document has {len(item.text)} characters, above the "
                         f"limit of {max_chars}", item.path, item.id)
                    continue
                decision = UNCHANGED if item.id in taken else decide(item, versions)
                if decision in (UNCHANGED, KEPT_OLD):  # the re-run path: no other work
                    summary.files_read += 1
                    summary.skipped_unchanged += 1
                    summary.kept_old += decision == KEPT_OLD
                    notify("skipped", item.path)
                    record("skipped", _file_info(item.path, item.id))
                    continue
                unstorable = _unstorable(item)
                if unstorable:
                    fail(unstorable, item.path, item.id)
                    continue
                summary.files_read += 1
                taken.add(item.id)
                for message in item.warnings:
                    summary.warnings += 1
                    summary.warning_messages.append(message)
                    notify("warning", message)
                if runner is not None and runner.read_files:
                    from .distributed import file_url

                    urls[id(item)] = file_url(root, item.path)
                yield item

    if repair:
        _repair(store, summary=summary, notify=notify, record=record, nlp_for=lambda: nlp_for(model),
                info_for=run_info,
                lock_timeout=lock_timeout, aliases=aliases, batch_size=batch_size)
    versions = store.current_versions()  # after any repair: it may have moved lines aside
    taken: set[str] = set()  # texts this run processes (a second copy is skipped)
    pending = new_sources()
    first = next(pending, None)
    if first is None:
        return summary
    nlp = nlp_for(model) if runner is None else None
    info = run_info()
    pool = None
    if runner is None and workers > 1:  # forked before the store is opened for writing
        from . import parallel

        assert nlp is not None
        pool = parallel.ProcessPoolRunner(nlp, workers, task_size=parallel.TASK_SIZE,
                                          batch_size=batch_size, max_chars=max_chars)
        pool.start()
    try:
        return _write_all(store, _prepend(first, pending), decide, fail, nlp=nlp, info=info,
                          runner=runner or pool, urls=urls, aliases=aliases, summary=summary,
                          notify=notify, record=record, lock_timeout=lock_timeout,
                          batch_size=batch_size, chunk_size=chunk_size)
    finally:
        if pool is not None:
            pool.close()


def _write_all(store: ClaimStore, sources: Iterator[SourceDocument],
               decide: Callable[[SourceDocument, Versions], str],
               fail: Callable[[str, str, str | None], None], *, nlp: Language | None,
               info: dict[str, Any], runner: Any, urls: dict[int, str],
               aliases: list[dict[str, Any]], summary: ExtractSummary, notify: ProgressCallback,
               record: Callable[[str, dict[str, Any]], None], lock_timeout: float,
               batch_size: int, chunk_size: int) -> ExtractSummary:
    """The writing part of ``_extract``: under the store's lock, the sources still to do run
    through ``nlp`` here, or through ``runner`` (Dask or the process pool), and are linked in
    input order and written chunk by chunk."""
    with store.writer(lock_timeout=lock_timeout) as writer, _StopOnInterrupt() as stop:
        linker = EntityLinker(store, aliases=aliases, index=writer.index)
        # another process may have stored some of these while we waited for the lock
        decided: dict[int, str] = {}

        def wanted(source: SourceDocument) -> bool:
            decided[id(source)] = decision = decide(source, writer.versions)
            return decision not in (UNCHANGED, KEPT_OLD)

        stream = (s for s in sources if wanted(s))
        if runner is None:
            assert nlp is not None
            batches: Iterator[Iterable[tuple[SourceDocument, list[Claim]]]] = (
                _process(nlp, chunk, info, linker, summary, batch_size=batch_size)
                for chunk in _chunks(stream, chunk_size))
        else:
            remote = _process_remote(runner, stream, urls, info, linker, summary, fail)
            batches = _chunks(remote, max(chunk_size, 1024))
        for batch in batches:
            written: list[tuple[str, dict[str, Any]]] = []
            for source, claims in batch:
                decision = decided.pop(id(source), None)
                summary.claims += writer.add(_document_record(source, info), claims)
                summary.documents_new += 1
                summary.reprocessed += decision == CHANGED_PIPELINE
                summary.new_versions += decision == NEW_VERSION
                written.append((source.path, _file_info(source.path, source.id, claims)))
            writer.add_entities(linker.changed_records())
            writer.flush()
            for path, file_info in written:  # said once the batch is stored, not before
                notify("processed", path)
                record("processed", file_info)
            linker.release()
            release_free_heap()  # the chunk is stored: RSS follows what stays, not the peak
            if stop.requested:
                summary.interrupted = True
                break
        if runner is not None:
            remote.close()  # stopped early: the tasks still on the cluster are cancelled
            summary.nlp_seconds += runner.seconds
    return summary


def _process_remote(runner: Any, sources: Iterable[SourceDocument], urls: dict[int, str],
                    info: dict[str, str], linker: EntityLinker, summary: ExtractSummary,
                    fail: Callable[[str, str, str | None], None],
                    ) -> Iterator[tuple[SourceDocument, list[Claim]]]:
    """``_process`` on a Dask cluster or the process pool (``runner``): the workers' plain
    records, linked here in input order (so entity ids are those of a one-process run); a
    document that failed there is one failure."""
    for result in runner.results(sources, info, urls):
        source = result.source
        if result.error is not None:
            fail(f"{source.path}: {result.error}", source.path, source.id)
            continue
        claims = linker.link(source, [Claim.from_dict(c) for c in result.claims])
        summary.words += result.words
        summary.entities += sum(1 for c in claims if c.type == "entity")
        yield source, claims


def _process(nlp: Language, chunk: list[SourceDocument], info: dict[str, str],
             linker: EntityLinker, summary: ExtractSummary, *, batch_size: int
             ) -> Iterator[tuple[SourceDocument, list[Claim]]]:
    """Run one chunk of sources through the pipeline inside a memory zone and yield each
    source with its linked claims (plain records: no Doc outlives the zone)."""
    started = time.perf_counter()
    with nlp.memory_zone():
        docs = nlp.pipe(((s.text, s) for s in chunk), as_tuples=True,
                        batch_size=batch_size)
        for doc, source in docs:
            claims = linker.link(source, doc_claims(doc, source.id, info))
            summary.words += word_count(doc)
            summary.entities += sum(1 for c in claims if c.type == "entity")
            yield source, claims
    summary.nlp_seconds += time.perf_counter() - started


def _repair(store: ClaimStore, *, summary: ExtractSummary, notify: ProgressCallback,
            record: FileCallback, nlp_for: Callable[[], Language],
            info_for: Callable[[], dict[str, Any]], lock_timeout: float,
            aliases: list[dict[str, Any]], batch_size: int) -> None:
    """``extract --repair``: under the store lock, move aside the lines ``check`` finds unusable
    (unreadable lines, broken claims, later copies of an id) to ``<file>.damaged``, then
    re-process, from their stored text, the documents whose claims are missing or broken, and
    append the claims the store lacks. A document whose record was lost needs its file again:
    the normal extract over the inputs stores it."""
    from .store.check import check_store
    from .store.claim_store import set_aside_lines

    with store.writer(lock_timeout=lock_timeout) as writer:
        report = check_store(store.root)
        for name, numbers in sorted(report.unusable.items()):
            moved = set_aside_lines(store.root / name, numbers)
            summary.lines_set_aside += moved
            notify("set aside", f"{store.root / name}: {moved} unusable lines moved to "
                                f"{name}.damaged")
        writer.reload()
        wanted = report.incomplete
        if not wanted:
            return
        documents_by_id = {d.id: d for d in store.iter_documents() if d.id in wanted}
        documents = list(documents_by_id.values())
        nlp = nlp_for()
        info = info_for()
        linker = EntityLinker(store, aliases=aliases, index=writer.index)
        sources = [SourceDocument(d.path, d.text, dict(d.source)) for d in documents]
        for chunk in _chunks(sources, 256):
            for source, claims in _process(nlp, chunk, info, linker, summary,
                                           batch_size=batch_size):
                if documents_by_id[source.id].pipeline.get("fingerprint") == info.get("fingerprint"):
                    summary.claims += writer.add_claims(claims)
                else:  # made by another pipeline: this one's claims need their own record
                    summary.claims += writer.add(_document_record(source, info), claims)
                summary.repaired += 1
                stated = wanted[source.id][0]
                made = len({c.id for c in claims})
                if stated is not None and made != stated:
                    summary.warnings += 1
                    notify("warning", f"{source.path}: re-processing made {made} claims where "
                                      f"its record states {stated} (another pipeline?)")
                notify("repaired", source.path)
                record("repaired", _file_info(source.path, source.id, claims))
            writer.add_entities(linker.changed_records())
            writer.flush()
            linker.release()


class EntityLinker:
    """Resolves each document's ORG/PERSON mentions against the store's entities, so the same
    people and companies get the same ids across articles, and gives every claim its key."""

    def __init__(self, store: ClaimStore, *, aliases: list[dict[str, Any]] = (),
                 index: StoreIndex | None = None) -> None:
        """With the store's ``index``, records are loaded by key as documents need them (see
        ``EntityResolver``); without one, every record is read."""
        from .resolution import EntityRecord, EntityResolver

        self._stored: dict[str, dict[str, Any]] = {}  # each held record as the store's lines fold to it
        if index is None:
            records = [EntityRecord.from_dict(r) for r in store.entity_records().values()]
            self._stored = {r.id: r.to_dict() for r in records}
            self.resolver = EntityResolver(records, alias_table=aliases)
        else:
            def load(keys: set[str], ids: set[str]) -> list[EntityRecord]:
                wanted = index.entity_ids_by_keys(keys) | ids
                records = [EntityRecord.from_dict(r) for r in index.entity_records(wanted).values()]
                for record in records:
                    self._stored[record.id] = record.to_dict()
                return records

            self.resolver = EntityResolver(alias_table=aliases, loader=load,
                                           redirects=index.redirects())
        self._touched: set[str] = set()

    def link(self, source: SourceDocument, claims: list[Claim]) -> list[Claim]:
        """Set ``entity_id`` on entity claims and mention slots, and ``claim_key`` and ``date``
        on all. ``date`` is the document's published date (None when unknown), which also
        dates the entities' first and last sightings: news time, never processing time.

        Resolving a document the store already counted (a re-run after a crash) gives the
        same ids and does not count its mentions twice."""
        from .resolution import mention_from_claim

        mentions = [mention_from_claim(c.to_dict()) for c in claims
                    if c.type == "entity" and c.fields.get("label") in {"ORG", "PERSON"}]
        resolver = self.resolver
        published = published_or_none(source.metadata.get("published"))  # a stored text: old
        ids = resolver.resolve_document(source.id, source.text, mentions, seen_at=published)
        self._touched.update(ids.values())
        for claim in claims:
            if claim.type == "entity":
                entity = ids.get((claim.evidence.start, claim.evidence.end))
                if entity:
                    claim.fields["entity_id"] = resolver.canonical_id(entity)
            for value in claim.fields.values():
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict) and "start" in item:
                        entity = ids.get((item["start"], item["end"]))
                        if entity:
                            item["entity_id"] = resolver.canonical_id(entity)
            claim.fields["claim_key"] = claim_key(claim.to_dict())
            claim.fields["date"] = published
        return claims

    def release(self) -> None:
        """After a flush: forget the entity records held; the next documents load theirs
        from the store's index (memory stays flat over a long run of new names)."""
        if not self._touched:
            self.resolver.release()
            held = {r.id for r in self.resolver.records()}
            self._stored = {i: r for i, r in self._stored.items() if i in held}

    def changed_records(self) -> list[dict[str, Any]]:
        """The lines that bring the stored entity records touched since the last call up to
        date: a delta of what was added for a record the store holds, a whole version for a new
        one (see ``store/entity_lines.py``), so a line's size follows what this batch added."""
        touched = {self.resolver.canonical_id(i) for i in self._touched}
        self._touched.clear()
        lines = []
        for record in self.resolver.records():
            if record.id in touched:
                current = record.to_dict()
                lines.append(entity_delta(self._stored.get(record.id), current))
                self._stored[record.id] = current
        return lines


class _StopOnInterrupt:
    """While active, the first Ctrl-C asks the run to stop after the current chunk; a second
    one interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> _StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _unstorable(source: SourceDocument) -> str | None:
    """Why a source cannot be stored (text, name or metadata with no UTF-8 form), else None:
    checked before any work, so such a file is one bad input and never fails a batch."""
    try:
        encode_line({"path": source.path, "source": source.metadata, "text": source.text})
    except (UnicodeEncodeError, TypeError, ValueError) as exc:
        shown = source.path.encode("utf-8", "backslashreplace").decode("utf-8")
        reason = "text, name or metadata with no UTF-8 form" if isinstance(exc, UnicodeEncodeError) \
            else f"metadata that is not JSON ({exc})"
        return f"{shown}: {reason}"
    return None


def _prepend(first: SourceDocument, rest: Iterator[SourceDocument]) -> Iterator[SourceDocument]:
    yield first
    yield from rest


def _document_record(source: SourceDocument, info: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(
        id=source.id,
        path=source.path,
        source=dict(source.metadata),
        pipeline={k: v for k, v in info.items() if v is not None},
        processed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        text=source.text,
        source_key=source_key(source.metadata, source.path),
    )


def _expected_fingerprint(model: str | None) -> str | None:
    """The fingerprint the pipeline would have, computed without loading spaCy (None: only a
    loaded pipeline can tell)."""
    from .fingerprint import expected_fingerprint

    try:
        return expected_fingerprint(model) or None
    except (OSError, ValueError):  # an unreadable model folder or config: the loaded one tells
        return None
