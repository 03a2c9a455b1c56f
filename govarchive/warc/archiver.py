"""The archive path: a capture and what its page showed, stored once in the WARC files and the index.

:class:`Archiver` is the one place a capture becomes archived. The crawl calls it (through the writer
thread of :mod:`govarchive.warc.batchwriter`, built by govarchive/crawl/archiving.py) with the exchanges it
makes; ``import`` and ``reindex`` (:class:`govarchive.warc.importer.WarcImporter`) call it with the records
they read from WARC files, which are already written. For each capture:

1. its page state is decided, once (:func:`page_state`): what the page object concluded when the page
   was read, else what reading it said (too large, undecodable), else what the HTTP status says;
2. the dedup decision: a payload already archived becomes a revisit (:class:`~govarchive.warc.dedup.PayloadDeduper`);
3. its WARC records (response or revisit, and request), written before its index row;
4. its ``captures`` row. If that fails, the records are taken back from the WARC file and a payload it
   claimed for the other workers of a distributed run is released: one rollback, nothing half-stored;
5. the accounts and posts its page showed (each once per page), with the index's merge rules; an
   account seen again unchanged in the same run only moves its ``last_seen`` and counts its check.
   An account is found by the sources-file entry its capture came from (``Capture.source_id``, the
   capture's ``WARC-Govarchive-Source`` field): the same link whether the crawl or a reindex saves it.

A run's sources-file entries are saved with :meth:`Archiver.save_sources` (the crawl at its start, a reindex
from each file's sources record).
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from govarchive.core.httpdata import header
from govarchive.core.items import Account, Capture, FetchFailure, Post
from govarchive.core.sources import Source, SourceError, sources_from_record
from govarchive.index.store import Index
from govarchive.pages import Extraction, PageInput, extract
from govarchive.pages.router import status_state
from govarchive.warc.dedup import PayloadDeduper
from govarchive.warc.reader import one_line
from govarchive.warc.writer import WarcArchive

logger = logging.getLogger(__name__)

ACCOUNT_MEMORY = 10_000  # accounts whose last saved values are remembered (an LRU: memory stays flat)
# What an account shows, compared to decide whether saving it again would change its row.
ACCOUNT_VALUES = ("platform", "platform_id", "name", "alias", "agency", "region", "url", "followers", "description",
                  "last_post_at", "original_id", "authoritative", "listing_url", "moved_to", "source_id")
CAPTURE_MEMORY = 10_000  # captures whose sources entry is remembered (their pages' items follow them closely)


def page_state(capture: Capture, extraction: Extraction | None) -> str | None:
    """The one rule for a capture's page state: the page object's conclusion when the page was read;
    else what reading it already said (``too_large``, ``parse_error``); else what its HTTP status (and a
    redirect's target) says; None for a record with no HTTP status that was not read."""
    if extraction is not None:
        return extraction.page_state
    if capture.page_state:
        return capture.page_state
    if capture.http_status is None:
        return None
    return status_state(capture.http_status, header(capture.response_headers, "Location"))


def read_page(capture: Capture, body: bytes, url: str | None = None) -> Extraction:
    """The page objects' reading of a capture whose payload, decoded, is ``body`` (``url``: the URL as
    requested, when the capture's own is masked). A capture with no HTTP status (a resource, a ``dns:``
    record) is content as got: read as a 200."""
    page = PageInput(url=url or capture.url, status=200 if capture.http_status is None else capture.http_status,
                     headers=tuple((k, v) for k, v in capture.response_headers if k.lower() != "content-encoding"),
                     body=body, capture_id=capture.id, fetched_at=capture.fetched_at)
    return extract(page)


@dataclass
class Stored:
    """What :meth:`Archiver.store` saved of one capture's page."""

    accounts: int = 0
    posts: int = 0
    orphans: list[Post] = field(default_factory=list)  # post fragments (a long text) no listing has shown yet


class Archiver:
    """Store captures and what their pages showed in ``index`` and, when given, ``warcs``.

    :param warcs: the WARC files captures are written to (None: the captures' records are already in a
        file, as in ``import`` and ``reindex``)
    :param dedup: decides which captures become revisits (None: a capture keeps its record type)
    :param release: gives back a payload's claim in a distributed run when its capture could not be stored
    :param announce: told the id of each post whose own page is archived (a distributed run's known posts)
    """

    def __init__(self, index: Index, warcs: WarcArchive | None = None, dedup: PayloadDeduper | None = None,
                 release: Callable[[Capture], None] | None = None,
                 announce: Callable[[str], None] | None = None) -> None:
        self.index = index
        self.warcs = warcs
        self.dedup = dedup
        self.release = release
        self.announce = announce
        self.revisits = 0
        self._accounts: OrderedDict[str, tuple[object, ...]] = OrderedDict()  # id -> values last saved
        self._sources: OrderedDict[str, str | None] = OrderedDict()  # capture id -> its sources entry

    # -- captures ---------------------------------------------------------------------------------
    def store(self, capture: Capture, extraction: Extraction | None = None, items: bool = True) -> Stored:
        """Archive one capture with its page state decided (:func:`page_state`); with ``items``, save the
        accounts and posts of ``extraction`` too (a crawl saves them as the spider yields them). Raises
        what stopped it, after taking back whatever of the capture was stored."""
        capture.page_state = page_state(capture, extraction)
        self.store_capture(capture)
        return self._save_shown(extraction) if items else Stored()

    def store_reading(self, capture: Capture, extraction: Extraction | None) -> Stored:
        """What the page of a capture already indexed shows (a reindex's pages phase: the captures phase
        stored the row, its page state from the HTTP status): its page state decided again by the same rule,
        now that the page is read, and its accounts and posts saved."""
        capture.page_state = page_state(capture, extraction)
        self.index.set_page_state(capture.id, capture.page_state)
        self._remember_source(capture)
        return self._save_shown(extraction)

    def _save_shown(self, extraction: Extraction | None) -> Stored:
        stored = Stored()
        if extraction is None:
            return stored
        seen: set[tuple[str, str]] = set()  # a page showing the same account or post twice: saved once
        for account in extraction.accounts:
            if ("account", account.id) not in seen:
                seen.add(("account", account.id))
                self.save_account(account)
                stored.accounts += 1
        for post in extraction.posts:
            if ("post", post.id) in seen:
                continue
            seen.add(("post", post.id))
            if not post.account_id and not self.index.post_exists(post.id):
                stored.orphans.append(post)  # its listing may come later (merged files of several workers)
                continue
            self.save_post(post)
            stored.posts += 1
        return stored

    def store_capture(self, capture: Capture) -> None:
        """The dedup decision, the WARC records, the index row; all taken back if one fails."""
        self._remember_source(capture)
        claimed = False
        try:
            if self.warcs is not None:
                if self.dedup is not None and self.dedup.check(capture):
                    self.revisits += 1
                claimed = capture.record_type == "response"
                self.warcs.write_capture(capture)
            self.index.save_capture(capture)
        except BaseException:
            if self.warcs is not None and capture.warc_file:
                self.warcs.discard_capture(capture)
            if claimed and self.release is not None:
                self.release(capture)
            raise

    # -- what pages show ------------------------------------------------------------------------
    def save_account(self, account: Account) -> None:
        """Save an account; one saved before in this run with the same values only has its ``last_seen``
        moved and its check counted (an article page shows its column's account every time). Its sources entry
        is its capture's."""
        if account.source_id is None:
            account.source_id = self.source_of(account.capture_id)
        values = tuple(getattr(account, name) for name in ACCOUNT_VALUES)
        if self._accounts.get(account.id) == values:
            self._accounts.move_to_end(account.id)
            self.index.resave_account(account)
            return
        key = account.id
        self.index.save_account(account)
        self._accounts[key] = values
        if len(self._accounts) > ACCOUNT_MEMORY:
            self._accounts.popitem(last=False)

    def _remember_source(self, capture: Capture) -> None:
        self._sources[capture.id] = capture.source_id
        if len(self._sources) > CAPTURE_MEMORY:
            self._sources.popitem(last=False)

    def source_of(self, capture_id: str) -> str | None:
        """The sources entry a capture came from: remembered from its store, else the index's."""
        if capture_id in self._sources:
            return self._sources[capture_id]
        return self.index.capture_source(capture_id)

    def save_sources(self, run_id: str, sources: Iterable[Source]) -> None:
        """The sources-file entries run ``run_id`` used (``sources`` rows)."""
        self.index.save_sources(run_id, sources)

    def save_sources_record(self, run_id: str, data: bytes) -> bool:
        """The entries a WARC file's sources record holds (:func:`~govarchive.core.sources.sources_record`), read
        back by ``import`` and ``reindex``; False, with one log line, when the record cannot be read (its
        captures are still indexed, naming their entries)."""
        try:
            sources = sources_from_record(json.loads(data.decode("utf-8")))
        except (ValueError, SourceError) as error:
            logger.warning("a sources record of run %s could not be read: %s", run_id, one_line(error))
            return False
        self.save_sources(run_id, sources)
        return True

    def save_post(self, post: Post) -> None:
        self.index.save_post(post)
        if self.announce is not None and post.authoritative and post.state != "listed":
            self.announce(post.id)

    def save_failure(self, failure: FetchFailure, run_id: str) -> None:
        """A fetch that gave no page: its WARC metadata record (when writing WARCs), then its index row."""
        if self.warcs is not None:
            self.warcs.write_failure(failure)
        self.index.save_failure(failure, run_id)

    def forget_accounts(self) -> None:
        """Forget the accounts saved so far: the next save of each compares with its row again (a new run;
        an analysis may have merged accounts or changed their rows)."""
        self._accounts.clear()

    # -- the run ---------------------------------------------------------------------------------
    def start_run(self, run_id: str, spider: str, started_at: str, operator: str = "") -> None:
        self.index.start_run(run_id, spider, started_at, operator)

    def write_summary(self, uri: str, summary: dict[str, object], when: datetime) -> None:
        """The run's summary, the last record of its WARC files."""
        if self.warcs is not None and self.warcs.current_file is not None:
            self.warcs.write_metadata(uri, dict(summary), when)
