"""Step "fill slots": the person, the organisation and the role of a matched title phrase.

The organisation comes from the pattern, else from the title phrase itself (the name before the title,
"of/at/with ORG" after it, even where the model tagged it PERSON or missed it), else from the text
(``context_org``: the nearest organisation in the sentence or before it). Person spans are repaired where
the model cut a name ("Jan van der Berg") and lists of names sharing one title are read whole.
"""

from bisect import bisect_left
from dataclasses import replace
from typing import Any

from spacy.tokens import Doc, Span

from .model import (
    CLOSE_BRACKETS,
    HYPHENS,
    NAME_PARTICLES,
    OPEN_BRACKETS,
    PHRASE_ORG_PREPS,
    PLACES,
    POSSESSIVES,
    Title,
)


def owned_org(doc: Doc, org: Span, ents: dict[int, Span]) -> Span:
    """The organisation after a possessive one: "CEO of Alibaba's rival JD.com" is JD.com."""
    i = org.end
    if i >= len(doc) or doc[i].lower_ not in POSSESSIVES:
        return org
    for j in range(i + 1, min(i + 8, len(doc))):
        ent = ents.get(j)
        if ent is not None:
            return ent if ent.label_ == "ORG" and ent.start == j else org
        if not doc[j].is_alpha or doc[j]._.role_title:
            return org
    return org


def formal_title(doc: Doc, title: Title) -> bool:
    """A capitalised title inside a sentence ("met President Jane Lee") is a formal style, mostly
    of public office, not a post at the company the text is about."""
    first = doc[title.start]
    return first.is_title and not first.is_sent_start and not doc[title.start - 1].is_punct


def with_particles(doc: Doc, person: Span, ents: dict[int, Span]) -> Span:
    """A name cut before its particle: "Jan van der Berg" tagged "Jan" keeps "van der Berg"."""
    end = person.end
    while end < len(doc) and doc[end].lower_ in NAME_PARTICLES and doc[end].is_lower:
        end += 1
    if end == person.end or end >= len(doc) or not doc[end].is_title or end in ents:
        return person
    while end < len(doc) and doc[end].is_title and doc[end].pos_ == "PROPN" and end not in ents:
        end += 1
    return Span(doc, person.start, end, label="PERSON")


def modifier_org(doc: Doc, title_start: int, ents: dict[int, Span]) -> Span | None:
    """The name right before a title is its organisation ("Norvale chairman", "Norvale's
    chairman"), even where the model tagged it PERSON, PRODUCT, ... or missed it (a capitalised
    proper noun); a place is not ("US chief executive")."""
    j = title_start - 1
    if j >= 0 and doc[j].lower_ in POSSESSIVES:
        j -= 1
    if j < 0:
        return None
    ent = ents.get(j)
    if ent is not None and ent.end == j + 1:
        return ent if ent.label_ == "ORG" else Span(doc, ent.start, ent.end, label="ORG")
    first = j
    while (first >= 0 and first not in ents and doc[first].pos_ == "PROPN"
           and (doc[first].is_title or doc[first].is_upper) and doc[first].ent_type_ not in PLACES):
        first -= 1
    return Span(doc, first + 1, j + 1, label="ORG") if first < j else None


def phrase_org(doc: Doc, i: int, ents: dict[int, Span]) -> Span | None:
    """The organisation a title phrase names after token ``i``: "of/at/with (the) <descriptor>
    ORG", also after a second apposed title ("analyst Jane Lee, director of Acme"); a run of
    capitalised proper nouns there that the model left untagged is the organisation too."""
    if i < len(doc) and doc[i].text == ",":
        j = i + 1
        if j < len(doc) and doc[j].lower_ in {"a", "an", "the"}:
            j += 1
        if j < len(doc) and doc[j]._.role_title:
            while j < len(doc) and doc[j]._.role_title:
                j += 1
            i = j
    if i >= len(doc) or doc[i].lower_ not in PHRASE_ORG_PREPS:
        return None
    k = i + 1
    while k < min(i + 9, len(doc)):
        token, ent = doc[k], ents.get(k)
        if ent is not None and ent.label_ == "ORG":
            return ent
        if ent is not None:
            return _name_as_org(doc, ent, ents)
        if _untagged_name(doc, k, ents):
            first, last = k, k
            while last + 1 < len(doc) and _untagged_name(doc, last + 1, ents):
                last += 1
            while first - 1 > i and first - 1 not in ents and (
                    doc[first - 1].is_title or doc[first - 1].is_upper
                    or (doc[first - 1].text in HYPHENS and not doc[first - 1].whitespace_)):
                first -= 1  # "the British Library", "F-Secure": a place word or piece it starts with
            while doc[first].text in HYPHENS:
                first += 1
            return Span(doc, first, last + 1, label="ORG")
        hyphenated = doc[k - 1].text in HYPHENS
        if (token.is_punct and token.text not in HYPHENS) or (token.pos_ in {"VERB", "AUX"}
                                                              and not hyphenated):
            return None
        k += 1
    return None


def _untagged_name(doc: Doc, i: int, ents: dict[int, Span]) -> bool:
    """A capitalised proper noun outside any entity and not a place."""
    token = doc[i]
    return (i not in ents and token.pos_ == "PROPN" and (token.is_title or token.is_upper)
            and token.ent_type_ not in PLACES and not token._.role_title)


def _name_as_org(doc: Doc, ent: Span, ents: dict[int, Span]) -> Span | None:
    """A PERSON where a title phrase puts its organisation ("analyst Jane Lee of Smith Brothers,"):
    the name with an organisation it owns ("of Barnard's Retail Group"), or the name alone when the
    phrase ends after it."""
    i = ent.end
    if i < len(doc) and doc[i].lower_ in POSSESSIVES:
        owned = ents.get(i + 1)
        if owned is not None and owned.label_ == "ORG" and owned.start == i + 1:
            return Span(doc, ent.start, owned.end, label="ORG")
        return None
    if i >= len(doc) or doc[i].is_punct or doc[i].lower_ in {"and", "said", "says", "who"}:
        return Span(doc, ent.start, ent.end, label="ORG")
    return None


def context_org(doc: Doc, start: int, end: int, orgs: list[Span]) -> Span | None:
    """The organisation a title without one refers to: the nearest earlier one in the sentence,
    else the nearest later one in it, else the last one mentioned before the sentence."""
    sent = doc[start].sent
    k = bisect_left(orgs, start, key=lambda o: o.start)
    if k > 0 and orgs[k - 1].start >= sent.start:
        return orgs[k - 1]
    later = next((o for o in orgs[k:k + 4] if o.start >= end), None)
    if later is not None and later.start < sent.end:
        return later
    while k > 0 and orgs[k - 1].end > sent.start:
        k -= 1
    return orgs[k - 1] if k > 0 else None


def part_owner(doc: Doc, title: Title, org: Span) -> Title:
    """"Acme, which is 25% owned by Jane Lee": a share before "owned" makes her a part owner."""
    if title.role != "owner" or not title.verb or org.end > title.start:
        return title
    between = doc[org.end:title.start]
    if any(t.text == "%" or t.ent_type_ == "PERCENT" or t.lower_ in {"partly", "part", "jointly"}
           for t in between):
        return replace(title, role="part owner")
    return title


def is_verb_pattern(record: dict[str, Any]) -> bool:
    return any("role_verb" in token.get("_", {}) for token in record["pattern"])


def entities(doc: Doc, indices: list[int], ents: dict[int, Span], label: str) -> list[Span]:
    """The entities of ``label`` under the slot's tokens, without title words at their edges;
    a name in Chinese characters in brackets after a romanised name stands for that name."""
    found: dict[int, Span] = {}
    for i in indices:
        ent = ents.get(i)
        if ent is None or ent.label_ != label:
            continue
        ent = _romanised(doc, ent, ents)
        start, end = ent.start, ent.end
        while start < end and doc[start]._.role_title:
            start += 1
        while end > start and doc[end - 1]._.role_title:
            end -= 1
        if start < end:
            found[start] = ent if (start, end) == (ent.start, ent.end) else Span(
                doc, start, end, label=ent.label_)
    return list(found.values())


def _romanised(doc: Doc, ent: Span, ents: dict[int, Span]) -> Span:
    """A bracketed name after a romanised one is that person: "Li Bo (李博)" is Li Bo."""
    if ent.label_ == "PERSON" and ent.start >= 2 and doc[ent.start - 1].text in OPEN_BRACKETS:
        before = ents.get(ent.start - 2)
        if before is not None and before.label_ == "PERSON":
            return before
    return ent


def extend_list(doc: Doc, persons: list[Span], direction: str,
                 ents: dict[int, Span]) -> list[Span]:
    """Add the names listed with the matched one: co-founders Jack Ma and Joe Tsai."""
    result = list(persons)
    if direction == "after":
        i = max(p.end for p in persons)
        while True:
            i = _skip_bracketed_name(doc, i, ents)
            j = i
            if j < len(doc) and doc[j].text == ",":
                j += 1
            if j < len(doc) and doc[j].lower_ in {"and", "&"}:
                j += 1
            nxt = ents.get(j)
            if j == i or nxt is None or nxt.label_ != "PERSON" or nxt.start != j or _breaks(
                    doc, i - 1, j):
                return result
            result.append(nxt)
            i = nxt.end
    i = min(p.start for p in persons) - 1
    while True:
        j = i
        if j >= 0 and doc[j].lower_ in {"and", "&"}:
            j -= 1
        if j >= 0 and doc[j].text == ",":
            j -= 1
        if j >= 0 and doc[j].text in CLOSE_BRACKETS:
            while j >= 0 and doc[j].text not in OPEN_BRACKETS and i - j < 10:
                j -= 1
            j -= 1
        prev = ents.get(j) if j >= 0 else None
        if j == i or prev is None or prev.label_ != "PERSON" or prev.end != j + 1 or _breaks(
                doc, j, i + 1):
            return result
        prev = _romanised(doc, prev, ents)
        result.insert(0, prev)
        i = prev.start - 1


def _skip_bracketed_name(doc: Doc, i: int, ents: dict[int, Span]) -> int:
    """Step over "(李博)" after a name."""
    if i < len(doc) and doc[i].text in OPEN_BRACKETS:
        j = i + 1
        while j < len(doc) and j - i < 10 and doc[j].text not in CLOSE_BRACKETS:
            if j not in ents:
                return i
            j += 1
        if j < len(doc) and doc[j].text in CLOSE_BRACKETS:
            return j + 1
    return i


def _breaks(doc: Doc, start: int, end: int) -> bool:
    """A line break between tokens ``start`` and ``end``."""
    return any(t.is_space or "\n" in t.whitespace_ for t in doc[max(start, 0):end])
