"""Input: news files of many formats turned into ``SourceDocument``s, never raising for a bad one
(``sources``). Importing it is cheap (no spaCy): the re-run path reads files before any model."""

from .sources import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    IGNORE_FILE,
    MANIFEST,
    ReadError,
    SourceDocument,
    UnreadableFile,
    count_files,
    decode_bytes,
    documents_in,
    iter_sources,
    read_text_file,
)

__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "IGNORE_FILE", "MANIFEST", "ReadError", "SourceDocument",
           "UnreadableFile", "count_files", "decode_bytes", "documents_in",
           "iter_sources", "read_text_file"]
