"""``govarchive reindex`` in two phases (govarchive/warc/reindexing.py): the same rows whatever the number of
processes reading pages, an archive usable after the captures phase, progress told, and a reindex killed in
either phase going on where it stopped and ending with the rows of one that was never killed."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from govarchive.warc import reindexing
from govarchive.warc.reindexing import reindex

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("captures", "accounts", "posts", "account_sources", "runs", "changes", "notices", "claims", "migrations",
          "status_history", "account_checks", "fetch_failures", "watermarks", "account_aliases")
GOVARCHIVE = str(Path(sys.executable).with_name("govarchive"))


def tables(index_db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(index_db) as conn:
        return {name: sorted(conn.execute(f"select * from {name}").fetchall(), key=repr) for name in TABLES}


def progress_rows(index_db: Path) -> list[tuple]:
    with sqlite3.connect(index_db) as conn:
        return conn.execute("select phase, file, offset from reindex_progress").fetchall()


@pytest.fixture(scope="module")
def reference(demo_archive, tmp_path_factory) -> dict[str, list[tuple]]:
    """The rows of a reindex read by this process alone (no worker process)."""
    copy = tmp_path_factory.mktemp("reference") / "archive"
    shutil.copytree(demo_archive, copy)
    report = reindex(copy, processes=1)
    assert not report.errors
    assert [p.name for p in report.phases] == ["captures", "pages", "analysis", "search"]
    return tables(copy / "index.db")


@pytest.fixture
def archive(demo_archive, tmp_path) -> Path:
    copy = tmp_path / "archive"
    shutil.copytree(demo_archive, copy)
    return copy


def test_worker_processes_give_the_rows_one_process_gives(archive, reference):
    told: list[str] = []
    report = reindex(archive, processes=3, tell=told.append)
    assert not report.errors and report.processes == 3
    assert tables(archive / "index.db") == reference
    assert progress_rows(archive / "index.db") == []  # a finished reindex leaves no mark
    assert report.captures == len(reference["captures"])


def test_progress_is_told_as_the_phases_go(archive, monkeypatch):
    monkeypatch.setattr(reindexing, "TELL_EVERY", 0.0)
    told: list[str] = []
    reindex(archive, processes=1, tell=told.append)
    assert any(line.startswith("captures: ") and "%" in line for line in told), told
    assert any(line.startswith("pages: ") and "%" in line for line in told), told
    assert any("can be browsed and verified" in line for line in told), told


KILL = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from govarchive.warc import archiver, reindexing
    reindexing.COMMIT_EVERY = 7
    phase, after = sys.argv[2], int(sys.argv[3])
    calls = 0
    original = archiver.Archiver.store_reading if phase == "pages" else archiver.Archiver.store
    def dying(self, *args, **kwargs):
        global calls
        calls += 1
        if calls > after:
            os._exit(9)  # as a kill -9: nothing closed, nothing committed
        return original(self, *args, **kwargs)
    setattr(archiver.Archiver, "store_reading" if phase == "pages" else "store", dying)
    reindexing.reindex(Path(sys.argv[1]), processes=2)
""")


def killed_reindex(archive: Path, phase: str, after: int) -> None:
    done = subprocess.run([sys.executable, "-c", KILL, str(archive), phase, str(after)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 9, done.stderr[-2000:]


def test_a_reindex_killed_in_the_pages_phase_leaves_a_usable_archive_and_goes_on(archive, reference):
    killed_reindex(archive, "pages", 60)
    index_db = archive / "index.db"
    [(phase, file, offset)] = progress_rows(index_db)
    assert phase == "pages" and file and offset > 0  # committed part of the way
    with sqlite3.connect(index_db) as conn:  # every capture is in: the archive can be browsed and verified
        assert conn.execute("select count(*) from captures").fetchone()[0] == len(reference["captures"])
        assert conn.execute("select count(*) from posts").fetchone()[0] < len(reference["posts"])
    verify = subprocess.run([GOVARCHIVE, "verify", "--archive-dir", str(archive)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    status = subprocess.run([GOVARCHIVE, "status", "--archive-dir", str(archive)], capture_output=True, text=True)
    assert "a reindex stopped before reading every page" in status.stdout, status.stdout

    again = subprocess.run([GOVARCHIVE, "reindex", "--archive-dir", str(archive)], capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "pages phase" in again.stdout and "resumed at" in again.stdout and "captures phase" not in again.stdout
    assert "Traceback" not in again.stderr
    assert progress_rows(index_db) == []
    assert tables(index_db) == reference


def test_a_crawl_refuses_an_archive_whose_reindex_is_unfinished(archive, demo_web):
    killed_reindex(archive, "pages", 30)
    before = tables(archive / "index.db")
    refused = subprocess.run([GOVARCHIVE, "crawl", "portal", "--url", demo_web.base_url, "--archive-dir", str(archive)],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 73, refused.stderr[-3000:]
    assert "run `govarchive reindex` to finish it" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert tables(archive / "index.db") == before  # nothing written


def test_a_reindex_killed_in_the_captures_phase_keeps_the_old_index_and_goes_on(archive, reference):
    before = tables(archive / "index.db")
    killed_reindex(archive, "captures", 40)
    assert tables(archive / "index.db") == before  # the old index is untouched until the new one is whole
    [(phase, file, offset)] = progress_rows(archive / "index.db.rebuilding")
    assert phase == "captures" and file and offset > 0
    report = reindex(archive, processes=2)
    assert report.phases[0].name == "captures" and report.phases[0].resumed
    assert not report.errors
    assert not (archive / "index.db.rebuilding").exists()
    assert tables(archive / "index.db") == reference


def test_restart_starts_over(archive, reference):
    killed_reindex(archive, "pages", 30)
    report = reindex(archive, processes=1, restart=True)
    assert [p.name for p in report.phases] == ["captures", "pages", "analysis", "search"]
    assert not any(p.resumed for p in report.phases)
    assert tables(archive / "index.db") == reference
