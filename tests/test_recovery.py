"""Crash recovery on hand-built archives: what a kill -9 or a power loss leaves, and what the next crawl finds."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from helpers import T0, fixed_clock, make_capture, one, rows
from scrapy.utils.test import get_crawler

from govarchive.core.config import ArchivePaths
from govarchive.core.items import Account, Capture, Post
from govarchive.crawl.archiving import archive_for
from govarchive.index.store import open_index
from govarchive.warc.recovery import RULES, capture_references, recover_archive
from govarchive.warc.writer import WarcArchive, warc_date
from pipelines.warc import WarcPipeline

BASE = "http://127.0.0.1:9"
ACCOUNT = f"website:{BASE}/acc"
POST1, POST2, POST4 = f"website:{BASE}/post/1", f"website:{BASE}/post/2", f"website:{BASE}/post/4"
ARTICLE = b"<html><body><h1>article</h1>" + bytes(range(256)) * 8 + b"</body></html>"


def capture(n: int, path: str, run_id: str, body: bytes | None = None, state: str = "ok") -> Capture:
    made = make_capture(n, url=BASE + path, body=body if body is not None else f"<html>{path} {n}</html>".encode(),
                        run_id=run_id)
    made.page_state = state
    return made


def cid(n: int) -> str:
    return make_capture(n).id


def at(n: int):
    return T0 + timedelta(seconds=n)


@dataclass
class Killed:
    paths: ArchivePaths
    open_file: str  # the killed run's file, as it will be named once repaired
    closed_file: str
    cut_at: int


def killed_archive(tmp_path: Path) -> Killed:
    """An archive whose second run was killed and whose last file then lost its tail (a power loss).

    run-old (finished) wrote file A: listing L0 (1), the first copy P0 of post 1 (2), a revisit RV (3).
    run-killed (left running) wrote file B: listing L1 (10), a page U it never indexed (11), then, in the
    part the power loss took: a newer copy P1 of post 1 (12), post 2's only copy P2 (13), an image M2
    (14), the account's own page AP (15), the listing's second page L2 (16), post 4's page D4 that
    shows it deleted (17).
    """
    paths = ArchivePaths(tmp_path / "archive").ensure()
    index = open_index(paths.index_db)
    index.start_run("run-old", "portal", warc_date(T0))
    old = WarcArchive(paths.warc_dir, "run-old", clock=fixed_clock(), hostname="host")
    l0, p0 = capture(1, "/list", "run-old"), capture(2, "/post/1", "run-old", ARTICLE)
    rv = capture(3, "/post/1-copy", "run-old", ARTICLE)
    rv.record_type, rv.refers_to, rv.refers_to_url, rv.refers_to_date = "revisit", p0.id, p0.url, p0.fetched_at
    for made in (l0, p0, rv):
        old.write_capture(made)
        index.save_capture(made)
    old.close()
    index.finish_run("run-old", warc_date(at(5)), "finished", {})

    index.start_run("run-killed", "portal", warc_date(at(9)))
    killed = WarcArchive(paths.warc_dir, "run-killed", clock=fixed_clock(at(9)), hostname="host")
    l1, u = capture(10, "/list", "run-killed"), capture(11, "/post/3", "run-killed")
    p1, p2 = capture(12, "/post/1", "run-killed", ARTICLE), capture(13, "/post/2", "run-killed")
    m2 = capture(14, "/img/2.png", "run-killed", bytes(range(256)))
    ap, l2 = capture(15, "/acc", "run-killed"), capture(16, "/list?page=2", "run-killed")
    d4 = capture(17, "/post/4", "run-killed", state="deleted")
    for made in (l1, u, p1, p2, m2, ap, l2, d4):
        killed.write_capture(made)
        if made is not u:  # killed between the WARC write and the index commit
            index.save_capture(made)

    def account(made: Capture, **fields) -> Account:
        return Account(id=ACCOUNT, platform="website", platform_id=f"{BASE}/acc", capture_id=made.id,
                       seen_at=made.fetched_at, name="云岚发布", url=f"{BASE}/acc", **fields)

    def post(post_id: str, made: Capture, own_page: bool) -> Post:
        return Post(id=post_id, account_id=ACCOUNT, platform="website", capture_id=made.id, seen_at=made.fetched_at,
                    url=BASE + post_id.rsplit(BASE, 1)[1], title="标题", text="正文" if own_page else None,
                    state=made.page_state if own_page else "listed", authoritative=own_page)

    index.save_account(account(l0, listing_url=f"{BASE}/list"))
    index.save_post(post(POST1, l0, False))
    index.save_post(post(POST1, p0, True))
    index.save_account(account(l1, listing_url=f"{BASE}/list"))
    index.save_post(post(POST1, p1, True))
    index.save_post(post(POST2, l1, False))
    index.save_post(post(POST2, p2, True))
    index.save_account(account(ap, authoritative=True))
    index.save_account(account(l2, listing_url=f"{BASE}/list?page=2"))
    index.save_post(post(POST4, l2, False))
    index.save_post(post(POST4, d4, True))
    with index.db.conn:
        index.db.execute("update captures set refers_to = ? where id = ?", [p1.id, rv.id])  # as if P1 were older
        index.db["notices"].insert({"id": "notice-1", "account_id": ACCOUNT, "post_id": POST2, "capture_id": p2.id,
                                    "kind": "closure"})
        index.db["changes"].insert({"table_name": "posts", "row_id": POST2, "column_name": "title",
                                    "old_value": "旧", "new_value": "标题", "capture_id": p2.id,
                                    "changed_at": warc_date(p2.fetched_at)})
        index.record_status("posts", POST1, "ok", "ok", "seen again", p1.id, warc_date(p1.fetched_at))
    index.close()

    open_path = paths.warc_dir / (killed.current_file + ".open")
    killed._fh.close()  # kill -9: the file stays .open, its lock goes with the process
    cut_at = p1.warc_offset + 10  # a power loss: the tail the index already pointed at never reached the disk
    with open(open_path, "r+b") as fh:
        fh.truncate(cut_at)
    return Killed(paths, killed.current_file, old.files_written[0], cut_at)


def test_a_torn_tail_becomes_lost_captures_and_every_reference_moves(tmp_path, caplog):
    archive = killed_archive(tmp_path)
    db = archive.paths.index_db
    with caplog.at_level(logging.WARNING):
        report = recover_archive(archive.paths, "run-new", now=at(100))

    assert report.repaired_files == [archive.open_file] and not list(archive.paths.warc_dir.glob("*.open"))
    assert (archive.paths.warc_dir / archive.open_file).stat().st_size < archive.cut_at
    assert sorted(report.lost_captures) == sorted(cid(n) for n in (12, 13, 14, 15, 16, 17))
    assert rows(db, "select capture_id, reason, warc_file, requeued, run_id, detected_at, detected_by_run "
                    "from lost_captures order by capture_id") == [
        (cid(n), "torn tail", archive.open_file, requeued, "run-killed", warc_date(at(100)), "run-new")
        for n, requeued in ((12, 0), (13, 1), (14, 0), (15, 1), (16, 1), (17, 0))]
    assert {r[0] for r in rows(db, "select id from captures")} == {cid(n) for n in (1, 2, 3, 10, 11)}

    # post 1 keeps its earlier copy; post 2 had only the lost one: back to listed, fetched again
    assert one(db, "select state, capture_id, archived_capture_id from posts where id = ?", POST1) == (
        "ok", cid(2), cid(2))
    assert one(db, "select state, capture_id, archived_capture_id from posts where id = ?", POST2) == (
        "listed", None, None)
    assert report.requeued_posts == [POST2]
    # post 4's page said deleted: fetching it again would say the same; the loss is in lost_captures
    assert one(db, "select state, capture_id, archived_capture_id from posts where id = ?", POST4) == (
        "deleted", None, None)
    history = one(db, "select old_status, new_status, reason, run_id from status_history where row_id = ? "
                      "and new_status = 'listed'", POST2)
    assert history[:2] == ("ok", "listed") and "torn tail" in history[2] and history[3] == "run-new"
    # the account: its newest surviving listing; the lost listing's sighting is gone; its check lost its page
    assert one(db, "select capture_id from accounts where id = ?", ACCOUNT) == (cid(10),)
    assert {r[0] for r in rows(db, "select capture_id from account_sources")} == {cid(1), cid(10)}
    assert rows(db, "select run_id, capture_id from account_checks") == [("run-killed", None)]
    assert one(db, "select capture_id from notices") == (None,)
    assert set(rows(db, "select capture_id from changes where row_id = ?", POST2)) == {(None,)}
    assert one(db, "select refers_to from captures where id = ?", cid(3)) == (cid(2),)  # the surviving original

    # no row anywhere still points at a lost capture
    lost = set(report.lost_captures)
    for table, column in capture_references(open_index(db).db):
        values = {r[0] for r in rows(db, f"select [{column}] from [{table}]")}
        assert not values & lost, (table, column)

    # the page written but never indexed is indexed now, at its offset
    assert report.imported_captures == 1
    assert one(db, "select warc_file, run_id from captures where id = ?", cid(11)) == (archive.open_file, "run-killed")
    # the killed run ends at its last indexed capture
    assert one(db, "select status, finished_at from runs where id = 'run-killed'") == (
        "killed", warc_date(at(11)))
    assert one(db, "select status from runs where id = 'run-old'") == ("finished",)
    assert report.killed_runs == ["run-killed"]

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("6 capture(s)" in line and archive.open_file in line and "3 will be fetched again" in line
               for line in warnings), warnings
    assert any(POST2 in line and "listed" in line for line in warnings), warnings
    assert any("run-killed" in line and "killed" in line for line in warnings), warnings


def test_every_column_that_refers_to_captures_has_a_rule_or_is_cleared(tmp_path):
    """A migration adding a column that points at captures is covered: known rules plus NULL for the rest."""
    index = open_index(tmp_path / "index.db")
    references = set(capture_references(index.db))
    index.close()
    assert references >= RULES
    assert {("changes", "capture_id"), ("status_history", "capture_id")} <= references - RULES


def table_dump(db: Path) -> dict[str, list[tuple]]:
    names = [r[0] for r in rows(db, "select name from sqlite_master where type = 'table' and name not like "
                                    "'sqlite_%' and name not like '%_fts%'")]
    return {name: sorted(rows(db, f"select * from [{name}]"), key=repr) for name in names}


def test_recovery_twice_changes_nothing_the_second_time(tmp_path):
    archive = killed_archive(tmp_path)
    assert recover_archive(archive.paths, "run-new", now=at(100))
    files = sorted((p.name, p.stat().st_size) for p in archive.paths.warc_dir.iterdir())
    before = table_dump(archive.paths.index_db)
    again = recover_archive(archive.paths, "run-newer", now=at(200))
    assert not again, again
    assert table_dump(archive.paths.index_db) == before
    assert sorted((p.name, p.stat().st_size) for p in archive.paths.warc_dir.iterdir()) == files


def test_a_file_with_no_whole_record_loses_every_capture_in_it(tmp_path):
    paths = ArchivePaths(tmp_path / "archive").ensure()
    index = open_index(paths.index_db)
    index.start_run("run-x", "portal", warc_date(at(20)))
    writer = WarcArchive(paths.warc_dir, "run-x", clock=fixed_clock(at(20)), hostname="host")
    made = capture(21, "/list", "run-x")
    writer.write_capture(made)
    index.save_capture(made)
    index.close()
    writer._fh.close()
    with open(paths.warc_dir / (writer.current_file + ".open"), "r+b") as fh:
        fh.truncate(30)  # not even the warcinfo record reached the disk whole

    report = recover_archive(paths, "run-new", now=at(100))
    invalid = writer.current_file + ".invalid"
    assert report.invalid_files == [invalid] and report.repaired_files == []
    assert [p.name for p in paths.warc_dir.iterdir()] == [invalid]
    assert rows(paths.index_db, "select capture_id, reason, warc_file, requeued from lost_captures") == [
        (made.id, "unreadable file", invalid, 0)]
    assert rows(paths.index_db, "select count(*) from captures") == [(0,)]
    # nothing of it was indexed any more: the run ends when it started
    assert one(paths.index_db, "select status, finished_at from runs") == ("killed", warc_date(at(20)))


def test_the_current_run_is_never_marked_killed(tmp_path):
    paths = ArchivePaths(tmp_path / "archive").ensure()
    index = open_index(paths.index_db)
    index.start_run("run-dead", "portal", warc_date(at(1)))
    index.start_run("run-now", "portal", warc_date(at(2)))
    index.close()
    report = recover_archive(paths, "run-now")
    assert report.killed_runs == ["run-dead"]
    assert rows(paths.index_db, "select id, status from runs order by id") == [
        ("run-dead", "killed"), ("run-now", "running")]


def closed_file_of_a_running_run(tmp_path: Path) -> tuple[ArchivePaths, WarcArchive, list[Capture]]:
    paths = ArchivePaths(tmp_path / "archive").ensure()
    index = open_index(paths.index_db)
    index.start_run("run-r", "portal", warc_date(T0))
    writer = WarcArchive(paths.warc_dir, "run-r", clock=fixed_clock(), hostname="host")
    made = [capture(n, f"/page/{n}", "run-r", ARTICLE + bytes([n])) for n in (1, 2, 3)]
    for one_capture in made:
        writer.write_capture(one_capture)
        index.save_capture(one_capture)
    writer.close()
    index.close()
    return paths, writer, made


def test_a_row_whose_record_is_elsewhere_in_its_file_is_pointed_at_it(tmp_path):
    paths, _, made = closed_file_of_a_running_run(tmp_path)
    with open_index(paths.index_db).db.conn as conn:
        conn.execute("update captures set warc_offset = warc_offset + 1 where id = ?", [made[1].id])
    report = recover_archive(paths, "run-new")
    assert report.moved_pointers == 1 and report.lost_captures == []
    assert one(paths.index_db, "select warc_offset from captures where id = ?", made[1].id) == (made[1].warc_offset,)


def test_a_damaged_closed_file_keeps_its_rows(tmp_path):
    """Bytes changed on disk in a closed file may be restored from a copy: recovery never drops its rows."""
    paths, writer, made = closed_file_of_a_running_run(tmp_path)
    path = paths.warc_dir / writer.files_written[0]
    data = bytearray(path.read_bytes())
    data[made[1].warc_offset + 200] ^= 0xFF
    path.write_bytes(bytes(data))
    report = recover_archive(paths, "run-new")
    assert report.lost_captures == [] and len(report.errors) == 1  # said once, with where the damage starts
    assert report.errors[0].startswith(f"{writer.files_written[0]} @ {made[1].warc_offset}: damaged gzip member")
    assert rows(paths.index_db, "select count(*) from captures") == [(3,)]
    assert report.killed_runs == ["run-r"]


def test_the_warc_pipeline_recovers_at_crawl_start_and_counts_it_in_stats(tmp_path):
    archive = killed_archive(tmp_path)
    crawler = get_crawler(settings_dict={"GOVARCHIVE_ARCHIVE_DIR": str(archive.paths.root),
                                         "GOVARCHIVE_RUN_ID": "run-new"})
    stats = crawler.stats
    WarcPipeline.from_crawler(crawler).open_spider()  # the first pipeline to open opens the crawl's archive
    archive_for(crawler).close(None, "finished")
    recovery = {k: v for k, v in stats.get_stats().items() if k.startswith("govarchive/recovery/")}
    assert recovery == {"govarchive/recovery/repaired_files": 1, "govarchive/recovery/lost_captures": 6,
                        "govarchive/recovery/requeued_posts": 1, "govarchive/recovery/imported_captures": 1,
                        "govarchive/recovery/killed_runs": 1}
    assert one(archive.paths.index_db, "select detected_by_run from lost_captures limit 1") == ("run-new",)


def test_status_lists_killed_runs_and_lost_captures_not_archived_again(tmp_path):
    from govarchive.browse.status import problem_lines
    from govarchive.browse.summary import summarize

    archive = killed_archive(tmp_path)
    recover_archive(archive.paths, "run-new", now=at(100))
    problems = summarize(archive.paths.root).problems
    assert problems.killed_runs == ["run-killed"] and problems.unfinished_runs == []
    assert (problems.lost_captures, problems.lost_not_refetched) == (6, 6)
    lines = problem_lines(summarize(archive.paths.root))
    assert any("run-killed" in line and "recovered" in line for line in lines), lines
    assert any(line.startswith("6 of 6 capture(s) lost") for line in lines), lines

    index = open_index(archive.paths.index_db)  # a later crawl archives post 2's page again
    again = capture(200, "/post/2", "run-killed")
    again.fetched_at = at(300)
    index.save_capture(again)
    index.close()
    assert summarize(archive.paths.root).problems.lost_not_refetched == 5
