"""News dates: a document's published date, normalised, and the date bounds of queries.

Plain Python (no spaCy, no third-party parser): readers normalise ``source.published`` with
``published_date``, the resolver and queries compare values with ``date_key``, and
``parse_bound`` reads ``claims --since/--until``.

A published value is stored in one of two ISO 8601 forms: ``YYYY-MM-DD`` when only a day is
known, or ``YYYY-MM-DDTHH:MM:SS±HH:MM`` when a time with a UTC offset is given (``Z`` becomes
``+00:00``; fractions of a second are dropped). A time without an offset is ambiguous, so only
its day is kept. Accepted inputs: ISO 8601 (``datetime.fromisoformat``), RFC 2822 as in RSS
``pubDate`` (``email.utils``), and "3 June 2024" / "June 3, 2024" (full or short month names).
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

# Record fields read as the published date, in order of preference ("date" last: it is the most
# ambiguous name). A manifest line and a JSON/JSONL record accept the same names.
DATE_FIELDS = ("published", "published_at", "datePublished", "pubDate", "date")
_WRITTEN = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
                           r"(Z|[+-]\d{2}:?\d{2})?")


class BadDate(ValueError):
    """A value that is not a date of the accepted forms (the message says which value)."""


def published_date(value: Any) -> str:
    """``value`` as a normalised ISO 8601 date or datetime with offset, else ``BadDate``."""
    if not isinstance(value, str) or not value.strip():
        raise BadDate(f"not a date: {value!r}")
    text = " ".join(value.split())
    parsed = _parse(text)
    if parsed is None:
        raise BadDate(f"not a date: {value!r}")
    if isinstance(parsed, datetime):
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return parsed.date().isoformat()
        return parsed.replace(microsecond=0).isoformat()
    return parsed.isoformat()


def published_or_none(value: Any) -> str | None:
    """``published_date(value)``, or None for a missing or unparseable value (old stores)."""
    try:
        return published_date(value)
    except BadDate:
        return None


def _parse(text: str) -> date | datetime | None:
    """The first reading of ``text`` that succeeds: ISO 8601, RFC 2822, a written date."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.date() if _ISO_DAY.fullmatch(text) else parsed
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    for pattern in _WRITTEN:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def date_key(value: Any) -> datetime | None:
    """A comparable instant for a stored date: a datetime in UTC, a day as its midnight UTC;
    None for a missing or unreadable value. Offsets differ between publishers, so stored
    strings are not compared as text."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass(frozen=True)
class DateBound:
    """One end of a date range: a day (compared with a claim's day as published) or an
    instant (compared with a claim's instant; a day-only claim counts as its midnight UTC)."""

    text: str
    day: date | None = None
    instant: datetime | None = None

    def after_or_at(self, value: str) -> bool:
        """Whether the stored date ``value`` is at or after this bound."""
        if self.day is not None:
            return value[:10] >= self.day.isoformat()
        key = date_key(value)
        return key is not None and self.instant is not None and key >= self.instant

    def before_or_at(self, value: str) -> bool:
        """Whether the stored date ``value`` is at or before this bound (a day: all of it)."""
        if self.day is not None:
            return value[:10] <= self.day.isoformat()
        key = date_key(value)
        return key is not None and self.instant is not None and key <= self.instant


def parse_bound(text: str, option: str = "date") -> DateBound:
    """``YYYY-MM-DD`` or a full ISO 8601 datetime (no offset: UTC) as a bound, else ``BadDate``
    naming the option; "yesterday", "2024-13-45" or "20240601" are refused."""
    problem = f"{option} {text!r}: expected an ISO date YYYY-MM-DD or datetime YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
    value = text.strip()
    try:
        if _ISO_DAY.fullmatch(value):
            return DateBound(text, day=date.fromisoformat(value))
        if _ISO_DATETIME.fullmatch(value):
            parsed = datetime.fromisoformat(value)
            instant = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
            return DateBound(text, instant=instant.astimezone(UTC))
    except ValueError:
        pass
    raise BadDate(problem)


def in_range(value: str | None, since: DateBound | None, until: DateBound | None) -> bool:
    """Whether a stored date lies within the bounds; an unknown date lies in no range."""
    if since is None and until is None:
        return True
    if not value:
        return False
    return (since is None or since.after_or_at(value)) and (until is None or until.before_or_at(value))

