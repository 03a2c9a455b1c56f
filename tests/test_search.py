"""Chinese search: the bigram shadow index, queried through Datasette's own client with our plugin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govarchive.core.items import Account, Post
from govarchive.core.textclean import normalise as simplified
from govarchive.index.search import cjk_bigrams, cjk_escape_fts
from govarchive.index.store import open_index

SEEN = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
POSTS = {
    "p1": ("关于关停注销部分政务新媒体账号的公告", "决定对以下账号予以关停注销。"),
    "p2": ("本公众号将停止更新", "后续请关注“云岚发布”微信公众号。"),
    "p3": ("關於註銷帳號的說明", "本帳號將於即日起停止更新。"),  # a Traditional re-post
    "p4": ("寒潮蓝色预警", "请注意防寒保暖，减少外出。"),
}


def test_bigrams_and_query_rewriting():
    assert cjk_bigrams("关停运营 WeChat") == " 关停 停运 运营  WeChat"
    assert cjk_bigrams("停") == " 停 "
    assert cjk_escape_fts("政务新媒体 关停") == '"政务 务新 新媒 媒体" "关停"'
    assert cjk_escape_fts('"公众号" gov') == '"公众 众号" "gov"'
    assert cjk_escape_fts('關停"') == '"关停"'  # Traditional query, unbalanced quote closed
    assert simplified("關於帳號登出") == "关于账号注销"  # Taiwan vocabulary back to mainland (tw2sp)
    assert simplified("启动注销程序") == "启动注销程序"  # Simplified text is left alone
    assert simplified("注销帐号，帐户与帐务") == "注销账号，账户与账务"  # the variant spellings of 账


@pytest.fixture()
def db_path(tmp_path):
    path = tmp_path / "index.db"
    index = open_index(path)
    index.save_account(Account("wechat:1", "wechat", "1", "urn:uuid:c", SEEN, name="云岚人社服务",
                               description="社保查询、就业服务", authoritative=True))
    for post_id, (title, text) in POSTS.items():
        index.save_post(Post(post_id, "wechat:1", "wechat", "urn:uuid:c", SEEN, title=title, text=text,
                             state="ok", authoritative=True))
    # a post whose text changes: the shadow follows (no stale match on the old text)
    index.save_post(Post("p4", "wechat:1", "wechat", "urn:uuid:c2", SEEN, title="寒潮蓝色预警",
                         text="请注意防寒保暖，外出注意安全。", state="ok", authoritative=True))
    index.close()
    return path


async def search(path, table: str, query: str, **params) -> set[str]:
    from datasette.app import Datasette
    from datasette.plugins import pm

    import govarchive.browse as plugin

    if pm.get_plugin("govarchive") is None:  # entry points are not loaded in every test setup
        pm.register(plugin, name="govarchive")
    ds = Datasette([str(path)])
    params = {**({"_search": query} if query else {}), "_shape": "array", "_col": "id", **params}
    response = await ds.client.get(f"/index/{table}.json", params=params)
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()}


@pytest.mark.asyncio
@pytest.mark.parametrize("query, expected", [
    ("关停", {"p1"}),                      # 2 characters: what the trigram tokenizer cannot do
    ("公众号", {"p2"}),
    ("政务新媒体", {"p1"}),
    ("账号", {"p1", "p3"}),                 # 帳號 in the Traditional post, found by its Simplified form
    ("註銷", {"p1", "p3"}),                 # a Traditional query finds Simplified text too
    ("停止更新", {"p2", "p3"}),
    ("关停 公告", {"p1"}),                   # several terms: all must match
    ("减少外出", set()),                    # the old text of p4 is gone from the index
    ("外出注意", {"p4"}),
    ("微博", set()),
])
async def test_search_posts_through_datasette(db_path, query, expected):
    assert await search(db_path, "posts", query) == expected


@pytest.mark.asyncio
async def test_search_accounts_and_single_columns(db_path):
    assert await search(db_path, "accounts", "社保") == {"wechat:1"}
    assert await search(db_path, "posts", "停止更新") == {"p2", "p3"}
    assert await search(db_path, "posts", "", _search_title="停止更新") == {"p2"}  # ?_search_title= alone


def dated_index(path, dates: dict[str, str | None]):
    index = open_index(path)
    index.save_account(Account("wechat:1", "wechat", "1", "urn:uuid:c", SEEN, name="云岚发布", authoritative=True))
    for post_id, published in dates.items():
        index.save_post(Post(post_id, "wechat:1", "wechat", "urn:uuid:c", SEEN, title=f"防汛通知 {post_id}",
                             text="防汛工作安排。", published_at=published, state="ok", authoritative=True))
    return index


async def canned_search(path, query: str) -> list[str]:
    from datasette.app import Datasette

    from govarchive.browse.metadata import database_metadata

    ds = Datasette([str(path)], metadata={"databases": {"index": database_metadata()}})
    response = await ds.client.get("/index/search_posts.json", params={"q": query, "_shape": "array"})
    assert response.status_code == 200, response.text
    return [row["post_id"] for row in response.json()]


async def table_search(path, query: str, **extra: str) -> list[str]:
    from datasette.app import Datasette

    from govarchive.browse.metadata import database_metadata

    ds = Datasette([str(path)], metadata={"databases": {"index": database_metadata()}})
    params = {**({"_search": query} if query else {}), "_shape": "array", **extra}
    response = await ds.client.get("/index/posts.json", params=params)
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


DATES = {"a": "2026-11-18T10:00:00+08:00", "b": "2019-03-01T08:00:00+08:00", "c": None, "d": "2026-11-18",
         "e": "2026-11-18T10:00:00+08:00", "f": "2023-07-09T23:59:59+08:00", "g": "not a date"}


def newest_first(index) -> list[str]:
    return [row[0] for row in index.db.execute("select id from posts order by published_at desc, rowid desc")]


@pytest.mark.asyncio
async def test_search_posts_gives_the_newest_first_from_the_fts_rowid_order(tmp_path):
    path = tmp_path / "index.db"
    index = dated_index(path, DATES)
    # "g" (an unreadable date) sorts as a string above every digit but is keyed as undated: last, with "c"
    expected = [p for p in newest_first(index) if p not in ("c", "g")] + ["g", "c"]
    assert await canned_search(path, "防汛") == expected
    # the posts table's search box sorted by the key: the same order, without sorting every match
    assert await table_search(path, "防汛", _sort_desc="search_key") == expected
    assert set(await table_search(path, "防汛")) == set(expected)  # by default sorted on published_at
    # a post re-dated moves: its old row is gone, its new one in place
    index.save_post(Post("b", "wechat:1", "wechat", "urn:uuid:c", SEEN, title="防汛通知 b", text="防汛工作安排。",
                         published_at="2026-12-01T09:00:00+08:00", state="ok", authoritative=True))
    assert (await canned_search(path, "防汛"))[0] == "b"
    # a deleted post leaves no search row behind (its queue entry carried its key)
    index.db.execute("delete from posts where id = 'f'")
    index.drain_search()
    assert "f" not in await canned_search(path, "防汛")
    fts_rows, keyed = index.db.execute(
        "select (select count(*) from posts_fts), (select count(*) from posts p join posts_fts f "
        "on f.rowid = p.search_key)").fetchone()
    assert fts_rows == keyed == len(DATES) - 1
    index.close()


def test_posts_of_the_same_second_get_distinct_keys(tmp_path):
    from govarchive.index.search import KEY_TIES

    index = dated_index(tmp_path / "index.db", {"x": "2026-11-18T10:00:00+08:00"})
    taken = index.db.execute("select search_key from posts where id = 'x'").fetchone()[0]
    # the next post would want x's key: its rowid modulo KEY_TIES is the same
    index.db.execute("update posts set rowid = ? where id = 'x'", [taken % KEY_TIES + KEY_TIES])
    index.save_post(Post("y", "wechat:1", "wechat", "urn:uuid:c", SEEN, title="防汛通知 y", text="防汛工作安排。",
                         published_at="2026-11-18T10:00:00+08:00", state="ok", authoritative=True))
    keys = dict(index.db.execute("select id, search_key from posts").fetchall())
    assert keys["y"] != keys["x"] and abs(keys["y"] - keys["x"]) < KEY_TIES
    assert index.db.execute("select count(*) from posts_fts where posts_fts match ?",
                            [cjk_escape_fts("防汛")]).fetchone()[0] == 2
    index.close()


def test_migration_m010_rekeys_an_archive_in_publication_order(tmp_path):
    from sqlite_utils import Database

    from govarchive.index.schema import migrations
    from govarchive.index.search import SEARCHABLE

    path = tmp_path / "index.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m003_chinese_search")  # an archive of the first release
    old.execute("insert into posts (id, title, text, published_at, state) values "
                "('old1', '旧文', '防汛抢险', '2020-01-01T00:00:00+08:00', 'ok'), "
                "('old2', '新文', '防汛演练', '2025-01-01T00:00:00+08:00', 'ok')")
    old.close()
    index = open_index(path)  # m003 keys the shadows by rowid, m010 re-keys them
    rows = index.db.execute(
        "select p.id from posts_fts f join posts p on p.search_key = f.rowid where posts_fts match ? "
        "order by f.rowid desc", [cjk_escape_fts("防汛")]).fetchall()
    assert [r[0] for r in rows] == ["old2", "old1"]
    assert index.db.execute("select count(*) from posts_fts").fetchone()[0] == 2
    # posts_fts is search.db's (attached, m014): sqlite-utils' Table lists main's tables only, so ask SQLite
    assert set(SEARCHABLE["posts"]) <= {row[1] for row in index.db.execute("pragma table_info(posts_fts)")}
    index.close()
