"""HTML review of what was extracted: documents drawn with displaCy beside their claims, entity
pages, an index with counts (``write_review``), and gold against predicted for ``evaluate
--review`` (``write_evaluation_review``). The writers load on first use (spaCy, Jinja2)."""

from typing import Any

from .errors import ReviewError

_LAZY = {"write_review": "site", "ReviewSummary": "site", "write_evaluation_review": "evaluation"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ReviewError", "ReviewSummary", "write_evaluation_review", "write_review"]
