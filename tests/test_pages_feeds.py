"""Feeds as account listings: a WeChat bridge RSS feed and a generic Atom feed (our own fixtures)."""

from datetime import UTC, datetime
from pathlib import Path

from govarchive.pages import PageInput, extract, page_class_for

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FETCHED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def feed(name, url, ctype="application/rss+xml"):
    return PageInput(url, 200, (("Content-Type", ctype),), (FIXTURES / name).read_bytes(), "urn:uuid:f", FETCHED)


def test_wechat_bridge_feed_lists_wechat_posts():
    page = feed("wechat-bridge-rss.xml", "http://127.0.0.1:1200/wechat/feed/yunlanfabu.xml")
    assert page_class_for(page).__name__ == "FeedPage"
    result = extract(page)
    assert result.page_state == "ok"
    assert [a.id for a in result.accounts] == ["feed:http://127.0.0.1:1200/wechat/feed/yunlanfabu.xml",
                                               "wechat:3291847560"]
    assert [p.id for p in result.posts] == ["wechat:3291847560:2650012041:1", "wechat:3291847560:2650012041:2"]
    first = result.posts[0]
    assert first.title == "云岚市气象台发布寒潮蓝色预警 请注意防寒保暖" and first.state == "listed"
    assert first.published_at == "2026-11-19T18:30:00+08:00" and first.author == "云岚发布"
    assert "chksm" not in first.url and [link.kind for link in result.links] == ["post", "post"]


def test_generic_atom_feed_lists_its_own_posts():
    page = feed("column-atom.xml", "http://127.0.0.1:8765/xxgk/tzgg/atom.xml", "application/atom+xml")
    result = extract(page)
    account = result.accounts[0]
    assert account.id == "feed:http://127.0.0.1:8765/xxgk/tzgg/atom.xml" and account.name == "云岚市人民政府 通知公告"
    assert [p.url for p in result.posts] == ["http://127.0.0.1:8765/xxgk/tzgg/202611/t20261110_1012.html",
                                             "http://127.0.0.1:8765/xxgk/tzgg/202609/t20260915_1001.html"]
    assert result.posts[1].published_at == "2026-09-15T10:30:00+08:00"
    # a web page item is the site's own post, in its column: a crawl of the site meets it on one row
    assert result.posts[0].id == "website:http://127.0.0.1:8765/xxgk/tzgg/202611/t20261110_1012.html"
    assert {p.account_id for p in result.posts} == {"website:http://127.0.0.1:8765/xxgk/tzgg/"}
    assert result.posts[0].author == "云岚市住房和城乡建设局"
    assert account.last_post_at == "2026-11-10T16:00:00+08:00"


def test_xml_served_as_text_is_still_a_feed():
    page = feed("column-atom.xml", "http://127.0.0.1:8765/feed", "text/xml; charset=utf-8")
    assert page_class_for(page).__name__ == "FeedPage"


def test_broken_feed_is_unparsed_not_an_error():
    page = PageInput("http://x/feed.xml", 200, (("Content-Type", "application/rss+xml"),), b"<rss><chan",
                     "urn:uuid:f", FETCHED)
    assert extract(page).page_state == "unparsed"


def test_feed_does_not_resolve_external_entities():
    evil = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><title>&x;</title></channel></rss>'
    page = PageInput("http://x/feed.xml", 200, (("Content-Type", "application/rss+xml"),), evil, "urn:uuid:f", FETCHED)
    result = extract(page)
    assert all("root:" not in (a.name or "") for a in result.accounts)
