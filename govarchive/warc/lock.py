"""One writer at a time per archive folder: an exclusive ``flock`` on ``ARCHIVE_DIR/.lock``.

Two crawls on one archive would interleave index rows, and the second one's start-up repair of
``.open`` WARC files would cut the file the first one is writing. So every writer (a crawl of any
spider, ``govarchive reindex``, ``govarchive import``) holds this lock while it writes, and a second
one is refused in one line that names the holder and the fix, before it writes anything.

- The kernel holds the lock, not the file: it goes when the holder closes it or dies, ``kill -9``
  included, so a lock a killed run left never blocks the next run and nothing needs cleaning up.
- The file's content (JSON: ``pid``, ``run_id``, ``started_at``, ``host``, ``command``) only says
  who holds it, for the refusal message. The file is never deleted: a run that deleted it would let
  the next two runs lock two different files.
- In a crawl, govarchive/crawl/guard.py takes the lock when the crawler is set up.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

LOCK_FILE = ".lock"
LOCKED = "locked"  # the finish reason of a crawl refused because another run holds the archive
WAIT = 0.5  # seconds a writer retries before refusing: a holder that is just finishing, or a probe



@dataclass(frozen=True)
class LockHolder:
    """Who holds an archive: what the lock file says (informative only)."""

    pid: int | None = None
    run_id: str | None = None
    started_at: str | None = None
    host: str | None = None
    command: str | None = None

    @classmethod
    def here(cls, command: str, run_id: str | None = None, started: datetime | None = None) -> LockHolder:
        """This process, now."""
        moment = (started or datetime.now(UTC)).astimezone(UTC)
        return cls(os.getpid(), run_id, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), socket.gethostname(), command)

    @classmethod
    def parse(cls, text: str) -> LockHolder:
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(**{key: data.get(key) for key in ("pid", "run_id", "started_at", "host", "command")})

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False) + "\n"

    def describe(self) -> str:
        """``run 2026…-1a2b3c4d (crawl portal, pid 4242 on host1, started 2026-11-21T22:35:01Z)``."""
        if self.run_id:
            what = f"run {self.run_id}"
        else:
            what = f"`govarchive {self.command}`" if self.command else "another run"
        details = [self.command] if self.run_id and self.command else []
        if self.pid:
            details.append(f"pid {self.pid}" + (f" on {self.host}" if self.host else ""))
        if self.started_at:
            details.append(f"started {self.started_at}")
        return f"{what} ({', '.join(details)})" if details else what


class ArchiveBusy(Exception):
    """Another process holds the archive's lock; the message names it and the fix."""

    def __init__(self, archive_dir: Path, holder: LockHolder) -> None:
        self.archive_dir = archive_dir
        self.holder = holder
        stop = f"stop it (kill {holder.pid}: it closes its files first)" if holder.pid else "stop it"
        super().__init__(f"the archive {archive_dir} is in use by {holder.describe()}, so nothing was "
                         f"written: wait for it to end or {stop}, then run again (a killed run frees the "
                         "archive by itself)")


class ArchiveLock:
    """The exclusive lock of one archive folder, held between :meth:`acquire` and :meth:`release`."""

    def __init__(self, archive_dir: Path | str, holder: LockHolder) -> None:
        self.archive_dir = Path(archive_dir)
        self.holder = holder
        # A file object, not a bare descriptor: should this object be dropped unreleased, closing the file
        # still frees the lock.
        self._file: BinaryIO | None = None

    @property
    def path(self) -> Path:
        return self.archive_dir / LOCK_FILE

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, wait: float = WAIT) -> ArchiveLock:
        """Take the lock or raise :class:`ArchiveBusy`; creates the archive folder if needed."""
        if self._file is not None:
            return self
        self.archive_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if not _try_lock(fd, fcntl.LOCK_EX, wait):
                raise ArchiveBusy(self.archive_dir, _read_holder(fd))
            os.ftruncate(fd, 0)
            os.pwrite(fd, self.holder.to_json().encode("utf-8"), 0)
        except BaseException:
            os.close(fd)
            raise
        self._file = os.fdopen(fd, "r+b", buffering=0)
        return self

    def release(self) -> None:
        """Free the archive; the file stays (empty), see the module's docstring."""
        file, self._file = self._file, None
        if file is None:
            return
        with file:
            os.ftruncate(file.fileno(), 0)
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


def _try_lock(fd: int, kind: int, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _read_holder(fd: int) -> LockHolder:
    """The holder's JSON; it writes it right after locking, so an empty file is read again briefly."""
    for _ in range(10):
        text = os.pread(fd, 65536, 0).decode("utf-8", "replace")
        if text.strip():
            return LockHolder.parse(text)
        time.sleep(0.02)
    return LockHolder()


def hold(archive_dir: Path | str, command: str, run_id: str | None = None,
         started: datetime | None = None) -> ArchiveLock:
    """Take ``archive_dir``'s lock for this process (``command`` names it in others' refusals)."""
    return ArchiveLock(archive_dir, LockHolder.here(command, run_id, started)).acquire()


def holder_of(archive_dir: Path | str) -> LockHolder | None:
    """Who holds the archive right now, or None; writes nothing (no lock file: nobody)."""
    try:
        fd = os.open(Path(archive_dir) / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        # A shared lock for an instant: a writer that tries at that very instant retries (WAIT).
        if _try_lock(fd, fcntl.LOCK_SH, 0):
            return None
        return _read_holder(fd)
    finally:
        os.close(fd)


def check_free(archive_dir: Path | str) -> None:
    """Raise :class:`ArchiveBusy` when another process holds the archive (before starting any work)."""
    holder = holder_of(archive_dir)
    if holder is not None:
        raise ArchiveBusy(Path(archive_dir), holder)
