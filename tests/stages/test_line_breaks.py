"""Stage newsclaims_line_breaks: a line break starts a sentence."""

import pytest

from pipeline.stages.line_breaks import LineBreakSentencizer


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("Advertisement\nAlibaba restructures units", ["Alibaba"]),
        ("Headline here\n\nBody text follows", ["Body"]),
        ("One line only, no break", []),
        ("A\n \nB", ["B"]),
        ("Trailing break\n", []),
    ],
)
def test_token_after_line_break_starts_sentence(blank_nlp, text, starts):
    doc = LineBreakSentencizer()(blank_nlp(text))
    marked = [t.text for t in doc if t.i > 0 and t.is_sent_start]
    assert marked == starts


def test_runs_before_parser_in_full_pipeline_config():
    from pipeline.assemble import read_config

    config = read_config()
    assert config["placement"]["newsclaims_line_breaks"]["before"][0] == "parser"
