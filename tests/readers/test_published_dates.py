"""Where a document's published date comes from (issue 12): the manifest, HTML metadata or a
JSON/JSONL record field, normalised into ``source.published``; none without one; an unreadable
value is dropped with one warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.dates import DATE_FIELDS
from tests.readers.test_readers import read_all

STORY = ("Kestrel Mills said it would cut 200 jobs at its Leeds plant as demand for its woollen "
         "cloth fell by about 12% last year.\n")
HTML = """<html><head><title>Kestrel Mills cuts jobs</title>{meta}</head><body><article>
<h1>Kestrel Mills cuts jobs</h1>
<p>Kestrel Mills said it would cut 200 jobs at its Leeds plant as demand for its woollen cloth
fell by about 12% last year, according to the company.</p>
<p>The chief executive, Mara Quill, said the group would move production to its larger site in
Bradford and invest in new looms over the next two years.</p>
</article></body></html>"""


def _manifest(folder: Path, **fields: object) -> None:
    (folder / "sources.jsonl").write_text(json.dumps({"file": "a.txt", **fields}) + "\n",
                                          encoding="utf-8")


@pytest.mark.parametrize(("fields", "expected"), [
    ({"published": "2023-03-14"}, "2023-03-14"),
    ({"published": "Tue, 14 Mar 2023 09:30:00 +0100"}, "2023-03-14T09:30:00+01:00"),
    ({"date": "14 March 2023"}, "2023-03-14"),               # the same names as records
    ({"datePublished": "2023-03-14T08:30:00Z"}, "2023-03-14T08:30:00+00:00"),
    ({"publisher": "Fen Gazette"}, None),
])
def test_manifest_published(tmp_path: Path, fields: dict, expected: str | None) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    _manifest(tmp_path, **fields)
    (doc,), errors = read_all(tmp_path)
    assert not errors and not doc.warnings
    assert doc.metadata.get("published") == expected


@pytest.mark.parametrize(("meta", "expected"), [
    ('<meta property="article:published_time" content="2023-03-14T09:30:00+01:00">', "2023-03-14"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", '
     '"datePublished": "2022-11-05T08:00:00Z"}</script>', "2022-11-05"),
    ("", None),
])
def test_html_metadata_published(tmp_path: Path, meta: str, expected: str | None) -> None:
    (tmp_path / "page.html").write_text(HTML.format(meta=meta), encoding="utf-8")
    (doc,), errors = read_all(tmp_path)
    assert not errors
    assert doc.metadata.get("published") == expected


def test_manifest_date_wins_over_html_metadata(tmp_path: Path) -> None:
    meta = '<meta property="article:published_time" content="2023-03-14T09:30:00+01:00">'
    (tmp_path / "page.html").write_text(HTML.format(meta=meta), encoding="utf-8")
    (tmp_path / "sources.jsonl").write_text(
        json.dumps({"file": "page.html", "published": "2023-03-15"}) + "\n", encoding="utf-8")
    (doc,), _ = read_all(tmp_path)
    assert doc.metadata["published"] == "2023-03-15"


@pytest.mark.parametrize(("record", "expected"), [
    ({"published": "2023-03-14"}, "2023-03-14"),
    ({"published_at": "2023-03-14T09:30:00+01:00"}, "2023-03-14T09:30:00+01:00"),
    ({"datePublished": "2023-03-14T09:30:00Z"}, "2023-03-14T09:30:00+00:00"),
    ({"pubDate": "Tue, 14 Mar 2023 09:30:00 GMT"}, "2023-03-14T09:30:00+00:00"),
    ({"date": "March 14, 2023"}, "2023-03-14"),
    # the first name in DATE_FIELDS order wins; "date" is the last resort
    ({"date": "2020-01-01", "datePublished": "2023-03-14"}, "2023-03-14"),
    ({"published": "2023-03-14", "published_at": "2023-03-15"}, "2023-03-14"),
    # an unreadable earlier name gives way to a readable later one
    ({"published": "soon", "pubDate": "2023-03-14"}, "2023-03-14"),
    ({}, None),
    ({"published": None}, None),
])
def test_record_published(tmp_path: Path, record: dict, expected: str | None) -> None:
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": STORY, **record}) + "\n",
                                         encoding="utf-8")
    (doc,), errors = read_all(tmp_path)
    assert not errors and not doc.warnings
    assert doc.metadata.get("published") == expected


def test_record_date_wins_over_its_files_manifest_line(tmp_path: Path) -> None:
    records = [{"text": STORY, "published": "2023-03-14"}, {"text": STORY + "More.\n"}]
    (tmp_path / "batch.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "sources.jsonl").write_text(
        json.dumps({"file": "batch.json", "published": "2023-01-01"}) + "\n", encoding="utf-8")
    docs, _ = read_all(tmp_path)
    assert [d.metadata["published"] for d in docs] == ["2023-03-14", "2023-01-01"]


@pytest.mark.parametrize("where", ["manifest", "record"])
@pytest.mark.parametrize("value", ["2023-13-45", "yesterday", "14/03/2023"])
def test_unreadable_dates_are_dropped_with_one_warning(tmp_path: Path, where: str,
                                                      value: str) -> None:
    if where == "manifest":
        (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
        _manifest(tmp_path, published=value, publisher="Fen Gazette")
        path = "a.txt"
    else:
        (tmp_path / "feed.jsonl").write_text(
            json.dumps({"text": STORY, "published": value, "publisher": "Fen Gazette"}) + "\n",
            encoding="utf-8")
        path = "feed.jsonl#L1"
    (doc,), errors = read_all(tmp_path)
    assert not errors
    assert "published" not in doc.metadata and doc.metadata["publisher"] == "Fen Gazette"
    assert doc.warnings == (f"{path}: metadata field 'published' dropped: not a date: {value!r}",)


def test_a_wrong_typed_date_is_dropped_once(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": STORY, "published": 20230314}) + "\n",
                                         encoding="utf-8")
    (doc,), _ = read_all(tmp_path)
    assert "published" not in doc.metadata
    assert len(doc.warnings) == 1 and "'published' dropped" in doc.warnings[0]


def test_date_field_names_are_documented_in_order() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert ", ".join(f"`{n}`" for n in DATE_FIELDS) in readme
