"""Stage newsclaims_cjk_names: runs of Chinese characters become name candidates."""

import pytest

from pipeline.stages.cjk_names import CJKNameCandidates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trudy Shan Dai (戴珊) said", ["戴珊"]),
        ("Liu Yiman (刘一曼), Li Bo (李博)", ["刘一曼", "李博"]),
        ("No Chinese here", []),
        ("单 is one character", []),
    ],
)
def test_cjk_runs_are_candidates(blank_nlp, text, expected):
    doc = CJKNameCandidates()(blank_nlp(text))
    assert [s.text for s in doc.spans["cjk_names"]] == expected
    assert all(s.label_ == "CJK_NAME" for s in doc.spans["cjk_names"])


def test_fullwidth_brackets_split_after_tokenizer_tweak(blank_nlp):
    from pipeline.stages.tokenizer import split_on_punctuation

    split_on_punctuation(blank_nlp, "（）")
    doc = CJKNameCandidates()(blank_nlp("Li Bo（李博）said"))
    assert [t.text for t in doc] == ["Li", "Bo", "（", "李博", "）", "said"]
    assert [s.text for s in doc.spans["cjk_names"]] == ["李博"]
