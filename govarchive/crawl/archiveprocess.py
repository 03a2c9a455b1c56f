"""The crawl's writer process: the archive's writes on another core, not only off the reactor thread.

The crawl's reactor thread fetches and parses; a writer *thread* in the same process
(govarchive/warc/batchwriter.py) would share its interpreter lock, and each time the reactor waits on a
socket the busy writer would keep the lock for up to Python's switch interval (the convoy effect: the
crawl's speed halved on the bench). So a crawl's writes go to :class:`WriterProcess`, a child process
that holds ``index.db``'s write connection and the WARC files for the whole run and runs the same
batching writer (:class:`~govarchive.warc.batchwriter.BatchWriter`, its loop in the child's main
thread) over the same :class:`~govarchive.warc.archiver.Archiver`.

The crawl sends it, in order, each capture (its page state already decided from the page's reading)
and each item; calls wait only when :data:`MAX_QUEUED` are in flight. The child counts what it has
committed in shared memory, so the crawl knows which of the posts it sent are in the index yet. A full
disk met by the child is sent back as one message (the crawl stops, govarchive/core/storage.py). At the
end the crawl asks it to stop (everything queued committed; its counts and the WARC file's state sent
back), then to write the run's summary as the last WARC record and close; the crawl writes the rest of
the run's end itself, once the child is gone (one writer at a time).

The child dies with the crawl (``PR_SET_PDEATHSIG`` on Linux, else it notices its parent is gone within
a second): a killed crawl's files are repaired by the next crawl's recovery, never written by an orphan.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from govarchive.closure.readahead import Readings
from govarchive.core.config import ArchiveConfig
from govarchive.core.items import Account, Capture, FetchFailure, Post
from govarchive.core.processes import lower_priority
from govarchive.core.sources import Source
from govarchive.index.store import open_index
from govarchive.warc.archiver import Archiver
from govarchive.warc.batchwriter import BatchWriter
from govarchive.warc.dedup import PayloadDeduper
from govarchive.warc.writer import WarcArchive

logger = logging.getLogger(__name__)

BUNDLE_CALLS = 64  # calls sent together: the queue's feeder thread wakes once per bundle, not per call
MAX_QUEUED = 16  # bundles in flight at most (each capture holds its body): then the crawl waits
REPLIES_CHECK = 0.01  # seconds: how stale `stopped` may be (reading the child's pipe is a system call)
PARENT_CHECK = 1.0  # seconds between looks at whether the crawl is still there (where PDEATHSIG is missing)


@dataclass(frozen=True)
class WriterSetup:
    """What the child needs to build the crawl's archiver (picklable)."""

    config: ArchiveConfig
    run_id: str
    warc_info: dict[str, str]
    hostname: str | None
    deferred_search: bool  # a search worker writes the search rows (govarchive/index/searchworker.py)
    log_level: int = logging.INFO  # the crawl's: the child's log lines go to the crawl's own logging
    sources: tuple[Source, ...] = ()  # the sources-file entries of the run: recorded in every WARC file


class _ToCrawl(logging.Handler):
    """The child's log records, sent to the crawl, which logs them as its own."""

    def __init__(self, replies: Any) -> None:
        super().__init__()
        self.replies = replies

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.exc_info:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.msg, record.args, record.exc_info = record.getMessage(), None, None
            self.replies.send(("log", record))
        except Exception:  # a log line must never stop the writer
            self.handleError(record)


class DiskFull(Exception):
    """The child met a full disk: what it said."""


class WriterProcess:
    """The crawl's handle on its writer process: :meth:`store`, :meth:`save_item`, :meth:`has_pending_post`,
    then :meth:`stop` and :meth:`finish`."""

    def __init__(self, setup: WriterSetup) -> None:
        context = multiprocessing.get_context("spawn")  # never a fork of the crawl (its reactor, its threads)
        self._inbox: Any = context.Queue(MAX_QUEUED)
        self._replies, child_end = context.Pipe(duplex=False)
        self._committed: Any = context.Value("q", 0, lock=False)  # messages the child has committed
        self._sent = 0  # calls sent (or bundled to be sent)
        self._bundle: list[tuple[Any, ...]] = []
        self._pending_posts: deque[tuple[int, str]] = deque()  # (message number, post id) not yet committed
        self._pending: dict[str, int] = {}
        self.full: DiskFull | None = None
        self._checked = 0.0  # when the child's replies were last read (time.monotonic)
        self.on_full: Any = None  # called with (error, what) on the crawl's thread when the child meets a full disk
        self.counts: dict[str, int] = {}
        self.revisits = 0
        self.warc_state: tuple[str | None, int, int] = (None, 0, 0)  # current file, files written, records written
        self.readings: Readings | None = None  # the posts the closure detector read in the child (after stop)
        self.process = context.Process(target=serve, args=(setup, self._inbox, child_end, self._committed, os.getpid()),
                                       name="govarchive-writer", daemon=True)
        self.process.start()
        child_end.close()

    # -- during the run ----------------------------------------------------------------------------
    def store(self, capture: Capture, context: tuple[Any, ...] = ()) -> None:
        self._send(("store", capture, context))

    def save_item(self, item: Account | Post | FetchFailure) -> None:
        self._send(("item", item))
        if isinstance(item, Post) and item.authoritative and item.state != "listed":
            self._pending[item.id] = self._sent
            self._pending_posts.append((self._sent, item.id))

    def has_pending_post(self, post_id: str) -> bool:
        """True while the post's own page was sent but is not committed yet."""
        committed = self._committed.value
        while self._pending_posts and self._pending_posts[0][0] <= committed:
            number, done = self._pending_posts.popleft()
            if self._pending.get(done) == number:
                del self._pending[done]
        return post_id in self._pending

    def _send(self, message: tuple[Any, ...]) -> None:
        if self.full is not None:
            return  # nothing more is written
        self._bundle.append(message)
        self._sent += 1
        if len(self._bundle) >= BUNDLE_CALLS:
            self.flush()

    def flush(self) -> None:
        """Send the calls bundled so far (the crawl calls it often: govarchive/crawl/archiving.py)."""
        self._check()
        if self._bundle and self.full is None and self.process.is_alive():
            self._inbox.put(self._bundle)
        self._bundle = []

    def _check(self) -> None:
        """Read what the child said (log lines, a full disk) without waiting."""
        self._checked = time.monotonic()
        while self._replies.poll():
            self._handle(self._replies.recv())

    def _handle(self, reply: tuple[Any, ...]) -> None:
        if reply[0] == "log":  # the child's log line, through the crawl's own logging (its file, its terminal)
            logging.getLogger(reply[1].name).handle(reply[1])
        elif reply[0] == "full" and self.full is None:
            self.full = DiskFull(reply[2])
            if self.on_full is not None:
                self.on_full(self.full, reply[1])

    @property
    def stopped(self) -> bool:
        """The child met a full disk (as it said at most ``REPLIES_CHECK`` seconds ago: the crawl asks for
        every capture and item, and the child's word arrives when it arrives anyway)."""
        if time.monotonic() - self._checked >= REPLIES_CHECK:
            self._check()
        return self.full is not None

    # -- the end of the run --------------------------------------------------------------------------
    def stop(self) -> None:
        """Everything sent is committed; the child's counts and its WARC file's state come back."""
        self.flush()
        if not self.process.is_alive():
            return
        self._inbox.put([("stop",)])
        while True:
            reply = self._recv()
            if reply is None:
                return
            if reply[0] == "stopped":
                _, self.counts, self.revisits, self.warc_state, self.readings = reply
                return
            self._handle(reply)

    def finish(self, uri: str, summary: dict[str, Any], when: datetime) -> str | None:
        """The run's summary as the last WARC record, the files closed, the child gone; why the summary
        could not be written (a full disk), or None."""
        problem = None
        if self.process.is_alive():
            self._inbox.put([("finish", uri, summary, when)])
            reply = self._recv()
            while reply is not None and reply[0] != "finished":
                self._handle(reply)
                reply = self._recv()
            problem = reply[1] if reply is not None else "the writer process ended"
        self.process.join(60)
        self._inbox.close()
        self._inbox.join_thread()
        return problem

    def _recv(self) -> Any:
        while self.process.is_alive() or self._replies.poll():
            if self._replies.poll(0.5):
                try:
                    return self._replies.recv()
                except EOFError:
                    return None
        return None


# -- the child ---------------------------------------------------------------------------------------
def serve(setup: WriterSetup, inbox: Any, replies: Any, committed: Any, parent: int) -> None:
    """The writer process: build the archiver, write what comes until told to stop, then finish."""
    _die_with_parent(parent)
    lower_priority(setup.config.background_nice)  # the crawl's fetching first; the queue bounds what waits
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl, which then stops us
    root = logging.getLogger()
    root.handlers[:] = [_ToCrawl(replies)]
    root.setLevel(setup.log_level)
    config = setup.config
    index = open_index(config.paths.index_db, shared=True)
    index.deferred_search = setup.deferred_search
    finder = release = announce = None
    if config.distributed:  # the first worker to claim a payload stores it; the others refer to it
        from govarchive.crawl.distributed import RedisKnownPosts, RedisPayloads, connect

        payloads = RedisPayloads(connect(config), config)
        finder, release = payloads.claim, payloads.release
        announce = RedisKnownPosts(connect(config), config).add
    warcs = WarcArchive(config.paths.warc_dir, setup.run_id, info=setup.warc_info, max_bytes=config.warc_max_bytes,
                        hostname=setup.hostname, sources=setup.sources)
    archiver = Archiver(index, warcs, PayloadDeduper(index, config.dedup_min_bytes, finder), release, announce)
    told: list[Any] = []

    def on_full(error: BaseException, what: str) -> None:
        told.append(("full", what, str(error)))

    writer = BatchWriter(archiver, setup.run_id, on_full, thread=False)
    readings = Readings()  # the posts read by the closure detector ahead of the end-of-run analysis
    received = 0
    stopping = False
    while not stopping:
        posts: list[str] = []
        bundles = [_next(inbox, parent)]
        while len(bundles) < 8:  # what else is queued now joins the batch
            try:
                bundles.append(inbox.get_nowait())
            except queue.Empty:
                break
        for bundle in bundles:
            for message in bundle:
                kind = message[0]
                if kind == "store":
                    writer.store(message[1], None, message[2])
                elif kind == "item":
                    writer.save_item(message[1])
                    if isinstance(message[1], Post):
                        posts.append(message[1].id)
                else:
                    writer.queue_stop()
                    stopping = True
                    break
                received += 1
        writer.write_queued()
        committed.value = received
        while told:
            replies.send(told.pop(0))
        readings.read_posts(index, posts)  # while the crawl fetches: the end-of-run analysis finds them read
    replies.send(("stopped", dict(writer.counts), archiver.revisits,
                  (warcs.current_file, len(warcs.files_written), warcs.records_written), readings))
    message = _next(inbox, parent)[0]
    problem = None
    if message[0] == "finish":
        try:
            archiver.write_summary(message[1], message[2], message[3])
        except OSError as error:  # a full disk: the file is still whole, only the summary is missing
            problem = str(error)
    warcs.close()
    index.close()
    replies.send(("finished", problem))


def _next(inbox: Any, parent: int) -> Any:
    """The next message (waiting for it); the process ends when the crawl is gone."""
    while True:
        try:
            return inbox.get(timeout=PARENT_CHECK)
        except queue.Empty:
            if os.getppid() != parent:
                os._exit(1)  # the crawl was killed: its files are the next crawl's recovery's, not ours


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process the moment the crawl dies (a kill -9 included)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # died before the call
        os._exit(1)


