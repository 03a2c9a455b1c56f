"""Datasette reads during a crawl's writes: no "database is locked", no torn reads.

The slow tests run one crawl of the demo web into a fresh archive (a subprocess, slowed by
``DOWNLOAD_DELAY`` so that many commits happen while we read) and, while it runs, read the index the way
an archivist does through ``govarchive serve`` (a real subprocess, over HTTP): one SQL snapshot of counts
and invariants per round, the posts and accounts tables, a search, every canned query in turn, and the
archived copy (viewer page, payload, WARC record) of each capture a read names. Then:

- no read failed, and "database is locked" appears in no response and not in the server's output;
- no torn read: the invariants that hold at every commit boundary (every pointer to a capture, a run,
  an original, a notice finds its row) hold in every snapshot, each taken by one SQL statement; counts
  of append-only rows never go backwards; a capture a read names is found by every later read;
- the reads really overlapped the writes (the crawl was running at the first read and at later ones,
  and the counts grew between them);
- every capture read during the crawl opens in the viewer, while the crawl still writes its WARC file and
  once the crawl is over.

The fast tests prove the checks are real (a deliberately torn index is caught through Datasette) and
check the index writer itself at every one of its commit boundaries, from a second connection: whatever
a reader can see between two commits must satisfy the invariants.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette
from datasette.plugins import pm
from helpers import ROOT, T0, crawl_command, fixed_clock, free_port, make_capture
from warcio.archiveiterator import ArchiveIterator

import govarchive.browse as plugin
from govarchive.browse.queries import QUERIES
from govarchive.core.items import Account, Capture, Post
from govarchive.index.search import attach_search, cjk_escape_fts
from govarchive.index.store import open_index
from govarchive.warc.writer import WarcArchive

BIN = Path(sys.executable).parent
DELAY = "0.3"  # seconds between the crawl's requests: ~150 captures, ~45 s of commits to read through
LOCKED = "database is locked"

# Pointers a reader must never see broken: snapshot column -> (table, column, the table it points into).
POINTERS = {
    "posts_capture_missing": ("posts", "capture_id", "captures"),
    "posts_archived_capture_missing": ("posts", "archived_capture_id", "captures"),
    "posts_account_missing": ("posts", "account_id", "accounts"),
    "accounts_capture_missing": ("accounts", "capture_id", "captures"),
    "checks_capture_missing": ("account_checks", "capture_id", "captures"),
    "notices_capture_missing": ("notices", "capture_id", "captures"),
    "migrations_notice_missing": ("migrations", "notice_id", "notices"),
}
_POINTER_COUNTS = "".join(
    f"  (select count(*) from {table} x where x.{column} is not null\n"
    f"     and not exists (select 1 from {target} t where t.id = x.{column})) as {name},\n"
    for name, (table, column, target) in POINTERS.items())
# One statement, so one read transaction: a snapshot of the index as of one commit.
SNAPSHOT_SQL = f"""
select
  (select count(*) from runs) as runs,
  (select count(*) from captures) as captures,
  (select count(*) from posts) as posts,
  (select count(*) from posts where state != 'listed') as fetched_posts,
  (select count(*) from changes) as changes,
  (select count(*) from status_history) as status_history,
  (select count(*) from fetch_failures) as fetch_failures,
{_POINTER_COUNTS}  (select count(*) from captures c where not exists (select 1 from runs r where r.id = c.run_id)) as captures_run_missing,
  (select count(*) from captures c where c.record_type = 'revisit'
     and not exists (select 1 from captures o where o.id = c.refers_to)) as revisits_original_missing,
  (select count(*) from captures where warc_file is null or warc_offset is null or warc_length is null)
     as captures_without_record
"""
# Rows nothing deletes during a crawl: their counts never go backwards from one read to the next.
APPEND_ONLY = ("runs", "captures", "posts", "fetched_posts", "changes", "status_history", "fetch_failures")
# Snapshot columns that count broken pointers: 0 at every commit boundary.
DANGLING = (*POINTERS, "captures_run_missing", "revisits_original_missing", "captures_without_record")
NEWEST_CAPTURES_SQL = "select id, url, record_type from captures order by rowid desc limit 6"
# Parameters of the canned queries that need some (the rest run without).
QUERY_PARAMS: dict[str, dict[str, str]] = {"search_posts": {"q": "关停"}, "where_did_it_go": {"account": "云岚"},
                                           "old_link": {"url": ""}}  # old_link: a captured URL, filled in


def violations(snapshot: dict[str, Any]) -> list[str]:
    """The invariants one snapshot breaks."""
    return [f"{name} = {snapshot[name]}" for name in DANGLING if snapshot[name]]


def regressions(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Counts of append-only rows that went backwards between two reads."""
    return [f"{name}: {before[name]} -> {after[name]}" for name in APPEND_ONLY if after[name] < before[name]]


def copy_problem(status: int, page: str, raw_status: int, warc_status: int, warc: bytes,
                 capture: dict[str, Any]) -> str | None:
    """What is wrong with the archived copy of ``capture`` as the viewer served it (None: nothing)."""
    if status != 200 or 'class="message-error"' in page:
        start = page.find('class="message-error"')
        return f"viewer {status}: {page[start:start + 200] if start >= 0 else page[:200]}"
    if raw_status != 200:
        return f"payload {raw_status}"
    if warc_status != 200:
        return f"WARC record {warc_status}: {warc[:200]!r}"
    record = next(iter(ArchiveIterator(BytesIO(warc))))
    found = ((record.rec_headers.get_header("WARC-Record-ID") or "").strip("<>"),
             record.rec_headers.get_header("WARC-Target-URI"),
             record.rec_type)
    if found != (capture["id"], capture["url"], capture["record_type"]):
        return f"WARC record {found} for capture {capture['id']}, {capture['url']}, {capture['record_type']}"
    return None


# -- reading a running govarchive serve --------------------------------------------------------------

@dataclass
class Snapshot:
    values: dict[str, Any]
    during: bool  # the crawl was running before and after this read


@dataclass
class Observations:
    crawl: subprocess.CompletedProcess | None = None
    snapshots: list[Snapshot] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # requests that did not answer 200 as they should
    locked: list[str] = field(default_factory=list)  # responses that mention a locked database
    vanished: list[str] = field(default_factory=list)  # capture ids a read named that a later read missed
    copies_during: dict[str, str | None] = field(default_factory=dict)  # capture id -> problem, viewed mid-crawl
    copies_after: dict[str, str | None] = field(default_factory=dict)  # the same captures, viewed after it
    queries_run: set[str] = field(default_factory=set)
    feeds_read: int = 0  # closures feeds read as Atom
    unsearchable: list[str] = field(default_factory=list)  # accounts a search for their name misses, at the end
    requests: int = 0
    server_output: str = ""


class Reader:
    """An archivist's reads through ``govarchive serve``, recorded in :class:`Observations`."""

    def __init__(self, base: str, seen: Observations) -> None:
        self.base, self.seen = base, seen
        self.captures: dict[str, dict[str, Any]] = {}  # every capture a read named: id -> row
        self.turn = 0

    def get(self, path: str, params: dict[str, str] | None = None, judge: bool = True) -> tuple[int, bytes]:
        """GET a path; with ``judge``, anything but a 200 is a failed read (archived copies are judged by
        :func:`copy_problem` instead)."""
        url = self.base + path + ("?" + urlencode(params) if params else "")
        self.seen.requests += 1
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        if LOCKED.encode() in body:
            self.seen.locked.append(f"{path} {params}: {body[:300]!r}")
        if judge and status != 200:
            self.seen.failures.append(f"{status} for {path} {params}: {body[:300]!r}")
        return status, body

    def rows(self, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        status, body = self.get(path, {**(params or {}), "_shape": "array"})
        return json.loads(body) if status == 200 else []

    def round(self, running: Callable[[], bool]) -> None:
        """One round of reads; the snapshot counts as "during" the crawl if it ran before and after."""
        before = running()
        found = self.rows("/index.json", {"sql": SNAPSHOT_SQL})
        if found:
            self.seen.snapshots.append(Snapshot(found[0], before and running()))
        named = {row["id"]: row for row in self.rows("/index.json", {"sql": NEWEST_CAPTURES_SQL})}
        posts = self.rows("/index/posts.json", {"_size": "10", "_sort_desc": "last_seen"})
        ids = {post[column] for post in posts for column in ("capture_id", "archived_capture_id") if post[column]}
        self.rows("/index/accounts.json", {"_search": "云岚"})
        self.canned_query(next(iter(named.values()), {}).get("url", ""))
        # every capture named so far, by this read or an earlier one, is found again (captures are never removed)
        wanted = sorted(ids | set(named) | set(self.captures))
        present = {row["id"]: row for start in range(0, len(wanted), 50) for row in self.rows(
            "/index/captures.json", {"id__in": ",".join(wanted[start:start + 50]), "_size": "max"})}
        self.seen.vanished += [f"{capture_id} (read before)" for capture_id in wanted if capture_id not in present]
        during = before and running()
        for capture_id, row in present.items():
            if capture_id not in self.captures:
                self.captures[capture_id] = row
                problem = self.copy(row)
                if during and running():
                    self.seen.copies_during[capture_id] = problem

    def canned_query(self, captured_url: str) -> None:
        name = list(QUERIES)[self.turn % len(QUERIES)]
        self.turn += 1
        params = {key: (value or captured_url) for key, value in QUERY_PARAMS.get(name, {}).items()}
        self.rows(f"/index/{name}.json", params)
        self.seen.queries_run.add(name)
        if name == "closures_feed":
            self.feed()

    def feed(self) -> None:
        """The closures feed as Atom, empty (before the first closure is recorded) or not."""
        self.get("/index/closures_feed.atom")
        self.seen.feeds_read += 1

    def copy(self, capture: dict[str, Any]) -> str | None:
        path = f"/-/archive/{capture['id']}"
        status, page = self.get(path, judge=False)
        raw_status, _ = self.get(path + "/raw", judge=False)
        warc_status, warc = self.get(path + "/warc", judge=False)
        return copy_problem(status, page.decode("utf-8", "replace"), raw_status, warc_status, warc, capture)


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}: "
                                 + log.read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still waiting after 120 s: " + log.read_text(errors="replace")[-3000:])
        time.sleep(0.05)


def index_has_a_capture(db: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("select count(*) from captures").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def observed(demo_web, tmp_path_factory) -> Observations:
    folder = tmp_path_factory.mktemp("concurrent-reads")
    archive = folder / "archive"
    crawl_log, serve_log = folder / "crawl.log", folder / "serve.log"
    seen = Observations()
    command = crawl_command(demo_web.base_url, archive, f"DOWNLOAD_DELAY={DELAY}", "RANDOMIZE_DOWNLOAD_DELAY=False",
                            "CONCURRENT_REQUESTS_PER_DOMAIN=2", "GOVARCHIVE_PROGRESS=off")
    with open(crawl_log, "w") as crawl_out, open(serve_log, "w") as serve_out:
        crawl = subprocess.Popen(command, cwd=ROOT, stdout=crawl_out, stderr=subprocess.STDOUT, text=True)
        serve = None
        try:
            # govarchive serve needs an index: start it once the crawl has written its first capture
            wait_for(lambda: index_has_a_capture(archive / "index.db"), "the crawl's first capture", crawl, crawl_log)
            port = free_port()
            # its output goes to a file: a pipe nobody reads fills up with access-log lines and blocks it
            serve = subprocess.Popen([str(BIN / "govarchive"), "serve", "--archive-dir", str(archive), "--port",
                                      str(port)], cwd=ROOT, stdout=serve_out, stderr=subprocess.STDOUT, text=True)
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: answers(base + "/-/versions.json"), "govarchive serve", serve, serve_log)
            reader = Reader(base, seen)

            def running() -> bool:
                return crawl.poll() is None

            while running():
                reader.round(running)
            crawl.wait(timeout=300)
            seen.crawl = subprocess.CompletedProcess(command, crawl.returncode, crawl_log.read_text(), "")
            for _ in range(2):  # the index as the finished run left it
                reader.round(running)
            reader.feed()
            for capture_id in seen.copies_during:  # the WARC file is closed now
                seen.copies_after[capture_id] = reader.copy(reader.captures[capture_id])
            for account in reader.rows("/index.json", {"sql": "select id, name from accounts where name != ''"}):
                found = reader.rows("/index/accounts.json", {"_search": account["name"], "_size": "max"})
                if account["id"] not in {row["id"] for row in found}:
                    seen.unsearchable.append(f"{account['id']} ({account['name']})")
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
            if serve is not None:
                serve.terminate()
                serve.wait(timeout=30)
    seen.server_output = serve_log.read_text(errors="replace")
    return seen


@pytest.mark.slow
def test_the_crawl_finished_cleanly(observed):
    assert observed.crawl is not None and observed.crawl.returncode == 0, observed.crawl.stdout[-4000:]
    assert "Traceback" not in observed.crawl.stdout, observed.crawl.stdout[-4000:]
    assert LOCKED not in observed.crawl.stdout


@pytest.mark.slow
def test_reads_overlapped_the_crawl_s_writes(observed):
    snapshots = observed.snapshots
    assert snapshots[0].during, "the first read came after the crawl had finished"
    during = [s.values for s in snapshots if s.during]
    final = snapshots[-1].values
    assert len(during) >= 10, f"only {len(during)} reads while the crawl ran"
    grew = sum(1 for a, b in pairwise(during) if b["captures"] > a["captures"])
    assert grew >= 5, f"the captures count grew only {grew} times between reads during the crawl"
    assert during[0]["captures"] < during[-1]["captures"] <= final["captures"]
    assert during[0]["captures"] * 2 < final["captures"], "the first read came too late to see the crawl grow"
    assert not snapshots[-1].during and final["runs"] == 1
    assert len(observed.copies_during) >= 20, f"only {len(observed.copies_during)} copies opened during the crawl"


@pytest.mark.slow
def test_no_read_failed_and_nothing_was_locked(observed):
    assert observed.requests > 100
    assert observed.failures == []
    assert observed.locked == []
    assert LOCKED not in observed.server_output, observed.server_output[-4000:]
    assert "Traceback" not in observed.server_output, observed.server_output[-4000:]
    assert observed.queries_run == set(QUERIES), "every canned query was read during the crawl"
    assert observed.feeds_read >= 1, "the closures feed was read as Atom"


@pytest.mark.slow
def test_no_torn_read(observed):
    torn = [(n, violations(s.values)) for n, s in enumerate(observed.snapshots) if violations(s.values)]
    assert torn == []
    backwards = [(n, regressions(a.values, b.values)) for n, (a, b) in
                 enumerate(pairwise(observed.snapshots)) if regressions(a.values, b.values)]
    assert backwards == []
    assert observed.vanished == []


@pytest.mark.slow
def test_every_capture_read_during_the_crawl_opens_once_it_is_over(observed):
    assert set(observed.copies_after) == set(observed.copies_during)
    assert {k: v for k, v in observed.copies_after.items() if v} == {}


@pytest.mark.slow
def test_every_capture_read_during_the_crawl_opens_while_it_runs(observed):
    assert len(observed.copies_during) >= 20
    assert {k: v for k, v in observed.copies_during.items() if v} == {}


@pytest.mark.slow
def test_every_account_is_found_by_its_name_once_the_crawl_is_over(observed):
    assert observed.unsearchable == []


# -- the checks are real ------------------------------------------------------------------------------

def datasette(db: Path) -> Datasette:
    if pm.get_plugin("govarchive") is None:  # entry points are not loaded in every test setup
        pm.register(plugin, name="govarchive")
    return Datasette([str(db)])


def small_archive(folder: Path, keep_open: bool = False) -> tuple[Path, list, WarcArchive | None]:
    """An archive of two pages (a column and its article, the article seen twice: a revisit), written
    through the project's own WARC writer and index; ``keep_open`` leaves the WARC file being written."""
    column = make_capture(1, url="http://127.0.0.1:9/xxgk/tzgg/", body="<html>通知公告</html>".encode())
    article = make_capture(2, url="http://127.0.0.1:9/xxgk/tzgg/202611/t20261101_1.html",
                           body="<html>关停公告</html>".encode())
    again = make_capture(3, url=article.url, body=article.body)
    warcs = WarcArchive(folder / "warc", "run-1", clock=fixed_clock(), hostname="host")
    warcs.write_capture(column)
    warcs.write_capture(article)
    again.record_type, again.refers_to = "revisit", article.id
    again.refers_to_url, again.refers_to_date = article.url, article.fetched_at
    warcs.write_capture(again)
    if not keep_open:
        warcs.close()
    index = open_index(folder / "index.db")
    try:
        index.start_run("run-1", "portal", "2026-11-20T02:00:00Z")
        for capture in (column, article, again):
            index.save_capture(capture)
        index.save_account(Account(id="website:http://127.0.0.1:9/xxgk/tzgg/", platform="website",
                                   platform_id="http://127.0.0.1:9/xxgk/tzgg/", capture_id=column.id,
                                   seen_at=column.fetched_at, name="通知公告", authoritative=True))
        index.save_post(Post(id="website:t1", account_id="website:http://127.0.0.1:9/xxgk/tzgg/", platform="website",
                             capture_id=article.id, seen_at=article.fetched_at, url=article.url, title="关停公告",
                             state="ok", authoritative=True))
    finally:
        index.close()
    return folder / "index.db", [column, article, again], warcs if keep_open else None


async def snapshot_through_datasette(db: Path) -> dict[str, Any]:
    response = await datasette(db).client.get("/index.json", params={"sql": SNAPSHOT_SQL, "_shape": "array"})
    assert response.status_code == 200, response.text[:2000]
    return response.json()[0]


@pytest.mark.asyncio
@pytest.mark.parametrize("tear, broken", [
    ("delete from captures where id = '{article}'",  # a post committed before its capture
     {"posts_capture_missing", "posts_archived_capture_missing", "revisits_original_missing"}),
    ("delete from runs", {"captures_run_missing"}),  # captures committed before their run
    ("delete from accounts", {"posts_account_missing"}),  # a post committed before its account
    ("update captures set warc_offset = null where id = '{column}'", {"captures_without_record"}),
    ("delete from captures where id = '{column}'", {"accounts_capture_missing", "checks_capture_missing"}),
    (("insert into migrations (id, from_account_id, notice_id, target_name, target_platform, scope, evidence, "
      "confidence, is_class, source, recorded_at) values ('m1', 'x', 'n-not-yet', 't', 'wechat', 'all', 'e', 1, 0, "
      "'notice', '2026')"), {"migrations_notice_missing"}),  # a successor committed before its notice
])
async def test_a_torn_index_is_caught_through_datasette(tmp_path, tear, broken):
    db, (column, article, _), _ = small_archive(tmp_path)
    assert violations(await snapshot_through_datasette(db)) == []
    with sqlite3.connect(db) as conn:
        conn.execute(tear.format(article=article.id, column=column.id))
    found = violations(await snapshot_through_datasette(db))
    assert {v.split(" = ")[0] for v in found} == broken


def test_counts_going_backwards_are_caught():
    before = {name: 5 for name in APPEND_ONLY}
    assert regressions(before, dict(before)) == []
    assert regressions(before, {**before, "captures": 6}) == []
    assert regressions(before, {**before, "posts": 4}) == ["posts: 5 -> 4"]


@pytest.mark.asyncio
async def test_a_copy_whose_record_is_not_the_capture_s_is_caught(tmp_path):
    db, (column, article, again), _ = small_archive(tmp_path)
    ds = datasette(db)
    captures = {c.id: {"id": c.id, "url": c.url, "record_type": "revisit" if c is again else "response"}
                for c in (column, article, again)}

    async def problem(capture_id: str, row: dict[str, Any]) -> str | None:
        page = await ds.client.get(f"/-/archive/{capture_id}")
        raw = await ds.client.get(f"/-/archive/{capture_id}/raw")
        warc = await ds.client.get(f"/-/archive/{capture_id}/warc")
        return copy_problem(page.status_code, page.text, raw.status_code, warc.status_code, warc.content, row)

    for capture_id, row in captures.items():
        assert await problem(capture_id, row) is None
    with sqlite3.connect(db) as conn:  # the article's row now points at the column's record
        conn.execute("update captures set (warc_offset, warc_length) = (select warc_offset, warc_length from "
                     "captures where id = ?) where id = ?", [column.id, article.id])
    assert "WARC record" in await problem(article.id, captures[article.id])
    (tmp_path / "warc" / column.warc_file).unlink()
    assert "WARC file missing" in await problem(column.id, captures[column.id])


@pytest.mark.asyncio
async def test_a_copy_opens_while_its_warc_file_is_still_being_written(tmp_path):
    db, captures, warcs = small_archive(tmp_path, keep_open=True)
    try:
        assert warcs is not None and list((tmp_path / "warc").glob("*.warc.gz.open"))
        ds = datasette(db)
        capture = captures[1]
        page = await ds.client.get(f"/-/archive/{capture.id}")
        warc = await ds.client.get(f"/-/archive/{capture.id}/warc")
        row = {"id": capture.id, "url": capture.url, "record_type": "response"}
        assert copy_problem(page.status_code, page.text, 200, warc.status_code, warc.content, row) is None
    finally:
        if warcs is not None:
            warcs.close()


@pytest.mark.asyncio
async def test_the_closures_feed_of_an_archive_without_closures_is_an_empty_feed(tmp_path):
    db, _, _ = small_archive(tmp_path)
    ds = datasette(db)
    assert (await ds.client.get("/index/closures_feed.json", params={"_shape": "array"})).json() == []
    response = await ds.client.get("/index/closures_feed.atom")
    assert response.status_code == 200
    assert response.text.count("<feed") == 1 and "<entry" not in response.text


# -- the writer, at each of its commit boundaries ------------------------------------------------------

# A row has its search row, or waits in the search queue for it (a crawl's search worker writes it).
SEARCH_SHADOW_SQL = """
select 'post ' || p.id || ' has no search row and none queued' from posts p
  where not exists (select 1 from posts_fts f where f.rowid = p.search_key)
  and not exists (select 1 from search_queue q where q.tbl = 'posts' and q.row = p.rowid)
union all
select 'account ' || a.id || ' has no search row and none queued' from accounts a
  where not exists (select 1 from accounts_fts f where f.rowid = a.rowid)
  and not exists (select 1 from search_queue q where q.tbl = 'accounts' and q.row = a.rowid)
"""


def index_invariants(reader: sqlite3.Connection) -> list[str]:
    """The snapshot's invariants, and every post and account has its search row or is queued for one."""
    cursor = reader.execute(SNAPSHOT_SQL)
    snapshot = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
    return violations(snapshot) + [row[0] for row in reader.execute(SEARCH_SHADOW_SQL)]


class CommitBoundaries:
    """Reads the database from a second connection at each commit boundary of a writer connection.

    The writer's statements are traced; before each one that runs outside a transaction, whatever the
    writer committed is all another connection can see, and no more will appear until the next commit:
    that state must satisfy the invariants. If the writer wraps each change in one transaction, the
    reader sees only states before or after whole changes."""

    def __init__(self, writer: sqlite3.Connection, db: Path,
                 invariants: Callable[[sqlite3.Connection], list[str]] | None = None) -> None:
        self.writer = writer
        self.invariants = invariants or index_invariants
        self.reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        attach_search(self.reader, db)  # posts_fts, accounts_fts and search_queue are search.db's (m014)
        self.version: int | None = None
        self.states = 0
        self.problems: list[str] = []
        writer.set_trace_callback(self.statement)

    def statement(self, sql: str) -> None:
        if self.writer.in_transaction:
            return
        try:
            self.check(f"before {' '.join(sql.split())[:60]!r}")
        except Exception as exc:  # sqlite3 swallows exceptions raised in a trace callback
            self.problems.append(f"reading failed: {exc!r}")

    def check(self, when: str) -> None:
        version = self.reader.execute("pragma data_version").fetchone()[0]
        if version == self.version:
            return  # nothing committed since the last check
        self.version = version
        self.states += 1
        self.problems += [f"{when}: {problem}" for problem in self.invariants(self.reader)]

    def close(self) -> None:
        self.writer.set_trace_callback(None)
        self.reader.close()


def located(capture: Capture) -> Capture:
    """A capture as the WARC stage leaves it: with the place of its record (none is written here)."""
    capture.warc_file, capture.warc_offset, capture.warc_length = "test.warc.gz", 1000 * int(capture.id[-3:]), 1000
    return capture


@pytest.mark.parametrize("deferred_search", [False, True], ids=["search rows at once", "search worker"])
def test_index_writes_are_whole_at_every_commit_boundary(tmp_path, deferred_search):
    db = tmp_path / "index.db"
    index = open_index(db)
    index.deferred_search = deferred_search  # as in a crawl: the shadows are left to the search worker
    index.start_run("run-1", "portal", "2026-11-20T02:00:00Z")
    boundaries = CommitBoundaries(index.db.conn, db)
    try:
        column = located(make_capture(1, url="http://127.0.0.1:9/xxgk/tzgg/"))
        index.save_capture(column)
        account = Account(id="website:http://127.0.0.1:9/xxgk/tzgg/", platform="website",
                          platform_id="http://127.0.0.1:9/xxgk/tzgg/", capture_id=column.id, seen_at=T0,
                          name="通知公告", authoritative=True)
        index.save_account(account)
        post = Post(id="website:t1", account_id=account.id, platform="website", capture_id=column.id, seen_at=T0,
                    url="http://127.0.0.1:9/xxgk/tzgg/t20261101_1.html", title="关于关停政务新媒体的公告")
        index.save_post(post)  # listed
        article = located(make_capture(2, url=post.url, body="<html>关停</html>".encode()))
        index.save_capture(article)
        post.capture_id, post.seen_at, post.state, post.authoritative = article.id, T0 + timedelta(hours=1), "ok", True
        post.text = "本公众号将于2026年12月1日起停止更新。"
        index.save_post(post)  # its own page: an update
        account.seen_at, account.description = T0 + timedelta(hours=2), "云岚市人民政府通知公告"
        index.save_account(account)  # met again
        boundaries.check("at the end")
        queued = index.db.execute("select count(*) from search_queue").fetchone()[0]
        assert bool(queued) is deferred_search
        index.drain_search()  # the worker's (or the crawl's last) step
        found = index.db.execute("select rowid from posts_fts where posts_fts match ?", [cjk_escape_fts("停止更新")])
        assert found.fetchall() and not index.db.execute("select count(*) from search_queue").fetchone()[0]
    finally:
        boundaries.close()
        index.close()
    assert boundaries.states >= 5, "the reader saw too few commits to judge"
    assert boundaries.problems == []


def test_recording_notices_again_never_hides_them(tmp_path):
    from govarchive.closure.notices import record_notices
    from govarchive.demo.content import CLOSURE_NOTICE_PATH, NOTICES_BY_PATH

    notice = NOTICES_BY_PATH[CLOSURE_NOTICE_PATH]
    db = tmp_path / "index.db"
    index = open_index(db)
    try:
        index.start_run("run-1", "portal", "2026-11-20T02:00:00Z")
        page = located(make_capture(1, url="http://127.0.0.1:9" + CLOSURE_NOTICE_PATH))
        index.save_capture(page)
        column = "website:http://127.0.0.1:9/xxgk/tzgg/"
        index.save_account(Account(id=column, platform="website", platform_id=column[8:], capture_id=page.id,
                                   seen_at=T0, name="通知公告", authoritative=True))
        index.save_post(Post(id="website:notice", account_id=column, platform="website", capture_id=page.id,
                             seen_at=T0, url=page.url, title=notice.title, text="\n".join(notice.paragraphs),
                             published_at=notice.published.isoformat(), state="ok", authoritative=True))
        record_notices(index, "1", [], "2026-11-20T03:00:00Z")
        counts = "select (select count(*) from notices), (select count(*) from migrations)"
        recorded = index.db.execute(counts).fetchone()
        assert recorded[0] >= 1 and recorded[1] >= 3, "the demo's closure notice names five accounts"

        def nothing_hidden(reader: sqlite3.Connection) -> list[str]:
            now = reader.execute(counts).fetchone()
            return [f"notices, migrations: {now}, was {recorded}"] if any(map(int.__lt__, now, recorded)) else []

        boundaries = CommitBoundaries(index.db.conn, db, nothing_hidden)
        try:
            record_notices(index, "1", [], "2026-11-21T03:00:00Z")  # the next run's analysis: the same notice
            boundaries.check("at the end")
        finally:
            boundaries.close()
    finally:
        index.close()
    assert boundaries.states >= 2
    assert boundaries.problems == []
