"""JSON Schemas of the store's record types, shipped with the package for downstream users."""

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent
RECORD_TYPES = ("document", "claim", "entity")


@cache
def load_schema(record_type: str) -> dict[str, Any]:
    """The JSON Schema of one record type ("document", "claim" or "entity")."""
    return json.loads((SCHEMA_DIR / f"{record_type}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(record_type: str) -> Any:
    """A jsonschema validator for one record type."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(record_type))


@cache
def schema_problem(record_type: str) -> Callable[[Any], str | None]:
    """A function giving a record's first schema error (as jsonschema words it) or None.

    A compiled validator (fastjsonschema, about 15x faster) passes the valid records, which are
    nearly all of them; jsonschema, the reference, decides and explains the rest. Formats are
    not checked by either, as jsonschema does not check them by default."""
    import fastjsonschema

    schema = load_schema(record_type)
    fast = fastjsonschema.compile(schema, use_formats=False)
    by_kind = {kind: fastjsonschema.compile(specialised, use_formats=False)
               for kind, specialised in by_type(schema).items()}
    reference = validator(record_type)

    def problem(record: Any) -> str | None:
        kind = record.get("type") if isinstance(record, dict) else None
        try:
            by_kind.get(kind, fast)(record) if isinstance(kind, str) else fast(record)
            return None
        except fastjsonschema.JsonSchemaException:
            errors = sorted(reference.iter_errors(record), key=lambda e: list(e.path))
            return errors[0].message if errors else None

    return problem


def by_type(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per value of ``type``, the schema with its ``allOf`` of ``if type is T then ...`` cases
    resolved to that case's ``then``: the same verdict for a record of that type, without trying
    (and failing, which the compiled validator does by raising) every other case's ``if``."""
    cases = schema.get("allOf")
    if not isinstance(cases, list) or not cases:
        return {}
    kinds: dict[str, dict[str, Any]] = {}
    for case in cases:
        condition = case.get("if", {}).get("properties", {}).get("type", {}) if isinstance(case, dict) else {}
        if set(case) != {"if", "then"} or set(case["if"]) != {"properties"} or \
                set(case["if"]["properties"]) != {"type"} or set(condition) != {"const"}:
            return {}  # a case of another shape: no specialising
        kinds[condition["const"]] = case["then"]
    base = {k: v for k, v in schema.items() if k != "allOf"}
    return {kind: {**base, "allOf": [then]} for kind, then in kinds.items()}
