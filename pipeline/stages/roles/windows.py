"""The role Matcher run only on the stretches of a Doc that can hold a match, same result.

Every role pattern has a token that must carry a title or role-verb tag (``"_": {"role_title":
{"NOT_IN": [""]}}``), so every match covers a tagged token. A pattern's match is at most
``pattern_bound`` tokens long: fixed tokens count their repetitions, and a ``+``/``*`` token
repeats at most over the longest run of tokens that meet one of its necessary conditions (one
entity type, a tag, a word list) in this Doc. A match holds a token of its pattern's first
required tag token, so it starts at most the bound of the pattern up to that token before a
tagged token and ends at most the bound from it on after one. The Matcher then runs on windows
that far before and after the tagged tokens (plus a margin), merged where they come near; matches in
different windows never overlap, so the longest-match filter keeps the same matches, and
``windowed_matches`` puts them in the order the Matcher gives for the whole Doc (keys in order
of first appearance, each key's matches longest first, then by start). On news text the windows
cover a small part of the Doc: the Matcher's cost per token was most of the role stage's time.
A pattern with a repeat the bound cannot read makes ``match_windows`` return None: the whole
Doc is matched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from spacy.attrs import ENT_TYPE, LOWER, ORTH
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc

MatchTuple = tuple[int, int, int, list[int]]
MARGIN = 2  # tokens beyond the bound on each side, so no match ends at a window's edge
TAGS = ("role_title", "role_verb")


Condition = tuple[str, frozenset[str]]  # (token attribute or "tagged", allowed values)
ATTRS = {"ENT_TYPE": ENT_TYPE, "LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH}


def longest_run(flags: np.ndarray) -> int:
    """The length of the longest run of True in a boolean array."""
    if not flags.any():
        return 0
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())


def _values(value: Any) -> frozenset[str] | None:
    """The strings an attribute condition allows (a string or ``{"IN": [...]}``), else None."""
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, dict) and set(value) == {"IN"}:
        return frozenset(value["IN"])
    return None


def conditions(spec: dict[str, Any]) -> list[Condition]:
    """The conditions of a pattern token that each bound how far it can repeat: a tag, one
    entity type or a word list."""
    found: list[Condition] = []
    extension = spec.get("_", {})
    if any(extension.get(tag) == {"NOT_IN": [""]} for tag in TAGS):
        found.append(("tagged", frozenset()))
    for attr in ATTRS:
        values = _values(spec.get(attr))
        if values is not None:
            found.append((attr, values))
    return found


Compiled = list[int | list[Condition]]  # per pattern token: a fixed count, or repeat conditions


def compile_pattern(pattern: list[dict[str, Any]]) -> Compiled | None:
    """Each token's most repetitions: a number, or the conditions whose longest run bounds it;
    None when a repeat has no such condition (the pattern's matches have no bound)."""
    compiled: Compiled = []
    for spec in pattern:
        op = spec.get("OP")
        if op in (None, "?", "!"):
            compiled.append(1)
            continue
        counted = isinstance(op, str) and op.startswith("{") and op.endswith("}")
        low, comma, high = op[1:-1].partition(",") if counted else ("", "", "")
        if counted and not comma:
            compiled.append(int(low))           # {n}
            continue
        if counted and high.strip():
            compiled.append(int(high))          # {n,m}, {,m}
            continue
        if op not in ("+", "*") and not counted:
            return None
        found = conditions(spec)
        if not found:
            return None
        compiled.append(found)
    return compiled


def run_lengths(doc: Doc, tagged: set[int], conditions: list[Condition]) -> list[int]:
    """The longest run of consecutive tokens meeting each condition, read from arrays."""
    arrays: dict[int, np.ndarray] = {}
    runs = []
    for kind, values in conditions:
        if kind == "tagged":
            flags = np.zeros(len(doc), dtype=bool)
            flags[list(tagged)] = True
        else:
            attr = ATTRS[kind]
            if attr not in arrays:
                arrays[attr] = doc.to_array(attr)
            flags = np.isin(arrays[attr], np.array([get_string_id(v) for v in values],
                                                   dtype=np.uint64))
        runs.append(longest_run(flags))
    return runs


class PatternBounds:
    """The role patterns compiled once for ``reach``: per pattern, the tokens up to and
    including its first required tag token, and the tokens from that one on."""

    def __init__(self, compiled: list[tuple[Compiled, int]]) -> None:
        index: dict[Condition, int] = {}

        def part(items: Compiled) -> tuple[int, list[list[int]]]:
            fixed, groups = 0, []
            for item in items:
                if isinstance(item, int):
                    fixed += item
                else:
                    groups.append([index.setdefault(c, len(index)) for c in item])
            return fixed, groups

        self.sides = [(part(pattern[:tag + 1]), part(pattern[tag:])) for pattern, tag in compiled]
        self.conditions: list[Condition] = sorted(index, key=index.__getitem__)

    def reach(self, doc: Doc, tagged: set[int]) -> tuple[int, int]:
        """How far before and after a tagged token any pattern's match can reach in ``doc``."""
        runs = run_lengths(doc, tagged, self.conditions)

        def cover(part: tuple[int, list[list[int]]]) -> int:
            return part[0] + sum(min(runs[c] for c in group) for group in part[1])

        return (max((cover(before) for before, _ in self.sides), default=0),
                max((cover(after) for _, after in self.sides), default=0))


def required_tag(pattern: list[dict[str, Any]]) -> int | None:
    """The position of the first token of ``pattern`` that every match holds and that must
    carry a title or role-verb tag (None: a match needs no tag)."""
    for position, spec in enumerate(pattern):
        if spec.get("OP") in (None, "+") and any(
                spec.get("_", {}).get(tag) == {"NOT_IN": [""]} for tag in TAGS):
            return position
    return None


def requires_tag(pattern: list[dict[str, Any]]) -> bool:
    """Whether every match of ``pattern`` covers a token with a title or role-verb tag."""
    return required_tag(pattern) is not None


_COMPILED: dict[int, tuple[list[list[dict[str, Any]]], PatternBounds | None]] = {}


def compiled_patterns(patterns: list[list[dict[str, Any]]]) -> PatternBounds | None:
    """The ``PatternBounds`` of a pattern list, built once per list; None when any pattern can
    match without a tag or has no bound."""
    cached = _COMPILED.get(id(patterns))
    if cached is None or cached[0] is not patterns:
        compiled = [(compile_pattern(p), required_tag(p)) for p in patterns]
        bounds = None if any(c is None or t is None for c, t in compiled) \
            else PatternBounds(compiled)  # type: ignore[arg-type]
        cached = _COMPILED[id(patterns)] = (patterns, bounds)
    return cached[1]


def match_windows(doc: Doc, tagged: set[int], patterns: list[list[dict[str, Any]]]
                  ) -> list[tuple[int, int]] | None:
    """Disjoint token windows, in order, that hold every match of ``patterns`` (all of them
    requiring a tag), given a superset ``tagged`` of the tagged tokens; None: match the Doc.
    A match holds a token of its pattern's first required tag token, so it starts at most
    ``before`` tokens before that token and ends at most ``after`` tokens from it."""
    bounds = compiled_patterns(patterns)
    if bounds is None or not tagged:
        return None
    before, after = bounds.reach(doc, tagged)
    windows: list[tuple[int, int]] = []
    for i in sorted(tagged):
        start, end = max(0, i - before - MARGIN), min(len(doc), i + after + MARGIN)
        if windows and start <= windows[-1][1] + MARGIN:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def windowed_matches(matcher: Matcher, doc: Doc, windows: list[tuple[int, int]] | None
                     ) -> list[MatchTuple]:
    """``matcher(doc, with_alignments=True)`` for a Matcher whose keys all use
    ``greedy="LONGEST"``, read from the ``windows`` only (the whole Doc when None)."""
    if windows is None or windows == [(0, len(doc))]:
        return list(matcher(doc, with_alignments=True))
    order: list[int] = []
    by_key: dict[int, list[MatchTuple]] = {}
    for start, end in windows:
        for key, first, last, alignment in matcher(doc[start:end], with_alignments=True):
            if key not in by_key:
                order.append(key)
                by_key[key] = []
            by_key[key].append((key, first + start, last + start, alignment))
    result: list[MatchTuple] = []
    for key in order:
        result.extend(sorted(by_key[key], key=lambda m: (m[2] - m[1], -m[1]), reverse=True))
    return result
