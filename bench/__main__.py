"""``python -m bench``: the whole benchmark in one run (``make bench``); docs/benchmarks.md.

1. crawls a bench web of ``--pages`` pages with (a) bare Scrapy, (b) govarchive, (c) wget;
2. (b) again with :class:`bench.timing.StageTimer`, for where its time goes, and the parts of indexing
   one article page (:mod:`bench.parts`) (``--no-breakdown`` skips both);
3. ``govarchive reindex`` against ``warcio index`` on (b)'s WARCs;
4. (a) and (b) again on a web of ``--rss-pages`` pages: peak RSS from the small crawl to the large one;
4b. browser capture of ``--browser-pages`` script-built pages (bench/browser.py): pages/s and peak RSS;
5. the search canned query on ``--posts`` synthetic posts (the index is built once, in ``--cache``);
6. prints the figures and the targets, and writes them to ``--results``/<time>-<pages>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import machine, report
from bench.browser import run_browser
from bench.crawlers import run_crawler, warc_paths
from bench.parts import time_parts
from bench.reindex import run_reindex
from bench.search import run_search

HERE = Path(__file__).resolve().parent


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def crawl(name: str, pages: int, latency: float, work_dir: Path) -> dict[str, Any]:
    log(f"crawling {pages:,} pages with {name}…")
    result = run_crawler(name, pages, latency, work_dir).to_dict()
    log(f"{name}: {result['html_pages']:,} HTML pages, {result['responses']:,} responses in "
        f"{result['wall_s']:.1f} s ({result['pages_per_s']:.1f} pages/s), peak RSS {result['peak_tree_rss_mb']:.0f} MiB")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000, help="HTML pages of the bench web (100 per column)")
    parser.add_argument("--rss-pages", type=int, default=100_000,
                        help="pages of the large crawls of (a) and (b), for peak RSS flatness (0: skip)")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds before every response")
    parser.add_argument("--posts", type=int, default=1_000_000,
                        help="posts of the search index (0: skip search)")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache", help="where the search index is kept")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="where the JSON results go")
    parser.add_argument("--work-dir", type=Path, help="crawl outputs and logs (default: a temporary folder)")
    parser.add_argument("--browser-pages", type=int, default=30,
                        help="script-built pages crawled through Chromium for the browser-capture row (0: skip)")
    parser.add_argument("--no-breakdown", dest="breakdown", action="store_false",
                        help="skip the timed run of (b) that says where its time goes")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (archives, WARCs, logs)")
    args = parser.parse_args(argv)

    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="govarchive-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    log(f"work folder {work_dir}")
    results: dict[str, Any] = {"machine": machine.describe(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               "settings": {"pages": args.pages, "rss_pages": args.rss_pages,
                                            "latency_s": args.latency, "posts": args.posts}}
    try:
        results["crawls"] = {name: crawl(name, args.pages, args.latency, work_dir)
                             for name in ("bare", "govarchive", "wget")}
        ours = set(warc_paths([Path(p) for p in results["crawls"]["govarchive"].get("warc_files", [])]))
        theirs = set(warc_paths([Path(p) for p in results["crawls"]["wget"].get("warc_files", [])]))
        results["url_sets"] = {"both": len(ours & theirs), "only_govarchive": len(ours - theirs),
                               "only_wget": len(theirs - ours)}
        if args.breakdown:
            results["timed"] = crawl("timed", args.pages, args.latency, work_dir)
            log("timing the parts of indexing an article page…")
            results["parts"] = time_parts()
        log("reindex against warcio index…")
        archive = work_dir / f"govarchive-{args.pages}" / "archive"
        results["reindex"] = run_reindex(archive, work_dir / "reindex")
        results["rss"] = {str(args.pages): results["crawls"]["govarchive"]["peak_tree_rss_mb"]}
        if args.rss_pages and args.rss_pages != args.pages:
            results["large"] = {name: crawl(name, args.rss_pages, args.latency, work_dir)
                                for name in ("bare", "govarchive")}
            results["rss"][str(args.rss_pages)] = results["large"]["govarchive"]["peak_tree_rss_mb"]
        if args.browser_pages:
            log(f"browser capture of {args.browser_pages} script-built pages…")
            results["browser"] = run_browser(args.pages, args.browser_pages, args.latency, work_dir)
            log(f"browser: {results['browser']}")
        if args.posts:
            log(f"search on {args.posts:,} posts (the index is built once, in {args.cache})…")
            results["search"] = run_search(args.cache, args.posts, work_dir)
    finally:
        results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        results = report.with_targets(results)
        args.results.mkdir(parents=True, exist_ok=True)
        out = args.results / f"{time.strftime('%Y%m%dT%H%M%S')}-{args.pages}.json"
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not args.keep and not args.work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    print()
    print(report.render(results))
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
