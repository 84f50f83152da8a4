"""News dates (issue 12): published values normalised to ISO 8601, query bounds read strictly,
and first/last sightings compared as instants."""

from __future__ import annotations

import pytest

from pipeline.dates import BadDate, in_range, parse_bound, published_date, published_or_none
from pipeline.resolution.resolver import _earliest, _latest


@pytest.mark.parametrize(("value", "expected"), [
    ("2023-03-14", "2023-03-14"),
    ("  2023-03-14 ", "2023-03-14"),
    ("2023-03-14T09:30:00+01:00", "2023-03-14T09:30:00+01:00"),
    ("2023-03-14T09:30:00.250Z", "2023-03-14T09:30:00+00:00"),
    ("2023-03-14T09:30:00", "2023-03-14"),              # no offset: only the day is certain
    ("2023-03-14 09:30", "2023-03-14"),
    ("20230314", "2023-03-14"),
    ("Tue, 14 Mar 2023 09:30:00 +0100", "2023-03-14T09:30:00+01:00"),   # RSS pubDate
    ("Tue, 14 Mar 2023 09:30:00 GMT", "2023-03-14T09:30:00+00:00"),
    ("14 March 2023", "2023-03-14"),
    ("March 14, 2023", "2023-03-14"),
    ("Mar 14 2023", "2023-03-14"),
])
def test_published_values_are_normalised(value: str, expected: str) -> None:
    assert published_date(value) == expected


@pytest.mark.parametrize("value", ["2023-13-45", "yesterday", "", "   ", "14/03/2023", "2023",
                                   "Q1 2023", 20230314, None, True])
def test_unreadable_published_values_are_refused(value: object) -> None:
    with pytest.raises(BadDate, match="not a date"):
        published_date(value)
    assert published_or_none(value) is None


@pytest.mark.parametrize("text", ["2024-06-01", "2024-06-01T10:00", "2024-06-01T10:00:00",
                                  "2024-06-01T10:00:00Z", "2024-06-01T10:00:00+02:00",
                                  "2024-06-01T10:00:00.5-05:00"])
def test_bounds_accept_iso_dates_and_datetimes(text: str) -> None:
    assert parse_bound(text, "--since").text == text


@pytest.mark.parametrize("text", ["2024-13-45", "2024-02-30", "yesterday", "20240601",
                                  "2024-6-1", "June 1, 2024", "2024-06-01T25:00", "", "2024"])
def test_bounds_refuse_anything_else(text: str) -> None:
    with pytest.raises(BadDate) as info:
        parse_bound(text, "--until")
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith(f"--until {text!r}: expected an ISO date YYYY-MM-DD")


@pytest.mark.parametrize(("value", "since", "until", "inside"), [
    ("2024-06-01", "2024-06-01", "2024-06-01", True),        # day bounds are inclusive
    ("2024-06-01T23:30:00-05:00", None, "2024-06-01", True),  # its own day, not UTC's
    ("2024-06-01T23:30:00-05:00", None, "2024-06-02T00:00:00Z", False),  # 04:30 UTC on the 2nd
    ("2024-06-02T01:00:00+02:00", "2024-06-01T23:30:00Z", None, False),  # 23:00 UTC on the 1st
    ("2024-05-31", "2024-06-01", None, False),
    ("2024-06-02", None, "2024-06-01", False),
    ("2024-06-01", "2024-06-01T00:00:00Z", None, True),       # a day counts as its midnight UTC
    (None, "2024-01-01", None, False),                       # undated: in no range
    (None, None, None, True),                                # no bounds: everything
])
def test_range_filter(value: str | None, since: str | None, until: str | None,
                      inside: bool) -> None:
    low = parse_bound(since) if since else None
    high = parse_bound(until) if until else None
    assert in_range(value, low, high) is inside


@pytest.mark.parametrize(("a", "b", "earliest", "latest"), [
    ("2024-06-02T01:00:00+02:00", "2024-06-01T23:30:00+00:00",   # text order is wrong here
     "2024-06-02T01:00:00+02:00", "2024-06-01T23:30:00+00:00"),
    ("2024-06-01", None, "2024-06-01", "2024-06-01"),
    (None, None, None, None),
    ("2023-01-05", "2022-12-31", "2022-12-31", "2023-01-05"),
])
def test_first_and_last_seen_compare_instants(a: str | None, b: str | None,
                                             earliest: str | None, latest: str | None) -> None:
    assert _earliest(a, b) == earliest and _earliest(b, a) == earliest
    assert _latest(a, b) == latest and _latest(b, a) == latest
