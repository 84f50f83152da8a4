"""Stage ``newsclaims_directives``: strategic directives with who decided them and for whom.

A directive is a decision, plan or declared direction about an organisation's strategy or
structure ("three new operation centres have been set up", "traffic will shift back to
Taobao"). Clauses are found from cue words over the dependency parse: action verbs, verbs of
suggestion ("suggested a flatter structure"), necessity ("changes are necessary"), nominal
restructurings ("the reorganisation involves ...") and enumerations of directions after a
colon. Expectations, effects, opinions, questions, negations and the past are left out. The
actor follows the subject, the speaker of a governing reporting verb, a source document
("an internal Alibaba letter"), or, failing those, the document's previous directive or its
most-mentioned organisation. All cue words are data in ``models/lexicons/directive_cues.json``.

The steps live in their own modules, each callable alone: ``candidates`` (find cue clauses),
``slots`` (actor, evidence, targets, from/to), ``status`` (planned/done/announced/suggested);
``parse`` holds the parse utilities they share. This module only orchestrates them.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import srsly
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path

from ..claim_spans import add_claim, doc_text, mention
from ..config_values import config_score
from .candidates import find_candidates
from .model import Candidate, Lexicon
from .parse import forget_entities, headline, main_org
from .slots import coordinated_actors, fill_slots, stated_actor
from .status import status

__all__ = ["Candidate", "DirectiveFinder", "Lexicon", "make_directives"]


LEAD_SENTENCES = 3  # the body sentences a headline sums up
SUMMED_ACTIONS = {"acquire"}  # a headline about acquisitions names every company the lead's buy


class DirectiveFinder:
    """Find directive clauses and fill actor, targets, action, status, from and to."""

    def __init__(self, name: str = "newsclaims_directives", *, spans_key: str = "directives",
                 score: float = 0.7) -> None:
        self.name = name
        self.spans_key = spans_key
        self.score = config_score(score)
        self.lexicon: dict[str, Any] = {}

    def initialize(self, get_examples: Callable[[], Iterable[Any]] | None = None, *,
                   nlp: Language | None = None, lexicon: dict[str, Any] | None = None) -> None:
        """Load the cue lexicon."""
        self.lexicon = dict(lexicon or {})

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the cue lexicon as ``lexicon.json`` under ``path``."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "lexicon.json", self.lexicon)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "DirectiveFinder":
        """Read the cue lexicon written by ``to_disk``."""
        self.lexicon = srsly.read_json(ensure_path(path) / "lexicon.json")
        return self

    def __call__(self, doc: Doc) -> Doc:
        """Per sentence (questions skipped): candidates → slots → status → claim. The body goes
        first; a headline then takes what it leaves unstated (a descriptive subject such as
        "Steel firm", the targets, the status) from the body's first directive of its action.
        An unstated actor is the previous directive's, else the document's main organisation."""
        doc.spans[self.spans_key] = []
        if not self.lexicon or not doc.has_annotation("DEP"):
            return doc
        lexicon = Lexicon(self.lexicon)
        forget_entities()
        title = headline(doc)
        previous_actor: Span | None = None
        previous: dict[str, list[Span]] = {}
        recent = latest_year(doc)
        heads: list[Span] = []
        body: list[dict[str, Any]] = []
        lead_claims: list[dict[str, Any]] = []  # those of the body's first sentences
        body_sents = 0
        text = doc_text(doc)  # a sentence's text is its slice of it: no Token per token
        for sent in doc.sents:
            if title is not None and sent.start_char < title[1] and sent.end_char > title[0]:
                if title[0] == 0:  # a title under page furniture is part of the page, not the article
                    heads.append(sent)
                continue
            sent_text = text[sent.start_char:sent.end_char]
            if sent_text.rstrip().endswith("?"):
                continue
            body_sents += 1 if sent_text.strip() else 0
            for cand in find_candidates(sent, lexicon):
                if history(doc, cand, lexicon, recent):
                    continue
                stated = stated_actor(doc, cand, lexicon)
                actor = stated or previous_actor or main_org(doc)
                previous_actor = actor
                added = self._add(doc, cand, actor, stated, lexicon, previous)
                body.extend(added)
                if body_sents <= LEAD_SENTENCES:
                    lead_claims.extend(added)
        for sent in heads:
            for cand in find_candidates(sent, lexicon, in_headline=True):
                self._add_headline(doc, cand, lexicon, body, lead_claims)
        return doc

    def _add(self, doc: Doc, cand: Candidate, actor: Span | None, stated: Span | None, lexicon: Lexicon,
             previous: dict[str, list[Span]], fallback: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Fill the candidate's slots and add one claim per actor (nothing for an empty clause);
        returns the claims' fields. ``fallback`` (a body claim) fills a headline's gaps."""
        actors = coordinated_actors(doc, cand, actor, lexicon)
        slots = fill_slots(doc, cand, stated, lexicon, actors, previous)
        if slots is None:
            return []
        found_status = status(cand, lexicon)
        target_fields = [mention(t) for t in slots.targets]
        if fallback is not None:
            found_status = fallback["status"] if found_status == "announced" else found_status
            if not any(t.label_ == "ORG" and (actor is None or t.text != actor.text) for t in slots.targets):
                target_fields = fallback["targets"]
        if slots.targets and cand.kind in {"action", "noun"}:
            previous[cand.action] = slots.targets
        added = []
        self_directed = len(actors) > 1 and target_fields == [mention(actors[0])]
        for n, one in enumerate(actors or [actor]):
            fields: dict[str, Any] = {
                "actor": mention(one) if one is not None else (fallback or {}).get("actor"),
                "targets": [mention(one)] if self_directed and cand.action not in lexicon.words(
                    "both_parties") else target_fields,
                "action": cand.action,
                "status": found_status,
                "from": slots.source,
                "to": slots.destination,
                "cue": cand.anchor.lemma_.lower(),
            }
            rule = f"{cand.kind}:{cand.rule}" + (f"#{n + 1}" if n else "")
            add_claim(doc, self.spans_key, actor_evidence(slots.evidence, n, len(actors)), "directive", fields,
                      rule=rule, score=self.score)
            added.append(fields)
        return added

    def _add_headline(self, doc: Doc, cand: Candidate, lexicon: Lexicon, body: list[dict[str, Any]],
                      lead_claims: list[dict[str, Any]]) -> None:
        """A headline directive: its own named actor, else the body's first directive of the same
        action (else the first directive) lends actor, targets and status; for acquisitions the
        targets are all those the lead says the actor buys ("X on a buying spree")."""
        same = [f for f in body if f["action"] == cand.action]
        lead = same[0] if same else (body[0] if body else None)
        stated = stated_actor(doc, cand, lexicon) if cand.agentive else None
        if stated is None and lead is None:
            return
        lead = dict(lead or {"status": "announced", "targets": []})
        summed: dict[str, dict[str, Any]] = {}
        for fields in lead_claims if cand.action in SUMMED_ACTIONS else []:
            if fields["action"] == cand.action and (fields["actor"] or {}).get("text") == \
                    (lead.get("actor") or {}).get("text"):
                for target in fields["targets"]:
                    summed.setdefault(target["text"], target)
        if summed:
            lead["targets"] = list(summed.values())
        self._add(doc, cand, stated, stated, lexicon, {}, fallback=lead)


def actor_evidence(evidence: Span, n: int, count: int) -> Span:
    """The evidence of the ``n``-th of ``count`` actors' claims on one clause. A span's claim
    data are keyed by its offsets, so each claim needs its own span: the earlier actors' spans
    end a token earlier each, keeping the text order of the actors in the spans' lengths."""
    cut = count - 1 - n
    if cut <= 0:
        return evidence
    return evidence.doc[evidence.start:max(evidence.start + 1, evidence.end - cut)]


def is_year(token: Token) -> bool:
    """A four-digit year from 1800 on ("1875", "2004")."""
    return is_year_text(token.text)


def is_year_text(text: str) -> bool:
    """``is_year`` on a word's text."""
    return text.isdigit() and len(text) == 4 and text[:2] in {"18", "19", "20"}


def latest_year(doc: Doc) -> int | None:
    """The year the document is written in, for the history filter: the year it mentions most
    (the latest of equals; targets such as "by 2010" are mentioned once)."""
    strings = doc.vocab.strings  # counted by word id: each distinct word is tested once
    years: Counter[int] = Counter()
    orths, counts = np.unique(doc.to_array(ORTH), return_counts=True)
    for orth, n in zip(orths.tolist(), counts.tolist(), strict=True):
        if is_year_text(strings[orth]):
            years[int(strings[orth])] += n
    if not years:
        return None
    return max(years, key=lambda y: (years[y], y))


def history(doc: Doc, cand: Candidate, lexicon: Lexicon, recent: int | None) -> bool:
    """A past directive dated in an earlier year ("founded in 1875", "sold ... in 2000") or
    told since a year ("has cut 13,000 jobs since 2001"): multi-year history, not news."""
    if cand.kind not in {"action", "noun"} or status(cand, lexicon) != "done":
        return False
    record = lexicon.get("exclusions", {}).get("history", {})
    since = set(record.get("since", ["since"]))
    age = int(record.get("max_age_years", 1))
    for token in cand.tokens:
        if token.lower_ in since:
            return True
        if recent is not None and is_year(token) and int(token.text) < recent - age:
            return True
    return False


@Language.factory(
    "newsclaims_directives",
    assigns=["doc.spans"],
    requires=["doc.ents", "token.dep", "token.lemma"],
    default_config={"spans_key": "directives", "score": 0.7},
)
def make_directives(nlp: Language, name: str, *, spans_key: str, score: float) -> DirectiveFinder:
    """Build the directive stage; cue words arrive through ``initialize``."""
    return DirectiveFinder(name, spans_key=spans_key, score=score)
