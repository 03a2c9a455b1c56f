"""Server faults and bad input (tests/hostile_web.py): each gives a recorded status and one clear log line,
the crawl goes on, the archive stays valid, and nothing hostile runs in Datasette or the viewer.

One crawl of the hostile web (limits set small: ``DOWNLOAD_TIMEOUT`` 2 s, ``DOWNLOAD_MAXSIZE`` 50 MB) is
shared by the tests of this module; each fault of ``hostile_web.FAULTS`` is checked against what the
index recorded for its URL: a capture with its page state, or a ``fetch_failures`` row with its error.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from urllib.parse import quote

import hostile_web as hw
import lxml.html
import pytest
from helpers import ROOT, rows

from govarchive.warc.verify import verify_archive

pytestmark = pytest.mark.slow

LIMITS = {"DOWNLOAD_TIMEOUT": "2", "DOWNLOAD_MAXSIZE": "50000000", "DOWNLOAD_WARNSIZE": "0", "RETRY_TIMES": "2",
          "GOVARCHIVE_MAX_BODY_BYTES": "20000000"}
FAILED_FETCHES = ("timeout", "connection_lost", "too_large", "decompression_too_large", "redirect_loop",
                  "url_too_long")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One crawl of the hostile web, through `govarchive crawl` (the exit code is part of the finding)."""
    archive = tmp_path_factory.mktemp("hostile") / "archive"
    with hw.HostileWeb() as web:
        settings = {**LIMITS, "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "CONCURRENT_REQUESTS": "16", "GOVARCHIVE_PROGRESS": "log"}
        command = [sys.executable, "-m", "govarchive.cli", "crawl", "portal", "--sources", str(hw.SOURCES),
                   "-a", f"base_url={web.base_url}", "--archive-dir", str(archive),
                   *[arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        requests = list(web.requests)
        base = web.base_url
    return {"archive": archive, "db": archive / "index.db", "log": result.stderr, "code": result.returncode,
            "base": base, "requests": requests}


def url_of(hostile, fault: hw.Fault) -> str:
    return hostile["base"] + fault.path


def captures_of(hostile, url: str) -> list[tuple]:
    return rows(hostile["db"], "select http_status, page_state, record_type, id from captures where url = ?", url)


def failures_of(hostile, fault: hw.Fault) -> list[tuple]:
    """fetch_failures rows of a fault: its URL's, or a redirect loop's that started at its URL."""
    url = url_of(hostile, fault)
    return rows(hostile["db"], "select error, detail, attempts, request_kind, capture_id, url from fetch_failures "
                               "where url = ? or (error = 'redirect_loop' and instr(detail, ?) > 0)", url, url)


def test_the_crawl_goes_on_and_ends_partial_with_the_failures_named(hostile):
    log = hostile["log"]
    assert "Traceback" not in log, log[-4000:]
    assert hostile["code"] == 3, log[-3000:]  # partial: the failures are named, the next run retries them
    line = next(line for line in log.splitlines() if "(exit code 3)" in line)
    assert "that gave no page" in line and "see fetch_failures" in line, line
    for fault in hw.NORMAL:  # listed first, in the middle and last: each archived whatever came before
        post = rows(hostile["db"], "select state, title from posts where url = ?", url_of(hostile, fault))
        assert post == [("ok", fault.title)], fault.name


@pytest.mark.parametrize("fault", [f for f in hw.FAULTS if f.outcome in FAILED_FETCHES], ids=lambda f: f.name)
def test_a_fetch_that_gives_no_page_is_recorded_with_its_error_and_logged(hostile, fault):
    found = failures_of(hostile, fault)
    assert [error for error, *_ in found] == [fault.outcome], (fault.name, found)
    error, detail, attempts, kind, capture_id, url = found[0]
    assert detail and len(detail) <= 500
    assert kind == "post"
    if error in ("timeout", "connection_lost"):
        assert attempts == 3  # RETRY_TIMES=2: sent three times, then recorded
    if error == "redirect_loop":  # every hop is archived, the last one is named
        assert capture_id and rows(hostile["db"], "select page_state from captures where id = ?", capture_id) == [
            ("redirect",)]
    if error == "decompression_too_large":  # the compressed bytes are archived, never inflated
        assert rows(hostile["db"], "select page_state, payload_length < 2000000 from captures where id = ?",
                    capture_id) == [("too_large", 1)]
    if error == "url_too_long":
        assert not [r for r in hostile["requests"] if len(r) > 20000]  # never sent
    shown = url if len(url) <= 300 else url[:300]
    assert re.search(rf"fetch failed: {re.escape(shown)}.*: {error} after {attempts} attempt", hostile["log"]), \
        fault.name


@pytest.mark.parametrize("fault", hw.faults("http_error"), ids=lambda f: f.name)
def test_an_error_status_is_archived_with_its_page_state(hostile, fault):
    found = captures_of(hostile, url_of(hostile, fault))
    assert found and {(status, state) for status, state, *_ in found} <= {
        (500, "server_error"), (502, "server_error"), (503, "server_error")}, found
    assert rows(hostile["db"], "select state from posts where url = ?", url_of(hostile, fault)) in (
        [("listed",)], [("server_error",)])  # fetched again by the next run


@pytest.mark.parametrize("fault", hw.faults("ok"), ids=lambda f: f.name)
def test_bad_content_is_archived_and_read_as_far_as_it_goes(hostile, fault):
    found = captures_of(hostile, url_of(hostile, fault))
    assert any(status == 200 for status, *_ in found), (fault.name, found)
    assert not failures_of(hostile, fault)
    if fault.title is not None and fault.listed:
        [(state, title)] = rows(hostile["db"], "select state, title from posts where url = ?", url_of(hostile, fault))
        assert state == "ok", fault.name
        expected = fault.title.replace("\x00", "")  # NUL bytes are not text
        assert title.replace("\x00", "") == expected or (fault.name == "hostile_long_title" and title), fault.name


def test_lying_charsets_are_read_as_the_bytes_say(hostile):
    for name in ("charset_header_utf8_body_gbk", "charset_meta_gbk_body_utf8", "charset_unknown"):
        fault = hw.FAULTS_BY_NAME[name]
        [(text,)] = rows(hostile["db"], "select text from posts where url = ?", url_of(hostile, fault))
        assert "\ufffd" not in (text or ""), name  # no mojibake: the real encoding was found
        assert "雾川" in (text or "") or "雾川" in fault.title, name


def test_hostile_links_are_never_followed(hostile):
    sent = hostile["requests"]
    assert not [r for r in sent if "passwd" in r.lower() and "t20261101_9005" not in r], sent
    assert not [r for r in sent if r.lower().startswith(("javascript", "file", "data"))]


def test_the_archive_is_valid_and_a_reindex_rebuilds_the_same_findings(hostile, tmp_path):
    report = verify_archive(hostile["archive"])
    assert report.ok, "\n".join(report.lines())
    copy = tmp_path / "copy"
    shutil.copytree(hostile["archive"], copy)
    (copy / "index.db").unlink()
    result = subprocess.run([sys.executable, "-m", "govarchive.cli", "reindex", "--archive-dir", str(copy)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    same = ("select id, url, error, detail, attempts, request_kind, capture_id from fetch_failures",
            "select id, page_state from captures", "select url, state, title from posts")
    for sql in same:
        assert sorted(rows(copy / "index.db", sql), key=repr) == sorted(rows(hostile["db"], sql), key=repr), sql


def live_hostile_markup(html: str) -> list[str]:
    """Elements of a page that would run the hostile web's code: its scripts, event handlers, javascript: URLs
    (its text shown escaped is fine: it is text)."""
    tree = lxml.html.fromstring(html)
    found = [f"<script>{script.text}" for script in tree.iter("script") if "alert" in (script.text or "")]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on") and "alert" in value:
                found.append(f"<{element.tag} {name}={value}>")
            if value.strip().lower().startswith("javascript:"):
                found.append(f"<{element.tag} {name}={value}>")
    return found


@pytest.fixture
def datasette_client(hostile):
    from datasette.app import Datasette

    return Datasette([str(hostile["db"])], settings={"sql_time_limit_ms": 5000}).client


@pytest.mark.asyncio
async def test_nothing_hostile_runs_in_datasette_or_the_viewer(hostile, datasette_client):
    markup = hw.FAULTS_BY_NAME["hostile_markup"]
    url = url_of(hostile, markup)
    [(_post_id, capture_id)] = rows(hostile["db"], "select id, archived_capture_id from posts where url = ?", url)
    pages = {"/index/posts": "清朗", f"/index/posts?_search={quote('清朗')}": "清朗",
             f"/index/captures?url={quote(url)}": "t20261101_9001", f"/-/archive/{capture_id}": "清朗",
             "/index/fetch_failures": "redirect_loop"}  # what each page must show (so it is not an empty page)
    for page, shown in pages.items():
        response = await datasette_client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        assert shown in response.text, page
        assert live_hostile_markup(response.text) == [], page
    viewer = await datasette_client.get(f"/-/archive/{capture_id}")
    policy = viewer.headers.get("content-security-policy", "")
    assert ("sandbox" in policy and "script-src 'none'" in policy) or "default-src 'none'" in policy, policy
    raw = await datasette_client.get(f"/-/archive/{capture_id}/raw")
    assert raw.status_code == 200
    assert "sandbox" in raw.headers.get("content-security-policy", ""), raw.headers


@pytest.mark.asyncio
async def test_the_viewer_shows_a_gzip_bomb_as_a_clear_refusal(hostile, datasette_client):
    bomb = hw.FAULTS_BY_NAME["gzip_bomb"]
    [(capture_id,)] = rows(hostile["db"], "select capture_id from fetch_failures where error = 'decompression_too_large'")
    assert capture_id
    response = await datasette_client.get(f"/-/archive/{capture_id}")
    assert response.status_code in (200, 413), response.status_code
    assert url_of(hostile, bomb) in response.text
    assert len(response.content) < 5_000_000  # never inflated into the page


def test_the_status_report_names_the_failures(hostile):
    result = subprocess.run([sys.executable, "-m", "govarchive.cli", "status", "--archive-dir",
                             str(hostile["archive"]), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    problems = json.loads(result.stdout)["problems"]
    counts = problems["fetch_failures_last_run"]
    for error in ("timeout", "connection_lost", "too_large", "decompression_too_large", "redirect_loop"):
        assert counts.get(error), (error, counts)
