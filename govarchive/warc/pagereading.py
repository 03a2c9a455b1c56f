"""Pages read by worker processes, their results used in the order the records were read.

A reindex's page phase (govarchive/warc/reindexing.py) reads every captured page again through the page
objects. The page objects are pure (a capture and its payload in, an :class:`~govarchive.pages.Extraction`
out), so the reading can run in other processes; what is done with each reading (saving accounts and
posts with the index's merge rules, a run's closure analysis) must still happen in record order, in the
one process that writes the index. :class:`PageReading` is that pipeline: :meth:`read` queues a page,
:meth:`call` queues a step that needs no reading (a run's start or end, a failed fetch), and every step
runs in the order it was queued, as soon as the readings before it are back.

With ``processes=1`` nothing leaves the calling process and every step runs at once (``import`` and the
tests: the same results, in the same order, without a pool). With ``processes=N`` (N > 1), N worker
processes (forked: the page objects are already imported) read the pages in batches while the caller writes
the index with what they read: its part is the smaller one, so it does not take a core of its own.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from govarchive.core.items import Capture
from govarchive.core.textclean import CleanText, clean, clean_ahead
from govarchive.pages import Extraction
from govarchive.warc.archiver import read_page
from govarchive.warc.reader import one_line

logger = logging.getLogger(__name__)

BATCH = 24  # pages a worker reads per task: fewer messages, each worth the pickling
AHEAD = 6  # batches in the workers at once per worker, before the caller waits for the oldest

# What a step is given: the page's reading, or why reading it failed (the page objects met a bug).
Reading = Extraction | Exception
Then = Callable[[Reading], None]


class ReadingFailed(Exception):
    """The page objects raised while reading a page in a worker; the message says what."""


def read_pages(jobs: list[tuple[Capture, bytes, str | None]]) -> list[tuple[Extraction, list[CleanText]] | str]:
    """A worker's task: each page's reading with its posts' clean texts (computed here, for the index's
    save), or the one line of what went wrong reading it."""
    out: list[tuple[Extraction, list[CleanText]] | str] = []
    for capture, body, url in jobs:
        try:
            extraction = read_page(capture, body, url)
            out.append((extraction, [clean(post.text, post.title) for post in extraction.posts if post.text]))
        except Exception as exc:  # reported by the caller like any page that cannot be read
            out.append(one_line(exc) or type(exc).__name__)
    return out


def _worker_start() -> None:
    """Ctrl-C is the caller's to handle (it stops the workers): a worker never prints a traceback for it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class _Batch:
    jobs: list[tuple[Capture, bytes, str | None]] = field(default_factory=list)
    result: Any = None  # the AsyncResult once sent
    readings: list[tuple[Extraction, list[CleanText]] | str] | None = None


@dataclass
class _Step:
    run: Callable[..., object]
    position: Any
    batch: _Batch | None = None
    index: int = 0


class PageReading:
    """Read pages in ``processes`` worker processes (one: in this one) and run each page's step, and every
    other step, in the order they were queued.

    :param done: called after each step with its position (a reindex commits and marks its progress there)
    """

    def __init__(self, processes: int = 1, done: Callable[[Any], None] | None = None) -> None:
        self.processes = max(1, processes)
        self.done = done
        self._pool: Any = None
        if self.processes > 1:
            self._pool = multiprocessing.get_context("fork").Pool(self.processes, initializer=_worker_start)
        self._steps: deque[_Step] = deque()
        self._open: _Batch | None = None
        self._sent: deque[_Batch] = deque()

    # -- queueing ------------------------------------------------------------------------------
    def read(self, capture: Capture, body: bytes, then: Then, url: str | None = None, position: Any = None) -> None:
        """Read the page ``capture`` holds (payload ``body``, decoded) and call ``then`` with its reading."""
        if self._pool is None:
            reading: Reading
            try:
                reading = read_page(capture, body, url)
            except Exception as exc:
                reading = exc
            then(reading)
            self._finished(position)
            return
        if self._open is None:
            self._open = _Batch()
        batch = self._open
        batch.jobs.append((replace(capture, body=b""), body, url))  # the raw payload stays here
        self._steps.append(_Step(then, position, batch, len(batch.jobs) - 1))
        if len(batch.jobs) >= BATCH:
            self._send()
        self._pump()

    def call(self, step: Callable[[], object], position: Any = None) -> None:
        """Run ``step`` once every page queued before it has had its step."""
        if self._pool is None or not self._steps:
            step()
            self._finished(position)
            return
        self._steps.append(_Step(step, position))
        self._pump()

    def flush(self) -> None:
        """Run every queued step (waiting for the readings)."""
        while self._steps:
            self._pump(wait=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> PageReading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ---------------------------------------------------------------------------------
    def _send(self) -> None:
        batch, self._open = self._open, None
        if batch is not None and batch.jobs:
            batch.result = self._pool.apply_async(read_pages, (batch.jobs,))
            self._sent.append(batch)

    def _pump(self, wait: bool = False) -> None:
        """Run the steps at the head whose readings are back; with ``wait`` (or too many batches out), wait
        for the head's."""
        while self._steps:
            head = self._steps[0]
            batch = head.batch
            if batch is not None and batch.readings is None:
                if batch.result is None:  # the head's batch is still filling: send it
                    if not (wait or len(self._sent) >= AHEAD * self.processes):
                        return
                    self._send()
                must_wait = wait or len(self._sent) >= AHEAD * self.processes
                if not must_wait and not batch.result.ready():
                    return
                batch.readings = batch.result.get()
                self._sent.remove(batch)
            self._steps.popleft()
            if batch is None:
                head.run()
            else:
                assert batch.readings is not None
                value = batch.readings[head.index]
                if isinstance(value, str):
                    head.run(ReadingFailed(value))
                else:
                    extraction, cleaned = value
                    for post, text in zip((p for p in extraction.posts if p.text), cleaned, strict=True):
                        clean_ahead(post.text or "", post.title, text)
                    head.run(extraction)
            self._finished(head.position)

    def _finished(self, position: Any) -> None:
        if self.done is not None:
            self.done(position)
