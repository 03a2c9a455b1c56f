"""Which exchanges a browser page made are read by the page objects (govarchive/crawl/browser.py).

Images, media and fonts are archived without being read: their page state is the one their HTTP status gives,
which is what a page object reading them concludes (and so what a reindex, which reads every record, writes).
Documents, JSON answers, and anything that could hold a page (an HTML wall where an image was asked for, a JSON
answer loaded by a script tag) are read.
"""

from __future__ import annotations

import json

import pytest
from helpers import make_capture

from govarchive.crawl.browser import Recorder, worth_reading
from govarchive.crawl.capture import read_exchange
from govarchive.pages.router import status_state
from govarchive.warc.archiver import page_state

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
EMPTY_FEED = json.dumps({"message": "success", "data": []}).encode()

# (url, resource type, status, Content-Type, body, read?)
EXCHANGES = [
    ("http://127.0.0.1:9/cover/1.png", "image", 200, "image/png", PNG, False),
    ("http://127.0.0.1:9/cover/2.jpg", "image", 404, "image/jpeg", b"not here", False),
    ("http://127.0.0.1:9/cover/3.webp", "image", 403, "IMAGE/WEBP", b"", False),
    ("http://127.0.0.1:9/fonts/a.woff2", "font", 200, "font/woff2", b"wOF2" + PNG, False),
    ("http://127.0.0.1:9/play/1.mp4", "media", 206, "video/mp4", PNG, False),
    ("http://127.0.0.1:9/play/2.m4a", "media", 200, "audio/mp4", PNG, False),
    ("http://127.0.0.1:9/img/wall.png", "image", 200, "text/html; charset=utf-8",
     "<html><head><title>验证</title></head><body>请完成验证</body></html>".encode(), True),
    ("http://127.0.0.1:9/api/pc/list/feed?category=profile_all&token=abc", "script", 200, "application/javascript",
     EMPTY_FEED, True),
    ("http://127.0.0.1:9/static/js/app.js", "script", 200, "application/javascript", b"var a = 1;", True),
    ("http://127.0.0.1:9/static/css/site.css", "stylesheet", 200, "text/css", b"body { color: #333 }", True),
    ("http://127.0.0.1:9/api/pc/list/feed?category=profile_all&token=abc", "fetch", 200, "application/json",
     EMPTY_FEED, True),
    ("http://127.0.0.1:9/u/1/", "document", 200, "image/png", PNG, True),  # what the spider follows: always read
]


def browser_capture(n: int, url: str, status: int, ctype: str, body: bytes):
    capture = make_capture(n, url=url, body=body, headers=[("Content-Type", ctype)], status=status)
    capture.page_state = status_state(status)  # as the Recorder builds it
    return capture


@pytest.mark.parametrize(("url", "resource_type", "status", "ctype", "body", "read"), EXCHANGES)
def test_what_is_not_read_gets_the_page_state_a_reading_gives(url, resource_type, status, ctype, body, read):
    capture = browser_capture(1, url, status, ctype, body)
    assert worth_reading(capture, resource_type) is read
    reading = read_exchange(capture, url, 50_000_000)
    assert page_state(capture, reading if read else None) == page_state(capture, reading)


def test_a_json_answer_loaded_by_a_script_is_read_for_what_it_says():
    capture = browser_capture(1, EXCHANGES[7][0], 200, "application/javascript", EMPTY_FEED)
    assert page_state(capture, read_exchange(capture, capture.url, 50_000_000)) == "empty"  # not its status's "ok"


def test_the_recorder_reads_only_what_is_worth_reading():
    from govarchive.core.config import ArchiveConfig

    asked: list[tuple[str, bool]] = []

    def store(capture, read):
        asked.append((capture.url, read))
        return None, read_exchange(capture, capture.url, 50_000_000) if read else None

    recorder = Recorder("http://127.0.0.1:9/u/1/", store, "run-1", ArchiveConfig())
    for n, (url, resource_type, status, ctype, body, _) in enumerate(EXCHANGES):
        recorder.received.append((browser_capture(n, url, status, ctype, body), resource_type, False))
    recorder.flush()
    assert asked == [(url, read) for url, _, _, _, _, read in EXCHANGES]
    assert recorder.exchanges == len(EXCHANGES)
    # the spider is handed the documents and JSON answers, each with its reading
    assert [page.url for page, reading in recorder.pages if reading is not None] == \
        [url for url, kind, *_ in EXCHANGES if kind in ("document", "xhr", "fetch")]
