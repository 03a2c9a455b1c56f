"""Distributed runs on a real Redis (Debian's redis-server on a free loopback port) and the demo web.

Two workers share one frontier and one dupefilter: no URL is fetched twice, payloads are claimed
atomically (one response record per payload across workers), and ``govarchive merge`` of their
folders gives the same accounts, posts, closures and watermarks as a single-worker crawl, however
often it is run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers import ROOT, assert_same_pages, crawl_command, free_port, make_capture, rows

from govarchive.core.config import archive_config
from govarchive.crawl.distributed import RedisKnownPosts, RedisPayloads
from govarchive.warc.lock import ArchiveBusy, hold
from govarchive.warc.merge import MergeError, combine_stats, merge
from govarchive.warc.verify import verify_archive

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private Redis server for this module: no disk writes, loopback only."""
    if REDIS_SERVER is None:
        if os.environ.get("GOVARCHIVE_E2E") == "require":
            raise AssertionError("redis-server is not installed: run `make test` (it installs Debian's redis-server)")
        pytest.skip("redis-server is not installed (make test installs it)")
    import redis

    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            threading.Event().wait(0.05)
    else:
        server.kill()
        raise AssertionError("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def worker_settings(redis_url: str, run_id: str, worker: str, prefix: str) -> list[str]:
    return [f"GOVARCHIVE_REDIS_URL={redis_url}", f"GOVARCHIVE_RUN_ID={run_id}", f"GOVARCHIVE_WORKER={worker}",
            f"GOVARCHIVE_REDIS_PREFIX={prefix}", "GOVARCHIVE_WORKER_TIMEOUT=10",
            # slow enough that both workers take part in a crawl of the small demo web
            "DOWNLOAD_DELAY=0.03", "RANDOMIZE_DOWNLOAD_DELAY=False"]


def run_workers(base_url: str, folders: list[Path], redis_url: str, run_id: str, prefix: str) -> list[str]:
    processes = [subprocess.Popen(crawl_command(base_url, folder,
                                                *worker_settings(redis_url, run_id, folder.name, prefix)),
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for folder in folders]
    logs = []
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr[-4000:]
        assert "Traceback" not in stderr, stderr[-4000:]
        logs.append(stderr)
    return logs


# What a crawl found, without what differs by design between runs: ids of captures and runs, times of
# fetching, and which of several pages of an account happened to be fetched last.
COMPARED = {
    "accounts": "select id, platform, platform_id, name, alias, agency, region, url, followers, description, status, "
                "status_reason, risk, moved_to, last_post_at, original_id from accounts",
    "posts": "select id, account_id, platform, url, title, author, published_at, text, state, content_digest, kind, "
             "summary, cover_url, source_url, media, attributes, moved_to, moved_to_url, clean_text from posts",
    "notices": "select account_id, post_id, kind, announced_at, effective_at, excerpt, is_report, named_as, "
               "named_platform from notices",
    "claims": "select account_id, post_id, source, kind, claimed_at, effective_at, excerpt, named_as, named_platform, "
              "named_agency, confidence from claims",
    "migrations": "select from_account_id, target_name, target_platform, target_url, target_account_id, scope, "
                  "evidence, confidence, is_class, resolved_by, source from migrations",
    "status_history": "select table_name, row_id, old_status, new_status, reason from status_history",
    "watermarks": "select account_id, last_post_id, last_post_at from watermarks",
    "failed_windows": "select account_id, since, ok_pages, failed_pages from failed_windows",
    "account_checks_failed": "select account_id, failed_pages from account_checks",
    "account_aliases": "select alias_id, account_id from account_aliases",
    # a browser's renderings (DOM snapshots, screenshots) are taken at a moment: not the same bytes twice
    "payloads": "select distinct payload_digest from captures where record_type != 'resource'",
}


def snapshot(db: Path) -> dict[str, list]:
    return {name: sorted(rows(db, sql), key=repr) for name, sql in COMPARED.items()}


@pytest.fixture(scope="module")
def distributed_run(demo_web, redis_url, tmp_path_factory):
    """Two workers crawl the demo web as one run; their folders are merged into one archive."""
    base = tmp_path_factory.mktemp("distributed")
    folders = [base / "worker-a", base / "worker-b"]
    logs = run_workers(demo_web.base_url, folders, redis_url, "demo-run-1", "t-two")
    archive = base / "archive"
    report = merge(folders, archive)
    return {"folders": folders, "archive": archive, "db": archive / "index.db", "report": report, "logs": logs}


def test_two_workers_fetch_no_url_twice_and_both_work(distributed_run):
    fetched = Counter()
    for folder in distributed_run["folders"]:
        urls = [u for (u,) in rows(folder / "index.db", "select url from captures")]
        assert urls, f"{folder.name} fetched nothing: the frontier was not shared"
        fetched.update(urls)
    twice = [url for url, n in fetched.items() if n > 1]
    assert not twice, twice
    assert fetched[next(u for u in fetched if u.endswith("/robots.txt"))] == 1  # robots.txt shared too


def test_merged_index_equals_a_single_worker_crawl(distributed_run, demo_archive):
    merged, single = snapshot(distributed_run["db"]), snapshot(demo_archive / "index.db")
    for table in COMPARED:
        assert merged[table] == single[table], table
    # The pages: the same URLs, except that a post reached by two links (a temporary link and its
    # permanent one) may be fetched by either, whichever the race between workers lets through first.
    assert_same_pages(distributed_run["db"], demo_archive / "index.db")
    runs = rows(distributed_run["db"], "select id, status, finished_at is not null from runs")
    assert runs == [("demo-run-1", "success", 1)]  # the outcome of its worst worker
    workers = rows(distributed_run["db"], "select worker, status, captures from run_workers order by worker")
    assert [(w, s) for w, s, _ in workers] == [("worker-a", "success"), ("worker-b", "success")]
    assert sum(n for *_, n in workers) == len(rows(distributed_run["db"], "select id from captures"))


def test_payloads_are_stored_once_across_workers(distributed_run):
    db = distributed_run["db"]
    responses = Counter(d for (d,) in rows(db, "select payload_digest from captures where record_type = 'response'"))
    assert responses and max(responses.values()) == 1, [d for d, n in responses.items() if n > 1]
    orphans = rows(db, "select r.id from captures r left join captures o on o.id = r.refers_to "
                       "where r.record_type = 'revisit' and (o.id is null or o.payload_digest != r.payload_digest)")
    assert orphans == []


def test_merge_again_changes_nothing(distributed_run):
    db = distributed_run["db"]
    tables = ["accounts", "posts", "captures", "runs", "notices", "migrations", "status_history", "changes",
              "watermarks", "account_checks"]
    before = {t: rows(db, f"select * from {t} order by rowid") for t in tables}
    report = merge(distributed_run["folders"], distributed_run["archive"])
    assert (report.files_copied, report.files_read, report.captures) == (0, 0, 0)
    assert report.runs_analysed == []
    assert {t: rows(db, f"select * from {t} order by rowid") for t in tables} == before


def test_merged_archive_is_complete(distributed_run):
    """Every capture row of the merged index reads back its own record from the merged WARC folder."""
    from govarchive.warc.reader import read_http_record

    warc = distributed_run["archive"] / "warc"
    names = {p.name for p in warc.glob("*.warc.gz")}
    assert names == {p.name for f in distributed_run["folders"] for p in (f / "warc").glob("*.warc.gz")}
    assert all("-worker-" in name for name in names)  # a worker's files carry its name
    for capture_id, name, offset, kind in rows(distributed_run["db"],
                                               "select id, warc_file, warc_offset, record_type from captures"):
        status, _, _ = read_http_record(warc / name, offset)
        assert status or kind == "resource", capture_id  # a browser's rendering has no HTTP status


def test_a_later_worker_finds_the_run_done(distributed_run, demo_web, redis_url, tmp_path):
    """A worker that starts after the others finished fetches nothing of that run again."""
    late = tmp_path / "worker-c"
    run_workers(demo_web.base_url, [late], redis_url, "demo-run-1", "t-two")
    assert rows(late / "index.db", "select url from captures") == []


def test_run_keys_expire_but_archive_keys_stay(distributed_run, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    run_keys = list(client.scan_iter(match="t-two:run:demo-run-1:*"))
    assert run_keys and all(0 < client.ttl(key) <= 7 * 86400 for key in run_keys)
    archive_keys = [k for k in client.scan_iter(match="t-two:*") if b":run:" not in k]
    assert archive_keys and all(client.ttl(key) == -1 for key in archive_keys)  # payloads, known posts


def test_payload_claims_are_atomic(redis_url):
    import redis

    config = archive_config({"GOVARCHIVE_REDIS_URL": redis_url, "GOVARCHIVE_RUN_ID": "r",
                             "GOVARCHIVE_WORKER": "w", "GOVARCHIVE_REDIS_PREFIX": "t-claims"})
    results: list = []
    start = threading.Barrier(16)

    def claim(n: int) -> None:
        registry = RedisPayloads(redis.Redis.from_url(redis_url), config)
        capture = make_capture(n, url=f"http://127.0.0.1:9/{n}", body=b"the same payload" * 10)
        start.wait()
        results.append((capture.id, registry.claim(capture)))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [cid for cid, original in results if original is None]
    assert len(winners) == 1
    assert {original.capture_id for _, original in results if original is not None} == {winners[0]}


def test_a_post_is_claimed_once_per_run(redis_url):
    import redis

    settings = {"GOVARCHIVE_REDIS_URL": redis_url, "GOVARCHIVE_WORKER": "w", "GOVARCHIVE_REDIS_PREFIX": "t-posts"}
    first = RedisKnownPosts(redis.Redis.from_url(redis_url), archive_config({**settings, "GOVARCHIVE_RUN_ID": "r1"}))
    second = RedisKnownPosts(redis.Redis.from_url(redis_url), archive_config({**settings, "GOVARCHIVE_RUN_ID": "r2"}))
    assert first.claim("wechat:1:1") and not first.claim("wechat:1:1")
    assert second.claim("wechat:1:1")  # a new run may fetch it again (to see it vanish)
    assert "wechat:1:1" not in first
    first.add("wechat:1:1")
    assert "wechat:1:1" in second  # archived posts are known to every later run


@pytest.mark.parametrize("settings, message", [
    ({"GOVARCHIVE_REDIS_URL": "redis://127.0.0.1:1/0", "GOVARCHIVE_WORKER": "a"}, "GOVARCHIVE_RUN_ID"),
    ({"GOVARCHIVE_REDIS_URL": "redis://127.0.0.1:1/0", "GOVARCHIVE_RUN_ID": "r"}, "GOVARCHIVE_WORKER"),
    ({"GOVARCHIVE_REDIS_URL": "127.0.0.1:6379", "GOVARCHIVE_RUN_ID": "r", "GOVARCHIVE_WORKER": "a"}, "redis://"),
    ({"GOVARCHIVE_RUN_ID": "../etc"}, "GOVARCHIVE_RUN_ID"),
])
def test_worker_settings_are_checked(settings, message):
    with pytest.raises(ValueError, match=message):
        archive_config(settings)


def test_a_worker_without_redis_stops_with_one_clear_line(demo_web, tmp_path):
    port = free_port()  # nothing listens there
    cmd = crawl_command(demo_web.base_url, tmp_path / "w", *worker_settings(f"redis://127.0.0.1:{port}/0", "r", "w", "x"))
    result = subprocess.run([str(Path(sys.executable).parent / "govarchive"), "crawl", "portal",
                             "--archive-dir", str(tmp_path / "w"), *cmd[cmd.index("-s"):]],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"cannot reach Redis at redis://127.0.0.1:{port}/0" in result.stderr + result.stdout


def test_merge_refuses_a_conflicting_file_and_a_running_worker(distributed_run, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(distributed_run["archive"], archive)
    shard = tmp_path / "worker-z"
    (shard / "warc").mkdir(parents=True)
    clash = next((archive / "warc").glob("*.warc.gz")).name
    (shard / "warc" / clash).write_bytes(b"not the same file")
    before = rows(archive / "index.db", "select count(*) from captures")
    with pytest.raises(MergeError, match="different"):
        merge([shard], archive)
    assert rows(archive / "index.db", "select count(*) from captures") == before
    (shard / "warc" / clash).unlink()
    with hold(shard, "crawl", "demo-run-9"), pytest.raises(ArchiveBusy):
        merge([shard], archive)


def test_a_worker_killed_mid_crawl_is_repaired_and_merged(demo_web, redis_url, tmp_path):
    """kill -9 of one worker leaves its WARC file .open; the merge repairs it first, as the worker's next run
    would, and loses nothing the killed worker had indexed."""
    folders = [tmp_path / "worker-a", tmp_path / "worker-b"]
    log = open(tmp_path / "worker-b.log", "w")  # noqa: SIM115 (the worker writes it while it runs)
    workers = [subprocess.Popen(crawl_command(demo_web.base_url, folder, *worker_settings(
                   redis_url, "demo-run-kill", folder.name, "t-kill"), "LOG_LEVEL=WARNING"),
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log if folder.name == "worker-b" else subprocess.DEVNULL)
               for folder in folders]
    killed, survivor = workers
    deadline = time.monotonic() + 120

    def indexed() -> int:
        try:
            return rows(folders[0] / "index.db", "select count(*) from captures")[0][0]
        except sqlite3.OperationalError:  # not created yet
            return 0

    while indexed() < 8 and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert killed.poll() is None, "worker-a ended before it could be killed"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    before = {capture_id for (capture_id,) in rows(folders[0] / "index.db", "select id from captures")}
    assert list((folders[0] / "warc").glob("*.warc.gz.open")), "the killed worker should leave its file open"
    assert survivor.wait(timeout=300) == 0, (tmp_path / "worker-b.log").read_text()[-3000:]
    log.close()

    report = merge(folders, tmp_path / "archive")
    assert report.recovered and all(name.startswith("worker-a/warc/") for name in report.recovered)
    assert report.errors == []
    merged = {capture_id for (capture_id,) in rows(tmp_path / "archive" / "index.db", "select id from captures")}
    assert before <= merged  # every capture the killed worker had indexed is in the merged archive
    statuses = dict(rows(tmp_path / "archive" / "index.db", "select worker, status from run_workers"))
    assert statuses["worker-a"] == "killed" and statuses["worker-b"] == "success", statuses
    report = verify_archive(tmp_path / "archive")
    assert report.ok, report.lines()


def test_run_stats_of_workers_add_up():
    stats = combine_stats([json.dumps({"downloader/request_count": 3, "start_time": "2026-11-20T01:00:00",
                                       "finish_time": "2026-11-20T01:10:00", "finish_reason": "finished"}),
                           json.dumps({"downloader/request_count": 4, "start_time": "2026-11-20T00:59:00",
                                       "finish_time": "2026-11-20T01:12:00", "finish_reason": "finished"})])
    assert stats["downloader/request_count"] == 7
    assert (stats["start_time"], stats["finish_time"]) == ("2026-11-20T00:59:00", "2026-11-20T01:12:00")
    assert stats["workers"] == 2
