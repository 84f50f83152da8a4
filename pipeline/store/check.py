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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .claim_store import CLAIMS_FILE, DOCUMENTS_FILE, ENTITIES_FILE, iter_lines
from .schemas import validator
from .versions import UNCHANGED, Versions, claim_fingerprint, record_fingerprint, record_source_key

MENTION_SLOTS = ("actor", "subject", "person", "org")


@dataclass
class CheckReport:
    """What ``check_store`` found: counts and one line per problem. ``damaged`` repeats the
    problems of lines that cannot be read as a record at all (readers skip them)."""

    documents: int = 0  # current documents (one per article)
    claims: int = 0  # claims of the current documents' current processing
    superseded: int = 0  # document lines of earlier versions or pipelines (kept for history)
    uncommitted: int = 0
    problems: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    # documents whose claims are missing or broken: id -> (claims stated, claims found intact)
    incomplete: dict[str, tuple[int | None, int]] = field(default_factory=dict)
    # per store file, the line numbers ``extract --repair`` moves aside (unreadable lines,
    # broken claims, later copies of an id); the records they held are made again
    unusable: dict[str, set[int]] = field(default_factory=dict)

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

    def set_aside(self, file: str, number: int) -> None:
        self.unusable.setdefault(file, set()).add(number)


def _read(path: Path, record_type: str, report: CheckReport) -> list[tuple[int, dict[str, Any]]]:
    return list(_records(path, record_type, report))


def _records(path: Path, record_type: str,
             report: CheckReport) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each line of ``path`` that parses and fits its schema, one at
    a time; every other line is reported, and noted for ``extract --repair`` to set aside."""
    if not path.exists():
        return
    check = validator(record_type)
    for number, line, complete in iter_lines(path):
        where = f"{path.name}:{number}"
        if line is None:
            report.damage(f"{where}: not UTF-8 text")
            report.set_aside(path.name, number)
            continue
        if not complete:
            report.damage(f"{where}: torn last line (no newline)")
            continue  # the next writer moves it to *.torn
        try:
            record = json.loads(line)
        except ValueError as exc:
            report.damage(f"{where}: not JSON ({exc})")
            report.set_aside(path.name, number)
            continue
        if not isinstance(record, dict):
            report.damage(f"{where}: not a JSON object")
            report.set_aside(path.name, number)
            continue
        errors = sorted(check.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            report.problems.append(f"{where}: schema: {errors[0].message}")
            if record_type == "claim":  # a claim is made again from its document; others stay
                report.set_aside(path.name, number)
            continue
        yield number, record


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
    versions = Versions()
    documents = list(_new_versions(_records(root / DOCUMENTS_FILE, "document", report), versions,
                                   report))
    entities = [e for _, e in _read(root / ENTITIES_FILE, "entity", report)]  # versions: ids repeat
    entity_ids = {e["id"] for e in entities} | {m for e in entities for m in e.get("merged_ids", [])}
    report.documents = len(versions.current)
    report.superseded = len(documents) - len(versions.current)
    texts = {d["id"]: d["text"] for _, d, _ in documents}
    intact: Counter[tuple[str, str | None]] = Counter()  # per (document, pipeline)
    broken: set[str] = set()
    orphans: list[str] = []  # claims without their document since the last committed claim
    claims = _records(root / CLAIMS_FILE, "claim", report)  # streamed: claims are many
    for number, claim in _first_of_each_id(CLAIMS_FILE, claims, report, counted=True):
        doc_id = claim["evidence"]["doc_id"]
        where = f"{CLAIMS_FILE}:{number}: claim {claim['id']}"
        text = texts.get(doc_id)
        if text is None:
            orphans.append(f"{where}: document {doc_id} is not in the store")
            continue
        report.problems.extend(orphans)  # a committed claim follows them: they are damage
        orphans.clear()
        faults = _claim_faults(claim, text, entity_ids)
        report.problems.extend(f"{where}: {fault}" for fault in faults)
        if faults:
            broken.add(doc_id)
            report.set_aside(CLAIMS_FILE, number)
        else:
            intact[doc_id, claim_fingerprint(claim)] += 1
        report.claims -= not versions.is_current_claim(claim)
    # the last batch was cut off before the document lines that commit it: readers skip these
    # claims and the next extract over the same files completes them
    report.uncommitted = len(orphans)
    for number, document, position in documents:
        if versions.current.get(document["id"], {}).get("_line") != position:
            continue  # an earlier version or pipeline: readers do not use its claims
        stated = document.get("claim_count")
        found = intact[document["id"], record_fingerprint(document)]
        if document["id"] in broken or (stated is not None and found < stated):
            report.incomplete[document["id"]] = (stated, found)
            of = f" of its {stated}" if stated is not None else ""
            report.problems.append(
                f"{DOCUMENTS_FILE}:{number}: document {document['id'][:12]} ({document['path']}) "
                f"has {found}{of} claims intact (`newsclaims extract --repair` restores them)")
    return report


def _new_versions(records: Iterable[tuple[int, dict[str, Any]]], versions: Versions,
                  report: CheckReport) -> Iterator[tuple[int, dict[str, Any], int]]:
    """(line number, record, position in ``versions``) of the document lines that add a
    version: a new text of an article, a new pipeline's processing, or an earlier text made
    current again. A line repeating a current text and its pipeline is a copy no writer
    makes: set aside and reported per id."""
    copies: Counter[str] = Counter()
    for number, record in records:
        key = record_source_key(record)
        if versions.decide(record["id"], key, record_fingerprint(record)) == UNCHANGED:
            copies[record["id"]] += 1
            report.set_aside(DOCUMENTS_FILE, number)
            continue
        versions.add(record)
        yield number, record, versions.count
    for record_id, count in copies.items():
        report.problems.append(f"{DOCUMENTS_FILE}: id {record_id} appears {count + 1} times")


def _first_of_each_id(name: str, records: Iterable[tuple[int, dict[str, Any]]],
                      report: CheckReport, *,
                      counted: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """The first record of each id, streamed; later copies are set aside and reported once per
    id at the end. With ``counted``, records are counted in ``report.claims``."""
    seen: set[str] = set()
    copies: Counter[str] = Counter()
    for number, record in records:
        if counted:
            report.claims += 1
        if record["id"] in seen:
            copies[record["id"]] += 1
            report.set_aside(name, number)
        else:
            seen.add(record["id"])
            yield number, record
    for record_id, count in copies.items():
        report.problems.append(f"{name}: id {record_id} appears {count + 1} times")


def _claim_faults(claim: dict[str, Any], text: str, entity_ids: set[str]) -> list[str]:
    """What in one claim does not match its document's text or the entity records."""
    faults = []
    ev = claim["evidence"]
    if text[ev["start"]:ev["end"]] != ev["text"]:
        faults.append(f"evidence does not match the text at {ev['start']}:{ev['end']}")
    s_start = ev["sentence_start"]
    if text[s_start:s_start + len(ev["sentence"])] != ev["sentence"]:
        faults.append(f"sentence does not match the text at {s_start}")
    for m in _mentions(claim):
        if text[m["start"]:m["end"]] != m["text"]:
            faults.append(f"mention {m['text']!r} does not match the text at "
                          f"{m['start']}:{m['end']}")
    for ref in [claim.get("entity_id"), *(m.get("entity_id") for m in _mentions(claim))]:
        if ref and ref not in entity_ids:
            faults.append(f"entity {ref} is not in {ENTITIES_FILE}")
    return faults
