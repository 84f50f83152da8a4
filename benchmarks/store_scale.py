"""Store scale: does appending to a big store cost what the new work costs?

Generates a store of N documents synthetically (records written directly, no NLP: document
texts, ~30 claims per document of the four types with entity ids in their slots, entity
records versioned every 2,560 documents: extract writes a version per batch of 256, which would
make the entity file alone several GB), then times, each in a
fresh process under ``/usr/bin/time -v`` (wall time and peak RSS):

* ``reindex`` (building the index from the JSONL files once),
* ``extract`` of 10 small real articles into the big store and into an empty store (ratio),
* the unchanged re-run of the same articles on the big store,
* ``stats``, ``claims --entity``, ``entities --name`` and ``check`` on the big store and on the
  10-article store (peak RSS ratio: what the store's size adds to a query's memory).

After each append the big store is put back (files truncated to their sizes, index file
restored), so runs do not accumulate. Usage::

    python benchmarks/store_scale.py [--docs 100000] [--work /tmp/store_scale] [--skip-check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FIRST = ["Wei", "Li", "Ming", "Anna", "John", "Maria", "Chen", "Yuki", "Omar", "Sara", "Raj", "Lena",
         "Paul", "Mei", "Ivan", "Nora", "Hugo", "Zhang", "Elena", "Kenji", "Amir", "Lucy", "Tom", "Ines"]
LAST = ["Wang", "Smith", "Tanaka", "Garcia", "Kumar", "Novak", "Rossi", "Chen", "Kim", "Silva",
        "Müller", "Dubois", "Haddad", "Larsen", "Okafor", "Ito", "Costa", "Brown", "Zhou", "Park"]
SYLLABLES = ["ka", "lo", "ri", "zen", "tek", "mar", "vo", "sil", "nex", "ta", "gra", "on", "quo", "bi",
             "dra", "fu", "le", "mo", "pex", "ux"]
SUFFIX = ["Holdings", "Group", "Technologies", "Capital", "Motors", "Bank", "Energy", "Systems", ""]
FINGERPRINT = "synthetic000fp01"


def _h(*parts: object) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()


def make_entities(count: int, rng: random.Random) -> list[dict]:
    """``count`` entity pools: about a third people, the rest organisations, unique names."""
    from pipeline.resolution.names import entity_id, entity_key

    found: dict[str, dict] = {}
    while len(found) < count:
        if rng.random() < 0.35:
            label = "PERSON"
            name = f"{rng.choice(FIRST)} {''.join(rng.sample(SYLLABLES, 2)).title()} {rng.choice(LAST)}"
        else:
            label = "ORG"
            core = "".join(rng.sample(SYLLABLES, rng.choice((2, 3)))).title()
            name = f"{core} {rng.choice(SUFFIX)}".strip()
        key = entity_key(name, label)
        eid = entity_id(label, key)
        if eid not in found:
            found[eid] = {"id": eid, "label": label, "name": name, "key": key}
    return list(found.values())


def generate(root: Path, docs: int, seed: int = 13) -> None:
    """Write a synthetic store of ``docs`` documents into ``root``."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    pool = make_entities(max(100, docs * 2), rng)
    weights = [1.0 / (i + 500) for i in range(len(pool))]  # some entities in many documents
    state: dict[str, dict] = {}
    with (root / "documents.jsonl").open("w", encoding="utf-8") as dfh, \
            (root / "claims.jsonl").open("w", encoding="utf-8") as cfh, \
            (root / "entities.jsonl").open("w", encoding="utf-8") as efh:
        touched: set[str] = set()
        for n in range(docs):
            chosen = {e["id"]: e for e in rng.choices(pool, weights=weights, k=8)}.values()
            chosen = list(chosen)
            sentences = []
            for e in chosen:
                sentences.append(f"{e['name']} said on Monday that revenue rose {rng.randint(1, 40)}% "
                                 f"in the third quarter, beating analysts' forecasts by a wide margin. ")
            filler = "Shares traded higher in Hong Kong as investors weighed the outlook. " * 12
            text = "".join(sentences) + filler
            doc_id = hashlib.sha256(text.encode()).hexdigest()
            published = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}"
            claims = []
            pos = 0
            for i in range(30):
                e = chosen[i % len(chosen)]
                start = text.find(e["name"], pos if i < len(chosen) else 0)
                start = max(start, 0)
                end = start + len(e["name"])
                ev = {"doc_id": doc_id, "start": start, "end": end, "text": e["name"],
                      "sentence": text[start:start + 110], "sentence_start": start}
                prov = {"stage": "ner", "rule": None, "model": "en_core_web_sm_synthetic",
                        "model_version": "3.8.0", "score": None, "fingerprint": FINGERPRINT}
                slot = {"text": e["name"], "label": e["label"], "start": start, "end": end,
                        "entity_id": e["id"]}
                kind = ("entity" if i < 22 else "percentage" if i < 25 else
                        "directive" if i < 28 else "role")
                claim: dict = {"id": _h(doc_id, i), "type": kind}
                if kind == "entity":
                    claim.update(label=e["label"], text=e["name"], entity_id=e["id"])
                elif kind == "percentage":
                    claim.update(subject=slot, metric="revenue", qualifier="rise", value=12.5,
                                 when="third quarter")
                elif kind == "directive":
                    claim.update(actor=slot, targets=[slot], action="establish", status="done",
                                 cue="set")
                else:
                    claim.update(person=slot, role="chief executive", role_text="chief executive",
                                 org=slot)
                claim.update(claim_key=_h(kind, e["id"], i % 5), date=published, evidence=ev,
                             provenance=prov)
                claims.append(claim)
                if kind == "entity":
                    record = state.setdefault(e["id"], {
                        "id": e["id"], "label": e["label"], "name": e["name"], "aliases": [e["name"]],
                        "mention_count": 0, "documents": [], "first_seen": published,
                        "last_seen": published, "key": e["key"], "rules": [], "merged_ids": []})
                    record["mention_count"] += 1
                    if not record["documents"] or record["documents"][-1] != doc_id:
                        record["documents"].append(doc_id)
                    record["last_seen"] = published
                    touched.add(e["id"])
            cfh.write("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in claims))
            document = {"id": doc_id, "path": f"gen/{n:07d}.txt",
                        "source": {"url": f"https://news.example/{n}", "publisher": f"Pub {n % 40}",
                                   "title": f"Article {n}", "published": published},
                        "pipeline": {"name": "newsclaims", "version": "0.1", "model":
                                     "en_core_web_sm_synthetic", "model_version": "3.8.0",
                                     "fingerprint": FINGERPRINT},
                        "processed_at": "2024-12-01T00:00:00+00:00", "text": text,
                        "claim_count": len(claims), "source_key": f"https://news.example/{n}"}
            if (n + 1) % 2560 == 0 or n == docs - 1:  # entity versions, then the documents
                efh.write("".join(json.dumps({**state[i], "documents": sorted(state[i]["documents"])},
                                             ensure_ascii=False) + "\n" for i in sorted(touched)))
                touched.clear()
            dfh.write(json.dumps(document, ensure_ascii=False) + "\n")
    # a sample entity name for the queries
    top = max(state.values(), key=lambda r: r["mention_count"])
    (root / "bench_entity.txt").write_text(top["name"], encoding="utf-8")


def articles(folder: Path) -> Path:
    """Ten small real articles: the corpus' two, and variants of them with other names."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))]
    people = ["Daniel Zhang", "Joseph Tsai", "Eddie Wu", "Jiang Fan", "Lucy Peng",
              "Michael Evans", "Jerry Yang", "Simon Hu"]
    for i in range(10):
        base = texts[i % len(texts)]
        extra = "" if i < len(texts) else (f"\n\n{people[i - 2]}, a director at Alibaba Group, "
                                           f"said sales at Tmall rose {i + 3}% in March.\n")
        (folder / f"article_{i:02d}.txt").write_text(base + extra, encoding="utf-8")
    return folder


def timed(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in GB, exit code) of one command in a fresh process."""
    command = ["/usr/bin/time", "-v", *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak = int(rss.group(1)) / 1024 / 1024 if rss else float("nan")
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:], file=sys.stderr)
    return wall, peak, done.returncode


def _cli() -> list[str]:
    return [sys.executable, "-m", "pipeline.cli"]


def snapshot(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in root.glob("*.jsonl")}


def restore(root: Path, sizes: dict[str, int], saved_index: Path) -> None:
    """Put the big store back as it was before an append (same files, same index)."""
    for name, size in sizes.items():
        with (root / name).open("rb+") as fh:
            fh.truncate(size)
    shutil.copy(saved_index, root / "index.sqlite")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/store_scale"))
    parser.add_argument("--skip-check", action="store_true", help="do not time check")
    options = parser.parse_args()
    big = options.work / f"big_{options.docs}"
    if not (big / "bench_entity.txt").exists():
        started = time.perf_counter()
        shutil.rmtree(big, ignore_errors=True)
        generate(big, options.docs)
        print(f"generated {options.docs} documents in {time.perf_counter() - started:.0f} s")
    sizes = snapshot(big)
    claims = sum(1 for _ in (big / "claims.jsonl").open("rb"))
    print(f"store: {options.docs} documents, {claims} claims, "
          f"{sum(sizes.values()) / 1e9:.2f} GB of JSONL")
    folder = articles(options.work / "articles")
    cli = _cli()
    rows: list[tuple[str, float, float]] = []

    def run(name: str, args: list[str]) -> tuple[float, float]:
        wall, peak, code = timed(args)
        rows.append((name, wall, peak))
        print(f"{name:<34} {wall:8.2f} s {peak:6.2f} GB  (exit {code})", flush=True)
        return wall, peak

    run("reindex (build the index once)", [*cli, "reindex", "--store", str(big)])
    saved = options.work / "index.saved.sqlite"
    shutil.copy(big / "index.sqlite", saved)
    sizes = snapshot(big)
    empty = options.work / "empty"
    shutil.rmtree(empty, ignore_errors=True)
    into_empty = run("extract 10 articles, empty store",
                     [*cli, "extract", str(folder), "--store", str(empty), "--quiet"])
    into_big = run("extract 10 articles, big store",
                   [*cli, "extract", str(folder), "--store", str(big), "--quiet"])
    run("unchanged re-run, big store", [*cli, "extract", str(folder), "--store", str(big), "--quiet"])
    restore(big, sizes, saved)
    entity = (big / "bench_entity.txt").read_text(encoding="utf-8")
    queries = {"stats": ["stats", "--format", "jsonl"],
               f"claims --entity '{entity}'": ["claims", "--entity", entity, "--format", "jsonl"],
               f"entities --name '{entity}'": ["entities", "--name", entity, "--format", "jsonl"]}
    if not options.skip_check:
        queries["check"] = ["check"]
    ratios = []
    for name, args in queries.items():
        on_big = run(name, [*cli, *args, "--store", str(big)])
        on_empty = run(f"{name}, empty store", [*cli, *args, "--store", str(empty)])
        ratios.append(f"{name.split()[0]} {on_big[1] / on_empty[1]:.2f}x")
    print(f"append ratio big/empty: time {into_big[0] / into_empty[0]:.2f}x, "
          f"peak RSS {into_big[1] / into_empty[1]:.2f}x (targets <= 1.5x)")
    print("query peak RSS big/empty (the 10-article store): " + ", ".join(ratios))


if __name__ == "__main__":
    main()
