"""Posts read by the closure detector before the analysis asks, where a core is free.

The end-of-run analysis reads every post of the run through the detector
(:func:`govarchive.closure.detector.detect`, about 0.7 ms a post: 3 s after the last page of a
5,000-page crawl, over a minute after 100,000, with the crawl's process doing nothing else meanwhile).
The detector is pure: what it says depends only on the post's title, text, clean text and publication
date and on its account's name and platform, the inputs :func:`govarchive.index.findings.posts_to_detect`
gives the analysis. So a crawl's writer process (govarchive/crawl/archiveprocess.py) reads each post
as it commits it, while the crawl runs on the other core, and :class:`Readings` keeps what it read
under a digest of those inputs; the analysis (:func:`govarchive.closure.notices.record_notices`) takes
a reading whose inputs are still the same and reads the rest itself (a post whose account was named
after the post was committed, a post saved again with another text). Whatever was read ahead, the
analysis writes what reading every post at the end would have written: only the inputs decide.

Memory: 16 bytes for each post read (its digest; 1.6 MB for 100,000 posts, sent to the crawl's process
sorted, where a binary search finds it), a detection kept only for the posts that hold a notice or a
report.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from govarchive.closure.detector import Detection, detect
from govarchive.index import findings
from govarchive.index.store import Index

logger = logging.getLogger(__name__)

DIGEST_BYTES = 16  # a reading's key: blake2b of the detector's inputs


def _digest(text: str | None, title: str | None, account_name: str | None, platform: str | None,
            published_at: str | None, cleaned: str | None) -> bytes:
    digest = hashlib.blake2b(digest_size=DIGEST_BYTES)
    for value in (text, title, account_name, platform, published_at, cleaned):
        digest.update(b"\x00" if value is None else b"\x01" + value.encode("utf-8", "surrogatepass") + b"\x1f")
    return digest.digest()


class Readings:
    """The detector's readings of posts, taken ahead (:meth:`read_posts`) and handed out by :meth:`detect`."""

    def __init__(self) -> None:
        self._others = bytearray()  # digests of the posts that hold no notice and no report (most), 16 bytes each
        self._sorted: bytes | None = None  # the same digests sorted, for lookups (made once the analysis asks)
        self._found: dict[bytes, Detection] = {}
        self.taken = 0  # readings handed to the analysis
        self.read_late = 0  # posts the analysis had to read itself
        self.failed: str | None = None  # why reading ahead stopped (the analysis then reads every post itself)

    def __len__(self) -> int:
        """The posts read ahead (distinct inputs)."""
        return len(self._seal()) // DIGEST_BYTES + len(self._found)

    def __getstate__(self) -> dict[str, Any]:
        """Sent to the crawl's process sorted: the lookups need no other structure there."""
        self._seal()
        return {**self.__dict__, "_others": bytearray()}

    def _seal(self) -> bytes:
        if self._sorted is None or len(self._sorted) < len(self._others):
            self._sorted = b"".join(sorted({bytes(self._others[at:at + DIGEST_BYTES])
                                            for at in range(0, len(self._others), DIGEST_BYTES)}))
        return self._sorted

    def _is_other(self, key: bytes) -> bool:
        """A binary search of the sorted digests (about 17 steps for 100,000 posts)."""
        digests = self._seal()
        low, high = 0, len(digests) // DIGEST_BYTES
        while low < high:
            middle = (low + high) // 2
            probe = digests[middle * DIGEST_BYTES:(middle + 1) * DIGEST_BYTES]
            if probe == key:
                return True
            if probe < key:
                low = middle + 1
            else:
                high = middle
        return False

    def read_posts(self, index: Index, post_ids: Sequence[str]) -> None:
        """Read the posts ``post_ids`` as the analysis would read them now (archived posts with text only)."""
        if not post_ids or self.failed is not None:
            return
        placeholders = ",".join("?" * len(post_ids))
        try:
            self.read(findings.posts_to_detect(index, f"p.id in ({placeholders})", post_ids, 0, len(post_ids)))
        except Exception as error:  # a reading ahead must never stop the writer: the analysis reads the post itself
            self.failed = f"{type(error).__name__}: {error}"
            logger.warning("the closure detector stopped reading posts ahead (%s): the end-of-run analysis reads "
                           "them itself", self.failed)

    def read(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Read rows of :func:`govarchive.index.findings.posts_to_detect`."""
        for _, _, _, _, title, text, cleaned, published_at, name, platform in rows:
            key = _digest(text, title, name, platform, published_at, cleaned)
            detection = detect(text, title, account_name=name, platform=platform, published_at=published_at,
                               cleaned=cleaned)
            if detection.label in ("notice", "report"):
                self._found[key] = detection
            else:
                self._others += key

    def detect(self, text: str | None, title: str | None = None, account_name: str | None = None,
               platform: str | None = None, published_at: str | None = None,
               cleaned: str | None = None) -> Detection:
        """What :func:`~govarchive.closure.detector.detect` says of these inputs, read ahead or read now (of a
        post read ahead that holds no notice and no report, only the label ``other`` is kept)."""
        key = _digest(text, title, account_name, platform, published_at, cleaned)
        if self._is_other(key):
            self.taken += 1
            return Detection("other", reason="read ahead: no notice, no report")
        found = self._found.get(key)
        if found is not None:
            self.taken += 1
            return found
        self.read_late += 1
        return detect(text, title, account_name=account_name, platform=platform, published_at=published_at,
                      cleaned=cleaned)
