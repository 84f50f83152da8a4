"""Re-run speed: a second ``newsclaims extract`` over an unchanged corpus must add nothing and
run at least 20x faster than the first, process start included.

Builds a corpus of N article-length documents from the seed articles' paragraphs (each one
distinct), runs the CLI twice in fresh processes, and prints both times and their ratio.
Usage: .venv/bin/python benchmarks/rerun_speed.py [N]
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "newsclaims"


def build_corpus(folder: Path, count: int) -> None:
    paragraphs = [p for f in sorted((REPO / "corpus").glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n") if len(p) > 80]
    rng = random.Random(7)
    for i in range(count):
        body = "\n\n".join(rng.sample(paragraphs, k=min(8, len(paragraphs))))
        (folder / f"article_{i:04d}.txt").write_text(f"Report {i}\n\n{body}\n", encoding="utf-8")


def timed_run(corpus: Path, store: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(CLI), "extract", str(corpus), "--store", str(store), "--quiet"],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    with tempfile.TemporaryDirectory() as tmp:
        corpus, store = Path(tmp) / "corpus", Path(tmp) / "store"
        corpus.mkdir()
        build_corpus(corpus, count)
        first = timed_run(corpus, store)
        lines = sum(1 for p in store.glob("*.jsonl") for _ in p.open(encoding="utf-8"))
        second = timed_run(corpus, store)
        added = sum(1 for p in store.glob("*.jsonl") for _ in p.open(encoding="utf-8")) - lines
    print(f"articles={count} first_run={first:.2f}s second_run={second:.2f}s "
          f"ratio={first / second:.1f}x lines_added_by_second_run={added}")
    if added or first / second < 20:
        sys.exit(1)


if __name__ == "__main__":
    main()
