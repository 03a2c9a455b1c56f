"""Playwright only when a page needs it (govarchive/crawl/browserhandler.py).

With Chromium found, http and https go through one :class:`BrowserDownloadHandler`. A crawl that meets no page
needing the browser starts no Node driver and no Chromium (scrapy-playwright alone starts a driver per scheme
when the engine starts); a crawl that meets one starts one driver, for both schemes. Each crawl is watched from
outside: the process names of its descendants, sampled while it runs.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import chromium_or_skip, crawl_command, descendant_pids

from govarchive.demo.rendered import EXPECTED as RENDERED

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = chromium_or_skip()

pytestmark = pytest.mark.slow
DRIVER_STARTS = "Starting download handler"  # scrapy-playwright's line when it starts Playwright's driver


def descendants(root: int) -> set[str]:
    """The names (``comm``) of ``root``'s descendant processes."""
    names = set()
    for pid in descendant_pids(root):
        try:
            names.add(Path(f"/proc/{pid}/comm").read_text().strip())
        except OSError:  # a process that ended between two reads
            continue
    return names


def watched_crawl(command: list[str]) -> tuple[str, set[str]]:
    """Run a crawl to its end; its log and the names of every process it started, sampled every 50 ms."""
    seen: set[str] = set()
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as crawl:
        log: list[str] = []
        reader = threading.Thread(target=lambda: log.extend(crawl.stderr), daemon=True)  # type: ignore[arg-type]
        reader.start()
        deadline = time.monotonic() + 240
        while crawl.poll() is None and time.monotonic() < deadline:
            seen |= descendants(crawl.pid)
            time.sleep(0.05)
        if crawl.poll() is None:
            crawl.kill()
        reader.join(10)
    text = "".join(log)
    assert crawl.returncode == 0, text[-4000:]
    assert "Traceback" not in text, text[-4000:]
    return text, seen


def browser_processes(names: set[str]) -> set[str]:
    return {name for name in names if name.startswith("node") or "chrom" in name.lower()}


def test_a_crawl_with_no_page_for_the_browser_starts_no_playwright(demo_web, tmp_path):
    command = crawl_command(demo_web.base_url, tmp_path / "archive", "DEPTH_LIMIT=1")
    command[command.index("sources=govarchive/demo/sources.toml")] = "url=" + demo_web.base_url + "/xxgk/tzgg/"
    log, names = watched_crawl(command)
    assert "'downloader/response_count'" in log and "browser/pages" not in log  # it crawled, no page in a browser
    assert DRIVER_STARTS not in log and "playwright/" not in log
    assert browser_processes(names) == set(), names


def test_a_crawl_with_a_page_for_the_browser_starts_one_driver(demo_web, tmp_path):
    command = crawl_command(demo_web.base_url, tmp_path / "archive", "DEPTH_LIMIT=1")
    command[command.index("sources=govarchive/demo/sources.toml")] = "url=" + demo_web.base_url + \
        RENDERED["douyin"]["path"]
    log, names = watched_crawl(command)
    assert "'govarchive/browser/pages': 1" in log
    assert log.count(DRIVER_STARTS) == 1  # one driver; http and https share the handler
    assert any(name.startswith("node") for name in names) and any("chrom" in name.lower() for name in names), names


def test_http_and_https_share_one_handler_that_imports_no_playwright_until_needed():
    code = """
import sys
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.utils.test import get_crawler
from govarchive.crawl.browser import HANDLER
from scrapy.utils.misc import build_from_crawler, load_object
crawler = get_crawler(settings_dict={"DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER}})
http, https = (build_from_crawler(load_object(HANDLER), crawler) for _ in range(2))
other = build_from_crawler(load_object(HANDLER), get_crawler())
print(http is https, http is not other, http.browser_started, "playwright" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "True", "False", "False"]
