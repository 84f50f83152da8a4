"""``newsclaims compact``: the entity file rewritten to one line per entity.

Every ``extract`` run appends a line for each entity it touches (a delta of what it added, see
``entity_lines.py``), so ``entities.jsonl`` holds the history of every record while readers
fold an id's lines into one record. Compaction writes exactly those folded records, one whole
line each, in the order of each id's first line (the order every reader meets the records in),
so what any reader sees is unchanged. It runs under the store's writer lock
and is crash-safe: the new file is written beside the old one, flushed and fsynced, then
renamed over it (``os.replace``, atomic) and the folder fsynced, so a kill at any point leaves
either the old file or the new one, never a mix; a leftover temporary file is removed by the
next compaction. Claims and documents are never touched: they stay append-only. Damaged
entity lines (which no reader uses) are dropped and counted.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from .claim_store import ClaimStore, _fsync_folder, encode_line

TEMPORARY = ".entities.jsonl.compact"
CRASH_ENV = "NEWSCLAIMS_TEST_CRASH_AT"  # tests: SIGKILL this process at the named step


@dataclass
class CompactSummary:
    """What a compaction did to ``entities.jsonl``."""

    lines_before: int = 0
    lines_after: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    damaged: int = 0


def _crash_point(step: str) -> None:
    """Where the crash tests kill a compaction (``NEWSCLAIMS_TEST_CRASH_AT=step``)."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def compact_entities(root: str | Path, *, lock_timeout: float = -1) -> CompactSummary:
    """Rewrite the store's entity file to each id's folded record (see the module docstring)."""
    store = ClaimStore(root)
    path = store.entities_path
    temporary = store.root / TEMPORARY
    summary = CompactSummary()
    with store.writer(lock_timeout=lock_timeout) as writer:
        temporary.unlink(missing_ok=True)  # a compaction killed before its rename
        if not path.exists():
            return summary
        summary.bytes_before = path.stat().st_size
        latest = store.entity_records()  # an id keeps the place of its first line
        summary.damaged = store.damaged.get(path.name, 0)
        with path.open("rb") as fh:
            summary.lines_before = sum(1 for _ in fh)
        _crash_point("before-write")
        with temporary.open("wb") as fh:
            for record in latest.values():
                fh.write(encode_line(record))
            _crash_point("written")
            fh.flush()
            os.fsync(fh.fileno())
        _crash_point("synced")
        os.replace(temporary, path)
        _crash_point("replaced")
        _fsync_folder(store.root)
        summary.lines_after = len(latest)
        summary.bytes_after = path.stat().st_size
        writer.reload()  # the index sees the replaced entity file and reindexes it alone
    return summary
