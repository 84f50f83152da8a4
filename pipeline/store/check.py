"""``newsclaims check``: verify that a store is whole and consistent.

Every line parses and matches its JSON Schema, ids are unique, and every evidence span, sentence
and entity mention equals the document text at its offsets. A document line commits the claims
written before it: claims at the end of the file whose document line is missing belong to a batch
a killed run did not finish; they are counted as uncommitted (readers skip them), not as damage.
Such claims anywhere else are reported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .claim_store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE, iter_lines
from .schemas import validator

MENTION_SLOTS = ("actor", "subject", "person", "org")


@dataclass
class CheckReport:
    """What ``check_store`` found: counts and one line per problem. ``damaged`` repeats the
    problems of lines that cannot be read as a record at all (readers skip them)."""

    documents: int = 0
    claims: int = 0
    uncommitted: int = 0
    problems: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def content_problems(self) -> list[str]:
        """The problems other than damaged lines: records a reader would take as they are."""
        damaged = set(self.damaged)
        return [p for p in self.problems if p not in damaged]

    def damage(self, problem: str) -> None:
        self.problems.append(problem)
        self.damaged.append(problem)


def _read(path: Path, record_type: str, report: CheckReport) -> list[dict[str, Any]]:
    return list(_records(path, record_type, report))


def _records(path: Path, record_type: str, report: CheckReport) -> Iterator[dict[str, Any]]:
    """The file's valid records, one at a time; every other line is reported."""
    check = validator(record_type)
    for number, line, complete in iter_lines(path):
        where = f"{path.name}:{number}"
        if line is None:
            report.damage(f"{where}: not UTF-8 text")
            continue
        if not complete:
            report.damage(f"{where}: torn last line (no newline)")
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            report.damage(f"{where}: not JSON ({exc})")
            continue
        if not isinstance(record, dict):
            report.damage(f"{where}: not a JSON object")
            continue
        errors = sorted(check.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            report.problems.append(f"{where}: schema: {errors[0].message}")
            continue
        yield record


def _mentions(claim: dict[str, Any]) -> list[dict[str, Any]]:
    found = [claim[s] for s in MENTION_SLOTS if isinstance(claim.get(s), dict)]
    found.extend(t for t in claim.get("targets") or [] if isinstance(t, dict))
    return found


def check_store(root: str | Path) -> CheckReport:
    """Check the store at ``root``; never raises for bad content, reports it."""
    root = Path(root)
    report = CheckReport()
    if not root.is_dir():
        report.problems.append(f"{root}: not a store folder")
        return report
    documents = _read(root / DOCUMENTS_FILE, "document", report)
    entities = _read(root / ENTITIES_FILE, "entity", report)  # versions: ids repeat
    entity_ids = {e["id"] for e in entities} | {m for e in entities for m in e.get("merged_ids", [])}
    report.documents = len(documents)
    texts = {d["id"]: d["text"] for d in documents}
    claim_ids: Counter[str] = Counter()
    orphans: list[str] = []  # claims without their document since the last committed claim
    for claim in _records(root / CLAIMS_FILE, "claim", report):  # streamed: claims are many
        report.claims += 1
        claim_ids[claim["id"]] += 1
        where = f"{CLAIMS_FILE}: claim {claim['id']}"
        ev = claim["evidence"]
        text = texts.get(ev["doc_id"])
        if text is None:
            orphans.append(f"{where}: document {ev['doc_id']} is not in the store")
            continue
        report.problems.extend(orphans)  # a committed claim follows them: they are damage
        orphans.clear()
        if text[ev["start"]:ev["end"]] != ev["text"]:
            report.problems.append(f"{where}: evidence does not match the text at "
                                   f"{ev['start']}:{ev['end']}")
        s_start = ev["sentence_start"]
        if text[s_start:s_start + len(ev["sentence"])] != ev["sentence"]:
            report.problems.append(f"{where}: sentence does not match the text at {s_start}")
        for m in _mentions(claim):
            if text[m["start"]:m["end"]] != m["text"]:
                report.problems.append(f"{where}: mention {m['text']!r} does not match the "
                                       f"text at {m['start']}:{m['end']}")
        for ref in [claim.get("entity_id"), *(m.get("entity_id") for m in _mentions(claim))]:
            if ref and ref not in entity_ids:
                report.problems.append(f"{where}: entity {ref} is not in {ENTITIES_FILE}")
    # the last batch was cut off before the document lines that commit it: readers skip these
    # claims and the next extract over the same files completes them
    report.uncommitted = len(orphans)
    for name, ids in ((DOCUMENTS_FILE, Counter(d["id"] for d in documents)), (CLAIMS_FILE, claim_ids)):
        for record_id, count in ids.items():
            if count > 1:
                report.problems.append(f"{name}: id {record_id} appears {count} times")
    return report
