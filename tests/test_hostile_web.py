"""The hostile web (tests/hostile_web.py) itself: every fault does on the wire what its docstring says.

A small raw-socket client reads each answer as a crawler would (idle timeout, size limit, retries of 5xx,
redirects followed, gzip inflated within the limit) and must find each fault's documented outcome; the
other tests look at the bytes of each fault. Fast: no crawl, a second of idle timeout per stall.
"""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
import socket
import struct
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import hostile_web as hw
import pytest
from hostile_web import FAULTS, FAULTS_BY_NAME, OUTCOMES, HostileWeb

from govarchive.core.sources import load_sources
from govarchive.pages import PageInput, extract
from govarchive.pages.gov import ARTICLE_PATH

LIMIT = 50_000_000  # the size limit of the probing client, like a crawl's DOWNLOAD_MAXSIZE
IDLE = 1.0  # seconds without a byte before the probing client gives up (a crawl's timeout)
URL_LIMIT = 2083  # Scrapy's default URLLENGTH_LIMIT
FETCHED_AT = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def web():
    with HostileWeb() as server:
        yield server


# -- a raw client ---------------------------------------------------------------------------------

@dataclass
class Answer:
    head: bytes = b""  # status line and headers, raw
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None  # timeout, connection_lost, too_large; None when the answer is complete
    body_bytes: int = 0  # bytes of body received (counted also when not kept)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def fetch(web: HostileWeb, target: str, limit: int = LIMIT, idle: float = IDLE, keep: int = LIMIT,
          extra_headers: str = "") -> Answer:
    """GET ``target`` on a fresh connection; the body is read by Content-Length or until the close."""
    answer = Answer()
    with socket.create_connection((web.host, web.port), timeout=idle) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {web.host}:{web.port}\r\nAccept-Encoding: gzip\r\n"
                     f"Connection: close\r\n{extra_headers}\r\n".encode("latin-1"))
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    answer.error = "connection_lost"
                    return answer
                data += chunk
            answer.head, _, rest = data.partition(b"\r\n\r\n")
            lines = answer.head.decode("latin-1").split("\r\n")
            answer.status = int(lines[0].split(" ")[1])
            answer.headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
            length = answer.header("Content-Length")
            expected = int(length) if length is not None else None
            if expected is not None and expected > limit:
                answer.error = "too_large"
                return answer
            body = bytearray(rest[:keep])
            answer.body_bytes = len(rest)
            while expected is None or answer.body_bytes < expected:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    if expected is not None:
                        answer.error = "connection_lost"
                    break
                answer.body_bytes += len(chunk)
                if len(body) < keep:
                    body += chunk[:keep - len(body)]
                if answer.body_bytes > limit:
                    answer.error = "too_large"
                    break
            answer.body = bytes(body)
        except TimeoutError:
            answer.error = "timeout"
        except ConnectionResetError:
            answer.error = "connection_lost"
    return answer


def observe(web: HostileWeb, fault: hw.Fault) -> str:
    """The outcome a crawler-like client sees: a key of OUTCOMES."""
    if len(web.url(fault.path)) > URL_LIMIT:
        return "url_too_long"
    target, chain, attempts = fault.path, [web.url(fault.path)], 0
    while True:
        answer = fetch(web, target)
        if answer.error:
            return answer.error
        if answer.status >= 500:
            if attempts < 2:  # RETRY_TIMES = 2
                attempts += 1
                continue
            return "http_error"
        if answer.status in (301, 302, 303, 307, 308):
            url = urljoin(chain[-1], answer.header("Location"))
            if url in chain:
                return "redirect_loop"
            chain.append(url)
            parts = urlsplit(url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            continue
        if (answer.header("Content-Encoding") or "").lower() == "gzip":
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            if len(inflater.decompress(answer.body, LIMIT + 1)) > LIMIT:
                return "decompression_too_large"
        return "ok" if 200 <= answer.status < 300 else f"status {answer.status}"


def get(web: HostileWeb, target: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(web.host, web.port, timeout=5)
    conn.request("GET", target)
    return conn.getresponse()


def meta(body: str, name: str) -> str:
    match = re.search(rf'<meta name="{name}" content="([^"]*)"', body)
    assert match, f"no meta {name}"
    return html.unescape(match.group(1))


# -- the table ------------------------------------------------------------------------------------

def test_faults_table_is_consistent():
    names = [f.name for f in FAULTS]
    assert len(set(names)) == len(names)
    paths = [urlsplit(f.path).path for f in FAULTS]
    assert len(set(paths)) == len(paths) - 1  # only the two Weibo API faults share a path (and differ in query)
    assert {f.outcome for f in FAULTS} == set(OUTCOMES), "every outcome has a fault, every fault a known outcome"
    sources = load_sources(hw.SOURCES)
    for fault in FAULTS:
        if fault.listed:
            assert fault.path.startswith(hw.ARTICLE_DIR) and ARTICLE_PATH.search(urlsplit(fault.path).path), fault
        else:
            assert fault.via in sources, fault
    assert [f.name for f in hw.NORMAL] == ["normal_gbk", "normal_utf8", "normal_gzip"]
    listed = [f for f in FAULTS if f.listed]
    assert listed[0].name == "normal_gbk" and listed[-1].name == "normal_gzip"  # first, (middle,) last
    assert hw.faults("http_error") == tuple(FAULTS_BY_NAME[n] for n in ("http_500", "http_502", "http_503",
                                                                         "http_503_retry_after"))
    with pytest.raises(ValueError):
        hw.faults("boom")


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_each_fault_gives_its_outcome(web, fault):
    web.reset()
    assert observe(web, fault) == fault.outcome


def test_column_lists_every_column_fault_the_way_govarchive_reads_it(web):
    answer = fetch(web, hw.COLUMN_PATH)
    assert answer.status == 200 and answer.error is None
    page = PageInput(url=web.url(hw.COLUMN_PATH), status=200, headers=tuple(answer.headers), body=answer.body,
                     capture_id="urn:uuid:test", fetched_at=FETCHED_AT)
    extraction = extract(page)
    followed = {link.url for link in extraction.links if link.kind == "post"}
    assert followed == {web.url(f.path) for f in FAULTS if f.listed}
    titles = {post.url: post.title for post in extraction.posts}
    assert titles[web.url(FAULTS_BY_NAME["hostile_markup"].path)] == hw.MARKUP_TITLE
    assert titles[web.url(FAULTS_BY_NAME["hostile_long_title"].path)] == hw.LONG_TITLE
    text = answer.body.decode("utf-8")
    for href in hw.HOSTILE_LINKS:  # present, and never followed
        assert f'href="{html.escape(href)}"' in text


def test_sources_file_points_at_the_server(web):
    sources = load_sources(hw.SOURCES, web.base_url)
    assert sources["wuchuan-tzgg"].url == web.url(hw.COLUMN_PATH)
    for fault in FAULTS:
        if not fault.listed:
            assert sources[fault.via].url == web.url(fault.path)
            assert sources[fault.via].platform == "weibo"


# -- each fault on the wire -----------------------------------------------------------------------

def test_5xx_storm(web):
    for name, status in (("http_500", 500), ("http_502", 502), ("http_503", 503)):
        for _ in range(3):
            response = get(web, FAULTS_BY_NAME[name].path)
            assert response.status == status
            assert response.getheader("Retry-After") is None
            assert str(status).encode() in response.read()
    response = get(web, FAULTS_BY_NAME["http_503_retry_after"].path)
    assert response.status == 503 and response.getheader("Retry-After") == str(hw.RETRY_AFTER_SECONDS) == "1"


def test_503_twice_then_200(web):
    path = FAULTS_BY_NAME["http_503_then_200"].path
    web.reset()
    assert [get(web, path).status for _ in range(4)] == [503, 503, 200, 200]
    assert web.hits(path) == 4
    web.reset()
    response = get(web, path)
    assert response.status == 503 and web.hits(path) == 1
    assert [get(web, path).status for _ in range(2)] == [503, 200]
    assert meta(get(web, path).read().decode(), "ArticleTitle") == FAULTS_BY_NAME["http_503_then_200"].title


def test_silent_server_never_answers(web):
    answer = fetch(web, FAULTS_BY_NAME["timeout_silent"].path, idle=0.5)
    assert answer.error == "timeout" and answer.head == b""  # nothing at all, and the connection stays open


def test_stall_mid_body(web):
    answer = fetch(web, FAULTS_BY_NAME["timeout_mid_body"].path, idle=0.5)
    assert answer.status == 200 and answer.header("Content-Length") == str(hw.STALL_CONTENT_LENGTH)
    assert answer.error == "timeout"
    assert answer.body_bytes == hw.STALL_SENT_BYTES < hw.STALL_CONTENT_LENGTH


def test_reset_mid_body_is_an_rst(web):
    with socket.create_connection((web.host, web.port), timeout=5) as sock:
        sock.sendall(f"GET {FAULTS_BY_NAME['reset_mid_body'].path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        with pytest.raises(ConnectionResetError):  # a FIN would end this loop with b"" instead
            while True:
                chunk = sock.recv(65536)
                assert chunk, "the server closed with a FIN, not an RST"
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Content-Length: 4096" in head and len(body) == hw.RESET_SENT_BYTES < hw.RESET_CONTENT_LENGTH


def test_slow_trickle_completes(web):
    start = time.monotonic()
    answer = fetch(web, FAULTS_BY_NAME["slow_trickle"].path, idle=2.0)
    elapsed = time.monotonic() - start
    assert answer.error is None and answer.body == hw.slow_body()
    assert int(answer.header("Content-Length")) == len(hw.slow_body())
    # the server sleeps 0.1 s before each of its pieces: a lower bound, never an upper one
    assert elapsed >= 0.8 * hw.SLOW_SECONDS
    assert len(hw.slow_body()) / hw.SLOW_PIECES < 50  # a few dozen bytes per piece


def test_redirect_loop_and_self_redirect(web):
    first = fetch(web, FAULTS_BY_NAME["redirect_loop"].path)
    assert first.status == 302 and first.header("Location") == web.url("/loop/a")
    a = fetch(web, "/loop/a")
    assert a.status == 302 and a.header("Location") == web.url("/loop/b")
    b = fetch(web, "/loop/b")
    assert b.status == 302 and b.header("Location") == "/loop/a"
    path = FAULTS_BY_NAME["redirect_self"].path
    self_redirect = fetch(web, path)
    assert self_redirect.status == 301 and self_redirect.header("Location") == web.url(path)


def test_gzip_bomb_is_small_and_inflates_to_a_gibibyte_of_zeros(web):
    answer = fetch(web, FAULTS_BY_NAME["gzip_bomb"].path)
    assert answer.error is None and answer.header("Content-Encoding") == "gzip"
    assert answer.header("Content-Type").startswith("text/html")
    assert len(answer.body) == int(answer.header("Content-Length")) < 2_000_000
    assert answer.body == hw.gzip_bomb()
    assert answer.body[:3] == b"\x1f\x8b\x08"
    crc, size = struct.unpack("<II", answer.body[-8:])
    assert size == hw.BOMB_INFLATED_BYTES & 0xFFFFFFFF == 1 << 30
    # a client with a 50 MB limit inflates zeros past its limit: the first 64 MiB
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    assert inflater.decompress(answer.body, 64 << 20) == bytes(64 << 20)
    # and the rest is the same: the deflate stream is one block of 1 MiB of zeros, fully flushed (so it refers
    # to nothing before it), 1024 times, then an empty final block and the trailer of 1 GiB of zeros
    count = hw.BOMB_INFLATED_BYTES >> 20
    size, rest = divmod(len(answer.body) - 10 - 2 - 8, count)
    assert rest == 0
    block = answer.body[10:10 + size]
    block_inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    assert block_inflater.decompress(block) == bytes(1 << 20) and block_inflater.unconsumed_tail == b""
    assert answer.body == answer.body[:10] + block * count + b"\x03\x00" + answer.body[-8:]
    zeros, expected_crc = bytes(1 << 20), 0
    for _ in range(count):
        expected_crc = zlib.crc32(zeros, expected_crc)
    assert crc == expected_crc


@pytest.mark.parametrize("name", ["huge_body", "huge_body_unannounced"])
def test_huge_body_streams_200_mib(web, name):
    answer = fetch(web, FAULTS_BY_NAME[name].path, limit=1 << 40, keep=1 << 16, idle=5)
    if name == "huge_body":
        assert answer.header("Content-Length") == "209715200" == str(hw.HUGE_BODY_BYTES)
    else:
        assert answer.header("Content-Length") is None
    assert answer.error is None and answer.body_bytes == hw.HUGE_BODY_BYTES
    assert answer.body.startswith(hw.HUGE_LINE * 3)


def test_malformed_html(web):
    unclosed = get(web, FAULTS_BY_NAME["html_unclosed"].path).read().decode()
    body = unclosed.split("<body>", 1)[1]
    assert "<div" in body and "<p>" in body and "</" not in body and "</head>" not in unclosed
    nesting = get(web, FAULTS_BY_NAME["html_broken_nesting"].path).read().decode()
    assert "</b></i>" in nesting and "<p><div>" in nesting and "</div></div></span>" in nesting
    response = get(web, FAULTS_BY_NAME["html_truncated"].path)
    truncated = response.read()
    assert int(response.getheader("Content-Length")) == len(truncated)  # a complete response …
    assert truncated.endswith(b'<a href="/xxgk/tz') and b"</html>" not in truncated  # … of a cut document
    for name in ("html_unclosed", "html_broken_nesting", "html_truncated"):
        text = get(web, FAULTS_BY_NAME[name].path).read().decode()
        assert meta(text, "ArticleTitle") == FAULTS_BY_NAME[name].title


@pytest.mark.parametrize("name", ["json_invalid", "json_truncated", "weibo_api_invalid", "weibo_api_truncated"])
def test_malformed_json(web, name):
    response = get(web, FAULTS_BY_NAME[name].path)
    assert response.status == 200 and response.getheader("Content-Type") == "application/json; charset=utf-8"
    body = response.read()
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert body in (hw.INVALID_JSON.encode(), hw.TRUNCATED_JSON.encode())
    if "truncated" in name:
        assert body.endswith("雾川县".encode()) and body.startswith(b'{"ok": 1')


def test_lying_charsets(web):
    response = get(web, FAULTS_BY_NAME["charset_header_utf8_body_gbk"].path)
    body = response.read()
    assert response.getheader("Content-Type") == "text/html; charset=UTF-8" and b"charset" not in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert meta(body.decode("gbk"), "ArticleTitle") == FAULTS_BY_NAME["charset_header_utf8_body_gbk"].title

    response = get(web, FAULTS_BY_NAME["charset_meta_gbk_body_utf8"].path)
    body = response.read()
    assert response.getheader("Content-Type") == "text/html" and b'<meta charset="gbk">' in body
    assert meta(body.decode("utf-8"), "ArticleTitle") == FAULTS_BY_NAME["charset_meta_gbk_body_utf8"].title

    response = get(web, FAULTS_BY_NAME["charset_unknown"].path)
    body = response.read()
    assert response.getheader("Content-Type") == "text/html; charset=x-wuchuan" and b"charset" not in body
    with pytest.raises(LookupError):
        "".encode("x-wuchuan")
    assert meta(body.decode("utf-8"), "ArticleTitle") == FAULTS_BY_NAME["charset_unknown"].title

    response = get(web, FAULTS_BY_NAME["charset_invalid_bytes"].path)
    body = response.read()
    assert response.getheader("Content-Type") == "text/html; charset=utf-8" and b'<meta charset="utf-8">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    for bad in (b"\xff\xfe\xc3\x28", b"\x80\xe9\x9b"):
        assert body.count(bad) == 1
    text = body.decode("utf-8", "replace")
    assert meta(text, "ArticleTitle") == FAULTS_BY_NAME["charset_invalid_bytes"].title  # the title is valid


def test_nul_bytes(web):
    body = get(web, FAULTS_BY_NAME["nul_in_html"].path).read().decode()
    title = re.search(r"<title>(.*?)</title>", body, re.DOTALL).group(1)
    assert "\x00" in title and "\x00" in meta(body, "ArticleTitle") and "第一段\x00文字" in body
    answer = fetch(web, FAULTS_BY_NAME["nul_in_header"].path)
    assert b"\r\nX-Wuchuan-Trace: abc\x00def\r\n" in answer.head and answer.error is None and answer.status == 200


def test_hostile_strings(web):
    body = get(web, FAULTS_BY_NAME["hostile_markup"].path).read().decode()
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in body
    assert meta(body, "ArticleTitle") == hw.MARKUP_TITLE
    for live in ("<script>alert(3)</script>", '<img src="x" onerror="alert(4)">', '<svg onload="alert(5)">',
                 '<iframe src="javascript:alert(6)">', '<a href="javascript:alert(7)">'):
        assert live in body
    body = get(web, FAULTS_BY_NAME["hostile_sql"].path).read().decode()
    assert meta(body, "ArticleTitle") == hw.SQL_TITLE and "'; drop table posts; --" in hw.SQL_TITLE
    assert "&#x27;); DELETE FROM captures; --" in body
    body = get(web, FAULTS_BY_NAME["hostile_rtl"].path).read().decode()
    assert all(ch in meta(body, "ArticleTitle") for ch in "\u202e\u200b\u200d\u2066\ufeff")
    body = get(web, FAULTS_BY_NAME["hostile_long_title"].path).read().decode()
    assert meta(body, "ArticleTitle") == hw.LONG_TITLE
    assert hw.LONG_TITLE_BYTES - 3 < len(hw.LONG_TITLE.encode()) <= hw.LONG_TITLE_BYTES


def test_path_traversal_is_answered_by_an_article_never_a_file(web):
    fault = FAULTS_BY_NAME["hostile_traversal"]
    web.reset()
    response = get(web, fault.path)
    body = response.read().decode()
    assert response.status == 200 and meta(body, "ArticleTitle") == fault.title and "root:" not in body
    assert web.requests == [fault.path]  # recorded raw, still percent-encoded
    for target in ("/etc/passwd", "/xxgk/tzgg/../../../../etc/passwd", "/xxgk/tzgg/%2e%2e%2f%2e%2e%2fetc%2fpasswd"):
        response = get(web, target)
        assert response.status == 404 and b"root:" not in response.read()


def test_long_url_is_served(web):
    fault = FAULTS_BY_NAME["hostile_long_url"]
    query = urlsplit(fault.path).query
    assert len(query) == hw.LONG_URL_QUERY_BYTES and len(web.url(fault.path)) > URL_LIMIT
    answer = fetch(web, fault.path)  # a request line of 30 KB
    assert answer.status == 200 and answer.error is None
    assert meta(answer.body.decode(), "ArticleTitle") == fault.title
    column = fetch(web, hw.COLUMN_PATH).body.decode()
    assert f'href="./202611/t20261101_9006.html?{query}"' in column


def test_unknown_paths_are_404_and_robots_allows_the_crawl(web):
    response = get(web, "/no/such/page.html")
    assert response.status == 404 and "页面不存在".encode() in response.read()
    response = get(web, "/robots.txt")
    assert response.status == 200 and response.read() == b"User-agent: *\nDisallow: /private/\n"


def test_normal_articles(web):
    response = get(web, FAULTS_BY_NAME["normal_gbk"].path)
    assert response.getheader("Content-Type") == "text/html; charset=GBK"
    assert meta(response.read().decode("gbk"), "ArticleTitle") == FAULTS_BY_NAME["normal_gbk"].title
    response = get(web, FAULTS_BY_NAME["normal_utf8"].path)
    assert meta(response.read().decode("utf-8"), "ArticleTitle") == FAULTS_BY_NAME["normal_utf8"].title
    response = get(web, FAULTS_BY_NAME["normal_gzip"].path)
    assert response.getheader("Content-Encoding") == "gzip"
    assert meta(gzip.decompress(response.read()).decode(), "ArticleTitle") == FAULTS_BY_NAME["normal_gzip"].title


def test_stop_ends_stalled_connections():
    server = HostileWeb().start()
    sock = socket.create_connection((server.host, server.port), timeout=5)
    sock.sendall(f"GET {FAULTS_BY_NAME['timeout_silent'].path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    sock.settimeout(0.3)
    with pytest.raises(TimeoutError):
        sock.recv(1)
    server.stop()
    sock.settimeout(5)
    assert sock.recv(1) == b""  # the stalled handler saw the stop and closed its connection
    sock.close()
