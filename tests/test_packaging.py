"""A real install (issue 12): the wheel carries models/, a packaged pipeline loads with spacy.load
and gives the same claims, the fingerprint follows the config and data, and an unknown --model is
refused at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from typer.testing import CliRunner

import pipeline
from pipeline import assemble
from pipeline.cli import app
from pipeline.extract import BadOption, extract, pipeline_info
from pipeline.fingerprint import data_files, expected_fingerprint, read_config_paths, read_config_text
from pipeline.packaging import UnknownModel, check_model, package_pipeline, packaged_meta
from tests.conftest import CORPUS, MODELS, REPO
from tests.pipeline_views import describe, seed_texts

runner = CliRunner()
STORE_FILES = ("documents.jsonl", "claims.jsonl", "entities.jsonl")


def copy_models(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(MODELS, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def store_lines(store: Path, name: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """A store file's records, without the fields that hold the time of the run."""
    records = [json.loads(line) for line in (store / name).read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in r.items() if k not in drop} for r in records]


# -- the package and its data ------------------------------------------------------------------

def test_every_package_folder_is_listed_in_pyproject() -> None:
    """The package list is explicit (models/ is mapped, not found): a new subpackage must join it."""
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "pipeline").rglob("__init__.py")}
    assert set(settings["packages"]) == found | {"pipeline.models"}
    assert settings["package-dir"] == {"pipeline.models": "models"}


def test_models_folder_is_the_shipped_package_and_the_env_overrides_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pipeline.MODELS_DIR.resolve() == MODELS.resolve()
    monkeypatch.delenv(pipeline.MODELS_ENV, raising=False)
    assert pipeline.models_dir() == pipeline.MODELS_DIR
    monkeypatch.setenv(pipeline.MODELS_ENV, str(tmp_path))
    assert pipeline.models_dir() == tmp_path


def build_wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the sources (no build/ or egg-info left in the checkout)."""
    source = tmp_path / "source"
    source.mkdir()
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pipeline", "models"):
        shutil.copytree(REPO / name, source / name, ignore=junk)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(wheels), str(source)],
                   check=True, capture_output=True, text=True)
    (wheel,) = wheels.glob("newsclaims-*.whl")
    return wheel


@pytest.mark.integration
def test_wheel_installs_outside_the_checkout_and_extracts_the_same_claims(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"pipeline/models/{p.relative_to(MODELS).as_posix()}" for p in MODELS.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert "pipeline/models/config.cfg" in shipped
    assert shipped <= names, shipped - names
    _, config = read_config_text()
    for path in data_files(config).values():  # every pattern and lexicon the config loads
        assert f"pipeline/models/{path.relative_to(MODELS).as_posix()}" in names
    assert {"pipeline/store/schemas/claim.schema.json", "pipeline/cli.py"} <= names

    # A fresh venv with the wheel; its dependencies come from this venv through a .pth line
    # (only the path: this venv's own .pth files, the editable install among them, are not run).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    ours = next(p for p in sys.path if p.endswith("site-packages") and Path(p, "spacy").is_dir())
    Path(site, "zz_test_dependencies.pth").write_text(ours + "\n", encoding="utf-8")

    work = tmp_path / "work"  # cwd and corpus outside the checkout
    shutil.copytree(CORPUS, work / "corpus")
    env = {k: v for k, v in os.environ.items() if k not in (pipeline.MODELS_ENV, "PYTHONPATH")}
    show = "import pipeline; print(pipeline.__file__, pipeline.MODELS_DIR)"
    where = subprocess.run([str(python), "-c", show], cwd=work, env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert all(Path(p).resolve().is_relative_to(venv.resolve()) for p in where), where
    installed = subprocess.run([str(venv / "bin" / "newsclaims"), "extract", "corpus/", "--store",
                                "wheel-store", "--quiet"], cwd=work, env=env, capture_output=True,
                               text=True)
    assert installed.returncode == 0, installed.stderr
    editable = subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", "corpus/", "--store",
                               "editable-store", "--quiet"], cwd=work, env=env, capture_output=True,
                              text=True)
    assert editable.returncode == 0, editable.stderr

    wheel_claims = store_lines(work / "wheel-store", "claims.jsonl")
    assert wheel_claims and wheel_claims == store_lines(work / "editable-store", "claims.jsonl")
    wheel_docs = store_lines(work / "wheel-store", "documents.jsonl", drop=("processed_at",))
    assert wheel_docs == store_lines(work / "editable-store", "documents.jsonl", drop=("processed_at",))
    assert wheel_docs[0]["pipeline"]["fingerprint"] == expected_fingerprint()


# -- newsclaims package ------------------------------------------------------------------------

FRESH_LOAD = """
import json, sys
import spacy
from tests.pipeline_views import describe, seed_texts
nlp = spacy.load(sys.argv[1])
assert "pipeline.assemble" not in sys.modules, "the stages must come from the entry points"
print(json.dumps({"described": describe(nlp, seed_texts()), "meta": nlp.meta["newsclaims"]}))
"""


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``newsclaims package OUT`` run once through the command line."""
    out = tmp_path_factory.mktemp("packaged") / "newsclaims-pipeline"
    result = runner.invoke(app, ["package", str(out)])
    assert result.exit_code == 0, result.output
    assert f"fingerprint {expected_fingerprint()}" in result.stdout
    return out


@pytest.mark.integration
def test_packaged_pipeline_in_a_fresh_interpreter_equals_load(packaged: Path, nlp: Language) -> None:
    env = {k: v for k, v in os.environ.items() if k != pipeline.MODELS_ENV}
    env["NEWSCLAIMS_MODELS"] = str(packaged / "no-models-here")  # the package needs no models/
    done = subprocess.run([sys.executable, "-c", FRESH_LOAD, str(packaged)], cwd=REPO, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert loaded["described"] == describe(nlp, seed_texts())
    assert loaded["meta"] == nlp.meta["newsclaims"]
    first = loaded["described"][0]
    assert first["claims"] and any(c["type"] != "entity" for c in first["claims"])
    assert "李博" in loaded["described"][-1]["tokens"]  # the full-width brackets still split


@pytest.mark.integration
def test_load_and_extract_take_a_packaged_folder_as_it_is(
        packaged: Path, corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assemble_store, package_store = tmp_path / "assembled", tmp_path / "from-package"
    assert extract([corpus_copy], assemble_store).documents_new == 2

    def no_assembly(*args: Any, **kwargs: Any) -> Language:
        raise AssertionError("a packaged folder must not be re-assembled")

    monkeypatch.setattr(assemble, "build_pipeline", no_assembly)
    summary = extract([corpus_copy], package_store, model=str(packaged))
    assert summary.documents_new == 2 and not summary.errors
    assert store_lines(package_store, "claims.jsonl") == store_lines(assemble_store, "claims.jsonl")
    docs = store_lines(package_store, "documents.jsonl", drop=("processed_at",))
    assert docs == store_lines(assemble_store, "documents.jsonl", drop=("processed_at",))


def test_package_refuses_a_folder_that_is_not_a_package(tmp_path: Path) -> None:
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(BadOption, match="holds no newsclaims pipeline"):
        package_pipeline(keep)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["package", str(tmp_path / "file")])
    assert result.exit_code == 2 and result.stderr.strip() == f"{tmp_path / 'file'}: not a folder"
    assert (keep / "notes.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.integration
def test_package_replaces_an_earlier_package(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = package_pipeline(out)
    (out / "stale.txt").write_text("from before", encoding="utf-8")
    again = package_pipeline(out)
    assert again.fingerprint == first.fingerprint == packaged_meta(out)["fingerprint"]
    assert not (out / "stale.txt").exists()
    copied = package_pipeline(tmp_path / "copy", model=str(out))  # a package as --model: as it is
    assert copied.fingerprint == first.fingerprint
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy", "out"]  # no staging folder left


# -- fingerprint -------------------------------------------------------------------------------

def test_fingerprint_covers_every_path_the_config_loads() -> None:
    text, config = read_config_text()
    files = data_files(config)
    assert len(files) == text.count("path = ")
    assert all(p.is_file() and p.resolve().is_relative_to(MODELS.resolve()) for p in files.values())
    assert {p.name for p in files.values()} >= {"organizations.jsonl", "role_titles.json",
                                                "directive_cues.json", "business_metrics.json"}


@pytest.mark.integration
def test_fingerprint_is_in_the_meta_and_the_info(nlp: Language) -> None:
    fingerprint = nlp.meta["newsclaims"]["fingerprint"]
    assert len(fingerprint) == 16 and int(fingerprint, 16) >= 0
    assert pipeline_info(nlp)["fingerprint"] == fingerprint == expected_fingerprint()


def test_fingerprint_follows_the_config_and_every_data_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = expected_fingerprint()
    copy = copy_models(tmp_path)
    monkeypatch.setenv(pipeline.MODELS_ENV, str(copy))
    assert expected_fingerprint() == original  # an unchanged copy elsewhere: same content, same hash
    seen = {original}
    edits = [copy / "config.cfg", *data_files(read_config_text()[1]).values()]
    for path in edits:
        before = path.read_bytes()
        path.write_bytes(before + b"\n")
        changed = expected_fingerprint()
        assert changed not in seen, path.name
        seen.add(changed)
        path.write_bytes(before)
        assert expected_fingerprint() == original, path.name


@pytest.mark.integration
def test_built_pipeline_fingerprint_follows_an_edited_lexicon(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nlp: Language) -> None:
    copy = copy_models(tmp_path)
    lexicon = copy / "lexicons" / "business_metrics.json"
    data = json.loads(lexicon.read_text(encoding="utf-8"))
    data["records"][0]["terms"].append("widget throughput")
    lexicon.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv(pipeline.MODELS_ENV, str(copy))
    edited = pipeline.load()
    assert edited.meta["newsclaims"]["fingerprint"] == expected_fingerprint()
    assert edited.meta["newsclaims"]["fingerprint"] != nlp.meta["newsclaims"]["fingerprint"]


@pytest.mark.integration
def test_fingerprint_survives_the_package_round_trip(packaged: Path, nlp: Language) -> None:
    fingerprint = nlp.meta["newsclaims"]["fingerprint"]
    assert packaged_meta(packaged)["fingerprint"] == fingerprint
    assert expected_fingerprint(str(packaged)) == fingerprint
    assert pipeline_info(pipeline.load(str(packaged)))["fingerprint"] == fingerprint


def test_expected_fingerprint_needs_no_spacy() -> None:
    code = ("import sys; from pipeline.fingerprint import expected_fingerprint; "
            "print(expected_fingerprint()); assert 'spacy' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip()) == 16


# -- unknown --model ---------------------------------------------------------------------------

def test_check_model_knows_installed_pipelines_and_pipeline_folders(tmp_path: Path) -> None:
    check_model(pipeline.DEFAULT_MODEL)
    check_model("blank:en")
    for name in ("no_such_model", "typer", str(tmp_path / "missing"), "../x.y"):
        with pytest.raises(UnknownModel, match="not an installed spaCy pipeline or a folder"):
            check_model(name)
    with pytest.raises(UnknownModel, match="needs config.cfg and meta.json"):
        check_model(str(tmp_path))
    (tmp_path / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    (tmp_path / "meta.json").write_text("{}", encoding="utf-8")
    check_model(str(tmp_path))


def test_extract_refuses_an_unknown_model_before_reading_anything(tmp_path: Path) -> None:
    def inputs():
        raise AssertionError("no input may be read")
        yield

    with pytest.raises(UnknownModel):
        extract(inputs(), tmp_path / "store", model="no_such_model")
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("command", ["extract", "package"])
def test_cli_unknown_model_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, command: str) -> None:
    if command == "extract":
        args = ["extract", str(CORPUS), "--store", str(tmp_path / "store")]
    else:
        args = ["package", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--model", "no_such_model"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        "--model no_such_model: not an installed spaCy pipeline or a folder"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extra", [
    "",
    '\n[initialize.components.extra_ruler]\n\n[initialize.components.extra_ruler.patterns]\n'
    'path = "${paths.models}/patterns/roles.jsonl"\n',
    '\n[initialize.components.other]\npath = "/elsewhere/words.json"\nlimit = 3\n',
])
def test_the_quick_config_reader_finds_the_same_data_files_as_thinc(tmp_path: Path, extra: str,
                                                                    monkeypatch) -> None:
    """The re-run path reads the config without thinc: it must find exactly thinc's paths."""
    copy = copy_models(tmp_path)
    config = copy / "config.cfg"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    monkeypatch.setenv(pipeline.MODELS_ENV, str(copy))
    text, quick = read_config_paths()
    assert text == read_config_text()[0]
    assert data_files(quick) == data_files(read_config_text()[1])
