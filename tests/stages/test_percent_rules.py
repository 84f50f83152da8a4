"""Stage percent_rules (``newsclaims_cue_span_ruler``, spaCy's SpanRuler run near its cue words)
with models/patterns/percentages.jsonl."""

import pytest

from tests.conftest import add_span_ruler


@pytest.fixture(scope="module")
def percent_nlp(percent_patterns):
    import spacy

    nlp = spacy.blank("en")
    add_span_ruler(nlp, "percent_rules", percent_patterns, factory="newsclaims_cue_span_ruler")
    return nlp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Share fell from >75% five years ago.", [">75%"]),
        ("It now holds about 50% of the market.", ["about 50%"]),
        ("Revenue rose more than 80 per cent.", ["more than 80 per cent"]),
        ("Margins were 10-15% in 2022.", ["10-15%"]),
        ("Rates rose 3.5 percentage points.", ["3.5 percentage points"]),
        ("Prices could rise up to 20 percent.", ["up to 20 percent"]),
        # a range with a unit on both ends is two mentions (bbc-dev README)
        ("It owns between 5% and 7% of the shares.", ["5%", "7%"]),
        ("Growth will be 3% to 3.5% next year.", ["3%", "3.5%"]),
        # multi-word qualifiers belong to the span; "just" and a spaced dash do not
        ("Growth is something like 6% a year.", ["something like 6%"]),
        ("Inflation is more or less 1% now.", ["more or less 1%"]),
        ("Only firms with just 54% of the vote won.", ["54%"]),
        ("It rose 15 cents - 1.1% - on Monday.", ["1.1%"]),
        ("It fell -1.1% on Monday.", ["-1.1%"]),
        ("Sales grew 7 percent and costs fell at least 2%.", ["7 percent", "at least 2%"]),
        ("It sold 30 units in 2021.", []),
    ],
)
def test_percentages_keep_their_qualifier(percent_nlp, text, expected):
    doc = percent_nlp(text)
    assert [s.text for s in doc.spans["percent_rules"]] == expected
    assert all(s.label_ == "PERCENT" for s in doc.spans["percent_rules"])
