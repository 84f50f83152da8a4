"""The ``metric`` slot in the form news annotators write it: the measured quantity, then its
direction ("pre-tax profits rise", "share price fall"), "stake in X" for a part of a company and
"share of X" for a part of anything else.

Runs after ``changes`` (the direction is known) and ``context`` (a referring "the firm" is
resolved). A percentage that is a level ("rose to 4%", "was 17%") keeps the bare quantity; only
the amount of a change ("rose 4%", "a 4% rise") gets a direction word.
"""

from spacy.tokens import Doc, Span, Token

from .attachment import is_change_word
from .context import Discourse
from .cues import Cues
from .owners import group, named_noun, refers_back
from .parse import governing_verb
from .reading import Reading

# Head words of a company's shares: a change in them is a change in its share price.
SHARE_WORDS = {"shares", "stock", "stocks", "share price", "stock price"}
# Labels of the amounts a share price moves to: "fell 2% to 55 pence".
PRICE_LABELS = {"MONEY"}


def direction_word(reading: Reading, cues: Cues) -> str | None:
    """The word for the change: a change noun as written ("drop", "decline"), the text's own
    growth/increase/drop/decline verb, else "rise" or "fall" by the direction."""
    direction = reading.fields.get("direction")
    anchor = reading.anchor
    if anchor is not None and reading.kind == "noun" and is_change_word(anchor, cues):
        return anchor.lower_
    if anchor is not None and reading.kind == "verb":
        word = cues.change_words.get(anchor.lemma_.lower())
        if word is not None:
            return word
    if direction == "up":
        return "rise"
    if direction == "down":
        return "fall"
    return None


def is_amount_of_change(reading: Reading) -> bool:
    """The percentage is by how much something changed ("rose 4%"), not a level it reached."""
    fields = reading.fields
    return fields.get("direction") is not None and fields.get("from") is None and reading.role is None


def org_named(doc: Doc, noun: Token, owners: dict[int, Span], discourse: Discourse,
              cues: Cues) -> Span | None:
    """The organisation a noun names, directly, in apposition, or by referring back."""
    named = named_noun(noun, owners)
    if named is not None and owners[named.i].label_ != "GPE":
        return group(doc, named, owners)
    if refers_back(noun, cues):
        return discourse.org_before(noun.i)
    return None


def stake_target(doc: Doc, reading: Reading, owners: dict[int, Span], discourse: Discourse,
                 cues: Cues) -> Span | None:
    """The company a percentage is a stake in: "buy 20% of X", "which is 25% owned by Y"."""
    verb = governing_verb(reading.ent.root)
    holding = verb is not None and verb.lemma_.lower() in cues.holding_verbs
    if reading.part_of is not None and holding:
        return org_named(doc, reading.part_of, owners, discourse, cues)
    if holding and verb is not None and any(c.dep_ == "agent" for c in verb.children) \
            and verb.dep_ in {"relcl", "acl"}:
        return org_named(doc, verb.head, owners, discourse, cues)
    return None


def is_price(token: Token, cues: Cues) -> bool:
    """An amount of money: a MONEY entity or a currency word ("17.58 euros", "55 pence")."""
    return token.ent_type_ in PRICE_LABELS or token.lemma_.lower() in cues.currencies \
        or token.lower_ in cues.currencies


def moves_to_price(reading: Reading, cues: Cues) -> bool:
    """The change ends at a price: "fell 2.2% to 55.57 pence", "up 7.6% at 797p"."""
    verb = reading.anchor if reading.kind == "verb" else None
    if verb is None:
        return False
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in {"to", "at"}:
            if any(is_price(g, cues) for g in child.subtree):
                return True
    return False


def form_metric(doc: Doc, reading: Reading, owners: dict[int, Span], discourse: Discourse,
                cues: Cues) -> str | None:
    """The metric text for one reading (None when nothing is measured)."""
    metric = reading.fields.get("metric")
    target = stake_target(doc, reading, owners, discourse, cues)
    if target is not None:
        return f"stake in {target.text}"
    change = direction_word(reading, cues) if is_amount_of_change(reading) else None
    head = reading.metric_head
    forecast = growth_forecast(reading, cues)
    if forecast is not None:
        return forecast
    if head is not None and head.lower_ in SHARE_WORDS or (
            metric is not None and metric.lower() in SHARE_WORDS):
        return f"share price {change}" if change else "share price"
    if metric is None and reading.owner is not None and reading.owner.label_ != "GPE" \
            and change in {"rise", "fall"} and moves_to_price(reading, cues):
        return f"share price {change}"
    if reading.owner is not None and reading.rule.endswith(":population"):
        predicate = group_predicate(doc, reading)
        if predicate is not None:
            return f"share {predicate}"
    if reading.part_of is not None and metric is not None and head is not None and head.i == reading.part_of.i:
        return f"share of {metric}"
    if metric is not None and change is not None and head is not None and not is_change_word(head, cues):
        return f"{metric} {change}"
    return metric


def group_predicate(doc: Doc, reading: Reading) -> str | None:
    """What the share of a surveyed group is or does: "90% of companies are highly optimistic
    about their prospects" -> "highly optimistic about their prospects"; "54% of companies
    calling it a threat" -> "calling it a threat"."""
    part_of = reading.part_of
    if part_of is None:
        return None
    phrases = [c for c in part_of.children if c.dep_ == "acl" and c.i > part_of.i and c.tag_ == "VBG"]
    root = reading.ent.root
    verb = root.head if root.dep_ in {"nsubj", "nsubjpass"} else None
    if not phrases and verb is not None and verb.lemma_ == "be":
        phrases = [c for c in verb.children if c.dep_ in {"acomp", "attr"} and c.i > verb.i]
    if not phrases and verb is not None and verb.tag_ == "VBG":
        phrases = [verb]                        # "found 45% of drivers using a phone"
    if not phrases:
        return None
    tokens = sorted((t for t in phrases[0].subtree if t.i >= phrases[0].i), key=lambda t: t.i)
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    return doc[tokens[0].i:tokens[-1].i + 1].text if tokens else None


def growth_forecast(reading: Reading, cues: Cues) -> str | None:
    """A forecast of growth, as annotators write it: "Forecasts for Japanese growth were cut to
    4.0% from 4.4%" -> "growth forecast" (the starting value: "previous growth forecast");
    "the report forecast total growth of 3.6%" -> "total growth forecast"."""
    head = reading.metric_head
    if head is None:
        return None
    lemma = head.lemma_.lower()
    previous = "previous " if reading.role == "from" else ""
    if lemma in cues.forecast_nouns:
        words = {t.lemma_.lower() for t in head.subtree}
        if words & cues.growth_words:
            return f"{previous}growth forecast"
        return None
    verb = governing_verb(head)
    if lemma in cues.growth_words and verb is not None and verb.lemma_.lower() in cues.forecast_nouns:
        text = reading.fields.get("metric") or head.text
        return f"{previous}{text} forecast"
    return None


def fill_metrics(doc: Doc, readings: list[Reading], owners: dict[int, Span], discourse: Discourse,
                 cues: Cues) -> None:
    """Rewrite each reading's metric in the annotated form (after ``changes`` and ``context``)."""
    previous: Reading | None = None
    for reading in readings:
        metric = form_metric(doc, reading, owners, discourse, cues)
        if metric is None and previous is not None and previous.ent.sent.start == reading.ent.sent.start:
            metric = shared_metric(previous, reading, cues)     # "X lost 2%, with Y down 3%"
        reading.fields["metric"] = metric
        previous = reading


def shared_metric(previous: Reading, reading: Reading, cues: Cues) -> str | None:
    """The previous percentage's metric with this one's direction word."""
    metric = previous.fields.get("metric")
    if metric is None:
        return None
    change = direction_word(reading, cues)
    old = direction_word(previous, cues)
    if old is not None and change is not None and metric.endswith(f" {old}"):
        return f"{metric[:-len(old)]}{change}"
    return metric
