"""PolitenessMiddleware: per-platform download slots, and Retry-After honoured.

Requests to platform hosts go to named download slots (:data:`PLATFORM_SLOTS`) whose delay and
concurrency come from Scrapy's ``DOWNLOAD_SLOTS`` setting (govarchive/settings.py: WeChat article
pages at most one per 5 s, list endpoints slower still); AutoThrottle leaves these delays alone. A
429 or 503 carrying ``Retry-After`` raises its slot's delay to that many seconds (capped) before
RetryMiddleware retries it. A block page (HTTP 200 captcha or rate-limit page) doubles its
slot's delay, and good pages bring it back (:class:`BlockBackoff`, used by the spider, which
recognises block pages).

A site's owner can reach whoever runs the crawl: :class:`ContactAddon` adds ``GOVARCHIVE_CONTACT`` (a URL
or an e-mail address) to the ``User-Agent``, and sends an e-mail address as the ``From`` header (RFC 9110
asks robots to); the WARC pipeline writes both into every ``warcinfo`` record.

Settings: ``DOWNLOAD_SLOTS``, ``GOVARCHIVE_RETRY_AFTER_MAX``, ``GOVARCHIVE_CONTACT``, ``USER_AGENT``.
Stats: ``govarchive/retry_after``, ``govarchive/block_backoff``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

# slot name -> (host, path pattern or None); first match wins. Delays live in DOWNLOAD_SLOTS.
PLATFORM_SLOTS: dict[str, tuple[str, str | None]] = {
    "wechat-list": ("mp.weixin.qq.com", r"^/(mp/profile_ext|mp/appmsgalbum|cgi-bin/)"),
    "wechat": ("mp.weixin.qq.com", None),
    "weibo-list": ("m.weibo.cn", r"^/api/container/getIndex"),
    "weibo": ("m.weibo.cn", None),
    "douyin": ("www.douyin.com", None),
    "toutiao": ("www.toutiao.com", None),
}


def slot_for(url: str, slots: dict[str, tuple[str, str | None]] = PLATFORM_SLOTS) -> str | None:
    parts = urlsplit(url)
    for name, (host, pattern) in slots.items():
        if parts.hostname == host and (pattern is None or re.search(pattern, parts.path)):
            return name
    return None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class PolitenessMiddleware:
    def __init__(self, crawler: Any, max_wait: float) -> None:
        self.crawler = crawler
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Any) -> PolitenessMiddleware:
        from govarchive.core.config import archive_config

        return cls(crawler, archive_config(crawler.settings).retry_after_max)

    def process_request(self, request: Any) -> None:
        name = slot_for(request.url)
        if name and "download_slot" not in request.meta:
            request.meta["download_slot"] = name
            request.meta["autothrottle_dont_adjust_delay"] = True
        return None

    def process_response(self, request: Any, response: Any) -> Any:
        if response.status in (429, 503):
            header = response.headers.get(b"Retry-After")
            wait = retry_after_seconds(header.decode("latin-1") if header else None)
            if wait is not None:
                self._back_off(request, min(wait, self.max_wait))
        return response

    def _back_off(self, request: Any, wait: float) -> None:
        set_slot_delay(self.crawler, request, lambda delay: wait)
        self.crawler.stats.inc_value("govarchive/retry_after")


def set_slot_delay(crawler: Any, request: Any, new_delay: Any) -> float | None:
    """Raise (never lower) the delay of ``request``'s download slot to ``new_delay(current)``."""
    downloader = crawler.engine.downloader
    key = request.meta.get("download_slot") or downloader.get_slot_key(request)
    slot = downloader.slots.get(key)
    if slot is None:
        return None
    slot.delay = max(slot.delay, new_delay(slot.delay))
    return slot.delay


class BlockBackoff:
    """Slow a slot down at each block page (captcha, rate limit) and recover as pages come through.

    A block doubles the slot's delay (at least 1 s, at most ``cap``); each good page afterwards
    halves it again, down to the delay the slot had before the first block.
    Stats: ``govarchive/block_backoff``.
    """

    def __init__(self, crawler: Any, cap: float) -> None:
        self.crawler = crawler
        self.cap = cap
        self.base: dict[str, float] = {}  # slot key -> its delay before the first block

    def _slot(self, request: Any) -> tuple[str, Any]:
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def blocked(self, request: Any) -> float | None:
        self.crawler.stats.inc_value("govarchive/block_backoff")
        key, slot = self._slot(request)
        if slot is None:
            return None
        self.base.setdefault(key, slot.delay)
        slot.delay = max(slot.delay, min(self.cap, max(1.0, 2 * slot.delay)))
        return slot.delay

    def passed(self, request: Any) -> float | None:
        key, slot = self._slot(request)
        if key not in self.base or slot is None:
            return None
        base = self.base[key]
        slot.delay = slot.delay / 2 if slot.delay / 2 > max(base, 0.1) else base
        if slot.delay == base:
            del self.base[key]
        return slot.delay


def user_agent_with(user_agent: str, contact: str) -> str:
    """``govarchive/0.1 (+https://…; …)`` with ``; contact: CONTACT`` inside its comment."""
    if not contact:
        return user_agent
    if user_agent.endswith(")"):
        return f"{user_agent[:-1]}; contact: {contact})"
    return f"{user_agent} (contact: {contact})"


def is_email(contact: str) -> bool:
    return "@" in contact and "://" not in contact and not contact.startswith("mailto:")


class ContactAddon:
    """Scrapy add-on (``ADDONS``): the operator's contact (``GOVARCHIVE_CONTACT``) in the ``User-Agent`` (unless
    ``USER_AGENT`` itself was set on the command line) and, for an e-mail address, the ``From`` header."""

    def update_settings(self, settings: Any) -> None:
        from scrapy.settings import SETTINGS_PRIORITIES

        from govarchive.core.config import archive_config

        contact = archive_config(settings).contact
        if not contact:
            return
        if settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", user_agent_with(settings["USER_AGENT"], contact), priority="project")
        if is_email(contact):
            headers = settings.getdict("DEFAULT_REQUEST_HEADERS")
            headers.setdefault("From", contact)
            settings.set("DEFAULT_REQUEST_HEADERS", headers, priority=settings.getpriority("DEFAULT_REQUEST_HEADERS"))
