"""displaCy views of stored claims: token indices for highlighting, escaping, overlaps."""

from __future__ import annotations

import pytest
from lxml import html

from pipeline.review.charts import MAX_BARS, bar_chart, day_chart
from pipeline.review.render import Mark, _number_tokens, entity_view, span_view


def claim(claim_id: str, kind: str, text: str, start: int, end: int) -> dict:
    return {"id": claim_id, "type": kind, "evidence": {"start": start, "end": end,
                                                       "text": text[start:end]}}


TEXT = "Acme will sell its Widget unit to Norvale.\n\nProfits rose 12% in 2024."


def test_every_drawn_token_carries_its_index_and_claims_get_their_token_ranges():
    spans = {"a": (0, TEXT.index(".")), "b": (5, TEXT.index(" unit")),
             "c": (TEXT.index("12%"), TEXT.index("12%") + 3)}
    claims = [claim(k, "percentage" if k == "c" else "directive", TEXT, *v) for k, v in spans.items()]
    markup, ranges = span_view(TEXT, claims)
    tree = html.fromstring(f"<div>{markup}</div>")
    drawn = {int(el.get("data-token")): el.text_content().split()[0]
             for el in tree.xpath("//*[@data-token]")}
    from pipeline.review.render import _tokenizer
    tokens = [t.text for t in _tokenizer().make_doc(TEXT)]
    for claim_id, (start, end) in spans.items():
        first, last = ranges[claim_id].first, ranges[claim_id].last
        covered = "".join(t.text_with_ws for t in _tokenizer().make_doc(TEXT)[first:last]).strip()
        assert covered == TEXT[start:end]
        for i in range(first, last):
            if tokens[i].strip():
                assert drawn[i] == tokens[i]
    assert set(drawn) == {i for r in ranges.values() for i in range(r.first, r.last)
                          if tokens[i].strip()}
    assert markup.count("<br>") == 2  # the blank line between the paragraphs


def test_a_changed_drawing_drops_the_indices_rather_than_misplacing_them():
    markup = 'x<span data-token="@@nc-token@@">a</span>'
    assert _number_tokens(markup, ["a", "b"], [{"start_token": 0, "end_token": 2}]) == "x<span >a</span>"


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "</div></mark><b>bold</b>",
])
def test_text_and_labels_are_escaped_in_both_views(hostile):
    text = f"Acme said {hostile} and left."
    start = text.index(hostile)
    spans, _ = span_view(text, [claim("a", "directive", text, start, start + len(hostile))])
    marks = entity_view(text, [Mark(start, start + len(hostile), hostile, hostile, tip=hostile,
                                    href='"><script>x</script>')])
    for markup in (spans, marks):
        tree = html.fromstring(f"<div>{markup}</div>")
        assert not tree.xpath("//script | //img | //b")
        shown = tree.text_content()
        for label in ("DIRECTIVE", "↗", " ", "\n"):
            shown = shown.replace(label, "")
        assert hostile.replace(" ", "") in shown


def test_overlapping_entity_marks_keep_the_first_and_carry_claim_and_status():
    text = "Time Warner Cable grew."
    marks = [Mark(0, 11, "ORG", "c1", "match"), Mark(5, 17, "ORG", "c2", "spurious"),
             Mark(12, 17, "PERSON", "c3", "missed")]
    tree = html.fromstring(f"<div>{entity_view(text, marks)}</div>")
    found = [(m.get("data-claim"), m.get("data-label")) for m in tree.xpath("//mark")]
    assert found == [("c1", "ORG"), ("c3", "PERSON")]
    classes = [m.get("class") for m in tree.xpath("//mark")]
    assert "nc-match" in classes[0] and "nc-missed" in classes[1]


def test_bar_chart_escapes_labels_and_sums_the_tail():
    counts = [(f"<b>p{i}</b>", i + 1) for i in range(MAX_BARS + 5)]
    tree = html.fromstring(f"<div>{bar_chart(counts)}</div>")
    bars = {g.get("data-label"): int(g.get("data-count")) for g in tree.xpath("//g")}
    assert len(bars) == MAX_BARS and not tree.xpath("//b")
    kept = sorted(counts, key=lambda kv: -kv[1])[:MAX_BARS - 1]
    assert bars["other"] == sum(n for _, n in counts) - sum(n for _, n in kept)


def test_day_chart_orders_days_and_writes_the_first_and_last():
    svg = day_chart([("2024-03-02", 1), ("2024-01-05", 4), ("2024-02-10", 2)])
    tree = html.fromstring(f"<div>{svg}</div>")
    assert [r.get("data-day") for r in tree.xpath("//rect")] == ["2024-01-05", "2024-02-10", "2024-03-02"]
    assert [t.text for t in tree.xpath("//text")] == ["2024-01-05", "2024-03-02"]
