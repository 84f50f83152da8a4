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

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from ..claim_spans import add_claim, mention
from .candidates import find_candidates
from .model import Candidate, Lexicon
from .parse import headline, main_org
from .slots import fill_slots, stated_actor
from .status import status

__all__ = ["Candidate", "DirectiveFinder", "Lexicon", "make_directives"]


class DirectiveFinder:
    """Find directive clauses and fill actor, targets, action, status, from and to."""

    def __init__(self, name: str = "newsclaims_directives", *, spans_key: str = "directives",
                 score: float = 0.7) -> None:
        self.name = name
        self.spans_key = spans_key
        self.score = score
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
        """Per sentence (headline and questions skipped): candidates → slots → status → claim.
        An unstated actor is the previous directive's, else the document's main organisation."""
        doc.spans[self.spans_key] = []
        if not self.lexicon or not doc.has_annotation("DEP"):
            return doc
        lexicon = Lexicon(self.lexicon)
        title = headline(doc)
        previous_actor: Span | None = None
        for sent in doc.sents:
            if title is not None and sent.start_char < title[1] and sent.end_char > title[0]:
                continue
            if sent.text.rstrip().endswith("?"):
                continue
            for cand in find_candidates(sent, lexicon):
                stated = stated_actor(doc, cand, lexicon)
                actor = stated or previous_actor or main_org(doc)
                previous_actor = actor
                self._add(doc, cand, actor, stated)
        return doc

    def _add(self, doc: Doc, cand: Candidate, actor: Span | None, stated: Span | None) -> None:
        """Fill the candidate's slots and add it as a claim (nothing for an empty clause)."""
        slots = fill_slots(doc, cand, stated)
        if slots is None:
            return
        fields: dict[str, Any] = {
            "actor": mention(actor),
            "targets": [mention(t) for t in slots.targets],
            "action": cand.action,
            "status": status(cand),
            "from": slots.source,
            "to": slots.destination,
            "cue": cand.anchor.lemma_.lower(),
        }
        add_claim(doc, self.spans_key, slots.evidence, "directive", fields,
                  rule=f"{cand.kind}:{cand.rule}", score=self.score)


@Language.factory(
    "newsclaims_directives",
    assigns=["doc.spans"],
    requires=["doc.ents", "token.dep", "token.lemma"],
    default_config={"spans_key": "directives", "score": 0.7},
)
def make_directives(nlp: Language, name: str, *, spans_key: str, score: float) -> DirectiveFinder:
    """Build the directive stage; cue words arrive through ``initialize``."""
    return DirectiveFinder(name, spans_key=spans_key, score=score)
