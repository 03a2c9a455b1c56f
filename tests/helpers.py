"""Builders shared by the tests: fixed ids and times, no randomness."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from govarchive.httpdata import payload_digest
from govarchive.items import Capture

T0 = datetime(2026, 11, 20, 2, 0, 0, tzinfo=timezone.utc)


def make_capture(n: int, url: str = "http://127.0.0.1:9/page", body: bytes = b"<html>hello</html>",
                 headers: list[tuple[str, str]] | None = None, status: int = 200, run_id: str = "run-1") -> Capture:
    return Capture(
        id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        request_id=f"urn:uuid:00000000-0000-4000-9000-{n:012d}",
        run_id=run_id, url=url, fetched_at=T0 + timedelta(seconds=n), http_status=status, protocol="HTTP/1.1",
        response_headers=headers or [("Content-Type", "text/html; charset=utf-8")], body=body,
        request_headers=[("User-Agent", "govarchive-test"), ("Accept-Encoding", "gzip, deflate")],
        ip_address="127.0.0.1", payload_digest=payload_digest(body), payload_length=len(body))


def fixed_clock(start: datetime = T0):
    moments = iter(start + timedelta(milliseconds=i) for i in range(10**6))
    return lambda: next(moments)
