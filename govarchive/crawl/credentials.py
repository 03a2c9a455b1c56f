"""The WeChat MP back-office session: sent only where it belongs, masked wherever it is recorded.

``backoffice`` sources list an account's posts through the 公众号后台 endpoints, which need the
user's own logged-in session: ``GOVARCHIVE_MP_TOKEN`` (the ``token`` URL parameter) and
``GOVARCHIVE_MP_COOKIE`` (the ``Cookie`` header). :class:`MpSessionMiddleware` adds them to
back-office requests only, on mp.weixin.qq.com or a host a ``backoffice`` source names, and
:func:`mask` replaces them by ``REDACTED`` in every capture (WARC-Target-URI, request headers,
``captures.url``) and in the log (:func:`mask_logs`), so an archive and its logs can be shared
without the session.

Stats: ``govarchive/mp_session_missing``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from govarchive.core.config import ArchiveConfig, archive_config
from govarchive.core.failures import Skipped

logger = logging.getLogger(__name__)

MP_HOST = "mp.weixin.qq.com"
BACKOFFICE_PATHS = ("/cgi-bin/searchbiz", "/cgi-bin/appmsgpublish", "/cgi-bin/appmsg")
MASK = "REDACTED"


def is_backoffice(url: str) -> bool:
    return urlsplit(url).path in BACKOFFICE_PATHS


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``REDACTED``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def with_token(url: str, token: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    query.append(("token", token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class SecretsLogFilter(logging.Filter):
    """Masks the session in every log line (Scrapy logs overridden settings and request URLs)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def mask_logs(secrets: Iterable[str]) -> None:
    """Install :class:`SecretsLogFilter` on the root logger's handlers (where every record ends)."""
    secrets = tuple(secrets)
    if not secrets:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretsLogFilter) and f.secrets == secrets for f in handler.filters):
            handler.addFilter(SecretsLogFilter(secrets))


class MpSessionMiddleware:
    """Downloader middleware: put the MP session on back-office requests, refuse them without one."""

    def __init__(self, config: ArchiveConfig, crawler: Any = None) -> None:
        self.config = config
        self.crawler = crawler
        self.warned = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> MpSessionMiddleware:
        config = archive_config(crawler.settings)
        mask_logs(config.secrets)
        return cls(config, crawler)

    def hosts(self) -> set[str]:
        spider = getattr(self.crawler, "spider", None)
        return {MP_HOST, *getattr(spider, "backoffice_hosts", ())}

    def process_request(self, request: Any) -> Any:
        if not is_backoffice(request.url) or urlsplit(request.url).netloc not in self.hosts():
            return None
        if not self.config.has_mp_session:
            if self.crawler is not None:
                self.crawler.stats.inc_value("govarchive/mp_session_missing")
            if not self.warned:
                logger.error("MP back-office requests need GOVARCHIVE_MP_TOKEN and GOVARCHIVE_MP_COOKIE "
                             "(your own logged-in 公众号 session, passed with -s): skipping them")
                self.warned = True
            raise Skipped("no MP back-office session configured")
        if request.headers.get("Cookie") == self.config.mp_cookie.encode() and "token=" in request.url:
            return None
        request.headers["Cookie"] = self.config.mp_cookie
        if f"token={self.config.mp_token}" in request.url:
            return None
        return request.replace(url=with_token(request.url, self.config.mp_token))
