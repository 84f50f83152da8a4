"""The ``when`` slot: a date or time word right after the percentage, else nearest in its clause."""

from bisect import bisect_left

from spacy.attrs import LIKE_NUM
from spacy.tokens import Doc, Span, Token

from ..doc_index import lowers
from .context import paragraphs
from .cues import Cues, norm
from .parse import TIME_LABELS, VERB_POS
from .reading import Reading

# A date that modifies a noun ("the 10-year Treasury", "annual revenue") is no time reference.
MODIFIER_DEPS = {"amod", "compound", "nmod", "nummod"}
# Words between the two ends of a range: "3% to 3.5%", "40% and 50%".
RANGE_WORDS = {"to", "and", "from", "-", "–", "—"}
# Last words of a time that dates the starting value only: "from 18.2% a year earlier".
RELATIVE_PAST = [["earlier"], ["ago"], ["before"], ["previously"]]
# Dependencies that start a new clause: "when" looks for dates in the percentage's own clause.
CLAUSE_DEPS = {"ROOT", "ccomp", "advcl", "relcl", "parataxis", "csubj", "csubjpass"}


def merge_adjacent(doc: Doc, spans: list[Span]) -> list[Span]:
    """Join time entities that touch ("Monday" + "afternoon") into one."""
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].end == span.start and not doc[span.start - 1].whitespace_.count("\n"):
            merged[-1] = Span(doc, merged[-1].start, span.end, label=merged[-1].label_)
        else:
            merged.append(span)
    return merged


def clause_head(token: Token) -> int:
    """Index of the head of the clause that contains ``token``."""
    current = token
    for _ in range(64):
        if current.dep_ in CLAUSE_DEPS or current.head.i == current.i or (
                current.dep_ == "conj" and current.pos_ in VERB_POS):
            return current.i
        current = current.head
    return current.i


def is_time(doc: Doc, date: Span, cues: Cues) -> bool:
    """False for dates that are rates ("a year"), comparison bases ("from a year earlier",
    "the same period last year") or modifiers of a noun ("the 10-year Treasury")."""
    text = norm(date.text)
    if text in cues.not_when or text.startswith(cues.comparison_dates):
        return False
    if date.root.dep_ in MODIFIER_DEPS and date.root.head.i >= date.end:
        return False
    for words in cues.comparisons:
        start = date.start - len(words)
        if start >= 0 and tuple(lowers(doc)[start:date.start]) == words:
            return False
    return True


_TEMPORAL_INDEX: dict[int, tuple[list[tuple[str, ...]], dict[str, list[tuple[str, ...]]]]] = {}


def temporal_by_first(cues: Cues) -> dict[str, list[tuple[str, ...]]]:
    """``cues.temporal`` grouped by first word, each group in lexicon order (longest first), built
    once per lexicon: a token is compared only with the phrases that can start at it."""
    cached = _TEMPORAL_INDEX.get(id(cues))
    if cached is None or cached[0] is not cues.temporal:
        index: dict[str, list[tuple[str, ...]]] = {}
        for words in cues.temporal:
            if words:
                index.setdefault(words[0], []).append(words)
        cached = _TEMPORAL_INDEX[id(cues)] = (cues.temporal, index)
    return cached[1]


def temporal_at(doc: Doc, pos: int, date_at: dict[int, Span], cues: Cues) -> Span | None:
    """A temporal word or phrase starting at ``pos`` ("now", "so far"), joined to a date
    right after it ("so far this year")."""
    for words in temporal_by_first(cues).get(doc[pos].lower_, ()):
        end = pos + len(words)
        if end <= len(doc) and tuple(t.lower_ for t in doc[pos:end]) == words:
            if end in date_at:
                return Span(doc, pos, date_at[end].end, label="DATE")
            if end + 1 in date_at and doc[end].lower_ == "on":
                return date_at[end + 1]             # "in early trading on Thursday": the day
            return Span(doc, pos, end, label="DATE")
    if pos + 1 < len(doc) and doc[pos].like_num and doc[pos + 1].lower_ in cues.clock_zones:
        start = pos - 1 if pos > 0 and doc[pos - 1].lower_ == "by" else pos
        return Span(doc, start, pos + 2, label="TIME")     # "by 0900 GMT": the deadline's "by"
    return None


def temporal_words(doc: Doc, date_at: dict[int, Span], cues: Cues) -> list[Span]:
    """Every temporal word or phrase of the lexicon outside entities ("now", "so far")."""
    found = []
    covered: set[int] = set()
    firsts = temporal_by_first(cues)
    # temporal_at finds nothing unless a phrase starts with the word or it is a number (a
    # clock time), so only those tokens are looked at: from arrays, no Token for the others.
    numbers = doc.to_array(LIKE_NUM).tolist()
    for i, word in enumerate(lowers(doc)):
        if word not in firsts and not numbers[i]:
            continue
        token = doc[i]
        if token.i in covered or token.ent_type_:
            continue
        span = temporal_at(doc, token.i, date_at, cues)
        if span is not None and token.pos_ in {"ADV", "ADP", "ADJ", "NOUN"}:
            found.append(span)
            covered |= set(range(span.start, span.end))
    return found


def time_after(doc: Doc, ent: Span, date_at: dict[int, Span], cues: Cues) -> Span | None:
    """A date or time word right after the percentage, perhaps after one preposition."""
    sent_end = ent.sent.end
    positions = [ent.end]
    for width in (1, 2, 3, 4):
        if ent.end + width < sent_end and " ".join(
                t.lower_ for t in doc[ent.end:ent.end + width]) in cues.when_preps:
            positions.append(ent.end + width)
    for pos in positions:
        if pos >= sent_end:
            continue
        if pos in date_at:
            return date_at[pos]
        found = temporal_at(doc, pos, date_at, cues)
        if found is not None:
            return found
    return None


class TimeIndex:
    """The candidate times of a Doc sorted by start once, so a sentence's times are found by
    bisection instead of a scan of every time in the document."""

    def __init__(self, times: list[Span]) -> None:
        self.times = times
        order = sorted(range(len(times)), key=lambda k: times[k].start)
        self.order = order
        self.starts = [times[k].start for k in order]

    def within(self, start: int, end: int) -> list[Span]:
        """``[t for t in times if start <= t.start and t.end <= end]``, in ``times`` order."""
        found = []
        for n in range(bisect_left(self.starts, start), len(self.order)):
            if self.starts[n] > end:
                break
            k = self.order[n]
            if self.times[k].end <= end:
                found.append(k)
        return [self.times[k] for k in sorted(found)]


def nearest_in_clause(reading: Reading, times: TimeIndex, reserved: set[tuple[int, int]]) -> Span | None:
    """The time closest to the percentage in its own sentence and clause, not taken by another."""
    sent = reading.ent.sent
    clause = clause_head(reading.ent.root)
    candidates = [t for t in times.within(sent.start, sent.end)
                  if (t.start, t.end) not in reserved
                  and clause_head(t.root) == clause]
    if not candidates:
        return None
    return min(candidates, key=lambda t: min(abs(t.start - reading.ent.end),
                                             abs(reading.ent.start - t.end)))


def fill_times(doc: Doc, readings: list[Reading], cues: Cues, paragraph: list[int] | None = None) -> None:
    """Set ``when`` in the readings' fields: times right after a percentage are taken first."""
    dates = [e for e in merge_adjacent(doc, [e for e in doc.ents if e.label_ in TIME_LABELS])
             if is_time(doc, e, cues)]
    date_at = {e.start: e for e in dates}
    reserved: set[tuple[int, int]] = set()
    pending = []
    for reading in readings:
        found = time_after(doc, reading.ent, date_at, cues)
        if found is not None:
            reading.fields["when"] = found.text
            reserved.add((found.start, found.end))
        else:
            pending.append(reading)
    if not pending:
        return
    times = TimeIndex(dates + temporal_words(doc, date_at, cues))
    for reading in pending:
        nearest = nearest_in_clause(reading, times, reserved) or period_modifier(doc, reading, cues)
        if nearest is not None:
            reading.fields["when"] = nearest.text
    share_range_times(doc, readings)
    inherit_paragraph_times(doc, readings, paragraph if paragraph is not None else paragraphs(doc))


def period_modifier(doc: Doc, reading: Reading, cues: Cues) -> Span | None:
    """A period that modifies the measured noun: "fourth quarter sales", "full-year revenue"
    (a rate such as "annual" is no time)."""
    nouns = [n for n in (reading.metric_head, reading.anchor if reading.kind == "noun" else None)
             if n is not None]
    for noun in nouns:
        for child in noun.lefts:
            if child.dep_ in MODIFIER_DEPS and child.ent_type_ in TIME_LABELS:
                span = entity_at(doc, child)
                if norm(span.text) not in cues.not_when:
                    return span
    return None


def entity_at(doc: Doc, token: Token) -> Span:
    """The entity that covers ``token``."""
    start, end = token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def inherit_paragraph_times(doc: Doc, readings: list[Reading], paragraph: list[int]) -> None:
    """A results paragraph gives its period once ("... rose 56% in 2004. Net profits were up
    42%"): a percentage with no time of its own takes the previous one's in the paragraph
    (``paragraph`` numbers each token's paragraph)."""
    previous: Reading | None = None
    for reading in readings:
        if reading.fields.get("when") is None and previous is not None \
                and previous.fields.get("when") is not None \
                and paragraph[previous.ent.start] == paragraph[reading.ent.start]:
            reading.fields["when"] = previous.fields["when"]
        previous = reading


def share_range_times(doc: Doc, readings: list[Reading]) -> None:
    """The two ends of a range ("between 52% and 54% in 2005", "3% to 3.5%") share one time:
    the end without a time takes the other's."""
    for first, second in zip(readings, readings[1:], strict=False):
        if second.ent.start - first.ent.end != 1 or doc[first.ent.end].lower_ not in RANGE_WORDS:
            continue
        when = first.fields.get("when") or second.fields.get("when") or ""
        if doc[first.ent.end].lower_ == "from" and when.lower().split()[-1:] in RELATIVE_PAST:
            continue                # "to 16.5% from 18.2% a year earlier": the base's own time
        if first.fields.get("when") is None:
            first.fields["when"] = second.fields.get("when")
        elif second.fields.get("when") is None:
            second.fields["when"] = first.fields.get("when")
