"""A full disk: the crawl stops cleanly with one clear line, and the archive stays valid.

Unit tests make the WARC file's writes fail part-way (as ``ENOSPC`` and ``EFBIG`` do) and check that the
file is cut back to its last whole record; whole crawls run under ``RLIMIT_FSIZE`` (every file the
crawl writes, the WARC files and ``index.db`` with its WAL, is capped) at several limits, then with
room again, and ``govarchive verify`` must pass after each.
"""

from __future__ import annotations

import errno
import random
import resource
import sqlite3
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, T0, crawl, crawl_command, fixed_clock, make_capture, rows

from govarchive.core.storage import DISK_FULL, is_storage_full
from govarchive.warc.verify import verify_archive
from govarchive.warc.writer import WarcArchive, scan_warc


class FullDisk:
    """A file whose disk has ``room`` bytes left: a write past it puts what fits, then fails."""

    def __init__(self, fh, room: int, code: int = errno.ENOSPC) -> None:
        self.fh, self.room, self.code = fh, room, code

    def write(self, data) -> int:
        if self.room <= 0:
            raise OSError(self.code, "No space left on device" if self.code == errno.ENOSPC else "File too large")
        part = bytes(data[: self.room])
        self.room -= len(part)
        return self.fh.write(part)

    def __getattr__(self, name):
        return getattr(self.fh, name)


def archive_with_room(tmp_path: Path, room: int, code: int = errno.ENOSPC) -> WarcArchive:
    archive = WarcArchive(tmp_path / "warc", "run-1", clock=fixed_clock(), hostname="host")
    archive.write_capture(make_capture(1))
    archive._fh = FullDisk(archive._fh, room, code)  # the disk fills up now
    return archive


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG])
@pytest.mark.parametrize("room", [0, 1, 200, 5000])
def test_a_write_the_disk_refuses_leaves_only_whole_records(tmp_path, room, code):
    archive = archive_with_room(tmp_path, room, code)
    first_end = archive._size
    big = make_capture(2, body=random.Random(2).randbytes(20000))  # does not compress below the room
    with pytest.raises(OSError) as refused:
        archive.write_capture(big)
    assert is_storage_full(refused.value)
    assert big.warc_file is None  # not written: the index must not point to it
    [path] = list((tmp_path / "warc").glob("*.open"))
    assert path.stat().st_size == first_end  # the part that fitted was cut off again
    with open(path, "rb") as fh:
        scan = scan_warc(fh, check_digests=True)
    assert scan.error is None and scan.end == scan.size
    assert [r.record_type for r in scan.records] == ["warcinfo", "response", "request"]
    archive._fh.room = 10 ** 9  # room again (space freed): the next record follows the last whole one
    after = make_capture(3)
    archive.write_capture(after)
    assert after.warc_offset == first_end
    archive.close()  # closing needs no room: the file is renamed as it is
    assert [p.name for p in (tmp_path / "warc").iterdir()] == [path.name[: -len(".open")]]
    with open(tmp_path / "warc" / path.name[: -len(".open")], "rb") as fh:
        scan = scan_warc(fh, check_digests=True)
    assert scan.error is None and [r.record_id for r in scan.records if r.record_type == "response"] == [
        make_capture(1).id, after.id]


def test_a_capture_whose_index_row_fails_is_taken_back_from_the_warc(tmp_path):
    archive = WarcArchive(tmp_path / "warc", "run-1", clock=fixed_clock(), hostname="host")
    kept, taken_back = make_capture(1), make_capture(2)
    archive.write_capture(kept)
    archive.write_capture(taken_back)
    assert not archive.discard_capture(kept)  # only the last capture can be taken back
    assert archive.discard_capture(taken_back)
    after = make_capture(3)
    archive.write_capture(after)  # written where the taken-back records were, not past a hole
    archive.close()
    [path] = list((tmp_path / "warc").iterdir())
    with open(path, "rb") as fh:
        scan = scan_warc(fh)
    assert [r.record_id for r in scan.records if r.record_type == "response"] == [kept.id, after.id]
    assert scan.error is None and scan.end == scan.size


def archiver_in(tmp_path: Path, released: list | None = None):
    from govarchive.index.store import open_index
    from govarchive.warc.archiver import Archiver
    from govarchive.warc.dedup import PayloadDeduper

    index = open_index(tmp_path / "index.db", shared=True)
    warcs = WarcArchive(tmp_path / "warc", "run-1", clock=fixed_clock(), hostname="host")
    release = released.append if released is not None else None
    return Archiver(index, warcs, PayloadDeduper(index), release)


def warc_responses(tmp_path: Path) -> list[str]:
    [path] = list((tmp_path / "warc").iterdir())
    with open(path, "rb") as fh:
        scan = scan_warc(fh)
    assert scan.error is None and scan.end == scan.size
    return [r.record_id for r in scan.records if r.record_type == "response"]


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   sqlite3.OperationalError("database or disk is full"), ValueError("a bug")])
def test_a_capture_whose_row_fails_is_taken_back_from_the_warc_and_its_claim_released(tmp_path, error):
    released: list = []
    archiver = archiver_in(tmp_path, released)
    kept, failing, after = make_capture(1), make_capture(2, body=b"<html>two</html>"), make_capture(3, body=b"3")
    archiver.store(kept)
    save = archiver.index.save_capture

    def refuse(capture):
        if capture.id == failing.id:
            raise error
        save(capture)

    archiver.index.save_capture = refuse
    with pytest.raises(type(error)):
        archiver.store(failing)
    assert released == [failing] and failing.warc_file is None  # one rollback: the claim and the records
    archiver.store(after)
    archiver.warcs.close()
    assert warc_responses(tmp_path) == [kept.id, after.id]
    assert rows(tmp_path / "index.db", "select id from captures order by id") == [(kept.id,), (after.id,)]


@pytest.mark.parametrize("error, halts", [
    (OSError(errno.ENOSPC, "No space left on device"), True),
    (sqlite3.OperationalError("database or disk is full"), True),
    (ValueError("a bug"), False),
])
def test_the_writer_thread_keeps_the_warc_and_the_index_agreeing_when_a_capture_fails(tmp_path, error, halts):
    from govarchive.core.items import Account
    from govarchive.warc.batchwriter import BatchWriter

    archiver = archiver_in(tmp_path)
    told: list = []
    writer = BatchWriter(archiver, "run-1", lambda error, what: told.append(what))
    captures = [make_capture(n, body=f"<html>{n}</html>".encode()) for n in range(1, 6)]
    save = archiver.index.save_capture

    def refuse(capture):
        if capture.id == captures[2].id:
            raise error
        save(capture)

    archiver.index.save_capture = refuse
    for capture in captures:
        writer.store(capture)
        writer.save_item(Account(id=f"weibo:{capture.id[-1]}", platform="weibo", platform_id="1",
                                 capture_id=capture.id, seen_at=T0))
    writer.stop()
    archiver.warcs.close()
    stored = [c.id for c in captures[:2]] if halts else [c.id for c in captures if c is not captures[2]]
    assert warc_responses(tmp_path) == stored  # nothing the index does not know
    assert [r[0] for r in rows(tmp_path / "index.db", "select id from captures order by id")] == stored
    accounts = rows(tmp_path / "index.db", "select capture_id from accounts order by capture_id")
    assert [r[0] for r in accounts] == stored  # the failed capture's items were dropped with it
    assert len(told) == int(halts)  # a full disk is told once, and stops every write after it
    failures = rows(tmp_path / "index.db", "select error, url from fetch_failures")
    assert failures == ([] if halts else [("not_archived", captures[2].url)])


# -- whole crawls under RLIMIT_FSIZE -----------------------------------------------------------------
def crawl_with_file_limit(base_url: str, archive: Path, limit: int) -> subprocess.CompletedProcess:
    def cap() -> None:  # in the child: every file it writes is limited (Python ignores SIGXFSZ: EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = crawl_command(base_url, archive)
    command[command.index("scrapy"):command.index("scrapy") + 2] = ["govarchive.cli", "crawl"]
    # `govarchive crawl` decides the exit code; -a/-s pairs are the same as scrapy's
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=cap)


@pytest.mark.slow
@pytest.mark.parametrize("limit", [400_000, 1_200_000, 2_000_000])
def test_a_crawl_on_a_full_disk_stops_cleanly_and_the_next_one_completes(demo_web, demo_archive, tmp_path, limit):
    archive = tmp_path / "archive"
    result = crawl_with_file_limit(demo_web.base_url, archive, limit)
    log = result.stderr
    assert result.returncode == 1, log[-3000:]
    assert "the disk refused a write" in log and "Free some space" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert "the run failed: the disk refused a write (full" in log and "(exit code 1)" in log, log[-3000:]
    # the disk filled while pages were fetched (the crawl stopped there), or at the run's end (its row, its analysis)
    assert f"'finish_reason': '{DISK_FULL}'" in log or "the end of the run could not be indexed" in log, log[-3000:]
    assert not list((archive / "warc").glob("*.open")), "the WARC file was left open"
    report = verify_archive(archive)
    assert report.ok, "\n".join(report.lines())
    before = rows(archive / "index.db", "select id, warc_file, warc_offset from captures")

    crawl(demo_web.base_url, archive)  # room again: the next run completes the archive
    report = verify_archive(archive)
    assert report.ok, "\n".join(report.lines())
    after = set(rows(archive / "index.db", "select id, warc_file, warc_offset from captures"))
    assert set(before) <= after  # nothing archived before the disk filled up was lost
    ok_posts = "select count(*) from posts where state = 'ok'"
    assert rows(archive / "index.db", ok_posts) == rows(demo_archive / "index.db", ok_posts)
