"""The collector settings of a batch run: set once the pipeline is loaded, undone at the end."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from pipeline.collector import BatchCollector


@pytest.fixture
def clean_collector():
    """Python's collector as tests expect it, whatever a test leaves behind."""
    saved = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*saved)


def test_loading_freezes_the_heap_and_raises_the_young_threshold(clean_collector):
    gc.set_threshold(700, 10, 10)
    collector = BatchCollector(young_threshold=5_000)
    kept = [object()]
    collector.pipeline_loaded()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (5_000, 10, 10)
    collector.pipeline_loaded()  # once per run: a second call changes nothing
    assert gc.get_threshold() == (5_000, 10, 10)
    collector.restore()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)
    collector.restore()  # idempotent
    assert gc.get_threshold() == (700, 10, 10)
    assert kept


def test_a_heap_frozen_by_the_caller_stays_frozen(clean_collector):
    gc.freeze()
    frozen = gc.get_freeze_count()
    collector = BatchCollector()
    collector.pipeline_loaded()
    collector.restore()
    assert gc.get_freeze_count() == frozen


def test_a_higher_threshold_of_the_caller_is_not_lowered(clean_collector):
    gc.set_threshold(50_000, 10, 10)
    collector = BatchCollector(young_threshold=5_000)
    collector.pipeline_loaded()
    assert gc.get_threshold()[0] == 50_000
    collector.restore()


@pytest.mark.integration
def test_extract_leaves_the_collector_as_it_found_it(nlp, corpus_copy, tmp_path, clean_collector):
    from pipeline.extract import extract

    gc.set_threshold(700, 10, 10)
    seen: list[tuple[int, tuple[int, int, int]]] = []
    summary = extract([corpus_copy], tmp_path / "store", nlp_factory=lambda model: nlp,
                      on_event=lambda kind, path: seen.append((gc.get_freeze_count(),
                                                               gc.get_threshold())))
    assert summary.documents_new == 2
    assert any(count > 0 and threshold[0] > 700 for count, threshold in seen)  # set during the run
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)


def _rss_anon_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_release_free_heap_gives_freed_pages_back_below_a_live_block() -> None:
    """Blocks freed below one that stays (the heap's top is pinned, so free() cannot shrink it)
    stay in RSS until the heap is trimmed."""
    from pipeline.collector import release_free_heap

    blocks = [bytes(1000) + bytes([i % 256]) for i in range(100_000)]  # ~100 MB from malloc
    pinned = bytes(1000) + b"pin"
    del blocks
    before = _rss_anon_mb()
    if not release_free_heap():
        pytest.skip("no malloc_trim on this platform")
    assert before - _rss_anon_mb() > 40
    assert pinned.endswith(b"pin")
