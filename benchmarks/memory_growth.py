"""RSS growth of ``newsclaims extract`` over a long stream of text full of new names (issue 13,
benchmark 5; target <= 0.5 MB per 100k words).

The stream is made of variants of the speed corpus (``../shared/speed-corpus/bbc-tech``, read
only): every variant replaces the capitalised names of each article (runs of capitalised words
not at a sentence start) with generated ones, unique over the whole stream (two words become
a person such as "Vounbenba Klouxvimba", three or more a company ending in "Holdings",
"Group"...), so the string store and the entity resolver meet new names all the time.
The variants are written to a temporary folder, never to the repo.
``newsclaims extract TEMP --store TEMP_STORE --quiet`` then runs in a fresh process; every ~0.5 s
the script reads its VmRSS from ``/proc/PID/status`` and the progress: the words of the documents
already written to the store's ``documents.jsonl`` (read as it grows), interpolated linearly in
time between two writes (the store is written in chunks of 256 documents, ~128k words here).
Within a chunk RSS rises and falls by tens of MB, a
sawtooth that biases a line through the raw samples by several MB per 100k words. So the figure
is a least-squares line of RSS vs words through the mean RSS of each chunk whose middle is in the
second half of the words (a last chunk of less than half a chunk's words, the stream's tail, is
left out: its mean is not comparable) (after warm-up; the raw-sample line is printed too, and used when
fewer than two chunks are there, as with --words 200000). Exit 1 when above the target.
Usage: .venv/bin/python benchmarks/memory_growth.py [--words 1000000] [--corpus DIR]
       (--words 200000 for a quick smoke run: two chunks, its figure is warm-up)
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "speed-corpus" / "bbc-tech"
TARGET_MB = 0.5  # per 100k words
INTERVAL = 0.5

_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "gr",
           "kl", "st", "tr"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou"]
_CODAS = ["", "n", "r", "s", "x", "l", "m", "th"]
_SYLLABLES = [o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS]  # 1280
_SUFFIXES = ["Holdings", "Systems", "Group", "Labs", "Networks", "Partners", "Media", "Capital"]
_KEEP = {"I", "January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday",
         "Thursday", "Friday", "Saturday", "Sunday"}
_RUN = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*\b")
_SENTENCE_START = re.compile(r'(?:^|[.!?:]["\')]?\s+|\n\s*|["(]\s*)$')


class Names:
    """Generated words that never repeat over one stream: a counter, scrambled by a bijection
    of [0, 1280**3), spelled as three syllables."""

    SPACE = len(_SYLLABLES) ** 3

    def __init__(self) -> None:
        self.counter = itertools.count()

    def word(self) -> str:
        n, parts = (next(self.counter) * 1_000_003 + 12345) % self.SPACE, []
        for _ in range(3):
            n, digit = divmod(n, len(_SYLLABLES))
            parts.append(_SYLLABLES[digit])
        return "".join(parts).capitalize()

    def like(self, words: int) -> str:
        if words == 1:
            return self.word()
        if words == 2:  # a person
            return f"{self.word()} {self.word()}"
        suffix = _SUFFIXES[next(self.counter) % len(_SUFFIXES)]  # a company
        return " ".join([self.word() for _ in range(words - 1)] + [suffix])


def variant(text: str, names: Names, mapping: dict[str, str]) -> str:
    """``text`` with its capitalised names replaced; ``mapping`` (one per article of a variant)
    keeps a name's replacement the same wherever it occurs in the article."""
    out, last = [], 0
    for match in _RUN.finditer(text):
        words = match.group().split(" ")
        start = match.start()
        if _SENTENCE_START.search(text, 0, start) or start == 0:
            start += len(words[0]) + 1  # the sentence's first word stays
            words = words[1:]
        words = [w for w in words if w not in _KEEP] if len(words) == 1 else words
        if not words:
            continue
        name = " ".join(words)
        if name not in mapping:
            mapping[name] = names.like(len(words))
        out.append(text[last:start])
        out.append(mapping[name])
        last = start + len(name)
    out.append(text[last:])
    return "".join(out)


def build_stream(corpus: Path, folder: Path, target_words: int) -> int:
    """Variants of every article in ``corpus`` written to ``folder`` until ``target_words``."""
    articles = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    if not articles:
        raise SystemExit(f"no .txt articles in {corpus}")
    names, total = Names(), 0
    for v in itertools.count(1):
        sub = folder / f"variant{v:03d}"
        sub.mkdir()
        for i, text in enumerate(articles, 1):
            new = variant(text, names, {})  # repeated articles differ too
            (sub / f"{i:04d}.txt").write_text(new, encoding="utf-8")
            total += len(new.split())
            if total >= target_words:
                return total


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def slope(points: list[tuple[float, float]]) -> float:
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    newsclaims = Path(sys.executable).parent / "newsclaims"
    with tempfile.TemporaryDirectory() as tmp:
        stream, store = Path(tmp) / "stream", Path(tmp) / "store"
        stream.mkdir()
        total = build_stream(args.corpus, stream, args.words)
        print(f"stream: {total:,} words in {sum(1 for _ in stream.rglob('*.txt'))} files",
              flush=True)
        documents = store / "documents.jsonl"
        started = time.perf_counter()
        proc = subprocess.Popen([str(newsclaims), "extract", str(stream), "--store", str(store),
                                 "--quiet"])
        samples: list[tuple[float, float]] = []  # (seconds, RSS MB)
        writes: list[tuple[float, int]] = [(0.0, 0)]  # (seconds, words written so far)
        offset, words, pending = 0, 0, b""
        while True:
            done = proc.poll() is not None
            now = time.perf_counter() - started
            rss = None if done else rss_mb(proc.pid)
            if rss is not None:
                samples.append((now, rss))
            if documents.exists():
                with documents.open("rb") as fh:
                    fh.seek(offset)
                    chunk = fh.read()
                offset += len(chunk)
                *lines, pending = (pending + chunk).split(b"\n")
                added = sum(len(json.loads(line)["text"].split()) for line in lines if line)
                if added:
                    words += added
                    writes.append((now, words))
            if done:
                break
            time.sleep(INTERVAL)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            print(f"newsclaims extract exited {proc.returncode}")
            return 2

    def words_at(t: float) -> float | None:  # interpolated between two writes
        for (t0, w0), (t1, w1) in itertools.pairwise(writes):
            if t0 <= t <= t1:
                return w0 + (w1 - w0) * (t - t0) / (t1 - t0) if t1 > t0 else w1
        return None

    points = [(w, rss) for t, rss in samples if (w := words_at(t)) is not None]
    late = [(w, rss) for w, rss in points if w >= words / 2]
    raw = slope(late) * 100_000 if len(late) >= 2 else float("nan")
    chunks = []  # (words at the chunk's middle, mean, last and max RSS while it was processed)
    for (t0, w0), (t1, w1) in itertools.pairwise(writes):
        window = [rss for ts, rss in samples if t0 < ts <= t1]
        if window:
            chunks.append(((w0 + w1) / 2, sum(window) / len(window), window[-1], max(window)))
    # the last chunk is the stream's tail: when it holds fewer than half the words of a full
    # chunk its mean is not comparable (less work never reaches a chunk's usual peak), so it is
    # left out of the fit
    sizes = sorted(w1 - w0 for (_, w0), (_, w1) in itertools.pairwise(writes))
    if len(chunks) > 2 and writes[-1][1] - writes[-2][1] < sizes[len(sizes) // 2] / 2:
        chunks_fitted = chunks[:-1]
    else:
        chunks_fitted = chunks
    fitted = [c for c in chunks_fitted if c[0] >= words / 2]
    per_100k = slope([(c[0], c[1]) for c in fitted]) * 100_000 if len(fitted) >= 2 else raw
    peak = max(rss for _, rss in samples)
    print(f"words processed {words:,} in {seconds:.0f} s ({words / seconds:,.0f} words/s); "
          f"{len(samples)} RSS samples, {len(writes) - 1} store writes")
    print("RSS MB per store chunk (words at its middle: mean, just before the write, max):")
    for middle, mean, last, high in chunks:
        print(f"  {middle:>9,.0f}: {mean:.0f}, {last:.0f}, {high:.0f}")
    print(f"peak RSS {peak:.0f} MB")
    print(f"line through all samples of the second half ({len(late)}): {raw:.2f} MB per 100k "
          "words (biased by the chunk sawtooth)")
    how = (f"line through the means of the {len(fitted)} chunks of the second half"
           + (", the short last chunk left out" if chunks_fitted is not chunks else "")
           if len(fitted) >= 2 else "too few chunks for the chunk fit; all samples")
    print(f"RSS growth {per_100k:.2f} MB per 100k words ({how}; target <= {TARGET_MB}; "
          f"ratio {per_100k / TARGET_MB:.2f})")
    return 0 if per_100k <= TARGET_MB else 1

if __name__ == "__main__":
    sys.exit(main())
