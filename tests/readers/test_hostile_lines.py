"""One bad line never stops the run (issue 11, cause 8): a NUL in a manifest file name, or JSON
nested 100,000 deep in a manifest or data line, is one error; the good records still come."""

from __future__ import annotations

import json

from pipeline.readers.sources import MANIFEST, iter_sources

DEEP = "[" * 100_000 + "]" * 100_000


def documents_and_errors(root):
    items = list(iter_sources(root))
    return [i for i in items if hasattr(i, "text")], [str(i) for i in items if not hasattr(i, "text")]


def test_a_nul_in_a_manifest_file_name_is_one_error(tmp_path):
    (tmp_path / "a.txt").write_text("Norvale Foods cut 200 jobs.\n", encoding="utf-8")
    (tmp_path / MANIFEST).write_text(json.dumps({"file": "a\u0000.txt", "title": "x"}) + "\n"
                                     + json.dumps({"file": "a.txt", "title": "Cuts"}) + "\n",
                                     encoding="utf-8")
    docs, errors = documents_and_errors(tmp_path)
    assert [d.metadata.get("title") for d in docs] == ["Cuts"]
    assert len(errors) == 1 and "NUL" in errors[0]


def test_deep_nesting_in_a_manifest_line_is_one_error(tmp_path):
    (tmp_path / "a.txt").write_text("Norvale Foods cut 200 jobs.\n", encoding="utf-8")
    (tmp_path / MANIFEST).write_text(DEEP + "\n" + json.dumps({"file": "a.txt", "title": "Cuts"}) + "\n",
                                     encoding="utf-8")
    docs, errors = documents_and_errors(tmp_path)
    assert [d.metadata.get("title") for d in docs] == ["Cuts"]
    assert len(errors) == 1 and "nested too deeply" in errors[0]


def test_deep_nesting_in_a_data_line_keeps_the_good_records(tmp_path):
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": "Kestrel Mills cut 20 jobs."}) + "\n"
                                         + DEEP + "\n"
                                         + json.dumps({"text": "Halvard shares rose 4%."}) + "\n",
                                         encoding="utf-8")
    (tmp_path / "deep.json").write_text(DEEP, encoding="utf-8")
    docs, errors = documents_and_errors(tmp_path)
    assert sorted(d.text for d in docs) == ["Halvard shares rose 4%.", "Kestrel Mills cut 20 jobs."]
    assert len(errors) == 2 and all("nested too deeply" in e for e in errors)


def test_a_symlink_out_of_the_corpus_is_refused_unless_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("A private file of the host.\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Norvale Foods cut 200 jobs.\n", encoding="utf-8")
    (corpus / "host.txt").symlink_to(outside)
    (corpus / "inside.txt").symlink_to(corpus / "a.txt")  # a link within the corpus is fine
    docs, errors = documents_and_errors(corpus)
    assert sorted(d.path for d in docs) == ["a.txt", "inside.txt"]
    assert len(errors) == 1 and errors[0].startswith("host.txt: symlink leads outside")
    followed = [i.path for i in iter_sources(corpus, follow_symlinks=True) if hasattr(i, "text")]
    assert sorted(followed) == ["a.txt", "host.txt", "inside.txt"]
