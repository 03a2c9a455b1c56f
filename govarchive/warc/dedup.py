"""Deduplication: payloads become revisit records; items met twice on one page are dropped.

Rows are never duplicated in the first place: the index upserts accounts and posts by id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from govarchive.core.config import DEFAULT_CONFIG
from govarchive.core.items import Account, Capture, Post
from govarchive.index.store import Index, Original

# Finds the original of a capture's payload: None when the capture is the first (write it in full).
OriginalFinder = Callable[[Capture], "Original | None"]


class PayloadDeduper:
    """Turn a capture whose payload is already archived (any URL, any run) into a revisit.

    :param min_bytes: payloads shorter than this are always written in full
    :param find_original: where originals are looked up; by default the index (one process); a
        distributed run passes :meth:`govarchive.crawl.distributed.RedisPayloads.claim`, atomic across workers
    """

    def __init__(self, index: Index, min_bytes: int = DEFAULT_CONFIG.dedup_min_bytes, find_original: OriginalFinder | None = None) -> None:
        self.index = index
        self.min_bytes = max(1, min_bytes)
        self.find_original = find_original or (lambda capture: index.find_original(capture.payload_digest))

    def check(self, capture: Capture) -> bool:
        if len(capture.body) < self.min_bytes or capture.truncated or capture.record_type != "response":
            return False
        original = self.find_original(capture)
        if original is None:
            return False
        capture.record_type = "revisit"
        capture.refers_to = original.capture_id
        capture.refers_to_url = original.url
        capture.refers_to_date = datetime.fromisoformat(original.fetched_at.replace("Z", "+00:00"))
        return True


class ItemDeduper:
    """Drop an account or post already taken from the same capture (a page listing it twice)."""

    def __init__(self, window: int = 10_000) -> None:
        # Items of one page arrive together: a bounded window keeps memory flat on long runs.
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self.window = window

    def is_repeat(self, item: Account | Post) -> bool:
        key = (type(item).__name__, item.id, item.capture_id)
        if key in self._seen:
            return True
        self._seen[key] = None
        if len(self._seen) > self.window:
            self._seen.popitem(last=False)
        return False
