"""The MP back-office session: added only to back-office requests on the right hosts, masked in captures."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse

from govarchive.core.config import archive_config
from govarchive.crawl.capture import capture_from_exchange
from govarchive.crawl.credentials import MpSessionMiddleware

TOKEN, COOKIE = "1357924680", "slave_user=gh_x; slave_sid=c2Vzc2lvbi1zZWNyZXQ="
LIST = "https://mp.weixin.qq.com/cgi-bin/appmsgpublish?sub=list&begin=0&count=5&fakeid=MzE1NTc3MjA0OQ==&f=json"


def middleware(token: str = TOKEN, cookie: str = COOKIE, hosts=()) -> MpSessionMiddleware:
    crawler = SimpleNamespace(spider=SimpleNamespace(backoffice_hosts=set(hosts)), stats=SimpleNamespace(counts=Counter()))
    crawler.stats.inc_value = lambda key: crawler.stats.counts.update([key])
    return MpSessionMiddleware(archive_config({"GOVARCHIVE_MP_TOKEN": token, "GOVARCHIVE_MP_COOKIE": cookie}), crawler)


def test_session_is_added_to_backoffice_requests():
    request = Request(LIST)
    new = middleware().process_request(request)
    assert new.url.endswith(f"&token={TOKEN}") and request.headers["Cookie"] == COOKIE.encode()
    assert middleware().process_request(new) is None  # already carries it: no loop


def test_session_never_goes_to_other_hosts_or_pages():
    for url in ("https://evil.example/cgi-bin/appmsgpublish?fakeid=x", "https://mp.weixin.qq.com/s?__biz=x&mid=1&idx=1"):
        request = Request(url)
        assert middleware().process_request(request) is None and b"Cookie" not in request.headers
    demo = Request("http://127.0.0.1:8765/cgi-bin/searchbiz?query=x")
    assert middleware(hosts={"127.0.0.1:8765"}).process_request(demo).url.endswith(f"token={TOKEN}")


def test_without_a_session_backoffice_requests_are_skipped():
    mw = middleware(token="", cookie="")
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request(LIST))
    assert mw.crawler.stats.counts["govarchive/mp_session_missing"] == 1


def test_captures_mask_the_session():
    request = Request(f"{LIST}&token={TOKEN}", headers={"Cookie": COOKIE, "User-Agent": "govarchive"})
    response = HtmlResponse(request.url, body=b"{}", request=request)
    secrets = archive_config({"GOVARCHIVE_MP_TOKEN": TOKEN, "GOVARCHIVE_MP_COOKIE": COOKIE}).secrets
    capture = capture_from_exchange(response, request, "run", datetime.now(UTC), secrets)
    recorded = capture.url + repr(capture.request_headers)
    assert TOKEN not in recorded and "c2Vzc2lvbi1zZWNyZXQ=" not in recorded
    assert capture.url.endswith("&token=REDACTED") and ("Cookie", "REDACTED") in capture.request_headers


def test_log_filter_masks_the_session_in_formatted_messages():
    import logging

    from govarchive.crawl.credentials import SecretsLogFilter

    record = logging.LogRecord("scrapy", logging.DEBUG, __file__, 1, "Crawled %s with %r", (
        "https://mp.weixin.qq.com/cgi-bin/appmsgpublish?token=tok-12345", {"Cookie": "slave_sid=sid-999"}), None)
    assert SecretsLogFilter(("tok-12345", "sid-999")).filter(record)
    assert record.getMessage() == ("Crawled https://mp.weixin.qq.com/cgi-bin/appmsgpublish?token=REDACTED with "
                                   "{'Cookie': 'slave_sid=REDACTED'}")
