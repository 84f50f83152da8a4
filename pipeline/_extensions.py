"""Every custom ``Doc``/``Span`` attribute newsclaims uses, declared in one place (as medspaCy does)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

SPAN_EXTENSIONS: dict[str, object] = {
    # Where a final entity came from: {"stage": ..., "rule": ..., "score": ...}.
    "provenance": None,
}
DOC_EXTENSIONS: dict[str, object] = {}


def set_extensions() -> None:
    """Register the extensions once; safe to call many times."""
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


set_extensions()
