"""Where a percentage hangs in the parse (its verb or noun), and the direction of change words."""

from spacy.tokens import Span, Token

from .cues import Cues
from .parse import MAX_CLIMB, NOUN_POS, SUBJECT_DEPS, VERB_POS, is_amount
from .reading import Reading


def is_change_word(token: Token, cues: Cues) -> bool:
    """A word of change ("increase", "drop", "change"), whatever its direction."""
    return token.lemma_.lower() in cues.directions or token.lower_ in cues.directions


def direction(token: Token, cues: Cues) -> str | None:
    """The direction ("up"/"down") of a word of increase or decrease, else None."""
    for word in (token.lemma_.lower(), token.lower_):
        if word in cues.directions:
            return cues.directions[word]
    return None


def verb_direction(verb: Token, cues: Cues) -> str | None:
    """A verb's direction, or its particle's for neutral verbs ("went up", "edged down")."""
    particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
    for particle in particles:
        phrase = f"{verb.lemma_.lower()} {particle}"
        if phrase in cues.phrasal:
            return cues.phrasal[phrase]             # "gave up 6%"
    found = direction(verb, cues)
    if found is not None:
        return found
    for child in verb.children:
        if child.dep_ in {"prt", "advmod", "acomp"}:
            found = direction(child, cues)
            if found is not None:
                return found
    return None


def anchor_direction(reading: Reading, cues: Cues) -> str | None:
    """The direction of the verb or noun the percentage belongs to."""
    if reading.anchor is None:
        return None
    if reading.kind == "verb":
        return verb_direction(reading.anchor, cues)
    return direction(reading.anchor, cues)


def climb(reading: Reading, cues: Cues, percent_tokens: dict[int, Span],
          numeric: set[int]) -> tuple[Token, str | None]:
    """Climb from the percentage through "of"/"from"/"to" phrases, restated amounts and level
    nouns to the token that takes its place in the clause; also its from/to role."""
    token = reading.ent.root
    role: str | None = None
    for _ in range(MAX_CLIMB * 2):
        if token.dep_ == "conj" and token.head.i in percent_tokens:
            token = percent_tokens[token.head.i].root      # "5% and 7%": share the first's place
            continue
        head = token.head
        if head.i != token.i and (token.dep_ == "appos" or (
                token.dep_ == "conj" and is_amount(head, numeric))):
            token = reading.proxy = head                   # "23 points, or 0.1%"; "£106m or 47%"
            continue
        if token.dep_ == "pobj" and head.pos_ == "ADP" and head.head.lower_ in cues.levels \
                and head.head.i != head.i:
            token = reading.proxy = head.head              # "a seven-year low of 5.3%"
            continue
        if token.dep_ == "pobj" and head.pos_ == "ADP" and head.i != token.i:
            word = head.lower_
            if head.head.lower_ in cues.baseline_verbs and head.head.i != head.i:
                role = role or "from"               # "compared with 7.5% a year earlier"
                token = head.head
                continue
            if role is None and word in cues.from_words:
                role = "from"
            elif role is None and word in cues.to_words:
                role = "to"
            if head.head.i in percent_tokens and head.head.i != head.i:
                token = percent_tokens[head.head.i].root   # "from 10% to 12%": "to" hangs on 10%
                continue
            token = head
            continue
        break
    return token, role


def attach(reading: Reading, cues: Cues, percent_tokens: dict[int, Span], numeric: set[int]) -> None:
    """Follow the percentage up to its verb or noun, noting a from/to role and direction."""
    token, reading.role = climb(reading, cues, percent_tokens, numeric)
    head = token.head
    if head.i == token.i:
        return
    for _ in range(MAX_CLIMB):
        found = direction(head, cues)
        if head.pos_ in VERB_POS or (head.pos_ in NOUN_POS and head.i not in numeric):
            break
        if any(c.dep_ in SUBJECT_DEPS for c in head.children):
            reading.path_direction = reading.path_direction or found
            break                                   # a verbless clause: "with prices up 3%"
        if found is not None and reading.path_direction is None:
            reading.path_direction = found
        if head.dep_ == "ROOT" or head.head.i == head.i:
            break
        head = head.head
    if head.pos_ in VERB_POS or any(c.dep_ in SUBJECT_DEPS for c in head.children):
        reading.kind, reading.anchor = "verb", head
    elif head.pos_ in NOUN_POS and head.i not in numeric:
        reading.kind, reading.anchor = "noun", head
