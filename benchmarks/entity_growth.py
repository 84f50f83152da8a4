"""Entity growth: bytes of entity lines each extract run appends, run after run.

Ten runs of 100 articles (the speed corpus, cycled; from the fifth run on, texts get a
closing line so they are new documents naming the same companies and people again) are
extracted one after another into one store, each in a fresh ``newsclaims extract`` process.
Printed per run: the entity lines appended and their bytes, and the bytes the same lines would
have taken as whole records (what runs wrote before deltas: each touched entity with its whole
alias and document lists), side by side from the same run; the target is the last run's bytes
at most 1.5x the first's. Usage::

    python benchmarks/entity_growth.py [--runs 10] [--articles 100] [--work /tmp/entity_growth]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.store.claim_store import encode_line  # noqa: E402
from pipeline.store.entity_lines import fold_into  # noqa: E402

CORPUS = REPO.parent / "shared" / "speed-corpus" / "bbc-tech"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--work", type=Path, default=Path("/tmp/entity_growth"))
    options = parser.parse_args()
    shutil.rmtree(options.work, ignore_errors=True)
    store = options.work / "store"
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    folded: dict[str, dict] = {}
    offset = 0
    rows = []
    for run in range(options.runs):
        folder = options.work / f"run{run:02d}"
        folder.mkdir(parents=True)
        for k in range(options.articles):
            n = run * options.articles + k
            text = texts[n % len(texts)]
            if n >= len(texts):  # a later story naming the same people and companies
                text += f"\n\nThis article was updated (edition {n // len(texts)}).\n"
            (folder / f"a{n:05d}.txt").write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", str(folder),
                               "--store", str(store), "--quiet"], capture_output=True, check=False)
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode()[-2000:])
        with (store / "entities.jsonl").open("rb") as fh:
            fh.seek(offset)
            appended = fh.read()
        offset += len(appended)
        whole = 0
        lines = [json.loads(line) for line in appended.splitlines()]
        for line in lines:
            fold_into(folded, line)
            whole += len(encode_line(folded[line["id"]]))
        rows.append((run + 1, len(lines), sum(1 for x in lines if x.get("delta")), len(appended), whole))
        print(f"run {run + 1:2d}: {len(lines):5d} entity lines ({rows[-1][2]:5d} deltas), "
              f"{len(appended):9,d} bytes; as whole records {whole:9,d} bytes", flush=True)
    first, last = rows[0], rows[-1]
    print(f"last run / first run: {last[3] / first[3]:.2f}x (as whole records: {last[4] / first[4]:.2f}x)")
    print(f"entities.jsonl: {offset:,d} bytes; as whole records {sum(r[4] for r in rows):,d} bytes")


if __name__ == "__main__":
    main()
