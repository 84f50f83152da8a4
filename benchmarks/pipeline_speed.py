"""Pipeline speed: what the newsclaims stages cost next to the bare pretrained model.

On the speed corpus (``../shared/speed-corpus/bbc-tech``, read where it lies), each measurement
runs in a fresh process and the rounds interleave them (a, b, c, a, b, c, ...) so that other load
on the machine falls on all of them alike; the medians are printed:

(a) bare ``spacy.load(DEFAULT_MODEL)`` ``nlp.pipe`` words/s;
(b) ``pipeline.load()`` ``nlp.pipe`` words/s, same batch size;
(c) ``extract`` end to end (read files, pipeline, claims, linking, store writes into a temporary
    store) words/s, model loading excluded as in (a) and (b);
(d) each component's share of (b)'s time: the components run one after another over the whole
    list of docs, each timed on its own (the tokenizer included).

``--baseline DIR`` (a folder holding another version's ``pipeline`` package, e.g. from
``git archive REV pipeline | tar -x -C DIR``) adds (b) and (d) for that version to each round, so
that a change is measured side by side with the code before it.

Usage: .venv/bin/python benchmarks/pipeline_speed.py [--rounds 3] [--limit N] [--batch-size 32]
       [--corpus DIR] [--baseline DIR]   (``--rounds 1 --limit 150`` runs in about a minute)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "speed-corpus" / "bbc-tech"
MODES = ("bare", "pipeline", "extract", "components")


def corpus_files(corpus: Path, limit: int | None) -> list[Path]:
    """The corpus's ``.txt`` files in name order, the first ``limit`` of them if given."""
    files = sorted(corpus.glob("*.txt"))
    return files[:limit] if limit else files


def words_of(texts: list[str]) -> int:
    """Words as whitespace-separated pieces: the same count for every measurement."""
    return sum(len(text.split()) for text in texts)


def run_bare(texts: list[str], batch_size: int) -> dict[str, Any]:
    """(a) The pretrained pipeline alone."""
    import spacy

    from pipeline import DEFAULT_MODEL

    nlp = spacy.load(DEFAULT_MODEL)
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return {"seconds": time.perf_counter() - started}


def run_pipeline(texts: list[str], batch_size: int) -> dict[str, float]:
    """(b) The newsclaims pipeline (pretrained model plus the configured stages)."""
    import pipeline

    nlp = pipeline.load()
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return {"seconds": time.perf_counter() - started}


def run_extract(files: list[Path], batch_size: int) -> dict[str, float]:
    """(c) ``extract`` over the files (linked into a temporary folder) into a temporary store."""
    import pipeline
    from pipeline.extract import extract

    nlp = pipeline.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for path in files:
            (folder / path.name).write_bytes(path.read_bytes())
        started = time.perf_counter()
        summary = extract([folder], Path(tmp) / "store", batch_size=batch_size,
                          nlp_factory=lambda model: nlp)
        seconds = time.perf_counter() - started
    if summary.failed:
        raise SystemExit(f"extract failed on {summary.failed} files: {summary.errors[:3]}")
    return {"seconds": seconds}


def run_components(texts: list[str], batch_size: int) -> dict[str, Any]:
    """(d) Seconds per component of the newsclaims pipeline, each run over all docs in turn;
    ``custom`` names the newsclaims stages (those of ``models/config.cfg``)."""
    import pipeline
    from pipeline.assemble import read_config

    nlp = pipeline.load()
    times: dict[str, Any] = {}
    started = time.perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    times["tokenizer"] = time.perf_counter() - started
    for name, proc in nlp.pipeline:
        started = time.perf_counter()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=batch_size))
        else:
            docs = [proc(doc) for doc in docs]
        times[name] = time.perf_counter() - started
    return {"times": times, "custom": list(read_config()["nlp"]["pipeline"])}


def child(mode: str, corpus: Path, limit: int | None, batch_size: int) -> None:
    """Run one measurement and print it as one JSON line."""
    files = corpus_files(corpus, limit)
    texts = [path.read_text(encoding="utf-8") for path in files]
    if mode == "bare":
        result = run_bare(texts, batch_size)
    elif mode == "pipeline":
        result = run_pipeline(texts, batch_size)
    elif mode == "extract":
        result = run_extract(files, batch_size)
    else:
        result = run_components(texts, batch_size)
    print(json.dumps({"mode": mode, "words": words_of(texts), **result}))


def measure(mode: str, args: argparse.Namespace, baseline: Path | None = None) -> dict[str, Any]:
    """One measurement in a fresh process (importing ``pipeline`` from ``baseline`` if given)."""
    command = [sys.executable, __file__, "--child", mode, "--corpus", str(args.corpus),
               "--batch-size", str(args.batch_size)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    env = dict(os.environ)
    if baseline is not None:
        env["PYTHONPATH"] = str(baseline.resolve())
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO,
                         env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="folder with another version's pipeline package, measured alongside")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.corpus, args.limit, args.batch_size)
        return
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    before: dict[str, list[dict[str, Any]]] = {"pipeline": [], "components": []}
    for n in range(args.rounds):
        for mode in MODES:
            results[mode].append(measure(mode, args))
            if args.baseline is not None and mode in before:
                before[mode].append(measure(mode, args, args.baseline))
        print(f"round {n + 1}: " + " ".join(
            f"{mode}={results[mode][-1].get('seconds', 0):.2f}s" for mode in MODES[:3]),
            file=sys.stderr, flush=True)
    words = results["bare"][0]["words"]
    rate = {mode: words / statistics.median(r["seconds"] for r in results[mode])
            for mode in MODES[:3]}
    print(f"articles={len(corpus_files(args.corpus, args.limit))} words={words} "
          f"rounds={args.rounds} batch_size={args.batch_size}")
    bare = rate["bare"]
    print(f"(a) bare nlp.pipe      {bare:9.0f} words/s")
    print(f"(b) pipeline.load()    {rate['pipeline']:9.0f} words/s   b/a = {rate['pipeline'] / bare:.2f}")
    print(f"(c) extract end to end {rate['extract']:9.0f} words/s   c/a = {rate['extract'] / bare:.2f}")
    if args.baseline is not None:
        rate_before = words / statistics.median(r["seconds"] for r in before["pipeline"])
        print(f"(b) of --baseline      {rate_before:9.0f} words/s   b/a = {rate_before / bare:.2f}")
    print_shares("(d) component share of the pipeline", results["components"])
    if args.baseline is not None:
        print_shares("(d) of --baseline", before["components"])


def print_shares(title: str, runs: list[dict[str, Any]]) -> None:
    """Median seconds and share of each component, and of the newsclaims stages together."""
    names = list(runs[0]["times"])
    medians = {name: statistics.median(r["times"][name] for r in runs) for name in names}
    total = sum(medians.values())
    print(f"{title} ({total:.2f}s, components run one after another):")
    for name in names:
        print(f"    {name:28s} {medians[name]:7.2f}s {100 * medians[name] / total:5.1f}%")
    custom = sum(medians[name] for name in names if name in runs[0]["custom"])
    print(f"    newsclaims stages together {custom:7.2f}s {100 * custom / total:5.1f}%")


if __name__ == "__main__":
    main()
