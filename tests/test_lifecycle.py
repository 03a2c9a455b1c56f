"""Lifecycle statuses, notices in the index, successor resolution, provisional-id merges, at-risk order."""

from __future__ import annotations

from datetime import timedelta

from helpers import T0, make_capture
from sqlite_utils import Database

from govarchive.closure.lifecycle import analyse, crawl_order
from govarchive.core.items import Account, PageState, Post
from govarchive.index.store import Index

AS_OF = T0 + timedelta(days=1)
NOTICE = ("尊敬的用户：本公众号将于2026年12月1日起停止更新并启动注销程序。相关服务迁移至“青禾发布”微信公众号。"
          "感谢大家一直以来的关注！")


class Archive:
    """An in-memory index fed the way a crawl feeds it: capture, page state, then items."""

    def __init__(self) -> None:
        self.index = Index(Database(memory=True))
        self.n = 0
        self.run = "run-1"
        self.index.start_run(self.run, "test", "2026-11-20T02:00:00Z")

    def new_run(self, name: str) -> None:
        self.run = name
        self.index.start_run(name, "test", "2026-11-20T02:00:00Z")

    def page(self, state: str = "ok", url: str = "http://127.0.0.1:9/page", days: float = 0) -> tuple[str, object]:
        self.n += 1
        capture = make_capture(self.n, url=url, run_id=self.run)
        capture.fetched_at = T0 + timedelta(days=days, seconds=self.n)
        self.index.save_capture(capture)
        self.index.save_page_state(PageState(capture.id, state))
        return capture.id, capture.fetched_at

    def account(self, account_id: str, state: str = "ok", days: float = 0, **fields) -> None:
        capture_id, seen = self.page(state, days=days)
        fields.setdefault("authoritative", True)
        self.index.save_account(Account(id=account_id, platform=account_id.split(":")[0],
                                        platform_id=account_id.split(":")[-1], capture_id=capture_id, seen_at=seen,
                                        **fields))

    def post(self, post_id: str, account_id: str, state: str = "ok", days: float = 0, **fields) -> str:
        capture_id, seen = self.page(state, days=days)
        self.index.save_post(Post(id=post_id, account_id=account_id, platform="wechat", capture_id=capture_id,
                                  seen_at=seen, state=state, authoritative=True, **fields))
        return capture_id

    def status(self, account_id: str) -> tuple[str | None, str]:
        row = self.index.db["accounts"].get(account_id)
        return row["status"], row["status_reason"]


def test_statuses_from_evidence():
    archive = Archive()
    archive.account("wechat:1", name="青禾发布", url="http://127.0.0.1:9/1")
    archive.post("wechat:1:1:1", "wechat:1", title="新闻", text="正文", published_at="2026-11-19T09:00:00+08:00")
    archive.account("wechat:2", name="石渠街道", url="http://127.0.0.1:9/2")
    archive.post("wechat:2:1:1", "wechat:2", title="旧闻", text="正文", published_at="2026-10-01T09:00:00+08:00")
    archive.account("wechat:3", state="empty", name="桐柏镇发布", url="http://127.0.0.1:9/3")
    archive.account("wechat:4", name="青禾人社", url="http://127.0.0.1:9/4")
    archive.post("wechat:4:1:1", "wechat:4", title="关于“青禾人社”微信公众号停止更新的公告", text=NOTICE,
                 published_at="2026-11-16T10:00:00+08:00")
    archive.account("wechat:5", state="account_cancelled", name="已注销的号")
    archive.account("wechat:6", state="blocked", name="被拦的号")
    archive.account("douyin:7", name="某抖音号")  # its posts are not archived: never a zombie
    result = analyse(archive.index, AS_OF)
    assert archive.status("wechat:1") == ("active", "last post 2026-11-19")
    assert archive.status("wechat:2")[0] == "dormant" and "2026-10-01" in archive.status("wechat:2")[1]
    assert archive.status("wechat:3")[0] == "zombie"
    assert archive.status("wechat:4") == ("closing", "closure notice of 2026-11-16, effective 2026-12-01")
    assert archive.status("wechat:5")[0] == "closed" and "account_cancelled" in archive.status("wechat:5")[1]
    assert archive.status("wechat:6")[0] == "unreachable"
    assert archive.status("douyin:7")[0] is None
    assert result.statuses["active"] == 1 and result.notices == 1
    # every status set is in the history, with its evidence capture
    history = {row["row_id"]: row for row in archive.index.db["status_history"].rows}
    assert history["wechat:4"]["new_status"] == "closing" and history["wechat:4"]["capture_id"]
    # the notice's successor resolves once the successor is archived (later)
    migration = next(archive.index.db["migrations"].rows)
    assert (migration["target_name"], migration["target_platform"], migration["target_account_id"]) == \
        ("青禾发布", "wechat", "wechat:1")
    assert migration["scope"] == "相关服务" and migration["confidence"] >= 0.9
    # the dormant threshold is a setting
    analyse(archive.index, AS_OF, dormant_days=60)
    assert archive.status("wechat:2")[0] == "active"


def test_closed_needs_several_runs_of_absence_never_one_failure():
    archive = Archive()
    archive.account("weibo:9", name="青禾气象", url="http://127.0.0.1:9/9")
    archive.post("weibo:9:1", "weibo:9", title="天气", text="晴", published_at="2026-11-19T09:00:00+08:00")
    analyse(archive.index, AS_OF)
    for run in range(2, 5):
        archive.new_run(f"run-{run}")
        archive.account("weibo:9", state="empty", days=run, authoritative=False)
        analyse(archive.index, AS_OF + timedelta(days=run), f"run-{run}", closed_after_runs=3)
        status = archive.status("weibo:9")[0]
        assert (status == "closed") == (run == 4), (run, status)
    assert "missing in 3 consecutive runs" in archive.status("weibo:9")[1]
    changes = [(r["old_status"], r["new_status"]) for r in archive.index.db["status_history"].rows_where(
        "row_id = ?", ["weibo:9"], order_by="id")]
    assert changes == [(None, "active"), ("active", "closed")]


def test_post_turning_into_an_error_page_keeps_its_archived_copy():
    archive = Archive()
    archive.account("wechat:1", name="青禾发布")
    good = archive.post("wechat:1:1:1", "wechat:1", title="通知", text="正文")
    archive.new_run("run-2")
    gone = archive.post("wechat:1:1:1", "wechat:1", state="deleted", days=3)
    row = archive.index.db["posts"].get("wechat:1:1:1")
    assert row["state"] == "deleted" and row["archived_capture_id"] == good and row["state_changed_at"]
    history = list(archive.index.db["status_history"].rows_where("row_id = ?", ["wechat:1:1:1"]))
    assert [(h["old_status"], h["new_status"], h["capture_id"], h["run_id"]) for h in history] == \
        [("ok", "deleted", gone, "run-2")]


def test_provisional_directory_ids_merge_into_the_real_account_and_keep_resolving():
    archive = Archive()
    capture_id, seen = archive.page()
    archive.index.save_account(Account(id="wechat:alias:qhjt", platform="wechat", platform_id="qhjt",
                                       capture_id=capture_id, seen_at=seen, name="青禾交通", alias="qhjt",
                                       agency="青禾县交通运输局", region="青禾县", listing_url="http://127.0.0.1:9/dir"))
    archive.account("wechat:777", name="青禾交通", alias="qhjt")
    result = analyse(archive.index, AS_OF)
    assert result.merged == [("wechat:alias:qhjt", "wechat:777")]
    real = archive.index.db["accounts"].get("wechat:777")
    assert real["agency"] == "青禾县交通运输局" and real["region"] == "青禾县"
    assert [r["account_id"] for r in archive.index.db["account_sources"].rows] == ["wechat:777"]
    assert archive.index.canonical_account_id("wechat:alias:qhjt") == "wechat:777"
    # a later directory crawl meets the old id again: it lands on the real row
    capture_id, seen = archive.page()
    archive.index.save_account(Account(id="wechat:alias:qhjt", platform="wechat", platform_id="qhjt",
                                       capture_id=capture_id, seen_at=seen, name="青禾交通",
                                       listing_url="http://127.0.0.1:9/dir"))
    assert archive.index.db["accounts"].count == 1
    assert archive.index.db.execute("select count(*) from changes where column_name = 'id'").fetchone()[0] == 1


def test_batch_notice_creates_named_accounts_and_the_riskiest_come_first():
    archive = Archive()
    archive.account("website:http://127.0.0.1:9/tzgg/", name="通知公告", agency="青禾县人民政府", region="青禾县",
                    url="http://127.0.0.1:9/tzgg/")
    archive.account("wechat:1", name="石渠街道", agency="青禾县石渠街道办事处", url="http://127.0.0.1:9/1")
    archive.post("wechat:1:1:1", "wechat:1", title="旧闻", text="正文", published_at="2026-10-01T09:00:00+08:00")
    archive.account("wechat:2", name="青禾发布", url="http://127.0.0.1:9/2")
    archive.post("wechat:2:1:1", "wechat:2", title="新闻", text="正文", published_at="2026-11-19T09:00:00+08:00")
    text = ("经研究，决定对以下账号予以关停注销：\n"
            "一、“石渠街道”微信公众号自2026年12月1日起停止更新并注销，相关内容并入属地政府网站。\n"
            "二、“青禾城管”抖音号自即日起停止更新，请到青禾县政务服务中心（青禾县人民路1号）办理相关业务。")
    archive.post("website:http://127.0.0.1:9/tzgg/1.html", "website:http://127.0.0.1:9/tzgg/", title="关于关停注销部分政务新媒体账号的公告",
                 text=text, published_at="2026-11-18T10:00:00+08:00")
    analyse(archive.index, AS_OF)
    notices = {row["named_as"]: row for row in archive.index.db["notices"].rows}
    assert set(notices) == {"石渠街道", "青禾城管"}
    assert notices["石渠街道"]["account_id"] == "wechat:1" and notices["石渠街道"]["effective_at"] == "2026-12-01"
    assert notices["青禾城管"]["account_id"] == "douyin:name:青禾城管"  # unknown until now: created
    assert archive.status("douyin:name:青禾城管")[0] == "closing"
    targets = {(r["from_account_id"], r["target_name"], r["target_platform"], r["target_account_id"], r["resolved_by"])
               for r in archive.index.db["migrations"].rows}
    assert ("wechat:1", "属地政府网站", "website", "website:http://127.0.0.1:9/tzgg/", "region") in targets
    assert ("douyin:name:青禾城管", "青禾县政务服务中心", "office", None, None) in targets
    order = [account_id for account_id, _, _ in crawl_order(archive.index)]
    assert order[0] == "wechat:1"  # closing within 30 days, named in a notice: first
    assert "wechat:2" not in order  # active and never named: no hurry


def test_a_killed_runs_posts_are_analysed_by_the_next_run():
    archive = Archive()  # run-1 never finishes: killed before its closing analysis
    archive.account("wechat:4", name="青禾人社")
    archive.post("wechat:4:1:1", "wechat:4", title="关于“青禾人社”微信公众号停止更新的公告", text=NOTICE,
                 published_at="2026-11-16T10:00:00+08:00")
    archive.new_run("run-2")
    archive.index.finish_run("run-2", "2026-11-21T02:00:00Z", "finished", {})
    assert analyse(archive.index, AS_OF, "run-2").notices == 1


def test_notices_are_found_a_page_of_posts_at_a_time(monkeypatch):
    """record_notices reads the run's posts in pages (a 100,000-article run is not held in memory):
    every post of every page is analysed, the run's filter applies on each page."""
    import govarchive.closure.notices

    monkeypatch.setattr(govarchive.closure.notices, "NOTICE_PAGE", 2)
    archive = Archive()
    for n in range(1, 6):
        archive.account(f"wechat:{n}", name=f"青禾{n}号")
        archive.post(f"wechat:{n}:1:1", f"wechat:{n}", title="停止更新的公告", text=NOTICE,
                     published_at="2026-11-16T10:00:00+08:00")
        archive.post(f"wechat:{n}:1:2", f"wechat:{n}", title="新闻", text="正文", published_at="2026-11-17T10:00:00+08:00")
    archive.new_run("run-2")  # a post of another, finished run is not this run's
    archive.account("wechat:9", name="青禾9号")
    archive.post("wechat:9:1:1", "wechat:9", title="停止更新的公告", text=NOTICE, published_at="2026-11-16T10:00:00+08:00")
    archive.index.finish_run("run-2", "2026-11-21T02:00:00Z", "finished", {})
    archive.new_run("run-3")
    archive.index.db.execute("update runs set finished_at = '2026-11-21T03:00:00Z' where id = 'run-1'")
    archive.index.db.execute("update captures set run_id = 'run-3' where run_id = 'run-1'")
    assert analyse(archive.index, AS_OF, "run-3").notices == 5
    assert sorted(r["account_id"] for r in archive.index.db["notices"].rows) == [f"wechat:{n}" for n in range(1, 6)]
