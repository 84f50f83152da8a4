"""Every custom ``Doc``/``Span`` attribute newsclaims uses, declared in one place (as medspaCy does)."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

SPAN_EXTENSIONS: dict[str, object] = {
    # Where a final entity came from: {"stage": ..., "rule": ..., "score": ...}.
    "provenance": None,
    # A claim stated by this span (claim stages): {"type", "fields", "rule", "score"}.
    "claim": None,
}
DOC_EXTENSIONS: dict[str, object] = {}
TOKEN_EXTENSIONS: dict[str, object] = {
    # The canonical job title a token belongs to ("CEO"), set by the roles stage.
    "role_title": "",
    # A verb of founding or leading ("founded"), set by the roles stage.
    "role_verb": "",
}


def set_extensions() -> None:
    """Register the extensions once; safe to call many times."""
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, default in TOKEN_EXTENSIONS.items():
        if not Token.has_extension(name):
            Token.set_extension(name, default=default)
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


set_extensions()
