"""Step "decide": which of the readings of overlapping pattern matches become claims."""

from dataclasses import replace

from .model import Candidate, Title


def resolve(candidates: list[Candidate]) -> list[Candidate]:
    """One reading per title (highest priority, then longest match) and one claim per
    evidence span, the title nearest the name, except that coordinated titles ("chairman and
    chief executive Jane Lee") give one claim each, the later ones spanning only their title and
    the name (claims on one span would share its ``span._.claim``)."""
    best: dict[Title, tuple[int, int, int]] = {}
    for cand in candidates:
        rank = (cand.priority, cand.length, -cand.match)
        if cand.title not in best or rank > best[cand.title]:
            best[cand.title] = rank
    by_span: dict[tuple[int, int], list[Candidate]] = {}
    for cand in sorted(candidates, key=lambda c: c.title.start):
        if best[cand.title] != (cand.priority, cand.length, -cand.match):
            continue
        kept = by_span.setdefault((cand.start, cand.end), [])
        if any(_coordinated(k, cand) for k in kept):
            kept.append(replace(cand, start=min(cand.person.start, cand.title.start),
                                end=max(cand.person.end, cand.title.end)))
        elif not kept or _distance(cand) < _distance(kept[0]):
            kept[:] = [cand]
    return sorted((c for group in by_span.values() for c in group), key=lambda c: (c.start, c.end))


def _coordinated(a: Candidate, b: Candidate) -> bool:
    """Two titles of one match joined by "and"/"&" before the same name."""
    return (a.match == b.match and a.person.start == b.person.start and a.title != b.title
            and (a.title.end + 1 == b.title.start or b.title.end + 1 == a.title.start))


def _distance(cand: Candidate) -> int:
    """Tokens between a claim's title and its person."""
    return max(cand.title.start - cand.person.end, cand.person.start - cand.title.end, 0)
