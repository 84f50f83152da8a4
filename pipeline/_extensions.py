"""Every custom ``Doc``/``Span`` attribute newsclaims uses, declared in one place (as medspaCy does)."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

SPAN_EXTENSIONS: dict[str, object] = {
    # Where a final entity came from: {"stage": ..., "rule": ..., "score": ...}.
    "provenance": None,
}
DOC_EXTENSIONS: dict[str, object] = {
    # Claims by the claim key of their span (``Span.kb_id_``), see ``span._.claim``.
    "claims": None,
}


def _claim_key(span: Span) -> str:
    return span.kb_id_ or f"{span.start_char}:{span.end_char}:{span.label_}"


def _get_claim(span: Span) -> dict | None:
    claims = span.doc._.claims
    return None if claims is None else claims.get(_claim_key(span))


def _set_claim(span: Span, value: dict | None) -> None:
    if span.doc._.claims is None:
        span.doc._.claims = {}
    span.doc._.claims[_claim_key(span)] = value


# Computed extensions: a claim stated by a span of a claim stage ({"type", "fields", "rule", "score"}).
# Plain span extensions are keyed by character offsets, so two claims on the same words (a role and a
# directive, or two titles of one person) would overwrite each other; claims are kept on the Doc
# under the span's own key instead.
SPAN_PROPERTIES = {"claim": (_get_claim, _set_claim)}
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
    for name, (getter, setter) in SPAN_PROPERTIES.items():
        if not Span.has_extension(name):
            Span.set_extension(name, getter=getter, setter=setter)
    for name, default in TOKEN_EXTENSIONS.items():
        if not Token.has_extension(name):
            Token.set_extension(name, default=default)
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


set_extensions()
