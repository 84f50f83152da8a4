"""The ``from``/``to``/``direction`` slots: two percentages of one change, or one change word."""

from .attachment import anchor_direction
from .cues import Cues
from .reading import Reading


def change_ends(members: list[Reading]) -> tuple[Reading, Reading] | None:
    """The start and end of a change among the percentages sharing one anchor, if both are there."""
    starts = [r for r in members if r.role == "from"]
    ends = [r for r in members if r.role == "to"]
    if not ends:
        # "came in at 11.9%, compared with 7.5%": the one other percentage is the end
        others = [r for r in members if r.role is None]
        ends = others if len(others) == 1 else []
    if not starts or not ends:
        return None
    return starts[0], ends[0]


def change_direction(start: Reading, end: Reading, cues: Cues) -> str | None:
    """The direction of a from/to change: its words, else which way the value moved."""
    direction = anchor_direction(start, cues) or start.path_direction
    if direction is None and start.value is not None and end.value is not None \
            and start.value != end.value:
        direction = "up" if end.value > start.value else "down"
    return direction


def single_direction(reading: Reading, cues: Cues) -> str | None:
    """The direction of a lone percentage: words on its path, its anchor, else its sign."""
    direction = reading.path_direction or anchor_direction(reading, cues)
    if direction is None and reading.sign is not None:
        direction = reading.sign
    return direction


def fill_changes(readings: list[Reading], cues: Cues) -> None:
    """Set from/to/direction in the readings' fields (after ``subject_and_metric``)."""
    groups: dict[int, list[Reading]] = {}
    for reading in readings:
        if reading.anchor is not None:
            groups.setdefault(reading.anchor.i, []).append(reading)
    paired: set[int] = set()
    for members in groups.values():
        ends = change_ends(members)
        if ends is None:
            continue
        start, end = ends
        direction = change_direction(start, end, cues)
        for reading in (start, end):
            reading.fields.update({"from": start.value, "to": end.value, "direction": direction})
            paired.add(id(reading))
    for reading in readings:
        if id(reading) not in paired:
            reading.fields["direction"] = single_direction(reading, cues)
