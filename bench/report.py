"""The benchmark's targets (the project's issue) and the text printed at the end of ``make bench``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bench.crawlers import NAMES

RSS_LIMIT_MB = 300  # the "300 MB", held against MiB (GNU time reports KiB)
RSS_FLAT = 1.2  # "flat": the largest crawl's peak RSS at most 1.2 times the smallest's
INDEX_TO_WARC = 2.5  # index.db + search.db at most 2.5 times the WARC bytes of the same crawl


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None
    target: str
    met: bool | None  # None: not measured in this run

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "MISS", None: "not run"}[self.met]


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _check(value: float | None, test: Any) -> bool | None:
    return None if value is None else bool(test(value))


def targets(results: dict[str, Any]) -> list[Target]:
    speed = {name: crawl["pages_per_s"] for name, crawl in results.get("crawls", {}).items()}
    b_a = _ratio(speed.get("govarchive"), speed.get("bare"))
    b_c = _ratio(speed.get("govarchive"), speed.get("wget"))
    rss = {int(pages): mb for pages, mb in results.get("rss", {}).items()}
    peak = max(rss.values()) if rss else None
    growth = _ratio(rss[max(rss)], rss[min(rss)]) if len(rss) > 1 else None
    sizes = f"{min(rss):,} → {max(rss):,} pages" if len(rss) > 1 else "two sizes"
    reindex = results.get("reindex", {}).get("ratio")
    speedup = results.get("reindex", {}).get("pages_speedup")
    p95 = results.get("search", {}).get("p95_ms")
    size = results.get("crawls", {}).get("govarchive", {}).get("sizes", {}).get("index_to_warc")
    return [
        Target("pages/s (b)/(a)", b_a, "≥ 0.8", _check(b_a, lambda v: v >= 0.8)),
        Target("pages/s (b)/(c)", b_c, "≥ 3", _check(b_c, lambda v: v >= 3)),
        Target("peak RSS of (b) (all processes), MiB", peak, f"< {RSS_LIMIT_MB}", _check(peak, lambda v: v < RSS_LIMIT_MB)),
        Target(f"peak RSS of (b), {sizes}, ×", growth, f"≤ {RSS_FLAT} (flat)", _check(growth, lambda v: v <= RSS_FLAT)),
        Target("reindex captures phase / warcio index", reindex, "≥ 0.5", _check(reindex, lambda v: v >= 0.5)),
        Target("reindex pages phase, 2 processes / 1", speedup, "≥ 1.7", _check(speedup, lambda v: v >= 1.7)),
        Target("search p95, ms", p95, "< 100", _check(p95, lambda v: v < 100)),
        Target("(b)'s index.db + search.db / WARC bytes", size, f"≤ {INDEX_TO_WARC}",
               _check(size, lambda v: v <= INDEX_TO_WARC)),
    ]


def sizes_line(crawl: dict[str, Any]) -> str:
    """(b)'s index against its WARC: what the archive costs on disk beside the WARC files."""
    s = crawl["sizes"]
    per_post = f"{s['bytes_per_post']:,} bytes per archived post, " if s.get("bytes_per_post") else ""
    return (f"(b)'s index: index.db {s['index_db_bytes'] / 1e6:.1f} MB + search.db {s['search_db_bytes'] / 1e6:.1f} MB "
            f"for {s['warc_bytes'] / 1e6:.1f} MB of WARC: {per_post}{s['index_to_warc']}× the WARC bytes")


def table(rows: list[list[str]]) -> str:
    """Rows as aligned columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.rjust(width) if i else cell.ljust(width)
                               for i, (cell, width) in enumerate(zip(row, widths))) for row in rows)


def crawl_table(crawls: list[dict[str, Any]]) -> str:
    rows = [["crawler", "web pages", "HTML fetched", "responses", "own count", "wall s", "pages/s", "MB/s",
             "CPU s", "peak RSS MiB", "all processes MiB", "written MB"]]
    for c in crawls:
        own = f"{c['own_count']:,}" if c.get("own_count") is not None else "-"
        written = f"{c['output_bytes'] / 1e6:.0f}" if c.get("output_bytes") else "-"
        rows.append([NAMES[c["crawler"]], f"{c['pages']:,}", f"{c['html_pages']:,}", f"{c['responses']:,}", own,
                     f"{c['wall_s']:.1f}", f"{c['pages_per_s']:.1f}", f"{c['mb_per_s']:.2f}", f"{c['cpu_s']:.1f}",
                     f"{c['peak_rss_mb']:.0f}", f"{c.get('peak_tree_rss_mb', 0):.0f}", written])
    return table(rows)


def breakdown(timed: dict[str, Any], bare: dict[str, Any] | None) -> str:
    """Where (b)'s time goes: each timed stage in ms per HTML page, from the breakdown run's stats."""
    stats, pages = timed.get("scrapy_stats", {}), timed["html_pages"]
    stages = sorted(((name[len("bench/us/"):], us) for name, us in stats.items() if name.startswith("bench/us/")),
                    key=lambda stage: -stage[1])
    rows = [["stage", "calls", "ms per HTML page", "share of CPU"]]
    for name, us in stages:
        rows.append([name, f"{stats.get('bench/calls/' + name, 0):,}", f"{us / 1000 / pages:.2f}",
                     f"{us / 1e6 / timed['cpu_s']:.0%}"])
    rows.append(["(the whole crawl process)", "", f"{timed['cpu_s'] * 1000 / pages:.2f}", "100%"])
    if bare:
        rows.append(["(a) bare Scrapy, whole process", "", f"{bare['cpu_s'] * 1000 / bare['html_pages']:.2f}", ""])
    return table(rows)


def reindex_section(reindex: dict[str, Any]) -> list[str]:
    rows = [["tool", "wall s", "records/s", "MB/s", "peak RSS MiB"]]
    for name, run in (("govarchive reindex, 2 processes", reindex["govarchive"]),
                      ("govarchive reindex, 1 process", reindex.get("govarchive_1")), ("warcio index", reindex["warcio"])):
        if run:
            rows.append([name, f"{run['wall_s']:.1f}", f"{run['records_per_s']:,.0f}", f"{run['mb_per_s']:.2f}",
                         f"{run['peak_rss_mb']:.0f}"])
    lines = [f"reindex of (b)'s {reindex['warc_files']} WARC file(s), {reindex['records']:,} records, "
             f"{reindex['warc_mb']} MB:", table(rows)]
    for processes, phases in sorted(reindex.get("phases", {}).items()):
        told = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items())
        lines.append(f"  phases with {processes} process(es) reading pages: {told}")
    return lines


def search_section(search: dict[str, Any]) -> list[str]:
    lengths = ", ".join(f"{n} characters: p50 {v['p50_ms']} / p95 {v['p95_ms']}" for n, v in search["by_length"].items())
    lines = [f"search_posts on {search['posts']:,} posts ({search['index_mb']:,} MB): p50 {search['p50_ms']} ms, "
             f"p95 {search['p95_ms']} ms ({lengths}); Index.save_post {search['save_post_ms']} ms per post"]
    for name, rewrite in search.get("rewrites", {}).items():
        lines.append(f"  other plan {name}: p50 {rewrite['p50_ms']} ms, p95 {rewrite['p95_ms']} ms, same rows as "
                     f"search_posts for {rewrite['same_rows_as_canned']} of {rewrite['queries']} queries, in the "
                     f"same order for {rewrite.get('same_order_as_canned', '?')}")
    return lines


def render(results: dict[str, Any]) -> str:
    machine = results["machine"]
    parts = [f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB; "
             f"load at start {machine['load_at_start']}"]
    crawls = [*results.get("crawls", {}).values(), *([results["timed"]] if results.get("timed") else []),
              *results.get("large", {}).values()]
    if crawls:
        parts += ["", crawl_table(crawls)]
    if results.get("url_sets"):
        parts.append(f"URLs archived by (b) and (c): {results['url_sets']}")
    if results.get("crawls", {}).get("govarchive", {}).get("sizes"):
        parts.append(sizes_line(results["crawls"]["govarchive"]))
    if results.get("timed"):
        timed = results["timed"]
        parts += ["", f"where (b)'s CPU goes (bench.timing.StageTimer; that run: {timed['pages_per_s']:.1f} pages/s):",
                  breakdown(timed, results.get("crawls", {}).get("bare"))]
    if results.get("parts"):
        parts += ["", f"indexing one article page, by part (bench.parts, {results['parts']['articles']} articles of "
                      f"{results['parts']['text_chars']:,} characters), ms:",
                  table([["part", "ms"], *[[name, f"{ms:.2f}"] for name, ms in results["parts"].items()
                                           if name not in ("articles", "text_chars")]])]
    if results.get("reindex"):
        parts += ["", *reindex_section(results["reindex"])]
    if results.get("search"):
        parts += ["", *search_section(results["search"])]
    if results.get("browser"):
        browser = results["browser"]
        if browser.get("skipped"):
            parts += ["", f"browser capture: skipped: {browser['skipped']}"]
        else:
            parts += ["", "browser capture (bench/browser.py: script-built list pages through Chromium; no target "
                          "yet beyond measured):",
                      table([["pages", "exchanges", "wall s", "pages/s", "peak RSS, process tree MiB"],
                             [str(browser["rendered_pages"]), str(browser["exchanges"]), f"{browser['wall_s']:.1f}",
                              f"{browser['pages_per_s']:.2f}", f"{browser['peak_tree_rss_mb']:.0f}"]])]
    verdicts = [[t.name, "-" if t.value is None else f"{t.value:g}", t.target, t.verdict] for t in targets(results)]
    parts += ["", table([["target", "measured", "wanted", ""], *verdicts])]
    return "\n".join(parts)


def with_targets(results: dict[str, Any]) -> dict[str, Any]:
    return {**results, "targets": [{**asdict(t), "verdict": t.verdict} for t in targets(results)]}
