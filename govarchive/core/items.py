"""Plain data that flows from page objects through the spiders into the pipelines.

Items are dataclasses (``itemadapter`` supports them), carry no Scrapy objects, and get their
ids when they are created, so nothing depends on the order in which pipelines see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PLATFORMS = ("wechat", "weibo", "douyin", "toutiao", "video_channel", "website", "feed")


@dataclass
class Capture:
    """One archived HTTP exchange, exactly as the crawler sent and received it."""

    id: str  # urn:uuid:…, reused as the WARC-Record-ID of the response (or revisit) record
    run_id: str
    url: str
    fetched_at: datetime  # UTC, when the request was sent (WARC-Date)
    http_status: int | None  # None: no HTTP exchange (a resource record or a dns: response read back from a WARC)
    protocol: str
    response_headers: list[tuple[str, str]]  # every value, in order; latin-1 decoded raw bytes
    body: bytes  # raw, still content-encoded
    request_method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    request_id: str = ""  # urn:uuid: of the request record
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated reason, e.g. "disconnect"
    payload_digest: str = ""  # sha1:BASE32 over ``body``
    payload_length: int | None = None  # len(body); for a revisit read back, the original's length
    record_type: str = "response"  # or "revisit"
    refers_to: str | None = None  # capture id of the original, for revisits
    refers_to_url: str | None = None
    refers_to_date: datetime | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    page_state: str | None = None
    # a ``resource`` record a browser made of a page (its rendered DOM, a screenshot): the capture of that
    # page's own document (govarchive/crawl/browser.py; WARC-Concurrent-To in the file)
    snapshot_of: str | None = None
    # the sources-file entry whose requests led to this exchange (``Source.id``; ``WARC-Govarchive-Source`` in
    # the file, govarchive/core/sources.py); None for a crawl from bare URLs and for other tools' records
    source_id: str | None = None

    @property
    def content_type(self) -> str | None:
        for name, value in self.response_headers:
            if name.lower() == "content-type":
                return value
        return None


@dataclass
class Account:
    """An account as one page saw it. ``authoritative`` is True on the platform's own pages."""

    id: str  # wechat:<numeric biz>, weibo:<uid>, website:<column url>, douyin:<sec_uid>
    platform: str
    platform_id: str
    capture_id: str
    seen_at: datetime
    name: str | None = None
    alias: str | None = None
    agency: str | None = None
    region: str | None = None
    url: str | None = None
    followers: int | None = None
    description: str | None = None
    last_post_at: str | None = None
    original_id: str | None = None  # WeChat 原始ID (gh_…)
    authoritative: bool = False
    listing_url: str | None = None  # set when the account was found on a listing (directory) page
    moved_to: str | None = None  # the account id the platform says this account moved to
    # the sources-file entry that found it: its capture's (set by the archive path, govarchive/warc/archiver.py)
    source_id: str | None = None


@dataclass
class Post:
    """A post as one page saw it: a listing entry (``authoritative=False``) or its own page."""

    id: str  # wechat:<biz>:<mid>:<idx>, weibo:<mid>, website:<url>
    account_id: str
    platform: str
    capture_id: str
    seen_at: datetime
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: str | None = None  # ISO 8601 with +08:00
    text: str | None = None
    state: str = "listed"
    content_digest: str | None = None
    authoritative: bool = False
    kind: str | None = None  # article, image_share, video, audio, text, short, repost, page, weibo
    summary: str | None = None
    cover_url: str | None = None
    source_url: str | None = None  # the original of a repost, or the 阅读原文 link
    media: list[Media] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)  # platform fields (信息公开 header, …)
    moved_to: str | None = None  # post id of the same post in the account it moved to
    moved_to_url: str | None = None


@dataclass(frozen=True)
class Media:
    """An image, audio or video a post embeds. ``url`` is archived when it is fetchable
    (``archived`` False: an external player such as v.qq.com, recorded as a reference only)."""

    kind: str  # image, audio, video
    url: str
    title: str | None = None
    archived: bool = True


@dataclass
class PageState:
    """What a page object concluded about a captured page (deleted, not_found, ok, …)."""

    capture_id: str
    state: str


@dataclass(frozen=True)
class Link:
    """A URL a page points to that the crawl should follow.

    ``kind`` is one of: listing (next page), account (an account's own page), post (an article),
    api (a JSON endpoint), asset (an image or other embedded file). ``post_id`` lets the crawl skip
    posts the index already holds. ``method`` and ``body`` are for the requests a page's own script
    makes with a form (a Hanweb list's next group is a POST).
    """

    url: str
    kind: str
    post_id: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    body: bytes = b""


@dataclass
class FetchFailure:
    """A request that gave no page to parse (govarchive/core/failures.py): a timeout, a reset, a redirect loop…

    ``capture_id`` is the last exchange archived on the way (a redirect hop, the compressed bytes of a
    gzip bomb), when there was one.
    """

    id: str  # urn:uuid:…, the WARC-Record-ID of its metadata record
    url: str
    error: str  # timeout, connection_lost, too_large, redirect_loop… (govarchive.core.failures)
    detail: str
    failed_at: datetime  # UTC
    attempts: int = 1
    request_kind: str | None = None  # listing, account, api, post, asset (Link.kind); start for a start URL
    account: str | None = None  # the account the request worked for: its id, or its page's URL
    referer: str | None = None  # the page that linked to the URL
    capture_id: str | None = None
