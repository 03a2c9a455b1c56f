"""The demo web over HTTP: a pure :func:`render` and :class:`DemoWeb`, a loopback server around it.

``render("/path?query", headers=None, phase=1)`` → ``(status, [(header, value), …], body)``: the same
bytes on every call; of the request headers only ``Cookie`` matters (the MP back-office endpoints).
``phase=2`` serves the same web a few weeks later (:data:`govarchive.demo.content.PHASES`).
The server only adds ``Content-Length`` and, when the client accepts it, gzip (``mtime=0``, so
even encoded bodies are stable) for HTML, JSON and text.

    python -m govarchive.demo.server [--port 8765] [--phase 2]
"""

from __future__ import annotations

import argparse
import gzip
import threading
from collections.abc import Callable, Mapping
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

from govarchive.demo import cms, rendered
from govarchive.demo import content as c
from govarchive.demo import templates as t

Headers = list[tuple[str, str]]
Response = tuple[int, Headers, bytes]

GBK_HTML = "text/html; charset=GBK"
UTF8_HTML = "text/html; charset=UTF-8"
JSON = "application/json; charset=utf-8"
PNG = "image/png"
MPEG = "audio/mpeg"
JS = "application/javascript; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


def _gbk(body: str, status: int = 200, content_type: str = GBK_HTML) -> Response:
    return status, [("Content-Type", content_type)], body.encode("gbk")


def _utf8(body: str, status: int = 200) -> Response:
    return status, [("Content-Type", UTF8_HTML)], body.encode("utf-8")


def _json(data: object) -> Response:
    return 200, [("Content-Type", JSON)], t.to_json(data)


def _wx_json(data: object) -> Response:
    return 200, [("Content-Type", JSON)], t.wechat_json(data)


def _text(body: str, content_type: str) -> Response:
    return 200, [("Content-Type", content_type)], body.encode("utf-8")


def _redirect(location: str) -> Response:
    body = t.redirect_page(location).encode("ascii")
    return 301, [("Content-Type", "text/html"), ("Location", location)], body


def not_found() -> Response:
    return _gbk(t.gov_not_found(), 404)


def _wechat_bad_params() -> Response:
    return _utf8(t.wechat_error("参数错误"))


def _article_response(article: c.WechatArticle, phase: c.Phase) -> Response:
    if phase.is_cancelled(article.biz):
        return _utf8(t.wechat_cancelled())
    if phase.is_deleted(article):
        return _utf8(t.wechat_deleted())
    return _utf8(t.wechat_article(article))


def _history_response(account: c.WechatAccount, phase: c.Phase) -> Response:
    if phase.is_cancelled(account.biz):
        return _utf8(t.wechat_cancelled_history())
    return _utf8(t.wechat_history(account, phase))


def _wechat_article(q: dict[str, str], phase: c.Phase) -> Response:
    if q.get("src") == "3" and "signature" in q:  # a temporary (Sogou-era) link
        result = c.SOGOU_ARTICLE_LINKS.get(_temp_key("s", q))
        if result is None or result.article is None:
            return _utf8(t.wechat_expired())
        return _article_response(result.article, phase)
    biz = _decode_biz(q.get("__biz", ""))
    key = (biz, q.get("mid", ""), q.get("idx", "1"))
    article = phase.article(key)
    if article is not None:
        return _article_response(article, phase)
    unserved = c.UNSERVED_BY_ID.get(key)
    if unserved is None:
        return _wechat_bad_params()
    if unserved is c.CAPTCHA_ARTICLE:
        return _utf8(t.wechat_captcha())
    target = c.TRANSFER_TARGETS[unserved.key]
    return _utf8(t.wechat_migrated(c.ARTICLES_BY_KEY[target] if target else None))


def _temp_key(kind: str, q: dict[str, str]) -> str:
    return (f"/{kind}?src=3&timestamp={q.get('timestamp', '')}&ver={q.get('ver', '')}"
            f"&signature={q.get('signature', '')}")


def _sogou_profile(q: dict[str, str], phase: c.Phase) -> Response:
    result = c.SOGOU_PROFILE_LINKS.get(_temp_key("profile", q))
    if result is None or result.account is None:
        return _utf8(t.wechat_expired())
    return _history_response(result.account, phase)


def _wechat_history(q: dict[str, str], phase: c.Phase) -> Response:
    biz = _decode_biz(q.get("__biz", ""))
    if biz == c.KEPU and q.get("action") == "home":
        return _utf8(t.wechat_migrated_history())
    account = c.WECHAT_BY_BIZ.get(biz)
    if account is None or q.get("action") != "home":
        return _wechat_bad_params()
    return _history_response(account, phase)


def _decode_biz(value: str) -> str:
    for account in (*c.WECHAT_ACCOUNTS, c.KEPU_ACCOUNT):
        if value.rstrip("=") == account.biz_b64.rstrip("="):
            return account.biz
    return ""


def _album(q: dict[str, str]) -> Response:
    if (q.get("action") != "getalbum" or q.get("album_id") != c.ALBUM.album_id
            or _decode_biz(q.get("__biz", "")) != c.ALBUM.biz):
        return _wechat_bad_params()
    if q.get("f") == "json":
        return _wx_json(t.album_json(c.ALBUM, q.get("begin_msgid"), q.get("begin_itemidx")))
    return _utf8(t.album_page(c.ALBUM))


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, int(value or default))
    except ValueError:
        return default


def _mp_authorised(q: dict[str, str], headers: Mapping[str, str] | None) -> bool:
    cookie = next((v for k, v in (headers or {}).items() if k.lower() == "cookie"), "")
    cookies = [part.strip() for part in cookie.split(";")]
    return q.get("token") == c.MP_DEMO_TOKEN and c.MP_DEMO_COOKIE in cookies


def _mp_searchbiz(q: dict[str, str], phase: c.Phase) -> Response:
    if q.get("action") != "search_biz":
        return _wx_json(t.MP_INVALID_ARGS)
    count = _int(q.get("count"), c.MP_PAGE_SIZE)
    return _wx_json(t.mp_searchbiz(q.get("query", ""), _int(q.get("begin"), 0), count, phase))


def _mp_publish(q: dict[str, str], phase: c.Phase) -> Response:
    account = c.WECHAT_BY_BIZ.get(_decode_biz(q.get("fakeid", "")))
    if account is None or q.get("sub") != "list" or phase.is_cancelled(account.biz):
        return _wx_json(t.MP_INVALID_ARGS)
    begin, count = _int(q.get("begin"), 0), _int(q.get("count"), c.MP_PAGE_SIZE)
    return _wx_json(t.mp_publish(account, begin, count, phase))


_FEEDS: dict[str, Callable[[c.Phase], Response]] = {
    c.WECHAT2RSS_FEED.path: lambda phase: _text(t.wechat2rss_feed(c.WECHAT2RSS_FEED, phase), RSS),
    c.COLUMN_FEED.path: lambda phase: _text(t.column_rss(c.COLUMN_FEED), RSS),
    c.QX_FEED.path: lambda phase: _text(t.qx_atom(c.QX_FEED), ATOM),
}


def _weibo_api(q: dict[str, str]) -> Response:
    account = c.WEIBO_BY_UID.get(q.get("value", "")) if q.get("type") == "uid" else None
    if account is None:
        return _json(t.WEIBO_EMPTY)
    containerid = q.get("containerid")
    if not containerid or containerid == f"100505{account.uid}":
        return _json(t.weibo_profile(account))
    if containerid == f"107603{account.uid}":
        return _json(t.weibo_posts(account, q.get("since_id")))
    return _json(t.WEIBO_EMPTY)


def _weibo_long_text(q: dict[str, str]) -> Response:
    post = next((p for p in c.WEIBO_POSTS if p.long_text and p.mid == q.get("id")), None)
    return _json(t.weibo_long_text(post) if post else {"ok": 0, "msg": "这里还没有内容", "data": {}})


def _toutiao_bundle(path: str) -> Response:
    return _text(t.toutiao_bundle(path), JS)


_STATIC: dict[str, Callable[[], Response]] = {
    "/": lambda: _gbk(t.portal_home()),
    "/robots.txt": lambda: (200, [("Content-Type", "text/plain; charset=utf-8")], t.robots_txt().encode()),
    "/xxgk/xmt": lambda: _redirect(c.DIRECTORY_PATHS[0]),
    "/xxgk/xmt/": lambda: _redirect(c.DIRECTORY_PATHS[0]),
    "/xxgk/tzgg": lambda: _redirect(c.COLUMN_PATH),
    c.COLUMN_PATH: lambda: _gbk(t.column_page()),
    c.MATRIX_PATH: lambda: _gbk(t.matrix_page()),
    c.DISTRICT_DIRECTORY_PATH: lambda: _gbk(t.district_directory_page()),
    **{path: partial(_toutiao_bundle, path) for path in c.TOUTIAO_BUNDLES},
}


def render(path_and_query: str, headers: Mapping[str, str] | None = None, phase: int = 1, form: bytes = b"") -> Response:
    """The response to ``GET path_and_query`` (or a POST of ``form``): (status, header pairs, body bytes).
    Pure and deterministic.

    ``headers`` (request headers, optional) matter only to the MP back-office endpoints (``Cookie``);
    ``form`` (a POST's body) only to the Hanweb list proxy (:mod:`govarchive.demo.cms`).
    ``phase`` (a key of :data:`~govarchive.demo.content.PHASES`): 1, the web on ``TODAY``, or 2, the same
    web a few weeks later (``EXPECTED["later"]``).
    """
    state = c.PHASES.get(phase)
    if state is None:
        raise ValueError(f"no demo phase {phase!r} (known: {sorted(c.PHASES)})")
    parts = urlsplit(path_and_query)
    path = unquote(parts.path) or "/"
    q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    static = _STATIC.get(path)
    if static is not None:
        return static()
    other_site = cms.render(path, parts.query, form)
    if other_site is not None:
        return other_site
    scripted = rendered.render(path, q)  # pages whose content their scripts fetch (govarchive/demo/rendered.py)
    if scripted is not None:
        return scripted
    feed = _FEEDS.get(path)
    if feed is not None:
        return feed(state)
    if path in ("/cgi-bin/searchbiz", "/cgi-bin/appmsgpublish"):
        if not _mp_authorised(q, headers):
            return _wx_json(t.MP_INVALID_SESSION)
        return _mp_searchbiz(q, state) if path == "/cgi-bin/searchbiz" else _mp_publish(q, state)
    if path in c.DIRECTORY_PATHS:
        n = c.DIRECTORY_PATHS.index(path)
        # index_1.html: the HTTP header lies (utf-8) about a GBK body that declares gbk itself.
        content_type = "text/html; charset=utf-8" if path == c.LYING_CHARSET_PATH else GBK_HTML
        return _gbk(t.directory_page(n), content_type=content_type)
    if path in c.NOTICES_BY_PATH:
        return _gbk(t.notice_page(c.NOTICES_BY_PATH[path]))
    if path == "/s":
        return _wechat_article(q, state)
    if path == "/mp/profile_ext":
        return _wechat_history(q, state)
    if path == "/profile":
        return _sogou_profile(q, state)
    if path == "/mp/appmsgalbum":
        return _album(q)
    if path == "/voice/getvoice":
        voice = c.VOICES.get(q.get("mediaid", ""))
        return (200, [("Content-Type", MPEG)], t.voice_mp3(voice.fileid)) if voice else not_found()
    if path == "/cgi-bin/readtemplate" and q.get("t") == "tmpl/audio_tmpl":
        return _utf8(t.audio_template(q.get("name", ""), q.get("play_length", "")))
    if path == "/weixin" and q.get("type") == "1":
        return _utf8(t.sogou_search(q.get("query", "")))
    if path in c.QX_BY_PATH:
        return _gbk(t.notice_page(c.QX_BY_PATH[path]))
    image = state.image(path)
    if image is not None:
        return 200, [("Content-Type", PNG)], t.image_png(image)
    if path == "/api/container/getIndex":
        return _weibo_api(q)
    if path == "/statuses/extend":
        return _weibo_long_text(q)
    if path.startswith("/u/") and path[3:].rstrip("/") in c.WEIBO_BY_UID:
        return _utf8(t.weibo_shell(c.WEIBO_BY_UID[path[3:].rstrip("/")]))
    if path.startswith("/douyin/user/") and path[13:].rstrip("/") in c.DOUYIN_BY_SEC_UID:
        return _utf8(t.douyin_shell(c.DOUYIN_BY_SEC_UID[path[13:].rstrip("/")]))
    prefix = "/toutiao/c/user/token/"
    if path.startswith(prefix) and path[len(prefix):].rstrip("/") in c.TOUTIAO_BY_TOKEN:
        return _utf8(t.toutiao_shell(c.TOUTIAO_BY_TOKEN[path[len(prefix):].rstrip("/")]))
    return not_found()


# --------------------------------------------------------------------------------------------------
# Content-Encoding

_COMPRESSIBLE = ("text/", "application/json")


def accepts_gzip(accept_encoding: str | None) -> bool:
    for item in (accept_encoding or "").split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def encode(response: Response, accept_encoding: str | None) -> Response:
    """Gzip an HTML/JSON/text body (``mtime=0``, deterministic) when the client accepts it."""
    status, headers, body = response
    ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
    if not ctype.startswith(_COMPRESSIBLE):
        return response
    headers = [*headers, ("Vary", "Accept-Encoding")]
    if body and accepts_gzip(accept_encoding):
        return status, [*headers, ("Content-Encoding", "gzip")], gzip.compress(body, compresslevel=6, mtime=0)
    return status, headers, body


# --------------------------------------------------------------------------------------------------
# The server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "YunlanDemo/1.0"
    sys_version = ""
    timeout = 30

    def do_GET(self) -> None:  # http.server's naming
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def do_POST(self) -> None:  # the Hanweb list proxy; elsewhere a POST is answered as a GET
        try:
            length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
        except ValueError:
            length = 0
        self._respond(with_body=True, form=self.rfile.read(length) if length else b"")

    def _respond(self, with_body: bool, form: bytes = b"") -> None:
        request_headers = {name: value for name, value in self.headers.items()}
        phase = getattr(self.server, "phase", 1)
        response = render(self.path, request_headers, phase, form)
        status, headers, body = encode(response, self.headers.get("Accept-Encoding"))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests and `make demo` should not print one line per request


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    phase = 1  # the demo phase its handlers render

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-response is not worth a traceback


class DemoWeb:
    """The demo web on 127.0.0.1, in a daemon thread.

    ``DemoWeb(port=0)`` picks a free port; a busy ``port`` falls back to a free one unless
    ``fallback=False`` (then :class:`OSError`). ``phase=2`` serves the web a few weeks later (see
    :func:`render`). Use as a context manager or ``start()``/``stop()``.
    """

    host = "127.0.0.1"

    def __init__(self, port: int = 0, fallback: bool = True, phase: int = 1) -> None:
        if phase not in c.PHASES:
            raise ValueError(f"no demo phase {phase!r} (known: {sorted(c.PHASES)})")
        self.requested_port = port
        self.fallback = fallback
        self.phase = phase
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        try:
            server = _Server((self.host, self.requested_port), _Handler)
        except OSError:
            if not self.fallback or self.requested_port == 0:
                raise
            server = _Server((self.host, 0), _Handler)
        server.phase = self.phase
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"demo-web-{self.port}", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("DemoWeb is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m govarchive.demo.server",
                                     description="Serve the 云岚市 demo web on 127.0.0.1 until Ctrl-C.")
    parser.add_argument("--port", type=int, default=8765, help="port (a free one is used if it is taken)")
    parser.add_argument("--phase", type=int, choices=sorted(c.PHASES), default=1,
                        help="1: the web on 2026-11-20; 2: the same web on 2026-12-15 (accounts "
                             "cancelled, an article deleted, one published)")
    args = parser.parse_args(argv)
    with DemoWeb(port=args.port, phase=args.phase) as web:
        when = "" if args.phase == 1 else f"phase {args.phase}, {c.PHASES[args.phase].today:%Y-%m-%d}; "
        serve_until_interrupted(f"demo web at {web.base_url}/ ({when}Ctrl-C to stop)")


def serve_until_interrupted(line: str) -> None:
    """Say where a loopback web (already serving in its threads) is, then wait for Ctrl-C."""
    print(line, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
