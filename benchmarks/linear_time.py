"""Linear time in document length: ``extract`` (pipeline, claims, linking, store writes) per
character on one article of 10k, 100k and 1M characters, measured side by side in one process.

Two shapes of text, both made from the seed articles: ``articles`` keeps their paragraphs and
sentences; ``one block`` joins everything into one line with no paragraph breaks, the shape where
line- and sentence-based steps would go quadratic. Linear means the time per character stays
flat: the script prints each size's ratio to the 10k figure and exits 1 when a ratio passes 2
(the bar of issue 11). Speed lives here, not in unit tests.
Usage: .venv/bin/python benchmarks/linear_time.py [CHARS ...]   (default 10000 100000 1000000)
"""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BAR = 2.0


def article_of(base: str, chars: int) -> str:
    """``base`` repeated and cut at a word boundary to about ``chars`` characters."""
    text = (base + "\n\n") * (chars // (len(base) + 2) + 1)
    cut = text.rfind(" ", 0, chars)
    return text[:cut if cut > 0 else chars].rstrip() + ".\n"


def seconds_to_extract(nlp, text: str, runs: int) -> float:
    """Best wall time of ``runs`` extracts of one article into a fresh store."""
    from pipeline.extract import extract

    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            (folder / "article.txt").write_text(text, encoding="utf-8")
            gc.collect()
            started = time.perf_counter()
            summary = extract([folder], Path(tmp) / "store", max_chars=len(text) + 1,
                              nlp_factory=lambda model: nlp)
            best = min(best, time.perf_counter() - started)
            assert summary.failed == 0 and summary.documents_new == 1, summary.errors
    return best


def main() -> int:
    import pipeline

    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    seeds = sorted((REPO / "corpus").glob("*.txt"))
    articles = "\n\n".join(p.read_text(encoding="utf-8").strip() for p in seeds)
    shapes = {"articles": articles, "one block": " ".join(articles.split())}
    nlp = pipeline.load()
    nlp.max_length = max(nlp.max_length, max(sizes) + 10)
    seconds_to_extract(nlp, article_of(articles, 2_000), 1)  # warm up: lazy imports, caches
    worst = 0.0
    print(f"{'shape':>10} {'chars':>9} {'seconds':>8} {'us/char':>8} {'ratio':>6} {'max RSS MB':>11}")
    for shape, base in shapes.items():
        first = None
        for chars in sizes:
            text = article_of(base, chars)
            seconds = seconds_to_extract(nlp, text, 3 if chars <= 100_000 else 1)
            per_char = seconds / len(text)
            first = first or per_char
            ratio = per_char / first
            worst = max(worst, ratio)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{shape:>10} {len(text):>9} {seconds:>8.2f} {per_char * 1e6:>8.2f} "
                  f"{ratio:>6.2f} {rss:>11.0f}", flush=True)
    print(f"worst ratio {worst:.2f} (bar: {BAR})")
    return 0 if worst <= BAR else 1


if __name__ == "__main__":
    sys.exit(main())
