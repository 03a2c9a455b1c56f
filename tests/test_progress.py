"""Crawl progress: per-account request counting, the live line, log lines in a real crawl."""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from helpers import crawl, one
from rich.console import Console
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from govarchive.core.config import archive_config
from govarchive.core.items import Account, Link, Post
from govarchive.crawl.progress import (
    META_ACCOUNT,
    AccountTracker,
    LiveDisplay,
    ProgressExtension,
    ProgressMiddleware,
    Snapshot,
    render,
)
from govarchive.crawl.spider import link_account, page_account
from govarchive.pages import Extraction

T = datetime(2026, 11, 20, tzinfo=UTC)


def request(url: str, account: str | None = None) -> Request:
    return Request(url, meta={META_ACCOUNT: account} if account else {})


def response(req: Request) -> SimpleNamespace:
    return SimpleNamespace(request=req, url=req.url)


def parsed(middleware: ProgressMiddleware, parent: Request, *children: Request) -> list:
    """Run a page's output through the middleware as the engine does: pulled to the end."""
    return list(middleware.process_spider_output(response(parent), iter(children)))


# --- counting ----------------------------------------------------------------------------------
def test_accounts_are_done_when_no_request_of_theirs_is_pending():
    tracker = AccountTracker()
    mw = ProgressMiddleware(tracker)
    directory = request("http://gov/xmt/")
    tracker.opened(directory)  # a start request: no account yet
    assert (tracker.accounts_done, tracker.accounts_total, tracker.pending) == (0, 0, 1)

    a, b = request("http://wx/a", "wechat:1"), request("http://wx/b", "wechat:2")
    page2 = request("http://gov/xmt/2")
    parsed(mw, directory, a, b, page2)
    assert (tracker.accounts_done, tracker.accounts_total, tracker.pending) == (0, 2, 3)

    posts = [request(f"http://wx/a/{i}", "wechat:1") for i in range(2)]
    parsed(mw, a, *posts)
    parsed(mw, b)  # an account page that leads nowhere: that account is done
    assert (tracker.accounts_done, tracker.accounts_total) == (1, 2)
    assert tracker.pending_of("wechat:1") == 2

    # a redirect keeps the request's place: its copy is the same logical request
    moved = posts[0].replace(url="http://wx/a/0-moved")
    tracker.opened(moved)
    assert tracker.pending_of("wechat:1") == 2
    parsed(mw, moved)
    tracker.closed(posts[1])  # a failed download (the spider's errback)
    parsed(mw, page2)
    assert (tracker.accounts_done, tracker.accounts_total, tracker.pending) == (2, 2, 0)


def test_a_page_is_closed_only_after_its_follow_ups_are_pending():
    tracker = AccountTracker()
    mw = ProgressMiddleware(tracker)
    page = request("http://wx/a", "wechat:1")
    tracker.opened(page)
    seen = []
    for _child in mw.process_spider_output(response(page), iter([request("http://wx/a/1", "wechat:1")])):
        seen.append((tracker.pending_of("wechat:1"), tracker.accounts_done))
    assert seen == [(2, 0)]  # parent still pending while its child passes
    assert tracker.pending_of("wechat:1") == 1 and tracker.accounts_done == 0


def test_a_callback_error_closes_the_page():
    tracker = AccountTracker()
    mw = ProgressMiddleware(tracker)
    page = request("http://wx/a", "wechat:1")
    tracker.opened(page)

    def broken():
        yield request("http://wx/a/1", "wechat:1")
        raise ValueError("parser bug")

    with pytest.raises(ValueError):
        list(mw.process_spider_output(response(page), broken()))
    mw.process_spider_exception(response(page), ValueError())  # also called by Scrapy: idempotent
    assert tracker.pending_of("wechat:1") == 1 and tracker.pending == 1


def test_duplicates_dropped_by_the_scheduler_do_not_make_an_account():
    tracker = AccountTracker()
    first, again = request("http://wx/a", "wechat:1"), request("http://wx/a", "wechat:name:云岚交通")
    tracker.opened(first)
    tracker.opened(again)
    tracker.closed(again, dropped=True)
    assert (tracker.accounts_done, tracker.accounts_total) == (0, 1)
    tracker.closed(first)
    tracker.closed(first)  # twice: still once
    assert (tracker.accounts_done, tracker.accounts_total, tracker.pending) == (1, 1, 0)


def test_requests_say_which_account_they_work_for():
    listed = Account("wechat:name:云岚交通", "wechat", "云岚交通", "c1", T, url="http://wx/profile?name=yl")
    own = Account("wechat:42", "wechat", "42", "c1", T, authoritative=True)
    post = Post("wechat:42:1:1", "wechat:42", "wechat", "c1", T)
    directory = Extraction(accounts=[listed])
    history = Extraction(accounts=[own], posts=[post])

    assert page_account(None, directory) is None
    assert page_account(None, history) == "wechat:42"  # a start URL that is an account's own page
    assert page_account("wechat:name:云岚交通", history) == "wechat:name:云岚交通"  # inherited wins
    assert link_account(Link("http://wx/profile?name=yl", "account"), directory, None) == "wechat:name:云岚交通"
    sogou = "http://sogou/profile?x"  # an account page the listing names no id for: its URL stands for it
    assert link_account(Link(sogou, "account"), directory, None) == sogou
    assert link_account(Link("http://gov/xmt/2", "listing"), directory, None) is None
    assert link_account(Link("http://wx/s?1", "post", post_id="wechat:42:1:1"), history, None) == "wechat:42"
    assert link_account(Link("http://wx/img.jpg", "asset"), history, "wechat:name:x") == "wechat:name:x"


# --- showing -----------------------------------------------------------------------------------
SNAP = Snapshot(accounts_done=12, accounts_total=17, pending=38, pages=143, bytes=157_600, blocked=3,
                elapsed=11.9)


def test_live_line_shows_the_numbers():
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    console.print(render(SNAP))
    text = re.sub(r"\x1b\[[0-9;]*m", "", console.file.getvalue())
    for part in ("accounts 12/17 done", "143 pages", "157.6 kB", "12.0 pages/s", "3 blocked", "38 pending",
                 "0:11"):
        assert part in text, (part, text)
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    console.print(render(Snapshot(17, 17, 0, 150, 10, 0, 3.0, finished="finished")))
    assert "finished" in console.file.getvalue() and "17/17" in console.file.getvalue()


def test_log_line_is_plain():
    assert SNAP.line() == ("accounts 12/17 done, 143 pages, 157.6 kB, 12.0 pages/s, 3 blocked, "
                           "38 requests pending, 0:11 elapsed")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_live_display_routes_log_lines_through_its_console_and_gives_the_stream_back():
    terminal = FakeTerminal()
    handler = logging.StreamHandler(terminal)  # like Scrapy's: bound to the terminal once
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    display = LiveDisplay(console)
    try:
        display.start(SNAP)
        logging.getLogger("scrapy.core.engine").info("Spider opened")
        display.stop(Snapshot(17, 17, 0, 150, 10, 0, 3.0, finished="finished"))
        logging.getLogger("scrapy.core.engine").info("after the live display")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    shown = console.file.getvalue()
    assert "Spider opened" in shown and "accounts 17/17 done" in shown
    assert terminal.getvalue() == "after the live display\n"
    assert handler.stream is terminal


def test_progress_settings():
    assert archive_config({}).progress == "auto" and archive_config({}).progress_interval == 30
    config = archive_config({"GOVARCHIVE_PROGRESS": "LOG", "GOVARCHIVE_PROGRESS_INTERVAL": "0.5"})
    assert (config.progress, config.progress_interval) == ("log", 0.5)
    with pytest.raises(ValueError, match="GOVARCHIVE_PROGRESS"):
        archive_config({"GOVARCHIVE_PROGRESS": "loud"})
    with pytest.raises(ValueError, match="GOVARCHIVE_PROGRESS_INTERVAL"):
        archive_config({"GOVARCHIVE_PROGRESS_INTERVAL": "0"})
    with pytest.raises(ValueError, match="GOVARCHIVE_PROGRESS_INTERVAL: 'soon' is not a number"):
        archive_config({"GOVARCHIVE_PROGRESS_INTERVAL": "soon"})


def test_mode_follows_the_setting_and_the_terminal(monkeypatch):
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(settings_dict={"GOVARCHIVE_PROGRESS": "off"}))
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert ProgressExtension.from_crawler(get_crawler()).mode == "log"
    monkeypatch.setattr("sys.stderr", FakeTerminal())
    assert ProgressExtension.from_crawler(get_crawler()).mode == "live"
    forced = get_crawler(settings_dict={"GOVARCHIVE_PROGRESS": "log"})
    assert ProgressExtension.from_crawler(forced).mode == "log"


# --- a real crawl ------------------------------------------------------------------------------
LINE = re.compile(r"\[govarchive\.crawl\.progress\] INFO: progress(?: \((\w+)\))?: "
                  r"accounts (\d+)/(\d+) done, (\d+) pages, ")


@pytest.mark.slow
def test_a_crawl_without_a_terminal_logs_plain_progress_lines(demo_web, tmp_path):
    result = crawl(demo_web.base_url, tmp_path, "GOVARCHIVE_PROGRESS_INTERVAL=0.2")
    lines = [m for m in map(LINE.search, result.stderr.splitlines()) if m]
    periodic, final = [m for m in lines if not m.group(1)], [m for m in lines if m.group(1)]
    assert periodic, result.stderr[-3000:]
    assert len(final) == 1 and final[0].group(1) == "finished"
    done, total, pages = (int(final[0].group(i)) for i in (2, 3, 4))
    assert done == total > 5
    assert pages == one(tmp_path / "index.db", "select count(*) from captures")[0]
    assert "\x1b[" not in result.stderr and "\x1b[" not in result.stdout
