"""Parallel speed: ``newsclaims extract`` with one process, with ``--workers 2`` and with
``--dask local:2``, each a fresh process into a fresh store (process start, model loading and, for
Dask, the cluster's start included), interleaved round by round so drift hits all three alike.

Prints each mode's median time, the ratios to one process (targets from issue 13: ``--workers
2`` >= 1.6x, ``--dask local:2`` >= 1.4x), whether every mode stored the same claims, and the
machine's ceiling: what two busy processes gain over one at that moment (a shared or throttled
machine gives far less than 2x, and no 2-process mode can beat it). The
corpus is read where it is (never copied into the repo); ``--subset N`` copies the first N files
into a temporary folder.

Usage: .venv/bin/python benchmarks/workers_speed.py [--corpus DIR] [--subset N] [--rounds R]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "newsclaims"
DEFAULT_CORPUS = REPO.parent / "shared" / "speed-corpus" / "bbc-tech"
MODES = {"1 process": [], "--workers 2": ["--workers", "2"], "--dask local:2": ["--dask", "local:2"]}


def timed_run(corpus: Path, store: Path, extra: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(CLI), "extract", str(corpus), "--store", str(store), "--quiet", *extra],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def machine_ceiling(n: int = 20_000_000) -> float:
    """What two processes gain over one on pure CPU work right now (2.0 on two idle cores): the
    most any 2-process mode can reach, with other load on the machine counted in."""
    started = time.perf_counter()
    _burn(n)
    one = time.perf_counter() - started
    with multiprocessing.Pool(2) as pool:
        started = time.perf_counter()
        pool.map(_burn, [n, n])
        two = time.perf_counter() - started
    return 2 * one / two


def claim_ids(store: Path) -> list[str]:
    import json

    with (store / "claims.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--subset", type=int, default=0, help="only the first N files")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if args.subset:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            for path in sorted(p for p in args.corpus.iterdir() if p.is_file())[:args.subset]:
                shutil.copy(path, corpus / path.name)
        files = sum(1 for p in corpus.iterdir() if p.is_file())
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        ids: dict[str, list[str]] = {}
        ceilings = []
        for round_ in range(args.rounds):
            ceilings.append(machine_ceiling())
            print(f"round {round_ + 1} two busy processes vs one: {ceilings[-1]:.2f}x "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
            for mode, extra in MODES.items():
                store = Path(tmp) / f"store-{round_}-{len(times[mode])}-{extra[-1] if extra else 1}"
                times[mode].append(timed_run(corpus, store, extra))
                ids[mode] = claim_ids(store)
                shutil.rmtree(store)
                print(f"round {round_ + 1} {mode}: {times[mode][-1]:.1f}s", flush=True)
    base = statistics.median(times["1 process"])
    same = all(v == ids["1 process"] for v in ids.values())
    print(f"files={files} rounds={args.rounds} claims={len(ids['1 process'])} same_claims={same} "
          f"machine_ceiling={statistics.median(ceilings):.2f}x on {os.cpu_count()} CPUs")
    for mode in MODES:
        median = statistics.median(times[mode])
        print(f"{mode:>15}: median {median:6.1f}s  ratio {base / median:4.2f}x")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
