"""Stage ``newsclaims_page_furniture``: find lines that are page furniture, not article text.

"Advertisement", "Reading Time:2 minutes", newsletter prompts... are kept in the text (offsets
never move) but recorded as spans in ``doc.spans[spans_key]``; the cleanup stage drops any entity
there. The line patterns are data: regex records in ``models/lexicons/page_furniture.json``.
"""


import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from .claim_spans import doc_text

LINE = re.compile(r"[^\n]+")


class PageFurniture:
    """Tag whole lines that fully match one of the furniture patterns."""

    def __init__(self, name: str = "newsclaims_page_furniture", *, spans_key: str = "furniture",
                 max_line_chars: int = 120) -> None:
        self.name = name
        self.spans_key = spans_key
        self.max_line_chars = max_line_chars
        self.records: list[dict[str, Any]] = []
        self._compiled: list[tuple[str, re.Pattern[str]]] = []

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, records: list[dict[str, Any]] | None = None) -> None:
        """Load the furniture pattern records ({"id", "pattern"})."""
        self.set_records(records or [])

    def set_records(self, records: list[dict[str, Any]]) -> None:
        self.records = list(records)
        self._compiled = [(r["id"], re.compile(r["pattern"])) for r in self.records]

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Character ranges (start, end, rule id) of furniture lines in ``text``."""
        found = []
        for line in LINE.finditer(text):
            stripped = line.group().strip()
            if not stripped or len(stripped) > self.max_line_chars:
                continue
            for rule_id, pattern in self._compiled:
                if pattern.fullmatch(stripped):
                    start = line.start() + line.group().index(stripped)
                    found.append((start, start + len(stripped), rule_id))
                    break
        return found

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for start, end, rule_id in self.find(doc_text(doc)):
            span = doc.char_span(start, end, label="FURNITURE", alignment_mode="expand")
            if span is not None:
                spans.append(Span(doc, span.start, span.end, label="FURNITURE", span_id=rule_id))
        doc.spans[self.spans_key] = spans
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "records.json", self.records)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "PageFurniture":
        self.set_records(srsly.read_json(ensure_path(path) / "records.json"))
        return self


@Language.factory(
    "newsclaims_page_furniture",
    assigns=["doc.spans"],
    requires=[],
    default_config={"spans_key": "furniture", "max_line_chars": 120},
)
def make_page_furniture(nlp: Language, name: str, *, spans_key: str,
                        max_line_chars: int) -> "PageFurniture":
    """Build the page-furniture stage; patterns arrive through ``initialize``."""
    return PageFurniture(name, spans_key=spans_key, max_line_chars=max_line_chars)
