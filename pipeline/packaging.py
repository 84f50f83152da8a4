"""Models by name or folder, and ``newsclaims package``: the assembled pipeline as a spaCy folder.

``package_pipeline`` writes the pipeline ``pipeline.load()`` builds with ``nlp.to_disk``: every
stage saves its patterns and lexicons, the tokenizer its punctuation rules, and ``meta.json`` the
newsclaims name, version and fingerprint. ``spacy.load(folder)`` then gives the same pipeline
wherever newsclaims is installed (its factories are found through the ``spacy_factories`` entry
points), with no models folder. ``pipeline.load(folder)`` loads such a folder as it is.

Nothing here imports spaCy until a pipeline is built or loaded: ``check_model`` and
``model_meta`` only look at files, so a wrong ``--model`` fails before any work.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import DEFAULT_MODEL, PIPELINE_NAME
from .extract import BadOption

if TYPE_CHECKING:
    from spacy.language import Language


class UnknownModel(BadOption):
    """``--model`` names neither an installed spaCy pipeline nor a folder holding one."""


def _read_meta(path: Path) -> dict[str, Any] | None:
    """A ``meta.json`` as a dict, or None when it is missing or not a JSON object."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _package_folder(name: str) -> Path | None:
    """The folder of an installed spaCy pipeline package named ``name`` (never imported)."""
    if not name.isidentifier():
        return None
    try:
        importlib.metadata.distribution(name)
        spec = importlib.util.find_spec(name)
    except (importlib.metadata.PackageNotFoundError, ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder if (folder / "meta.json").is_file() else None


def model_meta(name: str) -> dict[str, Any]:
    """The ``meta.json`` spaCy will load for ``name``: an installed pipeline package first (as
    ``spacy.load`` looks), else a pipeline folder (``config.cfg`` and ``meta.json``).

    Raises ``UnknownModel`` when ``name`` is neither; reads only the meta file."""
    folder = _package_folder(name)
    if folder is None:
        path = Path(name)
        if not path.is_dir():
            raise UnknownModel(f"--model {name}: not an installed spaCy pipeline or a folder")
        if not (path / "config.cfg").is_file() or not (path / "meta.json").is_file():
            raise UnknownModel(f"--model {name}: folder is not a spaCy pipeline (needs config.cfg "
                               "and meta.json)")
        folder = path
    meta = _read_meta(folder / "meta.json")
    if meta is None:
        raise UnknownModel(f"--model {name}: {folder / 'meta.json'} is not a JSON object")
    return meta


def check_model(name: str) -> None:
    """Refuse, at once, a ``--model`` that names no installed spaCy pipeline and no pipeline
    folder (``UnknownModel``, exit 2 on the command line). ``blank:xx`` is spaCy's own."""
    if not name.startswith("blank:"):
        model_meta(name)


def packaged_meta(model: str | Path) -> dict[str, Any] | None:
    """``meta["newsclaims"]`` of a folder written by ``package_pipeline``, else None."""
    path = Path(model)
    if not (path / "config.cfg").is_file():
        return None
    meta = _read_meta(path / "meta.json")
    info = (meta or {}).get(PIPELINE_NAME)
    return info if isinstance(info, dict) and info.get("name") == PIPELINE_NAME else None


def load_packaged(path: str | Path, *, exclude: tuple[str, ...] = ()) -> Language:
    """A packaged newsclaims pipeline, loaded as it was written (not re-assembled)."""
    import spacy

    from . import assemble  # noqa: F401  (registers the stages without relying on entry points)

    return spacy.load(Path(path), exclude=list(exclude))


@dataclass
class PackageSummary:
    """What ``package_pipeline`` wrote."""

    path: Path
    model: str
    model_version: str
    version: str
    fingerprint: str


def package_pipeline(out_dir: str | Path, model: str | None = None) -> PackageSummary:
    """Write the assembled pipeline on ``model`` (or the packaged pipeline ``model`` names) to
    ``out_dir`` for ``spacy.load``.

    ``out_dir`` must be missing, empty or an earlier package (which is replaced); anything else
    is refused (``BadOption``) so no unrelated folder is overwritten. The pipeline is written
    beside it first and moved into place, so a failed run leaves no half-written package."""
    from . import load
    from .extract import pipeline_info

    name = model or DEFAULT_MODEL
    check_model(name)
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise BadOption(f"{target}: not a folder")
    replacing = target.is_dir() and any(target.iterdir())
    if replacing and packaged_meta(target) is None:
        raise BadOption(f"{target}: folder is not empty and holds no newsclaims pipeline")
    nlp = load(name)  # a packaged folder as --model is written again as it is
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.writing-{os.getpid()}"
    if staging.exists():  # left by a run that was killed
        shutil.rmtree(staging)
    try:
        nlp.to_disk(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    info = pipeline_info(nlp)
    return PackageSummary(path=target, model=info["model"], model_version=info["model_version"],
                          version=info["version"], fingerprint=info["fingerprint"])
