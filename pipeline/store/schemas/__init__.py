"""JSON Schemas of the store's record types, shipped with the package for downstream users."""

import json
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
