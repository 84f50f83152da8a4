"""Document metadata checked at read time against the store's document schema.

The ``source`` subschema of ``pipeline/store/schemas/document.schema.json`` is the one truth:
known fields (url, title, publisher, published, format, encoding...) have their types there, and
``additionalProperties`` admits unknown fields only as JSON scalars (string, number, boolean,
null), which every export can carry. A field that fails is dropped with one warning naming the
file and the field, so a wrong-typed manifest value can no longer poison the store. Non-finite
numbers (NaN, Infinity: accepted by Python's JSON reader, not valid JSON on output) are dropped
too. Strings with no UTF-8 form are left alone here: they make the file unstorable later.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

_KINDS = {"object": "an object", "array": "an array", "string": "a string",
          "number": "a number", "integer": "an integer", "boolean": "a boolean", "null": "null"}


@cache
def source_schema() -> dict[str, Any]:
    """The ``source`` subschema of the document record schema."""
    from ..store.schemas import load_schema

    return load_schema("document")["properties"]["source"]


@cache
def _field_validator(name: str) -> Any:
    """A validator for one ``source`` field's subschema (known or additional)."""
    from jsonschema import Draft202012Validator

    schema = source_schema()
    sub = schema.get("properties", {}).get(name, schema.get("additionalProperties", True))
    return Draft202012Validator(sub)


def clean_metadata(meta: dict[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    """Metadata without the fields the schema rejects, and one warning per dropped field."""
    kept: dict[str, Any] = {}
    warnings: list[str] = []
    for name, value in meta.items():
        problem = field_problem(name, value)
        if problem is None:
            kept[name] = value
        else:
            warnings.append(f"{where}: metadata field {name!r} dropped: {problem}")
    return kept, warnings


def field_problem(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the ``source`` field ``name``, else None."""
    if not _finite(value):
        return "not a finite number (NaN or Infinity)"
    validator = _field_validator(name)
    error = next(iter(validator.iter_errors(value)), None)
    if error is None:
        return None
    expected = validator.schema.get("type") if isinstance(validator.schema, dict) else None
    if error.validator == "type" and expected is not None:
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return f"expected {' or '.join(_KINDS.get(k, k) for k in kinds)}, got {_kind(value)}"
    return error.message


def _finite(value: Any) -> bool:
    """Whether ``value`` is not a NaN or infinite float (nested values fail the schema anyway:
    ``additionalProperties`` admits scalars only)."""
    return not isinstance(value, float) or math.isfinite(value)


def _kind(value: Any) -> str:
    """The JSON kind of a Python value, with its article ("an object")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return "an object"
