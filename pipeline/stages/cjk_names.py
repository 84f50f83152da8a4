"""Stage ``newsclaims_cjk_names``: find names written in Chinese characters beside a romanised name.

News about Chinese companies gives names twice: "Trudy Shan Dai (戴珊)". This stage only proposes
the CJK run as a ``CJK_NAME`` candidate in ``doc.spans[spans_key]``; the cleanup stage gives it
the label of the entity it stands beside, or drops it when it stands beside none.
"""


import re

from spacy.language import Language
from spacy.tokens import Doc

from .claim_spans import doc_text

# CJK unified ideographs (+ extension A and compatibility) and the middle dots used in names.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·・]*")


class CJKNameCandidates:
    """Propose short runs of CJK characters in brackets as name candidates."""

    def __init__(self, name: str = "newsclaims_cjk_names", *, spans_key: str = "cjk_names",
                 min_chars: int = 2, max_chars: int = 8) -> None:
        self.name = name
        self.spans_key = spans_key
        self.min_chars = min_chars
        self.max_chars = max_chars

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in CJK_RUN.finditer(doc_text(doc)):
            if not self.min_chars <= len(match.group()) <= self.max_chars:
                continue
            span = doc.char_span(match.start(), match.end(), label="CJK_NAME")
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "newsclaims_cjk_names",
    assigns=["doc.spans"],
    requires=[],
    default_config={"spans_key": "cjk_names", "min_chars": 2, "max_chars": 8},
)
def make_cjk_names(nlp: Language, name: str, *, spans_key: str, min_chars: int,
                   max_chars: int) -> CJKNameCandidates:
    """Build the CJK-name candidate stage."""
    return CJKNameCandidates(name, spans_key=spans_key, min_chars=min_chars, max_chars=max_chars)
