"""Step 3 of a directive: its status (planned, done, announced or suggested).

The status comes from the directive verb and the verbs that govern it through complements
("plans to buy", "is to close", "has agreed to buy", "will have to shed"), tried in this order:
suggested (may/could, "have to", "is said to"), planned (plan/aim/hope/expect/look to ...),
announced (will/would, "is to", a decision verb such as agree/offer/announce, the progressive),
done (past or perfect of the action itself), else announced. Nominal directives ("its takeover
of X") are done when dated in the past ("last year", "the completion of"), else announced.
The cue words are the lexicon's ``statuses`` section; the constants below are its defaults.
"""

from spacy.tokens import Token

from .model import Candidate, Lexicon
from .parse import clause_head

SUGGESTED_MODALS = {"may", "might", "could"}
PLANNED_VERBS = {"plan", "aim", "intend", "seek", "hope", "expect", "look", "try", "want", "like",
                 "prepare", "eye", "target", "wish", "propose", "vow"}
ANNOUNCED_VERBS = {"agree", "offer", "announce", "decide", "approve", "choose", "confirm", "vote", "sign",
                   "unveil", "pledge", "promise", "bid", "set", "due", "poised", "begin", "start"}
FUTURE_AUXES = {"will", "shall", "'ll", "would", "wo"}
PERFECT_AUXES = {"has", "have", "had", "'ve", "'d"}
COMPLEMENT_DEPS = {"xcomp", "acomp"}
PURPOSE_DEPS = {"advcl", "pcomp", "conj"}
PLAN_NOUNS = {"plan", "proposal", "intention", "aim", "objective", "strategy", "target"}
DATED_DONE = {"last", "ago", "yesterday", "completion", "completed", "recent"}


def _words(lexicon: Lexicon | None, key: str, default: set[str]) -> set[str]:
    """A status word list from the lexicon, ``default`` without one."""
    if lexicon is None:
        return default
    found = lexicon.words("statuses", key)
    return found or default


def governing_chain(verb: Token) -> list[Token]:
    """The verb, then the verbs above it through complements and infinitives of purpose
    ("plans to buy", "has bid $1m to buy", "is due to complete"); reporting frames (ccomp) stop it."""
    chain = [verb]
    node = verb
    while node.head.i != node.i:
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children)
        if node.dep_ in COMPLEMENT_DEPS or node.dep_ in PURPOSE_DEPS and infinitive:
            node = clause_head(node.head)
            chain.append(node)
            continue
        break
    return chain


def _auxes(verb: Token) -> set[str]:
    return {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}


def chain_status(chain: list[Token], lexicon: Lexicon | None) -> str | None:
    """The status the governing verbs state, None when they state none."""
    modals = _words(lexicon, "suggested_modals", SUGGESTED_MODALS)
    planned = _words(lexicon, "planned_verbs", PLANNED_VERBS)
    announced = _words(lexicon, "announced_verbs", ANNOUNCED_VERBS)
    future = _words(lexicon, "future_auxes", FUTURE_AUXES)
    bottom, above = chain[0], chain[1:]
    for verb in chain:
        if _auxes(verb) & modals:
            return "suggested"
    for verb in above:
        lemma = verb.lemma_.lower()
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        if lemma in {"have", "need"} and _auxes(verb) & FUTURE_AUXES or \
                lemma in {"say", "urge", "rumour", "report"} and passive or lemma == "threaten":
            return "suggested"
    if any(v.lemma_.lower() in planned for v in above):
        return "planned"
    if any(_auxes(v) & future for v in chain):
        return "announced"
    if any(v.lemma_.lower() in announced | {"be"} for v in above):
        return "announced"  # "has agreed to buy", "is to close", "is set to sell"
    if bottom.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_ == "be" for c in bottom.children):
        return "announced"  # progressive: "is cutting"
    return None


def tense_status(verb: Token, lexicon: Lexicon | None) -> str:
    """Past or perfect of the action itself is done; the rest is announced."""
    perfect = _words(lexicon, "perfect_auxes", PERFECT_AUXES)
    auxes = _auxes(verb)
    if auxes & perfect or verb.tag_ == "VBD" or auxes & {"was", "were"}:
        return "done"
    return "announced"


def nominal_status(noun: Token, lexicon: Lexicon | None) -> str:
    """A directive noun: its modifiers ("possible", "planned"), a past date or completion → done,
    else the status of the verb it belongs to, else announced."""
    record = lexicon.get("directive_nouns", {}) if lexicon is not None else {}
    hedges = record.get("hedges", {})
    mods = {c.lower_ for c in noun.children if c.dep_ in {"amod", "compound", "nmod"}}
    if mods & set(hedges.get("suggested", [])):
        return "suggested"
    dated = set(record.get("dated_done", DATED_DONE))
    words = {t.lower_ for t in noun.subtree} | {a.lower_ for a in list(noun.ancestors)[:2]}
    if words & dated:
        return "done"
    head = noun.head
    if head.pos_ in {"VERB", "AUX"} and noun.dep_ in {"dobj", "nsubj", "nsubjpass", "attr"}:
        found = chain_status(governing_chain(clause_head(head)), lexicon)
        if found is not None:
            return found
    if mods & set(hedges.get("planned", [])) and noun.dep_ not in {"dobj"}:
        return "planned"
    return "announced"


def status(cand: Candidate, lexicon: Lexicon | None = None) -> str:
    """Suggestions are "suggested", enumerations "announced"; otherwise the governing chain, then
    the tense, decide (see the module docstring)."""
    if cand.kind in {"suggestion", "necessity"}:
        return "suggested"
    if cand.kind == "enumeration":
        return "announced"
    if cand.noun is not None:
        if cand.anchor.i == cand.noun.i:
            return nominal_status(cand.noun, lexicon)
        verb = clause_head(cand.anchor)
        found = chain_status(governing_chain(verb), lexicon)
        if found is not None:
            return found
        words = {t.lower_ for t in cand.noun.subtree} | {c.lower_ for c in verb.children}
        if verb.lemma_.lower() in {"complete", "finalise", "finalize", "seal", "clinch"} or \
                words & DATED_DONE:
            return tense_status(verb, lexicon)
        return "announced"  # "announced the planned sale", "has launched a bid"
    verb = clause_head(cand.anchor)
    found = chain_status(governing_chain(verb), lexicon)
    if found is not None:
        return found
    record = next((r for r in (lexicon.get("actions", []) if lexicon is not None else [])
                   if r["id"] == cand.rule), {})
    if record.get("done_is") and tense_status(verb, lexicon) == "done":
        return record["done_is"]  # "has been put up for sale": the sale is announced
    if verb.dep_ == "acl" and verb.head.pos_ in {"NOUN", "PROPN"}:
        # "announced plans to buy": announced; "a plan to restructure": planned
        owner = verb.head.head
        announced = _words(lexicon, "announced_verbs", ANNOUNCED_VERBS)
        if owner.pos_ in {"VERB", "AUX"} and owner.lemma_.lower() in announced:
            return "announced"
        return "planned" if verb.head.lemma_.lower() in PLAN_NOUNS else "announced"
    return tense_status(verb, lexicon)
