"""What a PERCENT span says by its own words: value, range, qualifier, unit and sign."""

import re
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span, Token

from ..claim_spans import doc_text
from .cues import Cues, norm

NUMBER_TEXT = re.compile(r"^[+\-−–]?\d[\d,]*(?:\.\d+)?$|^[+\-−–]?\.\d+$")


@dataclass
class Reading:
    """What one percentage says and where it hangs in the parse."""

    ent: Span
    value: float | None
    range: list[float] | None
    qualifier: str
    unit: str
    sign: str | None
    role: str | None = None            # "from" / "to" when the percentage is a change's end
    anchor: Token | None = None        # the verb or noun the percentage belongs to
    kind: str = "none"                 # "verb" / "noun" / "none"
    path_direction: str | None = None  # "up"/"down" from words passed on the way ("3% higher")
    proxy: Token | None = None         # what the percentage restates: "half" in "half, or 48%,"
    owner: Span | None = None          # whose figure it is (the claim's subject)
    owner_text: str | None = None      # the owner's name when not as written ("Japanese" -> Japan)
    metric_head: Token | None = None   # the head noun of the measured noun phrase
    part_of: Token | None = None       # the noun after "of" in "10% of its workforce"
    wants_organisation: bool = False   # the clause refers back to one: "its", "the company"
    fields: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    score: float = 0.0


def number(token: Token, cues: Cues) -> float | None:
    """The number a token writes ("12", "3.5", "1,000", "five"), else None."""
    text = token.lower_
    if NUMBER_TEXT.match(text):
        cleaned = text.replace(",", "").replace("−", "-").replace("–", "-")
        try:
            return float(cleaned)
        except ValueError:
            return None
    if text in cues.numbers:
        return cues.numbers[text]
    return None


def read(ent: Span, cues: Cues) -> Reading:
    """Value, range, qualifier, unit and sign from the words of the span."""
    numbers: list[float] = []
    first_num: Token | None = None
    last_num: Token | None = None
    previous_word: str | None = None
    for token in ent:
        value = number(token, cues)
        if value is None:
            if token.text not in {"-", "–"}:
                previous_word = None
            continue
        word = token.lower_
        if numbers and previous_word in cues.tens and word in cues.ones:
            numbers[-1] += value                      # twenty-five, twenty five
        elif numbers and word == "hundred" and previous_word in cues.numbers:
            numbers[-1] *= 100                        # one hundred
        else:
            numbers.append(value)
        first_num = first_num or token
        last_num = token
        previous_word = word
    doc = ent.doc
    if first_num is None or last_num is None:
        return Reading(ent, None, None, cues.default_qualifier, "percent", None)
    prefix = norm(doc_text(doc)[ent.start_char:first_num.idx])
    suffix = norm(doc_text(doc)[last_num.idx + len(last_num):ent.end_char])
    sign = None
    if first_num.text[:1] in cues.signs:
        sign = cues.signs[first_num.text[:1]]
    elif prefix and prefix.split(" ")[-1] in cues.signs:
        sign = cues.signs[prefix.split(" ")[-1]]
        prefix = " ".join(prefix.split(" ")[:-1])
    qualifier = cues.qualifiers.get(prefix, cues.default_qualifier) if prefix else cues.default_qualifier
    unit = cues.units.get(suffix, "percent")
    numbers = [abs(n) for n in numbers]
    low = min(numbers)
    value_range = [low, max(numbers)] if len(numbers) > 1 else None
    return Reading(ent, low, value_range, qualifier, unit, sign)
