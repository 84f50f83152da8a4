"""Stage percent_rules (spaCy span_ruler) with models/patterns/percentages.jsonl."""

import pytest

from tests.conftest import add_span_ruler


@pytest.fixture(scope="module")
def percent_nlp(percent_patterns):
    import spacy

    nlp = spacy.blank("en")
    add_span_ruler(nlp, "percent_rules", percent_patterns)
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
        ("It owns between 5% and 7% of the shares.", ["5% and 7%"]),
        ("Sales grew 7 percent and costs fell at least 2%.", ["7 percent", "at least 2%"]),
        ("It sold 30 units in 2021.", []),
    ],
)
def test_percentages_keep_their_qualifier(percent_nlp, text, expected):
    doc = percent_nlp(text)
    assert [s.text for s in doc.spans["percent_rules"]] == expected
    assert all(s.label_ == "PERCENT" for s in doc.spans["percent_rules"])
