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

    fast = fastjsonschema.compile(load_schema(record_type), use_formats=False)
    reference = validator(record_type)

    def problem(record: Any) -> str | None:
        try:
            fast(record)
            return None
        except fastjsonschema.JsonSchemaException:
            errors = sorted(reference.iter_errors(record), key=lambda e: list(e.path))
            return errors[0].message if errors else None

    return problem
