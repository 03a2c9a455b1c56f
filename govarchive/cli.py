"""The ``govarchive`` command: thin click wrappers over the library.

This module is the only place that reads the environment (``GOVARCHIVE_ARCHIVE_DIR``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from govarchive import __version__

EXIT_BLOCKED = 75  # EX_TEMPFAIL: a platform blocked the crawl; try again later

ARCHIVE_DIR = click.option(
    "--archive-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("archive"),
    envvar="GOVARCHIVE_ARCHIVE_DIR", show_default=True, help="Archive folder: warc/ and index.db.")


def _settings(archive_dir: Path, overrides: dict[str, Any] | None = None) -> Any:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govarchive.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("GOVARCHIVE_ARCHIVE_DIR", str(archive_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(spider: str, archive_dir: Path, spider_args: dict[str, str],
              overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one spider to the end in this process; return its stats."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(_settings(archive_dir, overrides))
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    return dict(crawler.stats.get_stats() if crawler.stats else {})


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    result = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint=what)
        result[key] = val
    return result


@click.group()
@click.version_option(__version__, prog_name="govarchive")
def cli() -> None:
    """Archive Chinese government new-media accounts into WARC files and a SQLite index."""


DEMO_SOURCES = Path(__file__).parent / "demo" / "sources.toml"


def _check_sources(path: Path, ids: tuple[str, ...] = ()) -> list[Any]:
    from govarchive.sources import SourceError, load_sources, select

    try:
        return select(load_sources(path), list(ids))
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("spider")
@click.option("--url", "urls", multiple=True, help="Start URL (repeatable).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Sources file (TOML) naming what to crawl.")
@click.option("--source", "source_ids", multiple=True, help="Only this source id of --sources (repeatable).")
@click.option("-a", "args", multiple=True, metavar="NAME=VALUE", help="Spider argument (repeatable).")
@click.option("-s", "sets", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable).")
@ARCHIVE_DIR
def crawl(spider: str, urls: tuple[str, ...], sources_file: Path | None, source_ids: tuple[str, ...],
          args: tuple[str, ...], sets: tuple[str, ...], archive_dir: Path) -> None:
    """Run SPIDER (portal, wechat, weibo) and archive everything it fetches."""
    spider_args = _pairs(args, "-a")
    if urls:
        spider_args["url"] = ",".join(urls)
    if sources_file:
        _check_sources(sources_file, source_ids)  # fail here, before Scrapy starts
        spider_args["sources"] = str(sources_file)
        if source_ids:
            spider_args["source"] = ",".join(source_ids)
    if not urls and not sources_file and "url" not in spider_args and "uid" not in spider_args:
        raise click.UsageError("nothing to crawl: give --url, --sources, or -a uid=… for weibo")
    stats = run_crawl(spider, archive_dir, spider_args, _pairs(sets, "-s"))
    click.echo(f"finished: {stats.get('finish_reason')}, {stats.get('govarchive/captures', 0)} captures")
    _echo_summary(archive_dir)
    _exit_if_blocked(stats)


def _exit_if_blocked(stats: dict[str, Any]) -> None:
    from govarchive.crawling import BLOCKED

    if stats.get("finish_reason") == BLOCKED:
        click.echo(f"a platform blocked the crawl ({stats.get('govarchive/blocked', 0)} block pages): nothing "
                   f"blocked was recorded as deleted; run again later (exit code {EXIT_BLOCKED})", err=True)
        sys.exit(EXIT_BLOCKED)


@cli.command()
@ARCHIVE_DIR
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port of the demo web on 127.0.0.1 (a free one is used if it is taken).")
def demo(archive_dir: Path, port: int) -> None:
    """Serve the bundled demo web on loopback, archive it, and print what was saved."""
    from govarchive.demo import DemoWeb

    with DemoWeb(port=port) as web:
        if web.port != port:
            click.echo(f"port {port} is taken; the demo web runs on {web.port} (URLs in the index differ from "
                       "earlier runs)", err=True)
        click.echo(f"demo web: {web.base_url}/ (a fictional city's portal, WeChat and Weibo accounts)")
        from govarchive.demo.content import MP_DEMO_COOKIE, MP_DEMO_TOKEN, TODAY

        # The demo web's fake back-office session (a real one is yours: pass it with -s, never commit it).
        # Its statuses are judged on the demo's own "today", so the demo reads the same every day.
        overrides = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                     "LOG_LEVEL": "WARNING", "GOVARCHIVE_MP_TOKEN": MP_DEMO_TOKEN, "GOVARCHIVE_MP_COOKIE": MP_DEMO_COOKIE,
                     "GOVARCHIVE_AS_OF": TODAY.isoformat()}
        stats = run_crawl("portal", archive_dir, {"sources": str(DEMO_SOURCES), "base_url": web.base_url},
                          overrides)
    click.echo(f"crawl finished: {stats.get('finish_reason')}; this run made {stats.get('govarchive/captures', 0)} "
               f"captures, {stats.get('govarchive/dedup/revisits', 0)} of them revisits")
    _echo_summary(archive_dir)
    datasette = Path(sys.executable).with_name("datasette")
    click.echo("\nBrowse it:\n  " + f"{datasette if datasette.exists() else 'datasette'} {archive_dir / 'index.db'}")


@cli.command("demo-web")
@click.option("--port", type=int, default=8765, show_default=True)
def demo_web(port: int) -> None:
    """Serve the demo web on 127.0.0.1 until Ctrl-C."""
    import time

    from govarchive.demo import DemoWeb

    with DemoWeb(port=port) as web:
        click.echo(f"demo web at {web.base_url}/ (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@cli.command()
@ARCHIVE_DIR
def reindex(archive_dir: Path) -> None:
    """Rebuild ARCHIVE_DIR/index.db from ARCHIVE_DIR/warc/*.warc.gz alone."""
    from govarchive.reindex import reindex as rebuild

    if not (archive_dir / "warc").is_dir():
        raise click.ClickException(f"{archive_dir / 'warc'} does not exist: is --archive-dir the archive folder?")
    report = rebuild(archive_dir)
    click.echo(f"reindexed {report.files} WARC files: {report.captures} captures, {report.accounts} account "
               f"sightings, {report.posts} post sightings")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    _echo_summary(archive_dir)
    if report.errors:
        sys.exit(1)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ARCHIVE_DIR
def import_(files: tuple[Path, ...], archive_dir: Path) -> None:
    """Index WARC FILES written by any tool (wget, Browsertrix, Heritrix…) into ARCHIVE_DIR/index.db."""
    from govarchive.reindex import import_warcs

    report = import_warcs(files, archive_dir)
    click.echo(f"imported {report.files} WARC files: {report.captures} captures, {report.accounts} account "
               f"sightings, {report.posts} post sightings")
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if report.errors:
        sys.exit(1)


@cli.group()
def sources() -> None:
    """Sources files: what to crawl."""


@sources.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def sources_check(file: Path) -> None:
    """Validate a sources FILE without fetching anything."""
    chosen = _check_sources(file)
    click.echo(f"{file}: {len(chosen)} sources, all valid")


@sources.command("list")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), default=DEMO_SOURCES)
def sources_list(file: Path) -> None:
    """List the sources of FILE (default: the demo's)."""
    for source in _check_sources(file):
        click.echo(f"{source.id}\t{source.kind}\t{source.platform}\t{source.url}\t{source.label or ''}")


@cli.command()
@ARCHIVE_DIR
@click.option("--as-of", "as_of", default=None, metavar="ISO",
              help="Judge statuses at this date or time (default: now).")
@click.option("--dormant-days", type=int, default=14, show_default=True, help="Days without a post before dormant.")
@click.option("--closed-after-runs", type=int, default=3, show_default=True,
              help="Consecutive runs an account must be missing in before it counts as closed.")
def analyse(archive_dir: Path, as_of: str | None, dormant_days: int, closed_after_runs: int) -> None:
    """Re-run the closure analysis over the whole archive: notices, successors, statuses, risk."""
    from datetime import datetime, timezone

    from govarchive.config import _as_datetime
    from govarchive.index import open_index
    from govarchive.lifecycle import analyse as run_analysis

    if not (archive_dir / "index.db").exists():
        raise click.ClickException(f"{archive_dir / 'index.db'} does not exist: is --archive-dir the archive folder?")
    try:
        moment = _as_datetime(as_of) or datetime.now(timezone.utc)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    index = open_index(archive_dir / "index.db")
    try:
        result = run_analysis(index, moment, None, dormant_days, closed_after_runs)
    finally:
        index.close()
    for line in result.lines():
        click.echo(line)


@cli.command()
@ARCHIVE_DIR
def summary(archive_dir: Path) -> None:
    """Print what the archive holds."""
    _echo_summary(archive_dir)


def _echo_summary(archive_dir: Path) -> None:
    from govarchive.summary import summarize

    click.echo(f"\narchive {archive_dir}:")
    for line in summarize(archive_dir).lines():
        click.echo("  " + line)

if __name__ == "__main__":  # pragma: no cover
    cli()
