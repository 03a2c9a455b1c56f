"""End to end in a real browser: Debian's headless Chromium, driven by Selenium through Debian's
chromedriver (no browser download), against ``govarchive serve`` on loopback.

An archivist starts on the home page (search, an old link, closures by month drawn as a chart), opens an
account and a post, searches 关停, opens a post and its archived copy; the archived page's own script (the
portal's "今天是…" date line) must not have run, and its images must come from the archive.

``make test`` installs chromium and chromium-driver and sets GOVARCHIVE_E2E=require, so there the test
cannot skip. ``GOVARCHIVE_SCREENSHOTS=DIR`` saves the views as PNGs (``make screenshots`` → docs/img).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import free_port

from govarchive.demo.content import EXPECTED

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
BIN = Path(sys.executable).parent
SHOTS = os.environ.get("GOVARCHIVE_SCREENSHOTS")

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("GOVARCHIVE_E2E") == "require":
        raise RuntimeError("GOVARCHIVE_E2E=require but chromium/chromedriver are missing: run `make browser`")
    pytest.skip("Debian's chromium and chromium-driver are not installed (make browser)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(demo_archive):
    port = free_port()
    process = subprocess.Popen([str(BIN / "govarchive"), "serve", "--archive-dir", str(demo_archive), "--port",
                                str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError("govarchive serve exited: " + process.stdout.read()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # the flags that keep Chromium off the network it would otherwise call at start
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))


def test_search_open_a_post_and_its_archived_copy_with_no_archived_script_running(server, browser):
    wait = WebDriverWait(browser, 20)
    title = EXPECTED["portal_closure_notice"]["title"]
    # 1. search 关停 with the search query's form
    browser.get(server + "/index/search_posts?_hide_sql=1")
    box = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[name=q]")))
    box.send_keys("关停", Keys.ENTER)
    wait.until(lambda d: "q=" in d.current_url)
    table = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns")))
    assert title in table.text
    browser.execute_script("arguments[0].scrollIntoView()", table)
    shot(browser, "search")
    # 2. open the post: its page reads like the article, with the accounts this notice closes
    row = next(tr for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr") if title in tr.text)
    row.find_element(By.CSS_SELECTOR, "td.col-title a").click()
    post = wait.until(ec.presence_of_element_located((By.ID, "ga-post")))
    assert "/index/posts/" in browser.current_url and post.find_element(By.TAG_NAME, "h1").text == title
    assert browser.find_element(By.ID, "ga-post-notices").find_elements(By.CSS_SELECTOR, "li")
    shot(browser, "post")
    # 3. open its archived copy
    browser.find_element(By.CSS_SELECTOR, "a.archived-copy").click()
    banner = wait.until(ec.presence_of_element_located((By.ID, "archive-banner")))
    assert "存档副本 Archived copy" in banner.text and title in banner.text
    frame = browser.find_element(By.ID, "archived-frame")
    assert "allow-scripts" not in (frame.get_attribute("sandbox") or "")
    browser.switch_to.frame(frame)
    try:
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "h1.article-title")))
        assert browser.find_element(By.CSS_SELECTOR, "h1.article-title").text == title
        # the portal's script writes "今天是…" into #today when it runs: it must not have run
        today = browser.find_element(By.ID, "today")
        assert today.get_attribute("innerHTML") == ""
        assert "今天是" not in browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.switch_to.default_content()
    shot(browser, "archived-copy")


def test_where_did_the_content_go(server, browser):
    browser.get(server + "/index/where_did_it_go?account=人社&_hide_sql=1")
    table = WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns")))
    assert "云岚人社服务" in table.text and "云岚发布" in table.text
    assert table.find_elements(By.CSS_SELECTOR, "a.archived-copy")
    shot(browser, "where-did-it-go")


def test_an_archived_wechat_article_shows_its_images_from_the_archive(server, browser, demo_archive):
    import sqlite3

    with sqlite3.connect(demo_archive / "index.db") as conn:
        capture, title = conn.execute(
            "select capture_id, title from posts where platform = 'wechat' and kind = 'article' and state = 'ok' "
            "and media like '%\"image\"%' order by published_at desc limit 1").fetchone()
    browser.get(f"{server}/-/archive/{capture}")
    wait = WebDriverWait(browser, 20)
    frame = wait.until(ec.presence_of_element_located((By.ID, "archived-frame")))
    browser.switch_to.frame(frame)
    try:
        wait.until(ec.presence_of_element_located((By.ID, "js_content")))
        # WeChat hides the body until its script runs; the viewer shows it without running anything
        assert browser.find_element(By.ID, "js_content").is_displayed()
        images = browser.find_elements(By.CSS_SELECTOR, "#js_content img")
        assert images
        wait.until(lambda d: all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0",
                                                  image) for image in images))
        for image in images:
            assert image.get_attribute("src").startswith(server + "/-/archive/")
        assert title in browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.switch_to.default_content()
    shot(browser, "wechat-article")


NOTICE_KINDS = ("closure", "stop_updating", "merger", "migration", "suspension")  # notices.kind


def test_the_home_page_searches_and_shows_the_chart(server, browser, demo_archive):
    """The front door: one search box, an "I have an old link" box, accounts by status, closures by month."""
    import sqlite3

    wait = WebDriverWait(browser, 20)
    browser.get_log("browser")  # what earlier pages logged (the viewer blocks Datasette's own menu script)
    browser.get(server + "/")
    wait.until(ec.presence_of_element_located((By.ID, "ga-search")))
    assert "rows in" not in browser.find_element(By.TAG_NAME, "body").text  # not Datasette's stock index
    statuses = browser.find_element(By.ID, "ga-statuses").text
    assert "closing" in statuses and "active" in statuses
    # the chart: drawn bars with their numbers as tooltips, no script involved
    bars = browser.find_elements(By.CSS_SELECTOR, "svg#closures-chart rect.ga-bar")
    with sqlite3.connect(demo_archive / "index.db") as conn:
        events = conn.execute("select count(*) from notices where is_report = 0").fetchone()[0]
    assert bars and all(bar.size["height"] > 0 and bar.size["width"] > 0 for bar in bars)
    notices = [bar for bar in bars if bar.get_attribute("data-kind") in NOTICE_KINDS]
    tips = [bar.find_element(By.TAG_NAME, "title").get_attribute("textContent") for bar in notices]
    assert sum(int(tip.rsplit(": ", 1)[1]) for tip in tips) == events
    assert not [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    browser.set_window_size(1280, 1400)
    shot(browser, "home")
    if SHOTS:
        browser.find_element(By.ID, "ga-chart").screenshot(str(Path(SHOTS) / "chart.png"))
    browser.set_window_size(1280, 1000)
    # one box searches posts, accounts and notices
    box = browser.find_element(By.ID, "ga-q")
    box.send_keys("云岚发布", Keys.ENTER)
    table = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns")))
    kinds = {cell.text for cell in table.find_elements(By.CSS_SELECTOR, "td.col-kind")}
    assert {"账号 account", "文章 post"} <= kinds, kinds
    assert "select" not in browser.title.lower() and browser.title.startswith("搜索")  # a title, not SQL


def test_an_old_link_finds_its_archived_copy(server, browser, demo_archive):
    import sqlite3

    with sqlite3.connect(demo_archive / "index.db") as conn:
        url, title = conn.execute("select url, title from posts where platform = 'wechat' and state = 'ok' "
                                  "and title is not null order by published_at desc limit 1").fetchone()
    wait = WebDriverWait(browser, 20)
    browser.get(server + "/")
    box = wait.until(ec.presence_of_element_located((By.ID, "ga-url")))
    box.send_keys(url + "&chksm=0000&scene=27#rd", Keys.ENTER)  # as people paste it, tracking included
    table = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.rows-and-columns")))
    assert title in table.text and table.find_elements(By.CSS_SELECTOR, "a.archived-copy")


def test_an_account_page_and_a_post_page(server, browser):
    """From the home page's closures to the account, to one of its posts, to its archived copy."""
    wait = WebDriverWait(browser, 20)
    browser.get(server + "/")
    closures = wait.until(ec.presence_of_element_located((By.ID, "ga-closures")))
    closures.find_element(By.LINK_TEXT, "云岚人社服务").click()
    account = wait.until(ec.presence_of_element_located((By.ID, "ga-account")))
    assert browser.title.startswith("云岚人社服务")
    assert account.find_element(By.TAG_NAME, "h1").text == "云岚人社服务"
    assert "closing" in account.find_element(By.CSS_SELECTOR, ".ga-status-line").text
    successors = account.find_element(By.ID, "ga-successors")
    assert "云岚发布" in successors.text and successors.find_elements(By.CSS_SELECTOR, "a.archived-copy")
    assert account.find_element(By.ID, "ga-notices").find_elements(By.TAG_NAME, "blockquote")
    assert not browser.find_element(By.CSS_SELECTOR, "details.ga-raw").get_attribute("open")  # the row, folded
    shot(browser, "account")
    posts = account.find_element(By.ID, "ga-posts")
    first = posts.find_element(By.CSS_SELECTOR, "tbody tr td:nth-child(2) a")
    title = first.text
    first.click()
    post = wait.until(ec.presence_of_element_located((By.ID, "ga-post")))
    assert post.find_element(By.TAG_NAME, "h1").text == title and browser.title.startswith(title)
    assert "云岚人社服务" in post.find_element(By.CSS_SELECTOR, ".ga-byline").text
    assert len(post.find_elements(By.CSS_SELECTOR, "#ga-post-text p")) >= 2  # the article's text, as paragraphs
    post.find_element(By.CSS_SELECTOR, "a.ga-button.archived-copy").click()
    banner = wait.until(ec.presence_of_element_located((By.ID, "archive-banner")))
    assert title in banner.text
