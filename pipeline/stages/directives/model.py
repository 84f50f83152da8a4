"""What the directive steps pass along: the cue lexicon and a candidate directive clause."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span, Token


@dataclass(frozen=True)
class Lexicon:
    """Read-only view of ``directive_cues.json``; every step takes it explicitly, so a test can
    hand a step a small lexicon of its own."""

    data: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """A top-level section of the lexicon, ``default`` when absent."""
        return self.data.get(key, default)

    def words(self, *keys: str) -> set[str]:
        """The word list at ``keys`` (e.g. ``"exclusions", "past_markers"``) as a set; empty if absent."""
        node: Any = self.data
        for key in keys:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        return set(node) if isinstance(node, list) else set()


@dataclass
class Candidate:
    """A clause that states a directive, before its actor is decided."""

    anchor: Token
    kind: str  # action | suggestion | necessity | nominal | noun | enumeration
    action: str
    rule: str
    agentive: bool
    tokens: list[Token] = field(default_factory=list)
    intro: Span | None = None  # for enumeration items: the sentence part before the colon
    noun: Token | None = None  # for nominal directives: the directive noun ("takeover")
