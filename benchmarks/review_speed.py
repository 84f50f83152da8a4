"""Review speed: ``newsclaims review`` on a store of the corpus plus 1,000 documents.

The store is the corpus extracted by the real pipeline, with ``--docs`` synthetic documents
(``store_scale.generate``: texts, ~30 claims of the four types each, entity records) appended to
its files. Each review runs in a fresh process under ``/usr/bin/time -v``; printed per filter:
wall seconds, peak RSS, documents, claims and entity pages written (the target: the whole store
in under a minute). Usage::

    python benchmarks/review_speed.py [--docs 1000] [--work /tmp/review_speed]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from store_scale import _cli, generate, timed  # noqa: E402


def build_store(work: Path, docs: int) -> Path:
    """The corpus's store with ``docs`` generated documents appended (index left to rebuild)."""
    store = work / "store"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    wall, _, code = timed([*_cli(), "extract", str(REPO / "corpus"), "--store", str(store), "--quiet"])
    if code != 0:
        raise SystemExit("extract of corpus/ failed")
    generated = work / "generated"
    generate(generated, docs)
    for name in ("documents.jsonl", "claims.jsonl", "entities.jsonl"):
        with (store / name).open("ab") as out:
            out.write((generated / name).read_bytes())
    (store / "index.sqlite").unlink(missing_ok=True)
    shutil.copy(generated / "bench_entity.txt", work / "bench_entity.txt")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/review_speed"))
    options = parser.parse_args()
    store = build_store(options.work, options.docs)
    entity = (options.work / "bench_entity.txt").read_text(encoding="utf-8")
    runs = {"whole store": [], "--type role": ["--type", "role"], f"--entity {entity}": ["--entity", entity],
            "--since 2024-12-01": ["--since", "2024-12-01"]}
    print(f"store: corpus/ + {options.docs} generated documents")
    for label, extra in runs.items():
        out = options.work / "review"
        wall, peak, code = timed([*_cli(), "review", "--store", str(store), "--out", str(out), *extra])
        if code != 0:
            raise SystemExit(f"review {label} failed")
        index = (out / "index.html").read_text(encoding="utf-8")
        line = index[index.index('id="totals"'):].split("</p>", 1)[0]
        totals = {k: int(v) for k, v in re.findall(r'data-field="(documents|claims|entities)">(\d+)<', line)}
        pages = sum(1 for _ in out.rglob("*.html"))
        print(f"{label:28s} {wall:6.2f} s  {peak * 1024:6.0f} MB  {totals.get('documents', 0):5d} documents "
              f"{totals.get('claims', 0):6d} claims {totals.get('entities', 0):5d} entity pages  "
              f"({pages} files)")


if __name__ == "__main__":
    main()
