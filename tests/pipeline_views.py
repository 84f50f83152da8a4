"""What a pipeline decides about a text, as plain JSON: compared across assembled and packaged
pipelines (tests/test_packaging.py), also in a fresh interpreter, so it imports no stage itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spacy.language import Language

from pipeline.extract import doc_claims, pipeline_info

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TOKENIZER_TEXT = "Tmall's CFO Li Bo（李博）said，about 50% of sales were online。"


def seed_texts() -> list[str]:
    """The seed articles of corpus/ and one sentence that needs the full-width punctuation split."""
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))] + [TOKENIZER_TEXT]


def describe(nlp: Language, texts: list[str]) -> list[dict[str, Any]]:
    """Everything a pipeline decides about each text: tokens, entities, span groups and claims."""
    info = pipeline_info(nlp)
    out = []
    for text in texts:
        doc = nlp(text)
        out.append({
            "tokens": [t.text for t in doc],
            "ents": [[e.start_char, e.end_char, e.label_, e._.provenance] for e in doc.ents],
            "spans": {key: [[s.start_char, s.end_char, s.label_, s.id_, s.kb_id_] for s in group]
                      for key, group in sorted(doc.spans.items())},
            "claims": [c.to_dict() for c in doc_claims(doc, "d" * 64, info)],
        })
    return json.loads(json.dumps(out))
