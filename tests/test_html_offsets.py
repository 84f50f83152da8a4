"""Offsets of an HTML document index the text extracted from it (stored in documents.jsonl),
not the HTML: what the README promises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

PAGE = """<html><head><title>Acme results</title></head><body><nav>Home | Markets</nav>
<article><h1>Acme results</h1>
<p>Acme Corp said on Tuesday that its chief executive, Jane Smith, will cut about 10% of jobs.</p>
<p>The company plans to close its plant in Leeds, Acme Corp said in a statement.</p>
</article><footer>Copyright</footer></body></html>
"""


@pytest.mark.integration
def test_html_evidence_is_a_slice_of_the_stored_text(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "acme.html").write_text(PAGE, encoding="utf-8")
    store = tmp_path / "store"
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "news"), "--store", str(store),
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    [document] = [json.loads(line) for line in (store / "documents.jsonl").open()]
    text = document["text"]
    assert document["source"]["format"] == "html" and "<p>" not in text
    claims = [json.loads(line) for line in (store / "claims.jsonl").open()]
    assert {c["type"] for c in claims} >= {"entity", "percentage"}
    for claim in claims:
        ev = claim["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]
        assert PAGE[ev["start"]:ev["end"]] != ev["text"]  # the HTML's own offsets differ
    percentage = next(c["evidence"] for c in claims if c["type"] == "percentage")
    assert text.startswith("Acme results\nAcme Corp said on Tuesday")  # the README's example
    assert (percentage["start"], percentage["end"], text[86:95]) == (86, 95, "about 10%")
