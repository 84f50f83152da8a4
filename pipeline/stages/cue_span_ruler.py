"""Stage ``newsclaims_cue_span_ruler``: spaCy's SpanRuler, its token patterns run only near the
words every match must hold, same spans.

A token pattern whose tokens are fixed or optional (no ``+``, ``*`` or ``!``) has a bounded
length, and a token without an operator whose words are listed (``LOWER``/``ORTH``/``TEXT`` a
string or ``{"IN": [...]}``) is in every match: its *anchor* (the last such token). The percentage
patterns all end in one (``%``, ``percent``, ``cent``, ``point``), and the Matcher's cost is per
token of what it reads, so the Matcher runs on windows around the anchor words only (merged
where they overlap), each as wide as the patterns reach from their anchors. SpanRuler keeps a
set of the matches, so windows give the same spans as the whole Doc. When any token pattern has
no anchor or no bound, the whole Doc is matched, as by SpanRuler.
"""

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import DEFAULT_SPANS_KEY
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

ATTRS = {"LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH}
Anchor = tuple[int, int, str, frozenset[str]]  # tokens before it, tokens after it, attr, words


def _words(value: Any) -> frozenset[str] | None:
    """The words an attribute condition allows (a string or ``{"IN": [...]}``), else None."""
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
        return frozenset(v for v in value["IN"] if isinstance(v, str))
    return None


def pattern_anchor(pattern: Any) -> Anchor | None:
    """The last token of a bounded token pattern that every match holds and whose words are
    listed, with how many pattern tokens come before and after it; None if there is none."""
    if not isinstance(pattern, list) or any(
            not isinstance(spec, dict) or spec.get("OP") not in (None, "?") for spec in pattern):
        return None
    for position in range(len(pattern) - 1, -1, -1):
        spec = pattern[position]
        if spec.get("OP") is not None:
            continue
        for attr in ATTRS:
            words = _words(spec.get(attr))
            if words is not None:
                return position, len(pattern) - position - 1, attr, words
    return None


class CueWindows:
    """The anchors of a pattern list: where in a Doc its matches can be."""

    def __init__(self, patterns: Iterable[Any]) -> None:
        anchors = [pattern_anchor(p) for p in patterns]
        self.whole_doc = not anchors or None in anchors
        found = [a for a in anchors if a is not None]
        self.before = max((a[0] for a in found), default=0)
        self.after = max((a[1] for a in found), default=0)
        words: dict[int, set[str]] = {}
        for _, _, attr, listed in found:
            words.setdefault(ATTRS[attr], set()).update(listed)
        self.hashes = {attr: np.array(sorted(get_string_id(w) for w in listed), dtype=np.uint64)
                       for attr, listed in words.items()}

    def windows(self, doc: Doc) -> list[tuple[int, int]] | None:
        """Disjoint token windows, in order, holding every match (None: match the whole Doc)."""
        if self.whole_doc:
            return None
        attrs = sorted(self.hashes)
        values = doc.to_array(attrs).reshape(len(doc), len(attrs))
        hits = np.zeros(len(doc), dtype=bool)
        for column, attr in enumerate(attrs):
            hits |= np.isin(values[:, column], self.hashes[attr])
        windows: list[tuple[int, int]] = []
        for i in np.flatnonzero(hits).tolist():
            start, end = max(0, i - self.before), min(len(doc), i + self.after + 1)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return windows


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
