"""Stage newsclaims_person_cues: names after a job title or before a Chinese-character name."""

import random

import pytest
import spacy
import srsly

from pipeline.stages.cue_windows import windowed_longest
from pipeline.stages.person_cues import PersonCues
from tests.conftest import MODELS


@pytest.fixture
def cues(blank_nlp) -> PersonCues:
    stage = PersonCues(blank_nlp)
    stage.initialize(patterns=list(srsly.read_jsonl(MODELS / "patterns" / "persons.jsonl")))
    return stage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The group's CFO Li Bo declined to comment.", ["Li Bo"]),
        ("chairman Joe Tsai said the plan was approved.", ["Joe Tsai"]),
        ("Analysts met Zhang Yong (张勇) on Monday.", ["Zhang Yong"]),
        ("Tencent Music Group (腾讯音乐) rose.", []),
        ("The CEO said the company would grow.", []),
        ("Sales rose in China last year.", []),
    ],
)
def test_person_cues(cues, blank_nlp, text, expected):
    doc = cues(blank_nlp(text))
    assert [s.text for s in doc.spans["person_cues"]] == expected
    assert all(s.label_ == "PERSON" for s in doc.spans["person_cues"])


def test_round_trip(cues, blank_nlp, tmp_path):
    cues.to_disk(tmp_path / "cues")
    loaded = PersonCues(blank_nlp).from_disk(tmp_path / "cues")
    text = "CFO Li Bo and Wang Hai (汪海) attended."
    original, reloaded = cues(blank_nlp(text)), loaded(blank_nlp(text))
    assert [s.text for s in reloaded.spans["person_cues"]] == ["Li Bo", "Wang Hai"]
    assert [s.text for s in reloaded.spans["person_cues"]] == \
        [s.text for s in original.spans["person_cues"]]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Aviation analyst Piet van der Berg of Norvale spoke.", "Piet van der Berg"),
        ("Chairman Karim bin Harun said so.", "Karim bin Harun"),
        ("CFO Li Bo said so.", "Li Bo"),
        ("Chief Financial Officer Rolf Dassow said so.", "Rolf Dassow"),
    ],
)
def test_title_then_name_keeps_particles(text, name):
    nlp = spacy.blank("en")
    cues = nlp.add_pipe("newsclaims_person_cues")
    cues.initialize(patterns=list(srsly.read_jsonl(MODELS / "patterns" / "persons.jsonl")))
    doc = nlp(text)
    assert [s.text for s in doc.spans["person_cues"]] == [name]


def test_windowed_matches_are_the_whole_docs(cues, blank_nlp):
    """The Matcher reads only windows around titles and brackets: the same matches, in the same
    order, as over the whole Doc, on random text full of titles, names and brackets."""
    words = ["CFO", "chairman", "analyst", "Li", "Bo", "Joe", "Tsai", "van", "der", "Berg", "Group",
             "Zhang", "Yong", "(", ")", "张勇", "腾讯音乐", "said", ",", "and", "the", "Piet", "de"]
    rng = random.Random(3)
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 50))) for _ in range(400)]
    found = 0
    for text in texts:
        doc = blank_nlp(text)
        whole = list(cues.matcher(doc))
        windows = cues.windows.windows(doc)
        assert windows is not None
        assert windowed_longest(cues.matcher, doc, windows) == whole, text
        found += len(whole)
    assert found > 100
