"""Tests for pipeline.readers: formats, decoding, manifests and bad inputs."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import zipfile
from pathlib import Path

import pytest

from pipeline.readers import (
    ReadError,
    SourceDocument,
    UnreadableFile,
    iter_sources,
    read_text_file,
)

BINARY = "binary or undecodable content (not text)"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"
LATIN = ("Société Générale a annoncé jeudi une hausse de 12 % de son bénéfice net, portée "
         "par la banque de détail à l'étranger. ") * 4
CHINESE = ("阿里巴巴集团周二宣布重组淘宝和天猫的后台运营，以应对日益激烈的竞争。"
           "新成立的三个运营中心将专注于平台战略、用户增长和商家产业发展。"
           "分析人士表示，这是戴珊出任中国数字商业板块负责人后的首项重大举措。"
           "公司股价当天上涨百分之三，投资者对改革前景表示乐观。") * 3
ARTICLE = [
    "Acme Corp said on Tuesday that third-quarter revenue rose 12 percent to $4.1 billion, "
    "beating analyst expectations as demand for its cloud services kept growing.",
    "Chief executive Jane Doe told investors the company would open two new data centres "
    "in Singapore next year and hire about 500 engineers across the region.",
    "Shares of Acme rose 6 percent in early trading in New York after the results, "
    "adding roughly $3 billion to the company's market value.",
    "The company also raised its full-year forecast and said it expects operating margin "
    "to widen as costs from last year's restructuring programme fall away.",
]


def read_all(root: Path | str, **kwargs: int) -> tuple[list[SourceDocument], list[ReadError]]:
    """Split the stream into documents and errors."""
    items = list(iter_sources(root, **kwargs))
    docs = [x for x in items if isinstance(x, SourceDocument)]
    return docs, [x for x in items if isinstance(x, ReadError)]


def read_one(tmp_path: Path, name: str, data: bytes, **kwargs: int) -> SourceDocument | ReadError:
    """Write one file and read it as the single file argument."""
    path = tmp_path / name
    path.write_bytes(data)
    (item,) = iter_sources(path, **kwargs)
    return item


def png_bytes() -> bytes:
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
    return header + random.Random(0).randbytes(2000)


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.txt", "Quarterly results. " * 50)
    return buf.getvalue()


def test_real_corpus_with_manifest_metadata() -> None:
    docs, _ = read_all(CORPUS)
    top = {d.path: d for d in docs if "/" not in d.path}  # corpus/gold/ holds annotations
    assert sorted(top) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert len(top) == 2
    for name, doc in top.items():
        assert doc.text == (CORPUS / name).read_bytes().decode("utf-8")
        assert doc.metadata["format"] == "txt" and doc.metadata["encoding"] == "utf-8"
        assert doc.metadata["url"].startswith("https://") and doc.metadata["title"]
    scmp = next(d for p, d in top.items() if p.startswith("000_"))
    assert scmp.metadata["publisher"] == "South China Morning Post"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"Line one.\r\nLine two.\r\n", "Line one.\r\nLine two.\r\n", "utf-8"),
        (b"\xef\xbb\xbfRevenue rose.\n", "Revenue rose.\n", "utf-8-sig"),
        ("Profit fell 3%.\r\n€ and ü".encode("utf-16"), "Profit fell 3%.\r\n€ and ü", "utf-16"),
        ("Profit fell 3%.".encode("utf-32"), "Profit fell 3%.", "utf-32"),
        (CHINESE.encode("gb18030"), CHINESE, "gb18030"),
        (LATIN.encode("latin-1"), LATIN, "cp1252"),
        (b"  Leading spaces kept\n\n", "  Leading spaces kept\n\n", "utf-8"),
    ],
    ids=["crlf", "utf8-bom", "utf16-bom", "utf32-bom", "gb18030", "latin1", "no-strip"],
)
def test_decoding(tmp_path: Path, data: bytes, text: str, encoding: str) -> None:
    doc = read_one(tmp_path, "a.txt", data)
    assert isinstance(doc, SourceDocument)
    assert doc.text == text
    assert doc.metadata["encoding"] == encoding
    assert read_text_file(tmp_path / "a.txt", max_bytes=10_000) == (text, encoding)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\t\r\n  ", "no text (whitespace only)"),
        ("blank16.txt", " \n ".encode("utf-16"), "no text (whitespace only)"),
        ("image.txt", png_bytes(), BINARY),
        ("archive.md", zip_bytes(), BINARY),
        ("controls.txt", bytes(range(1, 9)) * 50 + b"text", BINARY),
        ("big.txt", b"x" * 101, "file is 101 bytes, above the limit of 100"),
        ("scripts.html", b"<html><head><style>p{color:red}</style><script>var x=1;</script>"
         b"</head><body><script>alert(1)</script></body></html>", "no article text found in HTML"),
        ("broken.json", b'{"text": "a",', None),
        ("scalar.json", b'"just a string"', "JSON must be an object or an array of objects"),
        ("data.csv", b"a,b\n1,2\n", "unsupported file type"),
        ("sources.jsonl", b'{"file": "a.txt"}\n',
         "sources.jsonl is a metadata manifest, not a document"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, data: bytes, reason: str | None) -> None:
    err = read_one(tmp_path, name, data, max_bytes=100 if name == "big.txt" else 1_000_000)
    assert isinstance(err, ReadError)
    assert err.path == name
    if reason is None:
        assert err.reason.startswith("malformed JSON")
    else:
        assert err.reason == reason


def test_too_large_is_refused_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 500)
    monkeypatch.setattr("builtins.open", lambda *a, **k: pytest.fail("file was opened"))
    with pytest.raises(UnreadableFile, match="file is 500 bytes, above the limit of 10"):
        read_text_file(tmp_path / "big.txt", max_bytes=10)


def test_html_article(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Acme beats forecasts</title>"
        "<meta property='og:title' content='Acme beats forecasts'>"
        "<meta property='og:url' content='https://news.example.com/acme-results'>"
        "<meta property='og:site_name' content='Example News'>"
        "<style>.ad{display:none}</style><script>track();</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/markets'>Markets</a></nav>"
        f"<article><h1>Acme beats forecasts</h1>{paragraphs}</article>"
        "<footer>Copyright Example News</footer></body></html>"
    )
    doc = read_one(tmp_path, "acme.HTML", html.encode())
    assert isinstance(doc, SourceDocument)
    for paragraph in ARTICLE:
        assert paragraph in doc.text
    assert "track()" not in doc.text and "display:none" not in doc.text
    assert doc.metadata["title"] == "Acme beats forecasts"
    assert doc.metadata["url"] == "https://news.example.com/acme-results"
    assert doc.metadata["publisher"] == "Example News"
    assert doc.metadata["format"] == "html"


def test_jsonl_good_bad_and_textless_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "First story.", "url": "https://a.example/1", "source": "Wire",
                    "date": "2024-01-02", "section": "markets", "tags": ["x"]}),
        '{"text": "broken',
        json.dumps({"headline": "No body here"}),
        json.dumps({"body": "Second story.", "title": "Two", "publisher": "Daily"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, errors = read_all(tmp_path)
    assert [(d.path, d.text) for d in docs] == [
        ("feed.jsonl#L1", "First story."), ("feed.jsonl#L4", "Second story.")]
    assert docs[0].metadata == {"url": "https://a.example/1", "publisher": "Wire",
                                "published": "2024-01-02", "section": "markets",
                                "format": "jsonl", "encoding": "utf-8",
                                "encoding_confidence": 1.0}
    assert docs[1].metadata["title"] == "Two" and docs[1].metadata["publisher"] == "Daily"
    assert [e.path for e in errors] == ["feed.jsonl#L2", "feed.jsonl#L3"]
    assert errors[0].reason.startswith("malformed JSON")
    assert str(errors[1]) == ("feed.jsonl#L3: record has no text field "
                              "(expected one of text, body, content, article)")


def test_json_array_and_object(tmp_path: Path) -> None:
    records = [{"content": "Story A.", "published_at": "2024-05-01"}, {"nope": 1},
               {"article": "Story B.", "site": "S"}]
    (tmp_path / "batch.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps({"text": "Story C."}), encoding="utf-8")
    docs, errors = read_all(tmp_path)
    assert [(d.path, d.text) for d in docs] == [
        ("batch.json#0", "Story A."), ("batch.json#2", "Story B."), ("one.json", "Story C.")]
    assert docs[0].metadata["published"] == "2024-05-01"
    assert docs[1].metadata["publisher"] == "S"
    assert [e.path for e in errors] == ["batch.json#1"]


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    assert list(iter_sources(missing)) == [ReadError(str(missing), "no such file or directory")]
    with pytest.raises(UnreadableFile, match="no such file or directory"):
        read_text_file(missing, max_bytes=100)


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Confidential memo.", encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with privileges that ignore file permissions")
        docs, errors = read_all(tmp_path)
        assert docs == [] and errors == [ReadError("secret.txt", "permission denied")]
    finally:
        path.chmod(0o644)


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "story.txt").write_text("A story.", encoding="utf-8")
    os.symlink(tmp_path, sub / "loop", target_is_directory=True)
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")  # a -> b -> a
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    docs, errors = read_all(tmp_path)
    assert [d.path for d in docs] == ["sub/story.txt"]
    assert {e.path for e in errors} == {"a.txt", "b.txt"}


def test_odd_file_names(tmp_path: Path) -> None:
    names = ["with space.txt", "quote's \"double\".md", "新闻 'x'.txt"]
    for name in names:
        (tmp_path / name).write_text(f"Story in {name}.", encoding="utf-8")
    docs, errors = read_all(tmp_path)
    assert errors == []
    assert sorted(d.path for d in docs) == sorted(names)
    assert all(d.text == f"Story in {d.path}." for d in docs)


def test_manifest_escape_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "outside.txt").write_text("Outside the corpus.", encoding="utf-8")
    (corpus / "a.txt").write_text("Story A.", encoding="utf-8")
    (corpus / "b.txt").write_text("Story B.", encoding="utf-8")
    (corpus / "escape.txt").symlink_to(tmp_path / "outside.txt")
    manifest = [
        {"file": "a.txt", "publisher": "Pub A", "url": "https://a.example"},
        {"file": "../outside.txt", "publisher": "Evil"},
        "not json",
        {"file": "escape.txt", "publisher": "Evil"},
        {"url": "https://no-file.example"},
        {"file": "sub/../b.txt", "title": "Story B"},
    ]
    (corpus / "sources.jsonl").write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in manifest), encoding="utf-8")
    docs, errors = read_all(corpus)
    by_path = {d.path: d for d in docs}
    # the symlink out of the corpus is refused as a file too (issue 11: it used to be read)
    assert sorted(by_path) == ["a.txt", "b.txt"]
    assert by_path["a.txt"].metadata["publisher"] == "Pub A"
    assert by_path["b.txt"].metadata["title"] == "Story B"
    assert [e.path for e in errors] == [f"sources.jsonl#L{n}" for n in (2, 3, 4, 5)] + ["escape.txt"]
    assert str(errors[0]) == ("sources.jsonl#L2: manifest path escapes the corpus folder: "
                              "../outside.txt")
    assert all("Outside" not in d.text for d in docs if d.path != "escape.txt")


def test_nested_folders_are_sorted_and_relative(tmp_path: Path) -> None:
    for rel in ["b/z.txt", "b/a.md", "a.txt", "c/d/e.txt", "c/notes.pdf"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"Text of {rel}.", encoding="utf-8")
    docs, errors = read_all(tmp_path)
    assert errors == []
    assert [d.path for d in docs] == ["a.txt", "b/a.md", "b/z.txt", "c/d/e.txt"]
    assert [d.path for d in read_all(str(tmp_path))[0]] == [d.path for d in docs]


def test_read_error_str_is_one_line() -> None:
    err = ReadError("dir/file name.txt", "bad\nthing\r\nhere")
    assert str(err) == "dir/file name.txt: bad thing here"
    assert "\n" not in str(err) and str(err).startswith(err.path)


def test_document_id_is_sha256_of_text(tmp_path: Path) -> None:
    doc = read_one(tmp_path, "a.txt", "Préface\r\n".encode())
    assert isinstance(doc, SourceDocument)
    assert doc.id == hashlib.sha256("Préface\r\n".encode()).hexdigest()
    assert doc.id == SourceDocument("elsewhere", doc.text, {}).id


def test_newsclaimsignore_skips_listed_paths(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "seeds.jsonl").write_text('{"doc": "a.txt"}\n', encoding="utf-8")
    (tmp_path / "notes.md").write_text("Internal notes about Alibaba.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Alibaba restructured Taobao.", encoding="utf-8")
    (tmp_path / ".newsclaimsignore").write_text("# not news\ngold/\nnotes.md\n", encoding="utf-8")
    items = list(iter_sources(tmp_path))
    assert [i.path for i in items] == ["a.txt"]
    assert all(isinstance(i, SourceDocument) for i in items)


def test_real_corpus_reads_articles_only():
    items = list(iter_sources(Path(__file__).resolve().parents[2] / "corpus"))
    assert sorted(i.path for i in items) == ["000_99de1714f14aae12.txt", "004_dad777cdd88bf5a0.txt"]
