"""Entity lines as deltas: what a run appends is what it added, and every reader's fold gives
the record back exactly (issue 15)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.store.entity_lines import delta, fold, fold_lines, is_delta

BASE = {"id": "ent_1", "label": "ORG", "name": "Acme", "aliases": ["Acme"], "mention_count": 2,
        "documents": ["d1"], "first_seen": "2024-01-01", "last_seen": "2024-01-01", "key": "acme",
        "rules": [], "merged_ids": []}


def grown(**changes):
    return {**BASE, **changes}


@pytest.mark.parametrize(("current", "expected"), [
    (grown(aliases=["Acme", "Acme Corp"], documents=["d1", "d2"], mention_count=3,
           last_seen="2024-02-01"),
     {"id": "ent_1", "delta": True, "label": "ORG", "name": "Acme", "aliases": ["Acme Corp"],
      "mention_count": 3, "documents": ["d2"], "first_seen": "2024-01-01",
      "last_seen": "2024-02-01", "key": "acme", "rules": [], "merged_ids": []}),
    (grown(name="Acme Corp", merged_ids=["ent_2"]),
     {"id": "ent_1", "delta": True, "label": "ORG", "name": "Acme Corp", "aliases": [],
      "mention_count": 2, "documents": [], "first_seen": "2024-01-01", "last_seen": "2024-01-01",
      "key": "acme", "rules": [], "merged_ids": ["ent_2"]}),
    (grown(documents=[]), grown(documents=[])),            # an item went: a whole version
    (grown(label="PERSON"), grown(label="PERSON")),        # the label changed: whole
    (grown(key="acme corp"), grown(key="acme corp")),      # the anchor changed: whole
])
def test_delta_holds_what_was_added_or_the_whole_record(current, expected):
    line = delta(BASE, current)
    assert line == expected
    assert fold(BASE, line) == current


def test_a_new_record_is_written_whole_and_a_whole_line_replaces():
    assert delta(None, BASE) == BASE and not is_delta(delta(None, BASE))
    assert fold(grown(aliases=["Old"]), BASE) == BASE


def test_fold_lines_keeps_the_order_of_first_lines_and_ignores_nothing_it_holds():
    other = {**BASE, "id": "ent_0"}
    lines = [BASE, other, delta(BASE, grown(documents=["d1", "d3"]))]
    folded = fold_lines(lines)
    assert list(folded) == ["ent_1", "ent_0"]
    assert folded["ent_1"]["documents"] == ["d1", "d3"] and "delta" not in folded["ent_1"]


names = st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), unique=True).map(sorted)


@given(steps=st.lists(st.tuples(names, names, st.integers(0, 50), st.sampled_from(["ORG", "PERSON"])),
                      min_size=1, max_size=8))
def test_folding_the_written_lines_gives_every_version_back(steps):
    """Whatever sequence of versions a record goes through, the lines written for it fold to
    each version in turn."""
    stored, lines = None, []
    for aliases, documents, count, label in steps:
        current = grown(aliases=aliases, documents=documents, mention_count=count, label=label)
        line = delta(stored, current)
        lines.append(line)
        assert fold_lines(lines)["ent_1"] == current
        stored = current
