"""The ``newsclaims_percentages`` component: loads the cue lexicon and runs the steps per doc."""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from ..claim_spans import add_claim
from .attachment import attach
from .changes import fill_changes
from .context import build_discourse, fill_context_subjects
from .cues import Cues
from .metrics import fill_metrics
from .parse import NUMERIC_LABELS
from .reading import read
from .slots import subject_and_metric
from .times import fill_times

LEXICON_FILE = "percentage_cues.json"


class Percentages:
    """Turn every PERCENT entity into a ``percentage`` claim (see the package docstring)."""

    def __init__(self, nlp: Language, name: str = "newsclaims_percentages", *,
                 spans_key: str = "percentages", subject_labels: list[str] | None = None,
                 claim_type: str = "percentage") -> None:
        self.name = name
        self.spans_key = spans_key
        self.subject_labels = set(subject_labels or ["ORG", "PERSON", "GPE"])
        self.claim_type = claim_type
        self.lexicon: dict[str, Any] = {"description": "empty", "records": []}
        self.cues = Cues()

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, lexicon: dict[str, Any] | None = None) -> None:
        """Load the cue lexicon (the parsed ``percentage_cues.json``)."""
        self.set_lexicon(lexicon or {"description": "empty"})

    def set_lexicon(self, lexicon: dict[str, Any]) -> None:
        """Keep the lexicon as given (for ``to_disk``) and compile its lookup tables."""
        self.lexicon = dict(lexicon)
        self.cues = Cues.from_lexicon(self.lexicon)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the lexicon as JSON, so a saved pipeline needs no models folder."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / LEXICON_FILE, self.lexicon)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "Percentages":
        """Load the lexicon saved by ``to_disk``."""
        self.set_lexicon(srsly.read_json(ensure_path(path) / LEXICON_FILE))
        return self

    def __call__(self, doc: Doc) -> Doc:
        """One claim per PERCENT entity; changes and times need all of a doc's readings."""
        doc.spans[self.spans_key] = []
        if not doc.has_annotation("DEP"):  # the slots are read off the parse (a pipeline with
            return doc                     # a senter and no parser crashed spaCy's tree walks)
        readings = [read(ent, self.cues) for ent in doc.ents if ent.label_ == "PERCENT"]
        if not readings:  # every later step only fills the readings' slots
            return doc
        owners = {t.i: ent for ent in doc.ents if ent.label_ in self.subject_labels for t in ent}
        percent_tokens = {t.i: r.ent for r in readings for t in r.ent}
        numeric = {t.i for e in doc.ents if e.label_ in NUMERIC_LABELS for t in e}
        for reading in readings:
            attach(reading, self.cues, percent_tokens, numeric)
            subject_and_metric(doc, reading, self.cues, owners, numeric)
        discourse = build_discourse(doc, owners, self.cues)
        fill_context_subjects(readings, discourse)
        fill_changes(readings, self.cues)
        fill_metrics(doc, readings, owners, discourse, self.cues)
        fill_times(doc, readings, self.cues, discourse.paragraph)
        for reading in readings:
            if reading.fields.get("value") is None:  # "I0%": no number to state a claim about
                continue
            add_claim(doc, self.spans_key, reading.ent, self.claim_type, reading.fields,
                      rule=reading.rule, score=reading.score)
        return doc


@Language.factory(
    "newsclaims_percentages",
    assigns=["doc.spans"],
    requires=["doc.ents", "token.dep"],
    default_config={
        "spans_key": "percentages",
        "subject_labels": ["ORG", "PERSON", "GPE"],
        "claim_type": "percentage",
    },
)
def make_percentages(nlp: Language, name: str, *, spans_key: str, subject_labels: list[str],
                     claim_type: str) -> Percentages:
    """Build the percentage stage; the cue lexicon arrives through ``initialize``."""
    return Percentages(nlp, name, spans_key=spans_key, subject_labels=subject_labels,
                       claim_type=claim_type)
