"""kill -9 in the middle of a crawl loses nothing already archived; the next run repairs the file.

Besides fixed kills, crawls of the whole demo web are killed at random points: 3 trials in the default
run, 20 more in the soak run (``make soak``, marker ``soak``; ``GOVARCHIVE_KILL_TRIALS`` changes how many);
the seed is in every assertion message and ``GOVARCHIVE_KILL_SEED`` replays it,
and one kill is followed by a simulated power loss (the open file cut at a random earlier byte).
After each, the next crawl must leave an archive ``govarchive verify`` passes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import crawl, rows
from warcio.archiveiterator import ArchiveIterator

from govarchive.demo.content import EXPECTED, MP_DEMO_COOKIE, MP_DEMO_TOKEN
from govarchive.warc.verify import verify_archive

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
TRIALS = 3  # in the default run
SOAK_TRIALS = int(os.environ.get("GOVARCHIVE_KILL_TRIALS") or 20)  # in the soak run, after those
SEED = int(os.environ.get("GOVARCHIVE_KILL_SEED") or random.SystemRandom().randrange(2**32))


def start_crawl(base_url: str, archive: Path, delay: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"url={base_url}/xxgk/xmt/,{base_url}/xxgk/tzgg/",
         "-s", f"GOVARCHIVE_ARCHIVE_DIR={archive}", "-s", f"DOWNLOAD_DELAY={delay}", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "LOG_LEVEL=WARNING"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def indexed_captures(db: Path) -> list[tuple]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("select id, warc_file, warc_offset from captures").fetchall()
    except sqlite3.OperationalError:
        return []


def test_kill_9_mid_crawl_keeps_every_indexed_capture(demo_web, tmp_path):
    archive = tmp_path / "archive"
    crawl = start_crawl(demo_web.base_url, archive, "0.1")
    deadline = time.monotonic() + 60
    while len(indexed_captures(archive / "index.db")) < 12 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait()
    before = indexed_captures(archive / "index.db")
    assert len(before) >= 12
    assert list((archive / "warc").glob("*.warc.gz.open")), "the killed crawl should leave its file open"

    again = start_crawl(demo_web.base_url, archive, "0")
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr.decode()[-3000:]
    assert not list((archive / "warc").glob("*.open"))
    for capture_id, warc_file, offset in before:  # every capture indexed before the kill is still readable
        with open(archive / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == f"<{capture_id}>"
            record.content_stream().read()
    for path in (archive / "warc").glob("*.warc.gz"):
        check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)], capture_output=True)
        assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_closes_the_warc_and_the_run(demo_web, tmp_path, signum):
    """A scheduler's stop (SIGTERM) or Ctrl-C: in-flight responses finish, the WARC is closed and renamed
    from .open, the run is recorded as shut down, and every indexed capture is readable."""
    archive = tmp_path / "archive"
    crawl = start_crawl(demo_web.base_url, archive, "0.2")
    deadline = time.monotonic() + 60
    while len(indexed_captures(archive / "index.db")) < 8 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(crawl.pid, signum)
    _, stderr = crawl.communicate(timeout=120)
    assert "Traceback" not in stderr.decode(), stderr.decode()[-3000:]
    assert not list((archive / "warc").glob("*.open")), "the stopped crawl left its WARC open"
    with sqlite3.connect(archive / "index.db") as conn:
        runs = conn.execute("select status, finished_at from runs").fetchall()
    assert len(runs) == 1 and runs[0][0] == "fatal" and runs[0][1], runs  # the outcome of a shutdown: exit 1
    captures = indexed_captures(archive / "index.db")
    assert len(captures) >= 8
    for capture_id, warc_file, offset in captures:
        with open(archive / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            assert next(iter(ArchiveIterator(fh))).rec_headers.get_header("WARC-Record-ID") == f"<{capture_id}>"
    for path in (archive / "warc").glob("*.warc.gz"):
        check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)], capture_output=True)
        assert check.returncode == 0, check.stdout


# -- kills at random points, and a power loss -------------------------------------------------------
def start_demo_crawl(base_url: str, archive: Path) -> subprocess.Popen:
    """The crawl :func:`helpers.crawl` runs (the whole demo web), started in the background to be killed."""
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "portal", "-s", f"GOVARCHIVE_AS_OF={EXPECTED['today']}",
         "-a", "sources=govarchive/demo/sources.toml", "-a", f"base_url={base_url}",
         "-s", f"GOVARCHIVE_ARCHIVE_DIR={archive}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING",
         "-s", f"GOVARCHIVE_MP_TOKEN={MP_DEMO_TOKEN}", "-s", f"GOVARCHIVE_MP_COOKIE={MP_DEMO_COOKIE}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when(crawl_process: subprocess.Popen, ready, why: str) -> None:
    """SIGKILL the crawl as soon as ``ready()`` holds; it must still be running then."""
    deadline = time.monotonic() + 60
    while not ready() and crawl_process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert crawl_process.poll() is None, f"the crawl ended before {why} (seed {SEED})"
    os.kill(crawl_process.pid, signal.SIGKILL)
    crawl_process.wait()


def count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or busy for an instant
        return 0


def assert_readable(archive: Path, captures: list[tuple], why: str) -> None:
    for capture_id, warc_file, offset in captures:
        with open(archive / "warc" / warc_file, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == f"<{capture_id}>", why
            record.content_stream().read()


def assert_recovered(archive: Path, why: str) -> None:
    """The crawl after the kill finished and left a whole, consistent archive."""
    report = verify_archive(archive)
    assert report.ok, why + "\n" + "\n".join(report.lines())
    assert not list((archive / "warc").glob("*.open")), why
    db = archive / "index.db"
    statuses = [status for (status,) in rows(db, "select status from runs order by started_at")]
    assert statuses[-2:] == ["killed", "success"], (why, statuses)
    assert rows(db, "select count(*) from posts where state = 'listed'") == [(0,)], why  # every post fetched


@pytest.mark.parametrize("trial", [
    *range(TRIALS), *(pytest.param(trial, marks=pytest.mark.soak) for trial in range(TRIALS, TRIALS + SOAK_TRIALS))])
def test_a_crawl_killed_at_a_random_point_is_recovered_by_the_next(demo_web, demo_archive, tmp_path, trial):
    """Odd trials kill a second crawl of an archive (revisits, known posts), even ones a first crawl."""
    rng = random.Random(SEED + trial)
    archive = tmp_path / "archive"
    if trial % 2:
        shutil.copytree(demo_archive, archive)
    baseline = count(archive / "index.db", "select count(*) from captures")
    target = baseline + rng.randint(1, 70 if trial % 2 else 125)
    why = f"seed {SEED}, trial {trial}: killed after {target - baseline} captures of the run"
    kill_when(start_demo_crawl(demo_web.base_url, archive),
              lambda: count(archive / "index.db", "select count(*) from captures") >= target, why)
    before = indexed_captures(archive / "index.db")
    assert list((archive / "warc").glob("*.warc.gz.open")), why

    crawl(demo_web.base_url, archive)
    assert_recovered(archive, why)
    assert_readable(archive, before, why)  # a kill -9 loses nothing the index held
    assert rows(archive / "index.db", "select count(*) from lost_captures") == [(0,)], why


def test_a_power_loss_after_a_kill_loses_the_tail_and_the_next_crawl_fetches_it_again(demo_web, tmp_path):
    rng = random.Random(SEED)
    archive, db = tmp_path / "archive", tmp_path / "archive" / "index.db"
    posts = rng.randint(1, 20)
    why = f"seed {SEED}: killed after {posts} archived posts"
    kill_when(start_demo_crawl(demo_web.base_url, archive),
              lambda: count(db, "select count(*) from posts where state = 'ok'") >= posts, why)
    [open_file] = list((archive / "warc").glob("*.warc.gz.open"))
    name = open_file.name[: -len(".open")]
    captures = rows(db, "select id, warc_offset, warc_length from captures where warc_file = ? order by warc_offset",
                    name)
    archived = rows(db, "select c.warc_offset from posts p join captures c on c.id = p.archived_capture_id "
                        "where p.state = 'ok' and c.warc_file = ?", name)
    # the disk kept only the file's first bytes: the cut falls at or before the last archived post's record
    cut = rng.randint(captures[0][1], max(offset for (offset,) in archived))
    with open(open_file, "r+b") as fh:
        fh.truncate(cut)
    why += f", file cut at byte {cut}"
    lost = {capture_id for capture_id, offset, length in captures if offset + length > cut}
    posts_before = rows(db, "select id, state, capture_id, archived_capture_id from posts")
    # posts whose archived copy was in the lost part (a first crawl has no older copy): fetched again. (A post
    # the index holds as ok without an archived copy, which a race in the index's merge can leave, counts too.)
    requeued = {post_id for post_id, state, capture_id, archived_id in posts_before
                if state == "ok" and (archived_id in lost or (archived_id is None and capture_id in lost))}
    # posts whose error page (deleted, migrated) was lost keep their state
    kept = {post_id: state for post_id, state, capture_id, _ in posts_before
            if state not in ("ok", "listed") and capture_id in lost}
    survivors = [(capture_id, name, offset) for capture_id, offset, length in captures if capture_id not in lost]
    assert requeued, why

    crawl(demo_web.base_url, archive)
    assert_recovered(archive, why)
    assert_readable(archive, survivors, why)
    assert {r[0] for r in rows(db, "select capture_id from lost_captures where reason = 'torn tail'")} == lost, why
    stats = json.loads(rows(db, "select stats from runs where status = 'success'")[0][0])
    assert stats["govarchive/recovery/lost_captures"] == len(lost), why
    assert stats["govarchive/recovery/requeued_posts"] == len(requeued), why
    again = rows(db, "select id from runs where status = 'success'")[0][0]
    for post_id in requeued:  # archived again by the crawl after the loss (coalesce: the index's merge race above)
        assert rows(db, "select p.state, c.run_id from posts p join captures c "
                        "on c.id = coalesce(p.archived_capture_id, p.capture_id) where p.id = ?", post_id) == [
            ("ok", again)], (why, post_id)
    assert {post_id for (post_id,) in rows(db, "select row_id from status_history where new_status = 'listed' "
                                               "and reason like '%torn tail%'")} == requeued, why
    for post_id, state in kept.items():
        assert rows(db, "select state from posts where id = ?", post_id) == [(state,)], (why, post_id)
