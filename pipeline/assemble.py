"""Build the newsclaims pipeline from ``models/config.cfg`` on top of a pretrained pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.util import registry
from thinc.api import Config

from . import PIPELINE_NAME, __version__, _extensions, models_dir, resources  # noqa: F401
from .fingerprint import compute_fingerprint, read_config_text
from .stages import (  # noqa: F401  (import registers the factories)
    cjk_names,
    cue_span_ruler,
    directives,
    entity_cleanup,
    line_breaks,
    page_furniture,
    percentages,
    person_cues,
    roles,
)
from .stages.tokenizer import split_on_punctuation


def read_config(config_path: Path | None = None) -> Config:
    """The pipeline config with ``paths.models`` pointing at the models folder."""
    return read_config_text(config_path)[1]


def build_pipeline(model: str, *, config_path: Path | None = None,
                   exclude: tuple[str, ...] = ()) -> Language:
    """Load pretrained ``model`` and add and initialise the configured newsclaims stages; the
    meta records the pipeline's name, version and fingerprint (see ``pipeline.fingerprint``)."""
    config_text, config = read_config_text(config_path)
    nlp = spacy.load(model, exclude=list(exclude))
    split_on_punctuation(nlp, config.get("tokenizer", {}).get("fullwidth_punctuation", ""))
    placement: dict[str, Any] = dict(config.get("placement", {}))
    for name in config["nlp"]["pipeline"]:
        settings = dict(config["components"][name])
        factory = settings.pop("factory")
        where: dict[str, Any] = {}
        if placement.get(name, {}).get("first"):
            where["first"] = True
        before = [p for p in placement.get(name, {}).get("before", []) if p in nlp.pipe_names]
        if before:
            where["before"] = before[0]
        nlp.add_pipe(factory, name=name, config=settings, **where)
    init_settings = registry.resolve(config["initialize"]["components"])
    for name, settings in init_settings.items():
        nlp.get_pipe(name).initialize(lambda: [], nlp=nlp, **settings)
    model_name = f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '')}"
    nlp.meta["newsclaims"] = {
        "name": PIPELINE_NAME,
        "version": __version__,
        "base_model": nlp.meta.get("name"),
        "base_model_version": nlp.meta.get("version"),
        "fingerprint": compute_fingerprint(config_text=config_text, config=config, model=model_name,
                                           model_version=str(nlp.meta.get("version", "")),
                                           exclude=tuple(exclude)),
    }
    return nlp
