"""Where in a Doc a list of Matcher patterns can match: windows around their anchor words.

A token without an operator whose words are listed (``LOWER``/``ORTH``/``TEXT`` a string or
``{"IN": [...]}``) is in every match of its pattern: the pattern's *anchor* (its last such
token). When every token of the pattern has a bound on its repetitions (fixed, optional,
``{n,m}``, or ``+``/``*`` over a word list or entity type, bounded by the longest run of such
tokens in the Doc, as ``roles.windows`` reads them), a match lies within that many tokens before
and after an anchor word. The Matcher's cost is per token it reads, so the stages that use this
run it only on these windows (merged where they overlap, with a margin) and get the matches of
the whole Doc. A pattern with no anchor or no bound makes ``windows`` return None: match the
whole Doc.
"""

from collections.abc import Iterable
from typing import Any

import numpy as np
from spacy.attrs import LOWER, ORTH
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .roles.windows import Compiled, _values, compile_pattern, run_lengths

ATTRS = {"LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH}
MARGIN = 1  # tokens beyond the reach on each side
Anchor = tuple[int, str, frozenset[str]]  # position in the pattern, attribute, words


def pattern_anchor(pattern: Any) -> Anchor | None:
    """The last token of a bounded token pattern that every match holds and whose words are
    listed; None if there is none or the pattern's length has no bound."""
    if not isinstance(pattern, list) or not all(isinstance(s, dict) for s in pattern) \
            or compile_pattern(pattern) is None:
        return None
    for position in range(len(pattern) - 1, -1, -1):
        spec = pattern[position]
        if spec.get("OP") is not None:
            continue
        for attr in ATTRS:
            words = _values(spec.get(attr))
            if words:
                return position, attr, frozenset(words)
    return None


def _reach(items: Compiled, runs: dict[Any, int]) -> int:
    """How many tokens these pattern tokens can cover, given the Doc's run lengths."""
    return sum(item if isinstance(item, int) else min(runs[c] for c in item) for item in items)


class CueWindows:
    """The anchors of a pattern list and how far its matches reach from them."""

    def __init__(self, patterns: Iterable[Any]) -> None:
        patterns = list(patterns)
        anchors = [pattern_anchor(p) for p in patterns]
        self.whole_doc = not anchors or None in anchors
        self.sides: list[tuple[Compiled, Compiled]] = []
        words: dict[int, set[str]] = {}
        if not self.whole_doc:
            for pattern, (position, attr, listed) in zip(patterns, anchors, strict=True):
                compiled = compile_pattern(pattern)
                assert compiled is not None
                self.sides.append((compiled[:position], compiled[position + 1:]))
                words.setdefault(ATTRS[attr], set()).update(listed)
        self.hashes = {attr: np.array(sorted(get_string_id(w) for w in listed), dtype=np.uint64)
                       for attr, listed in words.items()}
        self.conditions = sorted({c for side in self.sides for items in side for item in items
                                  if not isinstance(item, int) for c in item})

    def reach(self, doc: Doc) -> tuple[int, int]:
        """The most tokens a match can have before and after its anchor in ``doc``."""
        runs = dict(zip(self.conditions, run_lengths(doc, set(), self.conditions), strict=True)) \
            if self.conditions else {}
        return (max((_reach(before, runs) for before, _ in self.sides), default=0),
                max((_reach(after, runs) for _, after in self.sides), default=0))

    def windows(self, doc: Doc) -> list[tuple[int, int]] | None:
        """Disjoint token windows, in order, holding every match (None: match the whole Doc)."""
        if self.whole_doc:
            return None
        attrs = sorted(self.hashes)
        values = doc.to_array(attrs).reshape(len(doc), len(attrs))
        hits = np.zeros(len(doc), dtype=bool)
        for column, attr in enumerate(attrs):
            hits |= np.isin(values[:, column], self.hashes[attr])
        found = np.flatnonzero(hits).tolist()
        if not found:
            return []
        before, after = self.reach(doc)
        windows: list[tuple[int, int]] = []
        for i in found:
            start = max(0, i - before - MARGIN)
            end = min(len(doc), i + after + 1 + MARGIN)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return windows


def windowed_longest(matcher: Matcher, doc: Doc, windows: list[tuple[int, int]] | None
                     ) -> list[tuple[int, int, int]]:
    """``matcher(doc)`` for a Matcher whose keys all use ``greedy="LONGEST"``, read from the
    ``windows`` only (the whole Doc when None), in the Matcher's order for the whole Doc."""
    from .roles.windows import windowed_matches

    return [(key, start, end) for key, start, end, _ in windowed_matches(matcher, doc, windows)]
