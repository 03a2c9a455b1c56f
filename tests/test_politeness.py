"""Politeness: platform slots, Retry-After, and a run that stops when a platform blocks it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from govarchive.crawl.politeness import retry_after_seconds, slot_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("url, slot", [
    ("https://mp.weixin.qq.com/s?__biz=MzI2NDk5NzA0Mw==&mid=1&idx=1", "wechat"),
    ("https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=x", "wechat-list"),
    ("https://mp.weixin.qq.com/mp/appmsgalbum?__biz=x&action=getalbum", "wechat-list"),
    ("https://m.weibo.cn/api/container/getIndex?type=uid&value=1", "weibo-list"),
    ("https://m.weibo.cn/statuses/extend?id=1", "weibo"),
    ("https://www.example.gov.cn/xxgk/", None),
])
def test_platform_hosts_get_their_own_slots(url, slot):
    assert slot_for(url) == slot


def test_every_platform_slot_has_a_delay_setting():
    from govarchive import settings
    from govarchive.crawl.politeness import PLATFORM_SLOTS

    assert set(PLATFORM_SLOTS) == set(settings.DOWNLOAD_SLOTS)
    assert settings.DOWNLOAD_SLOTS["wechat"]["delay"] >= 5
    assert settings.DOWNLOAD_SLOTS["wechat-list"]["delay"] > settings.DOWNLOAD_SLOTS["wechat"]["delay"]


def test_retry_after_as_seconds_or_date():
    now = datetime(2026, 11, 20, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


class Teapot(BaseHTTPRequestHandler):
    """Every page answers 418, as Weibo does to crawlers it blocks."""

    def do_GET(self):
        body = b'<html><body><a href="/a">a</a><a href="/b">b</a><a href="/c">c</a></body></html>'
        self.send_response(200 if self.path in ("/", "/robots.txt") else 418)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_blocked_run_stops_with_exit_code_75(tmp_path):
    import subprocess
    import sys

    from govarchive.cli import EXIT_BLOCKED

    server = ThreadingHTTPServer(("127.0.0.1", 0), Teapot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        links = ",".join(f"{base}/p{i}" for i in range(8))
        result = subprocess.run(
            [sys.executable, "-m", "govarchive.cli", "crawl", "portal", "--url", links, "--archive-dir",
             str(tmp_path), "-s", "DOWNLOAD_DELAY=0", "-s", "GOVARCHIVE_BLOCKED_LIMIT=3", "-s", "LOG_LEVEL=ERROR",
             "-s", "CONCURRENT_REQUESTS=1"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    assert result.returncode == EXIT_BLOCKED, result.stderr[-2000:]
    assert "blocked the crawl" in result.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "index.db") as db:
        states = dict(db.execute("select page_state, count(*) from captures group by 1").fetchall())
        assert states.get("blocked", 0) >= 3 and db.execute("select count(*) from posts").fetchone()[0] == 0


def test_retry_after_slows_the_slot_before_the_retry():
    from types import SimpleNamespace

    from scrapy.http import HtmlResponse, Request
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from govarchive.crawl.politeness import PolitenessMiddleware

    slot = SimpleNamespace(delay=0.5)
    crawler = SimpleNamespace(engine=SimpleNamespace(downloader=SimpleNamespace(
        slots={"weibo-list": slot}, get_slot_key=lambda request: "unused")),
        stats=MemoryStatsCollector(get_crawler()))
    middleware = PolitenessMiddleware(crawler, max_wait=600)
    request = Request("https://m.weibo.cn/api/container/getIndex?type=uid&value=1")
    middleware.process_request(request)
    assert request.meta["download_slot"] == "weibo-list" and request.meta["autothrottle_dont_adjust_delay"]
    response = HtmlResponse(request.url, status=429, headers={"Retry-After": "900"}, request=request)
    assert middleware.process_response(request, response) is response
    assert slot.delay == 600 and crawler.stats.get_value("govarchive/retry_after") == 1


def test_login_walls_and_non_json_answers_are_blocks_not_content():
    from govarchive.pages import PageInput, extract
    from govarchive.pages.router import status_state

    assert status_state(302, "https://passport.weibo.cn/signin/welcome?entry=mweibo") == "blocked"
    assert status_state(302, "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x") == "blocked"
    assert status_state(301, "/xxgk/xmt/index.html") == "redirect"
    fetched = datetime(2026, 11, 20, tzinfo=UTC)
    visitor = PageInput("https://m.weibo.cn/api/container/getIndex?type=uid&value=1", 200,
                        (("Content-Type", "text/html"),), b"<html>Sina Visitor System</html>", "urn:uuid:v", fetched)
    result = extract(visitor)
    assert result.page_state == "blocked" and not result.posts and not result.accounts


def test_block_pages_double_the_slot_delay_and_good_pages_bring_it_back():
    from types import SimpleNamespace

    from scrapy.http import Request
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from govarchive.crawl.politeness import BlockBackoff

    slot = SimpleNamespace(delay=5.0)
    crawler = SimpleNamespace(engine=SimpleNamespace(downloader=SimpleNamespace(
        slots={"wechat": slot}, get_slot_key=lambda request: "unused")), stats=MemoryStatsCollector(get_crawler()))
    backoff = BlockBackoff(crawler, cap=30)
    request = Request("https://mp.weixin.qq.com/s?__biz=x", meta={"download_slot": "wechat"})
    assert [backoff.blocked(request) for _ in range(3)] == [10.0, 20.0, 30.0]
    assert [backoff.passed(request) for _ in range(4)] == [15.0, 7.5, 5.0, None]  # back to its own 5 s
    fast = SimpleNamespace(delay=0.0)
    crawler.engine.downloader.slots["127.0.0.1"] = fast
    local = Request("http://127.0.0.1/x", meta={"download_slot": "127.0.0.1"})
    assert backoff.blocked(local) == 1.0 and backoff.blocked(local) == 2.0
    assert [backoff.passed(local) for _ in range(6)] == [1.0, 0.5, 0.25, 0.125, 0.0, None]
    assert crawler.stats.get_value("govarchive/block_backoff") == 5
