"""What the role steps pass between them: titles found in the text and (person, title, org) readings,
with the token classes the steps share."""

from dataclasses import dataclass

from spacy.tokens import Span

NON_TITLE = "non_title"
PLURAL = "|pl"
HYPHENS = {"-", "‐", "–"}
JOINERS = {"and", "&", "/"}
POSSESSIVES = {"'s", "’s", "'", "’"}
OPEN_BRACKETS = {"(", "（"}
CLOSE_BRACKETS = {")", "）"}
SLOTS = {"", "person", "org", "title", "scope"}
PAST = {"former", "ex"}
PLACES = {"GPE", "LOC", "NORP", "FAC"}
PHRASE_ORG_PREPS = {"of", "at", "with", "from", "for"}
NAME_PARTICLES = {"van", "von", "den", "der", "de", "da", "di", "du", "del", "della", "la", "le", "bin", "al"}


@dataclass(frozen=True)
class Title:
    """A title (or role verb) in the text: tokens ``start:end`` (with modifiers) and its role."""

    start: int
    end: int
    role: str
    plural: bool
    verb: bool
    context_org: bool = True


class TitleIndex:
    """The titles (or role verbs) of a Doc indexed by token, built once per Doc, so a pattern
    match finds its titles without scanning every title of the document."""

    def __init__(self, titles: list[Title]) -> None:
        self.titles = titles
        self.at: dict[int, list[int]] = {}
        for k, title in enumerate(titles):
            for i in range(title.start, title.end):
                self.at.setdefault(i, []).append(k)

    def covering(self, indices: list[int]) -> list[Title]:
        """``[t for t in titles if any(t.start <= i < t.end for i in indices)]``."""
        found = sorted({k for i in indices for k in self.at.get(i, ())})
        return [self.titles[k] for k in found]


@dataclass(frozen=True)
class Candidate:
    """One (person, title, org) reading of a pattern match."""

    match: int
    rule: str
    priority: int
    length: int
    title: Title
    person: Span
    org: Span | None
    start: int
    end: int
    score: float


def plural_forms(term: str) -> list[str]:
    """Plurals of a title's last word: chairman -> chairmen, CEO -> CEOs, boss -> bosses."""
    head, _, last = term.rpartition(" ")
    prefix = f"{head} " if head else ""
    low = last.lower()
    if low.endswith("person"):
        forms = [last[:-6] + "people", last + "s"]
    elif low.endswith("man"):
        forms = [last[:-3] + "men"]
    elif low.endswith(("s", "sh", "ch", "x")):
        forms = [last + "es"]
    elif low.endswith("y") and low[-2:-1] not in {"a", "e", "i", "o", "u"}:
        forms = [last[:-1] + "ies"]
    else:
        forms = [last + "s"]
    return [prefix + form for form in forms]
