"""Stage newsclaims_page_furniture: furniture lines are found, article text is not."""

import pytest

from pipeline.stages.page_furniture import PageFurniture


@pytest.fixture
def furniture(furniture_records) -> PageFurniture:
    stage = PageFurniture()
    stage.initialize(records=furniture_records)
    return stage


@pytest.mark.parametrize(
    "line",
    ["Advertisement", "Reading Time:2 minutes", "Why you can trust SCMP",
     "Subscribe to our newsletter", "Newsletter subscription"],
)
def test_furniture_lines_are_found(furniture, line):
    text = f"Alibaba restructured its units.\n{line}\nTencent said so."
    found = furniture.find(text)
    assert [text[s:e] for s, e, _ in found] == [line]


@pytest.mark.parametrize(
    "line",
    ["Alibaba reorganises back-end operations.", "Stay tuned for more.",
     "Read more about the deal in our report.", "He said the advertisement market is weak."],
)
def test_article_sentences_are_not_furniture(furniture, line):
    assert furniture.find(line) == []


def test_offsets_index_original_text_with_indentation(furniture, blank_nlp):
    text = "Body one.\n   Advertisement  \nBody two."
    doc = furniture(blank_nlp(text))
    (span,) = doc.spans["furniture"]
    assert span.text == "Advertisement"
    assert text[span.start_char:span.end_char] == "Advertisement"


def test_round_trip(furniture, tmp_path):
    furniture.to_disk(tmp_path / "f")
    loaded = PageFurniture().from_disk(tmp_path / "f")
    assert loaded.records == furniture.records
    assert loaded.find("x\nAdvertisement\n") == furniture.find("x\nAdvertisement\n")
