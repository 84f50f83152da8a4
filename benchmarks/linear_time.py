"""Linear time in document length: the pipeline and the claim building per character, measured
side by side on 1x, 4x and 16x the seed articles in one process (best of three each).

Linear means the time per character stays flat; the script prints the ratios to the 1x figure
and exits 1 when a ratio passes 2 (the bar: flat within 2x). Speed lives here, not in unit tests.
Usage: .venv/bin/python benchmarks/linear_time.py [MAX_FACTOR]
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    import pipeline
    from pipeline.extract import doc_claims, pipeline_info

    max_factor = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    base = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt")))
    nlp = pipeline.load()
    nlp.max_length = max(nlp.max_length, len(base) * max_factor + 1)
    info = pipeline_info(nlp)
    rows = []
    factor = 1
    while factor <= max_factor:
        text = base * factor
        doc = nlp(text)
        pipe_s = best_of(3, lambda t=text: nlp(t))
        claims_s = best_of(3, lambda d=doc: doc_claims(d, "d" * 64, info))
        rows.append((factor, len(text), pipe_s / len(text), claims_s / len(text)))
        factor *= 4
    first = rows[0]
    worst = 0.0
    print(f"{'factor':>6} {'chars':>9} {'pipeline us/char':>17} {'ratio':>6} "
          f"{'claims us/char':>15} {'ratio':>6}")
    for factor, chars, pipe, claims in rows:
        pipe_ratio, claims_ratio = pipe / first[2], claims / first[3]
        worst = max(worst, pipe_ratio, claims_ratio)
        print(f"{factor:>6} {chars:>9} {pipe * 1e6:>17.2f} {pipe_ratio:>6.2f} {claims * 1e6:>15.3f} "
              f"{claims_ratio:>6.2f}")
    print(f"worst ratio {worst:.2f} (bar: 2.0)")
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
