"""Directives as corporate actions (issue 10): acquisitions, sales, closures, exits, listings,
job cuts and their nominal forms, with status from the governing verbs, the actor through
pronouns, descriptions and control verbs, one claim per actor, and targets by action. Every
sentence is written for these tests (invented companies and people)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def claims(nlp, text: str) -> list[tuple[str, str | None, str, list[str]]]:
    """(action, actor, status, targets) of each directive in ``text``."""
    doc = nlp(text)
    out = []
    for span in doc.spans["directives"]:
        fields = span._.claim["fields"]
        actor = fields["actor"]["text"] if fields["actor"] else None
        out.append((fields["action"], actor, fields["status"], [t["text"] for t in fields["targets"]]))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # acquisitions: verbs, status from tense and governing verbs
        ("Norvale Foods has bought a 20% stake in Brightwater Dairies.",
         [("acquire", "Norvale Foods", "done", ["Brightwater Dairies"])]),
        ("Norvale Foods is to buy rival Brightwater Dairies for $2bn.",
         [("acquire", "Norvale Foods", "announced", ["Brightwater Dairies"])]),
        ("Norvale Foods has agreed to buy 33% of Brightwater Dairies.",
         [("acquire", "Norvale Foods", "announced", ["Brightwater Dairies"])]),
        ("Norvale Foods plans to acquire Brightwater Dairies.",
         [("acquire", "Norvale Foods", "planned", ["Brightwater Dairies"])]),
        ("Norvale Foods could buy Brightwater Dairies next year.",
         [("acquire", "Norvale Foods", "suggested", ["Brightwater Dairies"])]),
        ("Norvale Foods will pay $300m for Brightwater Dairies.",
         [("acquire", "Norvale Foods", "announced", ["Brightwater Dairies"])]),
        # nominal forms
        ("Shares rose after Norvale Foods's takeover of Brightwater Dairies.",
         [("acquire", "Norvale Foods", "announced", ["Brightwater Dairies"])]),
        ("Ada Brenner has launched a bid for Kessler Group.",
         [("acquire", "Ada Brenner", "announced", ["Kessler Group"])]),
        ("Kessler Group has agreed a share buy-back.",
         [("change", "Kessler Group", "announced", ["Kessler Group"])]),
        # sales: a unit sold to a buyer names seller and buyer; product sales are not directives
        ("Kessler Group is to sell its dairy division to Norvale Foods.",
         [("sell", "Kessler Group", "announced", ["Kessler Group", "Norvale Foods"])]),
        # self-directed moves target the actor
        ("Kessler Group is cutting 2,000 jobs.", [("cut", "Kessler Group", "announced", ["Kessler Group"])]),
        ("Kessler Group will close three factories.",
         [("close", "Kessler Group", "announced", ["Kessler Group"])]),
        ("Kessler Group delisted its shares from the stock market in August.",
         [("list", "Kessler Group", "done", ["Kessler Group"])]),
        # jobs told from their side
        ("Kessler Group said 1,200 jobs would go.", [("cut", "Kessler Group", "announced", ["Kessler Group"])]),
        # mergers name both parties
        ("Norvale Foods will merge with Brightwater Dairies.",
         [("merge", "Norvale Foods", "announced", ["Norvale Foods", "Brightwater Dairies"])]),
        # passive with a by-agent: the agent decides
        ("Four hotels have been put up for sale by Kessler Group.",
         [("sell", "Kessler Group", "announced", ["Kessler Group"])]),
        # "is set to", "expects to", "in talks": announced and planned
        ("Kessler Group is set to close its Leeds plant.",
         [("close", "Kessler Group", "announced", ["Kessler Group"])]),
        ("Kessler Group expects to cut 500 jobs.", [("cut", "Kessler Group", "planned", ["Kessler Group"])]),
        # planning and control verbs
        ("Kessler Group hopes to expand into the Indian market.",
         [("enter_or_exit", "Kessler Group", "planned", ["Kessler Group"])]),
    ],
)
def test_corporate_actions(nlp, text, expected):
    assert claims(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kessler Group sold 10 million phones last year.",  # product sales are results
        "Its sales rose 5% in the quarter.",  # 'sales' are revenue, not disposals
        "Kessler Group was founded in 1875 by Ada Brenner. It grew fast in 2004 and 2005.",  # history
        "A survey of 500 bosses suggests that firms will cut costs.",  # a survey indicates
        "The deal could have forced Norvale Foods to buy the firm outright.",  # counterfactual
        "Analysts expect Norvale Foods to buy Kessler Group.",  # someone else's expectation
        "The takeover was announced on Monday.",  # a bare reference
        "Customers made at least one purchase on the site.",  # shopping, not an acquisition
    ],
)
def test_not_corporate_actions(nlp, text):
    assert claims(nlp, text) == []


def test_pronoun_and_description_take_the_last_organisation(nlp):
    text = ("Norvale Foods has bought a stake in Brightwater Dairies. "
            "It plans to buy the rest of the company next year. "
            "The Danish dairy maker will also close two plants.")
    found = claims(nlp, text)
    assert [(a, actor) for a, actor, _, _ in found] == [
        ("acquire", "Norvale Foods"), ("acquire", "Norvale Foods"), ("close", "Norvale Foods")]
    assert found[1][2] == "planned"


def test_one_claim_per_actor(nlp):
    text = "Norvale Foods and Brightwater Dairies have both invested in the Indian market."
    found = claims(nlp, text)
    assert [actor for _, actor, _, _ in found] == ["Norvale Foods", "Brightwater Dairies"]
    assert [targets for _, _, _, targets in found] == [["Norvale Foods"], ["Brightwater Dairies"]]


def test_nested_nominal_directive_is_its_own_claim(nlp):
    text = "Norvale Foods said it is cutting 900 jobs after its takeover of Brightwater Dairies."
    doc = nlp(text)
    spans = [(s.text, s._.claim["fields"]["action"]) for s in doc.spans["directives"]]
    assert spans == [("it is cutting 900 jobs", "cut"),
                     ("its takeover of Brightwater Dairies", "acquire")]


def test_headline_borrows_actor_and_status_from_the_body(nlp):
    text = ("Dairy giant buys rival for $2bn\n\n"
            "Norvale Foods is to buy rival Brightwater Dairies for $2bn.")
    found = claims(nlp, text)
    assert ("acquire", "Norvale Foods", "announced", ["Brightwater Dairies"]) in found
    assert len(found) == 2


def test_person_for_a_company_gives_way_to_the_company(nlp):
    text = ("Kessler Group is in trouble. Ada Brenner, its chief executive, told investors "
            "the company would shed 3,000 jobs.")
    (found,) = claims(nlp, text)
    assert found[:2] == ("cut", "Kessler Group")


def test_acquisition_headline_names_every_company_the_lead_buys(nlp):
    text = ("Dairy giant goes on acquisition spree\n\n"
            "Norvale Foods has bought Brightwater Dairies. It also acquired Ostrava Milk Company. "
            "The firm said little else.")
    doc = nlp(text)
    (head,) = [s for s in doc.spans["directives"] if s.end_char <= text.index("\n")]
    fields = head._.claim["fields"]
    assert (fields["action"], fields["actor"]["text"]) == ("acquire", "Norvale Foods")
    assert [t["text"] for t in fields["targets"]] == ["Brightwater Dairies", "Ostrava Milk Company"]
