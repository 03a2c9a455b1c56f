"""End to end: what a crawl of the demo web concludes about closures, and what a later crawl sees.

Slow: crawls the demo web (phase 1, the demo's "today") and again a few weeks later (phase 2, on the
same port so URLs and ids are the same), in subprocesses through plain ``scrapy crawl``.
"""

from __future__ import annotations

import re

import pytest
from helpers import crawl, one, rows

from govarchive.demo import DemoWeb
from govarchive.demo.content import EXPECTED

pytestmark = pytest.mark.slow
LATER = EXPECTED["later"]


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    """One archive crawled in phase 1 and then in phase 2 (archived posts re-checked to see deletions)."""
    archive = tmp_path_factory.mktemp("later")
    with DemoWeb(port=0) as web:
        port = web.port
        first = crawl(web.base_url, archive)
    with DemoWeb(port=port, fallback=False, phase=2) as web:
        second = crawl(web.base_url, archive, "GOVARCHIVE_RECHECK_POSTS=all", as_of=LATER["today"])
    return {"db": archive / "index.db", "first": first, "second": second}


def status(db, account_id):
    return one(db, "select status, status_reason from accounts where id = ?", account_id)


def test_statuses_after_one_crawl(later):
    db = later["db"]
    first_run = rows(db, "select id from runs order by started_at limit 1")[0][0]
    statuses = {row[0]: row[1] for row in rows(
        db, "select row_id, new_status from status_history where run_id = ? and table_name = 'accounts'", first_run)}
    for account in EXPECTED["wechat_accounts"]:
        assert statuses.get(f"wechat:{account['biz']}") == account["status"], account["name"]
    assert statuses[f"weibo:{EXPECTED['weibo_empty_uid']}"] == "zombie"
    assert statuses[f"wechat:{EXPECTED['migrated_account']['biz']}"] == "migrated"


def test_portal_notice_names_each_account_and_its_successor(later):
    db = later["db"]
    notice = EXPECTED["portal_closure_notice"]
    found = {row[0]: row for row in rows(
        db, "select n.named_as, n.kind, n.effective_at, n.is_report, a.platform, n.account_id from notices n "
            "join posts p on p.id = n.post_id join accounts a on a.id = n.account_id where p.url like ?",
        "%" + notice["path"])}
    assert set(found) == {c["name"] for c in notice["closed_accounts"]}
    for closed in notice["closed_accounts"]:
        _named_as, kind, _effective, is_report, platform, account_id = found[closed["name"]]
        assert (kind, is_report, platform) == ("closure", 0, closed["platform"])
        targets = rows(db, "select target_name, target_platform from migrations m join notices n on n.id = m.notice_id "
                           "where n.account_id = ? and n.named_as = ?", account_id, closed["name"])
        kinds = {"account": "wechat", "website": "website", "office": "office", "class": "website", "none": "unspecified"}
        assert kinds[closed["successor_kind"]] in {t[1] for t in targets}, closed
    # accounts the directory lists are matched; the others are created from the notice and are closing
    assert found["云岚青山街道"][5] == f"wechat:{EXPECTED['dormant_account']}"
    assert status(db, "douyin:name:临江城管")[0] == "closing"
    # the supervision bulletin names accounts too, but it is not a notice
    assert not rows(db, "select 1 from notices n join posts p on p.id = n.post_id where p.title like '%通报%'")


def test_the_closure_post_and_its_resolved_successors(later):
    db = later["db"]
    biz, mid, idx = EXPECTED["closure_post"]
    post_id = f"wechat:{biz}:{mid}:{idx}"
    kind, effective, account_id = one(db, "select kind, effective_at, account_id from notices where post_id = ?", post_id)
    assert (kind, effective, account_id) == ("closure", "2026-12-01", f"wechat:{biz}")
    targets = {row[0]: row[1:] for row in rows(
        db, "select m.target_name, m.target_platform, m.target_account_id, m.target_url from migrations m "
            "join notices n on n.id = m.notice_id where n.post_id = ?", post_id)}
    assert set(EXPECTED["closure_post_successors"]) <= set(targets)
    assert targets["云岚发布"][:2] == ("wechat", "wechat:3291847560")
    assert targets["云岚市人民政府"][0] == "website" and targets["云岚市人民政府"][2].endswith("/")
    # the platform's own move (transferTargetLink) is a certain migration
    moved = EXPECTED["migrated_account"]
    assert one(db, "select target_account_id, confidence, source from migrations where from_account_id = ? "
                   "and source = 'platform'", f"wechat:{moved['biz']}") == (f"wechat:{moved['successor_biz']}", 1.0,
                                                                            "platform")


def test_a_later_crawl_sees_accounts_close_and_posts_vanish(later):
    db = later["db"]
    for account in LATER["cancelled_accounts"]:
        current, reason = status(db, account["account_id"])
        assert current == "closed" and "account_cancelled" in reason, account["name"]
        history = rows(db, "select old_status, new_status, capture_id from status_history where row_id = ? "
                           "order by id", account["account_id"])
        assert history[-1][:2] == ("closing", "closed") and history[-1][2]
        assert one(db, "select page_state from captures where id = ?", history[-1][2]) == ("account_cancelled",)
    deleted = LATER["deleted_article"]
    post_id = "wechat:" + ":".join(deleted["key"])
    state, archived, changed = one(db, "select state, archived_capture_id, state_changed_at from posts where id = ?",
                                   post_id)
    assert state == "deleted" and changed
    assert one(db, "select page_state from captures where id = ?", archived) == ("ok",)  # the copy stays linked
    assert rows(db, "select old_status, new_status from status_history where row_id = ?", post_id) == [("ok", "deleted")]
    new = LATER["new_article"]
    assert one(db, "select state from posts where id = ?", "wechat:" + ":".join(new["key"])) == ("ok",)


def test_the_later_crawl_starts_with_the_accounts_at_risk(later):
    assert "at-risk first:" in later["second"].stderr and "re-checking" in later["second"].stderr
    assert "at-risk first:" not in later["first"].stderr  # the first run has no risks yet
    # unchanged re-checked pages are revisits, not second copies
    db = later["db"]
    second_run = rows(db, "select id from runs order by started_at desc limit 1")[0][0]
    assert one(db, "select count(*) from captures where run_id = ? and record_type = 'revisit'", second_run)[0] > 0


def test_the_mp_session_never_reaches_the_log(later):
    from govarchive.demo.content import MP_DEMO_COOKIE, MP_DEMO_TOKEN

    for result in (later["first"], later["second"]):
        assert "Overridden settings" in result.stderr
        assert MP_DEMO_TOKEN not in result.stderr and MP_DEMO_COOKIE not in result.stderr


def test_the_writer_process_read_the_posts_ahead_of_the_analysis(later):
    """The end-of-run analysis finds the run's posts read by the closure detector in the writer process
    while the crawl ran (govarchive/closure/readahead.py), and reads only the rest itself."""
    stats = dict(re.findall(r"'govarchive/analysis/read_(ahead|late)': (\d+)", later["first"].stderr))
    assert int(stats["ahead"]) > 50 and int(stats["late"]) <= int(stats["ahead"]) // 5, stats
