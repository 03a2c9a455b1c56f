"""One writer per archive: a second crawl, reindex or import is refused while a run holds the archive,
and a lock a killed run left never blocks the next one."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govarchive.demo.content import EXPECTED, MP_DEMO_COOKIE, MP_DEMO_TOKEN
from govarchive.warc.lock import LOCK_FILE, ArchiveBusy, ArchiveLock, LockHolder, check_free, hold, holder_of

ROOT = Path(__file__).resolve().parents[1]
HOLDER = """
import sys
from govarchive.warc.lock import hold
lock = hold(sys.argv[1], "crawl portal", "20261121T223501Z-1a2b3c4d")
print("held", flush=True)
sys.stdin.read()
"""


def hold_in_another_process(archive: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(archive)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_holder_in_another_process_is_refused_with_who_and_the_fix(tmp_path):
    holder = hold_in_another_process(tmp_path)
    try:
        with pytest.raises(ArchiveBusy) as refused:
            hold(tmp_path, "reindex")
        message = str(refused.value)
        assert f"the archive {tmp_path} is in use by run 20261121T223501Z-1a2b3c4d" in message
        assert f"crawl portal, pid {holder.pid} on " in message and "started 20" in message
        assert "nothing was written" in message and f"kill {holder.pid}" in message
        assert "a killed run frees the archive by itself" in message
        assert holder_of(tmp_path).pid == holder.pid
        with pytest.raises(ArchiveBusy):
            check_free(tmp_path)
    finally:
        holder.communicate("")  # end of input: the holder exits, and the kernel frees the lock
    assert holder_of(tmp_path) is None
    with hold(tmp_path, "reindex") as lock:
        assert lock.held and json.loads(lock.path.read_text())["command"] == "reindex"


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path):
    holder = hold_in_another_process(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    left = json.loads((tmp_path / LOCK_FILE).read_text())
    assert left["pid"] == holder.pid  # the file still names the dead run: only informative
    lock = hold(tmp_path, "crawl portal", "next-run")
    try:
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()
        assert holder_of(tmp_path).run_id == "next-run"
    finally:
        lock.release()
    assert (tmp_path / LOCK_FILE).read_text() == "" and holder_of(tmp_path) is None


def test_two_holders_in_one_process_exclude_each_other(tmp_path):
    """flock belongs to an open file, not a process: two crawlers of one process cannot share an archive."""
    first = hold(tmp_path, "crawl portal", "run-1")
    try:
        with pytest.raises(ArchiveBusy) as refused:
            ArchiveLock(tmp_path, LockHolder.here("crawl weibo", "run-2")).acquire(wait=0)
        assert "run run-1" in str(refused.value)
    finally:
        first.release()
    ArchiveLock(tmp_path, LockHolder.here("crawl weibo", "run-2")).acquire().release()


def test_a_lock_dropped_without_release_frees_the_archive(tmp_path):
    """A crawler dropped before its engine stopped must not keep the archive until the process ends."""
    import gc
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the unclosed file is the point
        hold(tmp_path, "crawl portal", "dropped")
        gc.collect()
    assert holder_of(tmp_path) is None


def test_a_probe_writes_nothing_and_an_unreadable_holder_still_refuses(tmp_path):
    assert holder_of(tmp_path / "nowhere") is None and not (tmp_path / "nowhere").exists()
    (tmp_path / LOCK_FILE).write_text("not json")
    assert LockHolder.parse("not json") == LockHolder()
    assert LockHolder().describe() == "another run"
    assert LockHolder(pid=7, command="import").describe() == "`govarchive import` (pid 7)"


# -- a real crawl ---------------------------------------------------------------------------------
def demo_crawl(base_url: str, archive: Path, delay: str) -> list[str]:
    settings = [f"GOVARCHIVE_ARCHIVE_DIR={archive}", f"DOWNLOAD_DELAY={delay}", "AUTOTHROTTLE_ENABLED=False",
                "CONCURRENT_REQUESTS_PER_DOMAIN=8", "LOG_LEVEL=INFO", f"GOVARCHIVE_AS_OF={EXPECTED['today']}",
                f"GOVARCHIVE_MP_TOKEN={MP_DEMO_TOKEN}", f"GOVARCHIVE_MP_COOKIE={MP_DEMO_COOKIE}"]
    return [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "sources=govarchive/demo/sources.toml",
            "-a", f"base_url={base_url}", *[arg for setting in settings for arg in ("-s", setting)]]


def govarchive(*args: str) -> list[str]:
    return [sys.executable, "-m", "govarchive.cli", *args]


@pytest.mark.slow
def test_an_overlapping_run_is_refused_and_the_first_finishes_complete(demo_web, tmp_path):
    archive = tmp_path / "archive"
    first = subprocess.Popen(demo_crawl(demo_web.base_url, archive, "0.05"), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while (holder_of(archive) is None or not (archive / "index.db").exists()) and time.monotonic() < deadline:
        assert first.poll() is None, first.stderr.read()[-3000:]
        time.sleep(0.05)
    holder = holder_of(archive)
    assert holder is not None and holder.pid == first.pid and holder.command == "crawl portal"
    run_id = holder.run_id

    junk = tmp_path / "other.warc.gz"
    junk.write_bytes(b"not a warc")
    second = {  # all at once, while the first one runs
        "crawl": govarchive("crawl", "portal", "--url", demo_web.base_url, "--archive-dir", str(archive)),
        "scrapy": demo_crawl(demo_web.base_url, archive, "0"),
        "demo": govarchive("demo", "--port", "0", "--archive-dir", str(archive)),
        "reindex": govarchive("reindex", "--archive-dir", str(archive)),
        "import": govarchive("import", str(junk), "--archive-dir", str(archive)),
    }
    started = {name: subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for name, cmd in second.items()}
    results = {name: (proc.wait(timeout=120), *proc.communicate()) for name, proc in started.items()}
    assert first.poll() is None, "the first crawl ended before the others were refused: slow it down"

    refusal = f"is in use by run {run_id} (crawl portal, pid {first.pid} on "
    for name in ("crawl", "demo", "reindex", "import"):
        code, out, err = results[name]
        assert code == 73, (name, code, out, err)
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: the archive "), (name, err)
        assert refusal in lines[0], (name, err)
        assert "wait for it to end" in lines[0] and "Traceback" not in err
    code, _, err = results["scrapy"]  # plain Scrapy: one error line, the spider closed as "locked"
    assert code == 0 and "Traceback" not in err, err[-3000:]
    assert refusal in err and "Spider closed (locked)" in err, err[-3000:]
    assert "'finish_reason': 'locked'" in err, err[-3000:]

    _, err = first.communicate(timeout=300)
    assert first.returncode == 0 and "Traceback" not in err, err[-3000:]
    assert not list(archive.glob("warc/*.open")) and list(archive.glob("warc/*.warc.gz"))
    with sqlite3.connect(archive / "index.db") as db:
        assert db.execute("select id, status from runs").fetchall() == [(run_id, "success")]
        assert db.execute("select distinct run_id from captures").fetchall() == [(run_id,)]
        files = {row[0] for row in db.execute("select distinct warc_file from captures")}
    assert files == {path.name for path in archive.glob("warc/*.warc.gz")}
    assert not (archive / "index.db.rebuilding").exists()
    assert holder_of(archive) is None and (archive / LOCK_FILE).read_text() == ""
