"""Bad inputs end to end: through ``newsclaims extract`` (CliRunner) and ``extract()``.

For every bad file the run must (a) print a one-line error naming the file and the reason,
(b) still process the good files beside it, (c) exit 1 / count it in ``summary.failed`` and
(d) write nothing for it. Legacy encodings are not bad: they are decoded, stored and their
encoding recorded. ``newsclaims check`` is tested on a good store and on corrupted ones.

The CLI loads the model with ``pipeline.load``; the tests patch it to return the session's
pipeline so each run costs milliseconds instead of a model load.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import random
import re
import shutil
import signal
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app
from pipeline.extract import extract
from pipeline.store import ClaimStore
from pipeline.store.check import check_store
from tests.conftest import CORPUS

pytestmark = pytest.mark.integration

runner = CliRunner()
BINARY = "binary or undecodable content (not text)"
SCMP = CORPUS / "000_99de1714f14aae12.txt"
LOWDOWN = CORPUS / "004_dad777cdd88bf5a0.txt"

# Two small good articles (first paragraphs of the seeds), each well under 1,000 bytes, so
# that --max-bytes 1000 refuses only the big file.
GOOD = {
    "good_a.txt": (
        "Alibaba Group Holding has restructured the back-end operations of its core Chinese "
        "online retail platforms Taobao Marketplace and Tmall, as the e-commerce giant moves to "
        "bolster its lead amid increased competition.\n"
        "Hangzhou-based Alibaba confirmed the report on Friday, but declined to comment further.\n"
    ),
    "good_b.txt": (
        "Taobao & Tmall's overall market share has reduced from >75% five years ago to about 50% "
        "now, as Pinduoduo and Douyin are eating away at the ecommerce pie in China.\n"
        "Jack Ma pointed out that the logic Alibaba relied on for its past success no longer "
        "applies, and swift changes are necessary.\n"
    ),
}
GOOD_MANIFEST = [
    {"file": "good_a.txt", "url": "https://example.com/a", "publisher": "Example Daily",
     "title": "Alibaba restructures"},
    {"file": "good_b.txt", "url": "https://example.com/b", "publisher": "Example Weekly",
     "title": "Market share"},
]

CHINESE_NEWS = (
    "阿里巴巴集团（Alibaba）周四表示，将重组淘宝和天猫的后台运营，以巩固其在中国电商市场的领先地位。"
    "据知情人士透露，新成立的三个运营中心将分别负责平台战略、用户增长和商家产业发展。"
    "Alibaba 首席执行官张勇在致员工的内部信中说，公司必须更快地适应日益激烈的市场竞争。"
    "分析人士指出，拼多多和抖音正在蚕食淘宝的市场份额，过去五年其份额已从百分之七十五以上下降到约百分之五十。"
    "戴珊出任中国数字商业板块负责人后，这是她推出的首项重大改革举措。"
    "受此消息影响，Alibaba 在香港上市的股票周五上涨百分之三，投资者对重组前景普遍表示乐观。"
    "公司还计划在未来一年内加大对中小商家的扶持力度，并把流量重新引导回淘宝平台。"
    "市场观察人士认为，Alibaba 的这次调整显示管理层正在重新聚焦核心电商业务。"
    "与此同时，马云（Jack Ma）近日与淘宝天猫的主要高管会面，讨论回归淘宝、回归用户和回归互联网三个方向。"
    "一位接近公司的人士说，集团未来将更加重视日活跃用户的增长，而不只是商品交易总额。"
)
FRENCH_NEWS = (
    "Société Générale a annoncé jeudi une hausse de 12 % de son bénéfice net au troisième "
    "trimestre, portée par la banque de détail à l'étranger. Le directeur général Frédéric "
    "Oudéa a déclaré que le groupe poursuivrait la réduction de ses coûts. Les analystes "
    "s'attendaient à un résultat légèrement inférieur; l'action a progressé de 3 % à Paris.\n"
)
ENGLISH = ("Alibaba said on Friday that its chief executive Daniel Zhang would restructure "
           "Taobao and Tmall, and that about 50% of revenue came from China.\n")


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def fast_load(monkeypatch: pytest.MonkeyPatch, nlp):
    """Make ``pipeline.load`` (what extract() calls without nlp_factory) return the
    session's pipeline."""
    monkeypatch.setattr(pipeline, "load", lambda model=None, **kw: nlp)
    return nlp


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder with the two small good articles and their manifest."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "sources.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in GOOD_MANIFEST), encoding="utf-8")
    return folder


def run_cli(*args: str | Path, store: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["extract", *map(str, args), "--store", str(store), "--quiet"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def documents(store: Path) -> list[dict]:
    path = store / "documents.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def claims(store: Path) -> list[dict]:
    path = store / "claims.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def stored_paths(store: Path) -> set[str]:
    return {d["path"] for d in documents(store)}


def error_lines(output: str, name: str, reason: str) -> list[str]:
    """Output lines that name ``name`` and give ``reason`` on the same line."""
    return [line for line in output.splitlines() if name in line and reason in line]


def assert_bad_file_handled(code: int, output: str, store: Path, name: str, reason: str,
                            good: tuple[str, ...] = tuple(GOOD)) -> None:
    """The four acceptance points for one bad file in a folder of good ones."""
    assert error_lines(output, name, reason), output                         # (a)
    assert set(good) <= stored_paths(store), (stored_paths(store), output)     # (b)
    assert code == 1, output                                                   # (c)
    assert not any(p == name or p.startswith(name + "#") for p in stored_paths(store))  # (d)
    report = check_store(store)
    assert report.ok, report.problems


def assert_evidence_exact(store: Path) -> None:
    texts = {d["id"]: d["text"] for d in documents(store)}
    for claim in claims(store):
        ev = claim["evidence"]
        text = texts[ev["doc_id"]]
        assert text[ev["start"]:ev["end"]] == ev["text"], claim
        s = ev["sentence_start"]
        assert text[s:s + len(ev["sentence"])] == ev["sentence"], claim
    report = check_store(store)
    assert report.ok, report.problems


def png_bytes() -> bytes:
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
    return header + random.Random(1).randbytes(3000)


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("article.txt", "Alibaba restructured Taobao and Tmall. " * 40)
    return buf.getvalue()


# --------------------------------------------------------------------------- bad files


BAD_FILES = [
    pytest.param("empty.txt", b"", "empty file", id="empty"),
    pytest.param("blank.txt", b"  \n\t\r\n   \n", "no text (whitespace only)", id="whitespace"),
    pytest.param("photo.txt", png_bytes(), BINARY, id="binary-png"),
    pytest.param("archive.md", zip_bytes(), BINARY, id="binary-zip"),
    pytest.param("page.html",
                 b"<html><head><style>body{color:red}</style><script>var a=1;</script></head>"
                 b"<body><script>document.write('Alibaba restructured Taobao');</script>"
                 b"<style>p{margin:0}</style></body></html>",
                 "no article text found in HTML", id="html-scripts-only"),
    pytest.param("record.json",
                 json.dumps({"headline": "Alibaba restructures", "url": "https://x.example"})
                 .encode(),
                 "record has no text field", id="json-without-text"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES)
def test_bad_file_is_reported_and_others_processed(fast_load, small_corpus, tmp_path, name,
                                                   data, reason):
    (small_corpus / name).write_bytes(data)
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, store=store)
    assert_bad_file_handled(code, output, store, name, reason)


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES)
def test_bad_file_through_extract_api(nlp, small_corpus, tmp_path, name, data, reason):
    (small_corpus / name).write_bytes(data)
    store = tmp_path / "store"
    summary = extract([small_corpus], store, nlp_factory=lambda m: nlp)
    assert summary.failed == 1 and summary.documents_new == len(GOOD)
    assert len(summary.errors) == 1
    (message,) = summary.errors
    assert message.startswith(f"{name}: ") and reason in message and "\n" not in message
    assert stored_paths(store) == set(GOOD)


def test_too_large_file_is_refused_without_reading(fast_load, small_corpus, tmp_path,
                                                   monkeypatch):
    big = small_corpus / "big.txt"
    big.write_text(("Alibaba restructured Taobao. " * 200)[:5000], encoding="utf-8")
    assert big.stat().st_size == 5000
    opened: list[str] = []  # files whose contents were read
    from pipeline.readers import sources

    real_read = sources._read_descriptor

    def spy_read(fd, limit):
        opened.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real_read(fd, limit)

    monkeypatch.setattr(sources, "_read_descriptor", spy_read)
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, "--max-bytes", "1000", store=store)
    assert_bad_file_handled(code, output, store, "big.txt",
                            "file is 5000 bytes, above the limit of 1000")
    assert opened, "the spy must see the good files being read"
    assert not any(Path(p).name == "big.txt" for p in opened), opened


def test_text_longer_than_max_chars_is_refused(fast_load, small_corpus, tmp_path):
    (small_corpus / "long.txt").write_text("Alibaba grew. " * 100, encoding="utf-8")
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, "--max-chars", "1000", store=store)
    assert_bad_file_handled(code, output, store, "long.txt",
                            "document has 1400 characters, above the limit of 1000")


def test_malformed_jsonl_line_is_named_and_good_lines_stored(fast_load, small_corpus, tmp_path):
    lines = [
        json.dumps({"text": "Tencent said revenue rose about 10% in the quarter.",
                    "url": "https://x.example/1"}),
        '{"text": "Alibaba restructured Taobao", "url": ',
        json.dumps({"body": "JD.com named a new chief executive on Monday.", "title": "JD"}),
    ]
    (small_corpus / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, store=store)
    assert error_lines(output, "feed.jsonl#L2", "malformed JSON"), output
    assert code == 1
    paths = stored_paths(store)
    assert {"feed.jsonl#L1", "feed.jsonl#L3", *GOOD} == paths
    assert not any("restructured Taobao\"" in d["text"] for d in documents(store))
    assert check_store(store).ok


def test_missing_path_is_a_clear_error(fast_load, small_corpus, tmp_path):
    missing = tmp_path / "no such folder" / "article.txt"
    store = tmp_path / "store"
    code, output = run_cli(missing, small_corpus, store=store)
    assert code == 1
    assert error_lines(output, str(missing), "no such file or directory"), output
    assert stored_paths(store) == set(GOOD)


def test_only_a_missing_path(fast_load, tmp_path):
    missing = tmp_path / "missing.txt"
    store = tmp_path / "store"
    code, output = run_cli(missing, store=store)
    assert code == 1
    assert error_lines(output, str(missing), "no such file or directory"), output
    assert documents(store) == []


def test_unreadable_file(fast_load, small_corpus, tmp_path):
    secret = small_corpus / "locked.txt"
    secret.write_text("Alibaba's confidential memo about Taobao.", encoding="utf-8")
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running with privileges that ignore file permissions (root)")
        store = tmp_path / "store"
        code, output = run_cli(small_corpus, store=store)
        assert_bad_file_handled(code, output, store, "locked.txt", "permission denied")
    finally:
        secret.chmod(0o644)


def test_symlink_loop_terminates(fast_load, small_corpus, tmp_path):
    sub = small_corpus / "sub"
    sub.mkdir()
    os.symlink(small_corpus, sub / "back", target_is_directory=True)  # directory loop
    os.symlink(small_corpus / "loop_b.txt", small_corpus / "loop_a.txt")  # a -> b -> a
    os.symlink(small_corpus / "loop_a.txt", small_corpus / "loop_b.txt")

    def too_slow(signum, frame):
        raise TimeoutError("extract did not terminate on a symlink loop")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(60)
    try:
        store = tmp_path / "store"
        code, output = run_cli(small_corpus, store=store)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    for name in ("loop_a.txt", "loop_b.txt"):
        assert error_lines(output, name, "symbolic links"), output
    assert code == 1
    assert stored_paths(store) == set(GOOD)
    assert check_store(store).ok


def test_odd_file_names_are_stored_with_their_path(fast_load, small_corpus, tmp_path):
    names = ["with space.txt", "quote's \"double\".md", "新闻 'x' \"y\".txt"]
    for i, name in enumerate(names):
        (small_corpus / name).write_text(f"Story {i}: Alibaba restructured Taobao in {name}.\n",
                                         encoding="utf-8")
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, store=store)
    assert code == 0, output
    by_path = {d["path"]: d for d in documents(store)}
    assert set(by_path) == {*names, *GOOD}
    for i, name in enumerate(names):
        assert by_path[name]["text"] == f"Story {i}: Alibaba restructured Taobao in {name}.\n"
    assert check_store(store).ok


def test_manifest_line_outside_the_corpus_is_refused(fast_load, corpus_copy, tmp_path):
    (tmp_path / "secret.txt").write_text("Top secret: Alibaba will buy Tencent.", encoding="utf-8")
    with (corpus_copy / "sources.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"file": "../secret.txt", "publisher": "Evil"}) + "\n")
    store = tmp_path / "store"
    code, output = run_cli(corpus_copy, store=store)
    assert code == 1
    lines = error_lines(output, "sources.jsonl", "../secret.txt")
    assert lines and "escapes the corpus folder" in lines[0], output
    docs = documents(store)
    assert {d["path"] for d in docs} == {SCMP.name, LOWDOWN.name}
    assert not any("Top secret" in d["text"] for d in docs)
    assert all(d["source"].get("publisher") != "Evil" for d in docs)
    scmp = next(d for d in docs if d["path"] == SCMP.name)
    assert scmp["source"]["publisher"] == "South China Morning Post"  # the rest of the manifest


def test_fail_fast_stops_at_the_first_bad_file(fast_load, small_corpus, tmp_path):
    (small_corpus / "000_first.txt").write_bytes(b"")  # sorts before the good files
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, "--fail-fast", store=store)
    assert code == 1
    assert error_lines(output, "000_first.txt", "empty file"), output
    assert "--fail-fast" in output
    assert documents(store) == [] and claims(store) == []


def test_without_fail_fast_the_same_folder_goes_on(fast_load, small_corpus, tmp_path):
    (small_corpus / "000_first.txt").write_bytes(b"")
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, store=store)
    assert_bad_file_handled(code, output, store, "000_first.txt", "empty file")


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("name", "text", "codec", "expected"),
    [
        pytest.param("zh.txt", CHINESE_NEWS, "gb18030", "gb18030", id="gb18030-chinese"),
        pytest.param("fr.txt", FRENCH_NEWS, "latin-1", None, id="latin1-french"),
        pytest.param("utf16.txt", ENGLISH, "utf-16", "utf-16", id="utf16-bom"),
    ],
)
def test_legacy_encodings_are_decoded_and_recorded(fast_load, small_corpus, tmp_path, name,
                                                   text, codec, expected):
    data = text.encode(codec)
    if codec == "utf-16":
        assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    else:
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    if codec == "gb18030":
        assert len(text) >= 400
    (small_corpus / name).write_bytes(data)
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, store=store)
    assert code == 0, output
    by_path = {d["path"]: d for d in documents(store)}
    assert set(by_path) == {name, *GOOD}
    doc = by_path[name]
    assert doc["text"] == text
    encoding = doc["source"]["encoding"]
    if expected is not None:
        assert codecs.lookup(encoding).name == codecs.lookup(expected).name
    assert data.decode(encoding) == text  # the recorded encoding really is the file's
    assert_evidence_exact(store)


def test_utf8_bom_is_dropped_and_offsets_are_exact(fast_load, small_corpus, tmp_path):
    (small_corpus / "bom.txt").write_bytes(codecs.BOM_UTF8 + ENGLISH.encode("utf-8"))
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, store=store)
    assert code == 0, output
    doc = next(d for d in documents(store) if d["path"] == "bom.txt")
    assert doc["text"] == ENGLISH and not doc["text"].startswith("\ufeff")
    assert doc["source"]["encoding"] == "utf-8-sig"
    mine = [c for c in claims(store) if c["evidence"]["doc_id"] == doc["id"]]
    alibaba = [c for c in mine if c["type"] == "entity" and c["text"] == "Alibaba"]
    assert alibaba and alibaba[0]["evidence"]["start"] == 0 and alibaba[0]["evidence"]["end"] == 7
    assert_evidence_exact(store)


def test_crlf_line_ends_are_kept_and_offsets_are_exact(fast_load, small_corpus, tmp_path):
    text = SCMP.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    assert text.count("\r\n") > 10
    (small_corpus / "crlf.txt").write_bytes(text.encode("utf-8"))
    store = tmp_path / "store"
    code, output = run_cli(small_corpus, store=store)
    assert code == 0, output
    doc = next(d for d in documents(store) if d["path"] == "crlf.txt")
    assert doc["text"] == text and "\r\n" in doc["text"]
    mine = [c for c in claims(store) if c["evidence"]["doc_id"] == doc["id"]]
    assert len(mine) > 20
    for claim in mine:
        ev = claim["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]
        assert "\r" not in ev["text"] or claim["type"] != "entity"
    assert_evidence_exact(store)


# --------------------------------------------------------------------------- odd text


def _odd_texts() -> dict[str, str]:
    rng = random.Random(7)
    controls = "".join(chr(c) for c in (0x01, 0x07, 0x0B, 0x0C, 0x1B, 0x7F, 0x85, 0x9F))
    base = ENGLISH.strip()
    clause = ("the company said that growth in the region remained strong and that "
              "margins would keep improving over the coming years, ")
    named = "while Alibaba said about 50% of its revenue came from Taobao, "
    sentence = ((clause * 12 + named) * 60)[:50_000]
    assert len(sentence) == 50_000 and "." not in sentence
    mixed_words = ["Alibaba", "阿里巴巴", "Тинькофф", "مصرف", "שלום", "Ελλάδα", "東京", "삼성",
                   "about 50%", "CEO", "(戴珊)", "—", "e\u0301", "🚀", "👩‍💼", "\u200b", "\ufeff"]
    return {
        "controls.txt": "".join(ch + (rng.choice(controls) if rng.random() < 0.05 else "")
                                for ch in base) + "\n",
        "emoji.txt": "Alibaba 🚀 said 📈 revenue rose about 50% 🎉, CEO Daniel Zhang 👩‍💼 "
                     "told staff 🙂.\nTaobao 🛍️ and Tmall 🐱 will restructure. 🇨🇳\n",
        "mixed.txt": " ".join(rng.choice(mixed_words) for _ in range(400)) + "\n",
        "long_lines.txt": (" ".join([base] * 30) + "\n") * 2,
        "one_sentence.txt": sentence,
    }


def test_odd_text_does_not_crash_and_evidence_matches(nlp, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    texts = _odd_texts()
    for name, text in texts.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    store = tmp_path / "store"
    summary = extract([folder], store, nlp_factory=lambda m: nlp)
    assert summary.failed == 0, summary.errors
    by_path = {d["path"]: d for d in documents(store)}
    assert set(by_path) == set(texts)
    for name, text in texts.items():
        assert by_path[name]["text"] == text
    report = check_store(store)
    assert report.ok, report.problems[:5]
    assert report.claims > 0
    assert_evidence_exact(store)


def test_a_store_written_by_extract_passes_check_even_for_odd_percentages(fast_load, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "typo.txt").write_text("Alibaba said revenue rose I0% last year.\n",
                                     encoding="utf-8")
    store = tmp_path / "store"
    code, output = run_cli(folder, store=store)
    assert code == 0, output
    result = runner.invoke(app, ["check", "--store", str(store)])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- newsclaims check


@pytest.fixture
def good_store(nlp, tmp_path) -> Path:
    store = tmp_path / "good_store"
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(LOWDOWN, folder / LOWDOWN.name)
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    summary = extract([folder], store, nlp_factory=lambda m: nlp)
    assert summary.documents_new == 3 and summary.claims > 10
    return store


def run_check(store: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["check", "--store", str(store)])
    return result.exit_code, result.output.splitlines()


def _rewrite(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    path.write_text("\n".join(edit(lines[:-1])) + "\n", encoding="utf-8")


def test_check_passes_a_good_store(good_store):
    code, lines = run_check(good_store)
    assert code == 0, lines
    summary = re.sub(r"\s+", " ", " ".join(lines))  # it may wrap when the path is long
    assert "3 documents" in summary and summary.endswith(", 0 problems"), lines


def _shift_offset(lines: list[str]) -> list[str]:
    record = json.loads(lines[0])
    record["evidence"]["start"] += 1
    return [json.dumps(record, ensure_ascii=False), *lines[1:]]


@pytest.mark.parametrize(
    ("corruption", "expected"),
    [
        pytest.param("offset", ["evidence does not match the text"], id="changed-offset"),
        pytest.param("duplicate", ["appears 2 times"], id="duplicated-line"),
        pytest.param("orphan", ["is not in the store"], id="missing-document"),
        pytest.param("not-json", ["claims.jsonl:", "not JSON"], id="non-json-line"),
        pytest.param("torn", ["documents.jsonl:", "torn last line"], id="torn-last-line"),
    ],
)
def test_check_reports_each_problem_on_its_own_line(good_store, corruption, expected):
    claims_path = good_store / "claims.jsonl"
    docs_path = good_store / "documents.jsonl"
    doc_lines = docs_path.read_text(encoding="utf-8").split("\n")[:-1]
    if corruption == "offset":
        _rewrite(claims_path, _shift_offset)
        n_expected = 2  # the broken claim, and its document as incomplete (--repair remakes it)
    elif corruption == "duplicate":
        _rewrite(claims_path, lambda lines: [*lines[:3], lines[2], *lines[3:]])
        n_expected = 1
    elif corruption == "orphan":
        victim = json.loads(doc_lines[0])["id"]
        _rewrite(docs_path, lambda lines: lines[1:])
        n_expected = sum(1 for c in claims(good_store) if c["evidence"]["doc_id"] == victim)
        assert n_expected > 0
    elif corruption == "not-json":
        _rewrite(claims_path, lambda lines: [*lines[:5], "this is not JSON", *lines[5:]])
        n_expected = 1
    else:
        with docs_path.open("a", encoding="utf-8") as fh:
            fh.write('{"id": "0123abcd", "path": "half.txt", "te')
        n_expected = None  # a torn line is also not JSON: one or two lines for it
    report = check_store(good_store)
    assert not report.ok
    code, lines = run_check(good_store)
    assert code == 1
    problems = lines[:len(report.problems)]
    assert problems == report.problems  # one output line per problem, nothing wrapped
    summary = re.sub(r"\s+", " ", " ".join(lines[len(report.problems):]))  # may wrap
    damaged = f" ({len(report.damaged)} damaged lines)" if report.damaged else ""
    assert summary.endswith(f"{len(report.problems)} problems{damaged}"), summary
    if n_expected is not None:
        assert len(problems) == n_expected, problems
    else:
        assert 1 <= len(problems) <= 2 and all("documents.jsonl:" in p for p in problems)
    assert any(all(e in p for e in expected) for p in problems), problems


def test_check_on_a_missing_store_is_a_usage_error(tmp_path):
    """No store at --store is exit 2 (usage or environment), one line naming the path."""
    code, lines = run_check(tmp_path / "nowhere")
    assert code == 2
    assert lines == [f"{tmp_path / 'nowhere'}: no store here (no documents.jsonl)"]


def test_store_still_opens_after_corruption(good_store):
    """A reader of a corrupted store does not raise (ids come from whole lines only)."""
    with (good_store / "claims.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("garbage\n{\"id\": \"torn")
    ids = ClaimStore(good_store).claim_ids()
    assert len(ids) == len(claims_without_garbage(good_store))


def claims_without_garbage(store: Path) -> list[dict]:
    out = []
    for line in (store / "claims.jsonl").read_text(encoding="utf-8").split("\n"):
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
