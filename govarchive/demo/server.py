"""The demo web over HTTP: a pure :func:`render` and :class:`DemoWeb`, a loopback server around it.

``render("/path?query")`` → ``(status, [(header, value), …], body)``: the same bytes on every call.
The server only adds ``Content-Length`` and, when the client accepts it, gzip (``mtime=0``, so
even encoded bodies are stable) for HTML, JSON and text.

    python -m govarchive.demo.server [--port 8765]
"""

from __future__ import annotations

import argparse
import gzip
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

from govarchive.demo import content as c
from govarchive.demo import templates as t

Headers = list[tuple[str, str]]
Response = tuple[int, Headers, bytes]

GBK_HTML = "text/html; charset=GBK"
UTF8_HTML = "text/html; charset=UTF-8"
JSON = "application/json; charset=utf-8"
PNG = "image/png"


def _gbk(body: str, status: int = 200, content_type: str = GBK_HTML) -> Response:
    return status, [("Content-Type", content_type)], body.encode("gbk")


def _utf8(body: str, status: int = 200) -> Response:
    return status, [("Content-Type", UTF8_HTML)], body.encode("utf-8")


def _json(data: object) -> Response:
    return 200, [("Content-Type", JSON)], t.to_json(data)


def _redirect(location: str) -> Response:
    body = t.redirect_page(location).encode("ascii")
    return 301, [("Content-Type", "text/html"), ("Location", location)], body


def not_found() -> Response:
    return _gbk(t.gov_not_found(), 404)


def _wechat_bad_params() -> Response:
    return _utf8(t.wechat_error("参数错误"))


def _wechat_article(q: dict[str, str]) -> Response:
    biz = c.WECHAT_BY_BIZ.get(_decode_biz(q.get("__biz", "")))
    article = c.ARTICLES_BY_ID.get((biz.biz, q.get("mid", ""), q.get("idx", "1"))) if biz else None
    if article is None:
        return _wechat_bad_params()
    if article.deleted:
        return _utf8(t.wechat_deleted())
    return _utf8(t.wechat_article(article))


def _wechat_history(q: dict[str, str]) -> Response:
    account = c.WECHAT_BY_BIZ.get(_decode_biz(q.get("__biz", "")))
    if account is None or q.get("action") != "home":
        return _wechat_bad_params()
    return _utf8(t.wechat_history(account))


def _decode_biz(value: str) -> str:
    for account in c.WECHAT_ACCOUNTS:
        if value.rstrip("=") == account.biz_b64.rstrip("="):
            return account.biz
    return ""


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


_STATIC: dict[str, Callable[[], Response]] = {
    "/": lambda: _gbk(t.portal_home()),
    "/robots.txt": lambda: (200, [("Content-Type", "text/plain; charset=utf-8")], t.robots_txt().encode()),
    "/xxgk/xmt": lambda: _redirect(c.DIRECTORY_PATHS[0]),
    "/xxgk/xmt/": lambda: _redirect(c.DIRECTORY_PATHS[0]),
    "/xxgk/tzgg": lambda: _redirect(c.COLUMN_PATH),
    c.COLUMN_PATH: lambda: _gbk(t.column_page()),
}


def render(path_and_query: str) -> Response:
    """The response to ``GET path_and_query``: (status, header pairs, body bytes). Pure and deterministic."""
    parts = urlsplit(path_and_query)
    path = unquote(parts.path) or "/"
    q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    static = _STATIC.get(path)
    if static is not None:
        return static()
    if path in c.DIRECTORY_PATHS:
        n = c.DIRECTORY_PATHS.index(path)
        # index_1.html: the HTTP header lies (utf-8) about a GBK body that declares gbk itself.
        content_type = "text/html; charset=utf-8" if path == c.LYING_CHARSET_PATH else GBK_HTML
        return _gbk(t.directory_page(n), content_type=content_type)
    if path in c.NOTICES_BY_PATH:
        return _gbk(t.notice_page(c.NOTICES_BY_PATH[path]))
    if path == "/s":
        return _wechat_article(q)
    if path == "/mp/profile_ext":
        return _wechat_history(q)
    if path in c.IMAGES:
        return 200, [("Content-Type", PNG)], t.image_png(c.IMAGES[path])
    if path == "/api/container/getIndex":
        return _weibo_api(q)
    if path == "/statuses/extend":
        return _weibo_long_text(q)
    if path.startswith("/u/") and path[3:].rstrip("/") in c.WEIBO_BY_UID:
        return _utf8(t.weibo_shell(c.WEIBO_BY_UID[path[3:].rstrip("/")]))
    if path.startswith("/douyin/user/") and path[13:].rstrip("/") in c.DOUYIN_BY_SEC_UID:
        return _utf8(t.douyin_shell(c.DOUYIN_BY_SEC_UID[path[13:].rstrip("/")]))
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

    def _respond(self, with_body: bool) -> None:
        status, headers, body = encode(render(self.path), self.headers.get("Accept-Encoding"))
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

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-response is not worth a traceback


class DemoWeb:
    """The demo web on 127.0.0.1, in a daemon thread.

    ``DemoWeb(port=0)`` picks a free port; a busy ``port`` falls back to a free one unless
    ``fallback=False`` (then :class:`OSError`). Use as a context manager or ``start()``/``stop()``.
    """

    host = "127.0.0.1"

    def __init__(self, port: int = 0, fallback: bool = True) -> None:
        self.requested_port = port
        self.fallback = fallback
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
    args = parser.parse_args(argv)
    with DemoWeb(port=args.port) as web:
        print(f"demo web at {web.base_url}/ (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
