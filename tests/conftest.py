"""Shared fixtures: blank pipelines for unit tests of a stage, the real model for integration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import pipeline
from pipeline import assemble  # noqa: F401  (registers factories and readers)
from pipeline.resources import read_gazetteer, read_records

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "models"
CORPUS = REPO / "corpus"
SEED_GOLD = CORPUS / "gold" / "seeds.jsonl"


@pytest.fixture
def blank_nlp() -> Language:
    return spacy.blank("en")


def add_span_ruler(nlp: Language, name: str, patterns: list[dict], *,
                   factory: str = "span_ruler") -> None:
    """Add a span_ruler stage as config.cfg configures the rule stages (longest match wins)."""
    ruler = nlp.add_pipe(factory, name=name, config={
        "spans_key": name, "annotate_ents": False,
        "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    ruler.initialize(lambda: [], nlp=nlp, patterns=patterns)


@pytest.fixture(scope="session")
def metric_records() -> list[dict]:
    return read_records(str(MODELS / "lexicons" / "business_metrics.json"))


@pytest.fixture(scope="session")
def name_word_records() -> list[dict]:
    return read_records(str(MODELS / "lexicons" / "name_words.json"))


@pytest.fixture(scope="session")
def furniture_records() -> list[dict]:
    return read_records(str(MODELS / "lexicons" / "page_furniture.json"))


@pytest.fixture(scope="session")
def gazetteer_patterns() -> list[dict]:
    return read_gazetteer(str(MODELS / "patterns" / "organizations.jsonl"))


@pytest.fixture(scope="session")
def percent_patterns() -> list[dict]:
    return read_gazetteer(str(MODELS / "patterns" / "percentages.jsonl"))


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The full pipeline on the real pretrained model (integration tests only)."""
    return pipeline.load()


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the two seed articles with their manifest."""
    target = tmp_path / "corpus"
    target.mkdir()
    for item in CORPUS.iterdir():
        if item.is_file():
            shutil.copy(item, target / item.name)
    return target
