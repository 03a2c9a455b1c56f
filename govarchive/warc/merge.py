"""``govarchive merge``: combine workers' archive folders (shards) into one archive, idempotently.

Each worker of a distributed run writes its own folder: WARC files and an index shard
(docs/scaling.md). Merging a shard

1. takes the archive's lock and the shard's (a worker still running is refused; a shard a killed
   worker left with ``.open`` files is recovered first, as its next run would);
2. copies its finished WARC files into ``<archive>/warc/`` (a hard link when on the same
   filesystem); a file already there with the same size is the same file, one with another size is
   a conflict and stops the merge before anything is imported;
3. indexes the records the archive's index does not hold yet, with the same page objects and merge
   rules as a crawl (:class:`~govarchive.warc.importer.WarcImporter`: the WARCs are the source of truth,
   so a merged index is what a reindex of the merged WARCs gives); a file whose every capture the
   shard indexed and the archive already holds is not read again;
4. records each worker's part in ``run_workers``, sets each run's start, end, status and stats from
   its workers, and replays the closure analysis of every run that received new captures, once all
   shards are in (the workers of one run share its id, so the run is analysed once, whole).

Merging the same shards again changes nothing.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govarchive.core.config import DEFAULT_CONFIG
from govarchive.core.dates import warc_date
from govarchive.index import shards
from govarchive.index.store import Index, open_index
from govarchive.warc.files import ArchiveWarcs, WarcFile
from govarchive.warc.importer import WarcImporter, warc_fields
from govarchive.warc.lock import hold
from govarchive.warc.reader import RecordReader

logger = logging.getLogger(__name__)

# run statuses from best to worst: a run is as good as its worst worker
STATUS_ORDER = ("success", "finished", "partial", "closespider_timeout", "closespider_itemcount",
                "closespider_pagecount", "shutdown", "blocked", "fatal", "locked", "running", "killed")


class MergeError(Exception):
    """A shard cannot be merged (a conflict, a missing folder); nothing of that merge was imported."""


@dataclass
class MergeReport:
    shards: int = 0
    files_copied: int = 0
    files_present: int = 0
    files_read: int = 0
    captures: int = 0
    accounts: int = 0
    posts: int = 0
    runs_analysed: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.shards} shard(s): {self.files_copied} WARC file(s) copied, {self.files_present} already "
               f"in the archive; {self.files_read} read",
               f"indexed {self.captures} new capture(s), {self.accounts} account and {self.posts} post "
               f"row update(s)"]
        if self.runs_analysed:
            out.append(f"closure analysis replayed for run(s): {', '.join(self.runs_analysed)}")
        if self.recovered:
            out.append(f"recovered WARC files a killed worker left open: {', '.join(self.recovered)}")
        out += [f"error: {e}" for e in self.errors]
        return out


@dataclass
class WorkerPart:
    """One worker's part of one run, read from its shard."""

    run_id: str
    worker: str
    host: str
    shard: str
    started_at: str | None
    finished_at: str | None
    status: str | None
    captures: int
    stats: str | None


def merge(shards: Iterable[Path | str], archive_dir: Path | str, max_body_bytes: int = DEFAULT_CONFIG.max_body_bytes) -> MergeReport:
    """Merge worker folders into ``archive_dir`` (created if missing). See the module docstring."""
    archive = Path(archive_dir)
    folders = [Path(s) for s in shards]
    report = MergeReport(shards=len(folders))
    for folder in folders:
        if not (folder / "warc").is_dir():
            raise MergeError(f"{folder}: not a worker's archive folder (no warc/ inside)")
        if folder.resolve() == archive.resolve():
            raise MergeError(f"{folder}: this is the archive itself; give the workers' folders")
    (archive / "warc").mkdir(parents=True, exist_ok=True)
    with ExitStack() as locks:
        locks.enter_context(hold(archive, "merge"))
        for folder in folders:  # a worker still running holds its folder: refused with its pid and run
            locks.enter_context(hold(folder, "merge"))
        index = open_index(archive / "index.db")
        try:
            _merge(folders, archive, index, max_body_bytes, report)
        finally:
            index.close()
    return report


def _merge(folders: list[Path], archive: Path, index: Index, max_body_bytes: int, report: MergeReport) -> None:
    for folder in folders:
        report.recovered += _recover(folder)
    plan: list[tuple[Path, Path, Path]] = []  # (shard file, archive file, shard index)
    for folder in folders:
        for source in ArchiveWarcs(folder / "warc").files():
            plan.append((source.path, _place(source, archive / "warc", report), folder / "index.db"))
    parts = [part for folder in folders for part in worker_parts(folder)]
    to_read = [target for source, target, shard_db in plan if not _fully_indexed(source, target, index, shard_db)]
    to_read.sort(key=lambda p: p.name)  # names start with the file's creation time
    report.files_read = len(to_read)
    importer = WarcImporter(index, max_body_bytes, known_files=ArchiveWarcs(archive / "warc").files(),
                            analyse_runs=False)
    imported = importer.import_interleaved(to_read)
    report.captures, report.accounts, report.posts = imported.captures, imported.accounts, imported.posts
    report.errors += imported.errors
    touched = shards.runs_in_files(index, [p.name for p in to_read]) if to_read else set()
    _record_parts(index, parts)
    for run_id in sorted({p.run_id for p in parts}):
        _settle_run(index, run_id)
    for analysis in sorted(importer.pending_analyses.values(), key=lambda a: a.as_of):
        if analysis.run_id in touched:
            analysis.run(index)
            report.runs_analysed.append(analysis.run_id)


def _recover(folder: Path) -> list[str]:
    """Files a killed worker left ``.open``: repaired (and the shard's index reconciled) before merging, as
    the worker's next run would. A file with no whole record becomes ``.invalid`` and is not merged."""
    if not ArchiveWarcs(folder / "warc").open_files():
        return []
    from govarchive.core.config import ArchivePaths
    from govarchive.warc.recovery import recover_archive

    report = recover_archive(ArchivePaths(folder))
    return [f"{folder.name}/warc/{name}" for name in report.repaired_files + report.invalid_files]


def _place(file: WarcFile, warc_dir: Path, report: MergeReport) -> Path:
    """The shard's file in the archive's folder: linked or copied once, never overwritten."""
    source, target = file.path, warc_dir / file.name
    size = source.stat().st_size
    if target.exists():
        if target.stat().st_size != size:
            raise MergeError(f"{source}: the archive already has a different {target.name} "
                             f"({target.stat().st_size} bytes, this one {size}); nothing was merged")
        report.files_present += 1
        return target
    partial = target.with_name(target.name + ".merging")
    partial.unlink(missing_ok=True)
    try:
        os.link(source, partial)
    except OSError:  # another filesystem (or links not allowed): copy, then make it durable
        shutil.copyfile(source, partial)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
    os.replace(partial, target)  # a merge killed mid-copy leaves only a .merging file behind
    report.files_copied += 1
    return target


def _fully_indexed(source: Path, target: Path, index: Index, shard_db: Path) -> bool:
    """True when the archive holds every capture the shard indexed from this file (so it is not read
    again). A shard with no index, or one that disagrees, has its file read (records already
    indexed are skipped)."""
    if not shard_db.exists():
        return False
    try:
        ids = shards.shard_captures_in_file(shard_db, target.name)
    except sqlite3.Error:
        return False
    if not ids:
        return False
    # the shard's index matches its WARCs (a killed worker's is recovered first)
    return shards.has_all_captures(index, target.name, ids)


def worker_parts(folder: Path) -> list[WorkerPart]:
    """Each run in a shard's index, with the worker and host named in its WARC files' warcinfo."""
    shard_db = folder / "index.db"
    if not shard_db.exists():
        return []
    names = _worker_names(folder)
    parts = []
    for run_id, started, finished, status, stats, captures in shards.shard_runs(shard_db):
        worker, host = names.get(run_id, (folder.name, ""))
        parts.append(WorkerPart(run_id, worker, host, str(folder), started, finished, status, captures, stats))
    return parts


def _worker_names(folder: Path) -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {}
    for path in ArchiveWarcs(folder / "warc").paths():
        with open(path, "rb") as fh:
            for record in RecordReader(fh, resync=False):
                if record.rec_type == "warcinfo":
                    fields = warc_fields(record.content_stream().read())
                    if fields.get("run-id"):
                        names.setdefault(fields["run-id"], (fields.get("worker") or folder.name,
                                                            fields.get("hostname", "")))
                break  # the warcinfo record comes first
    return names


def _record_parts(index: Index, parts: list[WorkerPart]) -> None:
    now = warc_date(datetime.now(UTC))
    shards.save_run_workers(index, [
        {"run_id": part.run_id, "worker": part.worker, "host": part.host, "shard": part.shard,
         "started_at": part.started_at, "finished_at": part.finished_at, "status": part.status,
         "captures": part.captures, "stats": part.stats, "merged_at": now} for part in parts])


def _settle_run(index: Index, run_id: str) -> None:
    """A run of several workers: started with the first, ended with the last, as good as its worst."""
    parts = shards.workers_of_run(index, run_id)
    if not parts:
        return
    statuses = [p[2] or "running" for p in parts]
    worst = max(statuses, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER))
    finished = [p[1] for p in parts if p[1]]
    shards.save_combined_run(index, run_id, min(p[0] for p in parts if p[0]),
                             max(finished) if len(finished) == len(parts) else None, worst,
                             json.dumps(combine_stats([p[3] for p in parts]), ensure_ascii=False, sort_keys=True))


def combine_stats(texts: list[str | None]) -> dict[str, Any]:
    """The stats of a run's workers as one: counts added up, times from the first start to the last end,
    anything else from the last worker; each worker's own stats stay in ``run_workers``."""
    combined: dict[str, Any] = {}
    for text in texts:
        try:
            stats = json.loads(text) if text else {}
        except ValueError:
            continue
        for key, value in stats.items():
            if key == "start_time":
                combined[key] = min(combined.get(key, value), value)
            elif key == "finish_time":
                combined[key] = max(combined.get(key, value), value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and key != "elapsed_time_seconds":
                combined[key] = combined.get(key, 0) + value
            elif key == "elapsed_time_seconds":
                combined[key] = max(combined.get(key, 0), value)
            else:
                combined[key] = value
    combined["workers"] = len(texts)
    return combined
