"""``govarchive reindex``: rebuild ``index.db`` from the archive's WARC files, in two phases.

1. **Captures.** Every record is read once, as ``warcio index`` reads it, and becomes what its headers say:
   the ``captures`` rows (page state from the HTTP status), the runs, the revisits pointed at their
   originals. It is built beside the old index (``index.db.rebuilding``) and swapped in when complete:
   from then on the archive is usable (viewer, replay, ``verify``, exports, WACZ), its pages not yet read.
2. **Pages.** The records are read again and every captured page goes through the page objects in worker
   processes (:class:`~govarchive.warc.pagereading.PageReading`: the page objects are pure), while this
   process stores what they read in record order, with the crawl's merge rules: page states, accounts,
   posts, failed fetches, and each run's closure analysis where its summary record lies.
3. **Search.** The search rows the pages phase left in ``search_log`` are written into ``search.db``.

Each phase commits in batches together with where its reading stands (``reindex_progress``, migration
m016): a reindex that is killed goes on from its last commit when run again (the captures phase inside the
file it was building, the pages phase inside the live index). Progress is told as it goes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from govarchive.core.config import DEFAULT_CONFIG
from govarchive.core.dates import warc_date
from govarchive.index.search import search_path
from govarchive.index.store import Index, ReindexMark, open_index
from govarchive.warc.files import ArchiveWarcs, WarcFile
from govarchive.warc.importer import FileReport, ImportReport, WarcImporter
from govarchive.warc.lock import hold
from govarchive.warc.pagereading import PageReading
from govarchive.warc.writer import repair_open_files

logger = logging.getLogger(__name__)
REINDEX_UNFINISHED = "reindex_unfinished"  # the finish reason of a crawl refused by an unfinished reindex

COMMIT_EVERY = 2_000  # steps (records with an effect) between commits, each with the phase's mark
TELL_EVERY = 2.0  # seconds between two progress lines

Tell = Callable[[str], None]


@dataclass
class PhaseTime:
    """How long a phase took and what it went through."""

    name: str
    seconds: float = 0.0
    steps: int = 0
    resumed: str | None = None  # where it went on from ("FILE @ OFFSET"), when an earlier reindex was killed

    def line(self) -> str:
        if self.name == "analysis":
            return f"closure analyses: {self.steps:,} run(s) in {self.seconds:.1f} s (in the pages phase, where each run ends)"
        rate = f", {self.steps / self.seconds:,.0f}/s" if self.seconds > 0 and self.steps else ""
        resumed = f" (resumed at {self.resumed})" if self.resumed else ""
        return f"{self.name} phase: {self.steps:,} steps in {self.seconds:.1f} s{rate}{resumed}"


@dataclass
class ReindexReport(ImportReport):
    phases: list[PhaseTime] = field(default_factory=list)
    processes: int = 1


def default_processes() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def reindex(archive_dir: Path, max_body_bytes: int = DEFAULT_CONFIG.max_body_bytes, processes: int | None = None,
            tell: Tell | None = None, restart: bool = False) -> ReindexReport:
    """Rebuild ``archive_dir/index.db`` from the archive's WARC files: every file in ``warc/`` and every
    file imported in place. Files a killed crawl left ``.open`` are repaired first, as the next crawl would.

    Goes on where a killed reindex stopped unless ``restart``. ``processes``: how many processes read pages in the
    pages phase (default: the CPUs this process may run on; 1: this process alone). It holds the archive's lock
    (govarchive/warc/lock.py): :class:`~govarchive.warc.lock.ArchiveBusy` while a crawl writes.
    """
    with hold(archive_dir, "reindex"):
        return Reindex(Path(archive_dir), max_body_bytes, processes or default_processes(), tell).run(restart)


class Reindex:
    def __init__(self, archive_dir: Path, max_body_bytes: int, processes: int, tell: Tell | None) -> None:
        self.archive_dir = archive_dir
        self.target = archive_dir / "index.db"
        self.building = archive_dir / "index.db.rebuilding"
        self.max_body_bytes = max_body_bytes
        self.processes = max(1, processes)
        self.tell = tell or (lambda line: None)
        self.report = ReindexReport(processes=self.processes)

    def run(self, restart: bool) -> ReindexReport:
        self.report.repaired = [f"{f.name} ({f.kept_bytes:,} bytes kept, {f.cut_bytes:,} cut)"
                                for f in repair_open_files(self.archive_dir / "warc")]
        files = ArchiveWarcs(self.archive_dir / "warc").files()
        if restart or self._pending("pages") is None:
            self._captures(files, restart)
        self._pages(files)
        self._search()
        return self.report

    # -- phase 1 -----------------------------------------------------------------------------------
    def _captures(self, files: list[WarcFile], restart: bool) -> None:
        index, mark = self._resume_building(restart)
        phase = PhaseTime("captures", resumed=_where(mark))
        started = mark.started_at if mark else warc_date(datetime.now(UTC))
        index.bulk = True  # a batch is kept or rolled back whole
        with _batches(index):
            importer = WarcImporter(index, self.max_body_bytes, report=self.report, phase="captures")
            progress = _Progress(self, phase, files, "captures", started, index,
                                 lambda: importer.waiting_revisit)
            importer.reading.done = progress.step
            importer.import_files(files, _start(mark))
            index.set_reindex_mark(ReindexMark("pages", None, 0, (), warc_date(datetime.now(UTC))))
            index.clear_reindex_mark("captures")
            index.commit()
            index.checkpoint()
        phase.seconds = time.perf_counter() - progress.began
        self.report.phases.append(phase)
        for old in (*_db_files(self.target), *_db_files(search_path(self.target))):
            old.unlink()
        os.replace(self.building, self.target)
        os.replace(search_path(self.building), search_path(self.target))  # the search database goes with its index
        for leftover in (*_db_files(self.building), *_db_files(search_path(self.building))):
            leftover.unlink()
        if phase.seconds >= TELL_EVERY:  # (a small archive's reindex tells nothing on the way)
            self.tell(f"captures indexed ({phase.steps:,} steps): the archive can be browsed and verified; "
                      "reading its pages")

    def _resume_building(self, restart: bool) -> tuple[Index, ReindexMark | None]:
        """The index being built and where its captures phase stands (None: a new one)."""
        if not restart and self.building.exists():
            try:
                index = open_index(self.building)
            except sqlite3.Error:
                logger.debug("cannot open %s", self.building, exc_info=True)
            else:
                mark = index.reindex_mark("captures")
                if mark is not None:
                    return index, mark
                index.close()
        for stale in (*_db_files(self.building), *_db_files(search_path(self.building))):
            stale.unlink()
        index = open_index(self.building)
        index.set_reindex_mark(ReindexMark("captures", None, 0, (), warc_date(datetime.now(UTC))))
        return index, None

    # -- phase 2 -----------------------------------------------------------------------------------
    def _pages(self, files: list[WarcFile]) -> None:
        mark = self._pending("pages")
        if mark is None:
            return
        phase = PhaseTime("pages", resumed=_where(mark))
        pages = ImportReport()
        with PageReading(self.processes) as reading:  # the workers forked before the index is opened
            index = open_index(self.target)
            index.deferred_search = True  # the search rows after the pages (phase 3): both cores read pages
            with _batches(index):
                importer = WarcImporter(index, self.max_body_bytes, known_files=files, report=pages,
                                        phase="pages", reading=reading)
                progress = _Progress(self, phase, files, "pages", mark.started_at, index, None,
                                     lambda: importer.waiting_posts)
                reading.done = progress.step
                importer.restore_waiting(mark.waiting)
                importer.import_files(files, _start(mark))
                index.clear_reindex_mark("pages")
                index.commit()
        # the runs' closure analyses ran where their summary records lie, in this process alone: told apart
        phase.seconds = time.perf_counter() - progress.began - importer.analysis_seconds
        self.report.phases.append(phase)
        self.report.phases.append(PhaseTime("analysis", importer.analysis_seconds, importer.analyses))
        self._add(pages)

    def _add(self, pages: ImportReport) -> None:
        """The pages phase's findings into the report (the records were counted by the captures phase)."""
        self.report.accounts += pages.accounts
        self.report.posts += pages.posts
        self.report.failures += pages.failures
        known = {f.name: f for f in self.report.per_file}
        for found in pages.per_file:
            if not (found.undecoded or found.unusable):
                continue
            into = known.get(found.name)
            if into is None:
                into = FileReport(found.name)
                self.report.add(into)
            into.undecoded += found.undecoded
            into.unusable += found.unusable

    # -- phase 3 -----------------------------------------------------------------------------------
    def _search(self) -> None:
        began = time.perf_counter()
        index = open_index(self.target)
        try:
            written = index.drain_search()
        finally:
            index.close()
        self.report.phases.append(PhaseTime("search", time.perf_counter() - began, written))

    def _pending(self, phase: str) -> ReindexMark | None:
        if not self.target.exists():
            return None
        try:
            index = open_index(self.target)
        except sqlite3.Error:
            return None
        try:
            return index.reindex_mark(phase)
        finally:
            index.close()


def unfinished(archive_dir: Path) -> str | None:
    """Where a killed reindex's pages phase stopped in ``archive_dir`` (its index usable, its pages not all
    read), or None. A crawl must not write into such an index: the older pages still to read would come
    after its own."""
    index_db = Path(archive_dir) / "index.db"
    if not index_db.exists():
        return None
    try:
        index = open_index(index_db)
    except sqlite3.Error:
        return None  # (the crawl's own opening says what is wrong with it)
    try:
        mark = index.reindex_mark("pages")
    finally:
        index.close()
    return None if mark is None else _where(mark) or "its start"


class _Progress:
    """Commits a phase every :data:`COMMIT_EVERY` steps with its mark, and tells how far it is."""

    def __init__(self, reindex: Reindex, phase: PhaseTime, files: list[WarcFile], name: str, started_at: str,
                 index: Index, rewind: Callable[[], tuple[str, int] | None] | None,
                 waiting: Callable[[], list[str]] | None = None) -> None:
        self.tell = reindex.tell
        self.phase = phase
        self.name = name
        self.started_at = started_at
        self.index = index
        self.rewind = rewind
        self.waiting = waiting
        self.order = {f.name: n for n, f in enumerate(files)}
        self.sizes = [_size(f) for f in files]
        self.total = sum(self.sizes) or 1
        self.began = time.perf_counter()
        self.told = self.began
        self.since_commit = 0

    def step(self, position: tuple[str, int] | None) -> None:
        self.phase.steps += 1
        if position is None:
            return
        self.since_commit += 1
        if self.since_commit >= COMMIT_EVERY:
            self._commit(position)
        now = time.perf_counter()
        if now - self.told >= TELL_EVERY:
            self.told = now
            number = self.order.get(position[0], 0)
            done = sum(self.sizes[:number]) + position[1]
            self.tell(f"{self.name}: {100 * done / self.total:.0f} % ({self.phase.steps:,} steps, file "
                      f"{number + 1}/{len(self.sizes)}, {now - self.began:.0f} s)")

    def _commit(self, position: tuple[str, int]) -> None:
        """Commit what is done, with where to go on from: the next record, or the first revisit still waiting
        for its original (captures phase; re-read records then count as known)."""
        back = self.rewind() if self.rewind else None
        if back is not None and (self.order.get(back[0], 0), back[1]) < (self.order.get(position[0], 0), position[1]):
            position = back
        waiting = tuple(self.waiting()) if self.waiting else ()
        self.index.set_reindex_mark(ReindexMark(self.name, position[0], position[1], waiting, self.started_at))
        self.index.commit()
        self.index.begin()
        self.since_commit = 0


@contextmanager
def _batches(index: Index) -> Iterator[Index]:
    """``index`` written in one transaction after another (a phase commits each batch with its mark and begins
    the next); what is not committed when the phase stops is rolled back, and the index closed."""
    try:
        index.begin()
        yield index
    finally:
        if index.in_transaction:
            index.rollback()
        index.close()


def _start(mark: ReindexMark | None) -> tuple[str, int] | None:
    return (mark.file, mark.offset) if mark is not None and mark.file else None


def _where(mark: ReindexMark | None) -> str | None:
    return f"{mark.file} @ {mark.offset}" if mark is not None and mark.file else None


def _size(file: WarcFile) -> int:
    try:
        return file.path.stat().st_size
    except OSError:
        return 0


def _db_files(path: Path) -> Iterator[Path]:
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            yield candidate
