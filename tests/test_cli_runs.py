"""What a crawl says and records, run as people run it: `govarchive crawl` and `govarchive demo` in a
subprocess (and under a pseudo-terminal for what a terminal shows).

- seeds that answer 404 or never answer are problems of the run: in its outcome, its exit code, its
  `runs.status` and `govarchive status`; a robots.txt that cannot be fetched is one line;
- on a terminal: the progress display, warnings and a short summary, Scrapy's INFO log only with -v or
  in a log file; no warning for a normal run;
- the demo never mixes two webs in one archive;
- the operator's contact goes into the User-Agent and the warcinfo record;
- `analyse` says which moment it judges at, and counts as `summary` does.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import free_port, one, rows
from warcio.archiveiterator import ArchiveIterator

from govarchive.cli import cli
from govarchive.demo.content import EXPECTED
from govarchive.demo.origin import archived_origin

ROOT = Path(__file__).resolve().parents[1]
GOVARCHIVE = [sys.executable, "-m", "govarchive.cli"]

pytestmark = pytest.mark.slow


def run(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*GOVARCHIVE, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def on_a_terminal(*args: str, timeout: int = 300) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as its stdout and stderr; its exit code and what it wrote."""
    main, child = pty.openpty()
    process = subprocess.Popen([*GOVARCHIVE, *args], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=child, stderr=child,
                               env={**os.environ, "COLUMNS": "200", "TERM": "xterm"})
    os.close(child)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(main)
    code = process.wait(timeout=30)
    text = b"".join(chunks).decode("utf-8", "replace")
    return code, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "\n")


def closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


def warc_records(archive: Path) -> list:
    records = []
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                headers = dict(record.http_headers.headers) if record.http_headers else {}
                records.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), headers,
                                record.content_stream().read() if record.rec_type == "warcinfo" else b""))
    return records


@pytest.fixture(scope="module")
def failing_seeds(demo_web, tmp_path_factory):
    """One crawl of a good listing, a seed that answers 404 and one that never answers, with a contact."""
    archive = tmp_path_factory.mktemp("seeds") / "archive"
    dead = f"http://127.0.0.1:{closed_port()}/xxgk/"
    result = run("crawl", "portal", "--url", demo_web.url("/xxgk/tzgg/"), "--url", demo_web.url("/no/such/column/"),
                 "--url", dead, "-s", "RETRY_TIMES=0", "-s", "GOVARCHIVE_CONTACT=archivist@example.org",
                 "--archive-dir", str(archive), env={"GOVARCHIVE_OPERATOR": "云岚市档案馆"})
    return {"archive": archive, "result": result, "dead": dead, "missing": demo_web.url("/no/such/column/")}


def test_seeds_that_answer_404_or_never_answer_are_problems_of_the_run(failing_seeds):
    result, archive = failing_seeds["result"], failing_seeds["archive"]
    assert result.returncode == 3, result.stderr[-3000:]  # partial, not "finished … exit 0"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("partial run:") and "2 start URLs that answered an HTTP error or never answered" in last
    db = archive / "index.db"
    assert one(db, "select status from runs") == ("partial",)  # runs.status is the outcome
    assert sorted(rows(db, "select url, error from fetch_failures where request_kind = 'start'")) == sorted(
        [(failing_seeds["dead"], "connection_refused"), (failing_seeds["missing"], "http_error")])
    status = CliRunner().invoke(cli, ["status", "--archive-dir", str(archive)]).output
    assert "Problems: none found" not in status
    flat = " ".join(status.split())
    assert "2 start URL(s) of the last run answered an HTTP error or never answered" in flat
    assert failing_seeds["missing"] in flat and "HTTP 404" in flat and failing_seeds["dead"] in flat
    problems = json.loads(CliRunner().invoke(cli, ["status", "--json", "--archive-dir", str(archive)]).output)
    assert len(problems["problems"]["failed_seeds_last_run"]) == 2


def test_a_robots_txt_that_cannot_be_fetched_is_one_line(failing_seeds):
    err = failing_seeds["result"].stderr
    assert "Traceback" not in err
    host = failing_seeds["dead"].rsplit("/", 2)[0]
    robots = [line for line in err.splitlines() if "robots.txt" in line and " INFO: " not in line]
    assert len(robots) == 1, robots
    assert f"robots.txt of {host} could not be fetched (" in robots[0] and "WARNING" in robots[0]
    assert not [line for line in err.splitlines() if "] ERROR: " in line], err[-3000:]


def test_the_operators_contact_is_in_the_user_agent_and_the_warcinfo_record(failing_seeds):
    records = warc_records(failing_seeds["archive"])
    info = next(body for kind, _, _, body in records if kind == "warcinfo").decode("utf-8")
    assert "contact: archivist@example.org" in info and "http-header-from: archivist@example.org" in info
    assert "operator: 云岚市档案馆" in info  # GOVARCHIVE_OPERATOR from the environment
    agent = re.search(r"http-header-user-agent: ([^\r\n]+)", info).group(1)
    assert agent.startswith("govarchive/") and agent.endswith("; contact: archivist@example.org)")
    requests = [headers for kind, _, headers, _ in records if kind == "request"]
    assert requests and all(h.get("User-Agent") == agent and h.get("From") == "archivist@example.org"
                            for h in requests)


def test_a_run_that_archived_nothing_is_recorded_fatal(tmp_path):
    archive = tmp_path / "archive"
    result = run("crawl", "portal", "--url", f"http://127.0.0.1:{closed_port()}/", "-s", "RETRY_TIMES=0",
                 "--archive-dir", str(archive))
    assert result.returncode == 1 and "it archived nothing" in result.stderr.strip().splitlines()[-1]
    assert one(archive / "index.db", "select status from runs") == ("fatal",)  # was "finished"
    assert not (archive / ".frontier").exists()


def test_a_terminal_shows_progress_and_a_summary_not_scrapys_log(demo_web, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(f'base_url = "{demo_web.base_url}"\n[[source]]\nid = "tzgg"\nkind = "listing"\n'
                       'platform = "website"\nurl = "/xxgk/tzgg/"\n', encoding="utf-8")
    code, shown = on_a_terminal("crawl", "portal", "--sources", str(sources), "-s", "DOWNLOAD_DELAY=0",
                                "--archive-dir", str(tmp_path / "quiet"))
    assert code == 0, shown[-3000:]
    assert " INFO: " not in shown and "Scrapy 2" not in shown and "Overridden settings" not in shown, shown[:3000]
    assert "] WARNING: " not in shown and "] ERROR: " not in shown, shown  # a normal run warns about nothing
    assert re.search(r"accounts \d+/\d+ done", shown)  # the progress display
    assert re.search(r"run \S+: success; \d+ captures", shown) and "statuses:" in shown  # the short summary
    log = tmp_path / "crawl.log"
    code, shown = on_a_terminal("crawl", "portal", "--sources", str(sources), "-s", "DOWNLOAD_DELAY=0",
                                "-s", f"LOG_FILE={log}", "--archive-dir", str(tmp_path / "logged"))
    assert code == 0 and " INFO: " not in shown
    assert "INFO: Scrapy 2" in log.read_text(encoding="utf-8")  # the full log is in the log file
    code, shown = on_a_terminal("crawl", "portal", "--sources", str(sources), "-s", "DOWNLOAD_DELAY=0", "-v",
                                "--archive-dir", str(tmp_path / "verbose"))
    assert code == 0 and " INFO: " in shown  # -v: Scrapy's log on the terminal too


def test_the_demo_never_mixes_two_webs_in_one_archive(tmp_path):
    archive = tmp_path / "archive"
    port = free_port()
    first = run("demo", "--archive-dir", str(archive), "--port", str(port))
    assert first.returncode == 0, first.stderr[-3000:]
    assert "] WARNING: " not in first.stderr and "] ERROR: " not in first.stderr, first.stderr  # a normal run: quiet
    assert archived_origin(archive / "index.db") == f"http://127.0.0.1:{port}"
    counts = {t: one(archive / "index.db", f"select count(*) from {t}")[0] for t in ("accounts", "posts", "notices")}

    with socket.socket() as busy:  # its port is taken now: refused in one line, nothing written
        busy.bind(("127.0.0.1", port))
        busy.listen()
        refused = run("demo", "--archive-dir", str(archive))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    [line] = [line for line in (refused.stdout + refused.stderr).splitlines() if line.strip()]
    assert f"port {port} on 127.0.0.1 is in use" in line and "holds the demo web as served on that port" in line
    other = run("demo", "--archive-dir", str(archive), "--port", str(free_port()))
    assert other.returncode == 2
    assert f"holds the demo web as served on port {port}" in other.stderr and "--archive-dir" in other.stderr
    assert one(archive / "index.db", "select count(*) from runs") == (1,)

    again = run("demo", "--archive-dir", str(archive))  # no --port: the archive's own port
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"demo web: http://127.0.0.1:{port}/" in again.stdout
    for table, count in counts.items():  # no duplicate rows: the same URLs, the same accounts, posts, notices
        assert one(archive / "index.db", f"select count(*) from {table}") == (count,), table
    assert {u.split("/")[2] for (u,) in rows(archive / "index.db", "select url from captures")} == \
        {f"127.0.0.1:{port}"}


def test_analyse_says_when_it_judges_and_agrees_with_summary(demo_archive, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(demo_archive, archive)
    analysed = CliRunner().invoke(cli, ["analyse", "--archive-dir", str(archive)])
    assert analysed.exit_code == 0, analysed.output
    first = analysed.output.splitlines()[0]
    today = EXPECTED["today"][:19]  # the demo's own "today", not the wall clock
    assert first.startswith(f"statuses judged at {today}") and "the newest run" in first, first
    summary = CliRunner().invoke(cli, ["summary", "--archive-dir", str(archive)]).output.splitlines()
    for key in ("statuses:", "notices:", "successors:"):
        said = next(line.strip() for line in analysed.output.splitlines() if line.strip().startswith(key))
        assert said == next(line.strip() for line in summary if line.strip().startswith(key)), key
    chosen = CliRunner().invoke(cli, ["analyse", "--as-of", "2027-01-01", "--archive-dir", str(archive)])
    assert chosen.output.startswith("statuses judged at 2027-01-01T00:00:00+08:00 (--as-of)")
