"""WeChat albums (合集): HTML and JSON paging, a single-object article_list, rate limiting."""

from datetime import UTC, datetime
from pathlib import Path

from govarchive.pages import PageInput, extract

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
ALBUM = "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzI5MTg0NzU2MA==&action=getalbum&album_id=1375870284640911361"


def page(url, body, ctype):
    return PageInput(url, 200, (("Content-Type", ctype),), body, "urn:uuid:a", FETCHED)


def test_album_html():
    result = extract(page(ALBUM, (FIXTURES / "album.html").read_bytes(), "text/html; charset=utf-8"))
    assert result.accounts[0].id == "wechat:3291847560" and result.accounts[0].name == "云岚发布"
    assert [p.id for p in result.posts] == ["wechat:3291847560:2650012041:2", "wechat:3291847560:2650011977:1"]
    assert result.posts[0].title == "流感疫苗接种点一览" and result.posts[0].published_at.endswith("+08:00")
    assert all(link.kind == "post" for link in result.links)


def test_album_json_pages_until_continue_flag_is_0():
    first = extract(page(ALBUM + "&f=json&count=20", (FIXTURES / "album-page1.json").read_bytes(), "application/json"))
    assert len(first.posts) == 2
    next_page = [link.url for link in first.links if link.kind == "listing"]
    assert len(next_page) == 1 and "begin_msgid=2650011977" in next_page[0] and "begin_itemidx=1" in next_page[0]
    second = extract(page(next_page[0], (FIXTURES / "album-page2.json").read_bytes(), "application/json"))
    assert [p.id for p in second.posts] == ["wechat:3291847560:2650011901:1"]  # a single object, not a list
    assert not [link for link in second.links if link.kind == "listing"]


def test_album_rate_limit_is_blocked():
    body = b'{"base_resp":{"ret":200013,"err_msg":"freq control"}}'
    assert extract(page(ALBUM + "&f=json", body, "application/json")).page_state == "blocked"
