"""Parse utilities the directive steps share: clause heads, entity look-ups, the headline."""

from collections import Counter

from spacy.tokens import Doc, Span, Token

TERMINAL = (".", "!", "?", "”", "\"", "’", "'", ")", ":")


def headline(doc: Doc) -> tuple[int, int] | None:
    """The first article line when it has no sentence-final punctuation: a headline."""
    furniture = [(s.start_char, s.end_char) for s in doc.spans.get("furniture", [])]
    offset = 0
    for line in doc.text.split("\n"):
        start, stripped = offset, line.strip()
        offset += len(line) + 1
        if not stripped or any(fs <= start + line.index(stripped) < fe for fs, fe in furniture):
            continue
        if stripped.endswith(TERMINAL):
            return None
        begin = start + line.index(stripped)
        return begin, begin + len(stripped)
    return None


def clause_head(verb: Token) -> Token:
    """For a coordinated verb without its own subject, the verb it is coordinated with."""
    node = verb
    while node.dep_ == "conj" and not any(c.dep_ == "nsubj" for c in node.children):
        node = node.head
    return node


def entity_at(doc: Doc, token: Token) -> Span | None:
    """The entity that covers ``token``, if any."""
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def last_entity(doc: Doc, before: int, label: str) -> Span | None:
    """The last entity with ``label`` that ends before token ``before``: a pronoun's referent."""
    found = None
    for ent in doc.ents:
        if ent.end <= before and ent.label_ == label:
            found = ent
    return found


def main_org(doc: Doc) -> Span | None:
    """The organisation the document mentions most (first mention as the representative)."""
    counts: Counter[str] = Counter()
    first: dict[str, Span] = {}
    for ent in doc.ents:
        if ent.label_ == "ORG":
            key = ent.id_ or ent.text
            counts[key] += 1
            first.setdefault(key, ent)
    if not counts:
        return None
    return first[counts.most_common(1)[0][0]]


def in_brackets(doc: Doc, ent: Span) -> bool:
    """True when ``ent`` sits inside an open bracket of its sentence."""
    depth = 0
    for token in doc[ent.sent.start:ent.start]:
        if token.text in {"(", "（", "["}:
            depth += 1
        elif token.text in {")", "）", "]"} and depth:
            depth -= 1
    return depth > 0


def in_apposition(ent: Span) -> bool:
    """True inside an appositive description ("Dai, head of Alibaba's unit"): not a target."""
    return any(t.dep_ == "appos" for token in ent for t in [token, *token.ancestors]
               if t.i < ent.start or t.i >= ent.end)
