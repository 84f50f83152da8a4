"""Decode a file's bytes with evidence: which codec, how sure, and what had to be replaced.

The order, and why each step is trusted:

1. A byte-order mark (UTF-8, UTF-16, UTF-32) names the encoding: confidence 1.0.
2. Bytes that are valid UTF-8 are UTF-8: confidence 1.0.
3. "UTF-8 but for a few bytes" stays UTF-8. The bytes are decoded with each invalid byte kept
   apart; when there is at least one valid multi-byte UTF-8 sequence and the invalid bytes are
   few — at most max(``FEW_BYTES``, ``FEW_SHARE`` × the valid multi-byte sequences), that is
   max(3, 1%), and never more than those sequences — every invalid byte becomes one U+FFFD
   and the document carries ONE warning naming the count and the first offsets. Legacy CJK
   text (GB18030, Big5, Shift_JIS) has far more invalid bytes than accidental valid sequences,
   so it does not pass this test.
   A file whose only defect is an incomplete character at its very end is refused instead
   ("still being written?"), so the next run reads it whole; that needs the evidence that it
   is UTF-8 (a valid multi-byte sequence before the cut, or a cut sequence of two or more
   bytes) — an otherwise ASCII file ending in one high byte (a Latin-1 "café") goes to step 4.
4. A legacy encoding is charset-normalizer's best guess, accepted only when confident (chaos at
   most ``MAX_CHAOS``) and consistent (the whole file decodes strictly with that codec and is not
   mostly control characters). Among tied single-byte code pages cp1252 wins (English news).
   Its confidence is ``1 - chaos``, capped at 0.99: a guess is never as sure as a BOM.
   Anything else is refused with one line naming the best guess and its chaos.

NUL bytes outside a BOM-marked UTF-16/32 file mean binary (UTF-16 without a BOM is not read).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

BINARY = "binary or undecodable content (not text)"
STILL_WRITING = "file ends inside a UTF-8 character (still being written?)"
WESTERN = "cp1252"
# charset-normalizer's mess ratio: realistic news paragraphs in GB18030, Big5, Shift_JIS and
# cp1252 score 0.0; its own default cut-off is 0.2. Half of that leaves room for a few odd
# characters while refusing the guesses that decode binary or mixed bytes into symbol soup.
MAX_CHAOS = 0.1
LEGACY_CAP = 0.99  # the highest confidence a guessed legacy encoding gets
FEW_BYTES = 3  # invalid bytes always tolerated in UTF-8 text (given the evidence above)
FEW_SHARE = 0.01  # ... or this share of the valid multi-byte sequences, if larger
SHOWN_OFFSETS = 3
# BOMs in the order they must be tested (UTF-32-LE's BOM starts with UTF-16-LE's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# C0/C1 control characters other than \t \n \r \f: a high share of them means binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_ESCAPED = re.compile(r"[\udc80-\udcff]")  # what surrogateescape makes of an invalid byte
_HIGH = bytes(range(128, 256))


class UndecodableBytes(ValueError):
    """The bytes cannot be decoded with confidence; ``reason`` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the codec name, how sure the choice is (0..1) and the bytes replaced."""

    text: str
    encoding: str
    confidence: float
    replaced: int = 0
    offsets: tuple[int, ...] = ()

    def provenance(self) -> dict[str, object]:
        """The ``source`` fields recording this decoding."""
        found: dict[str, object] = {"encoding": self.encoding,
                                    "encoding_confidence": self.confidence}
        if self.replaced:
            found["encoding_replaced"] = self.replaced
        return found

    def warning(self, where: str) -> str | None:
        """The one warning line for replaced bytes, else None."""
        if not self.replaced:
            return None
        noun = "byte that is not UTF-8" if self.replaced == 1 else "bytes that are not UTF-8"
        shown = ", ".join(map(str, self.offsets))
        more = ", ..." if self.replaced > len(self.offsets) else ""
        at = "offset" if len(self.offsets) == 1 else "offsets"
        return f"{where}: {self.replaced} {noun} at {at} {shown}{more} replaced with U+FFFD"


def decode(data: bytes) -> Decoded:
    """Decode bytes by BOM, strict UTF-8, near-UTF-8 or a confident legacy guess (see module)."""
    decoded = _by_bom(data)
    if decoded is None:
        if b"\x00" in data:
            raise UndecodableBytes(BINARY)
        try:
            decoded = Decoded(data.decode("utf-8"), "utf-8", 1.0)
        except UnicodeDecodeError as exc:
            decoded = _near_utf8(data, exc) or _legacy(data)
    if len(_CONTROL.findall(decoded.text)) > 0.1 * len(decoded.text):
        raise UndecodableBytes(BINARY)
    return decoded


def _by_bom(data: bytes) -> Decoded | None:
    """The text of a BOM-marked file, None without a BOM."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding, 1.0)
            except UnicodeDecodeError as exc:
                raise UndecodableBytes(BINARY) from exc
    return None


def _near_utf8(data: bytes, first: UnicodeDecodeError) -> Decoded | None:
    """UTF-8 with a few invalid bytes replaced (or refused if cut at the end), else None."""
    escaped = data.decode("utf-8", "surrogateescape")
    multibyte = len(escaped) - (len(data) - _high_bytes(data))  # non-ASCII characters
    bad = [m.start() for m in _ESCAPED.finditer(escaped)]
    multibyte -= len(bad)
    if first.reason == "unexpected end of data" and first.end == len(data):
        if multibyte or len(bad) > 1:  # the cut is the only defect and this is UTF-8
            raise UndecodableBytes(STILL_WRITING)
        return None
    if not multibyte or len(bad) > max(FEW_BYTES, FEW_SHARE * multibyte) or len(bad) > multibyte:
        return None
    offsets = tuple(len(escaped[:i].encode("utf-8", "surrogateescape"))
                    for i in bad[:SHOWN_OFFSETS])
    return Decoded(_ESCAPED.sub("\ufffd", escaped), "utf-8", 1.0, len(bad), offsets)


def _high_bytes(data: bytes) -> int:
    """How many bytes are above 0x7F."""
    return len(data) - len(data.translate(None, _HIGH))


def _legacy(data: bytes) -> Decoded:
    """charset-normalizer's best guess if confident and consistent, else UndecodableBytes."""
    import charset_normalizer  # lazy: only legacy encodings need it

    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise UndecodableBytes(BINARY)
    # Ties are common among single-byte code pages; for English news the Western one
    # (cp1252, a superset of Latin-1's printable range) is the likely truth.
    best = next((m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence
                 and WESTERN in m.could_be_from_charset), best)
    name = WESTERN if WESTERN in best.could_be_from_charset else best.encoding
    if best.chaos > MAX_CHAOS:
        raise UndecodableBytes(f"encoding could not be determined with confidence (best guess "
                               f"{name}, chaos {best.chaos:.2f})")
    try:
        text, encoding = data.decode(name), codecs.lookup(name).name
    except (UnicodeDecodeError, LookupError):
        raise UndecodableBytes(f"encoding could not be determined with confidence (best guess "
                               f"{name} does not decode the whole file)") from None
    return Decoded(text, encoding, round(min(LEGACY_CAP, 1.0 - best.chaos), 3))
