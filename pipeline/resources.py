"""Readers for the rule data in ``models/``, registered so ``config.cfg`` can name them."""


import re
from pathlib import Path
from typing import Any

import srsly
from spacy.util import registry

SLASH = re.compile(r"\s*/\s*")
APOSTROPHES = ("'", "’")


def spelling_variants(pattern: str) -> list[str]:
    """Spellings journalists use for one name: spaces around "/" and both apostrophes.

    "Taobao/Tmall Commerce Group" is also written "Taobao / Tmall" and "Taobao/ Tmall"; the
    tokenizer splits these differently, so each spelling needs its own phrase pattern.
    """
    variants = {pattern}
    if "/" in pattern:
        for joiner in ("/", " / ", "/ ", " /"):
            variants.add(SLASH.sub(joiner, pattern))
    for variant in list(variants):
        for quote in APOSTROPHES:
            for other in APOSTROPHES:
                variants.add(variant.replace(quote, other))
    return sorted(variants)


@registry.misc("newsclaims.read_gazetteer.v1")
def read_gazetteer(path: str) -> list[dict[str, Any]]:
    """SpanRuler patterns from JSONL; phrase patterns gain their spelling variants."""
    patterns: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for record in srsly.read_jsonl(Path(path)):
        if not isinstance(record["pattern"], str):
            patterns.append(record)
            continue
        for variant in spelling_variants(record["pattern"]):
            key = (record["label"], variant)
            if key not in seen:
                seen.add(key)
                patterns.append({**record, "pattern": variant})
    return patterns


@registry.misc("newsclaims.read_records.v1")
def read_records(path: str) -> list[dict[str, Any]]:
    """The ``records`` list of a lexicon file ({"description": ..., "records": [...]})."""
    data = srsly.read_json(Path(path))
    return list(data["records"])
