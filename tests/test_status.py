"""`govarchive status`: what the archive holds and what needs attention, as tables and as JSON."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from helpers import one, rows

from govarchive.browse.summary import summarize
from govarchive.cli import cli

pytestmark = pytest.mark.slow  # the demo_archive fixture crawls the demo web once per session


def status(archive, *args: str):
    result = CliRunner().invoke(cli, ["status", "--archive-dir", str(archive), *args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def test_status_shows_accounts_runs_files_closures(demo_archive):
    output = status(demo_archive).output
    db = demo_archive / "index.db"
    for title in ("Accounts by platform and status", "Last runs", "Closures and migrations"):
        assert title in output
    for platform, _count in rows(db, "select platform, count(*) from accounts group by platform"):
        assert platform in output
    run_id, captures = one(db, "select r.id, count(c.id) from runs r join captures c on c.run_id = r.id "
                               "group by r.id")
    run_line = next(line for line in output.splitlines() if line.startswith(run_id))
    assert run_line.split()[-2:] == ["success", str(captures)]
    assert f"{one(db, 'select count(*) from accounts')[0]} accounts" in output
    assert "\x1b[" not in output  # not a terminal: plain text


def test_status_json_is_the_same_data(demo_archive):
    data = json.loads(status(demo_archive, "--json").output)
    db = demo_archive / "index.db"
    assert data["accounts"] == one(db, "select count(*) from accounts")[0]
    cross = {(status, platform): n for status, by_platform in data["accounts_by_status_platform"].items()
             for platform, n in by_platform.items()}
    assert cross == {(s, p): n for s, p, n in rows(
        db, "select coalesce(status, 'unknown'), platform, count(*) from accounts group by 1, 2")}
    assert sum(cross.values()) == data["accounts"]
    [run] = data["last_runs"]
    assert run["status"] == "success" and run["finished_at"]
    assert run["captures"] == data["captures"] == one(db, "select count(*) from captures")[0]
    warcs = sorted((demo_archive / "warc").glob("*.warc.gz"))
    assert data["warc_files"] == len(warcs) and data["warc_bytes"] == sum(p.stat().st_size for p in warcs)
    assert sum(data["notices_by_kind"].values()) == data["notices"] > 0
    assert data["migrations_resolved"] + data["migrations_unresolved"] == data["migrations"] > 0
    problems = data["problems"]
    assert problems["unfinished_runs"] == [] and problems["open_warc_files"] == []
    blocked = one(db, "select count(*) from captures where page_state = 'blocked'")[0]
    assert problems["blocked_last_run"] == blocked
    assert data == json.loads(json.dumps(summarize(demo_archive).to_dict()))  # one gatherer


def test_status_reports_problems(demo_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_archive, archive)
    # a killed run that started after every run of the demo archive, whatever day the tests run on
    with sqlite3.connect(archive / "index.db") as conn:
        newest = conn.execute("select max(started_at) from runs").fetchone()[0]
    started = datetime.strptime(newest[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(days=1)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-deadbeef"
    open_file = f"govarchive-{started:%Y%m%d%H%M%S}000-00000-host.warc.gz.open"
    (archive / "warc" / open_file).write_bytes(b"partial")
    with sqlite3.connect(archive / "index.db") as conn:
        conn.execute("insert into runs (id, spider, started_at, status) values (?, 'portal', ?, 'running')",
                     [run_id, started.strftime("%Y-%m-%dT%H:%M:%S.000000Z")])
        conn.execute("update captures set page_state = 'parse_error' "
                     "where id = (select min(id) from captures)")
        conn.execute("update captures set page_state = 'unparsed' where id = (select max(id) from captures)")
        conn.execute("update accounts set status = 'unreachable' where id = (select min(id) from accounts)")
    conn.close()

    output = " ".join(status(archive).output.split())  # table cells wrap
    assert "Problems" in output and "killed?" in output
    for words in ("left 'running' without a finish", run_id, ".warc.gz.open",
                  "next crawl repairs", "parse_error", "govarchive reindex", "unparsed", "unreachable"):
        assert words in output, words

    problems = json.loads(status(archive, "--json").output)["problems"]
    assert problems["unfinished_runs"] == [run_id]
    assert problems["open_warc_files"] == [open_file]
    assert problems["parse_errors"] == 1 and problems["unparsed"] == 1
    assert len(problems["unreachable_accounts"]) == 1
    # the newest run is the killed one: it archived nothing, so no block pages in it
    assert problems["last_run"] == run_id and problems["blocked_last_run"] == 0


def test_a_healthy_archive_has_no_problems(demo_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_archive, archive)
    with sqlite3.connect(archive / "index.db") as conn:
        conn.execute("update captures set page_state = 'ok' where page_state = 'blocked'")
    conn.close()
    assert "Problems: none found" in status(archive).output
    assert not summarize(archive).problems


def test_summary_still_prints_its_lines(demo_archive):
    result = CliRunner().invoke(cli, ["summary", "--archive-dir", str(demo_archive)])
    assert result.exit_code == 0 and "accounts:" in result.output and "successors:" in result.output
