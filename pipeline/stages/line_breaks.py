"""Stage ``newsclaims_line_breaks``: a line break in news text always ends a sentence.

Headlines, bullet points and page furniture sit on lines of their own; the parser would
otherwise glue them to the next sentence. Runs before the parser, which keeps preset starts.
"""


from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc


class LineBreakSentencizer:
    """Mark the first token after a line break as a sentence start."""

    def __init__(self, name: str = "newsclaims_line_breaks") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        # One array write, not ``token.is_sent_start = True`` per token: that setter scans the
        # Doc for a parse each time, which made this stage quadratic in the number of lines.
        starts = doc.to_array([SENT_START])
        after_break = False
        for token in doc:
            if token.is_space:
                after_break = after_break or "\n" in token.text
                continue
            if after_break and token.i > 0:
                starts[token.i] = 1
            after_break = "\n" in token.whitespace_
        doc.from_array([SENT_START], starts)
        return doc


@Language.factory(
    "newsclaims_line_breaks",
    assigns=["token.is_sent_start"],
    requires=[],
    default_config={},
)
def make_line_breaks(nlp: Language, name: str) -> LineBreakSentencizer:
    """Build the line-break sentence-start stage."""
    return LineBreakSentencizer(name)
