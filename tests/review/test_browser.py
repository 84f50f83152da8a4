"""The review pages in a real headless browser (Debian's chromium): they load without console
errors, show every claim with its slots, keep injected markup inert, highlight evidence, and
give screenshots (``NEWSCLAIMS_SCREENSHOTS=DIR`` keeps copies there, as the README's are made).

Without chromium the tests skip, except under CI, where ``.ci/run`` installs it and a missing
browser is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html

from pipeline.review.site import format_value, write_review

from .conftest import HOSTILE_FILE, stored_lines

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("chromium is missing: .ci/run installs Debian's chromium for these tests")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
SLOTS = {"directive": ("actor", "targets", "action", "status"),
         "percentage": ("subject", "metric", "value", "when"),
         "role": ("person", "role", "org"), "entity": ("label", "text")}


def browse(url: str, profile: Path, *extra: str) -> tuple[str, list[str]]:
    """The DOM chromium ends with after loading ``url`` (scripts run), and its console lines."""
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=3000", *extra, url],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def shown(value) -> str:
    """A slot's value as the page writes it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return value["text"]
    return format_value(value)


@pytest.fixture(scope="module")
def site(review_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "review"
    write_review(review_store, out)
    return out


@needs_browser
def test_every_page_loads_without_console_errors_and_its_script_runs(site, tmp_path):
    pages = [site / "index.html", *sorted((site / "documents").glob("*.html")),
             *sorted((site / "entities").glob("*.html"))[:5]]
    for page in pages:
        dom, console = browse(page.as_uri(), tmp_path / "profile", "--dump-dom")
        assert console == [], (page.name, console)
        assert html.fromstring(dom).get("data-review-ready") == "1", page.name


@needs_browser
def test_every_claim_of_a_document_is_in_the_dom_with_its_slots(review_store, site, tmp_path):
    claims = stored_lines(review_store, "claims.jsonl")
    for document in stored_lines(review_store, "documents.jsonl"):
        page = site / "documents" / f"{document['id']}.html"
        dom, _ = browse(page.as_uri(), tmp_path / "profile", "--dump-dom")
        items = {li.get("data-claim"): li for li in html.fromstring(dom).xpath("//li[@data-claim]")}
        expected = [c for c in claims if c["evidence"]["doc_id"] == document["id"]]
        assert set(items) == {c["id"] for c in expected}
        for claim in expected:
            item = items[claim["id"]]
            assert item.get("data-type") == claim["type"]
            slots = {dd.get("data-slot"): dd.xpath(".//span[@class='nc-value']")[0].text_content()
                     for dd in item.xpath(".//dd[@data-slot]")}
            for slot in SLOTS[claim["type"]]:
                assert slots[slot] == shown(claim.get(slot)), (claim["id"], slot)
            assert item.xpath(".//*[@data-field='evidence']")[0].text_content() == claim["evidence"]["text"]
            rule = item.xpath(".//*[@data-field='rule']")[0].text_content()
            assert rule == (claim["provenance"]["rule"] or "—")


@needs_browser
def test_injected_markup_in_an_article_stays_inert(review_store, site, tmp_path):
    document = next(d for d in stored_lines(review_store, "documents.jsonl") if d["path"] == HOSTILE_FILE)
    page = site / "documents" / f"{document['id']}.html"
    dom, console = browse(page.as_uri(), tmp_path / "profile", "--dump-dom")
    tree = html.fromstring(dom)
    assert tree.get("data-pwned") is None and console == []
    assert tree.xpath("//title")[0].text_content().startswith("<script>alert('title')</script>")
    assert len(tree.xpath("//script")) == 1 and not tree.xpath("//img")  # only the page's own
    assert "<script>document.title='pwned'" in tree.xpath("//*[@id='view-entities']")[0].text_content()
    assert not tree.xpath("//a[starts-with(@href, 'javascript:')]")


@needs_browser
def test_a_claim_named_in_the_address_has_its_evidence_highlighted(review_store, site, tmp_path):
    claims = [c for c in stored_lines(review_store, "claims.jsonl") if c["type"] != "entity"]
    for claim in (claims[0], claims[-1]):
        page = site / "documents" / f"{claim['evidence']['doc_id']}.html"
        dom, _ = browse(f"{page.as_uri()}#claim-{claim['id']}", tmp_path / "profile", "--dump-dom")
        tree = html.fromstring(dom)
        assert tree.xpath(f"//li[@id='claim-{claim['id']}']")[0].get("class").split().count("nc-hl") == 1
        words = [el.text_content().split()[0] for el in tree.xpath("//*[contains(@class, 'nc-tok') "
                                                                    "and contains(@class, 'nc-hl')]")]
        assert " ".join(words).replace(" ", "") == claim["evidence"]["text"].replace(" ", "").replace("\n", "")


@needs_browser
def test_screenshots_of_a_document_page_and_the_index(review_store, site, tmp_path):
    document = stored_lines(review_store, "documents.jsonl")[0]
    keep = os.environ.get("NEWSCLAIMS_SCREENSHOTS")
    for name, page in (("review-document.png", site / "documents" / f"{document['id']}.html"),
                       ("review-index.png", site / "index.html")):
        shot = tmp_path / name
        browse(page.as_uri(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=1400,900",
               "--hide-scrollbars")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(keep) / name)
