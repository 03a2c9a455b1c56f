"""Scheduled runs: exit codes a scheduler can act on, and the cron and systemd units that use them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import free_port

from govarchive.cli import cli
from govarchive.core.storage import DISK_FULL
from govarchive.crawl import outcome
from govarchive.crawl.outcome import RunFacts, decide, failed_accounts, run_facts
from govarchive.crawl.schedule import ScheduleError, cron_text, parse_at, plan, systemd_units
from govarchive.crawl.spider import BLOCKED
from govarchive.warc.lock import LOCKED

ROOT = Path(__file__).resolve().parents[1]
DEMO_SOURCES = ROOT / "govarchive" / "demo" / "sources.toml"
VENV_GOVARCHIVE = Path(sys.executable).absolute().with_name("govarchive")


# -- exit codes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("facts, code, name", [
    (RunFacts("finished", captures=40), 0, "success"),
    (RunFacts("finished", captures=40, failed_accounts=("wechat:MzA1",)), 3, "partial"),
    (RunFacts("finished", captures=40, downloads_given_up=2), 3, "partial"),
    (RunFacts("finished", captures=40, spider_errors=1), 3, "partial"),
    (RunFacts("closespider_timeout", captures=40), 3, "partial"),  # a limit the operator set: partial
    (RunFacts(BLOCKED, captures=40, blocked_pages=5, failed_accounts=("weibo:1",)), 75, "blocked"),
    (RunFacts(LOCKED, locked_by="run r1 (crawl portal, pid 7)"), 73, "locked"),
    (RunFacts("shutdown", captures=40), 1, "fatal"),  # Ctrl-C, SIGTERM
    (RunFacts("cancelled", captures=40), 1, "fatal"),
    (RunFacts(None), 1, "fatal"),  # never started
    (RunFacts("finished", captures=0, downloads_given_up=3), 1, "fatal"),  # archived nothing
    (RunFacts(DISK_FULL, captures=40), 1, "fatal"),
    # every page archived, then the disk refused the run's end (its row, the closure analysis)
    (RunFacts("finished", captures=40, storage_error="the run's end: database or disk is full"), 1, "fatal"),
])
def test_exit_code_decisions(facts, code, name):
    result = decide(facts)
    assert (result.code, result.name) == (code, name)
    assert result.line().endswith(f"(exit code {code})")


def test_the_lines_say_what_happened_and_what_to_do():
    partial = decide(RunFacts("finished", captures=9, failed_accounts=tuple(f"a{i}" for i in range(7)),
                              downloads_given_up=1))
    assert partial.line() == ("partial run: 7 accounts with blocked or failed pages (a0, a1, a2, a3, a4 and "
                              "2 more); 1 download given up after every retry: the next run retries them "
                              "(exit code 3)")
    blocked = decide(RunFacts(BLOCKED, captures=9, blocked_pages=5)).line()
    assert "a platform blocked the crawl (5 block pages)" in blocked and "run again later" in blocked
    locked = decide(RunFacts(LOCKED, locked_by="run r1 (crawl portal, pid 7)")).line()
    assert "in use by run r1 (crawl portal, pid 7)" in locked and "(exit code 73)" in locked
    assert "finish reason 'shutdown'" in decide(RunFacts("shutdown", captures=1)).line()
    end = decide(RunFacts("finished", captures=9, storage_error="the run's end: database or disk is full")).line()
    assert end.startswith("the run failed: the disk refused a write (full") and "`govarchive analyse`" in end


def test_facts_come_from_the_stats_and_the_runs_account_checks_and_fetch_failures(tmp_path):
    db_path = tmp_path / "index.db"
    with sqlite3.connect(db_path) as db:
        db.execute("create table account_checks (account_id, run_id, ok_pages, failed_pages)")
        db.executemany("insert into account_checks values (?, ?, ?, ?)", [
            ("weibo:1", "run-2", 0, 2), ("weibo:2", "run-2", 3, 1), ("weibo:3", "run-2", 4, 0),
            ("weibo:4", "run-1", 0, 5)])
        db.execute("create table fetch_failures (account_id, run_id, error)")
        db.executemany("insert into fetch_failures values (?, ?, ?)", [
            ("weibo:5", "run-2", "timeout"), ("weibo:6", "run-2", "robots"), (None, "run-2", "timeout"),
            ("weibo:7", "run-1", "timeout")])
    failed = ("weibo:1", "weibo:2", "weibo:5")  # a post of weibo:5 timed out; robots.txt refusals are no failure
    assert failed_accounts(db_path, "run-2") == failed
    assert failed_accounts(tmp_path / "missing.db", "run-2") == () and failed_accounts(db_path, None) == ()
    stats = {"finish_reason": "finished", "govarchive/captures": 12, "retry/max_reached": 1,
             "spider_exceptions/count": 2, "govarchive/blocked": 1, "govarchive/fetch_failures": 3,
             "govarchive/fetch_failures/timeout": 2, "govarchive/fetch_failures/redirect_loop": 1}
    facts = run_facts(stats, tmp_path, "run-2")
    assert facts == RunFacts("finished", 12, failed, 1, 2, (("redirect_loop", 1), ("timeout", 2)), 1, "")
    assert "3 requests that gave no page (redirect_loop 1, timeout 2; see fetch_failures)" in decide(facts).line()
    clean = {"finish_reason": "finished", "govarchive/captures": 3}
    assert decide(run_facts(clean, tmp_path, "run-3")).code == 0
    assert outcome.BLOCKED == BLOCKED


@pytest.mark.slow
def test_crawl_exits_3_when_downloads_failed_and_demo_exits_0(demo_web, tmp_path):
    closed = f"http://127.0.0.1:{free_port()}/gone"  # nothing listens there: connection refused
    partial = subprocess.run(
        [sys.executable, "-m", "govarchive.cli", "crawl", "portal",
         "--url", f"{demo_web.base_url}/xxgk/tzgg/", "--url", closed, "--archive-dir", str(tmp_path / "a"),
         "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0", "-s", "LOG_LEVEL=WARNING", "-s", "GOVARCHIVE_PROGRESS=off"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert partial.returncode == 3, partial.stderr[-3000:]
    last = partial.stderr.strip().splitlines()[-1]  # Scrapy logs the refused connections before it
    assert last.startswith("partial run: ") and "given up after every retry" in last, partial.stderr[-3000:]
    assert last.endswith("(exit code 3)")

    demo = subprocess.run([sys.executable, "-m", "govarchive.cli", "demo", "--port", "0", "--archive-dir",
                           str(tmp_path / "d")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "exit code" not in demo.stderr


# -- the units ------------------------------------------------------------------------------------
@pytest.fixture
def daily(tmp_path):
    return plan(tmp_path / "archive", DEMO_SOURCES, "portal", "4:30", project_dir=ROOT)


def test_at_is_a_time_of_day():
    assert parse_at("03:00").hour == 3 and parse_at("22:05").minute == 5 and parse_at("7:15").hour == 7
    for bad in ("25:00", "3", "03:60", "noon", ""):
        with pytest.raises(ScheduleError, match="HH:MM"):
            parse_at(bad)


def test_plan_makes_every_path_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    schedule = plan("archive", "sources.toml")
    assert schedule.archive_dir == tmp_path / "archive" and schedule.sources == tmp_path / "sources.toml"
    assert schedule.project_dir == ROOT  # the folder with scrapy.cfg
    assert Path(schedule.command[0]).is_absolute()
    if VENV_GOVARCHIVE.is_file():  # the venv's script, not resolved out of the venv
        assert schedule.command == (str(VENV_GOVARCHIVE),)


def test_the_cron_line(daily, tmp_path):
    text = cron_text(daily)
    line = next(line for line in text.splitlines() if line and not line.startswith(("#", "SHELL=")))
    assert line.startswith("30 4 * * * mkdir -p ")
    assert f"cd {ROOT} && " in line
    archive = tmp_path / "archive"
    assert f"{daily.command[0]} crawl portal --sources {DEMO_SOURCES} --archive-dir {archive}" in line
    assert f">> {tmp_path / 'archive' / 'logs'}/" in line and "2>&1" in line
    assert "%" not in line.replace("\\%", "")  # cron would cut the line at a bare %
    assert "flock" not in line
    assert "exit codes: 0 success, 3 partial" in text and "73" in text and "75" in text
    as_user = cron_text(plan(tmp_path / "archive", DEMO_SOURCES, at="04:30", user="archiver"))
    assert "\n30 4 * * * archiver mkdir -p " in as_user and "/etc/cron.d/govarchive-crawl" in as_user


@pytest.mark.parametrize("code, mails", [(0, False), (3, False), (73, True), (75, True), (1, True)])
def test_the_cron_line_logs_and_speaks_only_when_a_person_must_act(tmp_path, code, mails):
    """The line run as cron runs it (sh, \\% back to %), with a stand-in govarchive that exits with `code`."""
    stub = tmp_path / "govarchive"
    stub.write_text(f"#!/bin/sh\necho \"crawling $*\"\nexit {code}\n")
    stub.chmod(0o755)
    schedule = plan(tmp_path / "archive", DEMO_SOURCES, at="03:00", project_dir=ROOT, command=(str(stub),))
    line = next(line for line in cron_text(schedule).splitlines() if line.startswith("0 3 * * * "))
    command = line.removeprefix("0 3 * * * ").replace("\\%", "%")
    result = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=30,
                            cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert bool(result.stdout.strip()) is mails, result.stdout
    if mails:
        assert f"govarchive crawl exited {code}" in result.stdout
    logs = list((tmp_path / "archive" / "logs").glob("crawl-*.log"))
    assert len(logs) == 1 and f"crawling crawl portal --sources {DEMO_SOURCES}" in logs[0].read_text()


def test_the_systemd_units(daily, tmp_path):
    units = systemd_units(plan(tmp_path / "archive", DEMO_SOURCES, at="04:30", user="archiver",
                               project_dir=ROOT))
    service, timer = units["govarchive-crawl.service"], units["govarchive-crawl.timer"]
    assert "Type=oneshot" in service and "User=archiver" in service
    assert f"WorkingDirectory={ROOT}\n" in service
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert exec_start == (f"ExecStart={daily.command[0]} crawl portal --sources {DEMO_SOURCES} "
                          f"--archive-dir {tmp_path / 'archive'}")
    assert Path(exec_start.split()[0].removeprefix("ExecStart=")).is_absolute()
    assert "SuccessExitStatus=3\n" in service  # partial runs are no failures
    assert "Restart=on-failure\n" in service
    assert "RestartPreventExitStatus=1 2 73\n" in service  # of the failing codes, only 75 is retried
    assert "RestartSec=1h\n" in service and "StartLimitBurst=4\n" in service
    assert "OnCalendar=*-*-* 04:30:00\n" in timer and "Persistent=true\n" in timer
    assert "RandomizedDelaySec=" in timer and "WantedBy=timers.target" in timer
    assert "Unit=govarchive-crawl.service" in timer


def test_systemd_quoting_keeps_odd_paths_whole(tmp_path):
    odd = tmp_path / "my archive 100%"
    service = systemd_units(plan(odd, DEMO_SOURCES, project_dir=ROOT))["govarchive-crawl.service"]
    assert f'--archive-dir "{str(odd).replace("%", "%%")}"' in service


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_accepts_the_units(tmp_path):
    user = "root" if os.geteuid() == 0 else None
    units = systemd_units(plan(tmp_path / "archive", DEMO_SOURCES, at="03:00", user=user, project_dir=ROOT))
    paths = []
    for name, text in units.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    result = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "govarchive-crawl" not in result.stderr, result.stderr  # no warning about our units


def test_the_schedule_command_prints_them(tmp_path):
    runner = CliRunner()
    systemd = runner.invoke(cli, ["schedule", "--print", "systemd", "--sources", str(DEMO_SOURCES),
                                  "--archive-dir", str(tmp_path / "archive"), "--at", "05:15",
                                  "--user", "archiver"])
    assert systemd.exit_code == 0, systemd.output
    assert "# ---- /etc/systemd/system/govarchive-crawl.service" in systemd.output
    assert "# ---- /etc/systemd/system/govarchive-crawl.timer" in systemd.output
    assert "OnCalendar=*-*-* 05:15:00" in systemd.output
    assert "systemctl enable --now govarchive-crawl.timer" in systemd.output
    cron = runner.invoke(cli, ["schedule", "--print", "cron", "--sources", str(DEMO_SOURCES), "--archive-dir",
                               str(tmp_path / "archive")])
    assert cron.exit_code == 0 and "\n0 3 * * * " in cron.output
    assert not (tmp_path / "archive").exists()  # printing writes nothing

    for args, words in [(["--at", "9pm"], "HH:MM"), (["--spider", "nope"], "no spider named 'nope'"),
                        (["--sources", str(tmp_path / "missing.toml")], "missing.toml")]:
        sources = [] if "--sources" in args else ["--sources", str(DEMO_SOURCES)]
        result = runner.invoke(cli, ["schedule", "--print", "cron", *sources, *args])
        assert result.exit_code != 0 and words in result.output, result.output
        assert "Traceback" not in result.output, result.output
    assert "pass --sources FILE" in runner.invoke(cli, ["schedule", "--print", "cron"]).output
