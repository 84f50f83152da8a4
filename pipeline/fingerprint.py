"""The pipeline fingerprint: a short hash of everything that decides what the pipeline extracts.

It covers the newsclaims version, the pretrained model's name and version, the text of
``config.cfg`` and the bytes of every data file the config loads (the ``path`` settings of the
resolved config, so a new lexicon is covered without a list here). A store can then tell which
documents were processed by a different pipeline. ``build_pipeline`` puts it in
``nlp.meta["newsclaims"]["fingerprint"]``, which ``newsclaims package`` keeps; ``expected_fingerprint``
computes the same value without spaCy or a model (it reads the model's ``meta.json``).
"""

from __future__ import annotations

import configparser
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import DEFAULT_MODEL, __version__, models_dir

FINGERPRINT_CHARS = 16


def read_config_text(config_path: Path | None = None) -> tuple[str, Any]:
    """The config's text and the config parsed from it, ``paths.models`` set to the models folder."""
    from thinc.api import Config  # deferred: thinc is slow to import

    folder = models_dir()
    path = Path(config_path) if config_path is not None else folder / "config.cfg"
    text = path.read_text(encoding="utf-8")
    return text, Config().from_str(text, overrides={"paths.models": str(folder)})


REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")


def read_config_paths(config_path: Path | None = None) -> tuple[str, dict[str, Any]]:
    """The config's text and just its ``path`` settings, nested as ``read_config_text`` gives
    them, read with the standard library: the re-run path computes the fingerprint this way
    because importing thinc costs more than the whole re-run. Only plain ``${section.key}``
    references are expanded (what ``config.cfg`` uses for its data files)."""
    folder = models_dir()
    path = Path(config_path) if config_path is not None else folder / "config.cfg"
    text = path.read_text(encoding="utf-8")
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  (keys keep their case)
    parser.read_string(text)
    values = {f"{section}.{key}": _plain(value)
              for section in parser.sections() for key, value in parser[section].items()}
    values["paths.models"] = str(folder)
    config: dict[str, Any] = {}
    for section in parser.sections():
        if "path" in parser[section]:
            value = REFERENCE.sub(lambda m: str(values.get(m.group(1), m.group(0))),
                                  _plain(parser[section]["path"]))
            place = config
            for part in section.split("."):
                place = place.setdefault(part, {})
            place["path"] = value
    return text, config


def _plain(value: str) -> str:
    """A config value as a string: JSON strings lose their quotes."""
    try:
        loaded = json.loads(value)
    except ValueError:
        return value
    return loaded if isinstance(loaded, str) else value


def data_files(config: Mapping[str, Any]) -> dict[str, Path]:
    """Every file the resolved config loads: each ``path`` setting, keyed by its dotted place."""
    return {key: Path(value) for key, value in _path_settings(config, "")}


def _path_settings(section: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str]]:
    for key, value in section.items():
        place = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _path_settings(value, place + ".")
        elif key == "path" and isinstance(value, str):
            yield place, value


def compute_fingerprint(*, config_text: str, config: Mapping[str, Any], model: str,
                        model_version: str, version: str = __version__,
                        exclude: tuple[str, ...] = ()) -> str:
    """Hash of the package version, model, config text and data files (content, not location:
    an unchanged copy of the models folder gives the same fingerprint)."""
    files = {key: hashlib.sha256(path.read_bytes()).hexdigest()
             for key, path in sorted(data_files(config).items())}
    parts: dict[str, Any] = {"version": version, "model": model, "model_version": model_version,
                             "config": config_text, "data": files}
    if exclude:  # a pipeline without some pretrained components extracts differently
        parts["exclude"] = sorted(exclude)
    encoded = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:FINGERPRINT_CHARS]


def expected_fingerprint(model_name: str | None = None, *, config_path: Path | None = None) -> str:
    """The fingerprint ``pipeline.load(model_name)`` will have, without importing spaCy or loading
    the model: a packaged newsclaims folder states its own; otherwise the pretrained model's name
    and version come from its ``meta.json`` (what spaCy puts in ``nlp.meta``) and the config and
    data from the models folder. Raises ``UnknownModel`` for a name that is not a model."""
    from .packaging import model_meta, packaged_meta

    name = model_name or DEFAULT_MODEL
    packaged = packaged_meta(name)
    if packaged is not None:
        return str(packaged.get("fingerprint", ""))
    meta = model_meta(name)
    text, config = read_config_paths(config_path)
    return compute_fingerprint(config_text=text, config=config,
                               model=f"{meta.get('lang', 'xx')}_{meta.get('name', '')}",
                               model_version=str(meta.get("version", "")))
