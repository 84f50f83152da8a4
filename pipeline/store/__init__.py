"""The claim store and what reads it: append-only JSONL files (``claim_store``), their check
(``check``), queries over them (``queries``), export to databases (``export``) and the JSON
Schemas of their records (``schemas``). Importing it is cheap: no spaCy, no database driver."""

from .claim_store import (
    CLAIMS_FILE,
    DOCUMENTS_FILE,
    ENTITIES_FILE,
    LOCK_FILE,
    ClaimStore,
    StoreLocked,
    StoreWriteError,
    StoreWriter,
)

__all__ = ["CLAIMS_FILE", "DOCUMENTS_FILE", "ENTITIES_FILE", "LOCK_FILE", "ClaimStore", "StoreLocked",
           "StoreWriteError",
           "StoreWriter"]
