"""Step 3 of a directive: its status (planned, done, announced or suggested)."""

from .model import Candidate
from .parse import clause_head

PLANNED_AUXES = {"will", "shall", "'ll", "would", "to"}
PLANNING_VERBS = {"plan", "aim", "intend", "seek", "prepare"}
PERFECT_AUXES = {"has", "have", "had", "'ve"}


def status(cand: Candidate) -> str:
    """Suggestions are "suggested", enumerations "announced"; otherwise the auxiliaries and
    tense of the clause head decide: future or a planning verb → "planned", perfect or past → "done"."""
    if cand.kind in {"suggestion", "necessity"}:
        return "suggested"
    if cand.kind == "enumeration":
        return "announced"
    verb = clause_head(cand.anchor)
    auxes = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    if auxes & PLANNED_AUXES or verb.head.lemma_.lower() in PLANNING_VERBS:
        return "planned"
    if auxes & PERFECT_AUXES or verb.tag_ == "VBD":
        return "done"
    return "announced"
