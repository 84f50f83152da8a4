"""Stage ``newsclaims_person_cues``: propose person names from the words around them.

Business news introduces people in fixed shapes the small NER model misses: a job title right
before a name ("CFO Li Bo"), or a romanised name followed by the name in Chinese characters
("Liu Yiman (刘一曼)"). Each shape is a Matcher pattern record in ``models/patterns/persons.jsonl``
with ``name_start``/``name_end`` token offsets saying which matched tokens form the name; the
names go to ``doc.spans[spans_key]`` as PERSON candidates for the cleanup stage. The Matcher
reads only the windows around the words every pattern holds (a title, a bracket: ``cue_windows``).
"""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from .cue_windows import CueWindows, windowed_longest


class PersonCues:
    """Match cue patterns and keep the name part of each match."""

    def __init__(self, nlp: Language, name: str = "newsclaims_person_cues", *,
                 spans_key: str = "person_cues") -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.spans_key = spans_key
        self.records: list[dict[str, Any]] = []
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.windows = CueWindows([])

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None,
                   patterns: list[dict[str, Any]] | None = None) -> None:
        """Load pattern records: {"id", "label", "pattern", "name_start", "name_end"}."""
        self.set_records(patterns or [])

    def set_records(self, records: list[dict[str, Any]]) -> None:
        self.records = list(records)
        self.matcher = Matcher(self.vocab, validate=True)
        for record in self.records:
            self.matcher.add(record["id"], [record["pattern"]], greedy="LONGEST")
        self.windows = CueWindows(r["pattern"] for r in self.records)

    def __call__(self, doc: Doc) -> Doc:
        by_id = {r["id"]: r for r in self.records}
        spans = []
        for match_id, start, end in windowed_longest(self.matcher, doc, self.windows.windows(doc)):
            rule_id = self.vocab.strings[match_id]
            record = by_id[rule_id]
            name_start = start + record.get("name_start", 0)
            name_end = end + record.get("name_end", 0)
            if name_start < name_end:
                spans.append(Span(doc, name_start, name_end, label=record.get("label", "PERSON"),
                                  span_id=rule_id))
        doc.spans[self.spans_key] = filter_spans(spans)
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / "patterns.jsonl", self.records)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "PersonCues":
        self.set_records(list(srsly.read_jsonl(ensure_path(path) / "patterns.jsonl")))
        return self


@Language.factory(
    "newsclaims_person_cues",
    assigns=["doc.spans"],
    requires=[],
    default_config={"spans_key": "person_cues"},
)
def make_person_cues(nlp: Language, name: str, *, spans_key: str) -> PersonCues:
    """Build the person-cue stage; patterns arrive through ``initialize``."""
    return PersonCues(nlp, name, spans_key=spans_key)
