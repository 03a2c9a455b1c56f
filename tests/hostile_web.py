"""A hostile web for fault tests: 雾川县, a fictional county whose portal misbehaves in every way a real one can.

``HostileWeb`` is a loopback HTTP server (127.0.0.1, port 0 by default) written on raw sockets, so it can
do what HTTP libraries refuse to: stall, reset, lie about lengths and charsets, trickle, send NUL bytes in
a header. Use it like ``govarchive.demo.DemoWeb``::

    with HostileWeb() as web:
        crawl(... "-a", f"sources={SOURCES}", "-a", f"base_url={web.base_url}" ...)

    python tests/hostile_web.py [--port 8766]      # serve it until Ctrl-C

It serves a small government portal that govarchive's ``portal`` spider understands: the 通知公告 column
at ``/xxgk/tzgg/`` (:data:`COLUMN_PATH`, the same markup as the demo's: meta ``SiteName``/``ColumnName``,
a ``<ul class="list-ul">`` of ``<li><span class="date">…</span><a href="./202611/t20261101_NNNN.html"
title="…">…</a></li>``), whose every article link is one fault, and article pages with the national meta
tags (``ArticleTitle``, ``PubDate``, ``ContentSource``) and the text in ``#zoom``. ``SOURCES``
(``tests/fixtures/hostile/sources.toml``) lists the column and two Weibo-API-shaped start URLs; pass
``-a base_url=web.base_url`` to point it at the server.

Every connection carries one exchange: the server reads one request and answers with ``Connection:
close`` (or never answers). Well-behaved answers carry ``Content-Length``.

The faults (:data:`FAULTS`: name, request path, expected outcome; articles ``t20261101_NNNN.html`` under
``/xxgk/tzgg/202611/``), what each does on the wire:

normal articles (outcome ``ok``): they must still be archived, proving the crawl goes on
    ``normal_gbk`` 1001     a GBK article, ``charset=GBK`` in the header and the meta tag (listed first)
    ``normal_utf8`` 1002    a UTF-8 article (listed in the middle)
    ``normal_gzip`` 1003    a UTF-8 article sent with ``Content-Encoding: gzip`` (listed last)
5xx storm
    ``http_500`` 2001, ``http_502`` 2002, ``http_503`` 2003: that status with a small error page, every time
    ``http_503_then_200`` 2004: 503 on the first two requests (per server, counted since start or
        :meth:`HostileWeb.reset`), then a normal article: retries recover (needs ``RETRY_TIMES`` ≥ 2)
    ``http_503_retry_after`` 2005: 503 with ``Retry-After: 1`` (:data:`RETRY_AFTER_SECONDS`), every time
timeouts (a client's ``DOWNLOAD_TIMEOUT``, e.g. 2 s, must end them)
    ``timeout_silent`` 3001: reads the request, then sends nothing until the client hangs up
    ``timeout_mid_body`` 3002: status line and headers with ``Content-Length: 4096``, 512 bytes of the
        body, then nothing until the client hangs up
connection reset (outcome ``connection_lost``)
    ``reset_mid_body`` 3003: headers with ``Content-Length: 4096``, 1024 bytes of the body, then (0.2 s
        later, so the bytes are delivered first) close with ``SO_LINGER`` 0: a TCP RST, not a FIN
slow
    ``slow_trickle`` 3004: headers at once, then the article's body in :data:`SLOW_PIECES` (12) pieces of a
        few dozen bytes, one every 0.1 s: complete after about :data:`SLOW_SECONDS` (1.2 s), so a client
        whose ``DOWNLOAD_TIMEOUT`` is ≥ 2 s gets the whole page (outcome ``ok``)
redirects
    ``redirect_loop`` 4001: 302 to ``/loop/a`` (absolute URL); ``/loop/a`` 302 → ``/loop/b`` (absolute),
        ``/loop/b`` 302 → ``/loop/a`` (relative Location), forever
    ``redirect_self`` 4002: 301 whose ``Location`` is its own URL
size
    ``gzip_bomb`` 5001: ``Content-Encoding: gzip``, ``Content-Type: text/html``, a body of about 1 MB
        (:func:`gzip_bomb`, built once per process and cached) that inflates to 1 GiB of zero bytes
        (:data:`BOMB_INFLATED_BYTES`); sent whatever the request's ``Accept-Encoding``
    ``huge_body`` 5002: ``Content-Length: 209715200`` (200 MiB, :data:`HUGE_BODY_BYTES`) of generated
        ``text/html`` (a repeated ``<p>…</p>`` line), streamed in 64 KiB chunks, never held in memory
    ``huge_body_unannounced`` 5003: the same 200 MiB without ``Content-Length`` (delimited by closing the
        connection), so a size limit can only be enforced while reading
malformed documents (outcome ``ok``: complete responses whose content is broken)
    ``html_unclosed`` 6001: no ``</head>``, and no closing tag anywhere after ``<body>`` (``<div>``, ``<h1>``,
        ``<p>``, ``<b>``, ``<ul>``, ``<body>``, ``<html>``)
    ``html_broken_nesting`` 6002: ``<b><i>…</b></i>``, ``<p><div>…</p></div>``, ``<td>`` outside a table,
        stray ``</div></div></span>``, a ``<table>`` holding a bare ``<p>``, an unquoted attribute with ``<``
    ``html_truncated`` 6003: the document stops in the middle of a tag (``<a href="/xxgk/tz``); the
        ``Content-Length`` matches, so the response itself is complete
    ``json_invalid`` 6004: ``Content-Type: application/json`` on an article URL, a body that is not JSON
        (single quotes, bare keys, trailing commas, ``undefined``)
    ``json_truncated`` 6005: ``application/json``, a body cut in the middle of a string
    ``weibo_api_invalid``, ``weibo_api_truncated``: the same two bodies at an m.weibo.cn-shaped API URL
        (``/api/container/getIndex?type=uid&value=61000000NN``), start URLs of ``SOURCES``, so that
        govarchive's Weibo JSON parser reads them
lying charsets
    ``charset_header_utf8_body_gbk`` 7001: ``Content-Type: text/html; charset=UTF-8``, no meta charset,
        the body is GBK
    ``charset_meta_gbk_body_utf8`` 7002: ``Content-Type: text/html`` (no charset), ``<meta charset="gbk">``,
        the body is UTF-8
    ``charset_unknown`` 7003: ``Content-Type: text/html; charset=x-wuchuan`` (no such codec), no meta
        charset, the body is UTF-8
    ``charset_invalid_bytes`` 7004: declared UTF-8 (header and meta), the body is UTF-8 with invalid
        sequences in the text (``\\xff``, ``\\xc3\\x28``, a lone ``\\x80``, a cut 3-byte sequence); the title
        is valid
NUL bytes
    ``nul_in_html`` 8001: NUL bytes in ``<title>``, the ``ArticleTitle`` meta and the text
    ``nul_in_header`` 8002: a normal article with the header ``X-Wuchuan-Trace: abc<NUL>def``
hostile strings (all outcome ``ok`` but one)
    ``hostile_markup`` 9001: the title (escaped in ``<title>`` and the meta, so its text really is
        ``<script>alert(1)</script><img src=x onerror=alert(2)>…``); in the body a live ``<script>``,
        ``<img onerror>``, ``<svg onload>``, ``<iframe src="javascript:…">`` and a ``javascript:`` link
    ``hostile_sql`` 9002: a title with ``'; drop table posts; --`` and text with SQL and FTS syntax
        (``" OR 1=1 --``, ``NEAR(``, ``*``, unbalanced quotes)
    ``hostile_rtl`` 9003: a title and text with U+202E (right-to-left override), U+200B, U+200D, U+2066
        and U+FEFF in the middle of words
    ``hostile_long_title`` 9004: a title of 200 000 bytes of UTF-8 (:data:`LONG_TITLE_BYTES`), also as the
        listing link's text and ``title``
    ``hostile_traversal`` 9005: an article under ``202611/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd/``
        (percent-encoded ``../``); the server answers it with a normal article and never reads a file
    ``hostile_long_url`` 9006: an article URL with a 30 000-byte query string (:data:`LONG_URL_QUERY_BYTES`);
        outcome ``url_too_long``: longer than Scrapy's default ``URLLENGTH_LIMIT`` (2083), so a default
        crawl never requests it; a client that sends it anyway (a request line of 30 KB) gets a normal article

The column page also holds links a crawler must not follow, in :data:`HOSTILE_LINKS` (``javascript:``,
``../../../../etc/passwd`` and its ``%2e%2e%2f`` spelling, ``file:///etc/passwd``, a ``data:`` URL): the
server answers ``/etc/passwd`` and anything else unknown with a 404 page.

Outcome vocabulary (:data:`OUTCOMES`): what a client like Scrapy with ``DOWNLOAD_TIMEOUT`` between 2 and a
few seconds, ``DOWNLOAD_MAXSIZE`` below 200 MiB (e.g. 50 MB), ``RETRY_TIMES`` ≥ 2 and the default
``URLLENGTH_LIMIT`` gets:

    ok                       a complete 2xx response (after retries, for ``http_503_then_200``)
    http_error               a 5xx status on every attempt
    timeout                  no complete response before the client's timeout
    connection_lost          the connection reset (RST) before the announced body was complete
    too_large                a body larger than the client's size limit (announced or not)
    decompression_too_large  a small body that inflates beyond the client's size limit
    redirect_loop            redirects that come back to a URL already visited
    url_too_long             a URL longer than the client's URL length limit: never requested

The words for fetches that give no page (``timeout``, ``connection_lost``, ``too_large``,
``decompression_too_large``, ``redirect_loop``, ``url_too_long``) are those of the ``error`` column of
govarchive's ``fetch_failures`` (govarchive/core/failures.py), so a fault test can compare them directly.

:attr:`HostileWeb.requests` lists every request target received (raw, as sent), :meth:`HostileWeb.hits`
counts one path's requests, :meth:`HostileWeb.reset` forgets both and restarts the 503-then-200 counter.
"""

from __future__ import annotations

import argparse
import gzip
import html
import select
import socket
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self
from urllib.parse import unquote, urlsplit

from govarchive.demo.server import serve_until_interrupted

SOURCES = Path(__file__).parent / "fixtures" / "hostile" / "sources.toml"

SITE_NAME = "雾川县人民政府"
SITE_OWNER = "雾川县人民政府办公室"
COLUMN_NAME = "通知公告"
COLUMN_PATH = "/xxgk/tzgg/"
ARTICLE_DIR = COLUMN_PATH + "202611/"

RETRY_AFTER_SECONDS = 1
SLOW_PIECES = 12
SLOW_INTERVAL = 0.1
SLOW_SECONDS = SLOW_PIECES * SLOW_INTERVAL
STALL_CONTENT_LENGTH = 4096
STALL_SENT_BYTES = 512
RESET_CONTENT_LENGTH = 4096
RESET_SENT_BYTES = 1024
BOMB_INFLATED_BYTES = 1 << 30  # 1 GiB of zeros
HUGE_BODY_BYTES = 200 * 1024 * 1024  # 200 MiB
LONG_TITLE_BYTES = 200_000
LONG_URL_QUERY_BYTES = 30_000
NUL_HEADER = ("X-Wuchuan-Trace", "abc\x00def")

OUTCOMES: dict[str, str] = {
    "ok": "a complete 2xx response (after retries, for http_503_then_200)",
    "http_error": "a 5xx status on every attempt",
    "timeout": "no complete response before the client's timeout",
    "connection_lost": "the connection reset (RST) before the announced body was complete",
    "too_large": "a body larger than the client's size limit (announced or not)",
    "decompression_too_large": "a small body that inflates beyond the client's size limit",
    "redirect_loop": "redirects that come back to a URL already visited",
    "url_too_long": "a URL longer than the client's URL length limit: never requested",
}


@dataclass(frozen=True)
class Fault:
    """One misbehaving URL of the hostile web."""

    name: str
    path: str  # the request target (path and query) as a client sends it: base_url + path is the URL
    outcome: str  # a key of OUTCOMES
    title: str | None = None  # the title a 2xx HTML page carries (exactly as served), when there is one
    via: str = "column"  # "column": linked from the 通知公告 column; else the id of its sources.toml entry

    @property
    def listed(self) -> bool:
        return self.via == "column"


def _article(number: int) -> str:
    return f"{ARTICLE_DIR}t20261101_{number:04d}.html"


TRAVERSAL_DIR = ARTICLE_DIR + "%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd/"
LONG_URL_QUERY = "q=" + "雾川".encode().hex().upper() * ((LONG_URL_QUERY_BYTES - 2) // 12)
LONG_URL_QUERY += "A" * (LONG_URL_QUERY_BYTES - len(LONG_URL_QUERY))


def _long_title() -> str:
    unit = "雾川县关于进一步加强和改进政务新媒体管理工作的通知（很长的标题）"
    text = unit * (LONG_TITLE_BYTES // len(unit.encode()) + 1)
    data = text.encode()[:LONG_TITLE_BYTES]
    return data.decode("utf-8", "ignore")


LONG_TITLE = _long_title()
MARKUP_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>雾川县关于“清朗”专项行动的通知"
SQL_TITLE = "雾川县通知'; drop table posts; --"
RTL_TITLE = "雾川县\u202e告公\u202c关于\u200b调整\u200d办事\u2066大厅\u2069作息\ufeff时间的通知"
NUL_TITLE = "雾川县关于\x00停水的\x00通知"

FAULTS: tuple[Fault, ...] = (
    Fault("normal_gbk", _article(1001), "ok", "雾川县关于做好2026年冬季森林防火工作的通知"),
    Fault("http_500", _article(2001), "http_error"),
    Fault("http_502", _article(2002), "http_error"),
    Fault("http_503", _article(2003), "http_error"),
    Fault("http_503_then_200", _article(2004), "ok", "雾川县关于城区供水管网改造期间临时停水的公告"),
    Fault("http_503_retry_after", _article(2005), "http_error"),
    Fault("timeout_silent", _article(3001), "timeout"),
    Fault("timeout_mid_body", _article(3002), "timeout"),
    Fault("reset_mid_body", _article(3003), "connection_lost"),
    Fault("slow_trickle", _article(3004), "ok", "雾川县慢速通知"),
    Fault("redirect_loop", _article(4001), "redirect_loop"),
    Fault("redirect_self", _article(4002), "redirect_loop"),
    Fault("gzip_bomb", _article(5001), "decompression_too_large"),
    Fault("normal_utf8", _article(1002), "ok", "雾川县2026年第四季度政府信息公开工作情况"),
    Fault("huge_body", _article(5002), "too_large"),
    Fault("huge_body_unannounced", _article(5003), "too_large"),
    Fault("html_unclosed", _article(6001), "ok", "雾川县关于开展冬季安全生产大检查的通知"),
    Fault("html_broken_nesting", _article(6002), "ok", "雾川县关于公布第二批县级非物质文化遗产名录的通知"),
    Fault("html_truncated", _article(6003), "ok", "雾川县关于2027年元旦放假安排的通知"),
    Fault("json_invalid", _article(6004), "ok"),
    Fault("json_truncated", _article(6005), "ok"),
    Fault("weibo_api_invalid", "/api/container/getIndex?type=uid&value=6100000001", "ok", via="wuchuan-weibo-invalid"),
    Fault("weibo_api_truncated", "/api/container/getIndex?type=uid&value=6100000002", "ok",
          via="wuchuan-weibo-truncated"),
    Fault("charset_header_utf8_body_gbk", _article(7001), "ok", "雾川县关于调整城乡居民医疗保险缴费标准的通知"),
    Fault("charset_meta_gbk_body_utf8", _article(7002), "ok", "雾川县关于印发《雾川县河长制工作方案》的通知"),
    Fault("charset_unknown", _article(7003), "ok", "雾川县关于征集2027年民生实事项目的公告"),
    Fault("charset_invalid_bytes", _article(7004), "ok", "雾川县关于开展农村人居环境整治的通知"),
    Fault("nul_in_html", _article(8001), "ok", NUL_TITLE),
    Fault("nul_in_header", _article(8002), "ok", "雾川县关于冬季供暖保障工作的通知"),
    Fault("hostile_markup", _article(9001), "ok", MARKUP_TITLE),
    Fault("hostile_sql", _article(9002), "ok", SQL_TITLE),
    Fault("hostile_rtl", _article(9003), "ok", RTL_TITLE),
    Fault("hostile_long_title", _article(9004), "ok", LONG_TITLE),
    Fault("hostile_traversal", TRAVERSAL_DIR + "t20261101_9005.html", "ok", "雾川县关于规范政府网站链接的通知"),
    Fault("hostile_long_url", _article(9006) + "?" + LONG_URL_QUERY, "url_too_long",
          "雾川县关于网址过长问题的说明"),
    Fault("normal_gzip", _article(1003), "ok", "关于雾川县城区部分路段临时交通管制的通告"),
)
FAULTS_BY_NAME: dict[str, Fault] = {f.name: f for f in FAULTS}
NORMAL: tuple[Fault, ...] = tuple(f for f in FAULTS if f.name.startswith("normal_"))

# Links in the column page a crawler must not follow (not articles of the column, or not http at all).
HOSTILE_LINKS: tuple[str, ...] = (
    "../../../../etc/passwd",
    "/xxgk/tzgg/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert('雾川')",
    "file:///etc/passwd",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
)


def faults(outcome: str) -> tuple[Fault, ...]:
    """The faults whose expected outcome is ``outcome`` (a key of :data:`OUTCOMES`)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r} (known: {', '.join(OUTCOMES)})")
    return tuple(f for f in FAULTS if f.outcome == outcome)


# -- pages ------------------------------------------------------------------------------------------

def esc(text: str) -> str:
    return html.escape(text, quote=True)


def gov_page(title: str, metas: list[tuple[str, str]], body: str, charset_tag: str = '<meta charset="utf-8">',
             title_html: str | None = None) -> str:
    """A 雾川县 portal page: the markup of the demo's portal (header, nav, breadcrumbs, footer)."""
    meta_html = "\n".join(f'<meta name="{name}" content="{esc(value)}">' for name, value in metas)
    return f"""<!DOCTYPE html>
<html>
<head>
{charset_tag}
<title>{esc(title) if title_html is None else title_html}</title>
{meta_html}
</head>
<body>
<div class="top"><div class="w1200"><span class="site-logo">{SITE_NAME}</span></div></div>
<div class="nav"><ul class="w1200">
  <li><a href="/">首页</a></li>
  <li><a href="{COLUMN_PATH}">{COLUMN_NAME}</a></li>
</ul></div>
<div class="main w1200">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN_PATH}">{COLUMN_NAME}</a></div>
{body}
</div>
<div class="footer">主办单位：{SITE_OWNER}&nbsp;&nbsp;网站标识码：5399000001</div>
</body>
</html>
"""


def site_metas() -> list[tuple[str, str]]:
    return [("SiteName", SITE_NAME), ("SiteDomain", "www.wuchuan.gov.cn"), ("SiteIDCode", "5399000001"),
            ("ColumnName", COLUMN_NAME), ("ColumnDescription", "雾川县人民政府通知公告"),
            ("ColumnKeywords", "通知,公告")]


def article_metas(title: str) -> list[tuple[str, str]]:
    return site_metas() + [("ArticleTitle", title), ("PubDate", "2026-11-01 09:00:00"),
                           ("ContentSource", SITE_OWNER)]


DEFAULT_PARAGRAPHS = (
    "各乡镇人民政府，县政府各部门：",
    "现将有关事项通知如下，请结合实际认真贯彻执行。",
    "特此通知。",
)


def article_html(title: str, paragraphs: tuple[str, ...] = DEFAULT_PARAGRAPHS, charset_tag: str = '<meta charset="utf-8">',
                 extra_body: str = "") -> str:
    text = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    body = f"""<div class="article">
<h1 class="article-title">{esc(title)}</h1>
<div class="article-info">发布时间：2026-11-01 09:00&nbsp;&nbsp;来源：{SITE_OWNER}</div>
<div id="zoom" class="article-content">
{text}
{extra_body}
<p style="text-align: right;">{SITE_OWNER}</p>
</div>
</div>"""
    return gov_page(f"{title}_{SITE_NAME}", article_metas(title), body, charset_tag)


def column_html() -> str:
    items = []
    for fault in FAULTS:
        if not fault.listed:
            continue
        href = "./" + fault.path[len(COLUMN_PATH):]
        label = fault.title or f"雾川县测试通知（{fault.name}）"
        items.append(f'  <li><span class="date">2026-11-01</span><a href="{esc(href)}" target="_blank" '
                     f'title="{esc(label)}">{esc(label)}</a></li>')
    for n, href in enumerate(HOSTILE_LINKS):
        items.append(f'  <li><span class="date">2026-10-31</span><a href="{esc(href)}">相关链接{n + 1}</a></li>')
    body = f"""<div class="lm-title"><span>{COLUMN_NAME}</span></div>
<ul class="list-ul">
{chr(10).join(items)}
</ul>
<div class="page">共1页&nbsp;<span class="current">1</span></div>"""
    return gov_page(f"{COLUMN_NAME}_{SITE_NAME}", site_metas(), body)


def home_html() -> str:
    body = f'<p><a href="{COLUMN_PATH}">{COLUMN_NAME}</a></p>'
    return gov_page(SITE_NAME, site_metas()[:3], body)


def not_found_html() -> str:
    return gov_page(f"页面不存在_{SITE_NAME}", site_metas()[:3],
                    '<div class="err404"><h2>抱歉，您访问的页面不存在或已被删除！</h2></div>')


def error_html(status: int) -> str:
    return (f"<html><head><title>{status} Error</title></head><body><center><h1>{status} Error</h1></center>"
            f"<hr><center>wuchuan-gateway</center></body></html>\r\n")


def _title(name: str) -> str:
    title = FAULTS_BY_NAME[name].title
    assert title is not None
    return title


def html_unclosed() -> str:
    title = _title("html_unclosed")
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{esc(title)}</title>\n'
            + "\n".join(f'<meta name="{n}" content="{esc(v)}">' for n, v in article_metas(title))
            + f'\n<body>\n<div class="main">\n<div class="article">\n<h1>{esc(title)}\n'
            '<div id="zoom" class="article-content">\n<p>各乡镇人民政府，县政府各部门：\n'
            '<p>为切实做好冬季安全生产工作，<b>县政府决定开展大检查\n<ul><li>检查范围：全县\n<li>检查时间：十一月\n'
            '<p>特此通知。\n<div class="footer">雾川县人民政府办公室\n')


def html_broken_nesting() -> str:
    title = _title("html_broken_nesting")
    body = """<div class="article"><h1 class="article-title"><b><i>{title}</b></i></h1>
</div></div></span>
<div id="zoom" class="article-content"><p><div>各乡镇人民政府，县政府各部门：</p></div>
<td>经县人民政府同意，现公布第二批县级非物质文化遗产名录。</td>
<table><p>名录见附件。</p><tr><td>雾川竹编<td>雾川山歌</tr></td></table>
<a href=/xxgk/tzgg/ title=<雾川>>返回</a></li></ul>
<p>特此通知。</div></div></div></body></body></html></html>""".replace("{title}", esc(title))
    return gov_page(f"{title}_{SITE_NAME}", article_metas(title), body)


def html_truncated() -> str:
    page = article_html(_title("html_truncated"), ("经县政府研究，现将2027年元旦放假安排通知如下：",
                                                   "2027年1月1日至3日放假调休，共3天。"))
    cut = page.index("<p style=")
    return page[:cut] + '<p>节假日期间，各单位要妥善安排值班和安全保卫工作。<a href="/xxgk/tz'


INVALID_JSON = """{'title': '雾川县', data: {"cards": [1, 2, 3,], "next": undefined}, "ok": 1,}"""
TRUNCATED_JSON = '{"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": {"id": "5012345678901234", "text": "雾川县'


def _weibo_json(value: str) -> str:
    return INVALID_JSON if value.endswith("1") else TRUNCATED_JSON


def invalid_bytes_body() -> bytes:
    title = _title("charset_invalid_bytes")
    marker = "【坏字节】"
    page = article_html(title, ("各乡镇人民政府：" + marker, "为改善农村人居环境" + marker + "，现通知如下。"))
    head, _, rest = page.encode().partition(marker.encode())
    middle, _, tail = rest.partition(marker.encode())
    return head + b"\xff\xfe\xc3\x28" + middle + b"\x80\xe9\x9b" + tail


# -- the server -----------------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    target: str  # raw, as received
    version: str
    headers: list[tuple[str, str]]

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.target).path)

    @property
    def query(self) -> str:
        return urlsplit(self.target).query

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


Handler = Callable[["_Exchange"], None]


@cache
def gzip_bomb() -> bytes:
    """A gzip member of about 1 MB that inflates to :data:`BOMB_INFLATED_BYTES` zero bytes.

    Built without holding the inflated data: one MiB of zeros compressed after a full flush gives the
    same deflate bytes every time, so the member is that block repeated, then an empty final block and
    the trailer (CRC-32 and length of the inflated data)."""
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == block, "zlib does not repeat a fully flushed block"
    crc = 0
    for _ in range(BOMB_INFLATED_BYTES // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no flags, mtime 0, max compression
    return (header + block * (BOMB_INFLATED_BYTES // len(chunk)) + compressor.flush(zlib.Z_FINISH)
            + struct.pack("<II", crc, BOMB_INFLATED_BYTES & 0xFFFFFFFF))


HUGE_LINE = "<p>雾川县政务公开 超大页面 0123456789</p>\n".encode()
HUGE_CHUNK = (HUGE_LINE * (65536 // len(HUGE_LINE) + 1))[:65536]


class _Exchange:
    """One connection: its request and the ways of answering it."""

    def __init__(self, web: HostileWeb, conn: socket.socket, request: Request) -> None:
        self.web, self.conn, self.request = web, conn, request

    def send(self, data: bytes) -> bool:
        """Send everything unless the client goes away or the server stops (then False)."""
        view = memoryview(data)
        while view:
            if self.web.stopping.is_set():
                return False
            try:
                _, writable, _ = select.select([], [self.conn], [], 0.1)
                if writable:
                    view = view[self.conn.send(view):]
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return False
        return True

    def head(self, status: int, headers: list[tuple[str, str]], body_start: bytes = b"") -> bool:
        """Send the status line and headers (and, in the same write, the first bytes of the body)."""
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}", "Server: WuchuanCMS/3.2",
                 *(f"{k}: {v}" for k, v in headers)]
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body_start)

    def respond(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        headers = [*headers, ("Content-Length", str(len(body))), ("Connection", "close")]
        if self.head(status, headers) and self.request.method != "HEAD":
            self.send(body)

    def html(self, page: str | bytes, status: int = 200, charset: str | None = "utf-8",
             extra: list[tuple[str, str]] = ()) -> None:
        body = page.encode("utf-8") if isinstance(page, str) else page
        ctype = f"text/html; charset={charset}" if charset else "text/html"
        self.respond(status, [("Content-Type", ctype), *extra], body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.respond(status, [("Location", location), ("Content-Type", "text/html")],
                     f'<html><body><a href="{esc(location)}">moved</a></body></html>'.encode())

    def stall(self) -> None:
        """Send nothing more until the client hangs up or the server stops."""
        while not self.web.stopping.is_set():
            try:
                readable, _, _ = select.select([self.conn], [], [], 0.1)
                if readable and not self.conn.recv(65536):
                    return
            except OSError:
                return

    def reset(self) -> None:
        """Close with RST: SO_LINGER on with a zero timeout."""
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.conn.close()


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable"}


def _normal(name: str, charset: str = "utf-8") -> Handler:
    def handler(ex: _Exchange) -> None:
        title = _title(name)
        if charset == "gbk":
            page = article_html(title, charset_tag='<meta http-equiv="Content-Type" content="text/html; charset=gbk">')
            ex.html(page.encode("gbk"), charset="GBK")
        else:
            ex.html(article_html(title))
    return handler


def _gzip_article(ex: _Exchange) -> None:
    body = gzip.compress(article_html(_title("normal_gzip")).encode(), mtime=0)
    ex.respond(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                     ("Vary", "Accept-Encoding")], body)


def _status(code: int, retry_after: bool = False) -> Handler:
    def handler(ex: _Exchange) -> None:
        extra = [("Retry-After", str(RETRY_AFTER_SECONDS))] if retry_after else []
        ex.html(error_html(code), status=code, extra=extra)
    return handler


def _flaky(ex: _Exchange) -> None:
    if ex.web.attempt(ex.request.path) <= 2:
        ex.html(error_html(503), status=503)
    else:
        ex.html(article_html(_title("http_503_then_200")))


def _silent(ex: _Exchange) -> None:
    ex.stall()


def _stall_mid_body(ex: _Exchange) -> None:
    body = article_html("雾川县半截通知", DEFAULT_PARAGRAPHS * 40).encode()
    if ex.head(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(STALL_CONTENT_LENGTH)),
                     ("Connection", "close")], body[:STALL_SENT_BYTES]):
        ex.stall()


def _reset_mid_body(ex: _Exchange) -> None:
    body = article_html("雾川县被重置的通知", DEFAULT_PARAGRAPHS * 40).encode()
    if ex.head(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(RESET_CONTENT_LENGTH)),
                     ("Connection", "close")], body[:RESET_SENT_BYTES]):
        ex.web.stopping.wait(0.2)  # let the bytes reach the client before the RST
        ex.reset()


def slow_body() -> bytes:
    title = _title("slow_trickle")
    return f"""<html><head><meta charset="utf-8"><title>{title}</title>
<meta name="SiteName" content="{SITE_NAME}"><meta name="ColumnName" content="{COLUMN_NAME}">
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2026-11-01 09:00:00"></head>
<body><div id="zoom"><p>本页面以很慢的速度发送。</p><p>特此通知。</p></div></body></html>
""".encode()


def _slow(ex: _Exchange) -> None:
    body = slow_body()
    size = -(-len(body) // SLOW_PIECES)
    if ex.head(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                     ("Connection", "close")]):
        for start in range(0, len(body), size):
            if ex.web.stopping.wait(SLOW_INTERVAL) or not ex.send(body[start:start + size]):
                return


def _bomb(ex: _Exchange) -> None:
    ex.respond(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")], gzip_bomb())


def _huge(announced: bool) -> Handler:
    def handler(ex: _Exchange) -> None:
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Connection", "close")]
        if announced:
            headers.append(("Content-Length", str(HUGE_BODY_BYTES)))
        if not ex.head(200, headers):
            return
        left = HUGE_BODY_BYTES
        while left > 0:
            piece = HUGE_CHUNK if left >= len(HUGE_CHUNK) else HUGE_CHUNK[:left]
            if not ex.send(piece):
                return
            left -= len(piece)
    return handler


def _json(body: str) -> Handler:
    def handler(ex: _Exchange) -> None:
        ex.respond(200, [("Content-Type", "application/json; charset=utf-8")], body.encode())
    return handler


def _weibo_api(ex: _Exchange) -> None:
    value = next((p[6:] for p in ex.request.query.split("&") if p.startswith("value=")), "")
    if value in ("6100000001", "6100000002"):
        ex.respond(200, [("Content-Type", "application/json; charset=utf-8")], _weibo_json(value).encode())
    else:
        ex.respond(200, [("Content-Type", "application/json; charset=utf-8")],
                   b'{"ok": 0, "msg": "\\u8fd9\\u91cc\\u8fd8\\u6ca1\\u6709\\u5185\\u5bb9", "data": {"cards": []}}')


def _header_utf8_body_gbk(ex: _Exchange) -> None:
    page = article_html(_title("charset_header_utf8_body_gbk"), charset_tag="")
    ex.html(page.encode("gbk"), charset="UTF-8")


def _meta_gbk_body_utf8(ex: _Exchange) -> None:
    page = article_html(_title("charset_meta_gbk_body_utf8"), charset_tag='<meta charset="gbk">')
    ex.html(page.encode("utf-8"), charset=None)


def _unknown_charset(ex: _Exchange) -> None:
    ex.html(article_html(_title("charset_unknown"), charset_tag="").encode(), charset="x-wuchuan")


def _invalid_bytes(ex: _Exchange) -> None:
    ex.html(invalid_bytes_body(), charset="utf-8")


def _nul_html(ex: _Exchange) -> None:
    ex.html(article_html(NUL_TITLE, ("第一段\x00文字。", "第二段文字\x00\x00。")))


def _nul_header(ex: _Exchange) -> None:
    ex.html(article_html(_title("nul_in_header")), extra=[NUL_HEADER])


MARKUP_BODY = """<script>alert(3)</script>
<img src="x" onerror="alert(4)">
<svg onload="alert(5)"><circle r="1"/></svg>
<iframe src="javascript:alert(6)"></iframe>
<a href="javascript:alert(7)">点击查看附件</a>
<p onmouseover="alert(8)">"><script>alert(9)</script></p>
<style>body{background:url("javascript:alert(10)")}</style>"""


def _markup(ex: _Exchange) -> None:
    ex.html(article_html(MARKUP_TITLE, ("请勿执行：<script>alert(11)</script>", *DEFAULT_PARAGRAPHS),
                         extra_body=MARKUP_BODY))


def _sql(ex: _Exchange) -> None:
    ex.html(article_html(SQL_TITLE, ("\" OR 1=1 --", "'); DELETE FROM captures; --", "关停 NEAR( 公众号 * \"未闭合",
                                     "Robert'); DROP TABLE accounts;--")))


def _rtl(ex: _Exchange) -> None:
    ex.html(article_html(RTL_TITLE, ("办事大厅\u202e间时息作\u202c自12月1日起调整。", "零宽\u200b字符\u200d在\ufeff这里。")))


def _long_title_page(ex: _Exchange) -> None:
    ex.html(article_html(LONG_TITLE))


def _traversal(ex: _Exchange) -> None:
    ex.html(article_html(_title("hostile_traversal")))


def _long_url(ex: _Exchange) -> None:
    ex.html(article_html(_title("hostile_long_url")))


def _loop_a(ex: _Exchange) -> None:
    ex.redirect(ex.web.url("/loop/b"))


def _loop_b(ex: _Exchange) -> None:
    ex.redirect("/loop/a")


def _self_redirect(ex: _Exchange) -> None:
    ex.redirect(ex.web.url(ex.request.target), status=301)


def _robots(ex: _Exchange) -> None:
    ex.respond(200, [("Content-Type", "text/plain; charset=utf-8")], b"User-agent: *\nDisallow: /private/\n")


HANDLERS: dict[str, Handler] = {
    "normal_gbk": _normal("normal_gbk", "gbk"),
    "normal_utf8": _normal("normal_utf8"),
    "normal_gzip": _gzip_article,
    "http_500": _status(500),
    "http_502": _status(502),
    "http_503": _status(503),
    "http_503_then_200": _flaky,
    "http_503_retry_after": _status(503, retry_after=True),
    "timeout_silent": _silent,
    "timeout_mid_body": _stall_mid_body,
    "reset_mid_body": _reset_mid_body,
    "slow_trickle": _slow,
    "redirect_loop": lambda ex: ex.redirect(ex.web.url("/loop/a")),
    "redirect_self": _self_redirect,
    "gzip_bomb": _bomb,
    "huge_body": _huge(announced=True),
    "huge_body_unannounced": _huge(announced=False),
    "html_unclosed": lambda ex: ex.html(html_unclosed()),
    "html_broken_nesting": lambda ex: ex.html(html_broken_nesting()),
    "html_truncated": lambda ex: ex.html(html_truncated()),
    "json_invalid": _json(INVALID_JSON),
    "json_truncated": _json(TRUNCATED_JSON),
    "weibo_api_invalid": _weibo_api,
    "weibo_api_truncated": _weibo_api,
    "charset_header_utf8_body_gbk": _header_utf8_body_gbk,
    "charset_meta_gbk_body_utf8": _meta_gbk_body_utf8,
    "charset_unknown": _unknown_charset,
    "charset_invalid_bytes": _invalid_bytes,
    "nul_in_html": _nul_html,
    "nul_in_header": _nul_header,
    "hostile_markup": _markup,
    "hostile_sql": _sql,
    "hostile_rtl": _rtl,
    "hostile_long_title": _long_title_page,
    "hostile_traversal": _traversal,
    "hostile_long_url": _long_url,
}
assert set(HANDLERS) == set(FAULTS_BY_NAME), set(HANDLERS) ^ set(FAULTS_BY_NAME)

# Routes by decoded path (the query is ignored, except by the Weibo API handler).
ROUTES: dict[str, Handler] = {
    "/": lambda ex: ex.html(home_html()),
    "/robots.txt": _robots,
    COLUMN_PATH: lambda ex: ex.html(column_html()),
    "/xxgk/tzgg/index.html": lambda ex: ex.html(column_html()),
    "/loop/a": _loop_a,
    "/loop/b": _loop_b,
    **{unquote(urlsplit(f.path).path): HANDLERS[f.name] for f in FAULTS},
}
MAX_REQUEST_BYTES = 1 << 20


class HostileWeb:
    """The hostile web on 127.0.0.1 (port 0: a free one), in daemon threads: one per connection.

    Use as a context manager or ``start()``/``stop()``; ``base_url``, ``url(path)``; ``requests`` (raw
    request targets received, in order), ``hits(path)``, ``reset()``.
    """

    host = "127.0.0.1"

    def __init__(self, port: int = 0) -> None:
        self.requested_port = port
        self.stopping = threading.Event()
        self.requests: list[str] = []
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._listener is not None:
            return self
        gzip_bomb()  # built before the first request, so no client waits for it
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.requested_port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.stopping.clear()
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, name=f"hostile-web-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._listener is None:
            return
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._listener.close()
        self._listener, self._thread = None, None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("HostileWeb is not started")
        return self._listener.getsockname()[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # bookkeeping -------------------------------------------------------------------------------
    def hits(self, path: str) -> int:
        """How many requests had this path (percent-decoded, the query ignored)."""
        wanted = unquote(urlsplit(path).path)
        with self._lock:
            return sum(1 for target in self.requests if unquote(urlsplit(target).path) == wanted)

    def attempt(self, path: str) -> int:
        """Count one more request of ``path`` for a stateful fault; the count after it."""
        with self._lock:
            self._attempts[path] = self._attempts.get(path, 0) + 1
            return self._attempts[path]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._attempts.clear()

    # serving -----------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket) -> Request | None:
        data = b""
        conn.setblocking(False)
        while b"\r\n\r\n" not in data:
            if self.stopping.is_set() or len(data) > MAX_REQUEST_BYTES:
                return None
            readable, _, _ = select.select([conn], [], [], 0.1)
            if not readable:
                continue
            try:
                chunk = conn.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                return None
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        line, *header_lines = head.split("\r\n")
        parts = line.split(" ")
        if len(parts) != 3:
            return None
        headers = [(k.strip(), v.strip()) for k, _, v in (h.partition(":") for h in header_lines)]
        return Request(parts[0], parts[1], parts[2], headers)

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = self._read_request(conn)
            if request is None:
                return
            with self._lock:
                self.requests.append(request.target)
            exchange = _Exchange(self, conn, request)
            handler = ROUTES.get(request.path)
            if handler is None:
                exchange.html(not_found_html(), status=404)
            else:
                handler(exchange)
            if conn.fileno() >= 0:
                conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the hostile 雾川县 web on 127.0.0.1 until Ctrl-C.")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args(argv)
    with HostileWeb(port=args.port) as web:
        serve_until_interrupted(f"hostile web at {web.base_url}/ (sources: {SOURCES}; Ctrl-C to stop)")


if __name__ == "__main__":
    main()
