"""The closure detector's readings taken ahead of the end-of-run analysis (govarchive/closure/readahead.py)."""

from __future__ import annotations

import logging
import pickle

from test_lifecycle import AS_OF, NOTICE, Archive

from govarchive.closure import readahead
from govarchive.closure.lifecycle import analyse
from govarchive.closure.readahead import Readings

BATCH = ("经研究，决定对以下账号予以关停注销：\n"
         "一、“石渠街道”微信公众号自2026年12月1日起停止更新并注销，相关内容并入属地政府网站。\n"
         "二、“青禾城管”抖音号自即日起停止更新，请到青禾县政务服务中心办理相关业务。")
REPORT = "记者从市委网信办获悉，我市“青禾交通”“青禾水务”等政务公众号已于近日关停注销，相关服务并入“青禾发布”。"


def archive_of_posts() -> Archive:
    archive = Archive()
    archive.account("wechat:1", name="石渠街道")
    archive.account("wechat:4", name="青禾人社")
    archive.account("website:http://127.0.0.1:9/tzgg/", name="通知公告", url="http://127.0.0.1:9/tzgg/")
    archive.post("wechat:4:1:1", "wechat:4", title="关于“青禾人社”微信公众号停止更新的公告", text=NOTICE,
                 published_at="2026-11-16T10:00:00+08:00")
    archive.post("wechat:4:1:2", "wechat:4", title="新闻", text="今日天气晴，气温十度。",
                 published_at="2026-11-17T10:00:00+08:00")
    archive.post("website:http://127.0.0.1:9/tzgg/1.html", "website:http://127.0.0.1:9/tzgg/",
                 title="关于关停注销部分政务新媒体账号的公告", text=BATCH, published_at="2026-11-18T10:00:00+08:00")
    archive.post("website:http://127.0.0.1:9/tzgg/2.html", "website:http://127.0.0.1:9/tzgg/", title="我市整合政务新媒体",
                 text=REPORT, published_at="2026-11-18T11:00:00+08:00")
    return archive


def findings_of(archive: Archive) -> dict[str, list[tuple]]:
    db = archive.index.db
    return {table: sorted(tuple(row.values()) for row in db[table].rows)
            for table in ("notices", "claims", "migrations", "accounts", "status_history")}


def post_ids(archive: Archive) -> list[str]:
    return [row["id"] for row in archive.index.db["posts"].rows]


def test_an_analysis_with_posts_read_ahead_writes_what_reading_at_the_end_writes():
    at_the_end = archive_of_posts()
    analyse(at_the_end.index, AS_OF)
    ahead = archive_of_posts()
    readings = Readings()
    readings.read_posts(ahead.index, post_ids(ahead))
    readings.read_posts(ahead.index, post_ids(ahead)[:2])  # read again (a post saved twice): kept once
    readings = pickle.loads(pickle.dumps(readings))  # as the writer process sends them to the crawl's
    assert len(readings) == 4
    analysis = analyse(ahead.index, AS_OF, readings=readings)
    assert (readings.taken, readings.read_late) == (4, 0)  # not one post read twice
    assert analysis.notices == 3 and analysis.claims == 2
    assert findings_of(ahead) == findings_of(at_the_end)


def test_a_post_whose_inputs_changed_after_it_was_read_is_read_again():
    archive = archive_of_posts()
    readings = Readings()
    readings.read_posts(archive.index, post_ids(archive))
    # its account's name came after the post was read, and another post came later: neither reading holds
    archive.index.db.execute("update accounts set name = '青禾人社局' where id = 'wechat:4'")
    archive.post("wechat:1:1:1", "wechat:1", title="停止更新的公告", text=NOTICE, published_at="2026-11-19T10:00:00+08:00")
    analysis = analyse(archive.index, AS_OF, readings=readings)
    assert (readings.taken, readings.read_late) == (2, 3)
    assert analysis.notices == 4
    assert {row["account_id"] for row in archive.index.db["notices"].rows if row["named_as"] is None} \
        == {"wechat:1", "wechat:4"}


def test_a_reading_that_fails_stops_reading_ahead_and_leaves_the_posts_to_the_analysis(monkeypatch, caplog):
    archive = archive_of_posts()
    readings = Readings()

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    with monkeypatch.context() as patch:
        patch.setattr(readahead, "detect", broken)
        with caplog.at_level(logging.WARNING):
            readings.read_posts(archive.index, post_ids(archive))
            readings.read_posts(archive.index, post_ids(archive))  # not tried again
    assert readings.failed == "RecursionError: maximum recursion depth exceeded" and len(readings) == 0
    assert [r.getMessage() for r in caplog.records if r.name == readahead.__name__] == [
        "the closure detector stopped reading posts ahead (RecursionError: maximum recursion depth exceeded): "
        "the end-of-run analysis reads them itself"]
    assert analyse(archive.index, AS_OF, readings=readings).notices == 3
    assert (readings.taken, readings.read_late) == (0, 4)


def test_posts_without_text_or_not_archived_are_not_read():
    archive = Archive()
    archive.account("wechat:4", name="青禾人社")
    archive.post("wechat:4:1:1", "wechat:4", title="目录里的一条", state="listed")
    archive.post("wechat:4:1:2", "wechat:4", title="已删除", text=NOTICE, state="deleted")
    readings = Readings()
    readings.read_posts(archive.index, [*post_ids(archive), "wechat:4:9:9"])
    readings.read_posts(archive.index, [])
    assert len(readings) == 0
