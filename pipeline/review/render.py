"""A document's text drawn with spaCy's displaCy: claims as overlapping spans, entities as marks.

Both views come from stored records, not a Doc: the text is split by a blank English tokenizer
(so the span view has tokens to hang spans on) and every claim keeps its exact character
evidence. displaCy escapes the text it draws; the values this module adds to its templates
(claim ids, links, labels, titles) are escaped here. Each drawn token and mark carries the
claim it belongs to, so a click on a claim in the list can highlight its evidence in the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from spacy import displacy
from spacy.displacy.templates import TPL_SPAN, TPL_SPAN_SLICE, TPL_SPAN_START
from spacy.language import Language

CLAIM_COLOURS = {"DIRECTIVE": "#f4a261", "ROLE": "#8ecae6", "PERCENTAGE": "#b5e48c"}
ENTITY_COLOURS = {"ORG": "#7aecec", "PERSON": "#aa9cfc", "PERCENT": "#e4e7d2", "GPE": "#feca74",
                  "NORP": "#c887fb", "PRODUCT": "#bfeeb7", "MONEY": "#e4e7d2"}
STATUS_COLOURS = {"match": "#b7e4c7", "missed": "#ffadad", "spurious": "#ffd6a5"}

_TOKEN_MARK = "@@nc-token@@"
_LINE_BREAK = "\ue000"  # a private-use character standing for a line break in the span view
# displaCy's own span template, with the index of the token it draws (filled in by span_view)
_SPAN_TOKEN = TPL_SPAN.replace("<span style=", f'<span class="nc-tok" data-token="{_TOKEN_MARK}" style=', 1)
# displaCy's entity template, with the claim it draws and its status as data attributes
_ENT_MARK = ('<mark class="entity nc-ent nc-{status}" data-claim="{claim}" data-label="{label}" '
             'title="{tip}" style="background: {bg}; padding: 0.25em 0.45em; margin: 0 0.15em; '
             'line-height: 1; border-radius: 0.35em;">{text}<span class="nc-ent-label">{label}'
             '{kb_link}</span></mark>')


@lru_cache(maxsize=1)
def _tokenizer() -> Language:
    import spacy

    return spacy.blank("en")


@dataclass(frozen=True)
class TokenRange:
    """The tokens a claim's evidence covers in the span view: ``first`` up to ``last``
    (exclusive)."""

    first: int
    last: int


def claim_label(claim: Mapping[str, Any]) -> str:
    """The span view's label of a claim: its type in capitals ("DIRECTIVE")."""
    return str(claim["type"]).upper()


def span_view(text: str, claims: Iterable[Mapping[str, Any]]) -> tuple[Markup, dict[str, TokenRange]]:
    """displaCy's span view of ``claims`` over ``text`` (each label links to the claim in the
    list) and, per claim id, the tokens it covers."""
    doc = _tokenizer().make_doc(text)
    # displaCy joins the tokens with spaces; a line break is kept as a mark turned into <br>
    breaks = _LINE_BREAK not in text  # (a text holding the stand-in keeps its breaks as spaces)
    tokens = [t.text if "\n" not in t.text or not breaks else _LINE_BREAK * t.text.count("\n")
              for t in doc]
    spans: list[dict[str, Any]] = []
    ranges: dict[str, TokenRange] = {}
    for claim in claims:
        ev = claim["evidence"]
        span = doc.char_span(ev["start"], ev["end"], alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        ranges[claim["id"]] = TokenRange(span.start, span.end)
        spans.append({"start_token": span.start, "end_token": span.end, "label": claim_label(claim),
                      "kb_id": "↗", "kb_url": f"#claim-{escape(claim['id'])}"})
    markup = displacy.render({"text": text, "spans": spans, "tokens": tokens}, style="span",
                             manual=True, options={"colors": CLAIM_COLOURS, "template": {
                                 "span": _SPAN_TOKEN, "slice": TPL_SPAN_SLICE, "start": TPL_SPAN_START}})
    markup = _number_tokens(markup, tokens, spans).replace(_LINE_BREAK, "<br>")
    return Markup(markup), ranges


def _number_tokens(markup: str, tokens: list[str], spans: list[dict[str, Any]]) -> str:
    """Put each drawn token's index into the markup. displaCy draws, in order, every token that
    is not blank and lies in a span; any other count means its drawing changed, and the
    indices are left out (the view still shows, only the highlighting goes)."""
    covered = sorted({i for s in spans for i in range(s["start_token"], s["end_token"])
                      if tokens[i].strip()})
    pieces = markup.split(_TOKEN_MARK)
    if len(pieces) != len(covered) + 1:
        return markup.replace(f'data-token="{_TOKEN_MARK}"', "")
    out = [pieces[0]]
    for index, piece in zip(covered, pieces[1:], strict=True):
        out.append(str(index))
        out.append(piece)
    return "".join(out)


@dataclass(frozen=True)
class Mark:
    """One entity mark of an entity view: character offsets, label, the claim (or gold item)
    it stands for, its status ("match", "missed", "spurious" or "" in a store's review), a
    tooltip and an optional link."""

    start: int
    end: int
    label: str
    claim: str
    status: str = ""
    tip: str = ""
    href: str | None = None


def entity_view(text: str, marks: Iterable[Mark]) -> Markup:
    """displaCy's entity view of ``marks`` over ``text`` (overlapping marks: the first kept),
    each mark carrying its claim id and status; a mark with ``href`` links there."""
    ents: list[dict[str, Any]] = []
    last_end = -1
    for mark in sorted(marks, key=lambda m: (m.start, -m.end)):
        if mark.start < last_end or mark.end <= mark.start:
            continue
        last_end = mark.end
        link = (Markup(' <a class="nc-ent-link" href="{}">↗</a>').format(mark.href)
                if mark.href else Markup(""))
        colour = STATUS_COLOURS.get(mark.status) or ENTITY_COLOURS.get(mark.label.upper(), "#ddd")
        ents.append({"start": mark.start, "end": mark.end, "label": mark.label, "params": {
            "label": str(escape(mark.label)),
            "claim": str(escape(mark.claim)), "status": str(escape(mark.status or "plain")),
            "tip": str(escape(mark.tip)), "kb_link": str(link), "bg": colour}})
    markup = displacy.render({"text": text, "ents": ents, "title": None}, style="ent", manual=True,
                             options={"template": _ENT_MARK})
    return Markup(markup)
