"""Stage newsclaims_percentages on the real pipeline: a claim per PERCENT with what it measures."""

import json

import pytest
import srsly

from pipeline.stages.percentages import RULE_SCORES, Cues, Percentages, Reading
from pipeline.stages.percentages.attachment import attach
from pipeline.stages.percentages.changes import fill_changes
from pipeline.stages.percentages.reading import number, read
from pipeline.stages.percentages.times import is_time
from tests.conftest import CORPUS, MODELS, SEED_GOLD

pytestmark = pytest.mark.integration

FIELDS = ("value", "range", "qualifier", "unit", "subject", "metric", "when", "from", "to",
          "direction")


def expect(value, qualifier, subject, metric, when, *, unit="percent", value_range=None,
           change=(None, None), direction=None):
    """Expected claim fields; ``subject`` is the owner's text (or None)."""
    return {"value": value, "range": value_range, "qualifier": qualifier, "unit": unit,
            "subject": subject, "metric": metric, "when": when, "from": change[0],
            "to": change[1], "direction": direction}


# Sentences written for this test in the style of business news (not from the seed articles).
CASES = [
    # "per cent"; "revenue at X rose"
    ("Revenue at Siemens rose 12 per cent in the third quarter.", "12 per cent",
     expect(12.0, "exactly", "Siemens", "Revenue rise", "the third quarter", direction="up")),
    # "percent" with a qualifier; possessive owner
    ("Microsoft's cloud revenue grew more than 20 percent in the fourth quarter.",
     "more than 20 percent",
     expect(20.0, "more_than", "Microsoft", "cloud revenue growth", "the fourth quarter",
            direction="up")),
    # percentage points; no owner; the verb's object is what changed
    ("The central bank raised interest rates by 0.75 percentage points on Wednesday.",
     "0.75 percentage points",
     expect(0.75, "exactly", None, "interest rates rise", "Wednesday", unit="percentage_points",
            direction="up")),
    # a range modifying a change noun: "a 10-15% increase in revenue at X"
    ("Analysts expect a 10-15% increase in revenue at Nestle next year.", "10-15%",
     expect(10.0, "exactly", "Nestle", "revenue increase", "next year", value_range=[10.0, 15.0],
            direction="up")),
    # "between 52% and 54%": two mentions (bbc-dev README) sharing metric and time; "its"
    # resolved to nobody (no named owner)
    ("The chipmaker said its gross margin would be between 52% and 54% in the third quarter.",
     "52%", expect(52.0, "exactly", None, "gross margin", "the third quarter")),
    ("The chipmaker said its gross margin would be between 52% and 54% in the third quarter.",
     "54%", expect(54.0, "exactly", None, "gross margin", "the third quarter")),
    # a number written as a word; no subject
    ("Inflation eased to about five percent in March.", "about five percent",
     expect(5.0, "about", None, "Inflation", "March", direction="down")),
    # a hyphenated word number
    ("Siemens Energy's order intake grew twenty-five percent last year.", "twenty-five percent",
     expect(25.0, "exactly", "Siemens Energy", "order intake growth", "last year", direction="up")),
    # "X's shares fell 3% on Tuesday"
    ("Tesla's shares fell 3% on Tuesday.", "3%",
     expect(3.0, "exactly", "Tesla", "share price fall", "Tuesday", direction="down")),
    # "shares of X"; the date is not right after the percentage
    ("Shares of Nvidia jumped 8% in early trading on Thursday.", "8%",
     expect(8.0, "exactly", "Nvidia", "share price rise", "Thursday", direction="up")),
    # a compound owner; the direction comes from "higher"
    ("Apple shares closed 2.5% higher on Friday.", "2.5%",
     expect(2.5, "exactly", "Apple", "share price rise", "Friday", direction="up")),
    # "a 5% stake in Y": the holder owns the stake
    ("Berkshire Hathaway bought a 5% stake in Occidental Petroleum last year.", "5%",
     expect(5.0, "exactly", "Berkshire Hathaway", "stake", "last year")),
    # an organisation as the verb's subject, the object as the metric
    ("Alibaba raised revenue 10% in 2022.", "10%",
     expect(10.0, "exactly", "Alibaba", "revenue rise", "2022", direction="up")),
    # a decrease stated with two percentages: from/to on both
    ("Unilever's operating margin narrowed to 16.5% from 18.2% a year earlier.", "16.5%",
     expect(16.5, "exactly", "Unilever", "operating margin", None, change=(18.2, 16.5),
            direction="down")),
    ("Unilever's operating margin narrowed to 16.5% from 18.2% a year earlier.", "18.2%",
     expect(18.2, "exactly", "Unilever", "operating margin", "a year earlier",
            change=(18.2, 16.5), direction="down")),
    # an increase with from/to and a date after each percentage
    ("Euro zone inflation slowed to 2.4% in November from 2.9% in October.", "2.9%",
     expect(2.9, "exactly", None, "Euro zone inflation", "October", change=(2.9, 2.4),
            direction="down")),
    ("In the quarter, gross margin improved to 45.1% from 43.2% a year ago.", "45.1%",
     expect(45.1, "exactly", None, "gross margin", "the quarter", change=(43.2, 45.1),
            direction="up")),
    # "compared with" gives the starting value
    ("Operating margin at Toyota came in at 11.9 percent, compared with 7.5 percent a year "
     "earlier.", "11.9 percent",
     expect(11.9, "exactly", "Toyota", "Operating margin", None, change=(7.5, 11.9),
            direction="up")),
    # a sentence with no owner at all
    ("Unemployment rose to 4.1% in June.", "4.1%",
     expect(4.1, "exactly", None, "Unemployment", "June", direction="up")),
    # "its" resolved to the reporting company; a temporal phrase joined to a date
    ("Sony said its operating profit fell nearly 30% so far this year.", "nearly 30%",
     expect(30.0, "nearly", "Sony", "operating profit fall", "so far this year", direction="down")),
    ("Amazon cut its workforce by 5% this year.", "5%",
     expect(5.0, "exactly", "Amazon", "workforce cut", "this year", direction="down")),
    # a part of something: "40% of X's revenue"
    ("About 40% of Alibaba's revenue comes from its domestic marketplaces.", "About 40%",
     expect(40.0, "about", "Alibaba", "share of revenue", None)),
    # two organisations own the measure together
    ("Microsoft and Google together control about 65% of the cloud market.", "about 65%",
     expect(65.0, "about", "Microsoft and Google", "share of cloud market", None)),
    # a change noun whose object names the metric
    ("Meta reported a 23% rise in quarterly revenue on Wednesday.", "23%",
     expect(23.0, "exactly", "Meta", "quarterly revenue rise", "Wednesday", direction="up")),
    # "whose" resolved to the name the relative clause describes
    ("Toyota, whose operating profit rose 20% in the period, raised its forecast.", "20%",
     expect(20.0, "exactly", "Toyota", "operating profit rise", None, direction="up")),
    # the company that says it owns the figure
    ("Vodafone said revenue rose 3% in the first half.", "3%",
     expect(3.0, "exactly", "Vodafone", "revenue rise", "the first half", direction="up")),
    # a metric with a prepositional complement
    ("JPMorgan's return on equity was 17% in 2023.", "17%",
     expect(17.0, "exactly", "JPMorgan", "return on equity", "2023")),
    # a level, not a change
    ("The Bank of England held interest rates at 5.25% on Thursday.", "5.25%",
     expect(5.25, "exactly", "Bank of England", "interest rates", "Thursday")),
    # "over the past year" is a period; "compared with the same period" is not a time
    ("Home prices rose 5% over the past year.", "5%",
     expect(5.0, "exactly", None, "Home prices rise", "the past year", direction="up")),
    ("Airbnb's bookings grew 12% compared with the same period last year.", "12%",
     expect(12.0, "exactly", "Airbnb", "bookings growth", None, direction="up")),
    # a level noun: the percentage stands in for "a seven-year low"
    ("The unemployment rate fell to a seven-year low of 5.3% in May.", "5.3%",
     expect(5.3, "exactly", None, "unemployment rate", "May", direction="down")),
]


def claim_for(doc, evidence):
    matches = [s for s in doc.spans["percentages"] if s.text == evidence]
    assert len(matches) == 1, [s.text for s in doc.spans["percentages"]]
    return matches[0]._.claim


@pytest.mark.parametrize(("text", "evidence", "expected"), CASES,
                         ids=[f"{i:02d}-{c[1]}" for i, c in enumerate(CASES)])
def test_percentage_claims(nlp, text, evidence, expected):
    claim = claim_for(nlp(text), evidence)
    fields = dict(claim["fields"])
    fields["subject"] = fields["subject"]["text"] if fields["subject"] else None
    assert {k: fields[k] for k in FIELDS} == expected
    assert claim["type"] == "percentage"
    metric_rule, subject_rule = claim["rule"].split(":")
    assert metric_rule in RULE_SCORES and subject_rule in RULE_SCORES
    assert 0 < claim["score"] <= 1


def test_every_percent_entity_gets_exactly_one_claim(nlp):
    doc = nlp("Sales rose 7 percent and costs fell at least 2%. Margins were 10-15% in 2022.")
    percents = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERCENT"]
    claims = [(s.start_char, s.end_char) for s in doc.spans["percentages"]]
    assert claims == percents and len(claims) == 3
    assert [s._.claim["fields"]["qualifier"] for s in doc.spans["percentages"]] == [
        "exactly", "at_least", "exactly"]


def test_subject_offsets_point_into_the_text(nlp):
    """Mentions keep absolute character offsets, also after earlier sentences and for groups."""
    text = ("Markets were calm on Monday. Microsoft and Google together control about 65% of "
            "the cloud market.\nTesla's shares fell 3% on Tuesday, while revenue at Siemens "
            "rose 12 per cent.")
    doc = nlp(text)
    subjects = [s._.claim["fields"]["subject"] for s in doc.spans["percentages"]]
    assert [s["text"] for s in subjects] == ["Microsoft and Google", "Tesla", "Siemens"]
    for subject in subjects:
        assert doc.text[subject["start"]:subject["end"]] == subject["text"]
        assert subject["label"] == "ORG"
    for span in doc.spans["percentages"]:
        assert doc.text[span.start_char:span.end_char] == span.text
        assert span.label_ == "percentage"


def test_seed_article_claims_match_the_gold(nlp):
    gold = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines()]
    for record in gold:
        wanted = [c for c in record["claims"] if c["type"] == "percentage"]
        doc = nlp((CORPUS / record["doc"]).read_text(encoding="utf-8"))
        got = {(s.start_char, s.end_char): s._.claim["fields"] for s in doc.spans["percentages"]}
        for claim in wanted:
            fields = got[(claim["evidence"]["start"], claim["evidence"]["end"])]
            assert fields["value"] == claim["value"]
            assert fields["qualifier"] == claim["qualifier"]
            assert fields["subject"]["text"] == claim["subject"]
            assert fields["metric"] == claim["metric"]
            assert fields["when"] == claim["when"]
        if wanted:
            changes = {(f["from"], f["to"], f["direction"]) for f in got.values()}
            assert changes == {(75.0, 50.0, "down")}


def test_to_disk_from_disk_round_trip(nlp, tmp_path):
    stage = nlp.get_pipe("newsclaims_percentages")
    stage.to_disk(tmp_path / "stage")
    assert srsly.read_json(tmp_path / "stage" / "percentage_cues.json") == srsly.read_json(
        MODELS / "lexicons" / "percentage_cues.json")
    loaded = Percentages(nlp, "newsclaims_percentages").from_disk(tmp_path / "stage")
    assert loaded.lexicon == stage.lexicon
    assert loaded.cues == stage.cues
    text = "Unilever's operating margin narrowed to 16.5% from 18.2% a year earlier."
    reference = nlp(text)
    expected = [s._.claim for s in reference.spans["percentages"]]
    assert len(expected) == 2
    doc = nlp(text)
    loaded(doc)
    assert [s._.claim for s in doc.spans["percentages"]] == expected


def test_without_a_lexicon_the_stage_still_reads_numbers(nlp):
    doc = nlp("Revenue at Siemens rose about 12% in the third quarter.")
    bare = Percentages(nlp, "bare")
    bare(doc)
    fields = doc.spans["percentages"][0]._.claim["fields"]
    assert (fields["value"], fields["qualifier"], fields["unit"]) == (12.0, "exactly", "percent")
    assert fields["metric"] == "Revenue"


# -- the steps alone ---------------------------------------------------------------------------
CUES = Cues.from_lexicon(srsly.read_json(MODELS / "lexicons" / "percentage_cues.json"))


def percent_span(doc, evidence):
    """The PERCENT span over ``evidence`` (made by hand: the steps do not need the NER)."""
    start = doc.text.index(evidence)
    span = doc.char_span(start, start + len(evidence), label="PERCENT")
    assert span is not None, evidence
    return span


@pytest.mark.parametrize(("text", "evidence", "expected"), [
    # (value, range, qualifier, unit, sign)
    ("Sales rose about 12% in May.", "about 12%", (12.0, None, "about", "percent", None)),
    ("Costs grew more than 20 percent.", "more than 20 percent",
     (20.0, None, "more_than", "percent", None)),
    ("Orders grew twenty-five percent.", "twenty-five percent", (25.0, None, "exactly", "percent", None)),
    ("It was one hundred percent.", "one hundred percent", (100.0, None, "exactly", "percent", None)),
    ("Margins were 10-15% last year.", "10-15%", (10.0, [10.0, 15.0], "exactly", "percent", None)),
    ("Between 54% and 52% of voters.", "54% and 52%", (52.0, [52.0, 54.0], "exactly", "percent", None)),
    ("The yield moved -0.5 percentage points.", "-0.5 percentage points",
     (0.5, None, "exactly", "percentage_points", "down")),
    ("The index closed +1,250.5 per cent higher.", "+1,250.5 per cent",
     (1250.5, None, "exactly", "percent", "up")),
    ("Turnout was I0% in the scan.", "I0%", (None, None, "exactly", "percent", None)),
])
def test_read_value_qualifier_unit_and_sign(blank_nlp, text, evidence, expected):
    reading = read(percent_span(blank_nlp(text), evidence), CUES)
    assert (reading.value, reading.range, reading.qualifier, reading.unit, reading.sign) == expected


@pytest.mark.parametrize(("word", "with_lexicon", "without_lexicon"), [
    ("12", 12.0, 12.0), ("3.5", 3.5, 3.5), ("1,000", 1000.0, 1000.0), (".5", 0.5, 0.5),
    ("five", 5.0, None), ("Twenty", 20.0, None), ("percent", None, None), ("I0", None, None),
])
def test_number_words_need_the_lexicon_digits_do_not(blank_nlp, word, with_lexicon, without_lexicon):
    token = blank_nlp(word)[0]
    assert number(token, CUES) == with_lexicon
    assert number(token, Cues()) == without_lexicon


@pytest.mark.parametrize(("text", "date", "expected"), [
    ("Revenue fell 3% on Tuesday.", "Tuesday", True),
    ("Revenue at Siemens rose 12% in the third quarter.", "the third quarter", True),
    ("Sales grow about 5% a year.", "a year", False),                             # a rate
    ("Sales rose 5% from a year earlier.", "a year earlier", False),              # after "from"
    ("Sales rose 5% compared with the same period last year.", "the same period last year", False),
    ("Bookings grew 12% compared with 2021.", "2021", False),                     # after "compared with"
    ("Yields on the 10-year Treasury rose to 4%.", "10-year", False),             # modifies a noun
])
def test_is_time_rejects_rates_comparison_bases_and_modifiers(nlp, text, date, expected):
    doc = nlp(text)
    start = text.index(date)
    assert is_time(doc, doc.char_span(start, start + len(date)), CUES) is expected


@pytest.mark.parametrize(("text", "evidence", "kind", "anchor", "role"), [
    ("Tesla's shares fell 3% on Tuesday.", "3%", "verb", "fell", None),
    ("Berkshire bought a 5% stake in the company.", "5%", "noun", "stake", None),
    ("The margin narrowed to 16.5% from 18.2%.", "16.5%", "verb", "narrowed", "to"),
    ("The margin narrowed to 16.5% from 18.2%.", "18.2%", "verb", "narrowed", "from"),
])
def test_attach_finds_the_anchor_and_the_change_role(nlp, text, evidence, kind, anchor, role):
    doc = nlp(text)
    reading = read(percent_span(doc, evidence), CUES)
    percent_tokens = {t.i: e for e in doc.ents if e.label_ == "PERCENT" for t in e}
    attach(reading, CUES, percent_tokens, set(percent_tokens))
    assert (reading.kind, reading.anchor.text if reading.anchor else None, reading.role) == (kind, anchor, role)


def change_reading(doc, value, *, role=None, anchor=None, sign=None, path=None, kind="verb"):
    """A Reading as ``attach`` leaves it, built by hand for the changes step."""
    return Reading(doc[:1], value, None, "exactly", "percent", sign, role=role,
                   anchor=doc[anchor] if anchor is not None else None, kind=kind, path_direction=path)


@pytest.mark.parametrize(("specs", "expected"), [
    # a neutral anchor: the direction comes from the values
    ([dict(value=18.2, role="from", anchor=1), dict(value=16.5, role="to", anchor=1)],
     [(18.2, 16.5, "down"), (18.2, 16.5, "down")]),
    # "came in at 11.9%, compared with 7.5%": one unmarked percentage is the end
    ([dict(value=7.5, role="from", anchor=1), dict(value=11.9, anchor=1)],
     [(7.5, 11.9, "up"), (7.5, 11.9, "up")]),
    # words on the way ("higher") beat the values
    ([dict(value=20.0, role="from", anchor=1, path="up"), dict(value=10.0, role="to", anchor=1)],
     [(20.0, 10.0, "up"), (20.0, 10.0, "up")]),
    # equal values and no words: no direction
    ([dict(value=5.0, role="from", anchor=1), dict(value=5.0, role="to", anchor=1)],
     [(5.0, 5.0, None), (5.0, 5.0, None)]),
    # two unmarked ends are ambiguous: nothing paired
    ([dict(value=5.0, role="from", anchor=1), dict(value=6.0, anchor=1), dict(value=7.0, anchor=1)],
     [(None, None, None)] * 3),
    # ends on different anchors are different changes
    ([dict(value=5.0, role="from", anchor=1), dict(value=6.0, role="to", anchor=2)],
     [(None, None, None), (None, None, None)]),
    # a lone percentage: its change noun, else its sign
    ([dict(value=2.0, anchor=3, kind="noun", sign="down")], [(None, None, "up")]),
    ([dict(value=2.0, sign="down")], [(None, None, "down")]),
])
def test_changes_pair_ends_and_pick_a_direction(blank_nlp, specs, expected):
    doc = blank_nlp("Margin was then growth today")
    readings = [change_reading(doc, **spec) for spec in specs]
    fill_changes(readings, CUES)
    assert [(r.fields.get("from"), r.fields.get("to"), r.fields["direction"]) for r in readings] == expected


# Texts of several sentences: the owner comes from the sentences before (step ``context``).
CONTEXT_CASES = [
    # a subjectless results sentence takes the article's company
    ("Norvale Foods has reported a rise in profits.\n\nUnderlying profits rose 4% to $90m.",
     "4%", "Norvale Foods"),
    # "its" is the company's, never the city named before it
    ("Brixham Bank raised new funds. In London its shares fell 3% on the news.", "3%",
     "Brixham Bank"),
    # "the company's": the organisation topic of the text before
    ("Halvard Motors cut its forecast on Monday. The company's stock slid 9% in Paris.", "9%",
     "Halvard Motors"),
    # a name in apposition inside the owner phrase
    ("Revenue at retail giant Corvell Stores jumped 12% in May.", "12%", "Corvell Stores"),
    # the previous percentage's owner in the same paragraph
    ("Ostrava Steel said sales grew 5% in 2004. Overall, net profits were up 8%.", "8%",
     "Ostrava Steel"),
]


@pytest.mark.parametrize(("text", "evidence", "subject"), CONTEXT_CASES,
                         ids=[f"{i:02d}-{c[1]}" for i, c in enumerate(CONTEXT_CASES)])
def test_subject_from_context(nlp, text, evidence, subject):
    fields = claim_for(nlp(text), evidence)["fields"]
    assert fields["subject"] is not None and fields["subject"]["text"] == subject


# The metric as annotated: stake in X, share of X, share price + direction, quantity + direction.
METRIC_CASES = [
    ("Kestrel Capital is to buy 30% of Norvale Foods for $2bn.", "30%",
     "Kestrel Capital", "stake in Norvale Foods"),
    ("Norvale Foods, which is 40% owned by Kestrel Capital, cut its forecast.", "40%",
     "Kestrel Capital", "stake in Norvale Foods"),
    ("Norvale Foods makes more than 60% of its sales abroad.", "more than 60%",
     "Norvale Foods", "share of sales"),
    ("In Paris, Halvard Motors fell 2.1% to 17.58 euros.", "2.1%", "Halvard Motors",
     "share price fall"),
    ("Shares in Halvard Motors rose 4% on Monday.", "4%", "Halvard Motors", "share price rise"),
    ("Halvard Motors reported a 12% drop in quarterly profits.", "12%", "Halvard Motors",
     "quarterly profits drop"),
    # forecasts of growth; the starting value is the previous forecast
    ("Forecasts for Brazilian growth were cut to 2.5% from 3.1% this year.", "2.5%", "Brazil",
     "growth forecast"),
    ("Forecasts for Brazilian growth were cut to 2.5% from 3.1% this year.", "3.1%", "Brazil",
     "previous growth forecast"),
    # a percentage restating an amount of money belongs to what the amount measures
    ("At Norvale Foods, fuel costs rose by £106m or 47.3%.", "47.3%", "Norvale Foods",
     "fuel costs rise"),
    # a surveyed group: the share is what the group is or does
    ("More than 60% of shoppers are worried about rising prices, a poll found.", "More than 60%",
     "shoppers", "share worried about rising prices"),
    ("The study found 45% of drivers using a phone at the wheel.", "45%", "drivers",
     "share using a phone at the wheel"),
    # a percentage with no metric of its own shares the sentence's
    ("Halvard Motors fell 2.1% to 17.58 euros, with Kestrel Cars down 1.7%.", "1.7%", "Kestrel Cars",
     "share price fall"),
]


@pytest.mark.parametrize(("text", "evidence", "subject", "metric"), METRIC_CASES,
                         ids=[f"{i:02d}-{c[1]}" for i, c in enumerate(METRIC_CASES)])
def test_metric_in_annotated_form(nlp, text, evidence, subject, metric):
    fields = claim_for(nlp(text), evidence)["fields"]
    assert (fields["subject"]["text"] if fields["subject"] else None, fields["metric"]) == (
        subject, metric)


# Owners that are not organisations, and organisations named through a person or an apposition.
OWNER_CASES = [
    ("Forecasts for Japanese growth were cut to 1.5% this year.", "1.5%", "Japan"),
    ("Steel prices rose by 9% in Brazil last month.", "9%", "Brazil"),
    ("More than 70% of small businesses around the country expect higher costs.", "More than 70%",
     "small businesses around the country"),
    ("About 40% of shoppers polled for the study said prices were too high, and another 12% "
     "disagreed.", "12%", "shoppers"),
    ("\"Sales should grow 4% next year,\" Norvale Foods chairman Ada Brenner said.", "4%",
     "Norvale Foods"),
    ("The biggest grocer, Kestrel Stores, is to buy 30% of Norvale Foods.", "30%", "Kestrel Stores"),
    # an unnamed holder of a stake, as the subject or the by-agent
    ("The regional government owns 51% of Norvale Foods.", "51%", "regional government"),
    ("The remaining 12% will be retained by the regional government.", "12%", "regional government"),
    # the owner named by the subject of the verb that governs the clause
    ("Norvale's European business saw volume sales fall 2.5% last year.", "2.5%", "Norvale"),
    ("Ada Brenner, Norvale Foods' chief executive, said costs rose 7%.", "7%", "Norvale Foods"),
    # an absolute "with X down N%" clause names its own company
    ("Halvard Motors lost 2.5% to 270 yen, with closest rival Kestrel Cars down 3.4%.", "3.4%",
     "Kestrel Cars"),
]


@pytest.mark.parametrize(("text", "evidence", "subject"), OWNER_CASES,
                         ids=[f"{i:02d}-{c[1]}" for i, c in enumerate(OWNER_CASES)])
def test_owner_places_groups_and_speakers(nlp, text, evidence, subject):
    fields = claim_for(nlp(text), evidence)["fields"]
    assert fields["subject"] is not None and fields["subject"]["text"] == subject


# The time from the measured noun, the other end of a change, or the paragraph's period.
WHEN_CASES = [
    ("Norvale Foods said fourth quarter sales rose 2% to $1.1bn.", "2%", "fourth quarter"),
    ("Norvale Foods said profits rose 12% in 2004. Overall, revenues were up 4%.", "4%", "2004"),
    ("Forecasts were cut to 2.0% from 2.5% this year.", "2.0%", "this year"),
    ("Norvale Foods said profits rose 12% in 2004.\n\nRevenues were up 4%.", "4%", None),
    # market times that the NER does not tag
    ("Halvard shares rose 3% to 57 francs in early trading.", "3%", "early trading"),
    ("Halvard shares rose 4.5% by 0900 GMT.", "4.5%", "by 0900 GMT"),
]


@pytest.mark.parametrize(("text", "evidence", "when"), WHEN_CASES,
                         ids=[f"{i:02d}-{c[1]}" for i, c in enumerate(WHEN_CASES)])
def test_when_from_noun_change_and_paragraph(nlp, text, evidence, when):
    assert claim_for(nlp(text), evidence)["fields"]["when"] == when
