"""The ``govarchive`` command: thin click wrappers over the library.

This module is the only place that reads the environment (``GOVARCHIVE_ARCHIVE_DIR``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from govarchive import __version__
from govarchive.core.config import DEFAULT_CONFIG
from govarchive.crawl import outcome

if TYPE_CHECKING:
    from govarchive.core.sources import Source

# Exit codes of crawl and demo (the table and the rule: govarchive/crawl/outcome.py, README "The CLI").
EXIT_BLOCKED = outcome.EXIT_BLOCKED  # 75, EX_TEMPFAIL: a platform blocked the crawl; try again later
EXIT_LOCKED = outcome.EXIT_LOCKED  # 73, EX_CANTCREAT: another run holds the archive

VERBOSE = click.option("-v", "--verbose", is_flag=True,
                       help="On a terminal, show Scrapy's log (INFO) too; it always goes to a LOG_FILE.")
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


def _on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def crawl_settings(spider: str, archive_dir: Path, spider_args: dict[str, Any], overrides: dict[str, Any],
                   verbose: bool = False) -> Any:
    """The settings of a crawl, every name and value checked first (govarchive/core/overrides.py): a misspelt
    or bad -s, -a or GOVARCHIVE_* environment variable is one line and exit 2, before anything is created."""
    from scrapy.spiderloader import get_spider_loader

    from govarchive.core.config import archive_config
    from govarchive.core.overrides import (
        BadOption,
        check_setting_names,
        check_setting_values,
        check_spider_arguments,
        environment_settings,
        quiet_level,
    )

    settings = _settings(archive_dir)
    loader = get_spider_loader(settings)
    if spider not in loader.list():
        raise BadUsage(f"no spider named {spider!r}: use one of {', '.join(sorted(loader.list()))}")
    try:
        check_spider_arguments(spider_args, loader.load(spider))
        environment = environment_settings(os.environ, settings)
        check_setting_names(overrides, settings)
        check_setting_values(overrides, settings)
    except BadOption as error:
        raise BadUsage(str(error)) from None
    settings.setdict(environment, priority="project")  # the environment, below -s
    settings.setdict(overrides, priority="cmdline")
    level = quiet_level(verbose, _on_terminal(), overrides)
    if level:  # a terminal shows the progress display, warnings and errors; -v or a LOG_FILE keeps Scrapy's INFO
        settings.set("LOG_LEVEL", level, priority="cmdline")
    try:
        archive_config(settings)
    except ValueError as error:
        name = str(error).partition(":")[0]
        where = "the -s value" if name in overrides else f"the environment variable {name}" \
            if name in environment else "the setting"
        raise BadUsage(f"{error}: fix {where}") from None
    return settings


def run_crawl(spider: str, archive_dir: Path, spider_args: dict[str, Any],
              overrides: dict[str, Any] | None = None, verbose: bool = False) -> dict[str, Any]:
    """Run one spider to the end in this process; return its stats (and ``govarchive/run_id``).

    A bad setting or spider argument, an unknown spider, an archive folder that cannot be written or that
    another run holds end here in one line, before Scrapy starts (and would bury them in a traceback).
    The crawl takes the archive's lock itself (govarchive/warc/lock.py): this early look only spares the log."""
    from scrapy.crawler import CrawlerProcess

    from govarchive.core.config import archive_config
    from govarchive.crawl.run import run_for
    from govarchive.warc.lock import check_free

    settings = crawl_settings(spider, archive_dir, spider_args, dict(overrides or {}), verbose)
    config = archive_config(settings)
    if config.distributed:  # a worker with no Redis would fail deep in the scheduler
        from govarchive.crawl.distributed import connect

        try:
            connect(config).close()
        except RuntimeError as error:
            raise click.ClickException(f"{error}: start Redis or fix the -s value") from None
    with _refused_if_busy():
        check_free(archive_dir)
    require_writable(archive_dir)
    process = CrawlerProcess(settings)  # from here on, Scrapy logs
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    stats = dict(crawler.stats.get_stats() if crawler.stats else {})
    stats["govarchive/run_id"] = run_for(crawler).id
    return stats


class ArchiveInUse(click.ClickException):
    """Another run holds the archive: one line naming it and the fix, and the exit code a scheduler reads."""

    exit_code = EXIT_LOCKED


@contextlib.contextmanager
def _refused_if_busy() -> Iterator[None]:
    from govarchive.warc.lock import ArchiveBusy

    try:
        yield
    except ArchiveBusy as busy:
        raise ArchiveInUse(str(busy)) from None


DEBUG = click.option("--debug", is_flag=True,
                     help="Show the log and the full traceback of any error (else each error is one line).")


class _OneLine(logging.Formatter):
    """A log record as one line, without its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {' '.join(record.getMessage().split())}"


@contextlib.contextmanager
def _one_line_errors(debug: bool) -> Iterator[None]:
    """Errors of a command that reads WARC files, one line each; with ``--debug``, the whole log and the
    traceback of an unexpected error. Without it, only govarchive's own warnings are shown (a library's
    notes on a file it reads are in the command's report already)."""
    handler = logging.StreamHandler(sys.stderr)
    root = logging.getLogger()
    level = root.level
    if debug:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.setLevel(logging.DEBUG)
    else:
        handler.setFormatter(_OneLine())
        handler.setLevel(logging.WARNING)
        handler.addFilter(lambda record: record.name.startswith("govarchive") or record.levelno >= logging.ERROR)
    root.addHandler(handler)
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:
        if debug:
            raise
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise click.ClickException(f"{text} ({type(exc).__name__}; run again with --debug for the "
                                   "traceback)") from None
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class BadUsage(click.ClickException):
    """A usage mistake in one line naming the fix (click's UsageError adds the usage text and a hint)."""

    exit_code = 2


PAIR_EXAMPLES = {"-a": "-a uid=1234567890", "-s": "-s DOWNLOAD_DELAY=2"}


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    result = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key.strip():
            example = PAIR_EXAMPLES.get(what, f"{what} KEY=VALUE")
            raise BadUsage(f"{what} {value!r} is not KEY=VALUE: write it like {example}")
        result[key.strip()] = val
    return result


def require_writable(archive_dir: Path) -> Path:
    """Create the archive folder if needed and prove it can be written, before any work starts."""
    import tempfile

    try:
        archive_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=archive_dir):
            pass
    except OSError as error:
        reason = error.strerror or error
        raise click.ClickException(f"cannot write to the archive folder {archive_dir} ({reason}): "
                                   "pass --archive-dir with a folder you can write to") from None
    return archive_dir


def require_index(archive_dir: Path) -> Path:
    """The archive's index.db, or one line saying how to get one."""
    index_db = archive_dir / "index.db"
    if not index_db.is_file():
        raise click.ClickException(f"{index_db} does not exist: run `govarchive crawl` or `make demo` first, "
                                   "or pass --archive-dir")
    return index_db


def require_free_port(host: str, port: int) -> None:
    """Fail in one line when another program listens on host:port."""
    import errno
    import socket

    if not 0 <= port <= 65535:
        raise BadUsage(f"port {port} does not exist: pass --port N with N from 1 to 65535")
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (OSError, UnicodeError) as error:
        raise click.ClickException(f"cannot listen on {host!r} ({error}): pass --host with an address of "
                                   "this machine, e.g. 127.0.0.1") from None
    with socket.socket(family) as probe:
        if os.name == "posix":  # as the servers do: a port a closed server left in TIME_WAIT is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            return
        except OSError as error:
            failure = error
    if failure.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", None)):
        raise click.ClickException(f"port {port} on {host} is in use: pass --port N or stop the program "
                                   "using it")
    raise click.ClickException(f"cannot listen on port {port} of {host} ({failure.strerror or failure}): "
                               "pass --port N (1024 or above) or --host with an address of this machine")


@click.group()
@click.version_option(__version__, prog_name="govarchive")
def cli() -> None:
    """Archive Chinese government new-media accounts into WARC files and a SQLite index."""
    from govarchive.core.overrides import BadOption, check_environment

    try:  # a misspelt GOVARCHIVE_ARCHIVE_DIR would send any command to the wrong archive
        check_environment(os.environ)
    except BadOption as error:
        raise BadUsage(str(error)) from None


DEMO_SOURCES = Path(__file__).parent / "demo" / "sources.toml"


def _check_sources(path: Path, ids: tuple[str, ...] = (), base_url: str | None = None) -> list[Source]:
    from govarchive.core.sources import SourceError, load_sources, select

    try:
        return select(load_sources(path, base_url), list(ids))
    except SourceError as exc:  # a usage mistake: nothing started
        raise BadUsage(str(exc)) from None


def _with_sources(spider_args: dict[str, Any]) -> dict[str, Any]:
    """The spider's arguments with ``sources`` (a file), ``source`` and ``base_url`` replaced by the entries
    they choose: the file is read and validated here, once, before Scrapy starts, and the spider is given
    the validated :class:`~govarchive.core.sources.Source` objects."""
    if "sources" not in spider_args:
        return spider_args
    rest = {k: v for k, v in spider_args.items() if k not in ("sources", "source", "base_url")}
    ids = tuple(s.strip() for s in str(spider_args.get("source", "")).split(",") if s.strip())
    return {**rest, "sources": _check_sources(Path(spider_args["sources"]), ids, spider_args.get("base_url"))}


@cli.command()
@click.argument("spider")
@click.option("--url", "urls", multiple=True, help="Start URL (repeatable).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Sources file (TOML) naming what to crawl.")
@click.option("--source", "source_ids", multiple=True, help="Only this source id of --sources (repeatable).")
@click.option("-a", "args", multiple=True, metavar="NAME=VALUE", help="Spider argument (repeatable).")
@click.option("-s", "sets", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable).")
@VERBOSE
@ARCHIVE_DIR
def crawl(spider: str, urls: tuple[str, ...], sources_file: Path | None, source_ids: tuple[str, ...],
          args: tuple[str, ...], sets: tuple[str, ...], verbose: bool, archive_dir: Path) -> None:
    """Run SPIDER (portal, wechat, weibo) and archive everything it fetches."""
    spider_args = _pairs(args, "-a")
    overrides = _pairs(sets, "-s")
    if urls:
        spider_args["url"] = ",".join(urls)
    for url in filter(None, (u.strip() for u in spider_args.get("url", "").split(","))):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise BadUsage(f"{url!r} is not an http(s) URL: write it in full, like "
                           "https://www.example.gov.cn/xxgk/xmt/")
    if source_ids and not sources_file and "sources" not in spider_args:
        raise BadUsage("--source picks entries of a sources file: pass --sources FILE too")
    if sources_file:
        spider_args["sources"] = str(sources_file)
        if source_ids:
            spider_args["source"] = ",".join(source_ids)
    if "url" not in spider_args and "sources" not in spider_args and "uid" not in spider_args:
        raise BadUsage("nothing to crawl: give --url URL, --sources FILE, or -a uid=… for weibo")
    # also -a sources=…: read and validated here, before Scrapy starts; the spider gets the entries
    stats = run_crawl(spider, archive_dir, _with_sources(spider_args), overrides, verbose)
    result = outcome.crawl_outcome(stats, archive_dir, stats.get("govarchive/run_id"))
    click.echo(_run_line(stats, result))
    if result.code != EXIT_LOCKED:  # refused: the archive is another run's, half written
        _echo_summary(archive_dir)
    _exit_with(result)


def _run_line(stats: dict[str, Any], result: outcome.Outcome) -> str:
    """What the run did, in one line: its id, its outcome (as ``runs.status`` records it) and its captures."""
    return (f"run {stats.get('govarchive/run_id')}: {result.name}; {stats.get('govarchive/captures', 0)} captures, "
            f"{stats.get('govarchive/dedup/revisits', 0)} of them revisits (finish reason "
            f"{stats.get('finish_reason')})")


def _exit_with(result: outcome.Outcome) -> None:
    """Say in one line why a run did not simply succeed, and exit with its code (govarchive/crawl/outcome.py)."""
    if result.code:
        click.echo(result.line(), err=True)
        sys.exit(result.code)


@cli.command()
@ARCHIVE_DIR
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port of the demo web on 127.0.0.1 (without --port: the port this archive's demo was served on, "
                   "else 8765, else any free one).")
@VERBOSE
def demo(archive_dir: Path, port: int, verbose: bool) -> None:
    """Serve the bundled demo web on loopback, archive it, and print what was saved."""
    from govarchive.demo.content import MP_DEMO_COOKIE, MP_DEMO_TOKEN, TODAY

    # The demo web's fake back-office session (a real one is yours: pass it with -s, never commit it).
    # Its statuses are judged on the demo's own "today", so the demo reads the same every day.
    overrides: dict[str, Any] = {
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "GOVARCHIVE_MP_TOKEN": MP_DEMO_TOKEN, "GOVARCHIVE_MP_COOKIE": MP_DEMO_COOKIE,
        "GOVARCHIVE_AS_OF": TODAY.isoformat(), **({} if verbose else {"LOG_LEVEL": "WARNING"})}
    args = {"sources": str(DEMO_SOURCES), "base_url": "http://127.0.0.1"}
    from govarchive.warc.lock import check_free

    crawl_settings("portal", archive_dir, args, overrides, verbose)  # a bad environment stops here, web unstarted
    with _refused_if_busy():  # an archive another run holds is that run's: its demo web's port is no question
        check_free(archive_dir)
    require_writable(archive_dir)
    with _demo_web(port, archive_dir) as web:
        click.echo(f"demo web: {web.base_url}/ (a fictional city's portal, WeChat and Weibo accounts)")
        stats = run_crawl("portal", archive_dir, _with_sources({**args, "base_url": web.base_url}), overrides, verbose)
    result = outcome.crawl_outcome(stats, archive_dir, stats.get("govarchive/run_id"))
    click.echo(_run_line(stats, result))
    if result.code == EXIT_LOCKED:
        _exit_with(result)
    _echo_summary(archive_dir)
    command = Path(sys.executable).with_name("govarchive")
    click.echo(f"\nBrowse it: make serve (or {command if command.exists() else 'govarchive'} serve --archive-dir "
               f"{archive_dir}), then open http://127.0.0.1:8001/ (search, canned queries, archived copies)")
    _exit_with(result)


def _demo_web(port: int, archive_dir: Path | None = None) -> Any:
    """The started demo web. An archive that already holds the demo web gets the port it was served on,
    or one line (its URLs carry the port: another one would archive every page a second time). Otherwise
    the port the user chose (in use: one line), else the default one or, when that is taken, any free one."""
    from click.core import ParameterSource

    from govarchive.demo import DemoWeb
    from govarchive.demo.origin import archived_port

    chosen = click.get_current_context().get_parameter_source("port") is not ParameterSource.DEFAULT
    archived = archived_port(archive_dir / "index.db") if archive_dir else None
    if archived and chosen and port != archived:
        raise BadUsage(f"{archive_dir} holds the demo web as served on port {archived}, and its URLs carry the "
                       f"port: run the demo on that port (--port {archived}, or no --port) or into another "
                       "folder (--archive-dir)")
    if archived:
        port, chosen = archived, True
    if chosen:
        try:
            require_free_port(DemoWeb.host, port)
        except click.ClickException as error:
            if archived:  # the same error (and exit code), saying why another port is no way out
                raise type(error)(f"{error.message} ({archive_dir} holds the demo web as served on that port: "
                                  "another port would archive every page again under other URLs; or pass "
                                  "--archive-dir)") from None
            raise
    try:
        web = DemoWeb(port=port, fallback=not chosen).start()
    except OSError:  # taken between the check and the bind
        raise click.ClickException(f"port {port} on {DemoWeb.host} is in use: pass --port N or stop the "
                                   "program using it") from None
    if web.port != port:
        click.echo(f"port {port} is taken: the demo web runs on {web.port}, and later demos into this archive "
                   "use that port too")
    return web


@cli.command("demo-web")
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port on 127.0.0.1 (without --port, a free one is used if 8765 is taken).")
def demo_web(port: int) -> None:
    """Serve the demo web on 127.0.0.1 until Ctrl-C."""
    import time

    with _demo_web(port) as web:
        click.echo(f"demo web at {web.base_url}/ (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@cli.command()
@ARCHIVE_DIR
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Processes reading pages in the pages phase (default: the CPUs it may use; 1: no worker process).")
@click.option("--restart", is_flag=True,
              help="Start over even when a killed reindex left its work to go on from.")
@DEBUG
def reindex(archive_dir: Path, processes: int | None, restart: bool, debug: bool) -> None:
    """Rebuild ARCHIVE_DIR/index.db from the archive's WARC files alone (warc/ and files imported in place).

    In two phases: the captures (the archive can be browsed and verified as soon as they are in), then the
    pages, read by the page objects in worker processes; then the search rows. A killed reindex goes on
    where it stopped when run again."""
    from govarchive.warc.reindexing import reindex as rebuild

    if not (archive_dir / "warc").is_dir():
        raise click.ClickException(f"{archive_dir / 'warc'} does not exist: run `govarchive crawl` or "
                                   "`make demo` first, or pass --archive-dir")
    require_writable(archive_dir)
    with _one_line_errors(debug), _refused_if_busy():  # a crawl (or another reindex) is writing this archive
        report = rebuild(archive_dir, processes=processes, restart=restart,
                         tell=lambda line: click.echo(f"reindex: {line}", err=True))
    for repaired in report.repaired:
        click.echo(f"repaired {repaired}, left open by a killed crawl")
    click.echo(f"reindexed {report.files} WARC files: {report.captures} captures, {report.accounts} account "
               f"sightings, {report.posts} post sightings")
    for line in report.type_lines():
        click.echo("  " + line)
    for phase in report.phases:
        click.echo("  " + phase.line())
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    _echo_summary(archive_dir)
    if report.errors:
        sys.exit(1)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--in-place", is_flag=True,
              help="Leave the files where they are and record where (warc/in-place.tsv) instead of copying them "
                   "into ARCHIVE_DIR/warc/.")
@ARCHIVE_DIR
@DEBUG
def import_(files: tuple[Path, ...], in_place: bool, archive_dir: Path, debug: bool) -> None:
    """Add WARC or ARC FILES written by any tool (wget, Browsertrix, Heritrix…) to the archive and index them.

    Each file is copied into ARCHIVE_DIR/warc/ (the copy checked byte for byte first), or with --in-place
    recorded where it lies; verify and reindex then read it like the crawl's own files. Exit 1 when a file
    was refused or holds damage (each said in one line: file, offset, what was lost)."""
    from govarchive.warc.importer import import_warcs

    # A new folder is fine here: importing other tools' WARCs is one way to start an archive.
    require_writable(archive_dir)
    with _one_line_errors(debug), _refused_if_busy():
        report = import_warcs(files, archive_dir, in_place=in_place)
    click.echo(f"imported {report.files} file(s) into {archive_dir}: {report.captures} captures, "
               f"{report.accounts} account sightings, {report.posts} post sightings")
    for file in report.per_file:
        if not file.refused:
            problems = len(file.problems())
            click.echo(f"  {file.name}: {file.placed}; {sum(file.records.values()):,} whole records, "
                       f"{file.captures:,} captures" + (f", {problems} problem(s)" if problems else ""))
    for line in report.type_lines():
        click.echo("  " + line)
    if report.revisits_resolved:
        click.echo(f"  {report.revisits_resolved} revisit(s) imported earlier without their original now point at it")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if report.errors:
        sys.exit(1)


@cli.command()
@click.argument("shards", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@ARCHIVE_DIR
@DEBUG
def merge(shards: tuple[Path, ...], archive_dir: Path, debug: bool) -> None:
    """Merge the archive folders of distributed workers (SHARDS) into ARCHIVE_DIR; merging again changes nothing."""
    from govarchive.warc.merge import MergeError
    from govarchive.warc.merge import merge as combine

    require_writable(archive_dir)
    with _one_line_errors(debug), _refused_if_busy():  # the archive, or a worker's folder, is in use
        try:
            report = combine(shards, archive_dir)
        except MergeError as error:
            raise click.ClickException(str(error)) from None
    for line in report.lines():
        click.echo(line, err=line.startswith("error:"))
    _echo_summary(archive_dir)
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
              help="Judge statuses at this date or time (default: the moment the newest run judged them at).")
@click.option("--dormant-days", type=int, default=DEFAULT_CONFIG.dormant_days, show_default=True,
              help="Days without a post before dormant.")
@click.option("--closed-after-runs", type=int, default=DEFAULT_CONFIG.closed_after_runs, show_default=True,
              help="Consecutive runs an account must be missing in before it counts as closed.")
def analyse(archive_dir: Path, as_of: str | None, dormant_days: int, closed_after_runs: int) -> None:
    """Re-run the closure analysis over the whole archive: notices, successors, statuses, risk."""
    from datetime import datetime

    from govarchive.closure.lifecycle import analyse as run_analysis
    from govarchive.closure.lifecycle import last_judgement
    from govarchive.core.config import as_datetime
    from govarchive.index.store import open_index

    try:
        chosen = as_datetime(as_of)
    except ValueError:
        raise BadUsage(f"--as-of {as_of!r} is not an ISO date or time: write it like 2026-11-20 or "
                       "2026-11-20T08:00") from None
    index = open_index(require_index(archive_dir))
    try:
        if chosen:
            moment, why = chosen, "--as-of"
        else:  # the archive's own "now": the demo's date on the demo archive, the last crawl's start elsewhere
            last = last_judgement(index)
            moment, why = (last[0], f"as the newest run, {last[1]}, judged them; --as-of to choose another") if last \
                else (datetime.now(UTC), "now: no run recorded a moment; --as-of to choose another")
        click.echo(f"statuses judged at {moment.isoformat(timespec='seconds')} ({why})")
        result = run_analysis(index, moment, None, dormant_days, closed_after_runs)
    finally:
        index.close()
    for line in result.lines()[1:]:  # this pass; the archive's counts come from summary's own lines, below
        click.echo(line)
    lines = _summarize(archive_dir).lines()
    click.echo("the archive now (as `govarchive summary` counts it):")
    for line in lines:
        if line.startswith(("statuses:", "notices:", "successors:")):
            click.echo("  " + line)


@cli.command()
@ARCHIVE_DIR
def summary(archive_dir: Path) -> None:
    """Print what the archive holds."""
    _echo_summary(archive_dir, _summarize(archive_dir))


def _summarize(archive_dir: Path) -> Any:
    """:func:`govarchive.browse.summary.summarize` of an archive that must have a readable index."""
    import sqlite3

    from govarchive.browse.summary import summarize

    index_db = require_index(archive_dir)
    try:
        return summarize(archive_dir)
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"cannot read {index_db} ({error}): run `govarchive reindex` to rebuild "
                                   "it from the WARC files, or pass --archive-dir") from None


@cli.command()
@ARCHIVE_DIR
@click.option("--json", "as_json", is_flag=True, help="Print the same data as JSON.")
def status(archive_dir: Path, as_json: bool) -> None:
    """Accounts by platform and status, the last runs, WARC files, closures and migrations, and problems."""
    import json

    from govarchive.browse.status import print_status

    report = _summarize(archive_dir)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_status(report)


@cli.command()
@ARCHIVE_DIR
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@DEBUG
def verify(archive_dir: Path, as_json: bool, debug: bool) -> None:
    """Read every WARC record back (digests) and check every index pointer; exit 1 on any problem."""
    import json
    import sqlite3

    from govarchive.warc.verify import verify_archive

    index_db = require_index(archive_dir)
    with _one_line_errors(debug):
        try:
            report = verify_archive(archive_dir)
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"cannot read {index_db} ({error}): run `govarchive reindex` to rebuild "
                                       "it from the WARC files, or pass --archive-dir") from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if report.ok else 1)


@cli.command()
@ARCHIVE_DIR
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 exposes the archive to the network).")
@click.option("--port", type=int, default=8001, show_default=True, help="Port (0: any free port).")
def serve(archive_dir: Path, host: str, port: int) -> None:
    """Browse the archive in Datasette: search, canned queries, the closures feed, archived copies."""
    from datasette.cli import cli as datasette

    index_db = require_index(archive_dir)
    if port:
        require_free_port(host, port)
    click.echo(f"serving {index_db} at http://{host}:{port or '<any free port>'}/ (Ctrl-C to stop)", err=True)
    # Datasette's own command line, so every Datasette option keeps its meaning; metadata, queries and
    # the viewer come from the govarchive plugin (govarchive/browse).
    datasette.main(["serve", str(index_db), "--host", host, "--port", str(port),
                    "--setting", "truncate_cells_html", "300", "--setting", "sql_time_limit_ms", "5000",
                    "--setting", "facet_time_limit_ms", "1000"], prog_name="govarchive serve")


def _echo_summary(archive_dir: Path, report: Any = None) -> None:
    from govarchive.browse.summary import summarize

    click.echo(f"\narchive {archive_dir}:")
    for line in (report or summarize(archive_dir)).lines():
        click.echo("  " + line)


@cli.command()
@click.option("--print", "kind", type=click.Choice(["cron", "systemd"]), required=True,
              help="cron: a crontab line; systemd: a service and a timer.")
@ARCHIVE_DIR
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Sources file the daily run crawls (checked now).")
@click.option("--spider", default="portal", show_default=True, help="Spider to run.")
@click.option("--at", "at", default="03:00", show_default=True, metavar="HH:MM", help="Time of day (local).")
@click.option("--user", default=None,
              help="User the run runs as (systemd default: you; cron: a file for /etc/cron.d).")
def schedule(kind: str, archive_dir: Path, sources_file: Path | None, spider: str, at: str,
             user: str | None) -> None:
    """Print ready-to-install units for a daily crawl (docs/scheduling.md), exit codes handled."""
    from scrapy.spiderloader import get_spider_loader

    from govarchive.crawl.schedule import ScheduleError, plan, render

    if sources_file is None:
        raise BadUsage("a daily run needs something to crawl: pass --sources FILE")
    _check_sources(sources_file)
    known = get_spider_loader(_settings(archive_dir)).list()
    if spider not in known:
        raise BadUsage(f"no spider named {spider!r}: use one of {', '.join(sorted(known))}")
    try:
        click.echo(render(kind, plan(archive_dir, sources_file, spider, at, user)), nl=False)
    except ScheduleError as error:
        raise BadUsage(str(error)) from None


# -- export (govarchive/browse/export.py, docs/exports.md) ----------------------------------------------
EXPORT_OUTPUT = click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
                             help="File to write (default: standard output).")


def _exporting(action: Any, *args: Any) -> Any:
    """Run ``action``; the library's user errors become one line, ``Error: …``, and exit code 1 (2 for a wrong
    argument)."""
    from govarchive.browse.export import ExportError, ExportUsage

    try:
        return action(*args)
    except ExportUsage as error:  # a wrong table, id or output name: exit 2
        raise BadUsage(str(error)) from None
    except ExportError as error:
        raise click.ClickException(str(error)) from None


@cli.group()
def export() -> None:
    """Export the archive: a WACZ to replay, a CDXJ index for pywb, index tables as CSV or JSON."""


@export.command("wacz")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="WACZ file to write (default: ARCHIVE_DIR/exports/govarchive-<UTC date>.wacz).")
@click.option("--run", "runs", multiple=True, metavar="RUN_ID",
              help="Only the captures of this run (repeatable).")
@click.option("--account", "accounts", multiple=True, metavar="ACCOUNT_ID",
              help="Only this account's captures: its pages, posts, media, listings (repeatable).")
@click.option("--title", default=None,
              help="Title ReplayWeb.page shows (default: the selection and the date).")
@click.option("--dependencies/--no-dependencies", default=True, show_default=True,
              help="Add the WARC files holding the originals of revisit records; without, they are only "
                   "named in datapackage.json.")
@ARCHIVE_DIR
def export_wacz_command(output: Path | None, runs: tuple[str, ...], accounts: tuple[str, ...],
                        title: str | None, dependencies: bool, archive_dir: Path) -> None:
    """Write a WACZ (ReplayWeb.page, pywb): WARC files, their index, and a page list from the index."""
    from govarchive.browse.export import export_wacz

    report = _exporting(export_wacz, archive_dir, output, runs, accounts, title, dependencies)
    plan = report.plan
    added = f" ({len(plan.added)} added for revisits)" if plan.added else ""
    click.echo(f"wrote {report.path}: {len(plan.warcs)} WARC files{added}, {len(plan.pages)} pages, "
               f"{report.bytes:,} bytes")
    if plan.missing_dependencies:
        click.echo(f"not included, needed by revisit records: {', '.join(plan.missing_dependencies)} "
                   "(recorded in datapackage.json)", err=True)
    missing = sorted(set(plan.missing) - set(plan.missing_dependencies))
    if missing:
        click.echo(f"not in {archive_dir / 'warc'}, left out: {', '.join(missing)}", err=True)


@export.command("cdxj")
@EXPORT_OUTPUT
@ARCHIVE_DIR
def export_cdxj_command(output: Path | None, archive_dir: Path) -> None:
    """Write a sorted CDXJ index (pywb) of every closed WARC file; file names are relative to warc/."""
    from govarchive.browse.export import export_cdxj

    files = _exporting(export_cdxj, archive_dir, output, sys.stdout.buffer)
    if output:
        click.echo(f"wrote {output}: the index of {len(files)} WARC files")


def _export_table(table: str, fmt: str, output: Path | None, archive_dir: Path, excel: bool = False) -> None:
    from govarchive.browse.export import export_table

    count = _exporting(export_table, archive_dir, table, fmt, output, sys.stdout.buffer, excel)
    if output:
        click.echo(f"wrote {output}: {count} rows of {table}")


@export.command("csv")
@click.argument("table", metavar="TABLE")
@click.option("--excel", is_flag=True, help="Start with a byte-order mark so Excel shows Chinese text.")
@EXPORT_OUTPUT
@ARCHIVE_DIR
def export_csv_command(table: str, excel: bool, output: Path | None, archive_dir: Path) -> None:
    """Write TABLE (accounts, posts, notices, migrations… any table of docs/schema.md) as UTF-8 CSV with a header row."""
    _export_table(table, "csv", output, archive_dir, excel)


@export.command("json")
@click.argument("table", metavar="TABLE")
@click.option("--lines", is_flag=True, help="JSON lines: one object per line instead of one array.")
@EXPORT_OUTPUT
@ARCHIVE_DIR
def export_json_command(table: str, lines: bool, output: Path | None, archive_dir: Path) -> None:
    """Write TABLE (accounts, posts, notices, migrations… any table of docs/schema.md) as a JSON array of objects."""
    _export_table(table, "jsonl" if lines else "json", output, archive_dir)


if __name__ == "__main__":  # pragma: no cover
    cli()
