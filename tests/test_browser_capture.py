"""Browser capture (govarchive/crawl/browser.py): Debian's Chromium on loopback, against the demo web.

The demo's Douyin and Toutiao accounts load their posts by script from JSON endpoints, and its 最新动态
column builds its list by script: their posts must be in the index with their fields, every exchange the
browser made in the WARC as a request+response pair (``warcio check`` clean), the DOM snapshot and the
screenshot as resource records linked to the page's capture; a second run writes revisits; a reindex from
the WARCs alone gives the same rows. A verification page is ``blocked``; a page that never finishes is a
recorded ``timeout``; kill -9 during a browser capture loses nothing already written.

``make test`` installs chromium (``make browser``) and sets GOVARCHIVE_E2E=require, so there these cannot skip.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import chromium_or_skip, crawl, crawl_command, rows
from warcio.archiveiterator import ArchiveIterator

from govarchive.demo.rendered import EXPECTED as RENDERED
from govarchive.warc.verify import verify_archive

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = chromium_or_skip()

pytestmark = pytest.mark.slow
BROWSER_PATHS = (RENDERED["douyin"]["path"], RENDERED["toutiao"]["path"], RENDERED["column"]["path"])


@pytest.fixture(scope="module")
def rendered(demo_web, tmp_path_factory) -> Path:
    """Two crawls of the demo web into one archive (the second finds every payload archived already)."""
    archive = tmp_path_factory.mktemp("rendered")
    crawl(demo_web.base_url, archive)
    crawl(demo_web.base_url, archive)
    return archive


def records(archive: Path) -> list[tuple[str, dict[str, str]]]:
    found = []
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                found.append((record.rec_type, dict(record.rec_headers.headers)))
    return found


def first_run(db: Path) -> str:
    return rows(db, "select id from runs order by started_at limit 1")[0][0]


def test_rendered_accounts_posts_are_in_the_index_with_their_fields(rendered):
    db = rendered / "index.db"
    run = first_run(db)
    douyin = RENDERED["douyin"]
    got = {r[0]: r[1:] for r in rows(db, "select id, title, published_at, state, cover_url, media, account_id from posts "
                                          "where platform = 'douyin'")}
    assert set(got) == {p["id"] for p in douyin["posts"]}
    for post in douyin["posts"]:
        title, published, state, cover, media, account = got[post["id"]]
        assert (title, published, state) == (post["title"], post["published_at"], post["state"])
        assert cover.endswith(f"/douyin/cover/{post['id'].split(':')[1]}.png") and '"video"' in media
        assert account == f"douyin:{douyin['sec_uid']}"
    name, followers, description = rows(db, "select name, followers, description from accounts where id = ?",
                                        f"douyin:{douyin['sec_uid']}")[0]
    assert name == douyin["name"] and followers and description
    toutiao = RENDERED["toutiao"]
    got = {r[0]: r[1:] for r in rows(db, "select id, published_at, kind, title from posts where platform = 'toutiao'")}
    assert set(got) == {p["id"] for p in toutiao["posts"]}  # all three pages: 加载更多 was pressed
    for post in toutiao["posts"]:
        kind = {"micro": "short"}.get(post["kind"], post["kind"])
        assert got[post["id"]][:2] == (post["published_at"], kind) and got[post["id"]][2]
    titles = {r[0] for r in rows(db, "select title from posts where account_id like 'website:%' || ? || '%'",
                                 RENDERED["column"]["path"])}
    assert {item["title"] for item in RENDERED["column"]["items"]} <= titles
    # the video files the posts name were fetched and archived
    videos = rows(db, "select count(*) from captures where url like '%/douyin/play/%.mp4' and run_id = ?", run)[0][0]
    assert videos == len(douyin["posts"])


def test_every_exchange_is_a_request_response_pair_and_the_rendering_is_linked(rendered):
    db = rendered / "index.db"
    run = first_run(db)
    found = records(rendered)
    requests = {h.get("WARC-Concurrent-To") for kind, h in found if kind == "request"}
    responses = [h for kind, h in found if kind in ("response", "revisit")]
    assert all(h["WARC-Record-ID"] in requests for h in responses)  # every answer has its request
    # what the browser fetched by script: the JSON answers, the covers, the scripts
    for pattern in ("%/aweme/v1/web/aweme/post/%", "%/aweme/v1/web/user/profile/other/%", "%/api/pc/list/feed%",
                    "%/zxdt/list.json?page=2", "%/douyin/cover/%.png", "%/toutiao/static/js/%"):
        assert rows(db, "select count(*) from captures where url like ? and run_id = ?", pattern, run)[0][0], pattern
    for path in BROWSER_PATHS:
        page = rows(db, "select id from captures where url like '%' || ? and record_type = 'response' and run_id = ?",
                    path, run)
        assert len(page) == 1, path
        snapshots = dict(rows(db, "select content_type, url from captures where snapshot_of = ?", page[0][0]))
        assert snapshots["image/png"].startswith("urn:view:http") and snapshots["text/html; charset=utf-8"].startswith(
            "urn:dom:http"), snapshots
    resources = [h for kind, h in found if kind == "resource"]
    assert len(resources) == 2 * 2 * len(BROWSER_PATHS)  # two runs
    assert all(h["WARC-Concurrent-To"] for h in resources)
    # Chromium hands bodies over decoded: a gzip answer keeps its Content-Encoding under another name
    encoded = rows(db, "select count(*) from captures where url like '%/aweme/v1/web/aweme/post/%' and run_id = ?", run)
    assert encoded[0][0] >= 2
    for path in (rendered / "warc").glob("*.warc.gz"):
        check = subprocess.run([str(BIN / "warcio"), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout


def test_a_second_run_writes_revisits_for_what_the_browser_fetched_again(rendered):
    db = rendered / "index.db"
    second = rows(db, "select id from runs order by started_at desc limit 1")[0][0]
    kinds = dict(rows(db, "select record_type, count(*) from captures where run_id = ? and "
                          "(url like '%/aweme/%' or url like '%/api/pc/list/feed%' or url like '%/douyin/cover/%') "
                          "group by record_type", second))
    assert kinds.get("revisit", 0) >= 5 and not kinds.get("response"), kinds
    assert rows(db, "select count(*) from posts where platform in ('douyin', 'toutiao')")[0][0] == \
        len(RENDERED["douyin"]["posts"]) + len(RENDERED["toutiao"]["posts"])  # no duplicate rows


def test_reindex_reads_the_browser_records_through_the_same_page_objects(rendered, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(rendered, copy)
    (copy / "index.db").unlink()
    done = subprocess.run([str(BIN / "govarchive"), "reindex", "--archive-dir", str(copy)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    query = ("select id, title, published_at, state, cover_url from posts where platform in ('douyin', 'toutiao') "
             "order by id")
    assert rows(copy / "index.db", query) == rows(rendered / "index.db", query)
    linked = "select url, snapshot_of from captures where snapshot_of is not null order by url, snapshot_of"
    assert rows(copy / "index.db", linked) == rows(rendered / "index.db", linked)


# --- walls, hangs and kills: a small web of our own -----------------------------------------------------
VERIFY_SEC_UID = "MS4wLjABAAAAverifyverifyverifyverifyverifyverifyAB"
VERIFY_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>验证码中间页</title></head>
<body><div id="captcha_container"><p>请完成下列验证后继续</p><div class="captcha-slider">按住滑块，拖动到最右边</div>
</div></body></html>"""
HANG_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>通知公告</title></head>
<body><ul id="list"></ul><img src="/hang/logo.png">
<script>window.onload = function () { setTimeout(function () { while (true) {} }, 1000); };</script></body></html>"""
HITS: list[str] = []  # the paths the wall web served


class WallWeb(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        HITS.append(self.path)
        if self.path.startswith(f"/douyin/user/{VERIFY_SEC_UID}"):
            body, ctype = VERIFY_PAGE.encode(), "text/html; charset=utf-8"
        elif self.path == "/hang/":
            body, ctype = HANG_PAGE.encode(), "text/html; charset=utf-8"
        elif self.path == "/hang/logo.png":
            from govarchive.demo.templates import png

            body, ctype = png("logo", 40, 20), "image/png"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def wall_web():
    server = ThreadingHTTPServer(("127.0.0.1", 0), WallWeb)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def sources(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'base_url = "{base}"\n\n[[source]]\nid = "verify"\nkind = "account"\nplatform = "douyin"\n'
                    f'url = "/douyin/user/{VERIFY_SEC_UID}"\n\n[[source]]\nid = "hang"\nkind = "listing"\n'
                    'platform = "website"\nurl = "/hang/"\nrender = true\n', encoding="utf-8")
    return path


def wall_crawl(base: str, archive: Path, tmp_path: Path) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"sources={sources(tmp_path, base)}",
            "-s", f"GOVARCHIVE_ARCHIVE_DIR={archive}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", "ROBOTSTXT_OBEY=False", "-s", "RETRY_TIMES=0", "-s", "GOVARCHIVE_BROWSER_TIMEOUT=8",
            "-s", "LOG_LEVEL=INFO"]


def test_a_verification_page_is_blocked_and_a_hanging_page_a_recorded_timeout(wall_web, tmp_path):
    archive = tmp_path / "archive"
    started = time.monotonic()
    done = subprocess.run(wall_crawl(wall_web, archive, tmp_path), cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert time.monotonic() - started < 120
    db = archive / "index.db"
    assert rows(db, "select status from runs") == [("partial",)]  # the hanging page gave nothing
    states = dict(rows(db, "select url, page_state from captures where url like '%' || ? and url not like 'urn:view:%'",
                       VERIFY_SEC_UID))
    assert set(states.values()) == {"blocked"} and len(states) == 2, states  # the page and its rendered DOM
    assert not rows(db, "select 1 from posts")
    failure = rows(db, "select error, detail from fetch_failures where url like '%/hang/'")
    assert failure and failure[0][0] == "timeout" and "GOVARCHIVE_BROWSER_TIMEOUT" in failure[0][1], failure
    # what the hanging page had sent before it hung is archived (its document; its image, when the browser
    # handed its body over before the page's script froze it)
    assert rows(db, "select count(*) from captures where url like '%/hang/' and http_status = 200")[0][0] == 1
    assert verify_archive(archive).ok


def test_kill_9_during_a_browser_capture_loses_nothing_already_written(wall_web, tmp_path):
    archive = tmp_path / "archive"
    command = wall_crawl(wall_web, archive, tmp_path)
    command[command.index("GOVARCHIVE_BROWSER_TIMEOUT=8")] = "GOVARCHIVE_BROWSER_TIMEOUT=120"
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    db = archive / "index.db"
    deadline = time.monotonic() + 90
    before: list[tuple] = []
    HITS.clear()
    while time.monotonic() < deadline:  # the verification page archived, the hanging page in the browser
        try:
            before = rows(db, "select id, warc_file, warc_offset from captures where url like '%' || ?",
                          VERIFY_SEC_UID)
        except sqlite3.OperationalError:
            before = []
        if len(before) >= 3 and "/hang/" in HITS:
            break
        time.sleep(0.2)
    time.sleep(1)
    os.killpg(process.pid, signal.SIGKILL)  # the crawl, its Playwright driver and its Chromium
    process.wait()
    assert len(before) >= 3 and "/hang/" in HITS, (before, HITS)  # the page, its DOM and its screenshot
    assert list((archive / "warc").glob("*.warc.gz.open"))
    again = subprocess.run([str(BIN / "govarchive"), "verify", "--archive-dir", str(archive)], capture_output=True,
                           text=True, timeout=120)
    # verify repairs nothing: the next crawl does; the records already written must read back whole
    for capture_id, warc_file, offset in before:
        path = next((archive / "warc").glob(warc_file + "*"))
        with open(path, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == f"<{capture_id}>"
            record.content_stream().read()
    assert again.returncode in (0, 1)
    command[command.index("GOVARCHIVE_BROWSER_TIMEOUT=120")] = "GOVARCHIVE_BROWSER_TIMEOUT=5"
    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert rerun.returncode == 0 and "Traceback" not in rerun.stderr, rerun.stderr[-3000:]
    assert not list((archive / "warc").glob("*.open"))
    assert verify_archive(archive).ok
    kept = {r[0] for r in rows(db, "select id from captures")}
    assert {capture_id for capture_id, _, _ in before} <= kept


def test_without_chromium_those_pages_are_fetched_plainly_said_in_one_line(demo_web, tmp_path):
    archive = tmp_path / "archive"
    command = crawl_command(demo_web.base_url, archive, "GOVARCHIVE_CHROMIUM=/nonexistent/chromium")
    command[command.index("sources=govarchive/demo/sources.toml")] = "url=" + ",".join(
        demo_web.base_url + p for p in BROWSER_PATHS)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    said = [line for line in done.stderr.splitlines() if "browser capture skipped" in line]
    assert len(said) == 1 and "no Chromium found" in said[0]
    assert not rows(archive / "index.db", "select 1 from captures where record_type = 'resource'")
    assert not rows(archive / "index.db", "select 1 from posts where platform in ('douyin', 'toutiao')")


@pytest.mark.asyncio
async def test_the_viewer_shows_the_dom_snapshot_and_the_screenshot(rendered):
    from datasette.app import Datasette
    from datasette.plugins import pm

    import govarchive.browse as plugin

    if pm.get_plugin("govarchive") is None:  # entry points are not loaded in every test setup
        pm.register(plugin, name="govarchive")
    ds = Datasette([str(rendered / "index.db")])
    db = rendered / "index.db"
    page = rows(db, "select id from captures where url like '%' || ? and record_type = 'response' "
                    "order by fetched_at limit 1", RENDERED["douyin"]["path"])[0][0]
    viewer = await ds.client.get(f"/-/archive/{page}")
    assert viewer.status_code == 200
    links = dict(re.findall(r'class="ga-rendering" data-kind="(\w+)" href="([^"]+)"', viewer.text))
    assert set(links) == {"dom", "screenshot"}
    shot = await ds.client.get(links["screenshot"] + "/raw")
    assert shot.status_code == 200 and shot.content.startswith(b"\x89PNG")
    dom = await ds.client.get(links["dom"] + "/raw")
    # the rendered list (built by the page's script) is in the snapshot; links resolve against the page's URL
    assert dom.status_code == 200 and RENDERED["douyin"]["posts"][0]["title"] in dom.text
    assert "<script" not in dom.text.lower() or "allow-scripts" not in viewer.text
    assert "/-/archive/resolve" in dom.text and "urn:dom" not in dom.text.split("<body", 1)[-1][:2000]


def test_the_wacz_carries_the_browser_records(rendered, tmp_path):
    out = tmp_path / "rendered.wacz"
    done = subprocess.run([str(BIN / "govarchive"), "export", "wacz", "--archive-dir", str(rendered), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    check = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with zipfile.ZipFile(out) as package:
        blobs = [package.read(n) for n in package.namelist() if n.startswith("indexes/")]
    index = "".join((gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b).decode() for b in blobs)
    for pattern in (r"urn:dom:http", r"urn:view:http", r"/aweme/v1/web/aweme/post/", r"/api/pc/list/feed"):
        assert re.search(re.escape(pattern) if "/" in pattern else pattern, index), pattern


def test_pywb_replays_the_rendered_account_page_from_the_wacz(rendered, demo_web, tmp_path):
    """The WACZ alone replays the Douyin account page in a browser: pywb serves the page, and the posts its
    script fetches come from the archived JSON answers (the live demo web is unreachable to that browser)."""
    from helpers import free_port, pywb_bin
    from playwright.sync_api import sync_playwright

    pywb = pywb_bin()
    out = tmp_path / "rendered.wacz"
    done = subprocess.run([str(BIN / "govarchive"), "export", "wacz", "--archive-dir", str(rendered), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    subprocess.run([str(pywb / "wb-manager"), "init", "rendered"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([str(pywb / "wb-manager"), "add", "--unpack-wacz", "rendered", str(out)], cwd=tmp_path, check=True,
                   capture_output=True)
    url, fetched_at = rows(rendered / "index.db", """select url, fetched_at from captures where url like ?
        and record_type = 'response' and http_status = 200 order by fetched_at limit 1""",
                           f"%{RENDERED['douyin']['path']}")[0]
    port = free_port()
    server = subprocess.Popen([str(pywb / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    replay = f"http://127.0.0.1:{port}/rendered/{re.sub(r'[^0-9]', '', fetched_at)[:14]}mp_/{url}"
    live = demo_web.base_url.rstrip("/")
    try:
        for _ in range(60):  # pywb takes a moment to listen
            try:
                subprocess.run(["python3", "-c", f"import urllib.request; urllib.request.urlopen('{replay}', timeout=5)"],
                               check=True, capture_output=True, timeout=10)
                break
            except subprocess.SubprocessError:
                time.sleep(0.5)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                went_live: list[str] = []
                page.route(f"{live}/**", lambda route: (went_live.append(route.request.url), route.abort()))
                page.goto(replay, wait_until="load", timeout=60_000)
                # pywb shows its framed view: the archived page is the frame replayed with mp_
                for _ in range(60):
                    frame = next((f for f in page.frames if "mp_/" in f.url and url in f.url), None)
                    if frame is not None:
                        break
                    page.wait_for_timeout(500)
                assert frame is not None, [f.url for f in page.frames]
                first = [p["title"] for p in RENDERED["douyin"]["posts"]][:3]
                frame.wait_for_function("(titles) => titles.every(t => document.body.innerText.includes(t))",
                                        arg=first, timeout=30_000)
                frame.wait_for_function("(name) => (document.querySelector('h1') || {}).textContent === name",
                                        arg=RENDERED["douyin"]["name"], timeout=30_000)
                assert not went_live, went_live
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
