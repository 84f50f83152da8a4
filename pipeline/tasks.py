"""The work of one NLP worker, shared by ``extract --workers N`` (a local process pool, see
``pipeline.parallel``) and ``extract --dask`` (see ``pipeline.distributed``): load the pipeline
once per process, run a task of documents through it and return plain records (claims as dicts,
word counts, errors), never a Doc, so the driver links and writes exactly as a one-process run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

    from .readers import SourceDocument

TASK_SIZE = 8  # documents per task, in both runners: small enough that no worker idles at the end
_PIPELINES: dict[str, Language] = {}  # per worker process: the loaded pipelines, by key
_SHIPPED: dict[str, str] = {}  # per worker process: key -> folder a PipelineShipper unpacked


def worker_pipeline(key: str, model: str | None, max_chars: int) -> Language:
    """The pipeline for ``key`` in this worker process, loaded on first use: the folder a
    ``PipelineShipper`` unpacked, else ``model`` by name (a local cluster)."""
    nlp = _PIPELINES.get(key)
    if nlp is None:
        from . import load

        nlp = load(_SHIPPED.get(key, model))
        _PIPELINES[key] = nlp
    nlp.max_length = max(nlp.max_length, max_chars)
    return nlp


def worker_info(key: str, model: str | None, max_chars: int) -> dict[str, str]:
    """``pipeline_info`` of the workers' pipeline (a task: the driver's claims need it)."""
    from .extract import pipeline_info

    return pipeline_info(worker_pipeline(key, model, max_chars))


def _task_text(item: tuple[str, str, str | None, str | None]) -> str:
    """A task item's text: sent by the driver, else read from its URL by the walk's reader."""
    path, doc_id, text, url = item
    if text is not None:
        return text
    import fsspec

    from .readers import SourceDocument, documents_in

    file = re.sub(r"#L?\d+$", "", path) if re.search(r"\.jsonl?#L?\d+$", path) else path
    with fsspec.open(url, "rb") as fh:
        data = fh.read()
    found = [d for d in documents_in(data, file) if d.path == path]
    if not found:
        raise ValueError(f"{url}: no document {path} in the file")
    if not isinstance(found[0], SourceDocument):
        raise ValueError(str(found[0]))
    if found[0].id != doc_id:
        raise ValueError(f"{url}: file changed since the driver read it")
    return found[0].text


def extract_task(key: str, model: str | None, info: dict[str, str],
                 items: list[tuple[str, str, str | None, str | None]], batch_size: int,
                 max_chars: int) -> list[dict[str, Any]]:
    """Run one task's documents through the pipeline: per document ``{"claims": [dicts],
    "words": n}`` or ``{"error": message}``. A batch that raises in the pipeline is done again
    one document at a time, so only the document that breaks it fails."""
    from .extract import doc_claims, word_count

    nlp = worker_pipeline(key, model, max_chars)
    results: list[dict[str, Any] | None] = [None] * len(items)
    texts: list[tuple[int, str]] = []
    for i, item in enumerate(items):
        try:
            texts.append((i, _task_text(item)))
        except Exception as exc:
            results[i] = {"error": one_line(exc)}

    def record(i: int, doc: Any) -> dict[str, Any]:
        try:
            claims = doc_claims(doc, items[i][1], info)
        except Exception as exc:
            return {"error": one_line(exc)}
        return {"claims": [c.to_dict() for c in claims],
                "words": word_count(doc)}

    # An exception must not leave a memory zone: spaCy then skips its clean-up and the
    # worker's string store is left broken for every later document (so all is caught inside).
    broken = False
    with nlp.memory_zone():
        try:
            for doc, i in nlp.pipe(((t, i) for i, t in texts), as_tuples=True, batch_size=batch_size):
                results[i] = record(i, doc)
        except Exception:
            broken = True
    for i, text in texts if broken else ():
        if results[i] is not None:
            continue
        with nlp.memory_zone():
            try:
                results[i] = record(i, nlp(text))
            except Exception as exc:
                results[i] = {"error": one_line(exc)}
    return [r if r is not None else {"error": "no result"} for r in results]


def one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


@dataclass
class RemoteResult:
    """One document back from the cluster: its claims as dicts and word count, or an error."""

    source: SourceDocument
    claims: list[dict[str, Any]]
    words: int = 0
    error: str | None = None
