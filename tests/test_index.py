"""The index library: migrations, idempotent saves, merge precedence, change history."""

from datetime import timedelta

from helpers import T0, make_capture
from sqlite_utils import Database

from govarchive.core.items import Account, PageState, Post
from govarchive.index.schema import migrations
from govarchive.index.store import Index


def fresh() -> Index:
    return Index(Database(memory=True))


def account(capture_id="urn:uuid:c1", seconds=0, **fields):
    base = dict(id="wechat:3264997043", platform="wechat", platform_id="3264997043", capture_id=capture_id,
                seen_at=T0 + timedelta(seconds=seconds))
    return Account(**{**base, **fields})


def test_migrations_apply_twice_and_create_the_public_tables():
    index = fresh()
    migrations.apply(index.db)
    assert {"runs", "captures", "accounts", "posts", "account_sources", "changes"} <= set(index.db.table_names())
    assert {"payload_digest", "warc_file", "warc_offset", "warc_length", "refers_to", "page_state"} <= set(
        index.db["captures"].columns_dict)


def test_account_met_again_updates_one_row_and_logs_changes():
    index = fresh()
    index.save_account(account(name="云岚发布", listing_url="http://x/xmt/index.html", agency="云岚市政府办公室"))
    index.save_account(account("urn:uuid:c2", 60, name="云岚发布", listing_url="http://x/xmt/index_2.html"))
    index.save_account(account("urn:uuid:c3", 120, name="云岚发布平台", authoritative=True, followers=10))
    rows = list(index.db["accounts"].rows)
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "云岚发布平台" and row["agency"] == "云岚市政府办公室" and row["followers"] == 10
    assert row["first_seen"] == "2026-11-20T02:00:00.000000Z" and row["last_seen"] == "2026-11-20T02:02:00.000000Z"
    assert row["capture_id"] == "urn:uuid:c3"
    assert [r["listing_url"] for r in index.db["account_sources"].rows] == ["http://x/xmt/index.html",
                                                                             "http://x/xmt/index_2.html"]
    assert [(c["column_name"], c["old_value"], c["new_value"]) for c in index.db["changes"].rows] == [
        ("name", "云岚发布", "云岚发布平台")]


def test_listing_never_overrides_the_platform_own_page():
    index = fresh()
    index.save_account(account(name="云岚发布", authoritative=True))
    index.save_account(account("urn:uuid:c2", 60, name="云岚市发布（目录写法）", agency="市政府办公室",
                               listing_url="http://x/xmt/"))
    row = index.db["accounts"].get("wechat:3264997043")
    assert row["name"] == "云岚发布" and row["agency"] == "市政府办公室"


def post(state="listed", authoritative=False, capture_id="urn:uuid:c1", seconds=0, **fields):
    return Post(id="wechat:3264997043:2650000001:1", account_id="wechat:3264997043", platform="wechat",
                capture_id=capture_id, seen_at=T0 + timedelta(seconds=seconds), state=state,
                authoritative=authoritative, **fields)


def test_post_listed_then_archived_then_deleted():
    index = fresh()
    index.save_account(account())
    index.save_post(post(title="列表标题", published_at="2026-11-19T09:30:00+08:00"))
    assert not index.has_post("wechat:3264997043:2650000001:1")
    index.save_post(post("ok", True, "urn:uuid:c2", 10, title="文章标题", text="正文"))
    index.save_post(post(title="列表标题", capture_id="urn:uuid:c3", seconds=20))
    assert index.has_post("wechat:3264997043:2650000001:1")
    row = index.db["posts"].get("wechat:3264997043:2650000001:1")
    assert (row["title"], row["text"], row["state"], row["capture_id"]) == ("文章标题", "正文", "ok", "urn:uuid:c2")
    index.save_post(post("deleted", True, "urn:uuid:c4", 30))
    row = index.db["posts"].get("wechat:3264997043:2650000001:1")
    assert row["state"] == "deleted" and row["text"] == "正文"  # the archived copy stays linked
    assert ("state", "ok", "deleted") in [(c["column_name"], c["old_value"], c["new_value"])
                                          for c in index.db["changes"].rows]
    assert index.db["accounts"].get("wechat:3264997043")["last_post_at"] == "2026-11-19T09:30:00+08:00"
    assert index.db["posts"].count == 1


def test_capture_rows_and_original_lookup():
    index = fresh()
    first, second = make_capture(1), make_capture(2, url="http://127.0.0.1:9/copy")
    first.warc_file, first.warc_offset, first.warc_length = "a.warc.gz", 100, 50
    index.save_capture(first)
    original = index.find_original(second.payload_digest)
    assert original.capture_id == first.id and original.warc_file == "a.warc.gz"
    index.save_page_state(PageState(first.id, "deleted"))
    assert index.db["captures"].get(first.id)["page_state"] == "deleted"


def test_unsent_fragment_without_account_is_ignored():
    index = fresh()
    index.save_post(Post(id="weibo:1", account_id="", platform="weibo", capture_id="c", seen_at=T0, text="x",
                         state="ok", authoritative=True))
    assert index.db["posts"].count == 0
