"""Turn a file or folder of news articles into a stream of documents.

Every bad input becomes a ``ReadError`` in the stream instead of an exception, so one
broken file never stops a batch.  Heavy libraries (trafilatura, charset-normalizer) are
imported lazily: this module sits on a fast path and must import quickly (no spaCy).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..dates import DATE_FIELDS, BadDate, published_date, published_or_none
from .decoding import BINARY, Decoded, UndecodableBytes, decode  # noqa: F401  (BINARY: re-export)
from .metadata import clean_metadata, source_schema

DEFAULT_MAX_BYTES = 50_000_000
MANIFEST = "sources.jsonl"
IGNORE_FILE = ".newsclaimsignore"
IGNORE_MAX_BYTES = 1_000_000
FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".json": "json",
           ".jsonl": "jsonl"}
TEXT_FIELDS = ("text", "body", "content", "article")
# Canonical metadata name -> record keys accepted for it, in order of preference (for
# "published": the first that is a readable date, see ``pipeline/dates.py``).
ALIASES = {"publisher": ("publisher", "source", "site"), "published": DATE_FIELDS}
TOO_DEEP = "JSON nested too deeply to read"
# Metadata the reader records about the decoding: a manifest or record cannot set these.
PROVENANCE = ("format", "encoding", "encoding_confidence", "encoding_replaced")


@dataclass(frozen=True)
class SourceDocument:
    """One news article: its text exactly as decoded (offsets index it), its metadata and the
    warnings of reading it (one line each: bytes replaced, metadata fields dropped). A warning of
    the whole file (or of the folder's manifest) rides on the first document read after it."""

    path: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """Content hash, so the same article gets the same id wherever it is read from (a lone
        surrogate hashes too; such a text is refused before it is stored)."""
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ReadError:
    """A file, record or manifest line that could not be read, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return re.sub(r"[\r\n]+", " ", f"{self.path}: {self.reason}")


class UnreadableFile(Exception):
    """Raised by ``read_text_file``; ``reason`` is a short human-readable cause."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Item = SourceDocument | ReadError


def read_regular_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file within ``max_bytes``, else ``UnreadableFile``. Opened without
    blocking and checked on the open descriptor, so a FIFO, a device (``/dev/zero``), a folder or
    a file swapped after a check never hangs or fills memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise UnreadableFile(_os_reason(exc)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file")
        if info.st_size > max_bytes:  # refuse before reading anything
            raise UnreadableFile(f"file is {info.st_size} bytes, above the limit of {max_bytes}")
        data = _read_descriptor(fd, max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(_os_reason(exc)) from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # the file grew after the check
        raise UnreadableFile(f"file is over {max_bytes} bytes, above the limit of {max_bytes}")
    return data


def _read_descriptor(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of an open file (the one place file contents are read)."""
    with os.fdopen(fd, "rb", closefd=False) as fh:
        return fh.read(limit)


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """Read and decode a text file; return (text, encoding name) or raise UnreadableFile."""
    decoded = read_decoded(path, max_bytes=max_bytes)
    return decoded.text, decoded.encoding


def read_decoded(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Read and decode a text file with its decoding evidence, or raise UnreadableFile."""
    return decode_checked(read_regular_file(path, max_bytes=max_bytes))


def decode_checked(data: bytes) -> Decoded:
    """Decode a file's bytes as ``read_decoded`` does (an empty or blank file is refused)."""
    if not data:
        raise UnreadableFile("empty file")
    try:
        decoded = decode(data)
    except UndecodableBytes as exc:
        raise UnreadableFile(exc.reason) from exc
    if not decoded.text.strip():
        raise UnreadableFile("no text (whitespace only)")
    return decoded


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes (see ``pipeline.readers.decoding``); return (text, encoding name)."""
    try:
        decoded = decode(data)
    except UndecodableBytes as exc:
        raise UnreadableFile(exc.reason) from exc
    return decoded.text, decoded.encoding


def iter_sources(root: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 follow_symlinks: bool = False) -> Iterator[Item]:
    """Yield a SourceDocument or ReadError for each article under ``root``, never raising.

    A folder is walked recursively in sorted order without following directory symlinks
    (so symlink loops cannot recur); files with unknown suffixes there are skipped.
    """
    root = Path(root)
    try:
        is_dir = stat.S_ISDIR(os.stat(root).st_mode)
    except OSError as exc:
        yield ReadError(str(root), _os_reason(exc))
        return
    if is_dir:
        yield from _walk(root, max_bytes, follow_symlinks)
        return
    fmt = FORMATS.get(root.suffix.lower())
    if root.name == MANIFEST:
        yield ReadError(root.name, f"{MANIFEST} is a metadata manifest, not a document")
    elif fmt is None:
        yield ReadError(root.name, "unsupported file type")
    else:  # a single file still picks up its folder's manifest; that manifest's errors are not ours
        manifest: dict[str, dict[str, Any]] = {}
        if (root.parent / MANIFEST).is_file():
            for _ in _load_manifest(root.parent, root.parent, manifest, max_bytes):
                pass
        extra = manifest.get(os.path.normpath(root), {})
        yield from _read_file(root, root.name, fmt, max_bytes, extra, [])


def _ignore_patterns(root: Path) -> list[str]:
    """Glob patterns from ``root/.newsclaimsignore`` (one per line, "#" comments): paths
    relative to ``root`` that are not news, such as a gold annotation folder. Raises
    ``UnreadableFile`` for an ignore file that is not a small regular text file."""
    path = root / IGNORE_FILE
    if not os.path.lexists(path):
        return []
    data = read_regular_file(path, max_bytes=IGNORE_MAX_BYTES)
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise UnreadableFile("not UTF-8 text") from exc
    return [p.strip().rstrip("/") for p in lines if p.strip() and not p.startswith("#")]


def _ignored(rel: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p + "/*") for p in patterns)


def _walk(root: Path, max_bytes: int, follow_symlinks: bool = False) -> Iterator[Item]:
    """Walk a folder top-down, applying each folder's manifest to the files below it; a file
    symlink that leads out of the folder is refused unless ``follow_symlinks``."""
    base = root.resolve()
    try:
        ignore = _ignore_patterns(root)
    except UnreadableFile as exc:  # reported; the walk goes on without ignore patterns
        yield ReadError(str(root / IGNORE_FILE), exc.reason)
        ignore = []
    errors: list[OSError] = []
    manifest: dict[str, dict[str, Any]] = {}
    pending: list[str] = []  # manifest warnings, carried by the next document read
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        yield from (ReadError(_rel(e.filename, root), _os_reason(e)) for e in errors)
        errors.clear()
        dirnames[:] = sorted(d for d in dirnames
                             if not _ignored(_rel(Path(dirpath) / d, root), ignore))
        folder = Path(dirpath)
        if MANIFEST in filenames:
            yield from _load_manifest(folder, root, manifest, max_bytes, pending)
        for name in sorted(filenames):
            fmt = FORMATS.get(Path(name).suffix.lower())
            path = folder / name
            if not _is_news(path, root, ignore):
                continue
            if not follow_symlinks and path.is_symlink() and not _resolves_inside(path, base):
                yield ReadError(_rel(path, root), "symlink leads outside the corpus folder "
                                                  "(--follow-symlinks to read it)")
                continue
            extra = manifest.get(os.path.normpath(path), {})
            yield from _read_file(path, _rel(path, root), fmt, max_bytes, extra, pending)
    yield from (ReadError(_rel(e.filename, root), _os_reason(e)) for e in errors)


def _is_news(path: Path, root: Path, ignore: list[str]) -> bool:
    """Whether the walk reads this file: a known suffix, not a manifest, not ignored."""
    return (Path(path.name).suffix.lower() in FORMATS and path.name != MANIFEST
            and not _ignored(_rel(path, root), ignore))


def count_files(root: str | Path) -> int:
    """How many files ``iter_sources(root)`` reads (a file given directly: 1), from their names
    alone (only the ignore file is opened): the total of a progress bar."""
    root = Path(root)
    try:
        is_dir = stat.S_ISDIR(os.stat(root).st_mode)
    except OSError:
        return 1  # the one error iter_sources reports
    if not is_dir:
        return 1
    try:
        ignore = _ignore_patterns(root)
    except UnreadableFile:  # the walk goes on without them too
        ignore = []
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not _ignored(_rel(Path(dirpath) / d, root), ignore)]
        count += sum(_is_news(Path(dirpath) / name, root, ignore) for name in filenames)
    return count


def _resolves_inside(path: Path, base: Path) -> bool:
    """Whether a symlink's target lies in ``base``; a loop cannot be resolved, and reading it
    reports its own error ("too many levels of symbolic links")."""
    try:
        return path.resolve(strict=True).is_relative_to(base)
    except (OSError, RuntimeError, ValueError):
        return True


def _load_manifest(folder: Path, root: Path, manifest: dict[str, dict[str, Any]],
                   max_bytes: int, warnings: list[str] | None = None) -> Iterator[ReadError]:
    """Add a folder's manifest lines to ``manifest`` (keyed by normalised file path); its
    decoding warning goes to ``warnings``. Values are checked per document (``_document``)."""
    rel = _rel(folder / MANIFEST, root)
    try:
        decoded = read_decoded(folder / MANIFEST, max_bytes=max_bytes)
    except UnreadableFile as exc:
        yield ReadError(rel, exc.reason)
        return
    text, warning = decoded.text, decoded.warning(rel)
    if warning and warnings is not None:
        warnings.append(warning)
    base = folder.resolve()
    for where, record in _jsonl(text, rel):
        if isinstance(record, ReadError):
            yield record
            continue
        name = record.get("file")
        if not isinstance(name, str) or not name.strip():
            yield ReadError(where, 'manifest line has no "file" field')
            continue
        target = folder / name
        try:
            inside = not Path(name).is_absolute() and target.resolve().is_relative_to(base)
        except (OSError, RuntimeError):  # RuntimeError: symlink loop (Python < 3.13)
            inside = False
        except ValueError:  # an embedded NUL: no file can have this name
            yield ReadError(where, "manifest file name is not a valid path (NUL character)")
            continue
        if not inside:
            yield ReadError(where, f"manifest path escapes the corpus folder: {name}")
            continue
        manifest[os.path.normpath(target)] = _canonical(
            {k: v for k, v in record.items() if k != "file" and v is not None}, ("published",))


def _read_file(path: Path, rel: str, fmt: str, max_bytes: int, extra: dict[str, Any],
               pending: list[str]) -> Iterator[Item]:
    """Read one file of a known format; ``extra`` is manifest metadata for it, ``pending`` the
    warnings still to attach to the next document (this file's decoding warning joins them)."""
    try:
        decoded = read_decoded(path, max_bytes=max_bytes)
    except UnreadableFile as exc:
        yield ReadError(rel, exc.reason)
        return
    warning = decoded.warning(rel)
    if warning:
        pending.append(warning)
    yield from _carry(_decoded_items(decoded, rel, fmt, extra), pending)


def _decoded_items(decoded: Decoded, rel: str, fmt: str, extra: dict[str, Any]) -> list[Item]:
    text, provenance = decoded.text, {"format": fmt, **decoded.provenance()}
    try:
        if fmt in ("txt", "md"):
            return [_document(rel, text, extra, provenance)]
        if fmt == "html":
            return [_from_html(text, rel, extra, provenance)]
        return list(_from_records(text, rel, fmt, extra, provenance))
    except Exception as exc:  # the contract: a bad file never stops the stream
        return [ReadError(rel, f"unexpected error: {type(exc).__name__}: {exc}")]


def documents_in(data: bytes, rel: str) -> list[Item]:
    """The documents (or errors) the walk reads from a file's bytes, named ``rel`` (its records
    ``rel#...``): a Dask worker reading a file itself gets the very texts the driver hashed.
    Manifest metadata is not applied (the texts do not depend on it)."""
    fmt = FORMATS.get(Path(rel).suffix.lower())
    if fmt is None:
        return [ReadError(rel, "unsupported file type")]
    try:
        decoded = decode_checked(data)
    except UnreadableFile as exc:
        return [ReadError(rel, exc.reason)]
    return _decoded_items(decoded, rel, fmt, {})


def _carry(items: Iterable[Item], pending: list[str]) -> Iterator[Item]:
    """The items, the first document among them carrying (and clearing) ``pending``."""
    for item in items:
        if pending and isinstance(item, SourceDocument):
            item = replace(item, warnings=(*pending, *item.warnings))
            pending.clear()
        yield item


def _document(where: str, text: str, meta: dict[str, Any],
              provenance: dict[str, Any]) -> SourceDocument:
    """A document whose metadata passed the schema (the reader's provenance fields win)."""
    own = {k: v for k, v in meta.items() if k not in PROVENANCE}
    clean, warnings = clean_metadata({**own, **provenance}, where)
    if clean.get("published") is None:
        clean.pop("published", None)
    else:
        try:
            clean["published"] = published_date(clean["published"])
        except BadDate as exc:
            del clean["published"]
            warnings.append(f"{where}: metadata field 'published' dropped: {exc}")
    return SourceDocument(where, text, clean, tuple(warnings))


def _canonical(meta: dict[str, Any], names: Iterable[str] = tuple(ALIASES)) -> dict[str, Any]:
    """``meta`` with the first accepted key of each canonical field renamed to it: for
    "published" the first that reads as a date, else the first present (dropped later, with a
    warning); the other keys stay as they are."""
    meta = dict(meta)
    for canonical in names:
        present = [n for n in ALIASES[canonical] if n in meta]
        if canonical == "published":
            present.sort(key=lambda n: published_or_none(meta[n]) is None)  # stable: order kept
        if present:
            meta[canonical] = meta.pop(present[0])
    return meta


def _from_html(html: str, rel: str, known: dict[str, Any], provenance: dict[str, Any]) -> Item:
    """Extract the main article text and metadata from an HTML page with trafilatura."""
    import trafilatura  # lazy: slow to import and only needed for HTML

    body = trafilatura.extract(html, include_comments=False, include_tables=False,
                               favor_precision=True)
    if not body or not body.strip():
        return ReadError(rel, "no article text found in HTML")
    meta = trafilatura.extract_metadata(html)
    found = {"url": meta.url, "title": meta.title, "publisher": meta.sitename,
             "published": meta.date} if meta else {}
    return _document(rel, body, {**{k: v for k, v in found.items() if v}, **known}, provenance)


def _from_records(text: str, rel: str, fmt: str, extra: dict[str, Any],
                  provenance: dict[str, Any]) -> Iterator[Item]:
    """Yield one document (or error) per record of a .json or .jsonl file."""
    if fmt == "jsonl":
        pairs: Iterable[tuple[str, Any]] = _jsonl(text, rel)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield ReadError(rel, f"malformed JSON: {exc.msg} at line {exc.lineno} "
                                 f"column {exc.colno}")
            return
        except RecursionError:
            yield ReadError(rel, TOO_DEEP)
            return
        if isinstance(data, list):
            pairs = [(f"{rel}#{i}", record) for i, record in enumerate(data)]
        elif isinstance(data, dict):
            pairs = [(rel, data)]
        else:
            yield ReadError(rel, "JSON must be an object or an array of objects")
            return
    for where, record in pairs:
        if isinstance(record, ReadError):
            yield record
        elif not isinstance(record, dict):
            yield ReadError(where, "record is not a JSON object")
        else:
            yield _from_record(record, where, extra, provenance)


def _from_record(record: dict[str, Any], where: str, extra: dict[str, Any],
                 provenance: dict[str, Any]) -> Item:
    """Build a document from one JSON record: first text field, then as metadata its scalar
    fields and any field the schema names (checked like all metadata); other nested fields are
    article content, not metadata, and are left out silently."""
    present = [k for k in TEXT_FIELDS if isinstance(record.get(k), str)]
    text = next((record[k] for k in present if record[k].strip()), None)
    if text is None:
        reason = (f"record text field {present[0]!r} is empty" if present else
                  f"record has no text field (expected one of {', '.join(TEXT_FIELDS)})")
        return ReadError(where, reason)
    known = source_schema().get("properties", {})
    meta = {k: v for k, v in record.items() if k not in TEXT_FIELDS and v is not None
            and (k in known or isinstance(v, str | int | float | bool))}
    return _document(where, text, {**extra, **_canonical(meta)}, provenance)


def _jsonl(text: str, rel: str) -> Iterator[tuple[str, Any]]:
    """Yield (``rel#L<n>``, parsed object or ReadError) for each non-blank line."""
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{rel}#L{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, ReadError(where, f"malformed JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:  # one absurdly nested line fails alone, not the file's good lines
            yield where, ReadError(where, TOO_DEEP)
            continue
        if not isinstance(record, dict):
            record = ReadError(where, "record is not a JSON object")
        yield where, record


def _rel(path: str | os.PathLike[str], root: Path) -> str:
    """Posix path of ``path`` relative to ``root`` (``root`` itself as given)."""
    try:
        rel = Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)
    return str(root) if rel == "." else rel


def _os_reason(exc: OSError) -> str:
    """Short, stable reason for an OS error."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()
