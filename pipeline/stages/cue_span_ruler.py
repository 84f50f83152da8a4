"""Stage ``newsclaims_cue_span_ruler``: spaCy's SpanRuler, its token patterns run only near the
words every match must hold (``cue_windows``), same spans.

The percentage patterns all end in an anchor word (``%``, ``percent``, ``cent``, ``point``) and
are at most 8 tokens long, so the Matcher reads a few tokens around each of those words instead
of the whole Doc. SpanRuler keeps a set of the matches, so windows give the same spans. When any
token pattern has no anchor or no bound, the whole Doc is matched, as by SpanRuler.
"""

import warnings
from typing import Any

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import DEFAULT_SPANS_KEY
from spacy.tokens import Doc, Span

from .cue_windows import CueWindows


class CueSpanRuler(SpanRuler):
    """A SpanRuler whose Matcher reads only the windows ``CueWindows`` finds."""

    _cue_windows: CueWindows | None = None

    def _token_patterns(self) -> list[Any]:
        return [p["pattern"] for p in self._patterns if not isinstance(p["pattern"], str)]

    def _windows(self, doc: Doc) -> list[tuple[int, int]] | None:
        if self._cue_windows is None:
            self._cue_windows = CueWindows(self._token_patterns())
        return self._cue_windows.windows(doc)

    def add_patterns(self, patterns: list[dict[str, Any]]) -> None:
        self._cue_windows = None
        super().add_patterns(patterns)

    def remove(self, label: str) -> None:
        self._cue_windows = None
        super().remove(label)

    def remove_by_id(self, pattern_id: str) -> None:
        self._cue_windows = None
        super().remove_by_id(pattern_id)

    def clear(self) -> None:
        self._cue_windows = None
        super().clear()

    def match(self, doc: Doc) -> list[Span]:
        windows = self._windows(doc)
        if windows is None:
            return super().match(doc)
        self._require_patterns()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")  # as SpanRuler.match
            matches = list(self.phrase_matcher(doc))
            for start, end in windows:
                matches.extend((key, first + start, last + start)
                               for key, first, last in self.matcher(doc[start:end]))
        return sorted({Span(doc, start, end, label=self._match_label_id_map[key]["label"],
                            span_id=self._match_label_id_map[key]["id"])
                       for key, start, end in matches if start != end})


@Language.factory(
    "newsclaims_cue_span_ruler",
    assigns=["doc.spans"],
    default_config={
        "spans_key": DEFAULT_SPANS_KEY,
        "spans_filter": None,
        "annotate_ents": False,
        "ents_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
        "phrase_matcher_attr": None,
        "matcher_fuzzy_compare": {"@misc": "spacy.levenshtein_compare.v1"},
        "validate": False,
        "overwrite": True,
        "scorer": {"@scorers": "spacy.overlapping_labeled_spans_scorer.v1",
                   "spans_key": DEFAULT_SPANS_KEY},
    },
)
def make_cue_span_ruler(nlp: Language, name: str, *, spans_key: str | None, spans_filter: Any,
                        annotate_ents: bool, ents_filter: Any, phrase_matcher_attr: Any,
                        matcher_fuzzy_compare: Any, validate: bool, overwrite: bool,
                        scorer: Any) -> CueSpanRuler:
    """Build the windowed SpanRuler; settings and patterns as for spaCy's ``span_ruler``."""
    return CueSpanRuler(nlp, name, spans_key=spans_key, spans_filter=spans_filter,
                        annotate_ents=annotate_ents, ents_filter=ents_filter,
                        phrase_matcher_attr=phrase_matcher_attr,
                        matcher_fuzzy_compare=matcher_fuzzy_compare, validate=validate,
                        overwrite=overwrite, scorer=scorer)
