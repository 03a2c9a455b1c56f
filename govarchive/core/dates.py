"""Moments as the archive writes them: WARC/1.1 dates (UTC, microseconds), also in every index row."""

from __future__ import annotations

from datetime import UTC, datetime


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds, UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
