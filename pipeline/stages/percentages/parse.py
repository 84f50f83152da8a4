"""Dependency-parse vocabulary and walks shared by the percentage steps."""

from spacy.tokens import Token

VERB_POS = {"VERB", "AUX"}
NOUN_POS = {"NOUN", "PROPN"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
OBJECT_DEPS = {"dobj"}
TIME_LABELS = {"DATE", "TIME"}
# A percentage that hangs on an amount ("$5bn (up 12%)") belongs to what governs the amount.
NUMERIC_LABELS = {"PERCENT", "MONEY", "CARDINAL", "QUANTITY"}
RELATIVE_PRONOUNS = {"which", "that", "who", "whom"}
# Dependencies through which a clause without its own subject shares its head's subject.
SHARED_SUBJECT_DEPS = {"conj", "xcomp", "advcl"}
MAX_CLIMB = 4


def is_amount(token: Token, numeric: set[int]) -> bool:
    """An amount, not a measured thing: "140 basis points", "a fifth", "$5bn"."""
    return token.i in numeric or token.like_num or any(
        c.dep_ == "nummod" and c.like_num for c in token.children)


def governing_verb(token: Token) -> Token | None:
    """The nearest verb above ``token``, if any."""
    current = token
    for _ in range(MAX_CLIMB * 2):
        if current.head.i == current.i:
            return current if current.pos_ in VERB_POS else None
        current = current.head
        if current.pos_ in VERB_POS:
            return current
    return None


def verb_subject(verb: Token) -> tuple[Token | None, Token | None]:
    """The verb's subject (through "and", "to" and participle clauses) or, for a relative
    clause, the noun it describes (second item)."""
    current = verb
    for _ in range(MAX_CLIMB):
        subjects = [c for c in current.children if c.dep_ in SUBJECT_DEPS]
        if current.dep_ in {"relcl", "acl"} and current.head.pos_ in NOUN_POS and (
                not subjects or subjects[0].lower_ in RELATIVE_PRONOUNS):
            return None, current.head
        if subjects:
            return subjects[0], None
        if current.dep_ == "pcomp" and current.head.pos_ == "ADP":
            current = current.head                  # "after slumping 0.9%"
        elif current.dep_ not in SHARED_SUBJECT_DEPS or current.head.i == current.i:
            return None, None
        current = current.head
    return None, None
