"""Decoding with evidence (issue 11, cause 2): a table of bytes -> text or refusal, encoding and
confidence, then the same end to end through ``extract()`` and ``newsclaims extract``."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.extract import extract
from pipeline.readers import ReadError, SourceDocument, iter_sources
from pipeline.readers.decoding import BINARY, STILL_WRITING, UndecodableBytes, decode
from pipeline.store.check import check_store

ENGLISH = ("Acme Corp said on Tuesday that third-quarter revenue rose 12 percent to £4.1 billion, "
           "beating analyst expectations as demand at its café chain’s outlets kept growing. "
           "Chief executive Renée Dupont told investors the company would open two new data "
           "centres in Zürich next year and hire about 500 engineers across the region.\n")
CHINESE = ("阿里巴巴集团周二宣布重组淘宝和天猫的后台运营，以应对日益激烈的竞争。"
           "新成立的三个运营中心将专注于平台战略、用户增长和商家产业发展。"
           "分析人士表示，这是戴珊出任中国数字商业板块负责人后的首项重大举措。"
           "公司股价当天上涨百分之三，投资者对改革前景表示乐观。\n")
TRADITIONAL = ("台積電週四公布第三季營收較去年同期成長百分之三十六，創下歷史新高。"
               "董事長表示，先進製程需求強勁，公司將持續擴大在台灣與海外的投資。"
               "分析師認為，人工智慧晶片的訂單將支撐明年的成長動能。\n")
JAPANESE = ("トヨタ自動車は火曜日、第３四半期の営業利益が前年同期比で１２％増加したと発表した。"
            "円安と北米での販売好調が業績を押し上げた。同社は通期の業績予想を上方修正し、"
            "電気自動車への投資を拡大する方針を示した。\n")
MIXED = "Alibaba hired Li Bo (李博) and Zhang Wei (张伟) to run Taobao’s “new retail” unit.\n"
STRAY = MIXED.encode("utf-8").replace(b"Taobao", b"Tao\xe9bao")  # one Latin-1 byte

# The issue's exact case: a UTF-8 JSONL whose second record has one Latin-1 byte.
RECORDS = [{"text": "Alibaba said revenue rose 9 percent.", "publisher": "Wire"},
           {"text": "Li Bo (李博) joined Acme Café as chief executive.", "publisher": "Daily"}]
JSONL = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS).encode("utf-8")
JSONL_LATIN = JSONL.replace("Café".encode(), b"Caf\xe9")
CUT = MIXED.encode("utf-8").rstrip(b"\n") + "李".encode()[:2]  # cut inside its last character


DECODING = [
    # name, bytes, expected text or ReadError reason, encoding, confidence range, replaced
    ("utf8", ENGLISH.encode("utf-8"), ENGLISH, "utf-8", (1.0, 1.0), 0),
    ("utf8-bom", codecs.BOM_UTF8 + ENGLISH.encode("utf-8"), ENGLISH, "utf-8-sig", (1.0, 1.0), 0),
    ("utf16le-bom", codecs.BOM_UTF16_LE + CHINESE.encode("utf-16-le"), CHINESE, "utf-16",
     (1.0, 1.0), 0),
    ("utf16be-bom", codecs.BOM_UTF16_BE + ENGLISH.encode("utf-16-be"), ENGLISH, "utf-16",
     (1.0, 1.0), 0),
    ("utf8-stray-latin1", STRAY, MIXED.replace("Taobao", "Tao\ufffdbao"), "utf-8", (1.0, 1.0), 1),
    ("issue-jsonl", JSONL_LATIN, JSONL.decode("utf-8").replace("Café", "Caf\ufffd"), "utf-8",
     (1.0, 1.0), 1),
    ("cut-last-character", CUT, STILL_WRITING, None, None, 0),
    ("cp1252-english", ENGLISH.encode("cp1252"), ENGLISH, "cp1252", (0.9, 0.99), 0),
    ("gb18030-chinese", CHINESE.encode("gb18030"), CHINESE, "gb18030", (0.9, 0.99), 0),
    ("big5-chinese", TRADITIONAL.encode("big5"), TRADITIONAL, "big5", (0.9, 0.99), 0),
    ("shift-jis-japanese", JAPANESE.encode("shift_jis"), JAPANESE, "cp932", (0.9, 0.99), 0),
    ("random-binary", random.Random(11).randbytes(3000), BINARY, None, None, 0),
]


@pytest.mark.parametrize(("name", "data", "expected", "encoding", "confidence", "replaced"),
                         DECODING, ids=[row[0] for row in DECODING])
def test_decoding_table(tmp_path: Path, name: str, data: bytes, expected: str,
                        encoding: str | None, confidence: tuple[float, float] | None,
                        replaced: int) -> None:
    suffix = ".jsonl" if name.endswith("jsonl") else ".txt"
    (tmp_path / f"a{suffix}").write_bytes(data)
    items = list(iter_sources(tmp_path / f"a{suffix}"))
    if encoding is None:  # refused: one line naming the file and the reason
        assert [str(i) for i in items] == [f"a{suffix}: {expected}"]
        return
    assert all(isinstance(i, SourceDocument) for i in items), items
    decoded = decode(data)
    assert decoded.text == expected
    assert decoded.encoding == encoding and data.decode(encoding, "replace") == expected
    low, high = confidence
    meta = items[0].metadata
    assert meta["encoding"] == encoding
    assert low <= meta["encoding_confidence"] <= high
    assert meta.get("encoding_replaced", 0) == replaced
    warnings = [w for i in items for w in i.warnings]
    if replaced:
        offset = data.index(b"\xe9")
        assert warnings == [f"a{suffix}: 1 byte that is not UTF-8 at offset {offset} replaced "
                            "with U+FFFD"]
    else:
        assert warnings == []


def test_issue_case_keeps_the_cjk_name(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_bytes(JSONL_LATIN)
    docs = list(iter_sources(tmp_path / "data.jsonl"))
    assert [d.path for d in docs] == ["data.jsonl#L1", "data.jsonl#L2"]
    assert "Li Bo (李博)" in docs[1].text
    assert [len(d.warnings) for d in docs] == [1, 0]  # the file's warning rides on its first


@pytest.mark.parametrize(("data", "reason"), [
    (b"Revenue rose " + "€".encode()[:1], None),  # ASCII then one lead byte: a legacy guess
    (b"Revenue rose " + "€".encode()[:2], STILL_WRITING),
    ("Café revenue ".encode() + "€".encode()[:1], STILL_WRITING),
], ids=["one-high-byte", "two-byte-cut", "utf8-then-cut"])
def test_a_cut_character_needs_evidence_of_utf8(tmp_path: Path, data: bytes,
                                                reason: str | None) -> None:
    (tmp_path / "a.txt").write_bytes(data)
    (item,) = iter_sources(tmp_path / "a.txt")
    if reason is None:
        assert isinstance(item, SourceDocument) and item.metadata["encoding"] != "utf-8"
    else:
        assert isinstance(item, ReadError) and item.reason == reason


def _guess(data: bytes) -> str | None:
    """The encoding ``decode`` chooses, None when it refuses the bytes."""
    try:
        return decode(data).encoding
    except UndecodableBytes:
        return None


def test_many_bad_bytes_are_not_utf8() -> None:
    data = ("Li Bo (李博) " * 10).encode() + b"\xe9\xe8\xe0\xf1 " * 5  # 20 bad, 20 good
    assert _guess(data) != "utf-8"


def test_a_large_utf8_file_tolerates_one_percent() -> None:
    good = "李博说营收增长。".encode() * 200  # 1,600 valid multi-byte sequences
    decoded = decode(good + b"\xff" * 16)
    assert decoded.encoding == "utf-8" and decoded.replaced == 16
    assert decoded.warning("a.txt") == (f"a.txt: 16 bytes that are not UTF-8 at offsets "
                                        f"{len(good)}, {len(good) + 1}, {len(good) + 2}, ... "
                                        "replaced with U+FFFD")
    assert _guess(good + b"\xff" * 17) != "utf-8"  # above 1%: no longer "a few bytes"


@pytest.fixture
def blank_factory():
    nlp = spacy.blank("en")
    return lambda model=None: nlp


def test_extract_records_encoding_confidence_and_warning(tmp_path: Path, blank_factory) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "data.jsonl").write_bytes(JSONL_LATIN)
    (corpus / "zh.txt").write_bytes(CHINESE.encode("gb18030"))
    events: list[tuple[str, str]] = []
    summary = extract([corpus], tmp_path / "store", nlp_factory=blank_factory,
                      on_event=lambda kind, msg: events.append((kind, msg)))
    offset = JSONL_LATIN.index(b"\xe9")
    warning = f"data.jsonl: 1 byte that is not UTF-8 at offset {offset} replaced with U+FFFD"
    assert summary.failed == 0 and summary.documents_new == 3
    assert summary.warnings == 1 and summary.warning_messages == [warning]
    assert ("warning", warning) in events
    docs = {d["path"]: d for d in _lines(tmp_path / "store" / "documents.jsonl")}
    assert "Li Bo (李博)" in docs["data.jsonl#L2"]["text"]
    assert docs["data.jsonl#L1"]["source"]["encoding_replaced"] == 1
    assert docs["data.jsonl#L2"]["source"]["encoding_confidence"] == 1.0
    assert docs["zh.txt"]["source"]["encoding"] == "gb18030"
    assert 0.9 <= docs["zh.txt"]["source"]["encoding_confidence"] < 1.0
    assert check_store(tmp_path / "store").ok
    again = extract([corpus], tmp_path / "store", nlp_factory=blank_factory)
    assert again.skipped_unchanged == 3 and again.warnings == 0  # not repeated on a re-run


def test_cli_prints_the_warning_and_exits_0(tmp_path: Path, monkeypatch, blank_factory) -> None:
    monkeypatch.setattr(pipeline, "load", blank_factory)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "data.jsonl").write_bytes(JSONL_LATIN)
    (corpus / "cut.txt").write_bytes(CUT)
    result = CliRunner().invoke(app, ["extract", str(corpus), "--store", str(tmp_path / "s"),
                                      "--quiet"])
    assert "warning data.jsonl: 1 byte that is not UTF-8 at offset" in result.output
    assert f"error cut.txt: {STILL_WRITING}" in result.output
    assert result.exit_code == 1  # the cut file is a failure; the warning alone is not
    (corpus / "cut.txt").unlink()
    result = CliRunner().invoke(app, ["extract", str(corpus), "--store", str(tmp_path / "t"),
                                      "--quiet"])
    assert result.exit_code == 0 and "warning data.jsonl" in result.output, result.output


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
