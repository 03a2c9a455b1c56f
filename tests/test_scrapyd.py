"""Scheduling through a real Scrapyd on loopback: scrapyd-deploy with scrapy.cfg's target, schedule.json,
listjobs.json, cancel.json; an overlapping job is refused by the archive's lock (docs/scheduling.md)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import free_port

from govarchive.warc.lock import holder_of

ROOT = Path(__file__).resolve().parents[1]
DEMO_SOURCES = ROOT / "govarchive" / "demo" / "sources.toml"
BIN = Path(sys.executable).absolute().parent
INSTALLED = (BIN / "scrapyd").exists() and (BIN / "scrapyd-deploy").exists()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not INSTALLED, reason="scrapyd and scrapyd-client are not "
                                                   "installed (pip install -e '.[test]')")]


def api(base: str, endpoint: str, **fields: str | list[str]) -> dict:
    data = urllib.parse.urlencode(fields, doseq=True).encode() if fields else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=data, timeout=30) as response:
        answer = json.load(response)
    assert answer["status"] == "ok", answer
    return answer


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\n"
        f"logs_dir = {home}/logs\ndbs_dir = {home}/dbs\nitems_dir =\nmax_proc = 2\npoll_interval = 0.2\n")
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            api(base, "daemonstatus.json")
            break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "scrapyd did not start"
            time.sleep(0.2)
    try:
        yield base, home
    finally:
        server.terminate()
        server.wait(timeout=30)


def deploy(base: str, tmp_path: Path) -> None:
    """scrapyd-deploy from a copy of the project whose scrapy.cfg target points at the test's Scrapyd (it
    writes a setup.py of its own on first use, which must not land in the repository)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".venv", ".git", "archive", "tests", "*.egg-info", ".pytest_cache", ".ruff_cache", "build",
        "__pycache__", "setup.py"))
    cfg = (project / "scrapy.cfg").read_text()
    assert "url = http://localhost:6800/" in cfg and "project = govarchive" in cfg
    (project / "scrapy.cfg").write_text(cfg.replace("http://localhost:6800/", f"{base}/"))
    result = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=project, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0 and '"status": "ok"' in result.stdout, result.stdout + result.stderr
    assert api(base, "listspiders.json?project=govarchive")["spiders"] == ["portal", "wechat", "weibo"]


def schedule(base: str, archive: Path, web: str, delay: str) -> str:
    settings = [f"GOVARCHIVE_ARCHIVE_DIR={archive}", f"DOWNLOAD_DELAY={delay}", "AUTOTHROTTLE_ENABLED=False",
                "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
    return api(base, "schedule.json", project="govarchive", spider="portal", sources=str(DEMO_SOURCES),
               base_url=web, setting=settings)["jobid"]


def wait_finished(base: str, *jobs: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not set(jobs) <= {job["id"] for job in api(base, "listjobs.json?project=govarchive")["finished"]}:
        assert time.monotonic() < deadline, api(base, "listjobs.json?project=govarchive")
        time.sleep(0.2)


def captures(archive: Path) -> int:
    try:
        with sqlite3.connect(archive / "index.db") as db:
            return db.execute("select count(*) from captures").fetchone()[0]
    except sqlite3.Error:
        return 0


def wait_holding(archive: Path, least: int = 0, timeout: float = 60) -> None:
    """Until a job holds the archive and archived ``least`` captures (it is well under way: a signal
    that comes before Scrapy's handlers are installed would kill it at once)."""
    deadline = time.monotonic() + timeout
    while holder_of(archive) is None or not (archive / "index.db").exists() or captures(archive) < least:
        assert time.monotonic() < deadline, "the job never took the archive's lock"
        time.sleep(0.05)


def test_deploy_schedule_overlap_and_cancel_through_scrapyd(scrapyd, demo_web, tmp_path):
    base, home = scrapyd
    deploy(base, tmp_path)
    archive = tmp_path / "archive"
    log = lambda job: (home / "logs" / "govarchive" / "portal" / f"{job}.log").read_text()  # noqa: E731

    first = schedule(base, archive, demo_web.base_url, "0.5")  # slow: still running when the second starts
    wait_holding(archive, least=2)
    run_id = holder_of(archive).run_id
    second = schedule(base, archive, demo_web.base_url, "0")
    wait_finished(base, second)
    refused = log(second)
    assert f"is in use by run {run_id} (crawl portal, pid " in refused
    assert "'finish_reason': 'locked'" in refused
    assert first in {job["id"] for job in api(base, "listjobs.json?project=govarchive")["running"]}

    api(base, "cancel.json", project="govarchive", job=first, signal="TERM")  # a graceful stop
    wait_finished(base, first)
    assert "'finish_reason': 'shutdown'" in log(first)
    assert not list(archive.glob("warc/*.open")) and list(archive.glob("warc/*.warc.gz"))
    assert holder_of(archive) is None
    with sqlite3.connect(archive / "index.db") as db:  # only the first job's run, closed
        assert db.execute("select id, status from runs").fetchall() == [(run_id, "fatal")]  # cancelled: exit 1
        assert db.execute("select distinct run_id from captures").fetchall() == [(run_id,)]
