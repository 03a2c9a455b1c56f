"""Chinese search: the bigram shadow index, queried through Datasette's own client with our plugin."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from govarchive.index import open_index
from govarchive.items import Account, Post
from govarchive.search import cjk_bigrams, cjk_escape_fts
from govarchive.textclean import normalise as simplified

SEEN = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
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
