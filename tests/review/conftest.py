"""A store for the review tests: the seed articles (dated here) and one hostile article whose
text and metadata carry markup and scripts, extracted with the real pipeline once per session."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS

HOSTILE_FILE = "hostile.txt"
HOSTILE_TEXT = (
    "<script>document.title='pwned';document.documentElement.setAttribute('data-pwned','1')"
    "</script> Norvale Holdings to buy Brightwater Ltd\n\n"
    "Norvale Holdings said on Monday it will buy Brightwater Ltd for $2bn, and its chief "
    "executive Ada Brenner said profits rose 12% in the year. "
    "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\"> "
    "Norvale Holdings will also cut 300 jobs at its Leeds plant.\n"
)
PUBLISHED = {"000_99de1714f14aae12.txt": "2022-01-10", "004_dad777cdd88bf5a0.txt": "2022-01-12"}


@pytest.fixture(scope="session")
def review_store(nlp, tmp_path_factory) -> Path:
    """The store made from the dated seeds and the hostile article (read-only in tests)."""
    from pipeline.extract import extract

    root = tmp_path_factory.mktemp("review")
    corpus = root / "corpus"
    corpus.mkdir()
    for item in CORPUS.iterdir():
        if item.is_file() and item.name != "sources.jsonl":
            shutil.copy(item, corpus / item.name)
    sources = [json.loads(line) for line in (CORPUS / "sources.jsonl").read_text().splitlines()
               if line.strip()]
    for source in sources:
        source["published"] = PUBLISHED.get(source["file"])
    sources.append({"file": HOSTILE_FILE, "url": "javascript:alert(1)", "published": "2022-01-11",
                    "publisher": "Wire <script>alert(1)</script>",
                    "title": "<script>alert('title')</script> Norvale to buy Brightwater"})
    (corpus / "sources.jsonl").write_text("".join(json.dumps(s) + "\n" for s in sources))
    (corpus / HOSTILE_FILE).write_text(HOSTILE_TEXT, encoding="utf-8")
    store = root / "store"
    summary = extract([corpus], store, nlp_factory=lambda model: nlp)
    assert summary.documents_new == 3 and not summary.failed
    return store


def stored_lines(store: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (store / name).read_text(encoding="utf-8").splitlines()]
