"""Python's garbage collector during a batch run.

A loaded pipeline is some hundred thousand long-lived Python objects (vocab, lexicons, patterns,
model wrappers), and every full collection walks them all again, while the stages make many
short-lived containers that start collections often: 1.4% of an ``extract`` run went to the
collector. ``BatchCollector.pipeline_loaded`` freezes what exists once the pipeline is loaded
(``gc.freeze``: never walked again; before ``--workers`` forks, it also keeps the workers from
touching, and so copying, the shared pages, as Python's ``gc`` documentation advises) and starts
young collections less often; ``restore`` puts the collector back as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from typing import Any

YOUNG_THRESHOLD = 10_000  # allocations between young collections (Python's default is 700)


class BatchCollector:
    """The collector settings of one run, undone by ``restore`` (idempotent)."""

    def __init__(self, *, young_threshold: int = YOUNG_THRESHOLD) -> None:
        self.young_threshold = young_threshold
        self._saved: tuple[int, int, int] | None = None
        self._froze = False

    def pipeline_loaded(self) -> None:
        """Freeze the objects alive now and collect young objects less often (once per run;
        a heap someone else froze is left to them)."""
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        if gc.get_freeze_count() == 0:
            gc.freeze()
            self._froze = True
        gc.set_threshold(max(self.young_threshold, self._saved[0]), *self._saved[1:])

    def restore(self) -> None:
        """The collector as it was before ``pipeline_loaded``."""
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        if self._froze:
            gc.unfreeze()
        self._saved, self._froze = None, False


def _load_malloc_trim() -> Any:
    """glibc's ``malloc_trim`` (None elsewhere: macOS, musl, Windows)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_MALLOC_TRIM = _load_malloc_trim()


def release_free_heap() -> bool:
    """Give the C heap's free pages back to the system (glibc ``malloc_trim(0)``); False where
    there is no such call. A long run frees most of what a chunk of documents used once the
    chunk is stored, but the allocator keeps the pages of the highest peak so far, so RSS would
    creep up with every new peak although the live data stays flat."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True
