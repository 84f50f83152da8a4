"""Stage ``newsclaims_line_breaks``: a line break in news text always ends a sentence.

Headlines, bullet points and page furniture sit on lines of their own; the parser would
otherwise glue them to the next sentence. Runs before the parser, which keeps preset starts.
"""


from spacy.attrs import IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .doc_index import texts


class LineBreakSentencizer:
    """Mark the first token after a line break as a sentence start."""

    def __init__(self, name: str = "newsclaims_line_breaks") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        # One array write, not ``token.is_sent_start = True`` per token: that setter scans the
        # Doc for a parse each time, which made this stage quadratic in the number of lines.
        # Words and space flags from arrays, not a Token per token; a token's trailing
        # whitespace is " " or nothing (other whitespace is a token of its own), so only space
        # tokens hold line breaks.
        starts = doc.to_array([SENT_START])
        after_break = False
        for i, (word, space) in enumerate(zip(texts(doc), doc.to_array(IS_SPACE).tolist(),
                                              strict=True)):
            if space:
                after_break = after_break or "\n" in word
                continue
            if after_break and i > 0:
                starts[i] = 1
            after_break = False
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
