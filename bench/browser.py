"""Browser capture on the bench web's script-built pages (``make bench``'s browser row; docs/benchmarks.md).

govarchive crawls ``--browser-pages`` columns whose first list page is built by script (``/js/bmNNNN/``,
bench/site.py) from a sources file marking them ``render = true``: each is loaded in Debian's Chromium, its
``list.json`` and every other exchange archived, its DOM and screenshot written; the articles they list are
not followed (``DEPTH_LIMIT=1``), so the figures are the browser's. Reported: rendered pages per second
(``govarchive/browser/pages`` over the wall time) and the peak RSS of the whole process tree (the crawl, the
Playwright driver and Chromium's processes). Skipped in one line when no Chromium is installed.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from bench.crawlers import SCRAPY_OVERRIDES, scrapy_stats
from bench.measure import run_measured
from bench.server import ROOT, ServerProcess
from bench.site import Layout


def sources(url: str, columns: int) -> str:
    entries = [f'[[source]]\nid = "js{n:04d}"\nkind = "listing"\nplatform = "website"\nurl = "/js/bm{n:04d}/"\n'
               f"render = true\n" for n in range(1, columns + 1)]
    return f'base_url = "{url}"\n\n' + "\n".join(entries)


def run_browser(pages: int, columns: int, latency: float, work_dir: Path) -> dict[str, Any]:
    """Crawl ``columns`` script-built pages of a bench web of ``pages`` pages through the browser."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return {"skipped": "no Chromium installed (make chromium)"}
    columns = min(columns, Layout(pages).columns)  # the web has 100 pages per column
    out_dir = work_dir / f"browser-{columns}"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with ServerProcess(pages, latency) as web:
        listing = out_dir / "sources.toml"
        listing.write_text(sources(web.url, columns), encoding="utf-8")
        overrides = [f"GOVARCHIVE_ARCHIVE_DIR={out_dir / 'archive'}", *SCRAPY_OVERRIDES, "DEPTH_LIMIT=1",
                     "ROBOTSTXT_OBEY=False"]
        command = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"sources={listing}",
                   *[arg for setting in overrides for arg in ("-s", setting)]]
        run = run_measured(command, out_dir, "crawl", cwd=ROOT, env=env)
    if run.returncode != 0:
        raise RuntimeError(f"the browser crawl failed ({run.returncode}); see {run.stderr}")
    stats = scrapy_stats(run.stderr.read_text(encoding="utf-8", errors="replace"))
    rendered = stats.get("govarchive/browser/pages", 0)
    return {"columns": columns, "rendered_pages": rendered, "exchanges": stats.get("govarchive/browser/exchanges", 0),
            "wall_s": round(run.wall_s, 2), "pages_per_s": round(rendered / run.wall_s, 2) if run.wall_s else 0,
            "peak_tree_rss_mb": round(run.peak_tree_rss_mb, 1), "peak_rss_mb": round(run.peak_rss_mb, 1)}
